//! The only module that talks to STS through aws-sdk-sts. It turns SDK errors into
//! [`HopError`]s that keep the full STS code and message.
//!
//! Answers are untrusted: a body is read up to [`ANSWER_MAX`] bytes (the SDK would read
//! any size), a 2xx body is never put into an error (it may hold fresh credentials), and
//! other bodies are shown with their credential elements removed, cut to [`BODY_SHOWN`].
//!
//! One [`Sts`] per (region, endpoint) holds one SDK client, so every hop of every profile
//! shares its connection pool; the calling credentials are set per call.

use crate::arn::account_of;
pub(crate) use crate::aws_query::error_chain;
use crate::aws_query::xml_tag;
pub use crate::aws_query::{caller_from_message, kind_of_code};
use crate::creds::{Credentials, Identity};
use crate::error::{ErrorKind, HopError};
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

/// Most bytes of one STS answer rswitch reads. Real answers are under 4 KB.
pub(crate) const ANSWER_MAX: usize = 64 * 1024;
/// Most characters of an answer body an error shows.
pub(crate) const BODY_SHOWN: usize = 2048;

mod answer_cap;
mod endpoint;
mod redact;
use answer_cap::{AnswerCap, NoRetryOfLargeAnswers};
pub(crate) use answer_cap::{capped_http_client, https_connector, too_large};
pub(crate) use endpoint::resolve_endpoint;
use redact::cut;
pub(crate) use redact::redact;

/// Region used when neither the environment nor the profile names one (STS is global).
pub(crate) const FALLBACK_REGION: &str = "us-east-1";

#[derive(Clone, Debug, Default)]
pub struct StsSettings {
    pub region: Option<String>,
    pub endpoint: Option<String>,
    /// FIPS and dual-stack endpoints, resolved by the SDK's endpoint rules.
    pub use_fips: bool,
    pub use_dual_stack: bool,
    /// Upper bound for one whole call, retries included.
    pub timeout: Duration,
}

/// A role assumed: credentials plus the session it created.
#[derive(Clone, Debug)]
pub struct AssumedRole {
    pub credentials: Credentials,
    pub identity: Identity,
}

/// Parameters of one AssumeRole call.
#[derive(Clone, Debug, Default)]
pub struct AssumeRoleInput<'a> {
    pub role_arn: &'a str,
    pub session_name: &'a str,
    pub external_id: Option<&'a str>,
    pub duration_seconds: Option<i32>,
    pub serial_number: Option<&'a str>,
    pub token_code: Option<&'a str>,
}

/// An STS client for one region and endpoint. The SDK client is built on the first call:
/// building it loads the system's CA certificates (several ms), which a run answered
/// entirely from the cache never needs.
#[derive(Clone, Debug)]
pub struct Sts {
    settings: StsSettings,
    client: Arc<OnceLock<aws_sdk_sts::Client>>,
    timeout: Duration,
}

impl Sts {
    pub fn new(settings: &StsSettings) -> Self {
        Sts {
            settings: settings.clone(),
            client: Arc::default(),
            timeout: settings.timeout,
        }
    }

    /// The URL this client's calls go to, as the SDK's endpoint rules resolve it.
    pub(crate) fn endpoint(&self) -> Result<String, String> {
        resolve_endpoint(&self.settings)
    }

    fn client(&self) -> &aws_sdk_sts::Client {
        self.client.get_or_init(|| build_client(&self.settings))
    }

    fn with_credentials(creds: &Credentials) -> aws_sdk_sts::config::Builder {
        aws_sdk_sts::Config::builder().credentials_provider(creds.to_sdk())
    }

