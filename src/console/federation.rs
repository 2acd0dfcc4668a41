//! The `getSigninToken` call to the federation endpoint, through the same HTTP client
//! (TLS, CA certificates, proxy settings) that aws-sdk-sts uses.
//!
//! The request URL carries the session's credentials and the answer a sign-in token: no
//! error here ever contains either. The answer is read with a size cap; a refusal's text
//! reaches the user only through [`crate::text::printable`], shortened.

use crate::creds::Credentials;
use aws_smithy_runtime_api::client::http::{HttpConnector, HttpConnectorSettings};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use http_body_util::BodyExt;
use std::time::Duration;
use url::Url;

/// The largest answer read from the federation endpoint.
pub(crate) const ANSWER_CAP: usize = 64 * 1024;
/// How much of a refusal's text is shown.
const SHOWN: usize = 300;

#[derive(Debug, thiserror::Error)]
pub enum FederationError {
    #[error("timed out after {0} s (no answer from the sign-in endpoint {1})")]
    Timeout(u64, String),
    #[error("cannot reach the sign-in endpoint {0}: {1}")]
    Network(String, String),
    #[error("the sign-in endpoint {endpoint} refused the session (HTTP {status}): {text}")]
    Refused {
        endpoint: String,
        status: u16,
        text: String,
    },
    #[error("the sign-in endpoint {0} answered more than {ANSWER_CAP} bytes")]
    TooLarge(String),
    #[error("the sign-in endpoint {0} answered without a SigninToken")]
    NoToken(String),
}

/// The `Session` parameter: the temporary credentials as JSON.
pub(crate) fn session_json(creds: &Credentials) -> String {
    serde_json::json!({
        "sessionId": creds.access_key_id,
        "sessionKey": creds.secret_access_key.expose(),
        "sessionToken": creds.session_token.as_ref().map(|t| t.expose()).unwrap_or_default(),
    })
    .to_string()
}

/// Asks `endpoint` for a sign-in token for `creds`.
pub async fn signin_token(
    endpoint: &Url,
    creds: &Credentials,
    session_duration: Option<u32>,
    timeout: Duration,
) -> Result<String, FederationError> {
    let shown = shown_endpoint(endpoint);
    let url = super::url::signin_token_request(endpoint, &session_json(creds), session_duration);
    let call = get(url.as_str(), timeout, &shown);
    let (status, body) = tokio::time::timeout(timeout, call)
        .await
        .map_err(|_| FederationError::Timeout(timeout.as_secs_f32().ceil() as u64, shown.clone()))??;
    if status != 200 {
        return Err(FederationError::Refused {
            endpoint: shown,
            status,
            text: refusal_text(&redact(&String::from_utf8_lossy(&body), creds)),
        });
    }
    serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v.get("SigninToken")?.as_str().map(str::to_string))
        .filter(|t| !t.is_empty())
        .ok_or(FederationError::NoToken(shown))
}

/// `scheme://host[:port]/path` of the endpoint, for messages (never its query).
fn shown_endpoint(endpoint: &Url) -> String {
    let mut u = endpoint.clone();
    u.set_query(None);
    u.to_string()
}

/// The text without the session's secrets, in case an endpoint echoes the request.
fn redact(text: &str, creds: &Credentials) -> String {
    let mut text = text.to_string();
    let secrets = [
        Some(creds.secret_access_key.expose()),
        creds.session_token.as_ref().map(|t| t.expose()),
    ];
    for secret in secrets.into_iter().flatten().filter(|s| s.len() >= 8) {
        text = text.replace(secret, "<redacted>");
        // Also as the URL-encoded form the request carried.
        let encoded: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        text = text.replace(&encoded, "<redacted>");
    }
    text
}

/// A refusal's body (secrets already out) as one printable line, shortened.
fn refusal_text(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut shown: String = line.chars().take(SHOWN).collect();
    if line.chars().count() > SHOWN {
        shown.push('…');
    }
    if shown.is_empty() {
        shown = "(no text)".into();
    }
    crate::text::printable(&shown)
}

async fn get(url: &str, timeout: Duration, shown: &str) -> Result<(u16, Vec<u8>), FederationError> {
    let network = |e: &(dyn std::error::Error + 'static)| {
        // The URL holds the credentials: keep only the error's own words.
        let text = crate::aws_query::error_chain(e).replace(url, "<request>");
        FederationError::Network(shown.to_string(), crate::text::printable(&text))
    };
    let settings = HttpConnectorSettings::builder()
        .connect_timeout(timeout.min(Duration::from_secs(3)))
        .read_timeout(timeout)
        .build();
    let connector = aws_smithy_http_client::Connector::builder()
        .connector_settings(settings)
        .proxy_config(aws_smithy_http_client::proxy::ProxyConfig::from_env())
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .build();
    let mut request = HttpRequest::get(url).map_err(|e| network(&e))?;
    request
        .headers_mut()
        .insert("user-agent", concat!("rswitch/", env!("CARGO_PKG_VERSION")));
    let response = connector.call(request).await.map_err(|e| network(&e))?;
    let status = response.status().as_u16();
    let body = http_body_util::Limited::new(response.into_body(), ANSWER_CAP)
        .collect()
        .await
        .map_err(|e| {
            if e.is::<http_body_util::LengthLimitError>() {
                FederationError::TooLarge(shown.to_string())
            } else {
                FederationError::Network(shown.to_string(), crate::text::printable(&e.to_string()))
            }
        })?
        .to_bytes();
    Ok((status, body.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::Secret;

    #[test]
    fn session_json_has_the_three_fields_aws_reads() {
        let c = Credentials {
            access_key_id: "ASIAX".into(),
            secret_access_key: Secret::new("s\"ecret"),
            session_token: Some(Secret::new("tok")),
            expiration: None,
        };
        let v: serde_json::Value = serde_json::from_str(&session_json(&c)).expect("json");
        assert_eq!(v["sessionId"], "ASIAX");
        assert_eq!(v["sessionKey"], "s\"ecret");
        assert_eq!(v["sessionToken"], "tok");
    }

    #[tokio::test]
    async fn an_echoed_request_never_shows_the_secrets() {
        let echo =
            crate::fake_aws::loopback::Server::start(crate::fake_aws::loopback::handler(|req| async move {
                crate::fake_aws::loopback::Response::text(400, format!("bad request {}", req.path))
            }))
            .await
            .expect("server");
        let c = Credentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("secret/with+chars=="),
            session_token: Some(Secret::new("tokentokentoken")),
            expiration: None,
        };
        let endpoint = Url::parse(&format!("{}/federation", echo.url())).expect("url");
        let e = signin_token(&endpoint, &c, None, Duration::from_secs(10))
            .await
            .expect_err("refused")
            .to_string();
        assert!(e.contains("refused the session (HTTP 400)"), "{e}");
        assert!(e.contains("ASIAEXAMPLE"), "the echo is shown: {e}");
        assert!(!e.contains("secret") && !e.contains("tokentoken"), "{e}");
    }

    #[test]
    fn refusals_are_one_short_printable_line() {
        let long = format!("bad\x1b[31m\n{}", "x".repeat(1000));
        let t = refusal_text(&long);
        assert!(!t.contains('\x1b'), "{t}");
        assert!(t.chars().count() <= SHOWN + 12, "{}", t.len());
        assert!(t.ends_with('…'));
        assert_eq!(refusal_text(""), "(no text)");
    }
}
