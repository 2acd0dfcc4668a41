//! What to tell the user when an SSO profile has no usable login: which token cache
//! entry `aws sso login` should have left, whether it expired, and the exact command
//! that logs in again. aws-config reads the token and calls the portal; this module only
//! looks at the cache file to explain a failure (and to fail early when there is none).

use super::outcome::{ErrorKind, HopError};
use crate::env::Env;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// The command that logs `profile` in: `--sso-session NAME` for profiles that use an
/// `[sso-session]` (one login serves all of them), the profile for the legacy form.
/// `rswitch login` writes the token cache as `aws sso login` does, so either serves.
/// The name is shell-quoted: the command is meant to be pasted.
pub(crate) fn login_command(profile: &str, session: Option<&str>) -> String {
    use crate::text::shell_quote;
    match session {
        Some(session) => format!("rswitch login --sso-session {}", shell_quote(session)),
        None => format!("rswitch login {}", shell_quote(profile)),
    }
}

/// `~/.aws/sso/cache/<sha1>.json`: keyed by the session name, or by the start URL in
/// the legacy form.
pub(crate) fn token_path(env: &Env, session: Option<&str>, start_url: &str) -> PathBuf {
    let key = session.unwrap_or(start_url);
    env.sso_cache_dir()
        .join(format!("{}.json", crate::cache::sha1_hex(key)))
}

/// One profile's IAM Identity Center login: the token cache file `aws sso login` leaves
/// for it, and what to tell the user when that login is missing or no longer works.
pub(crate) struct SsoLogin<'a> {
    pub path: PathBuf,
    profile: &'a str,
    session: Option<&'a str>,
    start_url: &'a str,
}

impl<'a> SsoLogin<'a> {
    pub(crate) fn new(env: &Env, profile: &'a str, session: Option<&'a str>, start_url: &'a str) -> Self {
        SsoLogin {
            path: token_path(env, session, start_url),
            profile,
            session,
            start_url,
        }
    }

    /// The error for a profile with no cached token at all, or `None` when there is one.
    pub(crate) fn missing(&self) -> Option<HopError> {
        let (path, profile, session, start_url) = (&self.path, self.profile, self.session, self.start_url);
        if path.exists() {
            return None;
        }
        let whose = match session {
            Some(s) => format!("sso-session '{s}'"),
            None => format!("start URL '{start_url}'"),
        };
        Some(HopError::new(
            ErrorKind::Credentials,
            None,
            format!(
                "profile '{profile}' is not logged in to IAM Identity Center: no cached token for {whose} ({}); run `{}`",
                path.display(),
                login_command(profile, session)
            ),
        ))
    }

    /// Names the profile in an error of the SSO provider and, when the login is the cause
    /// (the token expired, or the portal refused it), says so and how to log in again.
    pub(crate) fn explain(&self, error: HopError) -> HopError {
        let (profile, session) = (self.profile, self.session);
        // aws-config's wrapper adds nothing the rest of the chain does not say.
        let detail = error
            .message
            .trim_start_matches("an error occurred while loading credentials: ")
            .to_string();
        let entry = CacheEntry::read(&self.path);
        let now = SystemTime::now();
        let expired_at = entry.as_ref().and_then(|e| e.expires_at).filter(|t| *t <= now);
        let cause = match (expired_at, entry.as_ref()) {
            (Some(at), Some(entry)) if entry.has_refresh_token => {
                let at = crate::creds::rfc3339(at);
                Some(match entry.registration_expires_at {
                    Some(reg) if reg <= now => format!(
                        "the SSO login expired at {at} and could not be refreshed: its client registration expired at {}",
                        crate::creds::rfc3339(reg)
                    ),
                    _ => format!("the SSO login expired at {at} and could not be refreshed"),
                })
            }
            (Some(at), _) => Some(format!("the SSO login expired at {}", crate::creds::rfc3339(at))),
            (None, _) if detail.contains("UnauthorizedException") => {
                Some("the SSO portal refused the cached login".to_string())
            }
            (None, _) => None,
        };
        let (message, kind) = match cause {
            Some(cause) => (
                format!(
                    "profile '{profile}': {cause} ({detail}); run `{}` to log in again",
                    login_command(profile, session)
                ),
                ErrorKind::Credentials,
            ),
            None => (format!("profile '{profile}': {detail}"), error.kind),
        };
        HopError {
            message,
            kind,
            ..error
        }
    }
}

