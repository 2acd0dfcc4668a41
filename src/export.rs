//! Renders credentials as text for a shell, a `credential_process` consumer or a file:
//! pure `render(&ExportInput, Format) -> Result<String>`, no I/O.
//!
//! [`env_pairs`] is the single list of variables to set and unset; every shell format,
//! `exec` and `shell` are built from it. Quoting is the point of this module: whatever a
//! value or profile name contains, evaluating the output can only assign variables.
//!
//! - `env`, `env-no-export` (bash, zsh, dash, ksh): POSIX single quotes, `'` as `'\''`.
//! - `fish`: fish single quotes, where only `\\` and `\'` are escapes.
//! - `powershell`: single-quoted literals (all four of PowerShell's single-quote characters
//!   are doubled); every character outside printable ASCII is written as `[char]0xXXXX`,
//!   so the output is pure ASCII and no console code page can turn a byte into a quote.
//! - `windows-cmd`: `set "NAME=value"`. cmd.exe has no quoting that survives `%`, `!`,
//!   `"` or line breaks, so values containing `"`, `%`, `!`, a control character or any
//!   non-ASCII character are refused with [`ExportError::Unrepresentable`].
//! - `dotenv`: `NAME='value'`, read alike by python-dotenv, Docker Compose, Node's dotenv
//!   and `set -a; . ./.env`. Values containing `'`, `\` or a line break are refused (those
//!   readers disagree on them). Unsets cannot be expressed and are left out.
//! - `process`, `json`: JSON via serde_json.
//!
//! A NUL byte cannot live in an environment variable: every shell format refuses it.

mod more_shells;

use crate::creds::{Credentials, rfc3339};
use serde_json::json;
use std::fmt::Write as _;
use std::str::FromStr;

/// What to export: [`crate::creds::ProfileCredentials`], made by
/// [`crate::resolve::Resolution::handover`].
pub use crate::creds::ProfileCredentials as ExportInput;

/// Output formats; names follow `aws configure export-credentials --format`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// `export NAME='value'` for bash, zsh and other POSIX shells.
    #[default]
    Env,
    /// `NAME='value'` without `export`.
    EnvNoExport,
    /// `set -gx NAME 'value'` for fish.
    Fish,
    /// `$Env:NAME = '…'` for PowerShell.
    Powershell,
    /// `set "NAME=value"` for cmd.exe.
    WindowsCmd,
    /// The JSON a `credential_process` prints (`Version: 1`).
    Process,
    /// Identity, credentials, region and profile as JSON.
    Json,
    /// `NAME='value'` lines for a `.env` file.
    Dotenv,
    /// `{"set": {…}, "unset": […]}` for nushell's `rsw` (`rswitch init nu`).
    Nushell,
    /// `setenv NAME 'value';` for tcsh and csh.
    Tcsh,
}

impl Format {
    /// The name used on the command line (`env-no-export`, `windows-cmd`, …).
    pub fn name(self) -> &'static str {
        match self {
            Format::Env => "env",
            Format::EnvNoExport => "env-no-export",
            Format::Fish => "fish",
            Format::Powershell => "powershell",
            Format::WindowsCmd => "windows-cmd",
            Format::Process => "process",
            Format::Json => "json",
            Format::Dotenv => "dotenv",
            Format::Nushell => "nushell",
            Format::Tcsh => "tcsh",
        }
    }
}

impl FromStr for Format {
    type Err = ExportError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        <Format as clap::ValueEnum>::from_str(s, false).map_err(|_| ExportError::UnknownFormat(s.to_string()))
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ExportError {
    #[error(
        "unknown format '{0}' (expected env, env-no-export, fish, powershell, windows-cmd, process, json, dotenv, nushell or tcsh)"
    )]
    UnknownFormat(String),
    /// The value is not shown: it may be a secret.
    #[error("{var} cannot be written in the {format} format: its value contains {what}")]
    Unrepresentable {
        var: String,
        format: &'static str,
        what: String,
    },
}

