//! `rswitch __clipboard-keeper`: the detached process that keeps the clipboard's text
//! (X11/Wayland selections live as long as their owner) and clears it when asked.

use super::{Exit, SUCCESS};
use crate::clipboard;
use std::io::Write;

pub(crate) fn run(out: &mut dyn Write) -> anyhow::Result<Exit> {
    clipboard::run_keeper(std::io::stdin().lock(), out)?;
    Ok(SUCCESS)
}
