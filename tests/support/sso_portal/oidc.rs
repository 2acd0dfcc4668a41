//! SSO OIDC's device authorization grant, as Identity Center answers it: a registered
//! public client starts a device authorization for a start URL, then polls CreateToken
//! with the device code; each poll is answered as the [`DeviceScript`] says.

use super::{PortalRequest, Registration, State, oidc_error};
use rswitch::fake_aws::loopback::Response;
use serde_json::json;
use std::time::{SystemTime, UNIX_EPOCH};

pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// A client RegisterClient registered.
#[derive(Clone, Debug)]
pub struct Client {
    pub client_id: String,
    pub client_secret: String,
    pub client_name: String,
    pub client_type: String,
    pub scopes: Option<Vec<String>>,
    /// Unix seconds, as `clientSecretExpiresAt`.
    pub expires_at: i64,
}

/// What the user does in the browser, in the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeviceOutcome {
    #[default]
    Approve,
    /// AccessDeniedException.
    Deny,
    /// ExpiredTokenException: the code ran out before anyone approved it.
    Expire,
}

/// How CreateToken answers the polls of a device authorization: `pending` times
/// `authorization_pending` (the poll numbered `slow_down_at`, counting from 1, gets
/// `slow_down` instead), then `outcome`. `interval` and `expires_in` are what
/// StartDeviceAuthorization announces.
#[derive(Clone, Debug)]
pub struct DeviceScript {
    pub pending: u32,
    pub slow_down_at: Option<u32>,
    pub outcome: DeviceOutcome,
    pub interval: i32,
    pub expires_in: i32,
    /// Lifetime of the access token issued.
    pub token_lifetime: i32,
}

impl Default for DeviceScript {
    fn default() -> Self {
        DeviceScript {
            pending: 1,
            slow_down_at: None,
            outcome: DeviceOutcome::Approve,
            interval: 1,
            expires_in: 600,
            token_lifetime: 8 * 3600,
        }
    }
}

/// A device authorization in progress.
#[derive(Clone, Debug)]
pub struct Device {
    pub device_code: String,
    pub client_id: String,
    pub start_url: String,
    pub polls: u32,
    pub script: DeviceScript,
    pub done: bool,
}

pub fn register_client(s: &mut State, req: &PortalRequest) -> Response {
    let n = s.clients.len() + 1;
    let expires_at = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
        + 90 * 24 * 3600;
    let scopes = req
        .body
        .as_ref()
        .and_then(|b| b.get("scopes"))
        .and_then(|v| v.as_array())
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect());
    let client = Client {
        client_id: format!("client-{n}"),
        client_secret: format!("client-secret-{n}"),
        client_name: req.field("clientName").unwrap_or_default().to_string(),
        client_type: req.field("clientType").unwrap_or_default().to_string(),
        scopes,
        expires_at,
    };
    s.clients.push(client.clone());
    Response::new(
        200,
        "application/json",
        json!({
            "clientId": client.client_id,
            "clientSecret": client.client_secret,
            "clientIdIssuedAt": expires_at - 90 * 24 * 3600,
            "clientSecretExpiresAt": expires_at,
        })
        .to_string(),
    )
}

fn known_client(s: &State, req: &PortalRequest) -> bool {
    s.clients.iter().any(|c| {
        Some(c.client_id.as_str()) == req.field("clientId")
            && Some(c.client_secret.as_str()) == req.field("clientSecret")
    })
}

pub fn start_device_authorization(s: &mut State, req: &PortalRequest) -> Response {
    if !known_client(s, req) {
        return oidc_error(401, "InvalidClientException", "invalid_client");
    }
    let n = s.devices.len() + 1;
    let user_code = format!("WDJB-{n:04}");
    let script = s.script.clone();
    s.devices.push(Device {
        device_code: format!("device-code-{n}"),
        client_id: req.field("clientId").unwrap_or_default().to_string(),
        start_url: req.field("startUrl").unwrap_or_default().to_string(),
        polls: 0,
        script: script.clone(),
        done: false,
    });
    Response::new(
        200,
        "application/json",
        json!({
            "deviceCode": format!("device-code-{n}"),
            "userCode": user_code,
            "verificationUri": format!("{}/device", s.url),
            "verificationUriComplete": format!("{}/device?user_code={user_code}", s.url),
            "expiresIn": script.expires_in,
            "interval": script.interval,
        })
        .to_string(),
    )
}

pub fn device_token(s: &mut State, req: &PortalRequest) -> Response {
    if !known_client(s, req) {
        return oidc_error(401, "InvalidClientException", "invalid_client");
    }
    let client_id = req.field("clientId").unwrap_or_default().to_string();
    let client_secret = req.field("clientSecret").unwrap_or_default().to_string();
    let Some((index, device)) = s.devices.iter_mut().enumerate().find(|(_, d)| {
        Some(d.device_code.as_str()) == req.field("deviceCode") && d.client_id == client_id && !d.done
    }) else {
        return oidc_error(400, "InvalidGrantException", "invalid_grant");
    };
    device.polls += 1;
    let script = device.script.clone();
    if device.polls <= script.pending {
        return if script.slow_down_at == Some(device.polls) {
            oidc_error(400, "SlowDownException", "slow_down")
        } else {
            oidc_error(400, "AuthorizationPendingException", "authorization_pending")
        };
    }
    device.done = true;
    match script.outcome {
        DeviceOutcome::Deny => oidc_error(400, "AccessDeniedException", "access_denied"),
        DeviceOutcome::Expire => oidc_error(400, "ExpiredTokenException", "expired_token"),
        DeviceOutcome::Approve => {
            // Numbered after the device authorization that got them.
            let n = index + 1;
            let access_token = format!("aoa-device-{n}");
            let refresh_token = format!("aor-device-{n}");
            s.tokens.push(access_token.clone());
            s.registrations.push(Registration {
                client_id,
                client_secret,
                refresh_token: refresh_token.clone(),
            });
            Response::new(
                200,
                "application/json",
                json!({
                    "accessToken": access_token,
                    "expiresIn": script.token_lifetime,
                    "refreshToken": refresh_token,
                    "tokenType": "Bearer",
                })
                .to_string(),
            )
        }
    }
}
