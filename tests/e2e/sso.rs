//! IAM Identity Center (SSO) profiles, both forms (`sso_session` with an
//! `[sso-session]` section, and the legacy `sso_start_url` in the profile), through the
//! token cache `aws sso login` leaves and a loopback SSO portal ([`SsoPortal`]).
//!
//! The portal hands out real sessions of the moto world, as Identity Center hands out
//! role sessions: the `sso_session` profile gets the instance role's session
//! (SwitchFromRole in 111111111111), the legacy one a SwitchToRole session (in
//! 222222222222) that carol assumed. So every STS call made with them is checked by
//! moto's IAM enforcement, and the proxy shows which key signed it.
//! `AWS_ENDPOINT_URL_SSO` keeps every portal call on loopback; the portal records them.

use crate::binary::{self, Run};
use crate::support::sso_portal::{Grant, SsoPortal, rfc3339_in, token_cache_path, write_token};
use crate::support::{self, Home, Proxy, Stack};
use rswitch::creds::{Credentials, Secret};
use rswitch::sts::{AssumeRoleInput, AssumedRole, Sts, StsSettings};
use serde_json::{Value, json};
use std::time::Duration;

pub(crate) const ACCOUNT: &str = "111111111111";
pub(crate) const TARGET: &str = "222222222222";
pub(crate) const SESSION: &str = "corp";
pub(crate) const SESSION_URL: &str = "https://corp.awsapps.com/start";
const LEGACY_URL: &str = "https://legacy.awsapps.com/start#";
const SESSION_TOKEN: &str = "aoa-session-token-7f3a";
const LEGACY_TOKEN: &str = "aoa-legacy-token-19c2";

pub(crate) struct Sso {
    pub(crate) stack: &'static Stack,
    pub(crate) portal: SsoPortal,
    pub(crate) proxy: Proxy,
    pub(crate) home: Home,
    /// The access key the portal hands out for the legacy profile.
    pub(crate) legacy_key: String,
}

impl Sso {
    /// A HOME with both SSO forms (and `sso-ops`, a second profile of the session, with
    /// the legacy profile's permission set) and a role on top of each, STS through a proxy, and
    /// a portal that knows the two tokens and grants the two permission sets; the token
    /// cache is left empty (see [`Sso::logged_in`]).
    pub(crate) fn new() -> Sso {
        let stack = support::shared();
        let w = &stack.world;
        let portal = SsoPortal::start();
        portal.issue(SESSION_TOKEN);
        portal.issue(LEGACY_TOKEN);
        let s = &w.instance_role;
        portal.grant(Grant {
            account_id: ACCOUNT.into(),
            role_name: "Developer".into(),
            access_key_id: s.access_key_id.clone(),
            secret_access_key: s.secret_access_key.clone(),
            session_token: s.session_token.clone(),
        });
        let carol = carol_session(stack);
        portal.grant(Grant {
            account_id: TARGET.into(),
            role_name: "ReadOnly".into(),
            access_key_id: carol.credentials.access_key_id.clone(),
            secret_access_key: carol.credentials.secret_access_key.expose().to_string(),
            session_token: carol
                .credentials
                .session_token
                .as_ref()
                .map(|t| t.expose().to_string())
                .unwrap_or_default(),
        });
        let proxy = Proxy::start(stack.endpoint());
        let endpoint = proxy.url();
        let home = Home::new();
        let role = |name: &str, arn: &str, source: &str| {
            format!(
                "[profile {name}]\nrole_arn = {arn}\nsource_profile = {source}\nregion = eu-west-1\n\
                 endpoint_url = {endpoint}\n\n"
            )
        };
        home.config(&format!(
            "[sso-session {SESSION}]\nsso_start_url = {SESSION_URL}\nsso_region = eu-central-1\n\
             sso_registration_scopes = sso:account:access\n\n\
             [profile sso-dev]\nsso_session = {SESSION}\nsso_account_id = {ACCOUNT}\n\
             sso_role_name = Developer\nregion = eu-west-1\nendpoint_url = {endpoint}\n\n\
             [profile sso-ops]\nsso_session = {SESSION}\nsso_account_id = {TARGET}\n\
             sso_role_name = ReadOnly\nregion = us-east-1\nendpoint_url = {endpoint}\n\n\
             [profile sso-legacy]\nsso_start_url = {LEGACY_URL}\nsso_region = ap-southeast-2\n\
             sso_account_id = {TARGET}\nsso_role_name = ReadOnly\nregion = us-east-1\n\
             endpoint_url = {endpoint}\n\n{}{}",
            role("sso-switch", &w.roles.switch_to, "sso-dev"),
            role("sso-legacy-deploy", &w.roles.deploy, "sso-legacy"),
        ));
        Sso {
            stack,
            portal,
            proxy,
            home,
            legacy_key: carol.credentials.access_key_id.clone(),
        }
    }

