//! The real terminal: drawn on `/dev/tty` (stderr when it cannot be opened), never on
//! stdout, in raw mode on the alternate screen; restored on every way out — normal exit,
//! error, signal (by the runtime) and panic (a hook installed before raw mode).

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode};
use crossterm::{cursor, execute};
use std::fs::File;
use std::io::{self, Write};
use std::panic::PanicHookInfo;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where the TUI draws.
pub(crate) enum TtyWriter {
    Tty(File),
    Stderr(io::Stderr),
}

impl TtyWriter {
    /// `/dev/tty`, or stderr when there is no controlling terminal to open.
    pub(crate) fn open() -> Self {
        match crate::tty::open() {
            Ok(f) => TtyWriter::Tty(f),
            Err(_) => TtyWriter::Stderr(io::stderr()),
        }
    }
}

impl Write for TtyWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            TtyWriter::Tty(f) => f.write(buf),
            TtyWriter::Stderr(e) => e.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            TtyWriter::Tty(f) => f.flush(),
            TtyWriter::Stderr(e) => e.flush(),
        }
    }
}

/// Set while the screen is in TUI mode; whoever restores first clears it, so restoring
/// twice (panic hook, then the guard's drop) is harmless.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Set by the panic hook: the runtime stops instead of drawing on a restored terminal.
static PANICKED: AtomicBool = AtomicBool::new(false);

pub(crate) fn enter(out: &mut impl Write) -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(out, EnterAlternateScreen, EnableBracketedPaste, cursor::Hide)
}

/// Puts the terminal back as it was; a no-op when it already is.
pub(crate) fn leave(out: &mut impl Write) -> io::Result<()> {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return Ok(());
    }
    let raw = disable_raw_mode();
    execute!(out, DisableBracketedPaste, LeaveAlternateScreen, cursor::Show)?;
    raw
}

pub(crate) fn panicked() -> bool {
    PANICKED.load(Ordering::SeqCst)
}

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// Restores the terminal before the panic message is printed, then runs the previous
/// hook. Dropping it puts the previous hook back.
pub(crate) struct PanicHook {
    previous: Arc<Hook>,
}

impl PanicHook {
    pub(crate) fn install() -> Self {
        let previous: Arc<Hook> = Arc::new(std::panic::take_hook());
        let chained = previous.clone();
        std::panic::set_hook(Box::new(move |info| {
            PANICKED.store(true, Ordering::SeqCst);
            let _ = leave(&mut TtyWriter::open());
            chained(info);
        }));
        PanicHook { previous }
    }
}

impl Drop for PanicHook {
    fn drop(&mut self) {
        // Not while panicking: the hook is in use, and take_hook would abort.
        if std::thread::panicking() {
            return;
        }
        let _ = std::panic::take_hook();
        let previous = self.previous.clone();
        std::panic::set_hook(Box::new(move |info| previous(info)));
    }
}
