//! Copies text to the system clipboard (arboard), or through the terminal with OSC 52
//! when no display server is reachable (SSH, SSM, a bare console).
//!
//! Decisions:
//! - The system clipboard is tried only when it can exist: always on macOS and Windows,
//!   on other Unixes only with `DISPLAY` or `WAYLAND_DISPLAY`. If arboard fails at once,
//!   OSC 52 is used instead.
//! - X11 and Wayland drop a selection when its owner exits. With [`CopyOptions::keeper`]
//!   set, ownership is handed to a detached child (the same binary, run with a hidden
//!   argument chosen by the CLI, which calls [`run_keeper`]); the text travels on its stdin,
//!   never on argv. The child serves the clipboard until something else is copied (or
//!   `clear_after` elapses, then clears it, or the display server goes away) and asks
//!   clipboard managers not to keep it in their history. It says `ready` on its stdout
//!   once the selection is its own: only then is the copy reported as done.
//! - OSC 52 goes to the terminal (`/dev/tty`), never stdout, as crossterm's
//!   `CopyToClipboard` writes it: `ESC ] 52 ; c ; <base64> ESC \`.
//! - Inside tmux (`$TMUX`), `tmux load-buffer -w -` is used: it fills a tmux buffer and
//!   sends OSC 52 to the outer terminal under tmux's default `set-clipboard external` as well
//!   as `on` (tmux ≥ 3.2), and needs no `allow-passthrough`. If that command fails, the
//!   plain sequence is written to the pane, which tmux accepts with `set-clipboard on`.
//!   DCS passthrough wrapping is not used: tmux ≥ 3.3 drops it unless `allow-passthrough`.
//! - `clear_after` with OSC 52 is best effort: the keeper later sends an empty OSC 52
//!   (most terminals then clear or empty their clipboard).

use crate::env::Env;
use crossterm::Command as _;
use crossterm::clipboard::CopyToClipboard;
use std::ffi::OsString;
use std::io::{self, BufRead, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where the text went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CopyPath {
    /// The system clipboard (X11, Wayland, macOS, Windows).
    System,
    /// An OSC 52 sequence written to the terminal.
    Osc52,
    /// A tmux buffer, forwarded by tmux to the outer terminal.
    Osc52ViaTmux,
}

/// How to start the process that keeps X11/Wayland ownership: `program args…`, which
/// must call [`run_keeper`] with its stdin (e.g. `rswitch __clipboard-keeper`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keeper {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

impl Keeper {
    /// The running binary with `args` (the hidden subcommand).
    pub fn current_exe(args: &[&str]) -> io::Result<Keeper> {
        Ok(Keeper {
            program: std::env::current_exe()?,
            args: args.iter().map(OsString::from).collect(),
        })
    }
}

#[derive(Clone, Debug, Default)]
pub struct CopyOptions {
    /// Clear the clipboard after this long (if it still holds the text).
    pub clear_after: Option<Duration>,
    /// Skip the system clipboard and use the terminal.
    pub force_osc52: bool,
    /// Without a keeper on X11/Wayland the text stays only while a clipboard manager
    /// holds it (or until this process exits).
    pub keeper: Option<Keeper>,
}

#[derive(Debug, thiserror::Error)]
pub enum ClipboardError {
    #[error(
        "no clipboard reachable: the system clipboard failed ({system}) and the terminal could not be written: {tty}"
    )]
    Unreachable { system: String, tty: io::Error },
    #[error("cannot write to the terminal for OSC 52: {0}")]
    Terminal(io::Error),
    #[error("system clipboard: {0}")]
    System(String),
    #[error("clipboard keeper: {0}")]
    Keeper(String),
}

/// Copies `text`, opening `/dev/tty` only if the terminal is needed.
pub fn copy(text: &str, opts: &CopyOptions, env: &Env) -> Result<CopyPath, ClipboardError> {
    copy_with(text, opts, env, || {
        std::fs::OpenOptions::new().write(true).open("/dev/tty")
    })
}

