//! Line level of the profile-file reader: turns one file's text into raw sections, in file
//! order, with the line of every header and key.
//!
//! The rules are those of the AWS SDK for Rust (`aws-runtime`'s `env_config::parse`), which
//! follow the cross-SDK profile-file test suite:
//!
//! - only `' '` and `'\t'` count as whitespace; a line of only those is blank;
//! - a line starting with `#` or `;` in column 0 is a comment (an indented one is not: it is a
//!   continuation line);
//! - a line starting with `[` is a section header; an inline comment there needs no whitespace
//!   before it (`[profile a]# x`);
//! - a line starting with whitespace continues the previous property: it is trimmed and
//!   appended after a `\n`, comments included; if the property's value was empty
//!   (`s3 =`), each continuation line must itself look like `key = value` (a sub-property);
//! - any other line is `key = value`: a comment there must follow whitespace (`a = b #c`,
//!   but `a = b#c` keeps the `#`), key and value are trimmed, the key is ASCII-lower-cased.
//!
//! One deliberate difference: where the SDK rejects the whole file (a property before any
//! section, a line without `=`, `= value`, a header without `]`, a continuation with no
//! property, a malformed sub-property), this reader records a [`ParseIssue`] with the SDK's
//! message and line and goes on, so one broken line never hides the other profiles. Lines
//! after a malformed header belong to no section and are skipped with it.

use super::model::Location;
use super::model::ParseIssue;
use std::path::Path;

/// Whitespace as the profile-file spec defines it (not `char::is_whitespace`).
pub(crate) const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// One `key = value` as written, before validation and merging.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawProperty {
    /// ASCII-lower-cased, not yet validated as an identifier.
    pub key: String,
    /// Trimmed value; continuation lines are appended after `\n`.
    pub value: String,
    pub line: usize,
    /// The line of each `\n`-separated segment of `value` (the first is `line`).
    pub segment_lines: Vec<usize>,
}

/// One section header occurrence and the properties under it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawSection {
    /// What is between `[` and `]` after comment stripping, untrimmed inside.
    pub inner: String,
    pub line: usize,
    pub properties: Vec<RawProperty>,
}

/// A whole file read line by line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RawFile {
    pub sections: Vec<RawSection>,
    pub issues: Vec<ParseIssue>,
}

enum Where {
    /// Before the first header.
    Start,
    /// Inside `sections[index]`.
    Section(usize),
    /// After a malformed header: lines are skipped until the next header.
    Broken,
}

struct Reader<'p> {
    path: &'p Path,
    file: RawFile,
    at: Where,
    /// The property continuation lines extend, and whether its value was empty.
    property: Option<(usize, bool)>,
    /// Continuations right after a rejected line belong to it and are skipped quietly.
    skip_continuations: bool,
}

/// Reads `contents` (the file at `path`) into raw sections.
pub(crate) fn read_file(path: &Path, contents: &str) -> RawFile {
    let mut reader = Reader {
        path,
        file: RawFile::default(),
        at: Where::Start,
        property: None,
        skip_continuations: false,
    };
    // `str::lines` splits on `\n` and drops a `\r` before it, as the SDK does.
    for (index, line) in contents.lines().enumerate() {
        let number = index + 1;
        if is_empty_line(line) || line.starts_with(COMMENT) {
            continue;
        }
        if line.starts_with('[') {
            reader.header(line, number);
        } else if line.starts_with(WHITESPACE) {
            reader.continuation(line, number);
        } else {
            reader.property_line(line, number);
        }
    }
    reader.file
}

