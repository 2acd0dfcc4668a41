//! What an error may show of an answer body: credential elements and fields removed,
//! the text cut to a bound.

/// Element and field names whose values are credentials.
const CREDENTIAL_FIELDS: &[&str] = &["SecretAccessKey", "SessionToken", "AccessKeyId", "SecurityToken"];

/// `text` with the values of credential elements (`<SessionToken>…</SessionToken>`) and
/// JSON fields (`"SessionToken": "…"`) replaced by `(removed)`; an element left open
/// loses everything after it.
pub(crate) fn redact(text: &str) -> String {
    let mut out = text.to_string();
    for field in CREDENTIAL_FIELDS {
        out = redact_xml(&out, field);
        out = redact_json(&out, field);
    }
    out
}

fn redact_xml(text: &str, field: &str) -> String {
    let (open, close) = (format!("<{field}>"), format!("</{field}>"));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(&open) {
        out.push_str(&rest[..start + open.len()]);
        out.push_str("(removed)");
        rest = &rest[start + open.len()..];
        match rest.find(&close) {
            Some(end) => rest = &rest[end..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn redact_json(text: &str, field: &str) -> String {
    let key = format!("\"{field}\"");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(&key) {
        let after = start + key.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        let value = rest.trim_start().strip_prefix(':').map(str::trim_start);
        let Some(value) = value.and_then(|v| v.strip_prefix('"')) else {
            continue;
        };
        out.push_str(": \"(removed)\"");
        let mut escaped = false;
        let end = value.char_indices().find(|&(_, c)| {
            let quote = c == '"' && !escaped;
            escaped = c == '\\' && !escaped;
            quote
        });
        match end {
            Some((i, _)) => rest = &value[i + 1..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// At most `max` characters of `text`, saying how many more there were.
pub(super) fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}… ({} more bytes not shown)", &text[..i], text.len() - i),
        None => text.to_string(),
    }
}