/// [`copy`] with the terminal supplied by the caller (tests capture the bytes).
pub fn copy_with<W: Write>(
    text: &str,
    opts: &CopyOptions,
    env: &Env,
    open_terminal: impl FnOnce() -> io::Result<W>,
) -> Result<CopyPath, ClipboardError> {
    let mut system_error = "not tried".to_string();
    if !opts.force_osc52 && display_reachable(env) {
        match copy_system(text, opts) {
            Ok(()) => return Ok(CopyPath::System),
            Err(e) => system_error = e.to_string(),
        }
    }
    let path = if let Some(tmux) = env.get("TMUX") {
        if tmux_load_buffer(tmux, text).is_ok() {
            CopyPath::Osc52ViaTmux
        } else {
            write_osc52(open_terminal, text, &system_error)?;
            CopyPath::Osc52ViaTmux
        }
    } else {
        write_osc52(open_terminal, text, &system_error)?;
        CopyPath::Osc52
    };
    if let (Some(after), Some(keeper)) = (opts.clear_after, &opts.keeper) {
        // Best effort: the copy itself succeeded.
        let _ = spawn_keeper(keeper, Mode::TerminalClear, Some(after), "");
    }
    Ok(path)
}

/// The exact bytes sent to the terminal for `text`.
pub fn osc52_sequence(text: &str) -> String {
    let mut s = String::new();
    // Writing into a String cannot fail.
    let _ = CopyToClipboard::to_clipboard_from(text.as_bytes()).write_ansi(&mut s);
    s
}

fn write_osc52<W: Write>(
    open_terminal: impl FnOnce() -> io::Result<W>,
    text: &str,
    system_error: &str,
) -> Result<(), ClipboardError> {
    let mut tty = open_terminal().map_err(|tty| ClipboardError::Unreachable {
        system: system_error.to_string(),
        tty,
    })?;
    tty.write_all(osc52_sequence(text).as_bytes())
        .and_then(|()| tty.flush())
        .map_err(ClipboardError::Terminal)
}

/// Whether a system clipboard can exist here.
pub fn display_reachable(env: &Env) -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        return true;
    }
    env.get("DISPLAY").is_some() || env.get("WAYLAND_DISPLAY").is_some()
}

fn tmux_load_buffer(tmux_env: &str, text: &str) -> io::Result<()> {
    let mut child = Command::new("tmux")
        .args(["load-buffer", "-w", "-"])
        .env("TMUX", tmux_env)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(text.as_bytes())?;
    }
    let status = child.wait()?;
    if status.success() {
        Ok(())
    } else {
        Err(io::Error::other(format!("tmux load-buffer exited with {status}")))
    }
}

#[cfg_attr(any(target_os = "macos", not(unix)), allow(unused_variables))]
fn copy_system(text: &str, opts: &CopyOptions) -> Result<(), ClipboardError> {
    #[cfg(all(unix, not(target_os = "macos")))]
    if let Some(keeper) = &opts.keeper {
        return spawn_keeper(keeper, Mode::System, opts.clear_after, text);
    }
    let mut cb = arboard::Clipboard::new().map_err(|e| ClipboardError::System(e.to_string()))?;
    cb.set_text(text)
        .map_err(|e| ClipboardError::System(e.to_string()))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    System,
    TerminalClear,
}

const KEEPER_MAGIC: &str = "rswitch-clipboard-keeper-v2";
/// The keeper's line on stdout once it owns the clipboard.
const KEEPER_READY: &str = "ready";
/// How long a keeper may take to own the clipboard before the terminal is used instead.
const KEEPER_START: Duration = Duration::from_secs(5);
/// How often a keeper checks that it still serves the clipboard.
const KEEPER_CHECK: Duration = Duration::from_secs(1);

