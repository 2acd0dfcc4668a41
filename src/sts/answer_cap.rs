//! The byte cap on answers: for STS, an SDK interceptor that refuses a declared body over
//! [`ANSWER_MAX`] and stops reading an undeclared one there, and a retry rule that does
//! not ask again for an answer that was too large; for the clients aws-config builds (base
//! credentials), an HTTP client that does the same below them.

use super::ANSWER_MAX;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeDeserializationInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::config_bag::ConfigBag;
use std::sync::Mutex;
use std::time::Duration;

/// An answer body over the cap, by its Content-Length: its length and the cap.
#[derive(Debug, thiserror::Error)]
#[error("the answer is {0} bytes, more than the {1} rswitch reads")]
pub(crate) struct AnswerTooLarge(pub u64, pub usize);

/// Caps every answer body at [`ANSWER_MAX`] bytes before the SDK reads it: a declared
/// larger one fails at once, an undeclared one fails when the cap is passed.
#[derive(Debug)]
pub(super) struct AnswerCap;

impl Intercept for AnswerCap {
    fn name(&self) -> &'static str {
        "AnswerCap"
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let response = context.response_mut();
        let declared = response
            .headers()
            .get("content-length")
            .and_then(|v| v.trim().parse::<u64>().ok());
        if let Some(len) = declared.filter(|len| *len > ANSWER_MAX as u64) {
            return Err(AnswerTooLarge(len, ANSWER_MAX).into());
        }
        let body = response.take_body();
        *response.body_mut() = SdkBody::from_body_1_x(http_body_util::Limited::new(body, ANSWER_MAX));
        Ok(())
    }
}

/// An answer over the cap is not asked for again: the next would be as large.
#[derive(Debug)]
pub(super) struct NoRetryOfLargeAnswers;

impl ClassifyRetry for NoRetryOfLargeAnswers {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(e)) if too_large(e) => RetryAction::RetryForbidden,
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "NoRetryOfLargeAnswers"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// True when `err` or one of its sources says the answer passed [`ANSWER_MAX`].
pub(crate) fn too_large(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(err);
    while let Some(e) = current {
        if e.is::<AnswerTooLarge>() || e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        current = e.source();
    }
    false
}

/// An HTTP client whose answer bodies stop at `max` bytes, a declared larger one failing at
/// once: for the clients aws-config builds (IMDS, the container endpoint, IAM Identity
/// Center, Sign-In), which take no interceptor of ours. One connector per set of timeouts,
/// as the SDK's default client keeps them.
pub(crate) fn capped_http_client(max: usize) -> SharedHttpClient {
    SharedHttpClient::new(CappedClient {
        max,
        connectors: Mutex::new(Vec::new()),
    })
}

type Timeouts = (Option<Duration>, Option<Duration>);

#[derive(Debug)]
struct CappedClient {
    max: usize,
    connectors: Mutex<Vec<(Timeouts, SharedHttpConnector)>>,
}

impl HttpClient for CappedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        let mut connectors = self.connectors.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, connector)) = connectors.iter().find(|(k, _)| *k == key) {
            return connector.clone();
        }
        let connector = SharedHttpConnector::new(CappedConnector {
            inner: https_connector(settings, Some(components)),
            max: self.max,
        });
        connectors.push((key, connector.clone()));
        connector
    }
}

/// The SDK's own HTTPS connector as its default client builds it: rustls with aws-lc, the
/// proxy from `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY`, the given timeouts.
pub(crate) fn https_connector(
    settings: &HttpConnectorSettings,
    components: Option<&RuntimeComponents>,
) -> SharedHttpConnector {
    use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
    let mut builder = aws_smithy_http_client::Connector::builder()
        .connector_settings(settings.clone())
        .proxy_config(aws_smithy_http_client::proxy::ProxyConfig::from_env())
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc));
    if let Some(sleep) = components.and_then(|c| c.sleep_impl()) {
        builder = builder.sleep_impl(sleep);
    }
    SharedHttpConnector::new(builder.build())
}

#[derive(Debug)]
struct CappedConnector {
    inner: SharedHttpConnector,
    max: usize,
}

impl HttpConnector for CappedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let inner = self.inner.clone();
        let max = self.max;
        HttpConnectorFuture::new(async move {
            let mut response = inner.call(request).await?;
            let declared = response
                .headers()
                .get("content-length")
                .and_then(|v| v.trim().parse::<u64>().ok());
            if let Some(len) = declared.filter(|len| *len > max as u64) {
                return Err(ConnectorError::other(Box::new(AnswerTooLarge(len, max)), None));
            }
            let body = response.take_body();
            *response.body_mut() = SdkBody::from_body_1_x(http_body_util::Limited::new(body, max));
            Ok(response)
        })
    }
}
