//! What kind of session a profile resolves to, and which console session it may give.
//!
//! The federation endpoint accepts only temporary credentials of a role session or of a
//! federated user. So:
//! - a role session (AssumeRole, SSO, web identity, an instance or task role) is used as
//!   it is; `SessionDuration` may ask for 15 minutes to 12 hours of console, except for a
//!   role reached by role chaining (a role session assuming another role), which AWS caps
//!   at one hour;
//! - long-term IAM user keys first become a federated user session through
//!   GetFederationToken, whose own duration (15 minutes to 36 hours; one hour for the root
//!   user) is the console session's: no `SessionDuration` is sent for it;
//! - a GetSessionToken session (an IAM user's session token, e.g. after MFA) can do
//!   neither: STS refuses GetFederationToken with session credentials, and the federation
//!   endpoint refuses the session itself.
//!
//! Pure: decided from the resolution, before any call.

use crate::resolve::outcome::{HopKind, HopStatus, Resolution};
use std::time::Duration;

/// Console session bounds (`SessionDuration` of getSigninToken).
pub(crate) const CONSOLE_MIN: u32 = 900;
pub(crate) const CONSOLE_MAX: u32 = 43_200;
/// Role chaining caps the console session at one hour.
pub(crate) const CHAINED_MAX: u32 = 3_600;
/// GetFederationToken's `DurationSeconds` bounds, and the root user's cap.
pub(crate) const FEDERATION_MAX: u32 = 129_600;
pub(crate) const ROOT_MAX: u32 = 3_600;
/// The federated session's length when `--duration` is not given.
pub(crate) const FEDERATION_DEFAULT: u32 = 3_600;

/// How the resolved credentials reach the console.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum SessionKind {
    /// A role session; `chain` names the profiles when it came from role chaining.
    Role { chained: bool },
    /// Already a federated user session (GetFederationToken credentials).
    Federated,
    /// Long-term access keys of an IAM user (or the root user).
    LongTermUser { root: bool, user_name: String },
}

/// What to ask AWS for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Sign in with the role session; `Some` sends `SessionDuration`.
    Role { session_duration: Option<u32> },
    /// Sign in with the federated session as it is.
    Federated,
    /// GetFederationToken first, for `duration_seconds`, then sign in.
    Federate { duration_seconds: u32, name: String },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum SessionError {
    #[error(
        "{user_arn} signs in with a GetSessionToken session (an IAM user's session token, e.g. after MFA): \
         the AWS sign-in endpoint accepts only role sessions and federated users, and STS refuses \
         GetFederationToken with session credentials. Use a profile that assumes a role from it \
         (role_arn + source_profile), or the user's long-term keys (a profile without the session token)"
    )]
    UserSession { user_arn: String },
    #[error(
        "a console session from a chained role ({chain}) lasts at most 1 hour (AWS caps role chaining), \
         but {asked} was asked for: use --duration 1h or less, or sign in through a role assumed \
         directly from long-term keys"
    )]
    ChainedTooLong { chain: String, asked: String },
    #[error("a console session lasts between 15 minutes and 12 hours; {asked} was asked for")]
    RoleOutOfRange { asked: String },
    #[error(
        "a federated session of an IAM user lasts between 15 minutes and 36 hours (1 hour for the root user); \
         {asked} was asked for"
    )]
    FederationOutOfRange { asked: String },
    #[error(
        "these are already federated-user credentials: their console session lasts as long as they do, \
         so --duration cannot change it"
    )]
    FederatedDuration,
    #[error("the resolved identity '{0}' is neither a role session nor an IAM user")]
    Unknown(String),
}

/// Classifies a successful resolution by its identity ARN and how it was reached.
pub(crate) fn classify(resolution: &Resolution) -> Result<SessionKind, SessionError> {
    let Ok(resolved) = &resolution.outcome else {
        return Err(SessionError::Unknown(String::new()));
    };
    let arn = resolved.identity.arn.as_str();
    let resource = crate::arn::Arn::parse(arn)
        .map(|a| a.resource())
        .unwrap_or_default();
    let has_token = resolved.credentials.session_token.is_some();
    if resource.starts_with("assumed-role/") {
        return Ok(SessionKind::Role {
            chained: is_chained(resolution),
        });
    }
    if resource.starts_with("federated-user/") {
        return Ok(SessionKind::Federated);
    }
    let root = resource == "root";
    if resource.starts_with("user/") || root {
        if has_token {
            return Err(SessionError::UserSession {
                user_arn: arn.to_string(),
            });
        }
        let user_name = crate::arn::name_of(resource).to_string();
        return Ok(SessionKind::LongTermUser { root, user_name });
    }
    Err(SessionError::Unknown(arn.to_string()))
}

