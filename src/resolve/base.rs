//! First credentials of a chain, through aws-config's providers (IMDSv2, ECS, SSO) — the
//! one job aws-config does for rswitch — and rswitch's own `credential_process` runner
//! ([`super::process`]) and web-identity call.

use super::outcome::{ErrorKind, HopError};
use super::plan::{BaseSource, IMDS_IPV4, Plan};
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

/// Where a base's credentials are asked for, resolved as the SDK resolves it (see
/// [`HopOutcome::endpoint`](super::outcome::HopOutcome::endpoint)).
pub(crate) fn base_endpoint(plan: &Plan, env: &Env, sts: &Sts) -> Option<String> {
    match &plan.base {
        // A login is read from its cache; only a refresh calls AWS Sign-In.
        BaseSource::Static { .. }
        | BaseSource::Environment { .. }
        | BaseSource::Process { .. }
        | BaseSource::Login { .. } => None,
        BaseSource::WebIdentity { .. } => sts.endpoint().ok(),
        BaseSource::Ec2InstanceMetadata { endpoint, .. } => Some(imds_url(endpoint.as_deref())),
        BaseSource::DefaultChain { imds_endpoint, .. } if !has_container_env(env) => {
            Some(imds_url(imds_endpoint.as_deref()))
        }
        BaseSource::EcsContainer { .. } | BaseSource::DefaultChain { .. } => container_url(env),
        BaseSource::Sso { sso_region, .. } => sso_portal_url(env, sso_region, plan),
    }
}

fn imds_url(endpoint: Option<&str>) -> String {
    endpoint.unwrap_or(IMDS_IPV4).to_string()
}

/// The container credentials URL aws-config's ECS provider calls.
fn container_url(env: &Env) -> Option<String> {
    env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
        .map(str::to_string)
        .or_else(|| {
            env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                .map(|path| format!("http://169.254.170.2{path}"))
        })
}

/// The IAM Identity Center portal aws-config's SSO provider calls: a URL configured in
/// the environment, else what aws-sdk-sso's endpoint rules give for the SSO region.
fn sso_portal_url(env: &Env, sso_region: &str, plan: &Plan) -> Option<String> {
    use aws_sdk_sso::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};
    use futures::FutureExt;
    if let Some(url) = env
        .get("AWS_ENDPOINT_URL_SSO")
        .or_else(|| env.get("AWS_ENDPOINT_URL"))
    {
        return Some(url.to_string());
    }
    let params = Params::builder()
        .region(sso_region)
        .use_fips(plan.use_fips)
        .use_dual_stack(plan.use_dual_stack)
        .build()
        .ok()?;
    let endpoint = DefaultResolver::new()
        .resolve_endpoint(&params)
        .now_or_never()?
        .ok()?;
    Some(endpoint.url().to_string())
}

