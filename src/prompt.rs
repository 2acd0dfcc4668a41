//! Questions to the user on the terminal (`/dev/tty`), never on stdout. The question holds
//! config values (`mfa_serial`, the profile name): it is written as a [`crate::text::Clean`].

use std::io::{BufRead, BufReader, Write};

/// Asks for an MFA code on the controlling terminal.
pub fn mfa_code(profile: &str, serial: &str) -> Result<String, String> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|e| format!("no terminal to ask on ({e})"))?;
    let mut out = tty.try_clone().map_err(|e| e.to_string())?;
    let question = crate::text::line(&format!("MFA code for {serial} (profile {profile}): "));
    crate::text::put(&mut out, &question).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(tty)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let code = line.trim().to_string();
    if code.len() == 6 && code.chars().all(|c| c.is_ascii_digit()) {
        Ok(code)
    } else {
        Err("an MFA code is six digits".to_string())
    }
}
