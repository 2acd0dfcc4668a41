//! The nushell and tcsh formats.
//!
//! - `nushell`: one JSON object, `{"set": {NAME: value…}, "unset": [NAME…]}`. Nushell cannot
//!   evaluate text, so the `rsw` function of `rswitch init nu` reads it with `from json` and
//!   applies it with `hide-env` and `load-env`; JSON carries any value as it is.
//! - `tcsh`: `setenv NAME value;` and `unsetenv NAME;`, one per line, for
//!   ``eval "`rswitch export PROFILE --format tcsh`"``. Each statement ends with `;` because
//!   that substitution joins the lines. Values are single-quoted runs; `'` and `!` (history
//!   substitution, even inside quotes) are written `\'` and `\!` outside the quotes. Line
//!   breaks and other control characters have no representation that survives both
//!   `source` and `eval`, so such values are refused.

use super::{ExportError, Format, unrepresentable};
use serde_json::{Map, Value};

/// The `nushell` document for `pairs`.
pub(crate) fn nushell(pairs: &[(String, Option<String>)]) -> String {
    let mut set = Map::new();
    let mut unset = Vec::new();
    for (var, value) in pairs {
        match value {
            Some(v) => {
                set.insert(var.clone(), Value::String(v.clone()));
            }
            None => unset.push(Value::String(var.clone())),
        }
    }
    let doc = serde_json::json!({ "set": set, "unset": unset });
    format!("{doc}\n")
}

/// A tcsh word for `v`.
pub(crate) fn tcsh_quote(var: &str, v: &str) -> Result<String, ExportError> {
    if let Some(c) = v.chars().find(|c| c.is_control()) {
        let what = format!("the control character U+{:04X}", c as u32);
        return Err(unrepresentable(var, Format::Tcsh, &what));
    }
    let mut out = String::with_capacity(v.len() + 2);
    let mut open = false;
    for c in v.chars() {
        match c {
            '\'' | '!' => {
                if open {
                    out.push('\'');
                    open = false;
                }
                out.push('\\');
                out.push(c);
            }
            _ => {
                if !open {
                    out.push('\'');
                    open = true;
                }
                out.push(c);
            }
        }
    }
    if open {
        out.push('\'');
    }
    if out.is_empty() {
        out.push_str("''");
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcsh_quotes_runs_and_escapes_quote_and_bang() {
        assert_eq!(tcsh_quote("V", "abc").unwrap(), "'abc'");
        assert_eq!(tcsh_quote("V", "").unwrap(), "''");
        assert_eq!(tcsh_quote("V", "a'b!c").unwrap(), "'a'\\''b'\\!'c'");
        assert_eq!(tcsh_quote("V", "'").unwrap(), "\\'");
        assert!(tcsh_quote("V", "a\nb").is_err());
    }

    #[test]
    fn nushell_is_one_json_line() {
        let pairs = vec![
            ("A".to_string(), Some("x\"y".to_string())),
            ("B".to_string(), None),
        ];
        assert_eq!(
            nushell(&pairs),
            "{\"set\":{\"A\":\"x\\\"y\"},\"unset\":[\"B\"]}\n"
        );
    }
}
