//! A private, headless Wayland compositor (sway on wlroots' headless backend, software
//! rendering), for the Wayland path of `rswitch copy`: sway speaks the wlr data-control
//! protocol that arboard uses to own and read the clipboard without a window.
//!
//! sway refuses to run as root, so under root (CI) it runs as `nobody` through `runuser`,
//! in a runtime directory of its own; the tests (root) can still connect to its socket.
//! `WAYLAND_DISPLAY` is the socket's absolute path, so no `XDG_RUNTIME_DIR` is needed.
//! Without sway installed a test skips loudly, unless `CI` is set: there it fails
//! (`tests/run.sh` installs sway). Drop stops the compositor.

use super::xvfb::{clipboard_on, skip_unless_ci, stop, testkit};
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
            skip_unless_ci("sway", "sway", "Wayland");
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

    /// What the clipboard holds, read by another Wayland client.
    pub fn clipboard(&self) -> Result<String, String> {
        clipboard_on("WAYLAND_DISPLAY", self.display())
    }

    /// Stops the compositor (as when a Wayland session ends); runuser passes SIGTERM on.
    pub fn kill(&mut self) {
        stop(&mut self.child);
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
