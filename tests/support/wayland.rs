//! A private, headless Wayland compositor (sway on wlroots' headless backend, software
//! rendering), for the Wayland path of `rswitch copy`: sway speaks the wlr data-control
//! protocol that arboard uses to own and read the clipboard without a window.
//!
//! sway refuses to run as root, so under root (CI) it runs as `nobody` through `runuser`,
//! in a runtime directory of its own; the tests (root) can still connect to its socket.
//! `WAYLAND_DISPLAY` is the socket's absolute path, so no `XDG_RUNTIME_DIR` is needed.
//! Without sway installed a test skips loudly, unless `CI` is set: there it fails
//! (`tests/run.sh` installs sway). Drop stops the compositor.

use super::xvfb::testkit;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Sway {
    child: Child,
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Sway {
    /// Starts sway headless; `None` (after saying so on stderr) when sway is not
    /// installed and `CI` is not set.
    pub fn start() -> Option<Sway> {
        if !installed() {
            let msg = "sway is not installed: `bash tests/run.sh` installs it (package sway)";
            assert!(
                std::env::var_os("CI").is_none(),
                "{msg}; CI is set, so this fails"
            );
            let _ = writeln!(
                std::io::stderr(),
                "\n!!! SKIPPED: {msg}. The Wayland clipboard is NOT tested. !!!\n"
            );
            return None;
        }
        testkit();
        let dir = tempfile::Builder::new()
            .prefix("rswitch-wayland-")
            .tempdir()
            .expect("a runtime directory");
        let config = dir.path().join("config");
        std::fs::write(&config, "").expect("an empty sway config");
        let root = is_root();
        if root {
            let status = Command::new("chown")
                .args(["-R", "nobody"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(status.success(), "cannot hand the runtime directory to nobody");
        }
        let mut cmd = if root {
            let mut c = Command::new("runuser");
            c.args(["-u", "nobody", "--", "sway"]);
            c
        } else {
            Command::new("sway")
        };
        let child = cmd
            .arg("-c")
            .arg(&config)
            .env_clear()
            .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
            .env("HOME", dir.path())
            .env("XDG_RUNTIME_DIR", dir.path())
            .env("WLR_BACKENDS", "headless")
            .env("WLR_RENDERER", "pixman")
            .env("WLR_LIBINPUT_NO_DEVICES", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start sway");
        let mut sway = Sway {
            child,
            socket: PathBuf::new(),
            _dir: dir,
        };
        let start = Instant::now();
        loop {
            if let Some(socket) = find_socket(sway._dir.path()) {
                sway.socket = socket;
                // Ready once a client can use the data-control protocol: the clipboard
                // then reads as empty rather than unreachable.
                match sway.clipboard() {
                    Ok(_) => return Some(sway),
                    Err(e) if e.contains("not available") => return Some(sway),
                    Err(_) => {}
                }
            }
            if let Ok(Some(status)) = sway.child.try_wait() {
                panic!("sway exited before it served a socket: {status}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "sway served no socket within 20 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The `WAYLAND_DISPLAY` value of this compositor (an absolute socket path).
    pub fn display(&self) -> &str {
        self.socket.to_str().expect("a UTF-8 socket path")
    }

    /// What the clipboard holds, read by another Wayland client; `Err` with arboard's
    /// message when nothing (or no text) is there.
    pub fn clipboard(&self) -> Result<String, String> {
        let out = Command::new(testkit())
            .arg("clipboard-get")
            .env_clear()
            .env("WAYLAND_DISPLAY", self.display())
            .output()
            .expect("cannot run testkit clipboard-get");
        if out.status.success() {
            Ok(String::from_utf8(out.stdout).expect("the clipboard text is UTF-8"))
        } else {
            Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
        }
    }

    /// Stops the compositor (as when a Wayland session ends).
    pub fn kill(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        // runuser passes SIGTERM on to sway, which then removes its socket.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .stderr(Stdio::null())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sway {
    fn drop(&mut self) {
        self.kill();
    }
}

fn find_socket(dir: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::FileTypeExt;
    std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
        let name = e.file_name();
        let name = name.to_str()?;
        let is_socket = e.file_type().is_ok_and(|t| t.is_socket());
        (name.starts_with("wayland-") && !name.ends_with(".lock") && is_socket).then(|| e.path())
    })
}

fn installed() -> bool {
    Command::new("sway")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}