/// A role session reached by a role session assuming a role: two AssumeRole hops, or one
/// whose base was itself a role session (SSO, web identity, instance or task role).
fn is_chained(resolution: &Resolution) -> bool {
    let assumed = resolution
        .hops
        .iter()
        .filter(|h| h.kind == HopKind::AssumeRole && h.status == HopStatus::Ok)
        .count();
    let base_is_role = resolution.hops.first().is_some_and(|base| {
        matches!(
            base.source,
            Some("sso" | "web-identity" | "ec2-imds" | "ecs" | "default-chain")
        ) || base
            .identity
            .as_ref()
            .is_some_and(|i| i.arn.contains(":assumed-role/"))
    });
    assumed >= 2 || (assumed == 1 && base_is_role)
}

/// The chain as sessions: the base (its profile for keys, else its source) and each role
/// assumed: `alice -> SwitchToRole -> Deploy`, `ec2-imds -> SwitchToRole`.
fn chain_words(resolution: &Resolution) -> String {
    let mut words = Vec::new();
    for hop in &resolution.hops {
        match (hop.kind, &hop.role_arn, hop.source) {
            (HopKind::AssumeRole, Some(arn), _) => {
                words.push(crate::arn::name_of(arn).to_string());
            }
            (HopKind::Base, _, Some("static") | None) => words.push(hop.profile.clone()),
            (_, _, Some(source)) => words.push(source.to_string()),
            _ => {}
        }
    }
    words.join(" -> ")
}

/// What to ask for, given the kind of session and `--duration`.
pub(crate) fn grant(
    kind: &SessionKind,
    duration: Option<Duration>,
    resolution: &Resolution,
) -> Result<Grant, SessionError> {
    let asked = duration.map(|d| u32::try_from(d.as_secs()).unwrap_or(u32::MAX));
    let words = || duration.map(human).unwrap_or_default();
    match kind {
        SessionKind::Role { chained } => {
            if let Some(s) = asked {
                if *chained && s > CHAINED_MAX {
                    return Err(SessionError::ChainedTooLong {
                        chain: chain_words(resolution),
                        asked: words(),
                    });
                }
                if !(CONSOLE_MIN..=CONSOLE_MAX).contains(&s) {
                    return Err(SessionError::RoleOutOfRange { asked: words() });
                }
            }
            Ok(Grant::Role {
                session_duration: asked,
            })
        }
        SessionKind::Federated if asked.is_some() => Err(SessionError::FederatedDuration),
        SessionKind::Federated => Ok(Grant::Federated),
        SessionKind::LongTermUser { root, user_name } => {
            let max = if *root { ROOT_MAX } else { FEDERATION_MAX };
            let seconds = asked.unwrap_or(FEDERATION_DEFAULT);
            if !(CONSOLE_MIN..=max).contains(&seconds) {
                return Err(SessionError::FederationOutOfRange { asked: words() });
            }
            Ok(Grant::Federate {
                duration_seconds: seconds,
                name: federated_name(user_name),
            })
        }
    }
}

/// GetFederationToken's `Name`: 2–32 of `[A-Za-z0-9+=,.@_-]`, the IAM user's name when it fits.
pub(crate) fn federated_name(user_name: &str) -> String {
    let name: String = user_name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(*c))
        .take(32)
        .collect();
    if name.len() >= 2 {
        name
    } else {
        "rswitch".to_string()
    }
}

/// `1h`, `90m`, `1h30m`, `45s`.
pub(crate) fn human(d: Duration) -> String {
    let s = d.as_secs();
    let (h, m, sec) = (s / 3600, s % 3600 / 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        out.push_str(&format!("{h}h"));
    }
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if sec > 0 || out.is_empty() {
        out.push_str(&format!("{sec}s"));
    }
    out
}

/// Parses `3600`, `45m`, `1h`, `1h30m`, `90s`.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<u64>() {
        return Ok(Duration::from_secs(secs));
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in t.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(format!("'{text}' is not a duration (e.g. 1h, 45m, 1h30m, 3600)")),
        };
        let n: u64 = number
            .parse()
            .map_err(|_| format!("'{text}' is not a duration (e.g. 1h, 45m, 1h30m, 3600)"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
    }
    if !number.is_empty() || total == 0 {
        return Err(format!("'{text}' is not a duration (e.g. 1h, 45m, 1h30m, 3600)"));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(parse_duration("3600"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("45m"), Ok(Duration::from_secs(2700)));
        assert!(parse_duration("1d").is_err());
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("0m").is_err());
        assert_eq!(human(Duration::from_secs(5400)), "1h30m");
        assert_eq!(human(Duration::from_secs(7200)), "2h");
    }

    #[test]
    fn federated_names_fit_sts() {
        assert_eq!(federated_name("alice"), "alice");
        assert_eq!(federated_name("a"), "rswitch");
        assert_eq!(federated_name("ü$x y"), "xy");
        assert_eq!(federated_name(&"n".repeat(40)).len(), 32);
    }
}
