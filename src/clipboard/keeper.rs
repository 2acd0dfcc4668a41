//! The clipboard keeper: the detached process that owns the X11/Wayland selection after
//! rswitch exits ([`run_keeper`]), and how `copy` starts it and waits until it owns the
//! selection ([`spawn_keeper`]). The text reaches it on stdin after a one-line header; it
//! answers `ready` on stdout. It never writes the text anywhere but the clipboard.

use super::{ClipboardError, Keeper, osc52_sequence};
use std::io::{self, BufRead, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
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
pub(super) fn spawn_keeper(
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
    // Ctrl-C in the shell must not take the clipboard away.
    crate::platform::detach(&mut cmd);
    let mut child = cmd.spawn().map_err(err)?;
    let header = format!(
        "{KEEPER_MAGIC} {} {}\n",
        match mode {
            Mode::System => "system",
            Mode::TerminalClear => "terminal-clear",
        },
        clear_after.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
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

/// The keeper's side: reads what [`crate::clipboard::copy`] sent on `input` and serves it, saying `ready` on
/// `ready` once the clipboard is its own. Call this from the hidden subcommand with stdin
/// and stdout; exit 0 on `Ok`, non-zero (message on stderr) on `Err`.
pub(crate) fn run_keeper(mut input: impl Read, ready: &mut dyn Write) -> Result<(), ClipboardError> {
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
            if let Some((tmux, digest)) = text.split_once('\n') {
                clear_tmux(tmux, digest);
            }
            let mut tty = crate::tty::open_write().map_err(ClipboardError::Terminal)?;
            tty.write_all(osc52_sequence("").as_bytes())
                .map_err(ClipboardError::Terminal)
        }
        _ => Err(bad()),
    }
}

/// Deletes every buffer of the tmux server `tmux` (a `$TMUX` value) whose text has the
/// SHA-1 `digest`: the named one `copy` filled, and any tmux made from OSC 52.
fn clear_tmux(tmux: &str, digest: &str) {
    let run = |args: &[&str]| {
        Command::new("tmux")
            .args(args)
            .env("TMUX", tmux)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| o.stdout)
    };
    let Some(names) = run(&["list-buffers", "-F", "#{buffer_name}"]) else {
        return;
    };
    for name in String::from_utf8_lossy(&names).lines() {
        let holds_it = run(&["show-buffer", "-b", name])
            .is_some_and(|t| crate::cache::sha1_hex(&String::from_utf8_lossy(&t)) == digest);
        if holds_it {
            let _ = run(&["delete-buffer", "-b", name]);
        }
    }
}

fn announce(ready: &mut dyn Write) -> Result<(), ClipboardError> {
    writeln!(ready, "{KEEPER_READY}")
        .and_then(|()| ready.flush())
        .map_err(|e| ClipboardError::Keeper(e.to_string()))
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
    // A deadline past what `Instant` holds is no deadline.
    let deadline = clear_after.and_then(|after| Instant::now().checked_add(after));
    // arboard's waiting `set` takes the selection and returns when another client takes
    // it, but is never woken when the display server goes away: it runs on a thread of
    // its own, and this one checks that the selection is ours — first to say `ready`,
    // then now and then, to leave when the session has ended. One set only: on Wayland a
    // non-waiting set forks a serving process, which a second set then races with.
    let (tx, rx) = std::sync::mpsc::channel();
    let owned = text.to_string();
    std::thread::spawn(move || {
        let serve = || -> Result<(), arboard::Error> {
            let mut cb = arboard::Clipboard::new()?;
            let set = cb.set().exclude_from_history();
            match deadline {
                Some(deadline) => set.wait_until(deadline),
                None => set.wait(),
            }
            .text(owned)
        };
        let _ = tx.send(serve());
    });
    let ours = |cb: &mut arboard::Clipboard| cb.get_text().is_ok_and(|t| t == text);
    let lost = || ClipboardError::Keeper("the clipboard was not taken".to_string());
    let start = Instant::now();
    loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(Err(e)) => return Err(sys(e)),
            Ok(Ok(())) | Err(RecvTimeoutError::Disconnected) => return Err(lost()),
            Err(RecvTimeoutError::Timeout) if ours(&mut cb) => break,
            Err(RecvTimeoutError::Timeout) if start.elapsed() > KEEPER_START => return Err(lost()),
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
    announce(ready)?;
    loop {
        match rx.recv_timeout(KEEPER_CHECK) {
            Ok(result) => break result.map_err(sys)?,
            Err(RecvTimeoutError::Disconnected) => return Err(lost()),
            // Gone without the owner being told: the display server went away.
            Err(RecvTimeoutError::Timeout) if !ours(&mut cb) => return Ok(()),
            Err(RecvTimeoutError::Timeout) => {}
        }
    }
    // Clear only what is still ours: the user may have copied something else.
    if deadline.is_some() && ours(&mut cb) {
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

    #[test]
    fn keeper_rejects_foreign_input() {
        let mut out = Vec::new();
        assert!(run_keeper(&b"hello"[..], &mut out).is_err());
        assert!(run_keeper(&b"other-magic system 0\nx"[..], &mut out).is_err());
        assert!(run_keeper(&b"rswitch-clipboard-keeper-v1 system 0\nx"[..], &mut out).is_err());
        assert!(run_keeper(&b"rswitch-clipboard-keeper-v2 bogus 0\nx"[..], &mut out).is_err());
        assert!(out.is_empty());
    }
}
