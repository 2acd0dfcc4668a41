//! rswitch binary: install hooks, parse arguments, dispatch. No logic here.

use clap::Parser;
use rswitch::cli::Cli;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("rswitch: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let result = runtime.block_on(rswitch::commands::dispatch(
        cli,
        rswitch::env::Env::real(),
        &mut stdout,
    ));
    // Don't wait long for lingering tasks (e.g. a hung endpoint) on the way out, but long
    // enough for dropped tasks to stop what they started (a credential_process group).
    runtime.shutdown_timeout(std::time::Duration::from_millis(250));
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("rswitch: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
