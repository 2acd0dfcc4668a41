//! The SSO OIDC and SSO portal clients of one session: the session's `sso_region`, FIPS
//! when asked for, the SDK's endpoint resolver otherwise, and the endpoint overrides the
//! SDKs honour (`AWS_ENDPOINT_URL_SSO_OIDC` / `AWS_ENDPOINT_URL_SSO`, then
//! `AWS_ENDPOINT_URL`, unless `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`) — the same
//! variables aws-config's SSO provider reads, so a login and the credentials it serves
//! go to the same portal. The calls are unsigned (bearer token or client secret); answers
//! are read up to [`ANSWER_MAX`].

use super::SsoError;
use super::session::SsoSession;
use crate::env::Env;
use crate::resolve::plan::{Service, configured_endpoint};
use aws_sdk_ssooidc::config::{BehaviorVersion, Region};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::time::Duration;

/// The largest answer read from the portal or its OIDC service: a page of `ListAccounts` or
/// `ListAccountRoles` is a few KB per hundred entries, a token a few KB.
const ANSWER_MAX: usize = 1024 * 1024;

fn timeouts(timeout: Duration) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(timeout.min(Duration::from_secs(3)))
        .operation_timeout(timeout)
        .build()
}

pub(crate) fn oidc(env: &Env, session: &SsoSession, timeout: Duration) -> aws_sdk_ssooidc::Client {
    let mut config = aws_sdk_ssooidc::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(session.region.clone()))
        .use_fips(session.use_fips)
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .http_client(crate::sts::capped_http_client(ANSWER_MAX))
        .timeout_config(timeouts(timeout));
    config.set_endpoint_url(configured_endpoint(env, None, Service::SSO_OIDC));
    aws_sdk_ssooidc::Client::from_conf(config.build())
}

pub(crate) fn portal(env: &Env, session: &SsoSession, timeout: Duration) -> aws_sdk_sso::Client {
    let mut config = aws_sdk_sso::Config::builder()
        .behavior_version(aws_sdk_sso::config::BehaviorVersion::latest())
        .region(aws_sdk_sso::config::Region::new(session.region.clone()))
        .use_fips(session.use_fips)
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .http_client(crate::sts::capped_http_client(ANSWER_MAX))
        .timeout_config(timeouts(timeout));
    config.set_endpoint_url(configured_endpoint(env, None, Service::SSO));
    aws_sdk_sso::Client::from_conf(config.build())
}

/// An SDK error as one line: the service's code and message, or what went wrong on the way.
pub(crate) fn describe<E>(service: &str, err: &SdkError<E, HttpResponse>) -> SsoError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let text = match err {
        SdkError::ServiceError(_) => match (err.code(), err.message()) {
            (Some(code), Some(message)) => format!("{code}: {message}"),
            (Some(code), None) => code.to_string(),
            _ => format!("{}", DisplayErrorContext(err)),
        },
        SdkError::TimeoutError(_) => "timed out".to_string(),
        SdkError::DispatchFailure(d) if d.is_timeout() => "timed out".to_string(),
        _ if crate::sts::too_large(err) => {
            format!("the answer is larger than {} KiB: not read", ANSWER_MAX / 1024)
        }
        SdkError::DispatchFailure(_) => format!("cannot reach {service}: {}", DisplayErrorContext(err)),
        _ => format!("{}", DisplayErrorContext(err)),
    };
    SsoError::Service {
        service: service.to_string(),
        message: crate::text::printable(&text),
    }
}