    /// Writes both token cache entries as `aws sso login` does, valid for an hour.
    fn logged_in(self) -> Sso {
        write_token(&self.home, SESSION, &session_token(SESSION_TOKEN, 3600));
        write_token(
            &self.home,
            LEGACY_URL,
            &json!({"accessToken": LEGACY_TOKEN, "expiresAt": rfc3339_in(3600), "region": "ap-southeast-2", "startUrl": LEGACY_URL}),
        );
        self
    }

    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let env = self.portal.env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        binary::run_env(&self.home, args, &env)
    }

    /// Everything the test saw, for assertion messages.
    pub(crate) fn all(&self, run: &Run) -> String {
        format!(
            "{run}\n--- portal\n{:#?}\n--- sts\n{:#?}",
            self.portal.seen(),
            self.proxy.seen()
        )
    }

    /// Every portal request was a GetRoleCredentials; returns how many.
    fn portal_calls(&self) -> usize {
        let seen = self.portal.seen();
        for r in &seen {
            assert_eq!(
                (r.method.as_str(), r.path.as_str()),
                ("GET", "/federation/credentials"),
                "{seen:#?}"
            );
        }
        seen.len()
    }
}

/// A real moto session of SwitchToRole, assumed with carol's keys: what the portal
/// hands out for the legacy profile's permission set (moto refuses a session token
/// sent with a user's long-term key, as AWS does, so the portal cannot hand out keys).
fn carol_session(stack: &Stack) -> AssumedRole {
    let c = &stack.world.carol;
    let sts = Sts::new(&StsSettings {
        region: Some("us-east-1".into()),
        endpoint: Some(stack.endpoint().to_string()),
        timeout: Duration::from_secs(20),
        ..StsSettings::default()
    });
    let carol = Credentials {
        access_key_id: c.access_key_id.clone(),
        secret_access_key: Secret::new(c.secret_access_key.clone()),
        session_token: None,
        expiration: None,
    };
    let input = AssumeRoleInput {
        role_arn: &stack.world.roles.switch_to,
        session_name: "carol@corp.example",
        ..AssumeRoleInput::default()
    };
    support::runtime()
        .block_on(sts.assume_role(&carol, &input))
        .expect("carol assumes SwitchToRole")
}

/// A token cache entry of an `sso_session` login (no refresh token: it cannot be renewed).
fn session_token(token: &str, valid_secs: i64) -> Value {
    json!({
        "startUrl": SESSION_URL,
        "region": "eu-central-1",
        "accessToken": token,
        "expiresAt": rfc3339_in(valid_secs),
    })
}