/// Starts the keeper with `text` on its stdin. For [`Mode::System`], waits until the
/// keeper owns the clipboard; one that exits first (no display) or takes longer than
/// [`KEEPER_START`] is an error, so the caller can fall back.
fn spawn_keeper(
    keeper: &Keeper,
    mode: Mode,
    clear_after: Option<Duration>,
    text: &str,
) -> Result<(), ClipboardError> {
    let err = |e: io::Error| ClipboardError::Keeper(e.to_string());
    let mut cmd = Command::new(&keeper.program);
    cmd.args(&keeper.args)
        .stdin(Stdio::piped())
        .stdout(match mode {
            Mode::System => Stdio::piped(),
            Mode::TerminalClear => Stdio::null(),
        })
        .stderr(Stdio::piped());
    #[cfg(unix)]
    {
        // Its own process group: Ctrl-C in the shell must not take the clipboard away.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().map_err(err)?;
    let header = format!(
        "{KEEPER_MAGIC} {} {}\n",
        match mode {
            Mode::System => "system",
            Mode::TerminalClear => "terminal-clear",
        },
        clear_after.map_or(0, |d| d.as_millis())
    );
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(header.as_bytes()).map_err(err)?;
        stdin.write_all(text.as_bytes()).map_err(err)?;
    }
    if mode == Mode::TerminalClear {
        return Ok(());
    }
    // Its first line, or EOF when it exits without the clipboard; read on a thread so
    // that a keeper stuck on an unresponsive display cannot hold the copy up.
    let stdout = child.stdout.take();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        if let Some(out) = stdout {
            let _ = io::BufReader::new(out).read_line(&mut line);
        }
        let _ = tx.send(line);
    });
    match rx.recv_timeout(KEEPER_START) {
        Ok(line) if line.trim_end() == KEEPER_READY => Ok(()),
        Ok(_) => {
            let status = child.wait().map_err(err)?;
            let mut msg = String::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_string(&mut msg);
            }
            Err(ClipboardError::Keeper(format!("{status}: {}", msg.trim())))
        }
        Err(_) => {
            let _ = child.kill();
            let _ = child.wait();
            Err(ClipboardError::Keeper(format!(
                "it did not own the clipboard within {} s",
                KEEPER_START.as_secs()
            )))
        }
    }
}

/// The keeper's side: reads what [`copy`] sent on `input` and serves it, saying `ready` on
/// `ready` once the clipboard is its own. Call this from the hidden subcommand with stdin
/// and stdout; exit 0 on `Ok`, non-zero (message on stderr) on `Err`.
pub fn run_keeper(mut input: impl Read, ready: &mut dyn Write) -> Result<(), ClipboardError> {
    let mut buf = Vec::new();
    input
        .read_to_end(&mut buf)
        .map_err(|e| ClipboardError::Keeper(e.to_string()))?;
    let bad = || ClipboardError::Keeper("unexpected input".to_string());
    let nl = buf.iter().position(|b| *b == b'\n').ok_or_else(bad)?;
    let header = std::str::from_utf8(&buf[..nl]).map_err(|_| bad())?;
    let text = String::from_utf8(buf[nl + 1..].to_vec()).map_err(|_| bad())?;
    let mut parts = header.split(' ');
    if parts.next() != Some(KEEPER_MAGIC) {
        return Err(bad());
    }
    let mode = parts.next().ok_or_else(bad)?;
    let clear_ms: u64 = parts.next().and_then(|s| s.parse().ok()).ok_or_else(bad)?;
    let clear_after = (clear_ms > 0).then(|| Duration::from_millis(clear_ms));
    match mode {
        "system" => keep_system(&text, clear_after, ready),
        "terminal-clear" => {
            std::thread::sleep(clear_after.unwrap_or_default());
            let mut tty = std::fs::OpenOptions::new()
                .write(true)
                .open("/dev/tty")
                .map_err(ClipboardError::Terminal)?;
            tty.write_all(osc52_sequence("").as_bytes())
                .map_err(ClipboardError::Terminal)
        }
        _ => Err(bad()),
    }
}

fn announce(ready: &mut dyn Write) -> Result<(), ClipboardError> {
    writeln!(ready, "{KEEPER_READY}")
        .and_then(|()| ready.flush())
        .map_err(|e| ClipboardError::Keeper(e.to_string()))
}

