//! A loopback IAM Identity Center portal: the SSO API's `GetRoleCredentials`, which
//! aws-config's SSO provider calls with the token `aws sso login` cached, and the token
//! cache itself (`~/.aws/sso/cache/<sha1>.json`).
//!
//! moto does not implement the portal API, so this one answers it the way AWS does:
//! `GET /federation/credentials?role_name=..&account_id=..` with the bearer token in
//! `x-amz-sso_bearer_token`; 401 `UnauthorizedException` for a token it did not issue
//! (or after [`SsoPortal::reject_all`]), 403 `ForbiddenException` for a role it grants no
//! access to. What it hands out are real credentials of the moto world, so the STS calls
//! made with them are checked by moto's IAM enforcement. Every request is recorded,
//! unknown paths included (answered 404), so a test can prove where rswitch went.
//!
//! It also answers SSO OIDC's `CreateToken` with `grant_type` `refresh_token` (`POST
//! /token`, restJson1), which aws-config calls to renew an `sso_session` token that
//! expired or expires within five minutes: a [`Registration`] is the client `aws sso
//! login` registered and the refresh token it got; a good refresh issues a new access
//! token (which GetRoleCredentials then accepts) and rotates the refresh token, a wrong
//! one gets 400 `InvalidGrantException`, an unknown client 401 `InvalidClientException`.
//!
//! The login itself is here too ([`oidc`]): `RegisterClient`, `StartDeviceAuthorization`
//! and `CreateToken` with the device-code grant, answering each poll as a
//! [`DeviceScript`] says (pending, `slow_down`, then approval, denial or expiry); an
//! approved device gets an access token the portal accepts and a refresh token. And the
//! account listing ([`accounts`]): `ListAccounts` / `ListAccountRoles`, paginated.
//!
//! rswitch is pointed here with `AWS_ENDPOINT_URL_SSO` and `AWS_ENDPOINT_URL_SSO_OIDC`:
//! aws-config builds its SSO and SSO OIDC clients from an `SdkConfig` whose service
//! config reads those variables.

mod accounts;
mod oidc;

pub use accounts::Account;
pub use oidc::{Client, DeviceOutcome, DeviceScript};

use super::Home;
use rswitch::fake_aws::loopback::{self, Response, Server};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Credentials the portal hands out for one account and permission set.
#[derive(Clone, Debug)]
pub struct Grant {
    pub account_id: String,
    pub role_name: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

/// One request the portal received.
#[derive(Clone, Debug)]
pub struct PortalRequest {
    pub method: String,
    /// Path without the query.
    pub path: String,
    pub role_name: Option<String>,
    pub account_id: Option<String>,
    /// `x-amz-sso_bearer_token`.
    pub bearer: Option<String>,
    /// The JSON body (CreateToken's input).
    pub body: Option<Value>,
    pub status: u16,
    /// When it arrived.
    pub at: Instant,
}

impl PortalRequest {
    pub fn is_create_token(&self) -> bool {
        self.method == "POST" && self.path == "/token"
    }

    /// A string field of the JSON body.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.body.as_ref()?.get(name)?.as_str()
    }
}

/// An OIDC client `aws sso login` registered, and the refresh token it holds now.
#[derive(Clone, Debug)]
pub struct Registration {
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
}

#[derive(Default)]
struct State {
    tokens: Vec<String>,
    grants: Vec<Grant>,
    registrations: Vec<Registration>,
    /// Access tokens CreateToken issued, in order.
    refreshed: Vec<String>,
    /// How long CreateToken takes to answer.
    oidc_delay: Duration,
    reject_all: bool,
    seen: Vec<PortalRequest>,
    /// `http://127.0.0.1:PORT`, for the verification URL.
    url: String,
    clients: Vec<Client>,
    devices: Vec<oidc::Device>,
    script: DeviceScript,
    accounts: Vec<Account>,
    /// ListAccounts / ListAccountRoles page size when the caller sets none.
    page_size: usize,
}

pub struct SsoPortal {
    server: Server,
    state: Arc<Mutex<State>>,
}

