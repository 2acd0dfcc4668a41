//! The SSO token cache, `~/.aws/sso/cache`, written exactly as the AWS CLI v2 writes it
//! (botocore's `SSOTokenFetcher` through a `JSONFileCache` with `_sso_json_dumps`), so
//! that the CLI, botocore and every SDK reuse rswitch's login and rswitch theirs:
//!
//! - the token: `<sha1 of the session name, or of the start URL>.json` (the file
//!   [`crate::resolve::sso_login::token_path`] reads), keys in the CLI's order
//!   `startUrl, region, accessToken, expiresAt, clientId, clientSecret,
//!   registrationExpiresAt[, refreshToken]`;
//! - the client registration: `<sha1 of json.dumps({"region", "scopes", "session_name",
//!   "startUrl", "tool": "botocore"}, sort_keys=True)>.json` with `clientId, clientSecret,
//!   expiresAt[, scopes]`;
//! - times as `%Y-%m-%dT%H:%M:%SZ` (UTC), JSON with Python's default separators; each
//!   file written to a temporary file in the same directory (0600) and renamed over.

use super::session::SsoSession;
use crate::cache::python_json_dumps;
use crate::creds::{Secret, rfc3339};
use crate::env::Env;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use serde_json::{Map, Value, json};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The AWS CLI registers a new client when the cached one expires within this window.
pub(crate) const REGISTRATION_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Cache files are small; anything bigger is not one.
const MAX_FILE: u64 = 64 * 1024;

/// An OIDC client registration (RegisterClient's answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Registration {
    pub client_id: String,
    pub client_secret: Secret,
    pub expires_at: SystemTime,
    pub scopes: Option<Vec<String>>,
}

/// A login: CreateToken's answer and the registration it was made with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    pub start_url: String,
    pub region: String,
    pub access_token: Secret,
    pub expires_at: SystemTime,
    pub client_id: String,
    pub client_secret: Secret,
    pub registration_expires_at: SystemTime,
    pub refresh_token: Option<Secret>,
}

/// `BaseSSOTokenFetcher._registration_cache_key`.
pub(crate) fn registration_key(session: &SsoSession) -> String {
    let scopes = match &session.scopes {
        Some(scopes) => json!(scopes),
        None => Value::Null,
    };
    let args = json!({
        "tool": "botocore",
        "startUrl": session.start_url,
        "region": session.region,
        "scopes": scopes,
        "session_name": session.name,
    });
    crate::cache::sha1_hex(&python_json_dumps(&args, true))
}

pub fn registration_path(env: &Env, session: &SsoSession) -> PathBuf {
    env.sso_cache_dir()
        .join(format!("{}.json", registration_key(session)))
}

pub(crate) fn token_path(env: &Env, session: &SsoSession) -> PathBuf {
    crate::resolve::sso_login::token_path(env, session.name.as_deref(), &session.start_url)
}

/// The cached registration, when it is still good for a login: the AWS CLI's rule (not
/// within [`REGISTRATION_WINDOW`] of expiring, not made for the authorization-code grant).
pub(crate) fn read_registration(path: &Path, now: SystemTime) -> Option<Registration> {
    let v = read_json(path)?;
    let text = |k: &str| v.get(k)?.as_str().map(str::to_string);
    let for_auth_code = v
        .get("grantTypes")
        .and_then(Value::as_array)
        .is_some_and(|g| g.iter().any(|t| t == "authorization_code"));
    let expires_at = parse_time(v.get("expiresAt")?)?;
    if for_auth_code || expires_at < now + REGISTRATION_WINDOW {
        return None;
    }
    let scopes = v.get("scopes").and_then(Value::as_array).map(|items| {
        items
            .iter()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    });
    Some(Registration {
        client_id: text("clientId")?,
        client_secret: Secret::new(text("clientSecret")?),
        expires_at,
        scopes,
    })
}

pub(crate) fn write_registration(path: &Path, r: &Registration) -> io::Result<()> {
    let mut doc = Map::new();
    doc.insert("clientId".into(), json!(r.client_id));
    doc.insert("clientSecret".into(), json!(r.client_secret.expose()));
    doc.insert("expiresAt".into(), json!(rfc3339(r.expires_at)));
    if let Some(scopes) = r.scopes.as_ref().filter(|s| !s.is_empty()) {
        doc.insert("scopes".into(), json!(scopes));
    }
    crate::platform::write_private_atomically(path, python_json_dumps(&Value::Object(doc), false).as_bytes())
}

/// The cached login at `path`, whatever its expiry (for the portal calls of `sso sync` and
/// account names, which check it themselves).
pub fn read_token(path: &Path) -> Option<Token> {
    let v = read_json(path)?;
    let text = |k: &str| v.get(k)?.as_str().map(str::to_string);
    Some(Token {
        start_url: text("startUrl").unwrap_or_default(),
        region: text("region").unwrap_or_default(),
        access_token: Secret::new(text("accessToken")?),
        expires_at: parse_time(v.get("expiresAt")?)?,
        client_id: text("clientId").unwrap_or_default(),
        client_secret: Secret::new(text("clientSecret").unwrap_or_default()),
        registration_expires_at: v
            .get("registrationExpiresAt")
            .and_then(parse_time)
            .unwrap_or(SystemTime::UNIX_EPOCH),
        refresh_token: text("refreshToken").map(Secret::new),
    })
}

