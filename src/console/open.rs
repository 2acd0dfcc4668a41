//! Where a sign-in URL can go, and opening it in the browser without exposing it. Whether
//! one can be opened, and with which program (`$BROWSER`, else the system's opener), is
//! [`crate::platform::browser`]'s rule, the same as `rswitch login`'s.
//!
//! A browser opener (`xdg-open`, `open`) takes the URL on its command line, which every
//! local user can read in `/proc/PID/cmdline` while it runs (and the browser's own command
//! line may repeat it). So the URL is not passed: it goes into an HTML file (mode 0600, in
//! a fresh 0700 directory) that forwards the browser to it, and the opener gets that
//! file's `file://` path. The opener runs detached (own process group, no terminal) and
//! is never waited for; rswitch waits only until the browser has read the file (its
//! access time changes), at most [`READ_WAIT`] (and [`AFTER_OPENER`] once the opener has
//! exited), then deletes it. Limits: on a file system mounted `noatime` the wait lasts
//! until those bounds; a browser slower than that to start finds the file gone (then use
//! `--print` or `--copy`); the browser keeps the URL in its history like any page.

use crate::creds::Secret;
use crate::env::Env;
use crate::platform::{self, Browser};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long rswitch waits for the browser to read the forwarding page.
pub(crate) const READ_WAIT: Duration = Duration::from_secs(10);
/// How long it still waits once the opener has exited successfully.
pub(crate) const AFTER_OPENER: Duration = Duration::from_secs(3);

/// Why no browser can be opened here, if so ([`crate::platform::browser`] decides).
pub(crate) fn headless(env: &Env) -> Option<&'static str> {
    match platform::browser(env) {
        Browser::Headless(why) => Some(why.reason()),
        Browser::Program(_) => None,
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum OpenError {
    #[error("cannot open a browser here ({0}): use --print or --copy")]
    Headless(&'static str),
    #[error("cannot write the page that forwards the browser: {0}")]
    Page(std::io::Error),
    #[error("cannot start {program}: {error}")]
    Spawn { program: String, error: std::io::Error },
    #[error("{program} failed ({status}); use --print or --copy")]
    Failed { program: String, status: String },
}

/// Opens `url` in the system browser (see the module documentation for how).
pub(crate) fn open_url(url: &Secret, env: &Env) -> Result<(), OpenError> {
    let program = match platform::browser(env) {
        Browser::Program(program) => program,
        Browser::Headless(why) => return Err(OpenError::Headless(why.reason())),
    };
    let dir = platform::private_temp_dir("rswitch-console-").map_err(OpenError::Page)?;
    let page = dir.path().join("signin.html");
    write_page(&page, url).map_err(OpenError::Page)?;
    let created = std::fs::metadata(&page).map_err(OpenError::Page)?;
    let mut opener = Command::new(&program);
    opener
        .arg(format!("file://{}", page.display()))
        .env_clear()
        .envs(env.vars())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    platform::detach(&mut opener);
    let mut child = opener.spawn().map_err(|error| OpenError::Spawn {
        program: program.clone(),
        error,
    })?;
    let mut deadline = Instant::now() + READ_WAIT;
    let mut exit = None;
    while Instant::now() < deadline {
        if was_read(&page, &created) {
            break;
        }
        if exit.is_none() {
            exit = child.try_wait().ok().flatten();
            match exit {
                Some(status) if !status.success() => {
                    return Err(OpenError::Failed {
                        program: program.to_string(),
                        status: status.to_string(),
                    });
                }
                // The opener handed the page over: the browser reads it soon, or the file
                // system does not record reads (`noatime`).
                Some(_) => deadline = deadline.min(Instant::now() + AFTER_OPENER),
                None => {}
            }
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    if exit.is_none() {
        // Reap the opener whenever it ends, without waiting for it here.
        std::thread::spawn(move || child.wait());
    }
    drop(dir);
    Ok(())
}

fn was_read(page: &Path, created: &std::fs::Metadata) -> bool {
    std::fs::metadata(page)
        .map(|m| m.accessed().ok() != created.accessed().ok())
        .unwrap_or(true)
}

/// The forwarding page: a meta refresh (and a script, for browsers that ignore it on
/// `file://`), with no referrer sent to the sign-in endpoint.
fn write_page(path: &PathBuf, url: &Secret) -> std::io::Result<()> {
    let attr = html_attr(url.expose());
    let js = serde_json::to_string(url.expose())
        .unwrap_or_default()
        .replace('<', "\\u003c");
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">\
         <meta http-equiv=\"refresh\" content=\"0;url={attr}\"><title>AWS console sign-in</title></head>\
         <body><script>location.replace({js});</script><a href=\"{attr}\">Sign in to the AWS console</a></body></html>\n"
    );
    let mut file = platform::private_new_file().open(path)?;
    file.write_all(body.as_bytes())?;
    file.sync_all()
}

fn html_attr(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headless_when_remote_or_without_display() {
        let env = |vars: &[(&str, &str)]| Env::from_vars(vars.iter().copied(), None);
        assert_eq!(headless(&env(&[])), Some("no DISPLAY or WAYLAND_DISPLAY"));
        assert_eq!(headless(&env(&[("DISPLAY", ":0")])), None);
        assert_eq!(headless(&env(&[("WAYLAND_DISPLAY", "wayland-1")])), None);
        assert_eq!(
            headless(&env(&[
                ("DISPLAY", "localhost:10.0"),
                ("SSH_CONNECTION", "1 2 3 4")
            ])),
            Some("an SSH session")
        );
    }

    #[test]
    fn page_is_private_and_escapes_the_url() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("p.html");
        write_page(&path, &Secret::new("https://x/?a=1&b=\"2\"</script>")).expect("write");
        let meta = std::fs::metadata(&path).expect("meta");
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.contains("url=https://x/?a=1&amp;b=&quot;2&quot;&lt;/script&gt;"),
            "{text}"
        );
        assert_eq!(text.matches("</script>").count(), 1, "{text}");
    }
}