    pub async fn assume_role(
        &self,
        creds: &Credentials,
        input: &AssumeRoleInput<'_>,
    ) -> Result<AssumedRole, HopError> {
        let out = self
            .client()
            .assume_role()
            .role_arn(input.role_arn)
            .role_session_name(input.session_name)
            .set_external_id(input.external_id.map(str::to_string))
            .set_duration_seconds(input.duration_seconds)
            .set_serial_number(input.serial_number.map(str::to_string))
            .set_token_code(input.token_code.map(str::to_string))
            .customize()
            .config_override(Self::with_credentials(creds))
            .send()
            .await
            .map_err(|e| self.convert(e))?;
        assumed("AssumeRole", out.credentials, out.assumed_role_user)
    }

    /// AssumeRoleWithWebIdentity: unsigned; the token file's content is the proof.
    pub(crate) async fn assume_role_with_web_identity(
        &self,
        role_arn: &str,
        session_name: &str,
        token: &str,
    ) -> Result<AssumedRole, HopError> {
        let out = self
            .client()
            .assume_role_with_web_identity()
            .role_arn(role_arn)
            .role_session_name(session_name)
            .web_identity_token(token)
            .send()
            .await
            .map_err(|e| self.convert(e))?;
        assumed(
            "AssumeRoleWithWebIdentity",
            out.credentials,
            out.assumed_role_user,
        )
    }

    pub async fn caller_identity(&self, creds: &Credentials) -> Result<Identity, HopError> {
        let out = self
            .client()
            .get_caller_identity()
            .customize()
            .config_override(Self::with_credentials(creds))
            .send()
            .await
            .map_err(|e| self.convert(e))?;
        Ok(Identity {
            account: out.account.unwrap_or_default(),
            arn: out.arn.unwrap_or_default(),
            user_id: out.user_id.unwrap_or_default(),
        })
    }

    /// GetSessionToken, for an MFA-authenticated session of a long-term user.
    pub async fn session_token(
        &self,
        creds: &Credentials,
        serial_number: &str,
        token_code: &str,
        duration_seconds: Option<i32>,
    ) -> Result<Credentials, HopError> {
        let out = self
            .client()
            .get_session_token()
            .serial_number(serial_number)
            .token_code(token_code)
            .set_duration_seconds(duration_seconds)
            .customize()
            .config_override(Self::with_credentials(creds))
            .send()
            .await
            .map_err(|e| self.convert(e))?;
        session_credentials("GetSessionToken", out.credentials)
    }

    /// GetFederationToken: a federated user session of the calling IAM user, limited by
    /// `policy` (the session's permissions are the intersection of the user's and the policy's).
    pub(crate) async fn federation_token(
        &self,
        creds: &Credentials,
        name: &str,
        policy: &str,
        duration_seconds: i32,
    ) -> Result<AssumedRole, HopError> {
        let out = self
            .client()
            .get_federation_token()
            .name(name)
            .policy(policy)
            .duration_seconds(duration_seconds)
            .customize()
            .config_override(Self::with_credentials(creds))
            .send()
            .await
            .map_err(|e| self.convert(e))?;
        let credentials = session_credentials("GetFederationToken", out.credentials)?;
        let user = out.federated_user;
        let arn = user.as_ref().map(|u| u.arn.clone()).unwrap_or_default();
        Ok(AssumedRole {
            credentials,
            identity: Identity {
                account: account_of(&arn).unwrap_or_default().to_string(),
                user_id: user.map(|u| u.federated_user_id).unwrap_or_default(),
                arn,
            },
        })
    }

    fn convert<E>(&self, err: SdkError<E, HttpResponse>) -> HopError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let mut error = convert_error(err, self.timeout);
        // Which host could not be reached (or refused to be resolved) is half the story.
        if matches!(
            error.kind,
            ErrorKind::Network | ErrorKind::Timeout | ErrorKind::Config
        ) && error.code.is_none()
        {
            match self.endpoint() {
                Ok(url) => error.message = format!("{} (endpoint {url})", error.message),
                Err(why) if error.kind == ErrorKind::Config => error.message = why,
                Err(_) => {}
            }
        }
        error
    }
}

