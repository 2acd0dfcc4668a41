//! Hand credentials over: export, exec, shell and copy. Serving a child's credentials
//! (shared with the TUI's `s`) lives in [`super::served`].

use super::served::{Served, child_pairs, gated_resolver, servable, served_note, start_served};
use super::{Exit, FAILURE, SUCCESS, load_config, resolver};
use crate::cli::{CopyArgs, ExecArgs, ExportArgs, ShellArgs};
use crate::clipboard::{self, CopyOptions, Keeper};
use crate::env::Env;
use crate::export::{self, ExportInput};
use crate::report;
use crate::settings::Settings;
use crate::shell;
use crate::text;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

/// Resolves `profile` for hand-over. On failure the report goes to stderr and nothing
/// reaches stdout, so `eval "$(rswitch export bad)"` changes nothing.
async fn resolve(env: &Env, settings: &Settings, profile: &str) -> Result<ExportInput, Exit> {
    let set = config_or_report(env)?;
    let resolution = resolver(set, env, settings).resolve(profile).await;
    handover_or_report(&resolution, env)
}

/// The configuration, or the reason it cannot be read on stderr.
fn config_or_report(env: &Env) -> Result<Arc<crate::config::ConfigSet>, Exit> {
    load_config(env).map_err(|e| {
        text::eprintln(format_args!("rswitch: error: {e:#}"));
        FAILURE
    })
}

/// What `resolution` hands over, or its report on stderr.
fn handover_or_report(resolution: &crate::resolve::Resolution, env: &Env) -> Result<ExportInput, Exit> {
    resolution.handover().ok_or_else(|| {
        text::eprint(&report::whoami_text(
            resolution,
            &crate::sso::names::AccountNames::load(env),
            SystemTime::now(),
        ));
        FAILURE
    })
}

pub(crate) async fn export(
    env: &Env,
    settings: &Settings,
    args: &ExportArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let input = match resolve(env, settings, &args.profile).await {
        Ok(input) => input,
        Err(code) => return Ok(code),
    };
    let text = export::render(&input, args.format)?;
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(SUCCESS)
}

pub(crate) async fn exec(env: &Env, settings: &Settings, args: &ExecArgs) -> anyhow::Result<Exit> {
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| anyhow::anyhow!("no command given after --"))?;
    let handover = match Handover::resolve(env, settings, &args.profile, args.static_copy).await {
        Ok(h) => h,
        Err(code) => return Ok(code),
    };
    let status = match handover.serve(env).await? {
        Some(served) => {
            let cmd = shell::command(program, rest, &served.env.pairs);
            let status = crate::serve::child::run(cmd, program, crate::serve::child::Forward::Same).await;
            drop(served);
            status
        }
        None => {
            let pairs = child_pairs(&handover.input);
            let cmd = shell::command(program, rest, &pairs);
            crate::serve::child::run(cmd, program, crate::serve::child::Forward::Same).await
        }
    };
    Ok(finish(status))
}

pub(crate) async fn subshell(env: &Env, settings: &Settings, args: &ShellArgs) -> anyhow::Result<Exit> {
    // Refuse nesting before resolving: no STS call or MFA prompt for nothing.
    if let Err(e) = shell::refuse_nesting(env, args.nested) {
        text::eprintln(format_args!("rswitch: {e}"));
        return Ok(FAILURE);
    }
    let handover = match Handover::resolve(env, settings, &args.profile, args.static_copy).await {
        Ok(h) => h,
        Err(code) => return Ok(code),
    };
    text::eprint(&shell::banner(&handover.input));
    text::eprintln(format_args!(""));
    let program = shell::user_shell(env);
    let status = match handover.serve(env).await? {
        Some(served) => {
            text::eprintln(format_args!("{}", served_note(&served)));
            let cmd = shell::subshell_command(env, &served.env.pairs, true)?;
            let status = crate::serve::child::run(
                cmd,
                std::ffi::OsStr::new(&program),
                crate::serve::child::Forward::Hangup,
            )
            .await;
            drop(served);
            status
        }
        None => {
            let pairs = child_pairs(&handover.input);
            let cmd = shell::subshell_command(env, &pairs, true)?;
            crate::serve::child::run(
                cmd,
                std::ffi::OsStr::new(&program),
                crate::serve::child::Forward::Hangup,
            )
            .await
        }
    };
    Ok(finish(status))
}

fn finish(status: Result<std::process::ExitStatus, shell::ShellError>) -> Exit {
    match status {
        Ok(status) => exit_byte(shell::exit_code(status)),
        Err(e) => {
            text::eprintln(format_args!("rswitch: {e}"));
            exit_byte(e.exit_code())
        }
    }
}

/// A resolved profile about to be handed to a child, and how.
struct Handover {
    input: ExportInput,
    set: Arc<crate::config::ConfigSet>,
    resolver: Arc<crate::resolve::Resolver>,
    /// Whether the resolver may still ask for an MFA code (only before the child starts).
    prompts: Arc<AtomicBool>,
    static_copy: bool,
}

impl Handover {
    async fn resolve(
        env: &Env,
        settings: &Settings,
        profile: &str,
        static_copy: bool,
    ) -> Result<Handover, Exit> {
        let set = config_or_report(env)?;
        let prompts = Arc::new(AtomicBool::new(true));
        let resolver = gated_resolver(set.clone(), env, settings, profile, prompts.clone());
        let resolution = resolver.resolve(profile).await;
        let input = handover_or_report(&resolution, env)?;
        Ok(Handover {
            input,
            set,
            resolver,
            prompts,
            static_copy,
        })
    }

    /// Starts the credential server, unless `--static` was given or the credentials never
    /// expire (long-term keys: nothing to renew, and botocore requires a token from the
    /// container endpoint).
    async fn serve(&self, env: &Env) -> anyhow::Result<Option<Served>> {
        if self.static_copy || !servable(&self.input) {
            return Ok(None);
        }
        self.prompts.store(false, Ordering::SeqCst);
        Ok(Some(
            start_served(env, &self.set, self.resolver.clone(), &self.input).await?,
        ))
    }
}

pub(crate) async fn copy(env: &Env, settings: &Settings, args: &CopyArgs) -> anyhow::Result<Exit> {
    let input = match resolve(env, settings, &args.profile).await {
        Ok(input) => input,
        Err(code) => return Ok(code),
    };
    let text = export::render(&input, args.format)?;
    let opts = CopyOptions {
        clear_after: args.clear_after.map(Duration::from_secs),
        force_osc52: args.osc52,
        keeper: Keeper::current_exe(&["__clipboard-keeper"]).ok(),
    };
    let path = tokio::task::block_in_place(|| clipboard::copy(&text, &opts, env))?;
    text::eprintln(format_args!(
        "{} for profile {} ({})",
        path,
        text::line(&args.profile),
        args.format.name()
    ));
    Ok(SUCCESS)
}

fn exit_byte(code: i32) -> Exit {
    u8::try_from(code).unwrap_or(FAILURE)
}
