//! The demo's AWS sign-in federation endpoint, served by the demo STS under `/federation`
//! (so a profile's `endpoint_url` reaches it as it reaches STS):
//!
//! - `Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}` accepts only
//!   temporary credentials the demo STS issued, still valid, of a role session or a
//!   federated user, as AWS does; `SessionDuration` (900–43200 s) is refused for a
//!   federated user and above one hour for a chained role session. It answers
//!   `{"SigninToken": …}`, a token valid for 15 minutes.
//! - `Action=login&SigninToken=…&Destination=…` consumes the token, records the console
//!   sign-in (who, where, for how long) and answers a page saying so (where AWS would
//!   redirect to the destination: the demo has no console).
//!
//! Refusals are plain text with HTTP 400, like the real endpoint's error page in spirit.

use super::session::{Principal, random};
use super::sts::DemoSts;
use crate::fake_aws::loopback::{Request, Response};
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
pub(crate) struct Console {
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

pub(crate) fn handle(sts: &DemoSts, req: &Request, now: SystemTime) -> Response {
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
    // The demo has no console to redirect to: it shows who signed in, and where to.
    let page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>rswitch demo console</title></head>\
         <body><h1>Signed in to the demo console</h1><p>as <code>{}</code> for {} s</p>\
         <p>destination: <code>{}</code></p></body></html>\n",
        super::xml::escape(&pending.arn),
        pending.seconds,
        super::xml::escape(destination)
    );
    Response::new(200, "text/html; charset=utf-8", page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::Credentials;
    use std::sync::Arc;

    fn sts() -> Arc<DemoSts> {
        DemoSts::new(Arc::new(super::super::world::World::demo().expect("world")))
    }

    fn request(pairs: &[(&str, &str)]) -> Request {
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        Request {
            method: "GET".into(),
            path: format!("/federation?{query}"),
            headers: vec![],
            body: bytes::Bytes::new(),
        }
    }

    fn session(c: &Credentials) -> String {
        crate::console::federation::session_json(c)
    }

    /// getSigninToken, then login: the sign-in's seconds, or the refusal's text.
    fn sign_in(
        sts: &DemoSts,
        c: &Credentials,
        duration: Option<&str>,
        now: SystemTime,
    ) -> Result<u64, String> {
        let json = session(c);
        let mut pairs = vec![("Action", "getSigninToken"), ("Session", json.as_str())];
        if let Some(d) = duration {
            pairs.push(("SessionDuration", d));
        }
        let r = sts.handle(&request(&pairs), now);
        let body = String::from_utf8_lossy(&r.body).into_owned();
        if r.status != 200 {
            return Err(body);
        }
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        let token = v["SigninToken"].as_str().expect("token").to_string();
        let dest = "https://console.aws.amazon.com/";
        let r = sts.handle(
            &request(&[
                ("Action", "login"),
                ("SigninToken", &token),
                ("Destination", dest),
            ]),
            now,
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        Ok(sts.console_sign_ins().last().expect("signed in").seconds)
    }

    #[test]
    fn role_sessions_chained_sessions_and_federated_users() {
        let sts = sts();
        // Whole seconds, as the issued expirations are.
        let secs = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .expect("clock")
            .as_secs();
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(secs);
        let role = sts.instance_credentials(now).expect("instance role");
        assert_eq!(sign_in(&sts, &role, Some("7200"), now), Ok(7200));
        assert_eq!(sign_in(&sts, &role, None, now), Ok(3600));
        assert!(sign_in(&sts, &role, Some("60"), now).is_err_and(|e| e.contains("900 to 43200")));

        sts.sessions.set_chained(&role.access_key_id);
        let refused = sign_in(&sts, &role, Some("7200"), now).expect_err("chained");
        assert!(
            refused.contains("role chaining limits the console session to 1 hour"),
            "{refused}"
        );
        assert_eq!(sign_in(&sts, &role, Some("3600"), now), Ok(3600));

        let federated = sts.sessions.issue(
            Principal::Federated {
                user_arn: "arn:aws:iam::111111111111:user/alice".into(),
                account: "111111111111".into(),
                name: "alice".into(),
            },
            false,
            Duration::from_secs(5400),
            now,
        );
        assert_eq!(sign_in(&sts, &federated, None, now), Ok(5400));
        assert!(sign_in(&sts, &federated, Some("3600"), now).is_err_and(|e| e.contains("federated user")));
    }

    #[test]
    fn other_credentials_are_refused() {
        let sts = sts();
        let now = SystemTime::now();
        let user_session = sts.sessions.issue(
            Principal::User {
                arn: "arn:aws:iam::111111111111:user/alice".into(),
                id: "AIDA".into(),
                account: "111111111111".into(),
            },
            true,
            Duration::from_secs(3600),
            now,
        );
        assert!(sign_in(&sts, &user_session, None, now).is_err_and(|e| e.contains("GetSessionToken")));
        let mut forged = sts.instance_credentials(now).expect("role");
        forged.secret_access_key = crate::creds::Secret::new("forged");
        assert!(sign_in(&sts, &forged, None, now).is_err_and(|e| e.contains("does not match")));
        let role = sts.instance_credentials(now).expect("role");
        let later = now + Duration::from_secs(7 * 3600);
        assert!(sign_in(&sts, &role, None, later).is_err_and(|e| e.contains("expired")));
        let alice = &sts.world().user("alice").expect("alice").access_keys[0];
        let long_term = Credentials {
            access_key_id: alice.access_key_id.clone(),
            secret_access_key: alice.secret_access_key.clone(),
            session_token: None,
            expiration: None,
        };
        assert!(sign_in(&sts, &long_term, None, now).is_err_and(|e| e.contains("not a temporary session")));
        let r = sts.handle(
            &request(&[
                ("Action", "login"),
                ("SigninToken", "nope"),
                ("Destination", "https://x/"),
            ]),
            now,
        );
        assert_eq!(r.status, 400);
    }
}
