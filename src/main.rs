//! rswitch binary: install hooks, parse arguments, dispatch. No logic here.

use clap::Parser;
use rswitch::cli::Cli;
use rswitch::commands::handover::RESOLVING_VAR;
use std::process::ExitCode;

/// More nested rswitch processes than this is a credential_process loop, whatever the names.
const MAX_NESTING: usize = 8;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(message) = guard_against_self_calls(&cli) {
        rswitch::text::eprintln(format_args!("rswitch: error: {message}"));
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            rswitch::text::eprintln(format_args!("rswitch: cannot start: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let result = runtime.block_on(rswitch::commands::dispatch(
        cli,
        rswitch::env::Env::real(),
        &mut stdout,
    ));
    // Don't wait for lingering tasks (e.g. a hung endpoint) on the way out.
    runtime.shutdown_background();
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            rswitch::text::eprintln(format_args!("rswitch: error: {e:#}"));
            ExitCode::FAILURE
        }
    }
}

/// A profile whose `credential_process` runs `rswitch export` for a profile that leads
/// back to it would spawn rswitch forever. Each rswitch records the profile it resolves
/// in `RSWITCH_RESOLVING` for its children and refuses a profile already there.
fn guard_against_self_calls(cli: &Cli) -> Result<(), String> {
    let Some(profile) = cli.command.as_ref().and_then(|c| c.profile()) else {
        return Ok(());
    };
    let stack: Vec<String> = std::env::var(RESOLVING_VAR)
        .unwrap_or_default()
        .split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if stack.iter().any(|p| p == profile) || stack.len() >= MAX_NESTING {
        return Err(format!(
            "profile '{profile}': credential_process loop: rswitch is resolving {} -> {profile} (a credential_process runs rswitch for a profile that leads back here)",
            stack.join(" -> ")
        ));
    }
    let mut stack = stack;
    stack.push(profile.to_string());
    // SAFETY: called before the tokio runtime or any other thread exists, so nothing can
    // read the environment concurrently.
    unsafe { std::env::set_var(RESOLVING_VAR, stack.join(",")) };
    Ok(())
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
