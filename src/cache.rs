//! The assume-role credential cache on disk, shared with the AWS CLI: same directory
//! (`~/.aws/cli/cache`, [`Env::cli_cache_dir`]), same file names and the same JSON as
//! botocore's `JSONFileCache`, so a role assumed by rswitch is reused by `aws` and the
//! other way round. Never calls STS itself.
//!
//! botocore (`BaseAssumeRoleCredentialFetcher._create_cache_key`) names an entry
//! `sha1(json.dumps(args, sort_keys=True)).hexdigest() + ".json"`, where `args` holds
//! `RoleArn` and, only when configured, `RoleSessionName` (an empty name counts as none:
//! botocore generates one and leaves it out), `ExternalId`, `SerialNumber` and
//! `DurationSeconds` (an int). `TokenCode` is never part of the key, so an MFA role's
//! entry is found again without a new code. The profile-driven providers never pass
//! `Policy`, `PolicyArns` or `Tags`, so they are not supported here either. Web-identity
//! profiles use the same key with only `RoleArn` and `RoleSessionName`.
//!
//! An entry is used while at least [`EXPIRY_WINDOW`] (botocore's
//! `DEFAULT_EXPIRY_WINDOW_SECONDS`, 15 minutes) is left. Missing, expired, unreadable or
//! foreign-shaped files read as `None`, never as an error.
//!
//! MFA sessions (`GetSessionToken` for a source user and `mfa_serial`) are cached in the
//! subdirectory [`MFA_SUBDIR`], which botocore never reads, so one MFA code serves every
//! role reached from the same user and device.
//!
//! Files are written 0600 through a temporary file and a rename in the same directory
//! (concurrent writers never leave a torn entry); directories are created 0700.
//!
//! Entries are read as untrusted input ([`read_entry`]): at most [`MAX_ENTRY_BYTES`], a
//! FIFO, device or symlink out of the directory is skipped with a warning, timestamps
//! far out of range read as no entry (never a panic). A directory other users can write
//! to (or that another user owns) is neither read nor written: a warning says which and
//! how to fix it, and rswitch resolves without the cache.

mod botocore;
mod file;

pub(crate) use botocore::python_json_dumps;
pub use botocore::{format_expiration, parse_expiration};
pub(crate) use file::read_foreign;
pub use file::{MAX_ENTRY_BYTES, read_entry};

use crate::arn::account_of;
use crate::creds::{Credentials, Secret};
use crate::env::Env;
use serde_json::{Map, Value, json};
use sha1::{Digest, Sha1};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Entries with less than this left are treated as expired, as botocore does.
pub const EXPIRY_WINDOW: Duration = Duration::from_secs(15 * 60);

/// rswitch's own subdirectory of the CLI cache, for MFA sessions.
pub const MFA_SUBDIR: &str = "rswitch-mfa";

/// The name of one assume-role cache entry (a SHA-1 hex digest).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey(String);

impl CacheKey {
    /// The key botocore computes for a profile with these settings. Pass the values as
    /// configured: `session_name` only when `role_session_name` is set (not a generated
    /// default), `duration_seconds` only when `duration_seconds` parses as an integer.
    pub fn for_role(
        role_arn: &str,
        session_name: Option<&str>,
        external_id: Option<&str>,
        serial_number: Option<&str>,
        duration_seconds: Option<i64>,
    ) -> CacheKey {
        CacheKey(sha1_hex(&Self::args_json(
            role_arn,
            session_name,
            external_id,
            serial_number,
            duration_seconds,
        )))
    }

    /// The text that is hashed: `json.dumps(args, sort_keys=True)`.
    pub(crate) fn args_json(
        role_arn: &str,
        session_name: Option<&str>,
        external_id: Option<&str>,
        serial_number: Option<&str>,
        duration_seconds: Option<i64>,
    ) -> String {
        let mut args = Map::new();
        args.insert("RoleArn".into(), json!(role_arn));
        if let Some(name) = session_name.filter(|n| !n.is_empty()) {
            args.insert("RoleSessionName".into(), json!(name));
        }
        if let Some(id) = external_id {
            args.insert("ExternalId".into(), json!(id));
        }
        if let Some(serial) = serial_number {
            args.insert("SerialNumber".into(), json!(serial));
        }
        if let Some(d) = duration_seconds {
            args.insert("DurationSeconds".into(), json!(d));
        }
        python_json_dumps(&Value::Object(args), true)
    }

    /// The hex digest.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `<sha1 hex>.json`
    pub fn file_name(&self) -> String {
        format!("{}.json", self.0)
    }
}

/// The key of a cached MFA session: one source user (its access key id), one MFA device.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MfaKey(String);

