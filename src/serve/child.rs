//! Waits for a served child while the server runs, and makes sure nothing outlives it.
//!
//! - The child exits: the caller drops the server, and rswitch exits with its status.
//! - rswitch gets SIGTERM or SIGHUP: the child gets the same signal (SIGHUP for an
//!   interactive shell, which ignores SIGTERM), then SIGKILL if it is still there after
//!   [`GRACE`]; rswitch then exits as the child did.
//! - Ctrl-C and Ctrl-\ reach the child through the terminal; rswitch survives them
//!   (as in [`crate::shell`]).

use crate::platform::{Stop, StopRequests};
use crate::shell::ShellError;
use std::ffi::OsStr;
use std::process::ExitStatus;
use std::time::Duration;

/// How long a child has to exit after the forwarded signal before it is killed.
pub(crate) const GRACE: Duration = Duration::from_secs(10);

/// Which signal a child gets when rswitch is asked to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Forward {
    /// The signal rswitch received (commands).
    Same,
    /// Always SIGHUP (interactive shells ignore SIGTERM but leave on SIGHUP).
    Hangup,
}

/// Spawns `cmd` and waits for it, forwarding SIGTERM/SIGHUP as described above.
pub(crate) async fn run(
    cmd: std::process::Command,
    program: &OsStr,
    forward: Forward,
) -> Result<ExitStatus, ShellError> {
    let name = program.to_string_lossy().into_owned();
    let _terminal = crate::platform::TerminalSignals::hold();
    let mut stops = StopRequests::listen().map_err(|e| ShellError::starting(&name, e))?;
    // From here on a stop signal is this function's to handle: `main` must not end the
    // process under the child.
    let _owned = crate::platform::ChildOwnsSignals::claim();
    let mut child = tokio::process::Command::from(cmd)
        .spawn()
        .map_err(|e| ShellError::starting(&name, e))?;
    let pid = child.id();
    let received = tokio::select! {
        status = child.wait() => return status.map_err(|e| ShellError::starting(&name, e)),
        stop = stops.next() => stop,
    };
    let stop = match forward {
        Forward::Same => received,
        Forward::Hangup => Stop::Hangup,
    };
    if let Some(pid) = pid {
        crate::platform::send_stop(pid, stop);
    }
    match tokio::time::timeout(GRACE, child.wait()).await {
        Ok(status) => status.map_err(|e| ShellError::starting(&name, e)),
        Err(_) => {
            let _ = child.start_kill();
            child.wait().await.map_err(|e| ShellError::starting(&name, e))
        }
    }
}
