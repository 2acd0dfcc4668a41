//! Authenticates requests to the demo STS as AWS does: parses the SigV4 `Authorization`
//! header, and recomputes the signature with the same `aws-sigv4` crate the SDK signs with,
//! over exactly the headers the client says it signed, at the time it says it signed.
//!
//! Looking up whose key it is, is the caller's job ([`parse`] first, then [`verify`] with
//! that key's secret).

use crate::fake_aws::loopback::Request;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use std::time::{Duration, SystemTime};

/// How far a request's `X-Amz-Date` may be from the server clock, as in AWS.
const MAX_SKEW: Duration = Duration::from_secs(15 * 60);

/// The parts of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Authorization {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// An authentication failure, with the code and message STS sends for it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AuthError {
    #[error("Request is missing Authentication Token")]
    Missing,
    #[error("{0}")]
    Incomplete(String),
    #[error("{0}")]
    SignatureDoesNotMatch(String),
}

impl AuthError {
    pub(crate) fn code(&self) -> &'static str {
        match self {
            AuthError::Missing => "MissingAuthenticationToken",
            AuthError::Incomplete(_) => "IncompleteSignature",
            AuthError::SignatureDoesNotMatch(_) => "SignatureDoesNotMatch",
        }
    }
}

const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. \
Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/// Reads the `Authorization` header of `req`.
pub(crate) fn parse(req: &Request) -> Result<Authorization, AuthError> {
    let value = req.header("authorization").ok_or(AuthError::Missing)?;
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ").ok_or_else(|| {
        AuthError::Incomplete(format!("Unsupported AWS 'algorithm': '{}'", first_word(value)))
    })?;
    let field = |name: &str| {
        rest.split(',')
            .map(str::trim)
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
    };
    let (credential, signed, signature) = (field("Credential"), field("SignedHeaders"), field("Signature"));
    let mut missing = String::new();
    for (name, v) in [
        ("Credential", credential),
        ("Signature", signature),
        ("SignedHeaders", signed),
    ] {
        if v.is_none_or(str::is_empty) {
            missing.push_str(&format!("Authorization header requires '{name}' parameter. "));
        }
    }
    if req.header("x-amz-date").is_none() {
        missing.push_str(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
        );
    }
    if !missing.is_empty() {
        return Err(AuthError::Incomplete(format!("{missing}Authorization={value}")));
    }
    let (credential, signed, signature) = (
        credential.unwrap_or_default(),
        signed.unwrap_or_default(),
        signature.unwrap_or_default(),
    );
    let scope: Vec<&str> = credential.split('/').collect();
    let [key, date, region, service, "aws4_request"] = scope.as_slice() else {
        return Err(AuthError::Incomplete(format!(
            "Credential should be scoped to a valid region, service and terminated with 'aws4_request'. \
             Authorization={value}"
        )));
    };
    Ok(Authorization {
        access_key_id: key.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers: signed.split(';').map(str::to_string).collect(),
        signature: signature.to_string(),
    })
}

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or_default()
}

/// Checks the signature of `req` against the key's `secret` (and session token, which the SDK
/// signs as `x-amz-security-token`), and that it was signed recently and for STS.
pub(crate) fn verify(
    req: &Request,
    auth: &Authorization,
    secret: &str,
    session_token: Option<&str>,
    now: SystemTime,
) -> Result<(), AuthError> {
    if auth.service != "sts" {
        return Err(AuthError::SignatureDoesNotMatch(
            "Credential should be scoped to correct service: 'sts'. ".into(),
        ));
    }
    let amz_date = req.header("x-amz-date").unwrap_or_default();
    let signed_at = parse_amz_date(amz_date)
        .ok_or_else(|| AuthError::Incomplete(format!("Invalid X-Amz-Date '{amz_date}'")))?;
    if !amz_date.starts_with(&auth.date) {
        return Err(AuthError::SignatureDoesNotMatch(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: \
             '{}' != '{}', from '{amz_date}'.",
            auth.date,
            amz_date.get(..8).unwrap_or_default()
        )));
    }
    check_skew(amz_date, signed_at, now)?;

    let headers = req
        .headers
        .iter()
        .filter(|(k, _)| auth.signed_headers.iter().any(|s| s.eq_ignore_ascii_case(k)))
        .map(|(k, v)| (k.as_str(), v.as_str()));
    let host = req.header("host").unwrap_or("localhost");
    let mismatch = || AuthError::SignatureDoesNotMatch(MISMATCH.into());
    let signable = SignableRequest::new(
        &req.method,
        format!("http://{host}{}", req.path),
        headers,
        SignableBody::Bytes(&req.body),
    )
    .map_err(|_| mismatch())?;
    let identity = aws_credential_types::Credentials::new(
        auth.access_key_id.clone(),
        secret.to_string(),
        session_token.map(str::to_string),
        None,
        "rswitch-demo",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&auth.region)
        .name(&auth.service)
        .time(signed_at)
        .settings(SigningSettings::default())
        .build()
        .map_err(|_| mismatch())?
        .into();
    let expected = sign(signable, &params).map_err(|_| mismatch())?;
    if constant_time_eq(expected.signature().as_bytes(), auth.signature.as_bytes()) {
        Ok(())
    } else {
        Err(mismatch())
    }
}

fn check_skew(amz_date: &str, signed_at: SystemTime, now: SystemTime) -> Result<(), AuthError> {
    let fmt = |t: SystemTime| amz_date_of(t);
    if signed_at + MAX_SKEW < now {
        return Err(AuthError::SignatureDoesNotMatch(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - 15 min.)",
            fmt(now - MAX_SKEW),
            fmt(now)
        )));
    }
    if signed_at > now + MAX_SKEW {
        return Err(AuthError::SignatureDoesNotMatch(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + 15 min.)",
            fmt(now + MAX_SKEW),
            fmt(now)
        )));
    }
    Ok(())
}

