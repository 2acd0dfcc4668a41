//! First credentials of a chain, through aws-config's providers (IMDSv2, ECS, SSO) — the
//! one job aws-config does for rswitch — and rswitch's own `credential_process` runner
//! ([`super::process`]) and web-identity call.

use super::outcome::{ErrorKind, HopError};
use super::plan::BaseSource;
use super::sso_login::SsoLogin;
use super::sso_refresh;
use crate::creds::{Credentials, Identity, Secret};
use crate::env::Env;
use crate::sts::Sts;
use aws_config::provider_config::ProviderConfig;
use aws_credential_types::provider::{ProvideCredentials, error::CredentialsError};
use aws_sdk_sts::config::Region;
use aws_smithy_types::timeout::TimeoutConfig;
use std::time::Duration;

/// Obtains the base credentials of a plan, within `timeout`, and who they are when the
/// source says so (web identity names its session).
pub async fn base_credentials(
    base: &BaseSource,
    env: &Env,
    sts: &Sts,
    region: Option<&str>,
    timeout: Duration,
) -> Result<(Credentials, Option<Identity>), HopError> {
    if let BaseSource::WebIdentity {
        role_arn,
        token_file,
        session_name,
        profile,
        location,
    } = base
    {
        // Through rswitch's own STS client, so the profile's endpoint applies here too.
        let token = std::fs::read_to_string(token_file).map_err(|e| {
            HopError::new(
                ErrorKind::Config,
                None,
                format!(
                    "web-identity credentials: profile '{profile}': cannot read web_identity_token_file \
                     '{token_file}' (set at {location}): {e}"
                ),
            )
        })?;
        let session = session_name
            .clone()
            .unwrap_or_else(|| super::session_name::default_for_user(&env.user_name()));
        let assumed = sts
            .assume_role_with_web_identity(role_arn, &session, token.trim())
            .await
            .map_err(|mut e| {
                e.message = format!("web-identity credentials: {}", e.message);
                e
            })?;
        return Ok((assumed.credentials, Some(assumed.identity)));
    }
    other_base_credentials(base, env, region, timeout)
        .await
        .map(|c| (c, None))
}

async fn other_base_credentials(
    base: &BaseSource,
    env: &Env,
    region: Option<&str>,
    timeout: Duration,
) -> Result<Credentials, HopError> {
    let provider_config = ProviderConfig::without_region()
        .with_region(region.map(|r| Region::new(r.to_string())))
        .with_timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeout.min(Duration::from_secs(2)))
                .read_timeout(timeout)
                .operation_timeout(timeout)
                .build(),
        );
    let what = base.label();
    let fetch = async {
        match base {
            BaseSource::Static { credentials, .. } => Ok(credentials.clone()),
            BaseSource::Environment { profile } => from_env(env, profile),
            BaseSource::Ec2InstanceMetadata { endpoint, .. } => {
                imds_credentials(&provider_config, endpoint.as_deref(), timeout).await
            }
            BaseSource::DefaultChain { imds_endpoint, .. } if !has_container_env(env) => {
                imds_credentials(&provider_config, imds_endpoint.as_deref(), timeout).await
            }
            BaseSource::EcsContainer { .. } | BaseSource::DefaultChain { .. } => {
                provide(
                    aws_config::ecs::EcsCredentialsProvider::builder()
                        .configure(&provider_config)
                        .build(),
                )
                .await
            }
            BaseSource::Process { command, profile } => {
                process_credentials(env, profile, command, timeout).await
            }
            BaseSource::Sso {
                session,
                start_url,
                sso_region,
                account_id,
                role_name,
                ..
            } => {
                let mut builder = aws_config::sso::SsoCredentialsProvider::builder()
                    .configure(&provider_config)
                    .start_url(start_url)
                    .region(Region::new(sso_region.clone()))
                    .account_id(account_id)
                    .role_name(role_name);
                if let Some(session) = session {
                    builder = builder.session_name(session);
                }
                let login = SsoLogin::new(env, base.profile(), session.as_deref(), start_url);
                if let Some(missing) = login.missing() {
                    return Err(missing);
                }
                let provider = builder.build();
                // aws-config refreshes only `sso_session` logins.
                let fetched = match session {
                    Some(_) => sso_refresh::one_at_a_time(&login.path, || provide(provider)).await,
                    None => provide(provider).await,
                };
                fetched.map_err(|e| login.explain(e))
            }
            BaseSource::WebIdentity { .. } => Err(HopError::new(
                ErrorKind::Other,
                None,
                "web identity is resolved through STS directly",
            )),
        }
    };
    match tokio::time::timeout(timeout + Duration::from_millis(250), fetch).await {
        Ok(result) => result.map_err(|mut e: HopError| {
            e.message = format!("{what} credentials: {}", e.message);
            e
        }),
        Err(_) => Err(HopError::new(
            ErrorKind::Timeout,
            None,
            format!(
                "{what} credentials: timed out after {} s",
                timeout.as_secs_f32().ceil() as u64
            ),
        )),
    }
}

