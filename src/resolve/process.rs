//! `credential_process`: runs the configured command and reads the credentials it prints.
//!
//! Same semantics as aws-config's `CredentialProcessProvider` and botocore's
//! `ProcessProvider` where they agree: the command runs through the shell (`sh -c`, as
//! aws-config does; `cmd.exe /C` on Windows), a non-zero exit is an error carrying its
//! stderr, stdout must be a JSON object with `"Version": 1`, `AccessKeyId` and
//! `SecretAccessKey` (strings), and optionally `SessionToken` and `Expiration`. Keys are
//! matched exactly, as botocore does (aws-config ignores their case). `Expiration` is read
//! as botocore reads cached timestamps ([`crate::cache::parse_expiration`]).
//!
//! Unlike both, the process is bounded:
//! - it runs in a process group of its own; on timeout, on an error, when the caller
//!   stops waiting (the future is dropped) and after it exits, the whole group is
//!   killed, so no helper or grandchild outlives rswitch's `--timeout`. An rswitch that
//!   is itself run by a `credential_process` of rswitch (see [`crate::nesting`]) keeps
//!   its helpers in the group it was started in: the topmost rswitch kills them all at
//!   once, however deep the chain, and a killed rswitch in the middle orphans nothing;
//! - stdin is closed, stdout is read up to [`MAX_STDOUT_BYTES`] (the protocol's JSON is
//!   well under 10 KB: more is an error, and the process is killed at once), stderr is
//!   kept up to [`MAX_STDERR_BYTES`] and the rest discarded;
//! - errors never quote stdout (it holds secrets); stderr is made printable.
//!
//! Being in the background, the group does not get the terminal's Ctrl-C: the binary
//! cancels the command on SIGINT, SIGTERM and SIGHUP, which drops this future and so
//! kills the group.
//!
//! A helper that prompts on the terminal runs in a background process group: it can
//! write to the terminal but not read from it.

use crate::creds::{Credentials, Secret};
use serde_json::Value;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The most stdout read from a `credential_process`.
pub(crate) const MAX_STDOUT_BYTES: usize = 64 * 1024;
/// The most stderr kept for an error message.
pub(crate) const MAX_STDERR_BYTES: usize = 4 * 1024;

#[derive(Debug, thiserror::Error)]
pub(crate) enum ProcessError {
    #[error("cannot start the credential_process: {0}")]
    Spawn(std::io::Error),
    #[error("credential_process output exceeds {MAX_STDOUT_BYTES} bytes; it was stopped")]
    TooLarge,
    #[error("credential_process failed ({status}){}", stderr_part(.stderr))]
    Failed { status: String, stderr: String },
    #[error("credential_process timed out after {0} s; it was stopped")]
    TimedOut(u64),
    #[error("credential_process output is invalid: {0}")]
    Invalid(#[from] InvalidOutput),
    #[error("reading the credential_process output: {0}")]
    Io(std::io::Error),
}

/// What is wrong with a `credential_process` output. Never quotes a value from it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InvalidOutput {
    #[error("not JSON ({0})")]
    Json(String),
    #[error("not a JSON object")]
    NotAnObject,
    #[error("missing Version; supported versions: 1")]
    NoVersion,
    #[error("unsupported Version {0}; supported versions: 1")]
    Version(String),
    #[error("missing required key {0}")]
    Missing(&'static str),
    #[error("{0} is not a string")]
    NotAString(&'static str),
    #[error("Expiration is not a timestamp")]
    Expiration,
}

fn stderr_part(stderr: &str) -> String {
    if stderr.is_empty() {
        String::new()
    } else {
        format!(": {stderr}")
    }
}

/// Parses what a `credential_process` printed (Version 1).
pub fn parse_output(stdout: &[u8]) -> Result<Credentials, InvalidOutput> {
    // serde_json's messages name a line and column, never the text.
    let v: Value = serde_json::from_slice(stdout).map_err(|e| InvalidOutput::Json(e.to_string()))?;
    let Value::Object(map) = v else {
        return Err(InvalidOutput::NotAnObject);
    };
    match map.get("Version") {
        None => return Err(InvalidOutput::NoVersion),
        Some(Value::Number(n)) if n.as_f64() == Some(1.0) => {}
        Some(Value::Number(n)) => return Err(InvalidOutput::Version(n.to_string())),
        Some(_) => return Err(InvalidOutput::Version("(not a number)".to_string())),
    }
    let required = |key: &'static str| match map.get(key) {
        None => Err(InvalidOutput::Missing(key)),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(InvalidOutput::NotAString(key)),
    };
    let optional = |key: &'static str| match map.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(InvalidOutput::NotAString(key)),
    };
    let access_key_id = required("AccessKeyId")?;
    let secret_access_key = Secret::new(required("SecretAccessKey")?);
    let session_token = optional("SessionToken")?.map(Secret::new);
    let expiration = match map.get("Expiration") {
        None | Some(Value::Null) => None,
        Some(v) => Some(crate::cache::parse_expiration(v).ok_or(InvalidOutput::Expiration)?),
    };
    Ok(Credentials {
        access_key_id,
        secret_access_key,
        session_token,
        expiration,
    })
}

