//! One function per subcommand. Each loads what it needs, calls the library, and writes
//! only the requested output to `out` (stdout); diagnostics go to stderr.

mod cache;
pub(crate) mod check;
pub(crate) mod console;
mod demo;
mod doctor;
mod handover;
mod init;
mod keeper;
mod lint;
mod list;
pub(crate) mod login;
pub mod served;
mod sso_sync;
mod tui;
mod whoami;

use crate::cli::{Cli, Command};
use crate::config::ConfigSet;
use crate::env::Env;
use crate::settings::Settings;
use anyhow::Context;
use std::io::Write;
use std::sync::Arc;

/// What `main` turns into the process exit status.
pub(crate) type Exit = u8;
pub(crate) const SUCCESS: Exit = 0;
pub(crate) const FAILURE: Exit = 1;

pub async fn dispatch(cli: Cli, env: Env, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let settings = Settings::new(&cli, &env);
    // Every command, before anything else: a credential_process loop stops here.
    settings
        .nesting
        .check(cli.command.as_ref().and_then(Command::profile))?;
    match cli.command {
        Some(Command::List(args)) => list::run(&env, &args, out),
        Some(Command::Whoami(args)) => whoami::run(&env, &settings, &args, out).await,
        Some(Command::Check(args)) => check::run(&env, &settings, &args, out).await,
        Some(Command::Lint(args)) => lint::run(&env, &args, out),
        Some(Command::Export(args)) => handover::export(&env, &settings, &args, out).await,
        Some(Command::Exec(args)) => handover::exec(&env, &settings, &args).await,
        Some(Command::Shell(args)) => handover::subshell(&env, &settings, &args).await,
        Some(Command::Copy(args)) => handover::copy(&env, &settings, &args).await,
        Some(Command::Console(args)) => console::run(&env, &settings, &args, out).await,
        Some(Command::Init(args)) => init::run(&args, out),
        Some(Command::Login(args)) => login::run(&env, &settings, &args).await,
        Some(Command::Sso(crate::cli::SsoCommand::Sync(args))) => {
            sso_sync::run(&env, &settings, &args, out).await
        }
        Some(Command::Cache(crate::cli::CacheCommand::Clear { profile })) => {
            cache::clear(&env, profile.as_deref())
        }
        Some(Command::ClipboardKeeper) => keeper::run(out),
        Some(Command::Doctor(args)) => doctor::run(&env, &settings, &args, out).await,
        Some(Command::Demo(args)) => demo::run(&env, &settings, &args, out).await,
        Some(Command::Pick(args)) => tui::run(&env, &settings, args.format, true, out).await,
        None => tui::run(&env, &settings, crate::export::Format::Env, false, out).await,
    }
}

pub(crate) fn load_config(env: &Env) -> anyhow::Result<Arc<ConfigSet>> {
    let set = crate::config::load(env).context("reading the AWS configuration")?;
    Ok(Arc::new(set))
}

/// The resolver every command uses: MFA codes are asked on the terminal.
pub(crate) fn resolver(set: Arc<ConfigSet>, env: &Env, settings: &Settings) -> Arc<crate::resolve::Resolver> {
    let prompt: crate::resolve::MfaPrompt =
        Arc::new(|profile, serial| Box::pin(terminal_mfa_code(profile, serial)));
    resolver_with(set, env, settings, prompt)
}

/// A resolver with `prompt` as its way of asking for MFA codes.
pub(crate) fn resolver_with(
    set: Arc<ConfigSet>,
    env: &Env,
    settings: &Settings,
    prompt: crate::resolve::MfaPrompt,
) -> Arc<crate::resolve::Resolver> {
    Arc::new(
        crate::resolve::Resolver::new(set, env.clone(), settings.resolver_options(env))
            .with_mfa_prompt(prompt),
    )
}

/// Asks for `serial`'s code on the terminal, off the async threads.
pub(crate) async fn terminal_mfa_code(profile: String, serial: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || crate::prompt::mfa_code(&profile, &serial))
        .await
        .map_err(|e| e.to_string())?
}