/// Temporary credentials from an STS answer; `operation` names it when they are missing.
fn session_credentials(
    operation: &str,
    c: Option<aws_sdk_sts::types::Credentials>,
) -> Result<Credentials, HopError> {
    let c = c.ok_or_else(|| {
        HopError::new(
            ErrorKind::Other,
            None,
            format!("{operation} returned no credentials"),
        )
    })?;
    Ok(Credentials {
        access_key_id: c.access_key_id,
        secret_access_key: crate::creds::Secret::new(c.secret_access_key),
        session_token: Some(crate::creds::Secret::new(c.session_token)),
        expiration: SystemTime::try_from(c.expiration).ok(),
    })
}

/// A role session from an AssumeRole-family answer: its credentials, and the identity its
/// AssumedRoleUser names (the same ARN, id and account GetCallerIdentity would return).
fn assumed(
    operation: &str,
    credentials: Option<aws_sdk_sts::types::Credentials>,
    user: Option<aws_sdk_sts::types::AssumedRoleUser>,
) -> Result<AssumedRole, HopError> {
    let credentials = session_credentials(operation, credentials)?;
    let arn = user.as_ref().map(|u| u.arn.clone()).unwrap_or_default();
    Ok(AssumedRole {
        credentials,
        identity: Identity {
            account: account_of(&arn).unwrap_or_default().to_string(),
            user_id: user.map(|u| u.assumed_role_id).unwrap_or_default(),
            arn,
        },
    })
}

fn build_client(settings: &StsSettings) -> aws_sdk_sts::Client {
    let region = settings
        .region
        .clone()
        .unwrap_or_else(|| FALLBACK_REGION.to_string());
    let attempt = settings.timeout.mul_f32(0.6).max(Duration::from_millis(500));
    let mut config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region))
        .retry_config(RetryConfig::standard().with_max_attempts(3))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(attempt.min(Duration::from_secs(3)))
                .operation_attempt_timeout(attempt)
                .operation_timeout(settings.timeout)
                .build(),
        );
    if let Some(endpoint) = &settings.endpoint {
        config = config.endpoint_url(endpoint);
    }
    config = config
        .interceptor(AnswerCap)
        .retry_classifier(NoRetryOfLargeAnswers)
        .use_fips(settings.use_fips)
        .use_dual_stack(settings.use_dual_stack);
    aws_sdk_sts::Client::from_conf(config.build())
}

/// Turns any SDK error into a [`HopError`] that keeps STS's code and full message.
pub(crate) fn convert_error<E>(err: SdkError<E, HttpResponse>, timeout: Duration) -> HopError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let timed_out = || {
        HopError::new(
            ErrorKind::Timeout,
            None,
            format!(
                "timed out after {} s (no answer from STS)",
                timeout.as_secs_f32().ceil() as u64
            ),
        )
    };
    let mut hop_error = match &err {
        SdkError::TimeoutError(_) => timed_out(),
        SdkError::DispatchFailure(d) if d.is_timeout() => timed_out(),
        SdkError::DispatchFailure(_) => HopError::new(
            ErrorKind::Network,
            None,
            format!("cannot reach STS: {}", error_chain(&err)),
        ),
        _ if too_large(&err) => HopError::new(
            ErrorKind::Other,
            None,
            format!(
                "the answer from STS is larger than {} KiB: not read",
                ANSWER_MAX / 1024
            ),
        ),
        SdkError::ServiceError(se) => match err.code() {
            Some(code) => HopError::new(
                kind_of_code(Some(code)),
                Some(code.to_string()),
                shown_message(err.message().unwrap_or_default()),
            ),
            // Some STS-compatible servers nest the error as ErrorResponse/Errors/Error,
            // which the SDK does not read: take code and message from the raw body.
            None => from_raw_body(se.raw())
                .unwrap_or_else(|body| body_error(se.raw().status().as_u16(), &body, None)),
        },
        SdkError::ResponseError(r) => from_raw_body(r.raw()).unwrap_or_else(|body| {
            body_error(
                r.raw().status().as_u16(),
                &body,
                Some(&DisplayErrorContext(&err).to_string()),
            )
        }),
        SdkError::ConstructionFailure(_) => HopError::new(
            ErrorKind::Config,
            None,
            format!("cannot build the STS request: {}", DisplayErrorContext(&err)),
        ),
        _ => HopError::new(ErrorKind::Other, None, DisplayErrorContext(&err).to_string()),
    };
    hop_error.caller_arn = caller_from_message(&hop_error.message);
    hop_error
}

