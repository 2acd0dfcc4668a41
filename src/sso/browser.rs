//! Opening the verification URL in a browser, only where one can show up: a local
//! desktop session (macOS, Windows, or `DISPLAY` / `WAYLAND_DISPLAY`), not over SSH or
//! SSM (`SSH_CONNECTION`, `SSH_TTY`, `AWS_SSM_SESSION`-style shells have no display), and
//! never waiting for it: the opener runs detached, its output discarded. `$BROWSER`
//! (the convention Python's `webbrowser` and `xdg-open` follow) names the program when set.

use crate::env::Env;
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
    if env.get("SSH_CONNECTION").is_some() || env.get("SSH_TTY").is_some() {
        return Err("remote session (SSH)");
    }
    if let Some(browser) = env.get("BROWSER") {
        return Ok(browser.to_string());
    }
    if cfg!(target_os = "macos") {
        Ok("open".into())
    } else if cfg!(windows) {
        Ok("explorer".into())
    } else if env.get("DISPLAY").is_some() || env.get("WAYLAND_DISPLAY").is_some() {
        Ok("xdg-open".into())
    } else {
        Err("no display")
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
