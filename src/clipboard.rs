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
//! - Inside tmux (`$TMUX`), `tmux load-buffer -b rswitch -w -` is used: it fills the tmux
//!   buffer named [`TMUX_BUFFER`] and sends OSC 52 to the outer terminal under tmux's
//!   default `set-clipboard external` as well as `on` (tmux ≥ 3.2), and needs no
//!   `allow-passthrough`. The fixed name means one copy replaces the last: credentials
//!   never pile up in tmux's buffer list. If that command fails, the plain sequence is
//!   written to the pane, which tmux accepts with `set-clipboard on`. DCS passthrough
//!   wrapping is not used: tmux ≥ 3.3 drops it unless `allow-passthrough`.
//! - `clear_after` with OSC 52 is best effort: the keeper later sends an empty OSC 52
//!   (most terminals then clear or empty their clipboard). Inside tmux it first deletes
//!   every tmux buffer that still holds the copied text (compared by SHA-1: the keeper is
//!   given the digest, not the text), named or made by tmux from the OSC 52 sequence.

mod keeper;

pub(crate) use keeper::run_keeper;

use crate::env::Env;
use crossterm::Command as _;
use crossterm::clipboard::CopyToClipboard;
use keeper::{Mode, spawn_keeper};
use std::ffi::OsString;
use std::io::{self, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The tmux buffer `copy` fills inside tmux.
pub(crate) const TMUX_BUFFER: &str = "rswitch";

/// Where the text went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CopyPath {
    /// The system clipboard (X11, Wayland, macOS, Windows).
    System,
    /// An OSC 52 sequence written to the terminal.
    Osc52,
    /// A tmux buffer, forwarded by tmux to the outer terminal.
    Osc52ViaTmux,
}

/// Where the text went, in words: `copied to the system clipboard`.
impl std::fmt::Display for CopyPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CopyPath::System => "copied to the system clipboard",
            CopyPath::Osc52 => "copied via the terminal (OSC 52; no display server reachable)",
            CopyPath::Osc52ViaTmux => {
                "copied to the tmux buffer and the terminal clipboard (OSC 52 via tmux)"
            }
        })
    }
}

/// How to start the process that keeps X11/Wayland ownership: `program args…`, which
/// must call [`run_keeper`] with its stdin (e.g. `rswitch __clipboard-keeper`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Keeper {
    pub program: PathBuf,
    pub args: Vec<OsString>,
}

impl Keeper {
    /// The running binary with `args` (the hidden subcommand).
    pub(crate) fn current_exe(args: &[&str]) -> io::Result<Keeper> {
        Ok(Keeper {
            program: std::env::current_exe()?,
            args: args.iter().map(OsString::from).collect(),
        })
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct CopyOptions {
    /// Clear the clipboard after this long (if it still holds the text).
    pub clear_after: Option<Duration>,
    /// Skip the system clipboard and use the terminal.
    pub force_osc52: bool,
    /// Without a keeper on X11/Wayland the text stays only while a clipboard manager
    /// holds it (or until this process exits).
    pub keeper: Option<Keeper>,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ClipboardError {
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
pub(crate) fn copy(text: &str, opts: &CopyOptions, env: &Env) -> Result<CopyPath, ClipboardError> {
    copy_with(text, opts, env, crate::tty::open_write)
}

/// [`copy`] with the terminal supplied by the caller (tests capture the bytes).
pub(crate) fn copy_with<W: Write>(
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
        // Best effort: the copy itself succeeded. The keeper learns which tmux server to
        // clean and the text's digest, never the text.
        let what = match env.get("TMUX") {
            Some(tmux) => format!("{tmux}\n{}", crate::cache::sha1_hex(text)),
            None => String::new(),
        };
        let _ = spawn_keeper(keeper, Mode::TerminalClear, Some(after), &what);
    }
    Ok(path)
}

/// The exact bytes sent to the terminal for `text`.
pub(crate) fn osc52_sequence(text: &str) -> String {
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
    // One write of the whole sequence: the kernel serialises whole write() calls on a
    // terminal, so a TUI frame drawn meanwhile cannot land inside the escape sequence.
    tty.write_all(osc52_sequence(text).as_bytes())
        .and_then(|()| tty.flush())
        .map_err(ClipboardError::Terminal)
}

/// Whether a system clipboard can exist here.
pub(crate) fn display_reachable(env: &Env) -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        return true;
    }
    env.get("DISPLAY").is_some() || env.get("WAYLAND_DISPLAY").is_some()
}

fn tmux_load_buffer(tmux_env: &str, text: &str) -> io::Result<()> {
    let mut child = Command::new("tmux")
        .args(["load-buffer", "-b", TMUX_BUFFER, "-w", "-"])
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

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
        assert_eq!(tmux.run(&["show-buffer", "-b", TMUX_BUFFER]), text);
        // A second copy replaces the first: one rswitch buffer, whatever was copied.
        copy_with(
            "second",
            &CopyOptions::default(),
            &env,
            || -> io::Result<Vec<u8>> { panic!("no terminal needed") },
        )
        .unwrap();
        assert_eq!(tmux.run(&["list-buffers", "-F", "#{buffer_name}"]), "rswitch\n");
        assert_eq!(tmux.run(&["show-buffer"]), "second");

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