/// The variables to set (`Some`) and unset (`None`), unsets first.
///
/// Set: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
/// `AWS_CREDENTIAL_EXPIRATION` and `RSWITCH_RENEW_AT` (for the prompt hook, see
/// [`renew_epoch`]) when present, `AWS_REGION` and `AWS_DEFAULT_REGION` when a region is
/// known, `RSWITCH_PROFILE`. Unset: `AWS_PROFILE` and `AWS_DEFAULT_PROFILE` (a profile
/// variable would make some tools ignore the exported keys), the legacy
/// `AWS_SECURITY_TOKEN` (always stale), a served shell's endpoint variables, and
/// `AWS_SESSION_TOKEN` / `AWS_CREDENTIAL_EXPIRATION` / `RSWITCH_RENEW_AT` when the
/// credentials have none, so that a previous session's token is never paired with
/// long-term keys.
pub fn env_pairs(input: &ExportInput) -> Vec<(String, Option<String>)> {
    let c = &input.credentials;
    let token = c.session_token.as_ref().map(|t| t.expose().to_string());
    let expiration = c.expiration.map(rfc3339);
    let mut unset = vec!["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"];
    if token.is_none() {
        unset.push("AWS_SESSION_TOKEN");
    }
    if expiration.is_none() {
        unset.push("AWS_CREDENTIAL_EXPIRATION");
        unset.push("RSWITCH_RENEW_AT");
    }
    // A served shell's variables must not outlive a switch to exported keys.
    unset.extend([
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        "RSWITCH_SERVED",
    ]);
    let mut pairs: Vec<(String, Option<String>)> = unset.into_iter().map(|k| (k.to_string(), None)).collect();
    let mut set = |k: &str, v: String| pairs.push((k.to_string(), Some(v)));
    set("AWS_ACCESS_KEY_ID", c.access_key_id.clone());
    set("AWS_SECRET_ACCESS_KEY", c.secret_access_key.expose().to_string());
    if let Some(t) = token {
        set("AWS_SESSION_TOKEN", t);
    }
    if let Some(e) = expiration {
        set("AWS_CREDENTIAL_EXPIRATION", e);
    }
    if let Some(at) = c.expiration.map(renew_epoch) {
        set("RSWITCH_RENEW_AT", at.to_string());
    }
    if let Some(r) = &input.region {
        set("AWS_REGION", r.clone());
        set("AWS_DEFAULT_REGION", r.clone());
    }
    set("RSWITCH_PROFILE", input.profile.clone());
    pairs
}

/// When the prompt hook of `rswitch init` re-exports credentials expiring at `expiration`,
/// in seconds since the epoch: as the credential server renews (15 minutes before expiry,
/// or after two thirds of a shorter life, counted from now).
pub(crate) fn renew_epoch(expiration: std::time::SystemTime) -> u64 {
    let at = crate::serve::renew::renew_at(std::time::SystemTime::now(), expiration);
    at.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Renders `input` in `format`. Output ends with a newline.
pub fn render(input: &ExportInput, format: Format) -> Result<String, ExportError> {
    match format {
        Format::Process => Ok(json_text(&process_json(input))),
        Format::Json => Ok(json_text(&full_json(input))),
        _ => render_env(&env_pairs(input), format),
    }
}

/// Renders set/unset pairs as shell code (or dotenv lines) in `format`.
/// `process` and `json` are not variable lists: they render as `env`.
pub fn render_env(pairs: &[(String, Option<String>)], format: Format) -> Result<String, ExportError> {
    if format == Format::Nushell {
        for (var, v) in pairs {
            if let Some(v) = v {
                check_no_nul(var, v, format)?;
            }
        }
        return Ok(more_shells::nushell(pairs));
    }
    let mut out = String::new();
    for (var, value) in pairs {
        if let Some(v) = value {
            check_no_nul(var, v, format)?;
        }
        // Variable names are ours (fixed ASCII identifiers), never user input.
        let line = match (format, value) {
            (Format::Env | Format::Process | Format::Json, Some(v)) => {
                format!("export {var}={}", posix_quote(v))
            }
            (Format::EnvNoExport, Some(v)) => format!("{var}={}", posix_quote(v)),
            (Format::Env | Format::EnvNoExport | Format::Process | Format::Json, None) => {
                format!("unset {var}")
            }
            (Format::Fish, Some(v)) => format!("set -gx {var} {}", fish_quote(v)),
            // `set -e` of an unset variable fails (status 4), and fish's `set` keeps the
            // previous status: without `or true`, `rsw` and `… | source` would report failure.
            (Format::Fish, None) => format!("set -e {var}; or true"),
            (Format::Powershell, Some(v)) => format!("$Env:{var} = {}", powershell_literal(v)),
            (Format::Powershell, None) => {
                format!("Remove-Item -Path Env:{var} -ErrorAction SilentlyContinue")
            }
            (Format::WindowsCmd, Some(v)) => format!("set \"{var}={}\"", cmd_value(var, v)?),
            (Format::WindowsCmd, None) => format!("set \"{var}=\""),
            (Format::Dotenv, Some(v)) => format!("{var}='{}'", dotenv_value(var, v)?),
            (Format::Dotenv, None) => continue,
            (Format::Tcsh, Some(v)) => format!("setenv {var} {};", more_shells::tcsh_quote(var, v)?),
            (Format::Tcsh, None) => format!("unsetenv {var};"),
            // Rendered whole above.
            (Format::Nushell, _) => continue,
        };
        out.push_str(&line);
        out.push_str(if format == Format::WindowsCmd {
            "\r\n"
        } else {
            "\n"
        });
    }
    Ok(out)
}

fn check_no_nul(var: &str, v: &str, format: Format) -> Result<(), ExportError> {
    if v.contains('\0') {
        return Err(unrepresentable(var, format, "a NUL byte"));
    }
    Ok(())
}

fn unrepresentable(var: &str, format: Format, what: &str) -> ExportError {
    ExportError::Unrepresentable {
        var: var.to_string(),
        format: format.name(),
        what: what.to_string(),
    }
}

/// POSIX single quotes: everything literal up to the next `'`; a `'` is `'\''`.
pub fn posix_quote(v: &str) -> String {
    format!("'{}'", v.replace('\'', r"'\''"))
}

/// fish single quotes: only `\\` and `\'` are escapes inside them.
pub(crate) fn fish_quote(v: &str) -> String {
    format!("'{}'", v.replace('\\', r"\\").replace('\'', r"\'"))
}

/// A PowerShell expression for `v` made only of printable ASCII: single-quoted runs
/// joined with `[char]0xXXXX` for every other UTF-16 unit (newlines, non-ASCII, …).
pub(crate) fn powershell_literal(v: &str) -> String {
    // Starts with a string literal so that `+` concatenates instead of adding char codes.
    let mut out = String::from("'");
    let mut in_quote = true;
    for c in v.chars() {
        if c == ' ' || c.is_ascii_graphic() {
            if !in_quote {
                out.push_str(" + '");
                in_quote = true;
            }
            out.push(c);
            if c == '\'' {
                out.push(c);
            }
        } else {
            if in_quote {
                out.push('\'');
                in_quote = false;
            }
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, " + [char]0x{u:04X}");
            }
        }
    }
    if in_quote {
        out.push('\'');
    }
    out
}

