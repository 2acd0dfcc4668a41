//! A real pseudo-terminal for what talks to `/dev/tty` (MFA prompts, interactive
//! subshells): one private tmux server per [`Tty`], on its own socket, running one shell
//! script in one window. Tests type with [`Tty::send_line`], read the screen with
//! [`Tty::screen`] and wait for files the script writes.
//!
//! The script runs under `env -i` with exactly the variables the test gives, so neither
//! the developer's environment nor tmux's own variables (`TMUX`, …) leak in. Panes stay
//! on screen after their program exits (`remain-on-exit`), so the screen can still be
//! read. Drop kills the private server ([`TmuxServer`]) and with it everything it started.

use super::tmux_server::TmuxServer;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a test waits for a screen or a file before failing: generous, for a loaded
/// machine where the AWS CLI alone takes seconds to start.
pub const PATIENCE: Duration = Duration::from_secs(90);

pub struct Tty {
    server: TmuxServer,
    conf: String,
}

impl Default for Tty {
    fn default() -> Self {
        Self::new()
    }
}

impl Tty {
    /// A terminal with its directory ready ([`Tty::dir`]) and nothing running yet.
    pub fn new() -> Tty {
        let server = TmuxServer::new("rswitch-tty-");
        let conf = "set -g remain-on-exit on\nset -g history-limit 10000\n".to_string();
        Tty { server, conf }
    }

    /// A terminal that keeps what programs copy with OSC 52 (tmux `set-clipboard on`):
    /// [`Tty::buffer`] then holds the copied text.
    pub fn with_clipboard() -> Tty {
        let mut tty = Tty::new();
        tty.conf += "set -s set-clipboard on\n";
        tty
    }

    /// Starts `/bin/sh SCRIPT` in a 200x50 terminal, where SCRIPT exports `env` (and
    /// nothing else) and then runs `body`.
    pub fn start(&self, env: &[(String, String)], body: &str) {
        let conf = self.dir().join("tmux.conf");
        std::fs::write(&conf, &self.conf).expect("write tmux.conf");
        let mut script = String::from("#!/bin/sh\n");
        for (k, v) in env {
            script += &format!("export {k}='{}'\n", v.replace('\'', r"'\''"));
        }
        script += body;
        script.push('\n');
        let path = self.dir().join("script.sh");
        std::fs::write(&path, script).expect("write the terminal's script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let conf = conf.display().to_string();
        let command = format!("env -i /bin/sh {}", path.display());
        let cwd = self.dir().display().to_string();
        self.server.ok(&[
            "-f",
            &conf,
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "200",
            "-y",
            "50",
            "-c",
            &cwd,
            &command,
        ]);
    }

    /// The directory the script may write its results to.
    pub fn dir(&self) -> &Path {
        self.server.dir()
    }

    /// Everything the terminal showed, scrollback included, one line per screen line.
    pub fn screen(&self) -> String {
        self.server
            .ok(&["capture-pane", "-p", "-J", "-S", "-", "-t", "t"])
    }

    /// A pane variable such as `pane_title`.
    pub fn var(&self, name: &str) -> String {
        self.server
            .ok(&["display-message", "-p", "-t", "t", &format!("#{{{name}}}")])
            .trim()
            .to_string()
    }

    /// The newest tmux paste buffer, `None` when there is none (see [`Tty::with_clipboard`]).
    pub fn buffer(&self) -> Option<String> {
        self.server.buffer()
    }

    /// The text of every tmux paste buffer, named or not.
    pub fn buffers(&self) -> Vec<String> {
        self.server
            .ok(&["list-buffers", "-F", "#{buffer_name}"])
            .lines()
            .filter_map(|name| {
                let out = self.server.run(&["show-buffer", "-b", name]);
                out.status
                    .success()
                    .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
            })
            .collect()
    }

    /// Shell text that exports `TMUX` as tmux sets it in its panes (the script runs without
    /// it), for a script that wants to look like it runs inside tmux.
    pub fn export_tmux_var(&self) -> String {
        format!(
            "export TMUX=\"$(tmux -S '{}' display-message -p '#{{socket_path}},#{{pid}},0')\"",
            self.server.socket().display()
        )
    }

    /// Types `text` literally, then Enter.
    pub fn send_line(&self, text: &str) {
        self.server.ok(&["send-keys", "-t", "t", "-l", text]);
        self.server.ok(&["send-keys", "-t", "t", "Enter"]);
    }

    /// Waits until the screen contains `needle`; returns the screen.
    pub fn wait_for(&self, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "the terminal never showed {needle:?}; it shows:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Waits until the script has written `name` in [`Tty::dir`] (written whole: the
    /// script writes `name.tmp` and renames it, see [`Tty::record`]); returns its text.
    pub fn wait_file(&self, name: &str) -> String {
        let path = self.dir().join(name);
        let start = Instant::now();
        loop {
            if let Ok(text) = std::fs::read_to_string(&path) {
                return text;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "{} was never written; the terminal shows:\n{}",
                path.display(),
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Shell text that writes `$?` of the previous command to `name` in [`Tty::dir`],
    /// atomically (for [`Tty::wait_file`]).
    pub fn record(&self, name: &str) -> String {
        let path = self.dir().join(name);
        format!("echo $? > '{p}.tmp'; mv '{p}.tmp' '{p}'", p = path.display())
    }

    /// Waits for the exit code the script recorded under `name` with [`Tty::record`].
    pub fn wait_code(&self, name: &str) -> i32 {
        let text = self.wait_file(name);
        text.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name} holds {text:?}, not an exit code"))
    }
}