/// Obtains the base credentials of a plan, within `timeout`, and who they are when the
/// source says so (web identity names its session).
pub(crate) async fn base_credentials(
    plan: &Plan,
    env: &Env,
    sts: &Sts,
    timeout: Duration,
) -> Result<(Credentials, Option<Identity>), HopError> {
    let base = &plan.base;
    if let BaseSource::WebIdentity {
        role_arn,
        token_file,
        session_name,
        profile,
        location,
    } = base
    {
        // Through rswitch's own STS client, so the profile's endpoint applies here too.
        let token = read_token(std::path::Path::new(token_file)).map_err(|e| {
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
    other_base_credentials(plan, env, timeout)
        .await
        .map(|c| (c, None))
}

async fn other_base_credentials(plan: &Plan, env: &Env, timeout: Duration) -> Result<Credentials, HopError> {
    let base = &plan.base;
    let provider_config = provider_config(plan, timeout);
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
            BaseSource::Sso { .. } => sso_credentials(env, base, &provider_config).await,
            BaseSource::Login { profile, session_arn } => {
                login_credentials(plan, &provider_config, profile, session_arn).await
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

/// The settings aws-config's providers are built with. FIPS and dual-stack reach the SSO
/// and SSO-OIDC clients aws-config builds; every answer they read is capped at
/// [`crate::sts::ANSWER_MAX`], as STS's are.
fn provider_config(plan: &Plan, timeout: Duration) -> ProviderConfig {
    ProviderConfig::without_region()
        .with_http_client(crate::sts::capped_http_client(crate::sts::ANSWER_MAX))
        .with_region(plan.region.as_ref().map(|r| Region::new(r.clone())))
        .with_use_fips(Some(plan.use_fips))
        .with_use_dual_stack(Some(plan.use_dual_stack))
        .with_timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(timeout.min(Duration::from_secs(2)))
                .read_timeout(timeout)
                .operation_timeout(timeout)
                .build(),
        )
}

/// IAM Identity Center credentials through the token cache `aws sso login` leaves.
async fn sso_credentials(
    env: &Env,
    base: &BaseSource,
    provider_config: &ProviderConfig,
) -> Result<Credentials, HopError> {
    let BaseSource::Sso {
        session,
        start_url,
        sso_region,
        account_id,
        role_name,
        ..
    } = base
    else {
        return Err(HopError::new(ErrorKind::Other, None, "not an SSO profile"));
    };
    let mut builder = aws_config::sso::SsoCredentialsProvider::builder()
        .configure(provider_config)
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

/// `aws login` credentials, refreshed by the Sign-In client.
async fn login_credentials(
    plan: &Plan,
    provider_config: &ProviderConfig,
    profile: &str,
    session_arn: &str,
) -> Result<Credentials, HopError> {
    // The Sign-In client that refreshes the login needs a region.
    let config = provider_config.clone().with_region(Some(Region::new(
        plan.region
            .clone()
            .unwrap_or_else(|| crate::sts::FALLBACK_REGION.into()),
    )));
    let provider = aws_config::login::LoginCredentialsProvider::builder(session_arn.trim())
        .configure(&config)
        .build();
    provide(provider)
        .await
        .map_err(|e| super::login::explain(profile, session_arn, e))
}

async fn imds_credentials(
    provider_config: &ProviderConfig,
    endpoint: Option<&str>,
    timeout: Duration,
) -> Result<Credentials, HopError> {
    // Always an explicit endpoint: left unset, aws-config would read the endpoint and its
    // mode from `[default]` (or AWS_PROFILE's profile), not from the profile resolved.
    let endpoint = imds_url(endpoint);
    let client = aws_config::imds::Client::builder()
        .configure(provider_config)
        .connect_timeout(timeout.min(Duration::from_secs(1)))
        .read_timeout(timeout.min(Duration::from_secs(2)))
        .max_attempts(2)
        .endpoint(&endpoint)
        .map_err(|e| {
            HopError::new(
                ErrorKind::Config,
                None,
                format!("invalid instance metadata endpoint '{endpoint}': {e}"),
            )
        })?;
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
                format!("profile '{}': {e}", crate::text::printable(profile)),
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
            let message = if crate::sts::too_large(&e) {
                format!(
                    "the answer is larger than {} KiB: not read",
                    crate::sts::ANSWER_MAX / 1024
                )
            } else {
                crate::aws_query::error_chain(&e).replace("the credential provider was not enabled: ", "")
            };
            let kind = match &e {
                CredentialsError::ProviderTimedOut(_) => ErrorKind::Timeout,
                CredentialsError::InvalidConfiguration(_) => ErrorKind::Config,
                _ if message.contains("timeout") || message.contains("timed out") => ErrorKind::Timeout,
                _ => ErrorKind::Credentials,
            };
            HopError::new(kind, None, message)
        })
}

/// The largest `web_identity_token_file` read. STS takes a `WebIdentityToken` of at most
/// 20 000 characters; a bigger file is not a token.
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

/// A web identity token file: a regular file (a FIFO would block the command past its
/// `--timeout`), at most [`MAX_TOKEN_BYTES`], UTF-8.
fn read_token(path: &std::path::Path) -> std::io::Result<String> {
    let bytes = crate::platform::read_capped(path, MAX_TOKEN_BYTES).map_err(|e| {
        if e.kind() == std::io::ErrorKind::FileTooLarge {
            std::io::Error::other(format!(
                "{e}, which no token is (STS takes at most 20000 characters)"
            ))
        } else {
            e
        }
    })?;
    String::from_utf8(bytes).map_err(|_| std::io::Error::other("it is not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::read_token;

    #[test]
    fn a_token_file_is_read_whole_and_anything_else_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let token = dir.path().join("token");
        std::fs::write(&token, "eyJhbGciOi.payload.sig\n").unwrap();
        assert_eq!(read_token(&token).unwrap(), "eyJhbGciOi.payload.sig\n");

        let huge = dir.path().join("huge");
        std::fs::File::create(&huge).unwrap().set_len(1 << 30).unwrap();
        let err = read_token(&huge).unwrap_err().to_string();
        assert!(err.contains("larger than 64 KiB"), "{err}");

        let endless = read_token(std::path::Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(endless.contains("a device, not a regular file"), "{endless}");

        // A FIFO with no writer: refused at once, not waited on.
        let fifo = dir.path().join("fifo");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let err = read_token(&fifo).unwrap_err().to_string();
        assert!(err.contains("a FIFO, not a regular file"), "{err}");

        assert!(read_token(dir.path()).is_err(), "a directory");
        assert!(read_token(&dir.path().join("missing")).is_err());
    }
}