fn cmd_value<'a>(var: &str, v: &'a str) -> Result<&'a str, ExportError> {
    let f = Format::WindowsCmd;
    for c in v.chars() {
        let what = match c {
            '"' => "a double quote",
            '%' => "'%'",
            '!' => "'!'",
            c if c.is_ascii_control() => "a control character or line break",
            c if !c.is_ascii() => "a non-ASCII character",
            _ => continue,
        };
        return Err(unrepresentable(var, f, what));
    }
    Ok(v)
}

fn dotenv_value<'a>(var: &str, v: &'a str) -> Result<&'a str, ExportError> {
    let f = Format::Dotenv;
    if v.contains('\'') {
        return Err(unrepresentable(var, f, "a single quote"));
    }
    if v.contains('\\') {
        return Err(unrepresentable(var, f, "a backslash"));
    }
    if v.contains(['\n', '\r']) {
        return Err(unrepresentable(var, f, "a line break"));
    }
    Ok(v)
}

fn json_text(v: &serde_json::Value) -> String {
    // Pretty, with C1 and bidi controls escaped as everywhere rswitch prints JSON.
    let mut s = crate::text::json(v);
    s.push('\n');
    s
}

fn credentials_json(c: &Credentials, version: bool) -> serde_json::Value {
    let mut m = serde_json::Map::new();
    if version {
        m.insert("Version".into(), json!(1));
    }
    m.insert("AccessKeyId".into(), json!(c.access_key_id));
    m.insert("SecretAccessKey".into(), json!(c.secret_access_key.expose()));
    if let Some(t) = &c.session_token {
        m.insert("SessionToken".into(), json!(t.expose()));
    }
    if let Some(e) = c.expiration {
        m.insert("Expiration".into(), json!(rfc3339(e)));
    }
    serde_json::Value::Object(m)
}

fn process_json(input: &ExportInput) -> serde_json::Value {
    credentials_json(&input.credentials, true)
}

