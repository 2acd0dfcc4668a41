//! A detached tmux server of its own ([`TmuxServer`]: private socket, no user config)
//! holding one pane of fixed size, for driving the real TUI as a user would: keys in,
//! screen text out.
//!
//! The pane runs a shell script through `env -i`, so nothing of the caller's environment
//! (AWS variables above all) reaches rswitch; the script sets exactly what it needs. Waits
//! poll the screen against a generous deadline and show the last screen when they fail.

use crate::support::TmuxServer;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long any wait may take before the test fails (moto under a loaded machine is slow).
pub const DEADLINE: Duration = Duration::from_secs(90);
const POLL: Duration = Duration::from_millis(100);

pub struct Tmux {
    server: TmuxServer,
}

impl Tmux {
    /// Starts a server with one `width`x`height` session running `/bin/sh script` with
    /// only the variables in `env`.
    pub fn start(width: u16, height: u16, env: &[(String, String)], script: &Path) -> Tmux {
        let tmux = Tmux {
            server: TmuxServer::new("rswitch-tmux-"),
        };
        let mut argv: Vec<String> = vec!["env".into(), "-i".into()];
        argv.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
        argv.extend(["/bin/sh".into(), script.display().to_string()]);
        let (w, h) = (width.to_string(), height.to_string());
        let mut args = vec![
            "-f",
            "/dev/null",
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &w,
            "-y",
            &h,
            "--",
        ];
        args.extend(argv.iter().map(String::as_str));
        tmux.ok(&args);
        tmux
    }

    fn ok(&self, args: &[&str]) -> String {
        self.server.ok(args)
    }

    /// The visible screen as text (no escapes), one line per row.
    pub fn screen(&self) -> String {
        self.ok(&["capture-pane", "-p", "-t", "t"])
    }

    /// A pane variable such as `alternate_on` or `pane_tty`.
    pub fn var(&self, name: &str) -> String {
        self.ok(&["display-message", "-p", "-t", "t", &format!("#{{{name}}}")])
            .trim()
            .to_string()
    }

    /// Sends keys by tmux name (`Enter`, `Escape`, `j`, `/`).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.ok(&args);
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        self.ok(&["send-keys", "-t", "t", "-l", text]);
    }

    /// Sets a server option (`set-option -s`, e.g. `set-clipboard on`).
    pub fn set_server_option(&self, name: &str, value: &str) {
        self.ok(&["set-option", "-s", name, value]);
    }

    /// The newest paste buffer (what an OSC 52 sequence leaves under `set-clipboard on`);
    /// `None` when there is none.
    pub fn buffer(&self) -> Option<String> {
        self.server.buffer()
    }

    /// Polls the screen until `done` holds; returns that screen.
    pub fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if done(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "waited {DEADLINE:?} for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(POLL);
        }
    }
}

/// Polls until `path` exists and is not empty; returns its text.
pub fn wait_for_file(path: &Path, tmux: &Tmux) -> String {
    let start = Instant::now();
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && !text.is_empty()
        {
            return text;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "waited {DEADLINE:?} for {}; the screen:\n{}",
            path.display(),
            tmux.screen()
        );
        std::thread::sleep(POLL);
    }
}
