//! Questions to the user on the terminal (`/dev/tty`), never on stdout. The question holds
//! config values (`mfa_serial`, the profile name): it is written as a [`crate::text::Clean`].

use std::io::{BufRead, BufReader, Write};

/// Asks for an MFA code on the controlling terminal.
pub(crate) fn mfa_code(profile: &str, serial: &str) -> Result<String, String> {
    let tty = crate::tty::open().map_err(|e| format!("no terminal to ask on ({e})"))?;
    let mut out = tty.try_clone().map_err(|e| e.to_string())?;
    let question = crate::text::line(&format!("MFA code for {serial} (profile {profile}): "));
    crate::text::put(&mut out, &question).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(tty)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let code = line.trim().to_string();
    if is_mfa_code(&code) {
        Ok(code)
    } else {
        Err(MFA_CODE_RULE.to_string())
    }
}

/// How many digits an MFA code has (TOTP devices and IAM's `TokenCode`).
pub(crate) const MFA_CODE_LEN: usize = 6;

/// The rule, as the prompt and the TUI tell it to the user.
pub(crate) const MFA_CODE_RULE: &str = "an MFA code is six digits";

/// True for a complete MFA code: exactly [`MFA_CODE_LEN`] ASCII digits.
pub(crate) fn is_mfa_code(code: &str) -> bool {
    code.len() == MFA_CODE_LEN && code.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mfa_code_is_exactly_six_ascii_digits() {
        assert!(is_mfa_code("123456"));
        assert!(is_mfa_code("000000"));
        assert!(!is_mfa_code("12345"));
        assert!(!is_mfa_code("1234567"));
        assert!(!is_mfa_code("12345a"));
        assert!(!is_mfa_code("١٢٣٤٥٦"));
        assert!(!is_mfa_code(""));
    }
}