fn full_json(input: &ExportInput) -> serde_json::Value {
    let identity = input.identity.as_ref().map(|i| {
        json!({
            "Account": i.account,
            "Arn": i.arn,
            "UserId": i.user_id,
        })
    });
    json!({
        "Profile": input.profile,
        "Region": input.region,
        "Identity": identity,
        "Credentials": credentials_json(&input.credentials, false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::Secret;
    use std::time::{Duration, UNIX_EPOCH};

    fn input(token: Option<&str>, region: Option<&str>) -> ExportInput {
        ExportInput {
            profile: "dev".into(),
            credentials: Credentials {
                access_key_id: "AKIAEXAMPLE".into(),
                secret_access_key: Secret::new("se/cr+et"),
                session_token: token.map(Secret::new),
                expiration: token.map(|_| UNIX_EPOCH + Duration::from_secs(1_786_192_496)),
            },
            identity: None,
            region: region.map(str::to_string),
        }
    }

    #[test]
    fn format_names_round_trip() {
        use clap::ValueEnum;
        for f in Format::value_variants() {
            assert_eq!(f.name().parse::<Format>(), Ok(*f));
            assert_eq!(
                f.to_possible_value().map(|p| p.get_name().to_string()),
                Some(f.name().to_string())
            );
        }
        assert!(matches!(
            "bash".parse::<Format>(),
            Err(ExportError::UnknownFormat(_))
        ));
    }

    #[test]
    fn env_sets_and_unsets() {
        let out = render(&input(Some("tok"), Some("eu-west-1")), Format::Env).unwrap();
        assert_eq!(
            out,
            "unset AWS_PROFILE\nunset AWS_DEFAULT_PROFILE\nunset AWS_SECURITY_TOKEN\n\
             unset AWS_CONTAINER_CREDENTIALS_FULL_URI\nunset AWS_CONTAINER_AUTHORIZATION_TOKEN\n\
             unset RSWITCH_SERVED\n\
             export AWS_ACCESS_KEY_ID='AKIAEXAMPLE'\nexport AWS_SECRET_ACCESS_KEY='se/cr+et'\n\
             export AWS_SESSION_TOKEN='tok'\nexport AWS_CREDENTIAL_EXPIRATION='2026-08-08T12:34:56Z'\n\
             export RSWITCH_RENEW_AT='1786192496'\n\
             export AWS_REGION='eu-west-1'\nexport AWS_DEFAULT_REGION='eu-west-1'\nexport RSWITCH_PROFILE='dev'\n"
        );
        let out = render(&input(None, None), Format::Env).unwrap();
        assert!(out.contains("unset AWS_SESSION_TOKEN\n"));
        assert!(out.contains("unset AWS_CREDENTIAL_EXPIRATION\n"));
        assert!(out.contains("unset RSWITCH_RENEW_AT\n"));
        assert!(!out.contains("AWS_REGION"));
    }

    #[test]
    fn renewal_is_due_fifteen_minutes_before_an_hour_ends_and_at_expiry_when_past() {
        let now = std::time::SystemTime::now();
        let secs = |t: std::time::SystemTime| t.duration_since(UNIX_EPOCH).unwrap().as_secs();
        let in_an_hour = now + Duration::from_secs(3600);
        let due = renew_epoch(in_an_hour);
        assert!(due.abs_diff(secs(in_an_hour) - 900) <= 1, "{due}");
        let past = UNIX_EPOCH + Duration::from_secs(1_786_192_496);
        assert_eq!(renew_epoch(past), 1_786_192_496);
    }

    #[test]
    fn process_json_shape() {
        let out = render(&input(Some("tok"), None), Format::Process).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["Version"], 1);
        assert_eq!(v["SessionToken"], "tok");
        assert_eq!(v["Expiration"], "2026-08-08T12:34:56Z");
        let out = render(&input(None, None), Format::Process).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert!(v.get("SessionToken").is_none() && v.get("Expiration").is_none());
    }

    #[test]
    fn powershell_is_ascii_and_doubles_every_single_quote() {
        assert_eq!(powershell_literal("a'b"), "'a''b'");
        assert_eq!(powershell_literal("x\u{2019}y"), "'x' + [char]0x2019 + 'y'");
        assert_eq!(powershell_literal("\n"), "'' + [char]0x000A");
        assert_eq!(powershell_literal("😀"), "'' + [char]0xD83D + [char]0xDE00");
        assert_eq!(powershell_literal(""), "''");
    }

    #[test]
    fn cmd_and_dotenv_refuse_what_they_cannot_hold() {
        let mut i = input(None, None);
        for bad in ["a%PATH%", "x!y", "q\"", "a\r\nb", "é"] {
            i.profile = bad.into();
            let e = render(&i, Format::WindowsCmd).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("RSWITCH_PROFILE cannot be written in the windows-cmd"),
                "{e}"
            );
            assert!(!e.to_string().contains(bad), "value leaked into the error: {e}");
        }
        i.profile = "a&b|c<d>e^f(g)".into();
        assert!(
            render(&i, Format::WindowsCmd)
                .unwrap()
                .contains("set \"RSWITCH_PROFILE=a&b|c<d>e^f(g)\"\r\n")
        );
        for bad in ["it's", "a\\b", "a\nb"] {
            i.profile = bad.into();
            assert!(render(&i, Format::Dotenv).is_err());
        }
        i.profile = "nul\0".into();
        assert!(render(&i, Format::Env).is_err());
        assert!(render(&i, Format::Json).is_ok());
    }
}
