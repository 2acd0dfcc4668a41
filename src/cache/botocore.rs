//! The bits of Python and botocore the CLI cache format depends on: `json.dumps` with
//! its default separators and ASCII escaping (the cache key is a SHA-1 over that text),
//! the `%Y-%m-%dT%H:%M:%S%Z` timestamps botocore writes, and the timestamps it reads back
//! (`dateutil.parser.parse` via `_parse_if_needed`).

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::Value;
use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// `json.dumps(value, sort_keys=sort_keys)`: separators `", "` and `": "`, everything
/// outside printable ASCII escaped as lower-case `\uXXXX` (UTF-16 surrogate pairs above
/// the BMP), as Python's `ensure_ascii=True` does.
pub(crate) fn python_json_dumps(value: &Value, sort_keys: bool) -> String {
    let mut out = String::new();
    dump(value, sort_keys, &mut out);
    out
}

fn dump(value: &Value, sort_keys: bool, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // Only integers appear in cache keys and entries; Python prints them the same way.
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => dump_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dump(item, sort_keys, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            if sort_keys {
                // Python sorts str by code point, which is UTF-8 byte order.
                entries.sort_by(|a, b| a.0.cmp(b.0));
            }
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                dump_str(k, out);
                out.push_str(": ");
                dump(v, sort_keys, out);
            }
            out.push('}');
        }
    }
}

fn dump_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// The timestamp botocore writes into a cache file: `2026-08-07T12:34:56UTC`.
pub fn format_expiration(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let dt = DateTime::from_secs(i64::try_from(secs).unwrap_or(i64::MAX));
    match dt.fmt(Format::DateTime) {
        Ok(s) => format!("{}UTC", s.trim_end_matches('Z')),
        Err(_) => "1970-01-01T00:00:00UTC".to_string(),
    }
}

/// Reads an `Expiration` the way botocore does (`dateutil.parser.parse`, or epoch seconds),
/// for the shapes tools actually write: `2026-08-07T12:34:56UTC` (botocore), `…Z`,
/// `…+00:00` (Python `isoformat`), `…+0000`, other offsets, a space instead of `T`,
/// fractional seconds, a missing seconds field, and epoch numbers (JSON number or
/// numeric string). A time without a zone is refused: botocore cannot compare it either.
pub fn parse_expiration(value: &Value) -> Option<SystemTime> {
    match value {
        Value::Number(n) => from_epoch(n.as_f64()?),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(secs) = s.parse::<f64>() {
                return from_epoch(secs);
            }
            let normalized = normalize_rfc3339(s)?;
            let dt = DateTime::from_str(&normalized, Format::DateTimeWithOffset).ok()?;
            SystemTime::try_from(dt).ok()
        }
        _ => None,
    }
}

/// The last second of year 9999: later epoch values are not timestamps any tool wrote,
/// and would overflow `SystemTime` arithmetic (`1e20` once panicked here).
const MAX_EPOCH_SECS: f64 = 253_402_300_799.0;

fn from_epoch(secs: f64) -> Option<SystemTime> {
    if !(0.0..=MAX_EPOCH_SECS).contains(&secs) {
        return None;
    }
    UNIX_EPOCH.checked_add(Duration::try_from_secs_f64(secs).ok()?)
}

/// Rewrites the accepted shapes into strict RFC 3339 (`YYYY-MM-DDTHH:MM:SS[.f](Z|±HH:MM)`).
fn normalize_rfc3339(s: &str) -> Option<String> {
    if s.len() < 16 || !s.is_ascii() {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let upper = rest.to_ascii_uppercase();
    let (time, zone) = if let Some(t) = ["UTC", "GMT", "Z"].iter().find_map(|z| upper.strip_suffix(z)) {
        (t.trim_end(), "Z".to_string())
    } else {
        let pos = rest.rfind(['+', '-'])?;
        let (t, off) = rest.split_at(pos);
        let (sign, digits) = off.split_at(1);
        let digits = digits.replace(':', "");
        let zone = match digits.len() {
            2 => format!("{sign}{digits}:00"),
            4 => format!("{sign}{}:{}", &digits[..2], &digits[2..]),
            _ => return None,
        };
        (t.trim_end(), zone)
    };
    let time = if time.len() == 5 {
        format!("{time}:00")
    } else {
        time.to_string()
    };
    Some(format!("{date}T{time}{zone}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn dumps_like_python() {
        let v = json!({"b": 1, "a": "é\"\\\n\u{7f}😀/", "c": [true, null]});
        assert_eq!(
            python_json_dumps(&v, true),
            r#"{"a": "\u00e9\"\\\n\u007f\ud83d\ude00/", "b": 1, "c": [true, null]}"#
        );
    }

    #[test]
    fn expiration_formats() {
        let t = UNIX_EPOCH + Duration::from_secs(1_786_192_496);
        assert_eq!(format_expiration(t), "2026-08-08T12:34:56UTC");
        for s in [
            "2026-08-08T12:34:56UTC",
            "2026-08-08T12:34:56Z",
            "2026-08-08T12:34:56+00:00",
            "2026-08-08T12:34:56+0000",
            "2026-08-08 12:34:56 UTC",
            "2026-08-08T14:34:56+02:00",
            "2026-08-08T07:34:56-05",
            "2026-08-08t12:34:56gmt",
            "1786192496",
        ] {
            assert_eq!(parse_expiration(&json!(s)), Some(t), "{s}");
        }
        assert_eq!(parse_expiration(&json!(1_786_192_496)), Some(t));
        assert_eq!(
            parse_expiration(&json!("2026-08-08T12:34:56.250Z")),
            Some(t + Duration::from_millis(250))
        );
        assert_eq!(
            parse_expiration(&json!("2026-08-08T12:34Z")),
            Some(t - Duration::from_secs(56))
        );
        for bad in ["2026-08-08T12:34:56", "tomorrow", "", "2026-13-08T12:34:56Z"] {
            assert_eq!(parse_expiration(&json!(bad)), None, "{bad}");
        }
        assert_eq!(parse_expiration(&json!({})), None);
        // Out of range: no entry, never a panic.
        for huge in [
            json!(1e20),
            json!("1e19"),
            json!(1e300),
            json!("inf"),
            json!("NaN"),
            json!(-1),
        ] {
            assert_eq!(parse_expiration(&huge), None, "{huge}");
        }
        assert!(parse_expiration(&json!(MAX_EPOCH_SECS)).is_some());
        assert_eq!(parse_expiration(&json!("99999-01-01T00:00:00Z")), None);
    }
}