/// The error `<Code>` and `<Message>` of a raw STS answer, or the body when it has none.
/// A 2xx answer is never read for them: its body is not an error and may hold credentials.
fn from_raw_body(raw: &HttpResponse) -> Result<HopError, String> {
    let body = raw
        .body()
        .bytes()
        .map(String::from_utf8_lossy)
        .unwrap_or_default();
    if raw.status().is_success() {
        return Err(body.into_owned());
    }
    match xml_tag(&body, "Code") {
        Some(code) => Ok(HopError::new(
            kind_of_code(Some(&code)),
            Some(code),
            shown_message(&xml_tag(&body, "Message").unwrap_or_default()),
        )),
        None => Err(body.into_owned()),
    }
}

/// The error for an answer without an error code. A 2xx body is never shown: it may be a
/// success rswitch could not read, fresh credentials included. Other bodies are shown
/// without credential elements, cut to [`BODY_SHOWN`] characters.
fn body_error(status: u16, body: &str, why: Option<&str>) -> HopError {
    let message = if (200..300).contains(&status) {
        format!(
            "HTTP {status} from STS with an answer rswitch cannot read ({} bytes, not shown: it may hold credentials){}",
            body.len(),
            why.map(|w| format!(": {}", cut(&redact(w), BODY_SHOWN)))
                .unwrap_or_default()
        )
    } else {
        let body = cut(redact(body).trim(), BODY_SHOWN);
        match why {
            Some(why) => format!(
                "unreadable answer from STS (HTTP {status}): {}: {body}",
                cut(&redact(why), BODY_SHOWN)
            ),
            None => format!("HTTP {status} from STS: {body}"),
        }
    };
    HopError::new(ErrorKind::Other, None, message)
}

/// An error `<Message>` as shown: without credential values, at most [`BODY_SHOWN`]
/// characters.
fn shown_message(message: &str) -> String {
    cut(&redact(message), BODY_SHOWN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_removed_from_bodies() {
        let xml = "<Credentials><AccessKeyId>ASIAX</AccessKeyId><SecretAccessKey>s3cr3t</SecretAccessKey>\
                   <SessionToken>t0k3n</SessionToken></Credentials><SessionToken>open-ended";
        let shown = redact(xml);
        assert!(!shown.contains("s3cr3t") && !shown.contains("t0k3n") && !shown.contains("ASIAX"));
        assert!(!shown.contains("open-ended"), "{shown}");
        assert!(
            shown.contains("<SecretAccessKey>(removed)</SecretAccessKey>"),
            "{shown}"
        );
        let json = r#"{"SecretAccessKey" : "a\"b", "SessionToken":"t0k3n", "Other": "kept"}"#;
        let shown = redact(json);
        assert_eq!(
            shown,
            r#"{"SecretAccessKey": "(removed)", "SessionToken": "(removed)", "Other": "kept"}"#
        );
        let ok = body_error(200, xml, None).message;
        assert!(!ok.contains("Credentials") && ok.contains("not shown"), "{ok}");
        let denied = body_error(403, &"x".repeat(10 * BODY_SHOWN), None).message;
        assert!(denied.len() < BODY_SHOWN + 100, "{}", denied.len());
    }

    #[test]
    fn reads_the_account_of_an_arn() {
        assert_eq!(
            account_of("arn:aws:sts::222222222222:assumed-role/R/s"),
            Some("222222222222")
        );
    }
}
