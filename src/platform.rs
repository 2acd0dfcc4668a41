//! What differs by operating system, in one room: the terminal device, the user's shell
//! and the shell a `credential_process` runs in, whether (and with what) a browser can be
//! opened, files (private 0600/0700, owners and who else may write, opening without
//! blocking: `files.rs`), process groups, and signals (the ones
//! that stop rswitch, the ones it forwards to a served child, and the terminal's Ctrl-C
//! while a child runs). Everything else in the crate is free of `cfg(unix)` for these.
//!
//! Today rswitch is built for Unix (Linux, macOS). A Windows port is the work of this
//! room: the console is `CONIN$`/`CONOUT$` instead of `/dev/tty`, the user's shell is
//! `%COMSPEC%` or PowerShell, a detached process is `CREATE_NEW_PROCESS_GROUP` (and a job
//! object replaces the process group), Ctrl-C/Ctrl-Break replace the signals, and a
//! file's owner and the users who may write to it come from its ACL (`files.rs`).

mod files;

pub(crate) use files::{
    DirRisk, create_private_dir, dir_risk, foreign_owner, kind_of, make_private, open_nonblocking,
    private_new_file, private_temp_dir, read_capped, write_private_atomically,
};

use crate::env::Env;
use std::process::ExitStatus;

/// The controlling terminal of the process's session.
pub(crate) const TTY_DEVICE: &str = "/dev/tty";

/// The shell `rswitch shell` starts: `$SHELL` from `env`, else `/bin/sh`.
pub(crate) fn user_shell(env: &Env) -> String {
    env.get("SHELL").unwrap_or("/bin/sh").to_string()
}

/// Where a URL can be shown, by the one rule `rswitch console` and `rswitch login` follow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Browser {
    /// Start this program with the URL (or a page forwarding to it) as its one argument.
    Program(String),
    /// No browser can be opened here: print or copy the URL instead.
    Headless(Headless),
}

/// Why no browser can be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Headless {
    /// A remote session (SSH): a browser would start on the far machine, if anywhere.
    Remote,
    /// No display server to show a window on.
    NoDisplay,
}

impl Headless {
    /// For a message: `no browser here (an SSH session)`.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Headless::Remote => "an SSH session",
            Headless::NoDisplay => "no DISPLAY or WAYLAND_DISPLAY",
        }
    }
}

/// Whether a browser can be opened here, and with what:
///
/// 1. a remote session (`SSH_CONNECTION`, `SSH_CLIENT`, `SSH_TTY`) is headless, whatever
///    else is set: the user is not sitting at this machine;
/// 2. else `$BROWSER` (the convention of `xdg-open` and Python's `webbrowser`), even
///    without a display: the user asked for that program;
/// 3. else a local desktop gets the system's opener: always on macOS (`open`) and Windows
///    (`explorer`), on other systems when `DISPLAY` or `WAYLAND_DISPLAY` is set (`xdg-open`);
/// 4. else headless.
pub(crate) fn browser(env: &Env) -> Browser {
    let set = |var: &str| env.get(var).is_some();
    if ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"].into_iter().any(set) {
        return Browser::Headless(Headless::Remote);
    }
    if let Some(program) = env.get("BROWSER").filter(|b| !b.trim().is_empty()) {
        return Browser::Program(program.to_string());
    }
    if cfg!(target_os = "macos") {
        Browser::Program("open".into())
    } else if cfg!(windows) {
        Browser::Program("explorer".into())
    } else if set("DISPLAY") || set("WAYLAND_DISPLAY") {
        Browser::Program("xdg-open".into())
    } else {
        Browser::Headless(Headless::NoDisplay)
    }
}

/// A `credential_process` command line as the AWS CLI runs it: `sh -c` (`cmd.exe /C` on
/// Windows).
pub(crate) fn shell_command(command: &str) -> tokio::process::Command {
    #[cfg(windows)]
    {
        let mut cmd = tokio::process::Command::new("cmd.exe");
        cmd.arg("/C").raw_arg(format!("\"{command}\""));
        cmd
    }
    #[cfg(not(windows))]
    {
        let mut cmd = tokio::process::Command::new("sh");
        cmd.args(["-c", command]);
        cmd
    }
}

/// The code rswitch should exit with after its child: the child's code, or `128 + N`
/// after death by signal `N`.
pub fn exit_code(status: ExitStatus) -> i32 {
    if let Some(code) = status.code() {
        return code;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return 128 + sig;
        }
    }
    1
}