#[test]
fn both_sso_forms_resolve_through_the_portal() {
    let sso = Sso::new().logged_in();
    let w = &sso.stack.world;
    let run = sso.run(&["check", "--json", "sso-dev", "sso-legacy"]);
    let all = sso.all(&run);
    assert_eq!(run.code, 0, "{all}");
    let v = run.json();
    let dev = binary::result(&v, "sso-dev");
    assert_eq!(dev["status"], "ok", "{all}");
    let arn = dev["identity"]["arn"].as_str().unwrap_or_default();
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{ACCOUNT}:assumed-role/SwitchFromRole/")),
        "{all}"
    );
    assert_eq!(dev["hops"][0]["source"], "sso", "{all}");
    assert_eq!(dev["chain"], json!(["sso-dev"]), "{all}");
    let legacy = binary::result(&v, "sso-legacy");
    assert_eq!(legacy["status"], "ok", "{all}");
    let legacy_arn = legacy["identity"]["arn"].as_str().unwrap_or_default();
    assert_eq!(
        legacy_arn,
        format!("arn:aws:sts::{TARGET}:assumed-role/SwitchToRole/carol@corp.example"),
        "{all}"
    );
    assert_eq!(legacy["hops"][0]["source"], "sso", "{all}");

    // Each form sent its own token for its own permission set, and only to the portal.
    assert_eq!(sso.portal_calls(), 2, "{all}");
    let seen = sso.portal.seen();
    let call = |role: &str| {
        seen.iter()
            .find(|r| r.role_name.as_deref() == Some(role))
            .unwrap_or_else(|| panic!("no call for {role}: {all}"))
    };
    for (role, token, account) in [
        ("Developer", SESSION_TOKEN, ACCOUNT),
        ("ReadOnly", LEGACY_TOKEN, TARGET),
    ] {
        assert_eq!(call(role).bearer.as_deref(), Some(token), "{all}");
        assert_eq!(call(role).account_id.as_deref(), Some(account), "{all}");
        assert_eq!(call(role).status, 200, "{all}");
    }
    // moto answered GetCallerIdentity for the portal's keys.
    let signers: Vec<_> = sso
        .proxy
        .seen()
        .into_iter()
        .filter(|r| r.action == "GetCallerIdentity")
        .filter_map(|r| r.access_key)
        .collect();
    assert!(signers.contains(&w.instance_role.access_key_id), "{all}");
    assert!(signers.contains(&sso.legacy_key), "{all}");

    let text = sso.run(&["whoami", "sso-dev"]);
    assert_eq!(text.code, 0, "{}", sso.all(&text));
    assert!(text.stdout.contains(arn), "{}", sso.all(&text));
}

#[test]
fn a_role_on_an_sso_profile_is_assumed_with_the_portal_credentials() {
    let sso = Sso::new().logged_in();
    let w = &sso.stack.world;
    let run = sso.run(&["check", "--json", "sso-switch", "sso-legacy-deploy"]);
    let all = sso.all(&run);
    assert_eq!(run.code, 0, "{all}");
    let v = run.json();
    for (profile, base, role, signer) in [
        (
            "sso-switch",
            "sso-dev",
            "SwitchToRole",
            &w.instance_role.access_key_id,
        ),
        ("sso-legacy-deploy", "sso-legacy", "Deploy", &sso.legacy_key),
    ] {
        let r = binary::result(&v, profile);
        assert_eq!(r["status"], "ok", "{all}");
        assert_eq!(r["chain"], json!([base, profile]), "{all}");
        assert_eq!(r["hops"][0]["source"], "sso", "{all}");
        let arn = r["identity"]["arn"].as_str().unwrap_or_default();
        assert!(
            arn.starts_with(&format!("arn:aws:sts::{TARGET}:assumed-role/{role}/")),
            "{all}"
        );
        let assumed = sso
            .proxy
            .seen()
            .into_iter()
            .filter(|r| r.action == "AssumeRole")
            .any(|r| r.access_key.as_deref() == Some(signer.as_str()));
        assert!(assumed, "AssumeRole for {profile} not signed by {signer}: {all}");
    }
    assert_eq!(sso.proxy.assume_count(&w.roles.switch_to), 1, "{all}");
    assert_eq!(sso.proxy.assume_count(&w.roles.deploy), 1, "{all}");
    assert_eq!(sso.portal_calls(), 2, "{all}");
}

#[test]
fn list_shows_sso_profiles_and_their_chains_without_calling_anything() {
    let sso = Sso::new().logged_in();
    let run = sso.run(&["list", "--json"]);
    assert_eq!(run.code, 0, "{run}");
    let v = run.json();
    let item = |name: &str| {
        v["profiles"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["name"] == name))
            .unwrap_or_else(|| panic!("{name} not listed: {v:#}"))
            .clone()
    };
    for name in ["sso-dev", "sso-legacy"] {
        let p = item(name);
        assert_eq!(p["kind"], "sso", "{p:#}");
        assert_eq!(p["chain"], json!([name]), "{p:#}");
        assert_eq!(p["error"], Value::Null, "{p:#}");
    }
    let switch = item("sso-switch");
    assert_eq!(switch["kind"], "role", "{switch:#}");
    assert_eq!(switch["source"], "sso", "{switch:#}");
    assert_eq!(switch["chain"], json!(["sso-dev", "sso-switch"]), "{switch:#}");

    let text = sso.run(&["list"]);
    assert_eq!(text.code, 0, "{text}");
    let line = |name: &str| {
        text.stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("no {name} line: {text}"))
            .to_string()
    };
    assert_eq!(line("sso-dev").split_whitespace().nth(1), Some("sso"), "{text}");
    assert!(line("sso-switch").contains("role (sso)"), "{text}");
    assert!(line("sso-switch").contains("sso-dev -> sso-switch"), "{text}");
    assert!(sso.portal.seen().is_empty(), "list called the portal");
    assert_eq!(sso.proxy.total(), 0, "list called STS");
}

