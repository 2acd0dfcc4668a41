//! The one way text reaches a terminal. Outside text (config values, answers from STS,
//! IAM, SSO or IMDS, a helper's output, cached values) can hold escape sequences that
//! clear the screen, retitle the window or write the clipboard, or a newline that forges
//! a line of a report. Everything rswitch writes to a tty, stderr or human stdout is a
//! [`Clean`], and a `Clean` is only made here, by [`line()`] or [`lines`], which
//!
//! - show C0 controls, DEL, C1 controls (U+0080–U+009F, U+009B CSI among them) and the
//!   Unicode bidirectional and line-separator controls as `\u{…}` instead of sending them;
//! - in [`line()`], turn newlines and tabs into spaces: one value stays one line;
//! - bound the length ([`LINE_MAX`], [`BLOCK_MAX`] characters), saying how much was cut.
//!
//! The writers ([`put`], [`eprint()`], [`eprintln()`]; [`crate::tty`] for the terminal) take
//! only `Clean` text or sanitize what they format; a test in this module fails when any
//! other file of `src/` writes to stderr, stdout or `/dev/tty` by itself. JSON goes out
//! through [`put_json`], which also escapes the C1 and bidi controls serde_json leaves raw.
//!
//! It also holds the few text helpers the CLI and the TUI share: [`printable`] and
//! [`one_line`] (sanitized text as a `String` to build messages from) and [`countdown`].

use std::fmt;
use std::io::{self, Write};
use std::time::{Duration, SystemTime};

/// Most characters one value shows on one line.
pub(crate) const LINE_MAX: usize = 2048;
/// Most characters one multi-line text (a report) shows.
pub(crate) const BLOCK_MAX: usize = 256 * 1024;

/// Text safe to write to a terminal. Made only by [`line()`] and [`lines`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Clean(String);

impl Clean {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_string(self) -> String {
        self.0
    }

    /// Appends [`line()`]`(text)` and a newline.
    pub(crate) fn push_line(&mut self, text: &str) {
        self.0.push_str(&line(text).0);
        self.0.push('\n');
    }
}

impl fmt::Display for Clean {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// True for the characters a terminal may act on instead of showing: C0 and C1 controls,
/// DEL, and the bidi overrides, isolates and marks and line/paragraph separators that
/// reorder or break what is shown.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{061c}')
}