/// Starts the child as the leader of its own process group, so that [`kill_group`] can
/// stop it with everything it started.
pub(crate) fn own_group(cmd: &mut tokio::process::Command) {
    #[cfg(unix)]
    cmd.process_group(0);
    #[cfg(not(unix))]
    let _ = cmd;
}

/// Kills the process group led by `pid` (see [`own_group`]); a group already gone is no
/// error.
pub(crate) fn kill_group(pid: u32) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(pid) {
        use nix::sys::signal::{Signal, killpg};
        // ESRCH when the group is already gone: nothing to do.
        let _ = killpg(nix::unistd::Pid::from_raw(pid), Signal::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

/// Detaches a process that must outlive rswitch (the clipboard keeper) from the
/// terminal's job: its own process group, so Ctrl-C in the shell does not reach it.
pub(crate) fn detach(cmd: &mut std::process::Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    #[cfg(not(unix))]
    let _ = cmd;
}

/// Registers the handlers of the signals that stop rswitch (SIGTERM, SIGINT, SIGHUP) now;
/// the future resolves to the first one's number.
#[cfg(unix)]
pub fn stop_signal() -> impl std::future::Future<Output = i32> {
    use tokio::signal::unix::{SignalKind, signal};
    let handlers = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    );
    async move {
        let (Ok(mut term), Ok(mut int), Ok(mut hup)) = handlers else {
            return std::future::pending().await;
        };
        tokio::select! {
            _ = term.recv() => 15,
            _ = int.recv() => 2,
            _ = hup.recv() => 1,
        }
    }
}

/// Ctrl-C, as signal 2.
#[cfg(not(unix))]
pub(crate) fn stop_signal() -> impl std::future::Future<Output = i32> {
    async {
        match tokio::signal::ctrl_c().await {
            Ok(()) => 2,
            Err(_) => std::future::pending().await,
        }
    }
}

/// While held, a child of rswitch (`exec`, `shell`) is being waited for and stop signals
/// are forwarded to it; `main` must not cancel the command under it.
pub struct ChildOwnsSignals(());

static CHILDREN_OWNING_SIGNALS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

impl ChildOwnsSignals {
    pub(crate) fn claim() -> ChildOwnsSignals {
        CHILDREN_OWNING_SIGNALS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        ChildOwnsSignals(())
    }

    /// True while some child's waiter handles stop signals.
    pub fn held() -> bool {
        CHILDREN_OWNING_SIGNALS.load(std::sync::atomic::Ordering::SeqCst) > 0
    }
}

impl Drop for ChildOwnsSignals {
    fn drop(&mut self) {
        CHILDREN_OWNING_SIGNALS.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A request to stop that a served child is told about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// SIGTERM.
    Terminate,
    /// SIGHUP (the terminal went away; interactive shells leave on it).
    Hangup,
}

/// The stop requests rswitch listens for while a served child runs: SIGTERM and SIGHUP.
pub(crate) struct StopRequests {
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl StopRequests {
    /// Registers the handlers now, so that none sent after this returns is missed.
    pub(crate) fn listen() -> std::io::Result<StopRequests> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(StopRequests {
            term: signal(SignalKind::terminate())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    /// The next request.
    pub(crate) async fn next(&mut self) -> Stop {
        tokio::select! {
            _ = self.term.recv() => Stop::Terminate,
            _ = self.hup.recv() => Stop::Hangup,
        }
    }
}

/// Passes `stop` on to the process `pid`.
pub(crate) fn send_stop(pid: u32, stop: Stop) {
    use nix::sys::signal::{Signal, kill};
    let signal = match stop {
        Stop::Terminate => Signal::SIGTERM,
        Stop::Hangup => Signal::SIGHUP,
    };
    if let Ok(pid) = i32::try_from(pid) {
        let _ = kill(nix::unistd::Pid::from_raw(pid), signal);
    }
}

/// While alive, SIGINT and SIGQUIT only set a flag in rswitch instead of killing it.
/// A handler (not SIG_IGN) is used on purpose: handlers reset to the default in the
/// child at exec, so the child still reacts to Ctrl-C normally.
pub(crate) struct TerminalSignals(Vec<signal_hook::SigId>);

impl TerminalSignals {
    pub(crate) fn hold() -> TerminalSignals {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGINT, SIGQUIT};
            use std::sync::Arc;
            use std::sync::atomic::AtomicBool;
            let flag = Arc::new(AtomicBool::new(false));
            let ids = [SIGINT, SIGQUIT]
                .into_iter()
                .filter_map(|s| signal_hook::flag::register(s, Arc::clone(&flag)).ok())
                .collect();
            TerminalSignals(ids)
        }
        #[cfg(not(unix))]
        TerminalSignals(Vec::new())
    }
}

impl Drop for TerminalSignals {
    fn drop(&mut self) {
        for id in self.0.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_files_and_dirs_are_the_users_only() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().expect("tempdir");
        let dir = root.path().join("a/b");
        create_private_dir(&dir).expect("created");
        let mode = |p: &std::path::Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        let file = dir.join("f");
        private_new_file().open(&file).expect("created");
        assert_eq!(mode(&file), 0o600);
        assert!(
            private_new_file().open(&file).is_err(),
            "an existing file is not reopened"
        );
    }

    #[test]
    fn a_browser_is_browser_else_the_desktops_opener_never_over_ssh() {
        let env = |vars: &[(&str, &str)]| Env::from_vars(vars.iter().copied(), None);
        let program = |p: &str| Browser::Program(p.to_string());
        let system = if cfg!(target_os = "macos") {
            program("open")
        } else if cfg!(windows) {
            program("explorer")
        } else {
            program("xdg-open")
        };
        // A remote session wins over everything, $BROWSER and a (forwarded) display too.
        for ssh in ["SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"] {
            let remote = env(&[(ssh, "x"), ("BROWSER", "firefox"), ("DISPLAY", "localhost:10.0")]);
            assert_eq!(browser(&remote), Browser::Headless(Headless::Remote), "{ssh}");
        }
        // $BROWSER, with or without a display.
        assert_eq!(browser(&env(&[("BROWSER", "firefox")])), program("firefox"));
        assert_eq!(
            browser(&env(&[("BROWSER", "firefox"), ("DISPLAY", ":0")])),
            program("firefox")
        );
        // A local desktop: the system's opener; an empty value is no value.
        assert_eq!(browser(&env(&[("DISPLAY", ":0")])), system);
        assert_eq!(browser(&env(&[("WAYLAND_DISPLAY", "wayland-1")])), system);
        assert_eq!(
            browser(&env(&[("BROWSER", " "), ("DISPLAY", ":0"), ("SSH_TTY", "")])),
            system
        );
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(browser(&env(&[])), Browser::Headless(Headless::NoDisplay));
            assert_eq!(
                browser(&env(&[("BROWSER", ""), ("DISPLAY", "")])),
                Browser::Headless(Headless::NoDisplay)
            );
        }
        assert_eq!(Headless::Remote.reason(), "an SSH session");
        assert_eq!(Headless::NoDisplay.reason(), "no DISPLAY or WAYLAND_DISPLAY");
    }

    #[test]
    fn the_users_shell_is_shell_else_bin_sh() {
        let with = Env::from_vars([("SHELL", "/usr/bin/fish")], None);
        assert_eq!(user_shell(&with), "/usr/bin/fish");
        let without = Env::from_vars(std::iter::empty::<(&str, &str)>(), None);
        assert_eq!(user_shell(&without), "/bin/sh");
    }

    #[tokio::test]
    async fn a_killed_group_takes_the_grandchild_with_it() {
        let mut cmd = shell_command("sleep 30 & echo $!; wait");
        cmd.stdout(std::process::Stdio::piped());
        own_group(&mut cmd);
        let mut child = cmd.spawn().expect("sh runs");
        let mut out = child.stdout.take().expect("piped");
        let mut line = Vec::new();
        use tokio::io::AsyncReadExt;
        let mut byte = [0u8; 1];
        while out.read(&mut byte).await.expect("read") == 1 && byte[0] != b'\n' {
            line.push(byte[0]);
        }
        let grandchild: i32 = String::from_utf8(line).unwrap().trim().parse().unwrap();
        kill_group(child.id().expect("running"));
        let status = child.wait().await.expect("reaped");
        assert_eq!(exit_code(status), 128 + 9);
        // The grandchild is gone too: no such process, or a zombie waiting for init.
        let alive = || {
            let exists = nix::sys::signal::kill(nix::unistd::Pid::from_raw(grandchild), None).is_ok();
            let zombie = std::fs::read_to_string(format!("/proc/{grandchild}/stat")).is_ok_and(|s| {
                s.rsplit(')')
                    .next()
                    .is_some_and(|r| r.trim_start().starts_with('Z'))
            });
            exists && !zombie
        };
        for _ in 0..50 {
            if !alive() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the grandchild {grandchild} survived");
    }
}