/// What rswitch reads of a token cache entry: when the token and the client
/// registration expire, and whether it holds what a refresh needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CacheEntry {
    pub expires_at: Option<SystemTime>,
    pub registration_expires_at: Option<SystemTime>,
    /// `refreshToken`, `clientId` and `clientSecret` are all there.
    pub has_refresh_token: bool,
}

impl CacheEntry {
    /// The entry at `path`, when readable JSON.
    pub(crate) fn read(path: &Path) -> Option<CacheEntry> {
        let dir = path.parent().unwrap_or(Path::new("."));
        CacheEntry::parse(&crate::cache::read_foreign(dir, path)?)
    }

    /// A token cache entry's bytes, when JSON.
    pub fn parse(bytes: &[u8]) -> Option<CacheEntry> {
        let entry: serde_json::Value = serde_json::from_slice(bytes).ok()?;
        let time = |key: &str| {
            let at = DateTime::from_str(entry.get(key)?.as_str()?, Format::DateTime).ok()?;
            SystemTime::try_from(at).ok()
        };
        let has = |key: &str| entry.get(key).is_some_and(serde_json::Value::is_string);
        Some(CacheEntry {
            expires_at: time("expiresAt"),
            registration_expires_at: time("registrationExpiresAt"),
            has_refresh_token: has("refreshToken") && has("clientId") && has("clientSecret"),
        })
    }