impl SsoPortal {
    /// Starts a portal on 127.0.0.1 that knows no token and grants nothing yet.
    pub fn start() -> SsoPortal {
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        let handler = loopback::handler(move |req| {
            let state = shared.clone();
            async move {
                let delay = state.lock().map_or(Duration::ZERO, |s| s.oidc_delay);
                if req.path == "/token" && !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                answer(&state, &req)
            }
        });
        let server = super::runtime()
            .block_on(async { Server::start(handler).await })
            .expect("cannot start the SSO portal");
        if let Ok(mut s) = state.lock() {
            s.url = server.url();
            s.page_size = 100;
        }
        SsoPortal { server, state }
    }

    /// `http://127.0.0.1:PORT`, for `AWS_ENDPOINT_URL_SSO`.
    pub fn url(&self) -> String {
        self.server.url()
    }

    /// The variables that send rswitch's SSO (and SSO OIDC) calls here.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_ENDPOINT_URL_SSO", self.url()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", self.url()),
        ]
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("portal state"))
    }

    /// A bearer token the portal accepts (as if `aws sso login` had issued it).
    pub fn issue(&self, token: &str) {
        self.with(|s| s.tokens.push(token.to_string()));
    }

    pub fn grant(&self, grant: Grant) {
        self.with(|s| s.grants.push(grant));
    }

    /// A client registration whose refresh token CreateToken accepts.
    pub fn register(&self, registration: Registration) {
        self.with(|s| s.registrations.push(registration));
    }

    /// CreateToken answers only after `delay` (so concurrent refreshes overlap).
    pub fn oidc_delay(&self, delay: Duration) {
        self.with(|s| s.oidc_delay = delay);
    }

    /// The access tokens CreateToken issued, in order.
    pub fn refreshed(&self) -> Vec<String> {
        self.with(|s| s.refreshed.clone())
    }

    /// The CreateToken requests received.
    pub fn create_token_calls(&self) -> Vec<PortalRequest> {
        self.seen()
            .into_iter()
            .filter(PortalRequest::is_create_token)
            .collect()
    }

    /// Every GetRoleCredentials request gets 401 UnauthorizedException (the user signed out, or the
    /// administrator revoked the session).
    pub fn reject_all(&self, reject: bool) {
        self.with(|s| s.reject_all = reject);
    }

    pub fn seen(&self) -> Vec<PortalRequest> {
        self.with(|s| s.seen.clone())
    }

    /// How the next device authorizations answer CreateToken polls.
    pub fn device_script(&self, script: DeviceScript) {
        self.with(|s| s.script = script);
    }

    /// The clients RegisterClient registered, in order.
    pub fn clients(&self) -> Vec<Client> {
        self.with(|s| s.clients.clone())
    }

    /// The requests to `path` (e.g. `/token`, `/client/register`), in order.
    pub fn calls(&self, path: &str) -> Vec<PortalRequest> {
        self.seen().into_iter().filter(|r| r.path == path).collect()
    }

    /// An account the portal lists (with the roles the user may take in it).
    pub fn account(&self, account: Account) {
        self.with(|s| s.accounts.push(account));
    }

    /// The portal stops offering `account_id`.
    pub fn remove_account(&self, account_id: &str) {
        self.with(|s| s.accounts.retain(|a| a.account_id != account_id));
    }

    /// ListAccounts / ListAccountRoles answer at most `n` items a page.
    pub fn page_size(&self, n: usize) {
        self.with(|s| s.page_size = n);
    }
}

fn answer(state: &Mutex<State>, req: &loopback::Request) -> Response {
    let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let param = |name: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let mut seen = PortalRequest {
        method: req.method.clone(),
        path: path.to_string(),
        role_name: param("role_name"),
        account_id: param("account_id"),
        bearer: req.header("x-amz-sso_bearer_token").map(str::to_string),
        body: serde_json::from_slice(&req.body).ok(),
        status: 0,
        at: Instant::now(),
    };
    let Ok(mut s) = state.lock() else {
        return Response::text(500, "portal state poisoned");
    };
    let response = if seen.is_create_token() && seen.field("grantType") == Some(oidc::DEVICE_GRANT) {
        oidc::device_token(&mut s, &seen)
    } else if seen.is_create_token() {
        create_token(&mut s, &seen)
    } else if req.method == "POST" && path == "/client/register" {
        oidc::register_client(&mut s, &seen)
    } else if req.method == "POST" && path == "/device_authorization" {
        oidc::start_device_authorization(&mut s, &seen)
    } else if req.method == "GET" && path.starts_with("/assignment/") {
        accounts::answer(&s, &seen, path, &param)
    } else if req.method != "GET" || path != "/federation/credentials" {
        error(
            404,
            "ResourceNotFoundException",
            "no such operation on this portal",
        )
    } else if s.reject_all || !seen.bearer.as_ref().is_some_and(|t| s.tokens.contains(t)) {
        error(401, "UnauthorizedException", "Session token not found or invalid")
    } else {
        match s.grants.iter().find(|g| {
            Some(&g.account_id) == seen.account_id.as_ref() && Some(&g.role_name) == seen.role_name.as_ref()
        }) {
            Some(g) => Response::new(200, "application/json", role_credentials(g).to_string()),
            None => error(403, "ForbiddenException", "No access"),
        }
    };
    seen.status = response.status;
    s.seen.push(seen);
    response
}