/// The error of `whoami PROFILE`, checked to name the SSO profile at its base and the
/// login command; returns stdout and stderr.
fn login_error(sso: &Sso, profile: &str, login: &str) -> String {
    let run = sso.run(&["whoami", profile]);
    let all = sso.all(&run);
    assert_ne!(run.code, 0, "{all}");
    let text = format!("{}{}", run.stdout, run.stderr);
    let base = if profile == "sso-switch" {
        "sso-dev"
    } else {
        profile
    };
    assert!(text.contains(&format!("profile '{base}'")), "{all}");
    assert!(text.contains(&format!("`{login}`")), "no `{login}` hint: {all}");
    text
}

#[test]
fn no_sso_login_says_which_login_to_run() {
    let sso = Sso::new();
    let text = login_error(&sso, "sso-dev", &format!("rswitch login --sso-session {SESSION}"));
    let path = token_cache_path(&sso.home, SESSION).display().to_string();
    assert!(text.contains(&path), "names the token file: {text}");
    let text = login_error(&sso, "sso-legacy", "rswitch login sso-legacy");
    let path = token_cache_path(&sso.home, LEGACY_URL).display().to_string();
    assert!(text.contains(&path), "names the token file: {text}");
    // The chained profile points at its SSO base.
    login_error(
        &sso,
        "sso-switch",
        &format!("rswitch login --sso-session {SESSION}"),
    );
    assert_eq!(sso.portal_calls(), 0, "no token, no call");
    assert_eq!(sso.proxy.total(), 0);
}

#[test]
fn an_expired_sso_login_says_to_log_in_again() {
    let sso = Sso::new();
    write_token(&sso.home, SESSION, &session_token(SESSION_TOKEN, -60));
    // The legacy cache holds a token the portal no longer honours (it expired there).
    write_token(
        &sso.home,
        LEGACY_URL,
        &json!({"accessToken": "aoa-expired-legacy", "expiresAt": rfc3339_in(-60)}),
    );
    let text = login_error(&sso, "sso-dev", &format!("rswitch login --sso-session {SESSION}"));
    assert!(text.contains("expired"), "{text}");
    // aws-config does not look at a legacy token's expiry: the portal refuses it.
    let text = login_error(&sso, "sso-legacy", "rswitch login sso-legacy");
    assert!(text.contains("expired at"), "{text}");
    assert!(text.contains("UnauthorizedException"), "{text}");
    let seen = sso.portal.seen();
    assert_eq!(seen.len(), 1, "{seen:#?}");
    assert_eq!(seen[0].bearer.as_deref(), Some("aoa-expired-legacy"));
    assert_eq!(seen[0].status, 401);
    assert_eq!(sso.proxy.total(), 0);
}

#[test]
fn the_portal_refusing_the_token_is_reported_with_its_words() {
    let sso = Sso::new().logged_in();
    sso.portal.reject_all(true);
    for (profile, login) in [
        ("sso-dev", format!("rswitch login --sso-session {SESSION}")),
        ("sso-legacy", "rswitch login sso-legacy".to_string()),
    ] {
        let text = login_error(&sso, profile, &login);
        assert!(text.contains("UnauthorizedException"), "{text}");
        assert!(text.contains("Session token not found or invalid"), "{text}");
    }
    assert_eq!(sso.portal_calls(), 2);
    assert!(sso.portal.seen().iter().all(|r| r.status == 401));
    assert_eq!(sso.proxy.total(), 0);
}
