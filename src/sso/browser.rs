//! Opening the verification URL in a browser, only where one can show up, by the rule
//! `rswitch console` follows too ([`crate::platform::browser`]: never over SSH; `$BROWSER`
//! when set, even without a display; else the desktop's opener), and never waiting for
//! it: the opener runs detached, its output discarded.

use crate::env::Env;
use crate::platform::{self, Browser, Headless};
use std::process::{Command, Stdio};

/// Why no browser was opened, or that one was asked to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Opened {
    /// The program that was started.
    Started(String),
    /// Not attempted, and why.
    Skipped(&'static str),
    /// The program could not be started.
    Failed(String),
}

/// The program that would open a URL here, or why there is none.
pub(crate) fn opener(env: &Env) -> Result<String, &'static str> {
    match platform::browser(env) {
        Browser::Program(program) => Ok(program),
        Browser::Headless(Headless::Remote) => Err("remote session (SSH)"),
        Browser::Headless(Headless::NoDisplay) => Err("no display"),
    }
}

/// Starts the opener on `url` without waiting for it.
pub(crate) fn open(env: &Env, url: &str) -> Opened {
    let program = match opener(env) {
        Ok(p) => p,
        Err(why) => return Opened::Skipped(why),
    };
    let mut command = Command::new(&program);
    command
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in env.vars() {
        command.env(k, v);
    }
    platform::detach(&mut command);
    match command.spawn() {
        Ok(mut child) => {
            // Reaped in the background: the login never waits for the browser.
            std::thread::spawn(move || child.wait());
            Opened::Started(program)
        }
        Err(e) => Opened::Failed(format!("{program}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().map(|(k, v)| (*k, *v)), None)
    }

    #[test]
    fn only_a_local_display_gets_a_browser() {
        assert_eq!(
            opener(&env(&[("DISPLAY", ":0"), ("SSH_CONNECTION", "1 2 3 4")])),
            Err("remote session (SSH)")
        );
        assert_eq!(
            opener(&env(&[("BROWSER", "firefox"), ("SSH_TTY", "/dev/pts/1")])),
            Err("remote session (SSH)")
        );
        assert_eq!(opener(&env(&[("BROWSER", "firefox")])), Ok("firefox".into()));
        if cfg!(all(unix, not(target_os = "macos"))) {
            assert_eq!(opener(&env(&[])), Err("no display"));
            assert_eq!(
                opener(&env(&[("WAYLAND_DISPLAY", "wayland-0")])),
                Ok("xdg-open".into())
            );
        }
    }
}
