//! The demo's IAM Identity Center portal, on loopback: SSO OIDC's `RegisterClient`,
//! `StartDeviceAuthorization` and `CreateToken` (device code, approved by itself a few
//! seconds after it was shown, and refresh token), and the portal's `GetRoleCredentials`,
//! `ListAccounts` and `ListAccountRoles`, over restJson1 as the SDKs call them. The role
//! sessions it hands out come from the demo STS, so they work there like any other.

use super::session::random;
use super::sts::DemoSts;
use crate::fake_aws::loopback::{Request, Response, Server, handler};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The accounts the demo user may access, their names and permission sets.
pub(crate) const ACCOUNTS: &[(&str, &str, &[&str])] = &[
    ("111111111111", "Development", &["Admin"]),
    ("222222222222", "Production", &["ReadOnly", "Deploy"]),
];

/// The role session name Identity Center gives the demo user.
const USER: &str = "alice@demo.example";

#[derive(Default)]
struct State {
    clients: Vec<(String, String)>,
    /// Device code -> when it was handed out.
    devices: Vec<(String, SystemTime)>,
    tokens: Vec<String>,
    refresh_tokens: Vec<String>,
}

pub(crate) struct DemoSso {
    sts: Arc<DemoSts>,
    approve_after: Duration,
    state: Mutex<State>,
}

/// Starts the portal; device codes are approved `approve_after` after they were issued.
pub(crate) async fn start(sts: Arc<DemoSts>, approve_after: Duration) -> std::io::Result<Server> {
    let portal = Arc::new(DemoSso {
        sts,
        approve_after,
        state: Mutex::new(State::default()),
    });
    Server::start(handler(move |req| {
        let portal = portal.clone();
        async move { portal.answer(&req, SystemTime::now()) }
    }))
    .await
}

fn unix(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

fn ok(body: Value) -> Response {
    Response::new(200, "application/json", body.to_string())
}

/// An error as SSO and SSO OIDC send it: the code in `x-amzn-errortype`.
fn error(status: u16, code: &str, message: &str) -> Response {
    let mut r = Response::new(
        status,
        "application/json",
        json!({"error": code, "error_description": message, "message": message}).to_string(),
    );
    r.headers.push(("x-amzn-errortype".into(), code.into()));
    r
}

impl DemoSso {
    fn answer(&self, req: &Request, now: SystemTime) -> Response {
        let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
        let param = |name: &str| {
            form_urlencoded::parse(query.as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        let field = |name: &str| {
            body.get(name)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let Ok(mut s) = self.state.lock() else {
            return error(500, "InternalServerException", "portal state poisoned");
        };
        match (req.method.as_str(), path) {
            ("POST", "/client/register") => {
                let client = (
                    format!("demo-client-{}", s.clients.len() + 1),
                    random(b"abcdef0123456789", 32),
                );
                s.clients.push(client.clone());
                ok(json!({
                    "clientId": client.0, "clientSecret": client.1,
                    "clientIdIssuedAt": unix(now), "clientSecretExpiresAt": unix(now) + 90 * 86400,
                }))
            }
            ("POST", "/device_authorization") => {
                let code = random(b"0123456789abcdef", 32);
                let user_code = format!("DEMO-{}", random(b"BCDFGHJKLMNPQRSTVWXZ", 4));
                s.devices.push((code.clone(), now));
                let host = req.header("host").unwrap_or("127.0.0.1");
                ok(json!({
                    "deviceCode": code, "userCode": user_code,
                    "verificationUri": format!("http://{host}/device"),
                    "verificationUriComplete": format!("http://{host}/device?user_code={user_code}"),
                    "expiresIn": 600, "interval": 1,
                }))
            }
            ("POST", "/token") => self.token(&mut s, &field, now),
            ("GET", "/device") => Response::new(
                200,
                "text/html",
                "<p>rswitch demo: this code is approved by itself in a few seconds.</p>",
            ),
            ("GET", path) => {
                let bearer = req.header("x-amz-sso_bearer_token").unwrap_or_default();
                if !s.tokens.iter().any(|t| t == bearer) {
                    return error(401, "UnauthorizedException", "Session token not found or invalid");
                }
                drop(s);
                self.portal(path, &param, now)
            }
            _ => error(404, "ResourceNotFoundException", "no such operation"),
        }
    }

    fn token(&self, s: &mut State, field: &dyn Fn(&str) -> String, now: SystemTime) -> Response {
        if !s
            .clients
            .iter()
            .any(|(id, secret)| *id == field("clientId") && *secret == field("clientSecret"))
        {
            return error(401, "InvalidClientException", "invalid_client");
        }
        match field("grantType").as_str() {
            "urn:ietf:params:oauth:grant-type:device_code" => {
                let code = field("deviceCode");
                let Some(at) = s.devices.iter().find(|(c, _)| *c == code).map(|(_, at)| *at) else {
                    return error(400, "InvalidGrantException", "invalid_grant");
                };
                if now < at + self.approve_after {
                    return error(400, "AuthorizationPendingException", "authorization_pending");
                }
                s.devices.retain(|(c, _)| *c != code);
            }
            "refresh_token" => {
                let used = field("refreshToken");
                if !s.refresh_tokens.contains(&used) {
                    return error(400, "InvalidGrantException", "invalid_grant");
                }
                s.refresh_tokens.retain(|t| *t != used);
            }
            _ => return error(400, "UnsupportedGrantTypeException", "unsupported_grant_type"),
        }
        let (access, refresh) = (random(b"abcdefghijklmnop", 48), random(b"qrstuvwxyz012345", 48));
        s.tokens.push(access.clone());
        s.refresh_tokens.push(refresh.clone());
        ok(
            json!({"accessToken": access, "expiresIn": 8 * 3600, "refreshToken": refresh, "tokenType": "Bearer"}),
        )
    }

    fn portal(&self, path: &str, param: &dyn Fn(&str) -> Option<String>, now: SystemTime) -> Response {
        let account = param("account_id").unwrap_or_default();
        let roles = ACCOUNTS
            .iter()
            .find(|(id, _, _)| *id == account)
            .map(|(_, _, r)| *r);
        match path {
            "/assignment/accounts" => ok(json!({"accountList": ACCOUNTS
                .iter()
                .map(|(id, name, _)| json!({"accountId": id, "accountName": name, "emailAddress": format!("aws+{}@demo.example", name.to_lowercase())}))
                .collect::<Vec<_>>()})),
            "/assignment/roles" => match roles {
                Some(roles) => ok(json!({"roleList": roles
                    .iter()
                    .map(|r| json!({"roleName": r, "accountId": account}))
                    .collect::<Vec<_>>()})),
                None => error(403, "ForbiddenException", "No access"),
            },
            "/federation/credentials" => {
                let role = param("role_name").unwrap_or_default();
                let arn = format!("arn:aws:iam::{account}:role/{role}");
                let granted = roles.is_some_and(|r| r.contains(&role.as_str()));
                match granted
                    .then(|| self.sts.portal_credentials(&arn, USER, now))
                    .flatten()
                {
                    Some(c) => ok(json!({"roleCredentials": {
                        "accessKeyId": c.access_key_id,
                        "secretAccessKey": c.secret_access_key.expose(),
                        "sessionToken": c.session_token.as_ref().map(|t| t.expose()).unwrap_or_default(),
                        "expiration": c.expiration.map_or(0, unix) * 1000,
                    }})),
                    None => error(403, "ForbiddenException", "No access"),
                }
            }
            _ => error(404, "ResourceNotFoundException", "no such operation"),
        }
    }
}
