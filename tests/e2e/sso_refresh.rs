//! The refresh of an `sso_session` login: aws-config renews an access token that expired
//! or expires within five minutes with SSO OIDC `CreateToken` (the refresh token and
//! client registration `aws sso login` cached), writes the new token back to the cache
//! file and uses it for GetRoleCredentials. The loopback portal answers both calls and
//! records them, so each test proves which token went where.

use crate::sso::{ACCOUNT, SESSION, SESSION_URL, Sso};
use crate::support::sso_portal::{Registration, rfc3339_in, write_token};
use serde_json::{Value, json};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, SystemTime};

const CLIENT_ID: &str = "oidc-client-5d1e";
const CLIENT_SECRET: &str = "oidc-secret-a90b";
const REFRESH_TOKEN: &str = "aor-refresh-3c77";
/// What the cache held before the refresh; the portal does not honour it.
const STALE_TOKEN: &str = "aoa-stale-0b4f";

/// A portal that knows the registration, and a cache entry of the `corp` session whose
/// access token expires `valid_secs` from now (registration valid for `registration_secs`).
fn refreshable(valid_secs: i64, registration_secs: i64) -> (Sso, std::path::PathBuf) {
    let sso = Sso::new();
    sso.portal.register(Registration {
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        refresh_token: REFRESH_TOKEN.into(),
    });
    let entry = json!({
        "startUrl": SESSION_URL,
        "region": "eu-central-1",
        "accessToken": STALE_TOKEN,
        "expiresAt": rfc3339_in(valid_secs),
        "refreshToken": REFRESH_TOKEN,
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "registrationExpiresAt": rfc3339_in(registration_secs),
    });
    let path = write_token(&sso.home, SESSION, &entry);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
    (sso, path)
}

fn read_entry(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read the token cache");
    serde_json::from_str(&text).expect("the token cache is JSON")
}

fn expires_at(entry: &Value) -> SystemTime {
    let at = entry["expiresAt"].as_str().unwrap_or_default();
    let at = aws_smithy_types::DateTime::from_str(at, aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|e| panic!("expiresAt '{at}': {e}"));
    SystemTime::try_from(at).expect("expiresAt as a system time")
}

#[test]
fn an_expiring_sso_token_is_refreshed_and_written_back() {
    // Expired a minute ago, and still valid but within aws-config's five-minute window.
    for valid_secs in [-60, 120] {
        let (sso, path) = refreshable(valid_secs, 86_400);
        let before = read_entry(&path);
        let run = sso.run(&["whoami", "sso-dev"]);
        let all = sso.all(&run);
        assert_eq!(run.code, 0, "valid for {valid_secs} s: {all}");
        let arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/SwitchFromRole/");
        assert!(run.stdout.contains(&arn), "{all}");

        let calls = sso.portal.create_token_calls();
        assert_eq!(calls.len(), 1, "{all}");
        let call = &calls[0];
        assert_eq!(call.status, 200, "{all}");
        assert_eq!(call.field("grantType"), Some("refresh_token"), "{all}");
        assert_eq!(call.field("refreshToken"), Some(REFRESH_TOKEN), "{all}");
        assert_eq!(call.field("clientId"), Some(CLIENT_ID), "{all}");
        assert_eq!(call.field("clientSecret"), Some(CLIENT_SECRET), "{all}");

        // GetRoleCredentials went out once, with the new token.
        let issued = sso.portal.refreshed();
        assert_eq!(issued.len(), 1, "{all}");
        let role_calls: Vec<_> = sso
            .portal
            .seen()
            .into_iter()
            .filter(|r| r.path == "/federation/credentials")
            .collect();
        assert_eq!(role_calls.len(), 1, "{all}");
        assert_eq!(role_calls[0].bearer.as_deref(), Some(issued[0].as_str()), "{all}");
        assert_eq!(role_calls[0].status, 200, "{all}");

        // The cache holds the new token, its later expiry and the rotated refresh token;
        // the registration is kept; the file is still private.
        let after = read_entry(&path);
        assert_eq!(after["accessToken"], issued[0].as_str(), "{after:#}");
        assert_eq!(after["refreshToken"], "aor-rotated-1", "{after:#}");
        assert_eq!(after["clientId"], CLIENT_ID, "{after:#}");
        assert_eq!(after["clientSecret"], CLIENT_SECRET, "{after:#}");
        assert_eq!(
            after["registrationExpiresAt"], before["registrationExpiresAt"],
            "{after:#}"
        );
        assert_eq!(after["startUrl"], SESSION_URL, "{after:#}");
        assert!(
            expires_at(&after) > SystemTime::now() + Duration::from_secs(7 * 3600),
            "{after:#}"
        );
        let mode = std::fs::metadata(&path).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "token cache mode {mode:o}");
        assert!(!run.stdout.contains(issued[0].as_str()) && !run.stderr.contains(issued[0].as_str()));

        // The next run uses the refreshed token without refreshing again.
        let again = sso.run(&["whoami", "sso-dev"]);
        assert_eq!(again.code, 0, "{}", sso.all(&again));
        assert_eq!(sso.portal.create_token_calls().len(), 1, "{}", sso.all(&again));
    }
}