impl Reader<'_> {
    fn issue(&mut self, line: usize, message: impl Into<String>) {
        self.file.issues.push(ParseIssue {
            location: Location {
                file: self.path.to_path_buf(),
                line,
            },
            message: message.into(),
        });
    }

    fn header(&mut self, line: &str, number: usize) {
        self.property = None;
        self.skip_continuations = false;
        let prepared = prepare_line(line, false);
        let Some(inner) = prepared.strip_prefix('[').and_then(|rest| rest.strip_suffix(']')) else {
            self.at = Where::Broken;
            self.issue(
                number,
                format!(
                    "Profile definition must end with ']': '{}' (the lines up to the next section are skipped)",
                    line.trim_matches(WHITESPACE)
                ),
            );
            return;
        };
        self.file.sections.push(RawSection {
            inner: inner.to_string(),
            line: number,
            properties: Vec::new(),
        });
        self.at = Where::Section(self.file.sections.len() - 1);
    }

    fn property_line(&mut self, line: &str, number: usize) {
        self.property = None;
        self.skip_continuations = true;
        let section = match self.at {
            Where::Start => {
                self.issue(number, "Expected a profile definition before this property");
                return;
            }
            Where::Broken => return,
            Where::Section(index) => index,
        };
        match parse_property_line(line) {
            Err(err) => self.issue(number, err.message("property")),
            Ok((key, value)) => {
                let properties = &mut self.file.sections[section].properties;
                properties.push(RawProperty {
                    key,
                    value: value.to_string(),
                    line: number,
                    segment_lines: vec![number],
                });
                self.property = Some((properties.len() - 1, value.is_empty()));
                self.skip_continuations = false;
            }
        }
    }

    fn continuation(&mut self, line: &str, number: usize) {
        let section = match self.at {
            Where::Start if self.skip_continuations => return,
            Where::Start => {
                self.issue(
                    number,
                    "Expected a profile definition before this continuation line",
                );
                return;
            }
            Where::Broken => return,
            Where::Section(index) => index,
        };
        let Some((property, is_subproperty)) = self.property else {
            if !self.skip_continuations {
                self.issue(number, "Expected a property definition, found continuation");
            }
            return;
        };
        if is_subproperty && let Err(err) = parse_property_line(line) {
            self.issue(number, err.message("sub-property"));
            return;
        }
        let property = &mut self.file.sections[section].properties[property];
        property.value.push('\n');
        property.value.push_str(line.trim_matches(WHITESPACE));
        property.segment_lines.push(number);
    }
}

fn is_empty_line(line: &str) -> bool {
    line.trim_matches(WHITESPACE).is_empty()
}

/// Why a property or sub-property line was rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PropertyError {
    NoEquals,
    NoName,
}

impl PropertyError {
    /// The SDK's wording, so that messages can be searched for.
    fn message(self, what: &str) -> String {
        match self {
            PropertyError::NoEquals => format!("Expected an '=' sign defining a {what}"),
            PropertyError::NoName => {
                let mut what = what.to_string();
                if let Some(first) = what.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                format!("{what} did not have a name")
            }
        }
    }
}

/// `key = value` with comments stripped; the key lower-cased.
pub(crate) fn parse_property_line(line: &str) -> Result<(String, &str), PropertyError> {
    let line = prepare_line(line, true);
    let (key, value) = line.split_once('=').ok_or(PropertyError::NoEquals)?;
    let key = key.trim_matches(WHITESPACE);
    if key.is_empty() {
        return Err(PropertyError::NoName);
    }
    Ok((key.to_ascii_lowercase(), value.trim_matches(WHITESPACE)))
}

/// Trims spec whitespace and cuts a trailing comment. In properties a comment character
/// counts only after whitespace; there the SDK uses `char::is_whitespace`, so a no-break
/// space before `#` also starts a comment (kept for exact agreement).
pub(crate) fn prepare_line(line: &str, comments_need_whitespace: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut prev_whitespace = false;
    let mut cut = None;
    for (index, chr) in line.char_indices() {
        if COMMENT.contains(&chr) && (prev_whitespace || !comments_need_whitespace) {
            cut = Some(index);
            break;
        }
        prev_whitespace = chr.is_whitespace();
    }
    cut.map(|index| &line[..index])
        .unwrap_or(line)
        .trim_matches(WHITESPACE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_lines() {
        let ok = |k: &str, v: &'static str| Ok((k.to_string(), v));
        assert_eq!(parse_property_line("a = b"), ok("a", "b"));
        assert_eq!(parse_property_line("ABc = DEF"), ok("abc", "DEF"));
        assert_eq!(parse_property_line("a = b#c"), ok("a", "b#c"));
        assert_eq!(parse_property_line("a = b #c"), ok("a", "b"));
        assert_eq!(parse_property_line("a = b\t;c"), ok("a", "b"));
        assert_eq!(parse_property_line("a = b\u{a0}#c"), ok("a", "b\u{a0}"));
        assert_eq!(parse_property_line("a =   "), ok("a", ""));
        assert_eq!(parse_property_line("a = x=y"), ok("a", "x=y"));
        assert_eq!(parse_property_line("a b"), Err(PropertyError::NoEquals));
        assert_eq!(parse_property_line("= b"), Err(PropertyError::NoName));
        assert_eq!(parse_property_line("a #= b"), Err(PropertyError::NoEquals));
    }

    #[test]
    fn headers_strip_adjacent_comments() {
        assert_eq!(prepare_line("[profile a]# x", false), "[profile a]");
        assert_eq!(prepare_line("[profile a;b]", false), "[profile a");
    }
}
