//! Credential and identity value types shared by every layer.
//!
//! Secrets are wrapped in [`Secret`], whose `Debug` and `Display` never show the value:
//! only code that deliberately calls [`Secret::expose`] (export, cache, shell) sees it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::SystemTime;

/// A secret string. `Debug`/`Display` are redacted.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The secret value itself. Call only where the user asked for credentials.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// A set of AWS credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: Secret,
    pub session_token: Option<Secret>,
    pub expiration: Option<SystemTime>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &self.secret_access_key)
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expiration", &self.expiration)
            .finish()
    }
}

impl Credentials {
    pub(crate) fn to_sdk(&self) -> aws_credential_types::Credentials {
        aws_credential_types::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.expose().to_string(),
            self.session_token.as_ref().map(|t| t.expose().to_string()),
            self.expiration,
            "rswitch",
        )
    }

    pub(crate) fn from_sdk(c: &aws_credential_types::Credentials) -> Self {
        Credentials {
            access_key_id: c.access_key_id().to_string(),
            secret_access_key: Secret::new(c.secret_access_key()),
            session_token: c.session_token().map(Secret::new),
            expiration: c.expiry(),
        }
    }
}

/// Who a set of credentials is, as `GetCallerIdentity` (or `AssumeRole`) reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub account: String,
    pub arn: String,
    pub user_id: String,
}

/// Formats a timestamp as RFC 3339 UTC (`2026-08-07T12:34:56Z`).
pub fn rfc3339(t: SystemTime) -> String {
    aws_smithy_types::DateTime::from_secs(aws_smithy_types::DateTime::from(t).secs())
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| "invalid-time".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let c = Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: Secret::new("very-secret"),
            session_token: Some(Secret::new("token-secret")),
            expiration: None,
        };
        let s = format!("{c:?} {}", c.secret_access_key);
        assert!(s.contains("AKIAEXAMPLE"));
        assert!(!s.contains("very-secret"), "{s}");
        assert!(!s.contains("token-secret"), "{s}");
    }
}

/// One profile's credentials as they are handed over (export, exec, shell, copy, the
/// credential server), and what is known about them.
#[derive(Clone, Debug)]
pub struct ProfileCredentials {
    pub profile: String,
    /// `credentials.expiration` becomes `AWS_CREDENTIAL_EXPIRATION` / `Expiration`.
    pub credentials: Credentials,
    pub identity: Option<Identity>,
    pub region: Option<String>,
}
