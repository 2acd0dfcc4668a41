//! An IMDSv2-compatible instance metadata endpoint on loopback, serving one role's
//! credentials. Used by the demo and by the tests (with a real moto session's keys).

use crate::creds::{Credentials, rfc3339};
use crate::loopback::{Response, Server, handler};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

const TOKEN_PATH: &str = "/latest/api/token";
const CREDS_PATH: &str = "/latest/meta-data/iam/security-credentials/";

/// Starts an IMDSv2 server that hands out `creds` as instance role `role_name`.
/// Requests without a valid session token get 401, as on a real instance with IMDSv2 required.
pub async fn start(role_name: &str, creds: Credentials) -> std::io::Result<Server> {
    let role_name = Arc::new(role_name.to_string());
    let creds = Arc::new(creds);
    let counter = Arc::new(AtomicU64::new(1));
    let issued = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    Server::start(handler(move |req| {
        let role_name = role_name.clone();
        let creds = creds.clone();
        let counter = counter.clone();
        let issued = issued.clone();
        async move {
            if req.method == "PUT" && req.path == TOKEN_PATH {
                let Some(ttl) = req
                    .header("x-aws-ec2-metadata-token-ttl-seconds")
                    .map(str::to_string)
                else {
                    return Response::text(400, "missing token ttl");
                };
                let token = format!("imds-token-{}", counter.fetch_add(1, Ordering::Relaxed));
                if let Ok(mut t) = issued.lock() {
                    t.push(token.clone());
                }
                let mut response = Response::text(200, token);
                response
                    .headers
                    .push(("x-aws-ec2-metadata-token-ttl-seconds".into(), ttl));
                return response;
            }
            let authorised = req
                .header("x-aws-ec2-metadata-token")
                .is_some_and(|t| issued.lock().map(|v| v.iter().any(|i| i == t)).unwrap_or(false));
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