fn sanitize(text: &str, keep_newlines: bool, max: usize) -> Clean {
    let mut out = String::with_capacity(text.len().min(max + 64));
    let (head, cut) = match text.char_indices().nth(max) {
        Some((i, _)) => (&text[..i], text[i..].chars().count()),
        None => (text, 0),
    };
    for c in head.chars() {
        match c {
            '\n' | '\t' if keep_newlines => out.push(c),
            '\n' | '\t' | '\r' => out.push(' '),
            c if is_unsafe(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    if cut > 0 {
        out.push_str(&format!("… ({cut} more characters not shown)"));
    }
    Clean(out)
}

/// One line: controls shown escaped, newlines, carriage returns and tabs as spaces, at
/// most [`LINE_MAX`] characters. For every value that is meant to be one line.
pub(crate) fn line(text: &str) -> Clean {
    sanitize(text, false, LINE_MAX)
}

/// Several lines (a report): newlines and tabs kept, every other control shown escaped,
/// at most [`BLOCK_MAX`] characters. Values inside should already be [`line()`]s, so that
/// none of them adds a line of its own.
pub(crate) fn lines(text: &str) -> Clean {
    sanitize(text, true, BLOCK_MAX)
}

/// Writes `text` to `out` (human stdout, or an opened terminal).
pub(crate) fn put(out: &mut dyn Write, text: &Clean) -> io::Result<()> {
    out.write_all(text.0.as_bytes())
}

/// Writes `text` and a newline to `out`.
pub(crate) fn put_line(out: &mut dyn Write, text: &Clean) -> io::Result<()> {
    out.write_all(text.0.as_bytes())?;
    out.write_all(b"\n")
}

/// Pretty JSON plus a newline, with every unsafe character of its strings written as a
/// `\uXXXX` escape (serde_json escapes C0 controls only).
pub(crate) fn put_json(out: &mut dyn Write, value: &serde_json::Value) -> io::Result<()> {
    let mut text = json(value);
    text.push('\n');
    out.write_all(text.as_bytes())
}

/// [`put_json`]'s text, without the newline.
pub(crate) fn json(value: &serde_json::Value) -> String {
    escape_json_text(&format!("{value:#}"))
}

/// [`put_json`] for JSON already serialised (e.g. straight from structs), plus a newline.
pub(crate) fn put_json_text(out: &mut dyn Write, raw: &str) -> io::Result<()> {
    let mut text = escape_json_text(raw);
    text.push('\n');
    out.write_all(text.as_bytes())
}

fn escape_json_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        // Newlines of the layout aside (serde_json escapes those of strings), only strings
        // hold such characters, and any character of a JSON string may be `\uXXXX`.
        if is_unsafe(c) && c != '\n' {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Writes `text` to stderr.
pub(crate) fn eprint(text: &Clean) {
    let _ = io::stderr().lock().write_all(text.0.as_bytes());
}

/// Formats a message for stderr, sanitized as [`lines`], plus a newline:
/// `text::eprintln(format_args!("rswitch: error: {e}"))`.
pub fn eprintln(args: fmt::Arguments<'_>) {
    let mut clean = lines(&args.to_string());
    clean.0.push('\n');
    eprint(&clean);
}

/// Multi-line outside text as a plain string safe to print ([`lines`]): for a message that
/// is built further (an error, a status) before it reaches a writer.
pub fn printable(text: &str) -> String {
    lines(text).into_string()
}

/// Outside text for a one-line message (a status line): as [`line()`], and every run of
/// whitespace one space.
pub(crate) fn one_line(text: &str) -> String {
    line(text)
        .as_str()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `in 59m`, `in 2h03m`, `expired`.
pub fn countdown(expiration: SystemTime, now: SystemTime) -> String {
    match expiration.duration_since(now) {
        Ok(left) => format!("in {}", short_duration(left)),
        Err(_) => "expired".to_string(),
    }
}

/// `59s`, `1m01s`, `3h02m`.
fn short_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0..60 => format!("{secs}s"),
        60..3600 => format!("{}m{:02}s", secs / 60, secs % 60),
        _ => format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60),
    }
}

/// A word for a POSIX shell command the user may paste: as is when it holds only safe
/// characters, else single-quoted (`'` written as `'\''`).
pub fn shell_quote(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "@%+=:,./_-".contains(c));
    if safe {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str =
        "\u{7f}a\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}\u{9b}31m\u{85}\u{202e}b\r\nstatus    OK\tc";

    #[test]
    fn controls_are_shown_not_sent() {
        let one = line(HOSTILE).into_string();
        assert!(!one.chars().any(is_unsafe), "{one:?}");
        assert!(!one.contains('\n') && !one.contains('\t'), "{one:?}");
        assert_eq!(
            one,
            "\\u{7f}a\\u{1b}[2J\\u{1b}]52;c;ZXZpbA==\\u{7}\\u{9b}31m\\u{85}\\u{202e}b  status    OK c"
        );
        let many = lines(HOSTILE).into_string();
        assert!(many.contains("b \nstatus    OK\tc"), "{many:?}");
        assert!(!many.chars().any(|c| is_unsafe(c) && c != '\n' && c != '\t'));
    }

    #[test]
    fn length_is_bounded() {
        let long = "x".repeat(LINE_MAX + 10);
        let one = line(&long).into_string();
        assert!(one.starts_with(&"x".repeat(LINE_MAX)));
        assert!(
            one.ends_with("… (10 more characters not shown)"),
            "{}",
            &one[LINE_MAX..]
        );
        assert_eq!(line(&"y".repeat(LINE_MAX)).as_str().len(), LINE_MAX);
        assert!(lines(&"z\n".repeat(BLOCK_MAX)).as_str().len() < BLOCK_MAX + 64);
    }

    #[test]
    fn json_escapes_c1_and_bidi_controls() {
        let value = serde_json::json!({ "arn": HOSTILE });
        let text = json(&value);
        assert!(!text.chars().any(|c| is_unsafe(c) && c != '\n'), "{text:?}");
        assert!(text.contains(r"\u009b31m\u0085\u202eb"), "{text}");
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(printable("line\nnext"), "line\nnext");
        assert_eq!(one_line("a\u{1b}b\n  c\td"), "a\\u{1b}b c d");
    }

    #[test]
    fn durations_are_short() {
        assert_eq!(short_duration(Duration::from_secs(59)), "59s");
        assert_eq!(short_duration(Duration::from_secs(61)), "1m01s");
        assert_eq!(short_duration(Duration::from_secs(3 * 3600 + 120)), "3h02m");
        let now = SystemTime::now();
        assert_eq!(countdown(now - Duration::from_secs(1), now), "expired");
    }

    #[test]
    fn shell_words_are_quoted() {
        assert_eq!(shell_quote("corp"), "corp");
        assert_eq!(shell_quote("corp;curl x|sh"), "'corp;curl x|sh'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    /// Raw writes allowed: (file, pattern or "*" for all, why).
    const RAW_WRITERS: &[(&str, &str, &str)] = &[
        (
            "src/commands/console.rs",
            "out.write_all(",
            "the sign-in URL the user asked for: url::Url's serialization, percent-encoded ASCII",
        ),
        ("src/text.rs", "*", "the sanitizer and its writers"),
        (
            "src/platform.rs",
            "\"/dev/tty\"",
            "names the terminal device; src/tty.rs opens it",
        ),
        ("src/main.rs", "io::stdout(", "hands stdout to the commands"),
        (
            "src/tui/terminal.rs",
            "*",
            "ratatui's backend; the views draw only text::line output",
        ),
        (
            "src/clipboard.rs",
            "tty::open",
            "OSC 52 carries base64 of what the user asked to copy",
        ),
        (
            "src/clipboard/keeper.rs",
            "tty::open",
            "OSC 52 clearing and the keeper's handshake",
        ),
        (
            "src/commands/tui.rs",
            "tty::open",
            "the TUI's subshell gets /dev/tty as its stdio",
        ),
        (
            "src/prompt.rs",
            "tty::open",
            "reads the MFA code from /dev/tty; writes through text::put",
        ),
        (
            "src/commands/handover.rs",
            "out.write_all(",
            "the export payload, quoted by export.rs",
        ),
        (
            "src/commands/init.rs",
            "out.write_all(",
            "the init script and clap's completions",
        ),
        (
            "src/commands/tui.rs",
            "out.write_all(",
            "the picked profile's export payload, quoted by export.rs",
        ),
    ];

    /// Writes that bypass the sanitizer anywhere in `src/`.
    const RAW_PATTERNS: &[&str] = &[
        "eprintln!(",
        "eprint!(",
        "println!(",
        "print!(",
        "io::stderr(",
        "io::stdout(",
        "\"/dev/tty\"",
        "tty::open",
    ];

    /// Writes to a command's stdout (`out`) that bypass [`put`] and [`put_json`].
    const RAW_STDOUT_PATTERNS: &[&str] = &["writeln!(out", "write!(out", "out.write_all("];

    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// One way to the terminal: a new raw write anywhere in `src/` fails this test.
    #[test]
    fn no_raw_terminal_writes_outside_the_sanitizer() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        sources(&root.join("src"), &mut files);
        let mut raw = Vec::new();
        for file in files {
            let rel = file
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let stdout = rel.starts_with("src/commands/").then_some(RAW_STDOUT_PATTERNS);
            let patterns = RAW_PATTERNS.iter().chain(stdout.into_iter().flatten());
            let patterns: Vec<&str> = patterns
                .copied()
                .filter(|p| {
                    !RAW_WRITERS
                        .iter()
                        .any(|(f, q, _)| *f == rel && (*q == "*" || q == p))
                })
                .collect();
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, l) in text.lines().enumerate() {
                let code = l.split("//").next().unwrap_or_default();
                if let Some(p) = patterns.iter().find(|p| code.contains(**p)) {
                    raw.push(format!("{rel}:{}: {p} in {}", n + 1, l.trim()));
                }
            }
        }
        assert!(
            raw.is_empty(),
            "write terminal text through src/text.rs (text::put, put_json, eprint, eprintln, tty):\n{}",
            raw.join("\n")
        );
    }
}
