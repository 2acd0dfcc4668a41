//! Console sign-in: a profile's credentials turned into an AWS console session, through
//! the federation endpoint (`getSigninToken`, then an `Action=login` URL).
//!
//! - Role sessions are used as they are; long-term IAM user keys first get a federated
//!   user session (GetFederationToken with [`ALLOW_ALL_POLICY`], see [`session`]); an
//!   IAM user's GetSessionToken session is refused with the reason and the way out.
//! - The sign-in host and console domain follow the identity's partition ([`url`]); the
//!   console lands in `--region`, else the profile's region.
//! - The federation endpoint can be overridden like any service endpoint, under the
//!   service name `signin` ([`signin_endpoint`]): the demo world serves one on loopback.
//! - The URL signs in whoever holds it (its token for 15 minutes, the session it opens for
//!   up to the session's duration): it is kept in a [`Secret`], never logged, and reaches
//!   only stdout, the clipboard, or the browser through [`open`].

pub mod federation;
pub(crate) mod open;
pub(crate) mod session;
pub(crate) mod url;

use crate::config::ConfigSet;
use crate::creds::{Credentials, Identity, Secret};
use crate::env::Env;
use crate::resolve::plan::{Service, configured_endpoint};
use crate::resolve::{Resolution, Resolver};
use session::{Grant, SessionKind};
use std::time::Duration;

/// The session policy passed to GetFederationToken. A federated session's permissions are
/// the intersection of the IAM user's own policies and this one: allowing everything here
/// leaves exactly the user's permissions (permission boundaries and SCPs still apply).
pub(crate) const ALLOW_ALL_POLICY: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;

/// What the console should open.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConsoleRequest {
    /// A service name (`s3`) or a console URL.
    pub destination: Option<String>,
    pub region: Option<String>,
    pub duration: Option<Duration>,
}

/// A sign-in URL and what it signs in as.
#[derive(Clone, Debug)]
pub(crate) struct SignIn {
    pub profile: String,
    /// The sign-in URL: a credential.
    pub url: Secret,
    /// Who the console session is (for a federated user: the federated user).
    pub identity: Identity,
    pub kind: SessionKind,
    pub region: String,
    /// The console session's length when rswitch chose or asked for it.
    pub lasts: Option<Duration>,
}