pub fn write_token(path: &Path, t: &Token) -> io::Result<()> {
    let mut doc = Map::new();
    doc.insert("startUrl".into(), json!(t.start_url));
    doc.insert("region".into(), json!(t.region));
    doc.insert("accessToken".into(), json!(t.access_token.expose()));
    doc.insert("expiresAt".into(), json!(rfc3339(t.expires_at)));
    doc.insert("clientId".into(), json!(t.client_id));
    doc.insert("clientSecret".into(), json!(t.client_secret.expose()));
    doc.insert(
        "registrationExpiresAt".into(),
        json!(rfc3339(t.registration_expires_at)),
    );
    if let Some(refresh) = &t.refresh_token {
        doc.insert("refreshToken".into(), json!(refresh.expose()));
    }
    crate::platform::write_private_atomically(path, python_json_dumps(&Value::Object(doc), false).as_bytes())
}

fn read_json(path: &Path) -> Option<Value> {
    use std::io::Read;
    let file = std::fs::File::open(path).ok()?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE).read_to_end(&mut bytes).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Times as botocore writes them (`2026-01-01T00:00:00Z`) and as other tools do (with
/// fractions or an offset).
fn parse_time(v: &Value) -> Option<SystemTime> {
    let text = v.as_str()?;
    let at = DateTime::from_str(text, Format::DateTime).ok()?;
    SystemTime::try_from(at).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(name: Option<&str>, scopes: Option<Vec<&str>>) -> SsoSession {
        SsoSession {
            name: name.map(str::to_string),
            start_url: "https://corp.awsapps.com/start".into(),
            region: "eu-central-1".into(),
            scopes: scopes.map(|s| s.into_iter().map(str::to_string).collect()),
            use_fips: false,
        }
    }

    #[test]
    fn registration_key_is_the_sha1_of_botocores_sorted_json() {
        // hashlib.sha1(json.dumps({...}, sort_keys=True).encode()).hexdigest(), computed
        // from the text Python prints for these arguments.
        let text = r#"{"region": "eu-central-1", "scopes": ["sso:account:access"], "session_name": "corp", "startUrl": "https://corp.awsapps.com/start", "tool": "botocore"}"#;
        assert_eq!(
            registration_key(&session(Some("corp"), Some(vec!["sso:account:access"]))),
            crate::cache::sha1_hex(text)
        );
        let legacy = r#"{"region": "eu-central-1", "scopes": null, "session_name": null, "startUrl": "https://corp.awsapps.com/start", "tool": "botocore"}"#;
        assert_eq!(
            registration_key(&session(None, None)),
            crate::cache::sha1_hex(legacy)
        );
    }

    #[test]
    fn files_are_written_in_the_clis_format_and_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("sso/cache/t.json");
        let at = |s: &str| {
            SystemTime::try_from(DateTime::from_str(s, Format::DateTime).expect("time")).expect("time")
        };
        let token = Token {
            start_url: "https://corp.awsapps.com/start".into(),
            region: "eu-central-1".into(),
            access_token: Secret::new("aoa"),
            expires_at: at("2030-01-01T08:00:00Z"),
            client_id: "cid".into(),
            client_secret: Secret::new("csec"),
            registration_expires_at: at("2030-03-01T00:00:00Z"),
            refresh_token: Some(Secret::new("aor")),
        };
        write_token(&path, &token).expect("write");
        assert_eq!(
            std::fs::read_to_string(&path).expect("read"),
            r#"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-central-1", "accessToken": "aoa", "expiresAt": "2030-01-01T08:00:00Z", "clientId": "cid", "clientSecret": "csec", "registrationExpiresAt": "2030-03-01T00:00:00Z", "refreshToken": "aor"}"#
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(read_token(&path), Some(token));

        let reg_path = dir.path().join("sso/cache/r.json");
        let reg = Registration {
            client_id: "cid".into(),
            client_secret: Secret::new("csec"),
            expires_at: at("2030-03-01T00:00:00Z"),
            scopes: Some(vec!["sso:account:access".into()]),
        };
        write_registration(&reg_path, &reg).expect("write");
        assert_eq!(
            std::fs::read_to_string(&reg_path).expect("read"),
            r#"{"clientId": "cid", "clientSecret": "csec", "expiresAt": "2030-03-01T00:00:00Z", "scopes": ["sso:account:access"]}"#
        );
        let now = at("2030-01-01T00:00:00Z");
        assert_eq!(read_registration(&reg_path, now), Some(reg));
        // Expiring within 15 minutes, or made for the authorization-code grant: not reused.
        assert_eq!(read_registration(&reg_path, at("2030-02-28T23:50:00Z")), None);
        std::fs::write(
            &reg_path,
            r#"{"clientId": "c", "clientSecret": "s", "expiresAt": "2030-03-01T00:00:00Z", "grantTypes": ["authorization_code", "refresh_token"]}"#,
        )
        .expect("write");
        assert_eq!(read_registration(&reg_path, now), None);
    }
}
