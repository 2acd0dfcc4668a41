//! A private tmux server: its own socket in its own temporary directory, no user config
//! unless one is given, UTF-8 whatever the test's locale, and never the caller's `TMUX`.
//! [`super::tty::Tty`] (a terminal for prompts and subshells) and the TUI's `Tmux` harness
//! are built on it. Drop kills the server and with it everything it started.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct TmuxServer {
    socket: PathBuf,
    dir: tempfile::TempDir,
}

impl TmuxServer {
    /// A server-to-be (tmux starts it with the first session) in a new directory named
    /// `prefix…`.
    pub fn new(prefix: &str) -> TmuxServer {
        let dir = tempfile::Builder::new()
            .prefix(prefix)
            .tempdir()
            .expect("a temporary directory for the tmux socket");
        TmuxServer {
            socket: dir.path().join("tmux.sock"),
            dir,
        }
    }

    /// The server's directory (its socket lives there; tests may write files there too).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// `tmux ARGS` against this server.
    pub fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            // -u: the server and captures speak UTF-8 whatever the test's own locale.
            .args(["-u", "-S"])
            .arg(&self.socket)
            .args(args)
            .env("LC_ALL", "C.UTF-8")
            .env_remove("TMUX")
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux ({e}); `bash tests/run.sh` installs it"))
    }

    /// `tmux ARGS`, which must succeed; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The newest paste buffer (what an OSC 52 sequence leaves under `set-clipboard on`);
    /// `None` when there is none.
    pub fn buffer(&self) -> Option<String> {
        let out = self.run(&["show-buffer"]);
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}