impl SignIn {
    /// One line for stderr or a status line: who, where, how long (never the URL).
    pub(crate) fn describe(&self) -> String {
        let how = match &self.kind {
            SessionKind::Role { chained: true } => "chained role session",
            SessionKind::Role { chained: false } => "role session",
            SessionKind::Federated => "federated user session",
            SessionKind::LongTermUser { .. } => "federated user session (GetFederationToken)",
        };
        let lasts = match self.lasts {
            Some(d) => format!(", {}", session::human(d)),
            None => String::new(),
        };
        crate::text::printable(&format!(
            "{} as {} in {} ({how}{lasts})",
            self.profile, self.identity.arn, self.region
        ))
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ConsoleError {
    /// The profile did not resolve; the resolution says why.
    #[error("profile '{}' did not resolve", .0.profile)]
    Resolve(Box<Resolution>),
    #[error("profile '{profile}': {source}")]
    Session {
        profile: String,
        source: session::SessionError,
    },
    #[error("profile '{profile}': {source}")]
    Url { profile: String, source: url::UrlError },
    #[error("profile '{profile}': GetFederationToken failed: {message}")]
    Federate { profile: String, message: String },
    #[error("profile '{profile}': {source}")]
    Federation {
        profile: String,
        source: federation::FederationError,
    },
}

/// The federation endpoint override (service id `signin`), by the precedence the SDKs use
/// for any service; see [`configured_endpoint`].
pub(crate) fn signin_endpoint(set: &ConfigSet, env: &Env, profile: &str) -> Option<String> {
    let profile = set.profile(profile).map(|p| (set, p));
    configured_endpoint(env, profile, Service::SIGNIN)
}

/// Resolves `profile` and turns its credentials into a console sign-in URL.
pub(crate) async fn sign_in(
    resolver: &Resolver,
    profile: &str,
    request: &ConsoleRequest,
    timeout: Duration,
) -> Result<SignIn, ConsoleError> {
    let resolution = resolver.resolve(profile).await;
    sign_in_resolved(&resolution, resolver.config(), resolver.env(), request, timeout).await
}

/// Turns an already resolved profile's credentials into a console sign-in URL.
pub(crate) async fn sign_in_resolved(
    resolution: &Resolution,
    set: &ConfigSet,
    env: &Env,
    request: &ConsoleRequest,
    timeout: Duration,
) -> Result<SignIn, ConsoleError> {
    let deadline = std::time::Instant::now() + timeout;
    let Ok(resolved) = &resolution.outcome else {
        return Err(ConsoleError::Resolve(Box::new(resolution.clone())));
    };
    let profile = resolution.profile.as_str();
    let name = profile.to_string();
    let session_error = |source| ConsoleError::Session {
        profile: name.clone(),
        source,
    };
    let url_error = |source| ConsoleError::Url {
        profile: name.clone(),
        source,
    };
    let kind = session::classify(resolution).map_err(session_error)?;
    let grant = session::grant(&kind, request.duration, resolution).map_err(session_error)?;

    let Landing {
        region,
        destination,
        endpoint,
    } = landing(resolution, &resolved.identity.arn, set, env, request).map_err(url_error)?;

    let sts = Federation {
        set,
        env,
        profile,
        timeout,
    };
    let (credentials, identity, session_duration, lasts) = session_for(grant, resolved, &sts).await?;
    // One `--timeout` for the calls made here (GetFederationToken and getSigninToken).
    let left = deadline
        .saturating_duration_since(std::time::Instant::now())
        .max(Duration::from_millis(100));
    let token = federation::signin_token(&endpoint, &credentials, session_duration, left)
        .await
        .map_err(|source| ConsoleError::Federation {
            profile: name.clone(),
            source,
        })?;
    let login = url::login_url(&endpoint, "rswitch", &destination, &token);
    Ok(SignIn {
        profile: name,
        url: Secret::new(login.to_string()),
        identity,
        kind,
        region,
        lasts,
    })
}

/// The session a grant signs in with: the resolved one as it is (a role session, with the
/// `SessionDuration` asked for; a federated user session), or a new federated session of
/// the IAM user (GetFederationToken through `sts`). With its identity, the duration to
/// ask getSigninToken for, and how long the console session will last, when known.
async fn session_for(
    grant: Grant,
    resolved: &crate::resolve::outcome::Resolved,
    sts: &Federation<'_>,
) -> Result<(Credentials, Identity, Option<u32>, Option<Duration>), ConsoleError> {
    Ok(match grant {
        Grant::Role { session_duration } => (
            resolved.credentials.clone(),
            resolved.identity.clone(),
            session_duration,
            session_duration.map(|s| Duration::from_secs(s.into())),
        ),
        Grant::Federated => (
            resolved.credentials.clone(),
            resolved.identity.clone(),
            None,
            None,
        ),
        Grant::Federate {
            duration_seconds,
            name,
        } => {
            let (creds, identity) = federate(sts, &resolved.credentials, &name, duration_seconds).await?;
            (
                creds,
                identity,
                None,
                Some(Duration::from_secs(duration_seconds.into())),
            )
        }
    })
}

/// Where the sign-in goes: the console's region and page, and the federation endpoint.
struct Landing {
    region: String,
    destination: String,
    endpoint: ::url::Url,
}

/// The partition comes from the identity's ARN; the region from `--region`, the profile,
/// `AWS_REGION`/`AWS_DEFAULT_REGION`, else the partition's first region.
fn landing(
    resolution: &Resolution,
    arn: &str,
    set: &ConfigSet,
    env: &Env,
    request: &ConsoleRequest,
) -> Result<Landing, url::UrlError> {
    let partition = url::Partition::of_arn(arn)?;
    let region = request
        .region
        .clone()
        .or_else(|| resolution.region.clone())
        .or_else(|| env.get("AWS_REGION").map(str::to_string))
        .or_else(|| env.get("AWS_DEFAULT_REGION").map(str::to_string))
        .unwrap_or_else(|| partition.default_region().to_string());
    url::check_region(partition, &region)?;
    let destination = url::destination(partition, &region, request.destination.as_deref())?;
    let base = signin_endpoint(set, env, &resolution.profile);
    let endpoint = url::federation_endpoint(partition, base.as_deref())?;
    Ok(Landing {
        region,
        destination,
        endpoint,
    })
}

/// Where GetFederationToken goes: the profile's STS settings, within the timeout.
struct Federation<'a> {
    set: &'a ConfigSet,
    env: &'a Env,
    profile: &'a str,
    timeout: Duration,
}

/// GetFederationToken with the user's keys, through the profile's STS endpoint.
async fn federate(
    f: &Federation<'_>,
    keys: &Credentials,
    name: &str,
    duration_seconds: u32,
) -> Result<(Credentials, Identity), ConsoleError> {
    let failed = |message: String| ConsoleError::Federate {
        profile: f.profile.to_string(),
        message,
    };
    let plan = crate::resolve::plan(f.set, f.env, f.profile).map_err(|e| failed(e.to_string()))?;
    let sts = crate::sts::Sts::new(&crate::sts::StsSettings {
        region: plan.region.clone(),
        endpoint: plan.sts_endpoint.clone(),
        use_fips: plan.use_fips,
        use_dual_stack: plan.use_dual_stack,
        timeout: f.timeout,
    });
    let seconds = i32::try_from(duration_seconds).unwrap_or(i32::MAX);
    let session = sts
        .federation_token(keys, name, ALLOW_ALL_POLICY, seconds)
        .await
        .map_err(|e| failed(crate::text::printable(&e.summary())))?;
    Ok((session.credentials, session.identity))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(config: &str) -> ConfigSet {
        crate::config::parse_str(Some((std::path::Path::new("config"), config)), None)
    }

    #[test]
    fn the_signin_endpoint_follows_the_sdks_precedence() {
        let config = "[profile p]\nservices = local\nendpoint_url = http://profile\n\n\
                      [services local]\nsignin =\n  endpoint_url = http://services\n\n\
                      [profile plain]\nendpoint_url = http://profile\n\n\
                      [profile ignoring]\nignore_configured_endpoint_urls = true\nendpoint_url = http://profile\n";
        let set = set(config);
        let none = Env::from_vars(Vec::<(&str, &str)>::new(), None);
        let url = |env: &Env, profile: &str| signin_endpoint(&set, env, profile);
        assert_eq!(url(&none, "p").as_deref(), Some("http://services"));
        assert_eq!(url(&none, "plain").as_deref(), Some("http://profile"));
        assert_eq!(url(&none, "ignoring"), None);
        let global = Env::from_vars([("AWS_ENDPOINT_URL", "http://global")], None);
        assert_eq!(url(&global, "p").as_deref(), Some("http://global"));
        let specific = Env::from_vars(
            [
                ("AWS_ENDPOINT_URL", "http://global"),
                ("AWS_ENDPOINT_URL_SIGNIN", "http://signin"),
            ],
            None,
        );
        assert_eq!(url(&specific, "p").as_deref(), Some("http://signin"));
        assert_eq!(
            url(&specific, "no-such-profile").as_deref(),
            Some("http://signin")
        );
        // The profile's ignore_configured_endpoint_urls covers the environment's URLs too.
        assert_eq!(url(&specific, "ignoring"), None);
        let env_ignores = Env::from_vars(
            [
                ("AWS_ENDPOINT_URL_SIGNIN", "http://signin"),
                ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ],
            None,
        );
        assert_eq!(url(&env_ignores, "p"), None);
    }
}
