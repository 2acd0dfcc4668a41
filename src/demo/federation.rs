//! The demo's AWS sign-in federation endpoint, served by the demo STS under `/federation`
//! (so a profile's `endpoint_url` reaches it as it reaches STS):
//!
//! - `Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}` accepts only
//!   temporary credentials the demo STS issued, still valid, of a role session or a
//!   federated user, as AWS does; `SessionDuration` (900–43200 s) is refused for a
//!   federated user and above one hour for a chained role session. It answers
//!   `{"SigninToken": …}`, a token valid for 15 minutes.
//! - `Action=login&SigninToken=…&Destination=…` consumes the token, records the console
//!   sign-in (who, where, for how long) and redirects to the destination.
//!
//! Refusals are plain text with HTTP 400, like the real endpoint's error page in spirit.

use super::session::{Principal, random};
use super::sts::DemoSts;
use crate::loopback::{Request, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// How long a sign-in token may wait before `login`.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// The console session when `SessionDuration` is absent (the credentials' own for a federated user).
const DEFAULT_CONSOLE: u64 = 3600;

/// A console session opened through the demo's federation endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsoleSignIn {
    /// Who is signed in.
    pub arn: String,
    pub destination: String,
    pub issuer: String,
    /// The console session's length.
    pub seconds: u64,
}

#[derive(Clone)]
struct Pending {
    arn: String,
    seconds: u64,
    expires: SystemTime,
}

/// Tokens issued and not yet used, and the sign-ins made.
#[derive(Default)]
pub struct Console {
    tokens: Mutex<HashMap<String, Pending>>,
    signed_in: Mutex<Vec<ConsoleSignIn>>,
}

impl DemoSts {
    /// Every console sign-in so far, oldest first.
    pub fn console_sign_ins(&self) -> Vec<ConsoleSignIn> {
        self.console
            .signed_in
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default()
    }
}

fn refuse(message: &str) -> Response {
    Response::text(400, format!("{message}\n"))
}

pub fn handle(sts: &DemoSts, req: &Request, now: SystemTime) -> Response {
    if req.method != "GET" && req.method != "POST" {
        return Response::text(405, "method not allowed\n");
    }
    let params = super::params::Params::of(req);
    match params.get("Action") {
        Some("getSigninToken") => signin_token(sts, &params, now),
        Some("login") => login(sts, &params, now),
        _ => refuse("Action must be getSigninToken or login"),
    }
}

fn signin_token(sts: &DemoSts, p: &super::params::Params, now: SystemTime) -> Response {
    let Some(session) = p
        .get("Session")
        .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
    else {
        return refuse("Session must be a JSON object with sessionId, sessionKey and sessionToken");
    };
    let field = |k: &str| {
        session
            .get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    let (id, key, token) = (field("sessionId"), field("sessionKey"), field("sessionToken"));
    let Some(issued) = sts.sessions.get(&id) else {
        return refuse("Invalid credentials: the session is not a temporary session issued by STS");
    };
    if issued.secret.expose() != key || issued.token.expose() != token {
        return refuse("Invalid credentials: the session's key or token does not match");
    }
    if issued.expiration <= now {
        return refuse("Invalid credentials: the session has expired");
    }
    let federated = match &issued.principal {
        Principal::User { .. } => {
            return refuse("Invalid credentials: a GetSessionToken session cannot sign in to the console");
        }
        Principal::Federated { .. } => true,
        Principal::Role { .. } => false,
    };
    let asked = match p.get("SessionDuration").map(str::parse::<u64>) {
        None => None,
        Some(Ok(s)) if (900..=43_200).contains(&s) => Some(s),
        Some(_) => return refuse("SessionDuration must be an integer from 900 to 43200"),
    };
    if federated && asked.is_some() {
        return refuse("SessionDuration is not accepted for federated user credentials");
    }
    if issued.chained && asked.is_some_and(|s| s > 3600) {
        return refuse("Invalid credentials: role chaining limits the console session to 1 hour");
    }
    let left = issued.expiration.duration_since(now).map_or(0, |d| d.as_secs());
    let seconds = if federated {
        left
    } else {
        asked.unwrap_or(DEFAULT_CONSOLE)
    };
    let signin_token = random(
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
        256,
    );
    if let Ok(mut tokens) = sts.console.tokens.lock() {
        tokens.retain(|_, t| t.expires > now);
        tokens.insert(
            signin_token.clone(),
            Pending {
                arn: issued.principal.arn(),
                seconds,
                expires: now + TOKEN_LIFETIME,
            },
        );
    }
    let body = serde_json::json!({ "SigninToken": signin_token }).to_string();
    Response::new(200, "application/json", body)
}

fn login(sts: &DemoSts, p: &super::params::Params, now: SystemTime) -> Response {
    let Some(destination) = p.get("Destination").filter(|d| d.starts_with("https://")) else {
        return refuse("Destination must be an https:// URL");
    };
    let pending = p
        .get("SigninToken")
        .and_then(|t| sts.console.tokens.lock().ok()?.remove(t))
        .filter(|t| t.expires > now);
    let Some(pending) = pending else {
        return refuse("The sign-in token is invalid, used or expired");
    };
    let signed_in = ConsoleSignIn {
        arn: pending.arn.clone(),
        destination: destination.to_string(),
        issuer: p.get("Issuer").unwrap_or_default().to_string(),
        seconds: pending.seconds,
    };
    if let Ok(mut all) = sts.console.signed_in.lock() {
        all.push(signed_in);
    }
    let mut response = Response::new(
        200,
        "text/plain",
        format!(
            "signed in to the demo console as {} for {} s; next: {destination}\n",
            pending.arn, pending.seconds
        ),
    );
    response.status = 302;
    response
        .headers
        .push(("location".into(), destination.to_string()));
    response
}
