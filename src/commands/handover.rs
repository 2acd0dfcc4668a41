//! Hand credentials over: export, exec, shell, copy, and the shell integration script.

use super::{Exit, FAILURE, SUCCESS, load_config, resolver};
use crate::cli::{CopyArgs, ExecArgs, ExportArgs, GlobalArgs, InitArgs, ShellArgs};
use crate::clipboard::{self, CopyOptions, CopyPath, Keeper};
use crate::env::Env;
use crate::export::{self, ExportInput, Format};
use crate::report;
use crate::shell;
use crate::text;
use std::io::Write;
use std::time::{Duration, SystemTime};

/// Resolves `profile` for hand-over. On failure the report goes to stderr and nothing
/// reaches stdout, so `eval "$(rswitch export bad)"` changes nothing.
async fn resolve(env: &Env, global: &GlobalArgs, profile: &str) -> Result<ExportInput, Exit> {
    let set = load_config(env).map_err(|e| {
        text::eprintln(format_args!("rswitch: error: {e:#}"));
        FAILURE
    })?;
    let resolution = resolver(set, env, global, 1).resolve(profile).await;
    export_input(&resolution).ok_or_else(|| {
        text::eprint(&report::whoami_text(
            &resolution,
            &crate::sso::names::AccountNames::load(env),
            SystemTime::now(),
        ));
        FAILURE
    })
}

/// What to hand over from a successful resolution.
pub fn export_input(resolution: &crate::resolve::Resolution) -> Option<ExportInput> {
    let resolved = resolution.outcome.as_ref().ok()?;
    Some(ExportInput {
        profile: resolution.profile.clone(),
        credentials: resolved.credentials.clone(),
        identity: Some(resolved.identity.clone()),
        region: resolution.region.clone(),
    })
}

/// The variables a child process gets: the profile's, minus the recursion guard (a
/// command the user runs is not a credential_process of ours).
pub(crate) fn child_pairs(input: &ExportInput) -> Vec<(String, Option<String>)> {
    let mut pairs = export::env_pairs(input);
    for var in [crate::nesting::RESOLVING_VAR, crate::nesting::DEPTH_VAR] {
        pairs.push((var.to_string(), None));
    }
    pairs
}

pub async fn export(
    env: &Env,
    global: &GlobalArgs,
    args: &ExportArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let input = match resolve(env, global, &args.profile).await {
        Ok(input) => input,
        Err(code) => return Ok(code),
    };
    let text = export::render(&input, args.format)?;
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(SUCCESS)
}

pub async fn exec(env: &Env, global: &GlobalArgs, args: &ExecArgs) -> anyhow::Result<Exit> {
    let input = match resolve(env, global, &args.profile).await {
        Ok(input) => input,
        Err(code) => return Ok(code),
    };
    let (program, rest) = args
        .command
        .split_first()
        .ok_or_else(|| anyhow::anyhow!("no command given after --"))?;
    let pairs = child_pairs(&input);
    let status = tokio::task::block_in_place(|| shell::exec(program, rest, &pairs));
    Ok(match status {
        Ok(status) => exit_byte(shell::exit_code(status)),
        Err(e) => {
            text::eprintln(format_args!("rswitch: {e}"));
            exit_byte(e.exit_code())
        }
    })
}

pub async fn subshell(env: &Env, global: &GlobalArgs, args: &ShellArgs) -> anyhow::Result<Exit> {
    // Refuse nesting before resolving: no STS call or MFA prompt for nothing.
    if let Err(e) = shell::refuse_nesting(env, args.nested) {
        text::eprintln(format_args!("rswitch: {e}"));
        return Ok(FAILURE);
    }
    let input = match resolve(env, global, &args.profile).await {
        Ok(input) => input,
        Err(code) => return Ok(code),
    };
    text::eprint(&shell::banner(&input));
    text::eprintln(format_args!(""));
    let pairs = child_pairs(&input);
    let status = tokio::task::block_in_place(|| shell::subshell(env, &pairs, true));
    Ok(match status {
        Ok(status) => exit_byte(shell::exit_code(status)),
        Err(e) => {
            text::eprintln(format_args!("rswitch: {e}"));
            exit_byte(e.exit_code())
        }
    })
}

pub async fn copy(env: &Env, global: &GlobalArgs, args: &CopyArgs) -> anyhow::Result<Exit> {
    let input = match resolve(env, global, &args.profile).await {
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
        describe(path),
        text::line(&args.profile),
        args.format.name()
    ));
    Ok(SUCCESS)
}

/// Where the text went, in words.
pub fn describe(path: CopyPath) -> &'static str {
    match path {
        CopyPath::System => "copied to the system clipboard",
        CopyPath::Osc52 => "copied via the terminal (OSC 52; no display server reachable)",
        CopyPath::Osc52ViaTmux => "copied to the tmux buffer and the terminal clipboard (OSC 52 via tmux)",
    }
}

pub fn init(args: &InitArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    use clap::CommandFactory;
    out.write_all(shell::init_script(args.shell).as_bytes())?;
    let mut completions = Vec::new();
    let mut cmd = crate::cli::Cli::command();
    match args.shell {
        shell::InitShell::Bash => {
            clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, "rswitch", &mut completions)
        }
        shell::InitShell::Zsh => {
            clap_complete::generate(clap_complete::Shell::Zsh, &mut cmd, "rswitch", &mut completions)
        }
        shell::InitShell::Fish => {
            clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, "rswitch", &mut completions)
        }
        shell::InitShell::Powershell => clap_complete::generate(
            clap_complete::Shell::PowerShell,
            &mut cmd,
            "rswitch",
            &mut completions,
        ),
    }
    out.write_all(b"\n")?;
    out.write_all(&completions)?;
    Ok(SUCCESS)
}

pub fn clear_cache(env: &Env, profile: Option<&str>) -> anyhow::Result<Exit> {
    let cache = crate::cache::Cache::for_env(env);
    let removed = match profile {
        None => cache.clear_all()?,
        Some(name) => {
            let set = load_config(env)?;
            let plan = crate::resolve::Catalog::build(set, env).planned(name)?;
            let keys: Vec<_> = plan.hops.iter().map(crate::resolve::cache_key).collect();
            cache.clear(keys.iter())?
        }
    };
    text::eprintln(format_args!(
        "removed {removed} cached credential file(s) from {}",
        cache.dir().display()
    ));
    Ok(SUCCESS)
}

pub fn clipboard_keeper(out: &mut dyn Write) -> anyhow::Result<Exit> {
    clipboard::run_keeper(std::io::stdin().lock(), out)?;
    Ok(SUCCESS)
}

fn exit_byte(code: i32) -> Exit {
    u8::try_from(code).unwrap_or(FAILURE)
}

/// `Format` is re-exported for callers that build export text themselves (the TUI).
pub fn render(input: &ExportInput, format: Format) -> anyhow::Result<String> {
    Ok(export::render(input, format)?)
}