impl MfaKey {
    pub fn new(source_access_key_id: &str, mfa_serial: &str, duration_seconds: Option<i64>) -> MfaKey {
        let mut args = Map::new();
        args.insert("SourceAccessKeyId".into(), json!(source_access_key_id));
        args.insert("SerialNumber".into(), json!(mfa_serial));
        if let Some(d) = duration_seconds {
            args.insert("DurationSeconds".into(), json!(d));
        }
        MfaKey(sha1_hex(&python_json_dumps(&Value::Object(args), true)))
    }

    pub fn file_name(&self) -> String {
        format!("{}.json", self.0)
    }
}

/// Lower-case hex SHA-1 of `text`, as botocore names its cache files (here and for the
/// SSO token cache).
pub(crate) fn sha1_hex(text: &str) -> String {
    Sha1::digest(text.as_bytes())
        .iter()
        .fold(String::with_capacity(40), |mut s, b| {
            use std::fmt::Write as _;
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// An assumed role's credentials, as kept in the cache.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedRole {
    /// `expiration` is always `Some(self.expiration)` on entries read back.
    pub credentials: Credentials,
    /// `AssumedRoleUser.Arn`, e.g. `arn:aws:sts::123456789012:assumed-role/Admin/alice`.
    pub assumed_role_arn: String,
    /// `AssumedRoleUser.AssumedRoleId`, e.g. `AROA…:alice`.
    pub assumed_role_id: String,
    pub expiration: SystemTime,
}

impl CachedRole {
    /// The account id from the assumed-role ARN (what botocore stores as `AccountId`).
    pub(crate) fn account_id(&self) -> Option<&str> {
        account_of(&self.assumed_role_arn)
    }
}

/// A `GetSessionToken` result kept so that one MFA code serves several roles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CachedSession {
    pub credentials: Credentials,
    pub expiration: SystemTime,
}

/// The cache directory and the operations on it.
#[derive(Clone, Debug)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: impl Into<PathBuf>) -> Cache {
        Cache { dir: dir.into() }
    }

    /// The AWS CLI's cache, `~/.aws/cli/cache`.
    pub(crate) fn for_env(env: &Env) -> Cache {
        Cache::new(env.cli_cache_dir())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(key.file_name())
    }

    fn mfa_path(&self, key: &MfaKey) -> PathBuf {
        self.dir.join(MFA_SUBDIR).join(key.file_name())
    }

    /// The cached role, if present, well-formed and valid for at least [`EXPIRY_WINDOW`]
    /// after `now`.
    pub fn get(&self, key: &CacheKey, now: SystemTime) -> Option<CachedRole> {
        parse_role(&read_foreign(&self.dir, &self.path(key))?, now)
    }

    /// Writes `role` under `key`, as botocore would have written the AssumeRole response.
    pub fn put(&self, key: &CacheKey, role: &CachedRole) -> io::Result<()> {
        let mut creds = credentials_json(&role.credentials, role.expiration);
        if let (Some(account), Value::Object(m)) = (role.account_id(), &mut creds) {
            m.insert("AccountId".into(), json!(account));
        }
        let doc = json!({
            "Credentials": creds,
            "AssumedRoleUser": {
                "AssumedRoleId": role.assumed_role_id,
                "Arn": role.assumed_role_arn,
            },
        });
        write_atomic(
            &self.dir,
            &self.path(key),
            python_json_dumps(&doc, false).as_bytes(),
        )
    }

    /// Removes one entry; `Ok(false)` when there was none.
    pub fn remove(&self, key: &CacheKey) -> io::Result<bool> {
        remove_file(&self.path(key))
    }

    /// Removes the entries of `keys`; returns how many existed.
    pub fn clear<'a>(&self, keys: impl IntoIterator<Item = &'a CacheKey>) -> io::Result<usize> {
        let mut n = 0;
        for key in keys {
            n += usize::from(self.remove(key)?);
        }
        Ok(n)
    }

    /// Removes every credential entry: files named `<40 hex digits>.json` (the CLI's
    /// assume-role, web-identity and SSO role credentials, and rswitch's) and every MFA
    /// session. Anything else in the directory is left alone. Returns how many were removed.
    pub fn clear_all(&self) -> io::Result<usize> {
        let mut n = 0;
        for dir in [self.dir.clone(), self.dir.join(MFA_SUBDIR)] {
            let entries = match fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            for entry in entries {
                let entry = entry?;
                let name = entry.file_name();
                let is_entry = name
                    .to_str()
                    .and_then(|n| n.strip_suffix(".json"))
                    .is_some_and(|h| h.len() == 40 && h.bytes().all(|b| b.is_ascii_hexdigit()));
                if is_entry && entry.file_type()?.is_file() {
                    n += usize::from(remove_file(&entry.path())?);
                }
            }
        }
        Ok(n)
    }

    /// The cached MFA session, if valid for at least [`EXPIRY_WINDOW`] after `now`.
    pub fn get_mfa_session(&self, key: &MfaKey, now: SystemTime) -> Option<CachedSession> {
        parse_session(
            &read_foreign(&self.dir.join(MFA_SUBDIR), &self.mfa_path(key))?,
            now,
        )
    }

    /// Writes a `GetSessionToken` result (0600, atomically).
    pub fn put_mfa_session(&self, key: &MfaKey, session: &CachedSession) -> io::Result<()> {
        let doc = json!({ "Credentials": credentials_json(&session.credentials, session.expiration) });
        let dir = self.dir.join(MFA_SUBDIR);
        write_atomic(
            &dir,
            &self.mfa_path(key),
            python_json_dumps(&doc, false).as_bytes(),
        )
    }

    pub(crate) fn remove_mfa_session(&self, key: &MfaKey) -> io::Result<bool> {
        remove_file(&self.mfa_path(key))
    }
}