async fn imds_credentials(
    provider_config: &ProviderConfig,
    endpoint: Option<&str>,
    timeout: Duration,
) -> Result<Credentials, HopError> {
    let mut client = aws_config::imds::Client::builder()
        .configure(provider_config)
        .connect_timeout(timeout.min(Duration::from_secs(1)))
        .read_timeout(timeout.min(Duration::from_secs(2)))
        .max_attempts(2);
    if let Some(endpoint) = endpoint {
        client = client.endpoint(endpoint).map_err(|e| {
            HopError::new(
                ErrorKind::Config,
                None,
                format!("invalid instance metadata endpoint '{endpoint}': {e}"),
            )
        })?;
    }
    let provider = aws_config::imds::credentials::ImdsCredentialsProvider::builder()
        .configure(provider_config)
        .imds_client(client.build())
        .build();
    provide(provider).await
}

/// rswitch's own runner: bounded in time and output, the process group killed after.
async fn process_credentials(
    env: &Env,
    profile: &str,
    command: &str,
    timeout: Duration,
) -> Result<Credentials, HopError> {
    let vars = crate::nesting::child_vars(env, profile);
    let topmost = crate::nesting::Nesting::from_env(env).depth == 0;
    super::process::run(command, &vars, timeout, topmost)
        .await
        .map_err(|e| {
            let kind = match e {
                super::process::ProcessError::TimedOut(_) => ErrorKind::Timeout,
                _ => ErrorKind::Credentials,
            };
            HopError::new(
                kind,
                None,
                format!("profile '{}': {e}", crate::report::printable(profile)),
            )
        })
}

fn has_container_env(env: &Env) -> bool {
    env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").is_some()
        || env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some()
}

fn from_env(env: &Env, profile: &str) -> Result<Credentials, HopError> {
    match (env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")) {
        (Some(id), Some(secret)) => Ok(Credentials {
            access_key_id: id.to_string(),
            secret_access_key: Secret::new(secret),
            session_token: env
                .get("AWS_SESSION_TOKEN")
                .or_else(|| env.get("AWS_SECURITY_TOKEN"))
                .map(Secret::new),
            expiration: None,
        }),
        _ => Err(HopError::new(
            ErrorKind::Credentials,
            None,
            format!(
                "profile '{profile}' uses credential_source = Environment, but AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not both set"
            ),
        )),
    }
}

async fn provide(provider: impl ProvideCredentials) -> Result<Credentials, HopError> {
    provider
        .provide_credentials()
        .await
        .map(|c| Credentials::from_sdk(&c))
        .map_err(|e| {
            // "the credential provider was not enabled" is how aws-config says "could not
            // get credentials here"; the sources carry the real reason.
            let message =
                crate::sts::error_chain(&e).replace("the credential provider was not enabled: ", "");
            let kind = match &e {
                CredentialsError::ProviderTimedOut(_) => ErrorKind::Timeout,
                CredentialsError::InvalidConfiguration(_) => ErrorKind::Config,
                _ if message.contains("timeout") || message.contains("timed out") => ErrorKind::Timeout,
                _ => ErrorKind::Credentials,
            };
            HopError::new(kind, None, message)
        })
}
