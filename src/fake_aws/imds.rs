//! An IMDSv2-compatible instance metadata endpoint on loopback, serving one role's
//! credentials. Used by the demo and by the tests (with a real moto session's keys).
//!
//! Session tokens live as long as the TTL asked for (1 to 21 600 seconds, as on EC2;
//! anything else is a 400) and at most [`MAX_TOKENS`] are kept, the oldest dropped first,
//! so a client asking for tokens in a loop cannot grow the server without bound.

use crate::creds::{Credentials, rfc3339};
use crate::fake_aws::loopback::{Response, Server, handler};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

const TOKEN_PATH: &str = "/latest/api/token";
const CREDS_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// Starts an IMDSv2 server that hands out `creds` as instance role `role_name`.
/// Requests without a valid session token get 401, as on a real instance with IMDSv2 required.
pub async fn start(role_name: &str, creds: Credentials) -> std::io::Result<Server> {
    let role_name = Arc::new(role_name.to_string());
    let creds = Arc::new(creds);
    let counter = Arc::new(AtomicU64::new(1));
    let issued = Arc::new(Mutex::new(Tokens::default()));
    Server::start(handler(move |req| {
        let role_name = role_name.clone();
        let creds = creds.clone();
        let counter = counter.clone();
        let issued = issued.clone();
        async move {
            if req.method == "PUT" && req.path == TOKEN_PATH {
                let Some(ttl) = req
                    .header("x-aws-ec2-metadata-token-ttl-seconds")
                    .and_then(|t| t.trim().parse::<u64>().ok())
                    .filter(|t| (1..=MAX_TTL_SECS).contains(t))
                else {
                    return Response::text(400, "missing or invalid token ttl");
                };
                let token = format!("imds-token-{}", counter.fetch_add(1, Ordering::Relaxed));
                if let Ok(mut t) = issued.lock() {
                    t.issue(token.clone(), Instant::now(), Duration::from_secs(ttl));
                }
                let ttl = ttl.to_string();
                let mut response = Response::text(200, token);
                response
                    .headers
                    .push(("x-aws-ec2-metadata-token-ttl-seconds".into(), ttl));
                return response;
            }
            let authorised = req
                .header("x-aws-ec2-metadata-token")
                .is_some_and(|t| issued.lock().is_ok_and(|mut v| v.valid(t, Instant::now())));
            if !authorised {
                return Response::text(401, "");
            }
            if req.method != "GET" {
                return Response::text(405, "");
            }
            if req.path == CREDS_PATH {
                return Response::text(200, role_name.to_string());
            }
            if req.path.strip_prefix(CREDS_PATH) == Some(role_name.as_str()) {
                let expiration = creds
                    .expiration
                    .unwrap_or_else(|| SystemTime::now() + Duration::from_secs(6 * 3600));
                let body = serde_json::json!({
                    "Code": "Success",
                    "LastUpdated": rfc3339(SystemTime::now()),
                    "Type": "AWS-HMAC",
                    "AccessKeyId": creds.access_key_id,
                    "SecretAccessKey": creds.secret_access_key.expose(),
                    "Token": creds.session_token.as_ref().map(|t| t.expose()).unwrap_or_default(),
                    "Expiration": rfc3339(expiration),
                });
                return Response::new(200, "application/json", body.to_string());
            }
            Response::text(404, "")
        }
    }))
    .await
}

/// The longest token TTL EC2 accepts (6 hours).
pub(crate) const MAX_TTL_SECS: u64 = 21_600;
/// The most live tokens kept; the oldest goes first.
pub(crate) const MAX_TOKENS: usize = 1024;

/// Issued session tokens with their expiry, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Tokens(VecDeque<(String, Instant)>);

impl Tokens {
    pub(crate) fn issue(&mut self, token: String, now: Instant, ttl: Duration) {
        self.expire(now);
        while self.0.len() >= MAX_TOKENS {
            self.0.pop_front();
        }
        self.0.push_back((token, now + ttl));
    }

    /// Whether `token` was issued and has not expired.
    pub(crate) fn valid(&mut self, token: &str, now: Instant) -> bool {
        self.expire(now);
        self.0.iter().any(|(t, _)| t == token)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.0.len()
    }

    fn expire(&mut self, now: Instant) {
        self.0.retain(|(_, until)| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_and_are_capped() {
        let mut tokens = Tokens::default();
        let t0 = Instant::now();
        tokens.issue("short".into(), t0, Duration::from_secs(1));
        tokens.issue("long".into(), t0, Duration::from_secs(MAX_TTL_SECS));
        assert!(tokens.valid("short", t0));
        assert!(!tokens.valid("short", t0 + Duration::from_secs(2)));
        assert!(tokens.valid("long", t0 + Duration::from_secs(2)));
        for i in 0..10 * MAX_TOKENS {
            tokens.issue(format!("t{i}"), t0, Duration::from_secs(60));
        }
        assert_eq!(tokens.len(), MAX_TOKENS);
        assert!(!tokens.valid("long", t0), "the oldest token goes first");
        assert!(tokens.valid(&format!("t{}", 10 * MAX_TOKENS - 1), t0));
    }
}