    /// Whether aws-config will try to refresh it: the token expires within its
    /// five-minute window, and the entry can be refreshed (registration still valid).
    pub fn due_for_refresh(&self, now: SystemTime) -> bool {
        let window = std::time::Duration::from_secs(5 * 60);
        self.has_refresh_token
            && self.registration_expires_at.is_some_and(|t| t > now)
            && self.expires_at.is_some_and(|t| t <= now + window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(home: &std::path::Path) -> Env {
        Env::from_vars(Vec::<(String, String)>::new(), Some(home.to_path_buf()))
    }

    #[test]
    fn login_command_fits_the_form() {
        assert_eq!(
            login_command("dev", Some("corp")),
            "rswitch login --sso-session corp"
        );
        assert_eq!(login_command("dev", None), "rswitch login dev");
        assert_eq!(
            login_command("dev", Some("corp;curl x|sh")),
            "rswitch login --sso-session 'corp;curl x|sh'"
        );
        assert_eq!(login_command("it's", None), r"rswitch login 'it'\''s'");
    }

    #[test]
    fn token_path_is_the_sha1_of_session_or_start_url() {
        let e = env(std::path::Path::new("/home/u"));
        // sha1("corp") and sha1("https://x.awsapps.com/start"), as `aws sso login` names them.
        assert_eq!(
            token_path(&e, Some("corp"), "https://ignored"),
            PathBuf::from("/home/u/.aws/sso/cache/ee0bfd2552fbd840c02cc48b6e823320543c450f.json")
        );
        let legacy = token_path(&e, None, "https://x.awsapps.com/start");
        assert_eq!(legacy.extension().and_then(|e| e.to_str()), Some("json"));
        assert_eq!(legacy.file_stem().map(|s| s.len()), Some(40));
    }

    #[test]
    fn explains_expired_and_refused_logins() {
        let home = tempfile::tempdir().expect("tempdir");
        let e = env(home.path());
        assert!(
            SsoLogin::new(&e, "dev", Some("corp"), "u")
                .missing()
                .is_some_and(|m| {
                    m.message.contains("profile 'dev'")
                        && m.message.contains("rswitch login --sso-session corp")
                })
        );
        let path = token_path(&e, Some("corp"), "u");
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        std::fs::write(&path, r#"{"accessToken":"t","expiresAt":"2020-01-01T00:00:00Z"}"#).expect("write");
        assert!(SsoLogin::new(&e, "dev", Some("corp"), "u").missing().is_none());
        let err = HopError::new(ErrorKind::Other, None, "the SSO token has expired");
        let out = SsoLogin::new(&e, "dev", Some("corp"), "u").explain(err);
        assert!(
            out.message.starts_with(
                "profile 'dev': the SSO login expired at 2020-01-01T00:00:00Z (the SSO token has expired)"
            ),
            "{}",
            out.message
        );
        assert!(
            out.message
                .ends_with("run `rswitch login --sso-session corp` to log in again")
        );
        assert_eq!(out.kind, ErrorKind::Credentials);

        std::fs::write(&path, r#"{"accessToken":"t","expiresAt":"2999-01-01T00:00:00Z"}"#).expect("write");
        let refused = HopError::new(ErrorKind::Other, None, "service error: UnauthorizedException: no");
        let out = SsoLogin::new(&e, "dev", None, "u").explain(refused);
        assert!(
            out.message.contains("refused the cached login"),
            "{}",
            out.message
        );
        assert!(
            out.message.contains("UnauthorizedException: no"),
            "{}",
            out.message
        );
        assert!(out.message.contains("rswitch login dev"), "{}", out.message);
        let other = HopError::new(ErrorKind::Network, None, "connection refused");
        let out = SsoLogin::new(&e, "dev", Some("corp"), "u").explain(other);
        assert_eq!(out.message, "profile 'dev': connection refused");
        assert_eq!(out.kind, ErrorKind::Network);
    }

    #[test]
    fn an_expired_refreshable_login_says_it_could_not_be_refreshed() {
        let home = tempfile::tempdir().expect("tempdir");
        let e = env(home.path());
        let path = token_path(&e, Some("corp"), "u");
        std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
        let entry = |registration: &str| {
            format!(
                r#"{{"accessToken":"t","expiresAt":"2020-01-01T00:00:00Z","refreshToken":"r","clientId":"c","clientSecret":"s","registrationExpiresAt":"{registration}"}}"#
            )
        };
        let err = || HopError::new(ErrorKind::Other, None, "service error: UnauthorizedException: no");
        std::fs::write(&path, entry("2999-01-01T00:00:00Z")).expect("write");
        let out = SsoLogin::new(&e, "dev", Some("corp"), "u").explain(err());
        assert!(
            out.message.starts_with(
                "profile 'dev': the SSO login expired at 2020-01-01T00:00:00Z and could not be refreshed (service"
            ),
            "{}",
            out.message
        );
        assert!(
            out.message
                .ends_with("run `rswitch login --sso-session corp` to log in again")
        );
        std::fs::write(&path, entry("2020-06-01T00:00:00Z")).expect("write");
        let out = SsoLogin::new(&e, "dev", Some("corp"), "u").explain(err());
        assert!(
            out.message
                .contains("could not be refreshed: its client registration expired at 2020-06-01T00:00:00Z"),
            "{}",
            out.message
        );
    }

    #[test]
    fn due_for_refresh_follows_aws_config() {
        let now = SystemTime::now();
        let min = std::time::Duration::from_secs(60);
        let entry = CacheEntry {
            expires_at: Some(now + 4 * min),
            registration_expires_at: Some(now + 60 * min),
            has_refresh_token: true,
        };
        assert!(entry.due_for_refresh(now));
        let fresh = CacheEntry {
            expires_at: Some(now + 6 * min),
            ..entry.clone()
        };
        assert!(!fresh.due_for_refresh(now));
        let registration_expired = CacheEntry {
            registration_expires_at: Some(now - min),
            ..entry.clone()
        };
        assert!(!registration_expired.due_for_refresh(now));
        let no_refresh_token = CacheEntry {
            has_refresh_token: false,
            ..entry
        };
        assert!(!no_refresh_token.due_for_refresh(now));
    }
}