/// CreateToken with a refresh token: a new access token, valid for 8 hours, and a new
/// refresh token in place of the one used (as Identity Center rotates them).
fn create_token(s: &mut State, req: &PortalRequest) -> Response {
    let field = |name: &str| req.field(name).unwrap_or_default();
    let Some(index) = s
        .registrations
        .iter()
        .position(|r| r.client_id == field("clientId") && r.client_secret == field("clientSecret"))
    else {
        return oidc_error(401, "InvalidClientException", "invalid_client");
    };
    if field("grantType") != "refresh_token" {
        return oidc_error(400, "UnsupportedGrantTypeException", "unsupported_grant_type");
    }
    if s.registrations[index].refresh_token != field("refreshToken") {
        return oidc_error(400, "InvalidGrantException", "invalid_grant");
    }
    let n = s.refreshed.len() + 1;
    let access_token = format!("aoa-refreshed-{n}");
    let refresh_token = format!("aor-rotated-{n}");
    s.registrations[index].refresh_token = refresh_token.clone();
    s.tokens.push(access_token.clone());
    s.refreshed.push(access_token.clone());
    Response::new(
        200,
        "application/json",
        json!({
            "accessToken": access_token,
            "expiresIn": 8 * 3600,
            "refreshToken": refresh_token,
            "tokenType": "Bearer",
        })
        .to_string(),
    )
}

/// An SSO OIDC error: OAuth's `error` in the body, the modelled code in `x-amzn-errortype`.
fn oidc_error(status: u16, code: &str, oauth: &str) -> Response {
    let mut response = Response::new(
        status,
        "application/json",
        json!({ "error": oauth, "error_description": format!("{code} from the test portal") }).to_string(),
    );
    response.headers.push(("x-amzn-errortype".into(), code.into()));
    response
}

fn role_credentials(g: &Grant) -> Value {
    let expiration = SystemTime::now() + Duration::from_secs(3600);
    let millis = expiration
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    json!({"roleCredentials": {
        "accessKeyId": g.access_key_id,
        "secretAccessKey": g.secret_access_key,
        "sessionToken": g.session_token,
        "expiration": millis,
    }})
}

/// A restJson1 error as the SSO service sends it: the code in `x-amzn-errortype`.
fn error(status: u16, code: &str, message: &str) -> Response {
    let mut response = Response::new(
        status,
        "application/json",
        json!({ "message": message }).to_string(),
    );
    response.headers.push(("x-amzn-errortype".into(), code.into()));
    response
}

/// `~/.aws/sso/cache/<sha1 of identifier>.json`: the session name for `sso_session`
/// profiles, the start URL for the legacy form.
pub fn token_cache_path(home: &Home, identifier: &str) -> PathBuf {
    let digest = Sha1::digest(identifier.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    home.path().join(".aws/sso/cache").join(format!("{hex}.json"))
}

/// Writes the token cache entry `aws sso login` would leave for `identifier`.
pub fn write_token(home: &Home, identifier: &str, entry: &Value) -> PathBuf {
    let path = token_cache_path(home, identifier);
    std::fs::create_dir_all(path.parent().expect("cache dir")).expect("create ~/.aws/sso/cache");
    std::fs::write(&path, entry.to_string()).expect("write the SSO token cache");
    path
}

/// An RFC 3339 time `secs` seconds from now (negative: in the past), as `expiresAt` holds it.
pub fn rfc3339_in(secs: i64) -> String {
    let now = SystemTime::now();
    let delta = Duration::from_secs(secs.unsigned_abs());
    rswitch::creds::rfc3339(if secs < 0 { now - delta } else { now + delta })
}
