//! The OAuth 2.0 device authorization grant against SSO OIDC, as `aws sso login
//! --use-device-code` runs it (botocore's `SSOTokenFetcher`): reuse or register a public
//! client (`RegisterClient`), `StartDeviceAuthorization` for the start URL, one
//! `CreateToken` attempt before showing the code (a pre-approved device needs no prompt),
//! then polling every `interval` seconds: `AuthorizationPendingException` waits,
//! `SlowDownException` adds 5 seconds to the interval, `ExpiredTokenException` and the end
//! of the code's lifetime give up, `AccessDeniedException` is a denial. The token and the
//! registration land in the token cache in the CLI's format ([`super::token_cache`]).

use super::session::SsoSession;
use super::token_cache::{self, Registration, Token};
use super::{SsoError, client};
use crate::creds::Secret;
use crate::env::Env;
use aws_sdk_ssooidc::operation::create_token::CreateTokenError;
use aws_sdk_ssooidc::operation::start_device_authorization::{
    StartDeviceAuthorizationError, StartDeviceAuthorizationOutput,
};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// RFC 8628 §3.5: `slow_down` adds 5 seconds to the polling interval.
const SLOW_DOWN: Duration = Duration::from_secs(5);
/// RFC 8628 §3.2: the default interval.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

/// What the user must do: open the URL and confirm the code, before `expires_at`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Prompt {
    pub verification_uri: String,
    /// The URL with the code filled in (what is opened and copied).
    pub verification_uri_complete: String,
    pub user_code: String,
    pub expires_at: SystemTime,
}

/// A finished login: the token and the cache file now holding it.
#[derive(Debug)]
pub(crate) struct Login {
    pub token: Token,
    pub path: PathBuf,
}

/// Runs the whole flow for `session`; `on_prompt` is called once, when the user has to act.
/// `timeout` bounds each call to SSO OIDC; the wait for the user is bounded by the
/// device code's lifetime.
pub(crate) async fn login(
    env: &Env,
    session: &SsoSession,
    timeout: Duration,
    on_prompt: impl FnOnce(&Prompt),
) -> Result<Login, SsoError> {
    let oidc = client::oidc(env, session, timeout);
    let mut registration = registration(env, session, &oidc, true).await?;
    let auth = match start(&oidc, session, &registration).await {
        // A cached client the service no longer knows (revoked, or another region's):
        // register a new one, once.
        Err(e)
            if e.as_service_error()
                .is_some_and(StartDeviceAuthorizationError::is_invalid_client_exception) =>
        {
            registration = self::registration(env, session, &oidc, false).await?;
            start(&oidc, session, &registration).await
        }
        other => other,
    }
    .map_err(|e| client::describe("SSO OIDC StartDeviceAuthorization", &e))?;
    let device_code = auth.device_code().unwrap_or_default().to_string();
    let prompt = Prompt {
        verification_uri: auth.verification_uri().unwrap_or_default().to_string(),
        verification_uri_complete: auth
            .verification_uri_complete()
            .or(auth.verification_uri())
            .unwrap_or_default()
            .to_string(),
        user_code: auth.user_code().unwrap_or_default().to_string(),
        // Identity Center's codes last 10 minutes; an endpoint announcing more waits an hour at most.
        expires_at: SystemTime::now() + Duration::from_secs(auth.expires_in().clamp(0, 3600) as u64),
    };
    let mut interval = match auth.interval() {
        n if n > 0 => Duration::from_secs(n as u64),
        _ => DEFAULT_INTERVAL,
    };
    let mut on_prompt = Some(on_prompt);
    loop {
        match attempt(&oidc, &registration, &device_code).await? {
            Poll::Token(answer) => {
                let token = Token {
                    start_url: session.start_url.clone(),
                    region: session.region.clone(),
                    access_token: answer.access_token,
                    expires_at: SystemTime::now() + answer.expires_in,
                    client_id: registration.client_id.clone(),
                    client_secret: registration.client_secret.clone(),
                    registration_expires_at: registration.expires_at,
                    refresh_token: answer.refresh_token,
                };
                let path = token_cache::token_path(env, session);
                token_cache::write_token(&path, &token).map_err(|error| SsoError::Cache {
                    path: path.clone(),
                    error,
                })?;
                return Ok(Login { token, path });
            }
            Poll::Pending => {}
            Poll::SlowDown => interval += SLOW_DOWN,
        }
        if let Some(f) = on_prompt.take() {
            f(&prompt);
        }
        if SystemTime::now() >= prompt.expires_at {
            return Err(SsoError::Expired);
        }
        tokio::time::sleep(interval).await;
    }
}

