//! rswitch binary: install hooks, parse arguments, dispatch. No logic here.

use clap::Parser;
use rswitch::cli::{Cli, Command};
use std::process::ExitCode;

/// How the command ended: its exit status, or the signal that cancelled it.
enum Finish {
    Code(u8),
    Signal(i32),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            rswitch::text::eprintln(format_args!("rswitch: cannot start: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let mut stdout = std::io::stdout().lock();
    let cancel = cancelled_by_signals(&cli);
    let result = runtime.block_on(async {
        // Boxed: the future of every command in one is too large to keep on the stack.
        let work = Box::pin(rswitch::commands::dispatch(
            cli,
            rswitch::env::Env::real(),
            &mut stdout,
        ));
        if !cancel {
            return work.await.map(Finish::Code);
        }
        // Registered before any work starts. Dropping the work on a signal stops what it
        // started, a credential_process group above all (it is in the background and would
        // not see the terminal's Ctrl-C). A command an `exec` or `shell` runs gets the
        // terminal's signals itself; rswitch waits for it and takes its status.
        // A stop signal while `exec` or `shell` waits for its child is theirs: they pass
        // it on and exit as the child did (rswitch::serve::child).
        let mut work = work;
        loop {
            tokio::select! {
                biased;
                result = &mut work => break result.map(Finish::Code),
                number = rswitch::platform::stop_signal() => {
                    if !rswitch::platform::ChildOwnsSignals::held() {
                        break Ok(Finish::Signal(number));
                    }
                }
            }
        }
    });
    // Don't wait long for lingering tasks (e.g. a hung endpoint) on the way out, but long
    // enough for dropped tasks to stop what they started (a credential_process group).
    runtime.shutdown_timeout(std::time::Duration::from_millis(250));
    match result {
        Ok(Finish::Code(code)) => ExitCode::from(code),
        Ok(Finish::Signal(number)) => {
            rswitch::text::eprintln(format_args!("rswitch: stopped by signal {number}"));
            ExitCode::from(u8::try_from(128 + number).unwrap_or(1))
        }
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            rswitch::text::eprintln(format_args!("rswitch: error: {e:#}"));
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

/// Every command but the TUI (`rswitch`, `pick`, `demo`), which restores the terminal on
/// signals itself, and the clipboard keeper, which outlives its caller on purpose.
fn cancelled_by_signals(cli: &Cli) -> bool {
    !matches!(
        cli.command,
        None | Some(Command::Pick(_) | Command::Demo(_) | Command::ClipboardKeeper)
    )
}