/// `whoami sso-dev` fails naming the profile, the expiry and the login command.
fn refresh_error(sso: &Sso) -> String {
    let run = sso.run(&["whoami", "sso-dev"]);
    let all = sso.all(&run);
    assert_ne!(run.code, 0, "{all}");
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(text.contains("profile 'sso-dev'"), "{all}");
    assert!(text.contains("expired at"), "{all}");
    assert!(text.contains("could not be refreshed"), "{all}");
    assert!(
        text.contains(&format!("run `rswitch login --sso-session {SESSION}`")),
        "{all}"
    );
    text
}

#[test]
fn an_expired_registration_is_not_refreshed_and_says_to_log_in() {
    let (sso, path) = refreshable(-60, -3600);
    let before = std::fs::read_to_string(&path).expect("read");
    let text = refresh_error(&sso);
    assert!(text.contains("client registration expired at"), "{text}");
    assert!(sso.portal.seen().is_empty(), "{:#?}", sso.portal.seen());
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
    assert_eq!(sso.proxy.total(), 0);
}

#[test]
fn a_refused_refresh_token_says_to_log_in() {
    let (sso, path) = refreshable(-60, 86_400);
    // The cached refresh token is not the one the portal holds (it was revoked).
    let mut entry = read_entry(&path);
    entry["refreshToken"] = json!("aor-revoked");
    write_token(&sso.home, SESSION, &entry);
    let before = std::fs::read_to_string(&path).expect("read");
    let text = refresh_error(&sso);
    let calls = sso.portal.create_token_calls();
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert_eq!(calls[0].status, 400, "{calls:#?}");
    assert_eq!(calls[0].field("refreshToken"), Some("aor-revoked"));
    assert!(sso.portal.refreshed().is_empty());
    // aws-config then sent the expired token, which the portal refused.
    assert!(text.contains("UnauthorizedException"), "{text}");
    assert!(
        !text.contains("aor-revoked") && !text.contains(CLIENT_SECRET),
        "{text}"
    );
    assert_eq!(std::fs::read_to_string(&path).expect("read"), before);
    assert_eq!(sso.proxy.total(), 0);

    // Two profiles of the session: one refused refresh, and both say to log in.
    let run = sso.run(&["check", "--json", "sso-dev", "sso-ops"]);
    let all = sso.all(&run);
    assert_ne!(run.code, 0, "{all}");
    let v = run.json();
    for profile in ["sso-dev", "sso-ops"] {
        let error = crate::binary::result(&v, profile)["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(error.contains(&format!("profile '{profile}'")), "{all}");
        assert!(error.contains("could not be refreshed"), "{all}");
        assert!(error.contains("rswitch login --sso-session corp"), "{all}");
    }
    assert_eq!(sso.portal.create_token_calls().len(), 2, "{all}");
}

#[test]
fn profiles_sharing_a_session_refresh_it_once() {
    let (sso, path) = refreshable(-60, 86_400);
    // A slow CreateToken: the two profiles are resolved at the same time.
    sso.portal.oidc_delay(Duration::from_millis(400));
    let run = sso.run(&["check", "--json", "sso-dev", "sso-ops"]);
    let all = sso.all(&run);
    assert_eq!(run.code, 0, "{all}");
    let v = run.json();
    for profile in ["sso-dev", "sso-ops"] {
        assert_eq!(crate::binary::result(&v, profile)["status"], "ok", "{all}");
    }
    assert_eq!(sso.portal.create_token_calls().len(), 1, "{all}");
    let issued = sso.portal.refreshed();
    let bearers: Vec<_> = sso
        .portal
        .seen()
        .into_iter()
        .filter(|r| r.path == "/federation/credentials")
        .map(|r| r.bearer)
        .collect();
    assert_eq!(bearers.len(), 2, "{all}");
    assert!(
        bearers
            .iter()
            .all(|b| b.as_deref() == issued.first().map(String::as_str)),
        "{all}"
    );
    assert_eq!(read_entry(&path)["accessToken"], issued[0].as_str());
}
