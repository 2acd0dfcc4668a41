//! Request parameters of the STS query protocol and the input constraints STS checks before
//! anything else, reported with its `N validation error(s) detected: …` wording.

use crate::fake_aws::loopback::Request;
use std::collections::HashMap;

/// The parameters of a query-protocol request: the URL query and the form body, merged.
#[derive(Clone, Debug, Default)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    pub(crate) fn of(req: &Request) -> Params {
        let query = req.path.split_once('?').map(|(_, q)| q).unwrap_or_default();
        let pairs = form_urlencoded::parse(query.as_bytes()).chain(form_urlencoded::parse(&req.body));
        Params(pairs.map(|(k, v)| (k.into_owned(), v.into_owned())).collect())
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

/// Collects constraint violations the way STS reports them.
#[derive(Default)]
pub(crate) struct Violations(Vec<String>);

impl Violations {
    fn push(&mut self, value: Option<&str>, field: &str, constraint: &str) {
        let value = value.map_or("null".to_string(), |v| format!("'{v}'"));
        self.0.push(format!(
            "Value {value} at '{field}' failed to satisfy constraint: Member {constraint}"
        ));
    }

    /// A required string with length bounds and an allowed character class.
    pub(crate) fn string(
        &mut self,
        value: Option<&str>,
        field: &str,
        required: bool,
        (min, max): (usize, usize),
        class: CharClass,
    ) {
        let Some(v) = value else {
            if required {
                self.push(None, field, "must not be null");
            }
            return;
        };
        let len = v.chars().count();
        if !v.chars().all(|c| class.allows(c)) {
            self.push(
                value,
                field,
                &format!("must satisfy regular expression pattern: {}", class.pattern()),
            );
        }
        if len < min {
            self.push(
                value,
                field,
                &format!("must have length greater than or equal to {min}"),
            );
        }
        if len > max {
            self.push(
                value,
                field,
                &format!("must have length less than or equal to {max}"),
            );
        }
    }

    /// An optional integer within bounds; returns the parsed value.
    pub(crate) fn integer(
        &mut self,
        value: Option<&str>,
        field: &str,
        (min, max): (i64, i64),
    ) -> Option<i64> {
        let v = value?;
        let Ok(n) = v.trim().parse::<i64>() else {
            self.push(value, field, "must be a number");
            return None;
        };
        if n < min {
            self.push(
                value,
                field,
                &format!("must have value greater than or equal to {min}"),
            );
        }
        if n > max {
            self.push(
                value,
                field,
                &format!("must have value less than or equal to {max}"),
            );
        }
        Some(n)
    }

    /// `None` when everything held, else STS's message.
    pub(crate) fn message(&self) -> Option<String> {
        match self.0.len() {
            0 => None,
            1 => Some(format!("1 validation error detected: {}", self.0[0])),
            n => Some(format!("{n} validation errors detected: {}", self.0.join("; "))),
        }
    }
}

/// The character classes of STS's input patterns.
#[derive(Clone, Copy, Debug)]
pub(crate) enum CharClass {
    /// `RoleArn`: any printable character.
    Text,
    /// `RoleSessionName`: `[\w+=,.@-]*`
    SessionName,
    /// `ExternalId`: `[\w+=,.@:\/-]*`
    ExternalId,
    /// `SerialNumber`: `[\w+=/:,.@-]*`
    SerialNumber,
    /// `TokenCode`: `[\d]*`
    Digits,
}

impl CharClass {
    fn allows(self, c: char) -> bool {
        let word = c.is_alphanumeric() || c == '_';
        match self {
            CharClass::Text => !c.is_control() || c == '\t' || c == '\n' || c == '\r',
            CharClass::SessionName => word || "+=,.@-".contains(c),
            CharClass::ExternalId => word || "+=,.@:/-".contains(c),
            CharClass::SerialNumber => word || "+=/:,.@-".contains(c),
            CharClass::Digits => c.is_ascii_digit(),
        }
    }

    fn pattern(self) -> &'static str {
        match self {
            CharClass::Text => {
                r"[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+"
            }
            CharClass::SessionName => r"[\w+=,.@-]*",
            CharClass::ExternalId => r"[\w+=,.@:\/-]*",
            CharClass::SerialNumber => r"[\w+=/:,.@-]*",
            CharClass::Digits => r"[\d]*",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_follow_sts_wording() {
        let mut v = Violations::default();
        v.string(
            Some("rswitch"),
            "roleSessionName",
            true,
            (2, 64),
            CharClass::SessionName,
        );
        v.integer(Some("3600"), "durationSeconds", (900, 43200));
        assert_eq!(v.message(), None);

        let mut v = Violations::default();
        v.string(
            Some("a b"),
            "roleSessionName",
            true,
            (2, 64),
            CharClass::SessionName,
        );
        assert_eq!(
            v.message().as_deref(),
            Some(
                "1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: \
                 Member must satisfy regular expression pattern: [\\w+=,.@-]*"
            )
        );

        let mut v = Violations::default();
        v.string(None, "roleSessionName", true, (2, 64), CharClass::SessionName);
        assert_eq!(v.integer(Some("100"), "durationSeconds", (900, 43200)), Some(100));
        assert_eq!(
            v.message().as_deref(),
            Some(
                "2 validation errors detected: Value null at 'roleSessionName' failed to satisfy constraint: \
                 Member must not be null; Value '100' at 'durationSeconds' failed to satisfy constraint: \
                 Member must have value greater than or equal to 900"
            )
        );
    }

    #[test]
    fn params_merge_query_and_body() {
        let req = Request {
            method: "POST".into(),
            path: "/?Action=GetCallerIdentity".into(),
            headers: vec![],
            body: bytes::Bytes::from_static(b"Version=2011-06-15&RoleSessionName=a%2Bb"),
        };
        let p = Params::of(&req);
        assert_eq!(p.get("Action"), Some("GetCallerIdentity"));
        assert_eq!(p.get("RoleSessionName"), Some("a+b"));
        assert_eq!(p.get("Missing"), None);
    }
}