/// What the thread owning the selection reports.
#[cfg(all(unix, not(target_os = "macos")))]
enum Owner {
    /// The selection is ours (asserted, not yet confirmed).
    Set,
    /// It is not any more (another client copied, or `clear_after` passed), or it failed.
    Done(Result<(), arboard::Error>),
}

#[cfg(all(unix, not(target_os = "macos")))]
fn keep_system(
    text: &str,
    clear_after: Option<Duration>,
    ready: &mut dyn Write,
) -> Result<(), ClipboardError> {
    use arboard::SetExtLinux;
    use std::sync::mpsc::RecvTimeoutError;
    let sys = |e: arboard::Error| ClipboardError::System(e.to_string());
    // Fails at once without a display server: `copy` then uses the terminal.
    let mut cb = arboard::Clipboard::new().map_err(sys)?;
    let deadline = clear_after.map(|after| Instant::now() + after);
    // arboard's waiting `set` returns when another client takes the selection, but is
    // never woken when the display server goes away: it runs on a thread of its own,
    // and this one checks now and then that the selection is still ours.
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = text.to_string();
    std::thread::spawn(move || {
        let serve = || -> Result<(), arboard::Error> {
            let mut cb = arboard::Clipboard::new()?;
            cb.set().exclude_from_history().text(owned.clone())?;
            let _ = tx.send(Owner::Set);
            let set = cb.set().exclude_from_history();
            match deadline {
                Some(deadline) => set.wait_until(deadline),
                None => set.wait(),
            }
            .text(owned)
        };
        let result = serve();
        let _ = tx.send(Owner::Done(result));
    });
    let lost = || ClipboardError::Keeper("the clipboard was not taken".to_string());
    match rx.recv_timeout(KEEPER_START) {
        Ok(Owner::Set) if cb.get_text().is_ok_and(|t| t == text) => announce(ready)?,
        Ok(Owner::Done(Err(e))) => return Err(sys(e)),
        _ => return Err(lost()),
    }
    loop {
        match rx.recv_timeout(KEEPER_CHECK) {
            Ok(Owner::Done(result)) => break result.map_err(sys)?,
            Ok(Owner::Set) => {}
            Err(RecvTimeoutError::Disconnected) => return Err(lost()),
            // Gone without the owner being told: the display server went away.
            Err(RecvTimeoutError::Timeout) if !cb.get_text().is_ok_and(|t| t == text) => {
                return Ok(());
            }
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
    // Clear only what is still ours: the user may have copied something else.
    if deadline.is_some() && cb.get_text().is_ok_and(|t| t == text) {
        cb.clear().map_err(sys)?;
    }
    Ok(())
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn keep_system(
    text: &str,
    clear_after: Option<Duration>,
    ready: &mut dyn Write,
) -> Result<(), ClipboardError> {
    let sys = |e: arboard::Error| ClipboardError::System(e.to_string());
    let mut cb = arboard::Clipboard::new().map_err(sys)?;
    cb.set_text(text).map_err(sys)?;
    announce(ready)?;
    if let Some(after) = clear_after {
        std::thread::sleep(after);
        if cb.get_text().is_ok_and(|t| t == text) {
            cb.clear().map_err(sys)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_display() -> Env {
        Env::from_vars([("TERM", "xterm")], None)
    }

    #[test]
    fn osc52_bytes_go_to_the_terminal() {
        let mut tty = Vec::new();
        let path = copy_with("é😀\n$(x)", &CopyOptions::default(), &no_display(), || {
            Ok(&mut tty)
        })
        .unwrap();
        assert_eq!(path, CopyPath::Osc52);
        assert_eq!(tty, b"\x1b]52;c;w6nwn5iACiQoeCk=\x1b\\");
        let mut tty = Vec::new();
        let forced = CopyOptions {
            force_osc52: true,
            ..CopyOptions::default()
        };
        let env = Env::from_vars([("DISPLAY", ":0")], None);
        assert_eq!(
            copy_with("hello", &forced, &env, || Ok(&mut tty)).unwrap(),
            CopyPath::Osc52
        );
        assert_eq!(tty, b"\x1b]52;c;aGVsbG8=\x1b\\");
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn an_unreachable_display_falls_back_to_osc52() {
        let env = Env::from_vars([("DISPLAY", ":97"), ("XAUTHORITY", "/nonexistent")], None);
        let mut tty = Vec::new();
        let path = copy_with("x", &CopyOptions::default(), &env, || Ok(&mut tty)).unwrap();
        assert_eq!(path, CopyPath::Osc52);
        assert_eq!(tty, osc52_sequence("x").as_bytes());
        let err = copy_with("x", &CopyOptions::default(), &env, || -> io::Result<Vec<u8>> {
            Err(io::Error::other("no tty"))
        })
        .unwrap_err();
        assert!(
            err.to_string().contains("system clipboard failed") && err.to_string().contains("no tty"),
            "{err}"
        );
    }

    #[test]
    fn keeper_rejects_foreign_input() {
        let mut out = Vec::new();
        assert!(run_keeper(&b"hello"[..], &mut out).is_err());
        assert!(run_keeper(&b"other-magic system 0\nx"[..], &mut out).is_err());
        assert!(run_keeper(&b"rswitch-clipboard-keeper-v1 system 0\nx"[..], &mut out).is_err());
        assert!(run_keeper(&b"rswitch-clipboard-keeper-v2 bogus 0\nx"[..], &mut out).is_err());
        assert!(out.is_empty());
    }

    /// A private tmux server with `set-clipboard on`, killed on drop.
    struct Tmux(String, tempfile::TempDir);

    impl Tmux {
        fn start() -> Tmux {
            let dir = tempfile::tempdir().unwrap();
            let socket = dir.path().join("sock").to_string_lossy().into_owned();
            let t = Tmux(socket, dir);
            t.run(&["-f", "/dev/null", "new-session", "-d", "-x", "80", "-y", "24"]);
            t.run(&["set-option", "-g", "set-clipboard", "on"]);
            t
        }
        fn run(&self, args: &[&str]) -> String {
            let out = Command::new("tmux")
                .arg("-S")
                .arg(&self.0)
                .args(args)
                .output()
                .expect("tmux");
            assert!(
                out.status.success(),
                "tmux {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).unwrap()
        }
        /// `$TMUX` as tmux sets it inside a pane.
        fn env_value(&self) -> String {
            let pid = self.run(&["display-message", "-p", "#{pid}"]);
            format!("{},{},0", self.0, pid.trim())
        }
    }

    impl Drop for Tmux {
        fn drop(&mut self) {
            let _ = Command::new("tmux")
                .arg("-S")
                .arg(&self.0)
                .arg("kill-server")
                .output();
        }
    }

    #[test]
    fn inside_tmux_the_text_lands_in_a_tmux_buffer() {
        let tmux = Tmux::start();
        let env = Env::from_vars([("TMUX", tmux.env_value())], None);
        let text = "AKIA…\nsecret'$(x)";
        let path = copy_with(text, &CopyOptions::default(), &env, || -> io::Result<Vec<u8>> {
            panic!("the terminal must not be needed when tmux load-buffer works")
        })
        .unwrap();
        assert_eq!(path, CopyPath::Osc52ViaTmux);
        assert_eq!(tmux.run(&["show-buffer"]), text);

        // The plain sequence, as written to a pane when load-buffer is unavailable:
        // tmux (set-clipboard on) turns it into a buffer too.
        let seq = tmux.1.path().join("seq");
        std::fs::write(&seq, osc52_sequence("from the pane")).unwrap();
        tmux.run(&["new-window", &format!("cat '{}'; sleep 5", seq.display())]);
        let deadline = Instant::now() + Duration::from_secs(10);
        while tmux.run(&["show-buffer"]) != "from the pane" {
            assert!(Instant::now() < deadline, "tmux did not take the OSC 52 sequence");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}