/// Runs `command` with `vars` added to the environment, within `timeout`; in a process
/// group of its own (killed after) when `own_group`, else in this process's group.
pub(crate) async fn run(
    command: &str,
    vars: &[(&str, String)],
    timeout: Duration,
    own_group: bool,
) -> Result<Credentials, ProcessError> {
    let mut cmd = crate::platform::shell_command(command);
    cmd.envs(vars.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if own_group {
        crate::platform::own_group(&mut cmd);
    }
    let mut child = cmd.spawn().map_err(ProcessError::Spawn)?;
    // Declared after `child`, so dropped before it: the group dies first.
    let _group = Group(child.id().filter(|_| own_group));
    let (stdout, stderr) = (child.stdout.take(), child.stderr.take());
    let work = async {
        let (out, err, status) = tokio::try_join!(read_capped(stdout), read_kept(stderr), async {
            child.wait().await.map_err(ProcessError::Io)
        },)?;
        if !status.success() {
            return Err(ProcessError::Failed {
                status: status.to_string(),
                stderr: err,
            });
        }
        Ok(parse_output(&out)?)
    };
    match tokio::time::timeout(timeout, work).await {
        Ok(result) => result,
        Err(_) => Err(ProcessError::TimedOut(timeout.as_secs_f32().ceil() as u64)),
    }
}

/// Stdout, or [`ProcessError::TooLarge`] as soon as it passes the cap.
async fn read_capped(out: Option<impl AsyncRead + Unpin>) -> Result<Vec<u8>, ProcessError> {
    let mut bytes = Vec::new();
    if let Some(out) = out {
        out.take(MAX_STDOUT_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .await
            .map_err(ProcessError::Io)?;
    }
    if bytes.len() > MAX_STDOUT_BYTES {
        return Err(ProcessError::TooLarge);
    }
    Ok(bytes)
}

/// The start of stderr, printable; the rest is read and dropped so the process never
/// blocks on a full pipe.
async fn read_kept(err: Option<impl AsyncRead + Unpin>) -> Result<String, ProcessError> {
    let Some(mut err) = err else {
        return Ok(String::new());
    };
    let mut kept = Vec::new();
    (&mut err)
        .take(MAX_STDERR_BYTES as u64)
        .read_to_end(&mut kept)
        .await
        .map_err(ProcessError::Io)?;
    let dropped = tokio::io::copy(&mut err, &mut tokio::io::sink())
        .await
        .map_err(ProcessError::Io)?;
    // Until one sanitizer exists for all outside text, `printable` is it.
    let mut text = crate::text::printable(String::from_utf8_lossy(&kept).trim());
    if dropped > 0 {
        text.push_str(&format!(" … ({dropped} more bytes)"));
    }
    Ok(text)
}

/// Kills the process group led by the child when dropped.
struct Group(Option<u32>);

impl Drop for Group {
    fn drop(&mut self) {
        if let Some(pid) = self.0 {
            crate::platform::kill_group(pid);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_version_1() {
        let c = parse_output(
            br#"{"Version": 1, "AccessKeyId": "ASIA", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2026-08-08T12:34:56Z"}"#,
        )
        .unwrap();
        assert_eq!(c.access_key_id, "ASIA");
        assert_eq!(c.secret_access_key.expose(), "s");
        assert_eq!(c.session_token.unwrap().expose(), "t");
        assert!(c.expiration.is_some());
        let c = parse_output(br#"{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "s"}"#).unwrap();
        assert_eq!((c.session_token, c.expiration), (None, None));
    }

    #[test]
    fn errors_never_quote_the_output() {
        let secret = "wJalrXUtnFEMI-SECRET";
        for (bad, want) in [
            (
                format!(r#"{{"Version": 2, "SecretAccessKey": "{secret}"}}"#),
                "unsupported Version 2",
            ),
            (
                format!(r#"{{"Version": "{secret}"}}"#),
                "unsupported Version (not a number)",
            ),
            (
                format!(r#"{{"Version": 1, "SecretAccessKey": "{secret}"}}"#),
                "missing required key AccessKeyId",
            ),
            (
                format!(r#"{{"Version": 1, "AccessKeyId": 5, "SecretAccessKey": "{secret}"}}"#),
                "AccessKeyId is not a string",
            ),
            (
                format!(
                    r#"{{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "{secret}", "Expiration": "{secret}"}}"#
                ),
                "Expiration is not a timestamp",
            ),
            (
                format!(
                    r#"{{"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "{secret}", "Expiration": 1e20}}"#
                ),
                "Expiration is not a timestamp",
            ),
            (
                format!(r#"{{"Version": 1, "SecretAccessKey": "{secret}"#),
                "not JSON",
            ),
            (format!("[\"{secret}\"]"), "not a JSON object"),
            (secret.to_string(), "not JSON"),
        ] {
            let err = parse_output(bad.as_bytes()).unwrap_err().to_string();
            assert!(err.contains(want), "{bad}: {err}");
            assert!(!err.contains(secret), "{err}");
        }
    }
}
