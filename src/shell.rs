//! Runs a command, or an interactive subshell, with credentials in its environment, and
//! holds the `rsw` shell functions that switch the *current* shell (`rswitch init SHELL`).
//!
//! The variables come from [`crate::export::env_pairs`] (set and unset alike). Nothing
//! here writes to stdout: the child owns it, and the identity banner goes to stderr.
//! While the child runs, rswitch survives the terminal's Ctrl-C / Ctrl-\ (the child,
//! being in the same foreground process group, receives them itself), then reports the
//! child's status; [`exit_code`] maps a death by signal to `128 + N` as shells do.

use crate::env::Env;
use crate::export::ExportInput;
use std::ffi::{OsStr, OsString};
use std::io;
use std::process::{Command, ExitStatus};

/// Exit code when the command does not exist (as in shells).
pub(crate) const EXIT_NOT_FOUND: i32 = 127;
/// Exit code when the command exists but cannot be run.
pub(crate) const EXIT_CANNOT_RUN: i32 = 126;

#[derive(Debug, thiserror::Error)]
pub enum ShellError {
    #[error("command '{command}' not found")]
    NotFound { command: String },
    #[error("cannot run '{command}': {source}")]
    Spawn { command: String, source: io::Error },
    #[error(
        "already in an rswitch shell for profile '{current}' (RSWITCH_PROFILE is set): exit it first, \
         or pass --nested to start another shell inside it"
    )]
    Nested { current: String },
}

impl ShellError {
    /// Why `command` could not be started (or waited for): not found, or another error.
    pub(crate) fn starting(command: &str, source: io::Error) -> ShellError {
        match source.kind() {
            io::ErrorKind::NotFound => ShellError::NotFound {
                command: command.to_string(),
            },
            _ => ShellError::Spawn {
                command: command.to_string(),
                source,
            },
        }
    }

    /// The exit code a shell would use for this failure.
    pub fn exit_code(&self) -> i32 {
        match self {
            ShellError::NotFound { .. } => EXIT_NOT_FOUND,
            ShellError::Spawn { .. } => EXIT_CANNOT_RUN,
            ShellError::Nested { .. } => 1,
        }
    }
}

/// A `Command` for `program args…` with `pairs` applied (`Some` sets, `None` removes)
/// on top of this process's environment. Stdio is inherited.
pub fn command(program: impl AsRef<OsStr>, args: &[OsString], pairs: &[(String, Option<String>)]) -> Command {
    let mut cmd = Command::new(program);
    cmd.args(args);
    for (k, v) in pairs {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd
}

/// Runs `program args…` with the credentials of `pairs` and waits for it.
/// The caller turns the status into rswitch's exit code with [`exit_code`].
pub fn exec(
    program: impl AsRef<OsStr>,
    args: &[OsString],
    pairs: &[(String, Option<String>)],
) -> Result<ExitStatus, ShellError> {
    run(command(program.as_ref(), args, pairs), program.as_ref())
}

pub use crate::platform::exit_code;
pub(crate) use crate::platform::user_shell;

/// The user's interactive shell with the credentials of `pairs`, not yet started (`shell`
/// waits for it through [`crate::serve::child::run`]; the TUI's `s` and tests set its stdio).
/// Refuses with [`ShellError::Nested`] when `env` already has `RSWITCH_PROFILE`, unless
/// `nested`. `pairs` must come from [`crate::export::env_pairs`] (they export
/// `RSWITCH_PROFILE` and unset `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, `AWS_SECURITY_TOKEN`).
pub fn subshell_command(
    env: &Env,
    pairs: &[(String, Option<String>)],
    nested: bool,
) -> Result<Command, ShellError> {
    refuse_nesting(env, nested)?;
    Ok(command(user_shell(env), &[], pairs))
}

/// The one nesting guard of every subshell (`rswitch shell`, the TUI's `s`): refuses with
/// [`ShellError::Nested`] inside an rswitch shell (`RSWITCH_PROFILE` set) unless `nested`.
pub(crate) fn refuse_nesting(env: &Env, nested: bool) -> Result<(), ShellError> {
    match (env.get("RSWITCH_PROFILE"), nested) {
        (Some(current), false) => Err(ShellError::Nested {
            current: current.to_string(),
        }),
        _ => Ok(()),
    }
}

/// One line for stderr before a subshell starts: who the shell will be. The profile and
/// the ARN (an STS answer, maybe from the cache) are shown through [`crate::text::line`].
pub(crate) fn banner(input: &ExportInput) -> crate::text::Clean {
    let who = input
        .identity
        .as_ref()
        .map(|i| format!(" as {}", i.arn))
        .unwrap_or_default();
    let until = input
        .credentials
        .expiration
        .map(|e| format!(", credentials valid until {}", crate::creds::rfc3339(e)))
        .unwrap_or_default();
    crate::text::line(&format!(
        "rswitch: shell for profile '{}'{who}{until}; type 'exit' to leave",
        input.profile
    ))
}

fn run(mut cmd: Command, program: &OsStr) -> Result<ExitStatus, ShellError> {
    let name = program.to_string_lossy().into_owned();
    // Installed before the spawn so that no signal sent right after it can be missed.
    let _guard = crate::platform::TerminalSignals::hold();
    let mut child = cmd
        .spawn()
        .map_err(|source| ShellError::starting(&name, source))?;
    child.wait().map_err(|source| ShellError::Spawn {
        command: name,
        source,
    })
}

/// Shells `rswitch init` writes integration for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum InitShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Nu,
    Tcsh,
}

/// The `rsw PROFILE` function (switches the current shell by evaluating
/// `rswitch export --format …`, only when rswitch exits 0) and profile-name completion
/// (from `rswitch list --names`, one name per line).
/// Install with `eval "$(rswitch init bash)"` (zsh likewise, after `compinit`),
/// `rswitch init fish | source`, `rswitch init powershell | Out-String | Invoke-Expression`.
pub fn init_script(shell: InitShell) -> &'static str {
    match shell {
        InitShell::Bash => include_str!("../assets/shell/rsw.bash"),
        InitShell::Zsh => include_str!("../assets/shell/rsw.zsh"),
        InitShell::Fish => include_str!("../assets/shell/rsw.fish"),
        InitShell::Powershell => include_str!("../assets/shell/rsw.ps1"),
        InitShell::Nu => include_str!("../assets/shell/rsw.nu"),
        InitShell::Tcsh => include_str!("../assets/shell/rsw.tcsh"),
    }
}
