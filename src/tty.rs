//! The controlling terminal: the one place that opens it. The MFA prompt, the TUI, the
//! TUI's subshell, OSC 52 and the clipboard keeper reach the user here, never on stdout
//! (which belongs to `eval "$(rswitch …)"`). What reaches it is written through
//! [`crate::text`]'s sanitizer, except the bytes the user asked for (OSC 52).

use crate::platform::TTY_DEVICE as DEVICE;
use std::fs::{File, OpenOptions};
use std::io;

/// The terminal opened for reading and writing (prompts, the TUI, a subshell's stdio).
pub(crate) fn open() -> io::Result<File> {
    OpenOptions::new().read(true).write(true).open(DEVICE)
}

/// The terminal opened for writing only (OSC 52, notices).
pub(crate) fn open_write() -> io::Result<File> {
    OpenOptions::new().write(true).open(DEVICE)
}

/// True when there is a controlling terminal to talk to.
pub(crate) fn available() -> bool {
    open().is_ok()
}
