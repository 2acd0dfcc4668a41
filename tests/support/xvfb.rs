//! A private X server (Xvfb) on a free display number, for the system-clipboard path of
//! `rswitch copy`, and the means to look at that clipboard from outside rswitch: the
//! `clipboard-get` command of `examples/testkit.rs` (arboard, run with `DISPLAY` in its own
//! environment) and the clipboard keepers that rswitch left running ([`keepers`]).
//!
//! Without Xvfb installed a test skips loudly, unless `CI` is set: there a missing Xvfb is
//! a failure (`tests/run.sh` installs it). Drop kills the server, and with it every X
//! client still connected (keepers included).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Xvfb {
    child: Child,
    display: String,
    // Xvfb wrote its display number here (`-displayfd 1`); kept open so that it never
    // meets a closed stdout.
    _stdout: BufReader<ChildStdout>,
}

impl Xvfb {
    /// Starts Xvfb on the first free display; `None` (after saying so on stderr) when
    /// Xvfb is not installed and `CI` is not set.
    pub fn start() -> Option<Xvfb> {
        if !installed() {
            skip_unless_ci("Xvfb", "xvfb", "X11");
            return None;
        }
        // Built now, not at the first read: a read must follow a copy closely (`--clear-after`).
        testkit();
        let mut child = Command::new("Xvfb")
            .args([
                "-displayfd",
                "1",
                "-nolisten",
                "tcp",
                "-screen",
                "0",
                "640x480x24",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start Xvfb");
        let mut stdout = BufReader::new(child.stdout.take().expect("Xvfb's stdout"));
        let mut line = String::new();
        let read = stdout.read_line(&mut line);
        let number = line.trim();
        if read.is_err() || number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
            let _ = child.kill();
            let status = child.wait();
            panic!("Xvfb did not report a display number ({read:?}, {line:?}, {status:?})");
        }
        Some(Xvfb {
            display: format!(":{number}"),
            child,
            _stdout: stdout,
        })
    }

    /// The `DISPLAY` value of this server.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// What the CLIPBOARD selection of this display holds, read by another X client;
    /// `Err` with arboard's message when nothing (or no text) is there.
    pub fn clipboard(&self) -> Result<String, String> {
        clipboard_on("DISPLAY", &self.display)
    }

    /// Polls [`Xvfb::clipboard`] until `done` holds or `within` passes; returns the last read.
    pub fn wait_clipboard(
        &self,
        within: Duration,
        done: impl Fn(&Result<String, String>) -> bool,
    ) -> Result<String, String> {
        let start = Instant::now();
        loop {
            let now = self.clipboard();
            if done(&now) || start.elapsed() > within {
                return now;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Stops the server (as when an X session ends); the display name stays known.
    pub fn kill(&mut self) {
        stop(&mut self.child);
    }
}

/// Says on stderr that the `what` clipboard is not tested because `program` is missing,
/// or fails the test when `CI` is set (there `tests/run.sh` installs `package`).
pub fn skip_unless_ci(program: &str, package: &str, what: &str) {
    let msg = format!("{program} is not installed: `bash tests/run.sh` installs it (package {package})");
    assert!(
        std::env::var_os("CI").is_none(),
        "{msg}; CI is set, so this fails"
    );
    // Straight to the stderr handle: the test harness captures `eprintln!`.
    let _ = writeln!(
        std::io::stderr(),
        "\n!!! SKIPPED: {msg}. The {what} clipboard is NOT tested. !!!\n"
    );
}

/// What the clipboard of the display server that `var=value` names holds, read by another
/// client (`testkit clipboard-get`, with only that variable set); `Err` with arboard's
/// message when nothing (or no text) is there.
pub fn clipboard_on(var: &str, value: &str) -> Result<String, String> {
    let out = Command::new(testkit())
        .arg("clipboard-get")
        .env_clear()
        .env(var, value)
        .output()
        .expect("cannot run testkit clipboard-get");
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).expect("the clipboard text is UTF-8"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// Stops a display server: SIGTERM first, so that it removes its socket; SIGKILL only if
/// it is still there after 5 s.
pub fn stop(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    let _ = Command::new("kill")
        .arg(child.id().to_string())
        .stderr(Stdio::null())
        .status();
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(5) {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The pids of live `__clipboard-keeper` processes of the binary `exe` started with
/// `HOME=home` (each test has a HOME of its own; display numbers are reused), from /proc.
pub fn keepers(exe: &Path, home: &Path) -> Vec<u32> {
    let marker = format!("HOME={}", home.display());
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse::<u32>().ok()) else {
            continue;
        };
        let read = |name: &str| std::fs::read(entry.path().join(name)).unwrap_or_default();
        let cmdline = read("cmdline");
        let mut argv = cmdline.split(|b| *b == 0);
        let program = argv.next().unwrap_or_default();
        if program != exe.as_os_str().as_encoded_bytes() || !argv.any(|a| a == b"__clipboard-keeper") {
            continue;
        }
        // A zombie has neither argv nor environment: only live keepers count.
        if read("environ").split(|b| *b == 0).any(|v| v == marker.as_bytes()) {
            pids.push(pid);
        }
    }
    pids
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A `DISPLAY` value no X server serves (no socket, no lock file), for the fallback.
pub fn unused_display() -> String {
    (150..1000)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .map(|n| format!(":{n}"))
        .expect("a free display number")
}

fn installed() -> bool {
    Command::new("Xvfb")
        .arg("-help")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// `examples/testkit` built from the current sources (once per test binary), next to the
/// test binary's own target directory.
pub fn testkit() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "--example",
                "testkit",
                "--manifest-path",
                manifest,
            ])
            .status()
            .expect("cannot run cargo to build examples/testkit");
        assert!(status.success(), "cargo build --example testkit failed");
        // The test binary lives in <target>/<profile>/deps/.
        let exe = std::env::current_exe().expect("the test binary's path");
        let profile = exe.parent().and_then(Path::parent).expect("<target>/<profile>");
        let testkit = profile.join("examples/testkit");
        assert!(testkit.exists(), "no {}", testkit.display());
        testkit
    })
}