/// An assume-role entry's bytes as [`Cache::get`] reads them: `None` unless well-formed
/// and valid for at least [`EXPIRY_WINDOW`] after `now`.
pub fn parse_role(bytes: &[u8], now: SystemTime) -> Option<CachedRole> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let (credentials, expiration) = credentials_from(&v, now)?;
    let user = v.get("AssumedRoleUser")?;
    Some(CachedRole {
        credentials,
        assumed_role_arn: user.get("Arn")?.as_str()?.to_string(),
        assumed_role_id: user.get("AssumedRoleId")?.as_str()?.to_string(),
        expiration,
    })
}

/// An MFA session entry's bytes as [`Cache::get_mfa_session`] reads them.
pub fn parse_session(bytes: &[u8], now: SystemTime) -> Option<CachedSession> {
    let v: Value = serde_json::from_slice(bytes).ok()?;
    let (credentials, expiration) = credentials_from(&v, now)?;
    Some(CachedSession {
        credentials,
        expiration,
    })
}

/// Reads `Credentials` as botocore does; `None` unless valid for [`EXPIRY_WINDOW`].
fn credentials_from(v: &Value, now: SystemTime) -> Option<(Credentials, SystemTime)> {
    let c = v.get("Credentials")?;
    let text = |k: &str| c.get(k)?.as_str().map(str::to_string);
    let expiration = parse_expiration(c.get("Expiration")?)?;
    if expiration < now + EXPIRY_WINDOW {
        return None;
    }
    let credentials = Credentials {
        access_key_id: text("AccessKeyId")?,
        secret_access_key: Secret::new(text("SecretAccessKey")?),
        session_token: Some(Secret::new(text("SessionToken")?)),
        expiration: Some(expiration),
    };
    Some((credentials, expiration))
}

fn credentials_json(c: &Credentials, expiration: SystemTime) -> Value {
    json!({
        "AccessKeyId": c.access_key_id,
        "SecretAccessKey": c.secret_access_key.expose(),
        "SessionToken": c.session_token.as_ref().map(|t| t.expose()).unwrap_or_default(),
        "Expiration": format_expiration(expiration),
    })
}

fn remove_file(path: &Path) -> io::Result<bool> {
    match fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e),
    }
}

/// Checks `dir` (created 0700 if needed) is no place others can write to, then writes
/// `bytes` to `path` in it, 0600 and atomically.
fn write_atomic(dir: &Path, path: &Path, bytes: &[u8]) -> io::Result<()> {
    crate::platform::create_private_dir(dir)?;
    file::check_dir_for_write(dir)?;
    crate::platform::write_private_atomically(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_text_matches_python_json_dumps() {
        assert_eq!(
            CacheKey::args_json(
                "arn:aws:iam::1:role/r",
                Some("s"),
                Some("é"),
                Some("mfa"),
                Some(3600)
            ),
            r#"{"DurationSeconds": 3600, "ExternalId": "\u00e9", "RoleArn": "arn:aws:iam::1:role/r", "RoleSessionName": "s", "SerialNumber": "mfa"}"#
        );
        assert_eq!(
            CacheKey::args_json("arn", Some(""), None, None, None),
            r#"{"RoleArn": "arn"}"#
        );
        // The digest Python computes for `{"RoleArn": "arn:aws:iam::123456789012:role/Admin"}`.
        assert_eq!(
            CacheKey::for_role("arn:aws:iam::123456789012:role/Admin", None, None, None, None).file_name(),
            "51e7b105b5040ce662656c8dc6ab4de70c4de7ad.json"
        );
    }

    #[test]
    fn account_from_arn() {
        assert_eq!(
            account_of("arn:aws:sts::123456789012:assumed-role/A/b"),
            Some("123456789012")
        );
        assert_eq!(account_of("nonsense"), None);
    }
}