/// `20260807T123456Z` -> time.
fn parse_amz_date(s: &str) -> Option<SystemTime> {
    let b = s.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &s[0..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..15]
    );
    let t = aws_smithy_types::DateTime::from_str(&iso, aws_smithy_types::date_time::Format::DateTime).ok()?;
    SystemTime::try_from(t).ok()
}

fn amz_date_of(t: SystemTime) -> String {
    let whole_seconds = aws_smithy_types::DateTime::from_secs(aws_smithy_types::DateTime::from(t).secs());
    crate::creds::rfc3339(whole_seconds.try_into().unwrap_or(t)).replace(['-', ':'], "")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Test support: requests signed like the SDK signs them.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use bytes::Bytes;

    /// Signs a request exactly as the SDK's signer would.
    pub(crate) fn signed_request_as(
        key: &str,
        secret: &str,
        token: Option<&str>,
        at: SystemTime,
        body: &str,
    ) -> Request {
        let amz_date = amz_date_of(at);
        let mut headers = vec![
            ("host".to_string(), "127.0.0.1:4567".to_string()),
            (
                "content-type".to_string(),
                "application/x-www-form-urlencoded".to_string(),
            ),
            ("x-amz-date".to_string(), amz_date),
        ];
        if let Some(t) = token {
            headers.push(("x-amz-security-token".to_string(), t.to_string()));
        }
        let creds = aws_credential_types::Credentials::new(
            key.to_string(),
            secret,
            token.map(str::to_string),
            None,
            "t",
        );
        let identity = creds.into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("sts")
            .time(at)
            .settings(SigningSettings::default())
            .build()
            .expect("params")
            .into();
        let signable = SignableRequest::new(
            "POST",
            "http://127.0.0.1:4567/",
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body.as_bytes()),
        )
        .expect("signable");
        let out = sign(signable, &params).expect("sign");
        let (instructions, _) = out.into_parts();
        for (k, v) in instructions.headers() {
            if !headers.iter().any(|(h, _)| h.eq_ignore_ascii_case(k)) {
                headers.push((k.to_string(), v.to_string()));
            }
        }
        Request {
            method: "POST".into(),
            path: "/".into(),
            headers,
            body: Bytes::from(body.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::signed_request_as;
    use super::*;
    use bytes::Bytes;

    fn signed_request(secret: &str, token: Option<&str>, at: SystemTime, body: &str) -> Request {
        signed_request_as("AKIDEXAMPLE", secret, token, at, body)
    }

    #[test]
    fn accepts_a_correct_signature_and_rejects_tampering() {
        let now = SystemTime::now();
        let req = signed_request(
            "secret",
            Some("token"),
            now,
            "Action=GetCallerIdentity&Version=2011-06-15",
        );
        let auth = parse(&req).expect("well-formed");
        assert_eq!(auth.access_key_id, "AKIDEXAMPLE");
        assert_eq!(auth.service, "sts");
        assert!(auth.signed_headers.contains(&"x-amz-security-token".to_string()));
        assert_eq!(verify(&req, &auth, "secret", Some("token"), now), Ok(()));

        let wrong_secret = verify(&req, &auth, "other", Some("token"), now).expect_err("wrong secret");
        assert_eq!(wrong_secret.code(), "SignatureDoesNotMatch");
        assert!(verify(&req, &auth, "secret", Some("other-token"), now).is_err());
        let mut tampered = req.clone();
        tampered.body = Bytes::from_static(b"Action=AssumeRole&Version=2011-06-15");
        assert_eq!(
            verify(&tampered, &auth, "secret", Some("token"), now),
            Err(wrong_secret)
        );
    }

    #[test]
    fn rejects_stale_requests() {
        let then = SystemTime::now() - Duration::from_secs(3600);
        let req = signed_request("secret", None, then, "Action=GetCallerIdentity");
        let auth = parse(&req).expect("well-formed");
        let err = verify(&req, &auth, "secret", None, SystemTime::now()).expect_err("too old");
        assert!(err.to_string().starts_with("Signature expired: "), "{err}");
    }

    #[test]
    fn malformed_headers() {
        let mut req = signed_request("s", None, SystemTime::now(), "");
        req.headers.retain(|(k, _)| k != "authorization");
        assert_eq!(parse(&req), Err(AuthError::Missing));
        req.headers.push((
            "authorization".into(),
            "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sts/aws4_request".into(),
        ));
        let err = parse(&req).expect_err("no signature");
        assert_eq!(err.code(), "IncompleteSignature");
        assert!(
            err.to_string().contains("requires 'Signature' parameter"),
            "{err}"
        );
        assert!(
            err.to_string().contains("requires 'SignedHeaders' parameter"),
            "{err}"
        );
        req.headers.retain(|(k, _)| k != "authorization");
        req.headers
            .push(("authorization".into(), "Basic YWxpY2U6c2VjcmV0".into()));
        assert_eq!(parse(&req).map_err(|e| e.code()), Err("IncompleteSignature"));
    }

    #[test]
    fn amz_dates_round_trip() {
        let t = parse_amz_date("20260807T123456Z").expect("valid");
        assert_eq!(amz_date_of(t), "20260807T123456Z");
        assert!(parse_amz_date("2026-08-07T12:34:56Z").is_none());
    }
}