async fn start(
    oidc: &aws_sdk_ssooidc::Client,
    session: &SsoSession,
    registration: &Registration,
) -> Result<StartDeviceAuthorizationOutput, SdkError<StartDeviceAuthorizationError, HttpResponse>> {
    oidc.start_device_authorization()
        .client_id(&registration.client_id)
        .client_secret(registration.client_secret.expose())
        .start_url(&session.start_url)
        .send()
        .await
}

/// The cached client registration (when `use_cache`), or a new one (then cached).
async fn registration(
    env: &Env,
    session: &SsoSession,
    oidc: &aws_sdk_ssooidc::Client,
    use_cache: bool,
) -> Result<Registration, SsoError> {
    let path = token_cache::registration_path(env, session);
    if let Some(cached) = token_cache::read_registration(&path, SystemTime::now()).filter(|_| use_cache) {
        return Ok(cached);
    }
    let scopes = session.scopes.clone().filter(|s| !s.is_empty());
    let answer = oidc
        .register_client()
        .client_name(client_name(session))
        .client_type("public")
        .set_scopes(scopes)
        .send()
        .await
        .map_err(|e| client::describe("SSO OIDC RegisterClient", &e))?;
    let registration = Registration {
        client_id: answer.client_id().unwrap_or_default().to_string(),
        client_secret: Secret::new(answer.client_secret().unwrap_or_default()),
        expires_at: UNIX_EPOCH + Duration::from_secs(answer.client_secret_expires_at().max(0) as u64),
        scopes: session.scopes.clone(),
    };
    token_cache::write_registration(&path, &registration).map_err(|error| SsoError::Cache { path, error })?;
    Ok(registration)
}

/// `botocore-client-<session name>`, or `botocore-client-<unix time>` for a legacy profile.
fn client_name(session: &SsoSession) -> String {
    let suffix = session.name.clone().unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .to_string()
    });
    format!("botocore-client-{suffix}")
}

struct Answer {
    access_token: Secret,
    expires_in: Duration,
    refresh_token: Option<Secret>,
}

enum Poll {
    Token(Answer),
    Pending,
    SlowDown,
}

async fn attempt(
    oidc: &aws_sdk_ssooidc::Client,
    registration: &Registration,
    device_code: &str,
) -> Result<Poll, SsoError> {
    let result = oidc
        .create_token()
        .grant_type(GRANT_TYPE)
        .client_id(&registration.client_id)
        .client_secret(registration.client_secret.expose())
        .device_code(device_code)
        .send()
        .await;
    match result {
        Ok(out) => Ok(Poll::Token(Answer {
            access_token: Secret::new(out.access_token().unwrap_or_default()),
            expires_in: Duration::from_secs(out.expires_in().max(0) as u64),
            refresh_token: out.refresh_token().map(Secret::new),
        })),
        Err(e) => match e.as_service_error() {
            Some(CreateTokenError::AuthorizationPendingException(_)) => Ok(Poll::Pending),
            Some(CreateTokenError::SlowDownException(_)) => Ok(Poll::SlowDown),
            Some(CreateTokenError::ExpiredTokenException(_)) => Err(SsoError::Expired),
            Some(CreateTokenError::AccessDeniedException(_)) => Err(SsoError::Denied),
            _ => Err(client::describe("SSO OIDC CreateToken", &e)),
        },
    }
}
