//! `rswitch login`: the device authorization flow against the loopback portal (pending,
//! slow_down, denial, expiry, a forgotten client registration), the token cache it leaves
//! (bit for bit what the AWS CLI v2 writes: checked against Python's own `json.dumps` and
//! `hashlib`), and the account names it remembers. Interop with the AWS CLI is in
//! `sso_interop`, the terminal and the TUI in `sso_login_ui`.

use crate::binary::Run;
use crate::sso::{ACCOUNT, SESSION, SESSION_URL, Sso, TARGET};
use crate::support;
use crate::support::sso_portal::{Account, DeviceOutcome, DeviceScript, token_cache_path};
use serde_json::Value;
use std::time::Duration;

/// `rswitch login --sso-session corp --no-browser`.
pub(crate) fn login(sso: &Sso) -> Run {
    sso.run(&["login", "--sso-session", SESSION, "--no-browser"])
}

/// What Python prints for `hashlib.sha1(json.dumps(obj, sort_keys=True).encode()).hexdigest()`
/// with `obj` given as Python source.
fn python_registration_key(obj: &str) -> String {
    let script = format!(
        "import hashlib, json\nprint(hashlib.sha1(json.dumps({obj}, sort_keys=True).encode('utf-8')).hexdigest())"
    );
    let out = std::process::Command::new(support::venv_bin("python"))
        .args(["-c", &script])
        .output()
        .expect("python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).expect("metadata").permissions().mode() & 0o777
}

#[test]
fn login_runs_the_device_flow_and_caches_the_token_as_the_aws_cli_does() {
    let sso = Sso::new();
    sso.portal.device_script(DeviceScript {
        pending: 2,
        ..DeviceScript::default()
    });
    let run = login(&sso);
    let all = sso.all(&run);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{all}");
    let url = format!("{}/device?user_code=WDJB-0001", sso.portal.url());
    assert!(run.stderr.contains(&url), "{all}");
    assert!(run.stderr.contains("confirm the code WDJB-0001"), "{all}");
    assert!(
        run.stderr.contains("Logged in to sso-session 'corp' until "),
        "{all}"
    );
    // One registration, one device authorization, three polls (two pending, then the token).
    assert_eq!(sso.portal.calls("/client/register").len(), 1, "{all}");
    assert_eq!(sso.portal.calls("/device_authorization").len(), 1, "{all}");
    assert_eq!(sso.portal.calls("/token").len(), 3, "{all}");
    let client = &sso.portal.clients()[0];
    assert_eq!(
        (client.client_name.as_str(), client.client_type.as_str()),
        ("botocore-client-corp", "public")
    );
    assert_eq!(client.scopes, Some(vec!["sso:account:access".to_string()]));
    let start = &sso.portal.calls("/device_authorization")[0];
    assert_eq!(start.field("startUrl"), Some(SESSION_URL), "{all}");

    // The token: sha1("corp").json, keys and formatting as botocore's JSONFileCache writes.
    let token_path = token_cache_path(&sso.home, SESSION);
    let text = std::fs::read_to_string(&token_path).expect("token cache file");
    assert_eq!(mode(&token_path), 0o600);
    let v: Value = serde_json::from_str(&text).expect("json");
    let keys: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "startUrl",
            "region",
            "accessToken",
            "expiresAt",
            "clientId",
            "clientSecret",
            "registrationExpiresAt",
            "refreshToken"
        ]
    );
    assert!(text.starts_with(&format!(
        r#"{{"startUrl": "{SESSION_URL}", "region": "eu-central-1", "accessToken": "aoa-device-1", "expiresAt": ""#
    )));
    assert_eq!(v["clientId"], "client-1");
    assert_eq!(v["refreshToken"], "aor-device-1");
    let expires = v["expiresAt"].as_str().expect("expiresAt");
    assert!(expires.len() == 20 && expires.ends_with('Z'), "{expires}");

    // The registration: named as BaseSSOTokenFetcher._registration_cache_key names it.
    let key = python_registration_key(&format!(
        "{{'tool': 'botocore', 'startUrl': '{SESSION_URL}', 'region': 'eu-central-1', \
         'scopes': ['sso:account:access'], 'session_name': '{SESSION}'}}"
    ));
    let reg_path = sso.home.path().join(".aws/sso/cache").join(format!("{key}.json"));
    let reg: Value =
        serde_json::from_str(&std::fs::read_to_string(&reg_path).expect("registration file")).expect("json");
    assert_eq!(mode(&reg_path), 0o600);
    let keys: Vec<&str> = reg
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["clientId", "clientSecret", "expiresAt", "scopes"]);
    assert_eq!(reg["clientSecret"], "client-secret-1");
    assert_eq!(reg["expiresAt"], v["registrationExpiresAt"]);

    // One login serves every profile of the session, through rswitch's resolver.
    let check = sso.run(&["check", "--json", "sso-dev", "sso-ops", "sso-switch"]);
    let all = sso.all(&check);
    assert_eq!(check.code, 0, "{all}");
    let bearers: Vec<_> = sso
        .portal
        .calls("/federation/credentials")
        .into_iter()
        .map(|r| r.bearer)
        .collect();
    assert!(
        !bearers.is_empty() && bearers.iter().all(|b| b.as_deref() == Some("aoa-device-1")),
        "{all}"
    );

    // A second login reuses the cached registration.
    let again = login(&sso);
    assert_eq!(again.code, 0, "{}", sso.all(&again));
    assert_eq!(sso.portal.calls("/client/register").len(), 1);
    assert_eq!(sso.portal.calls("/device_authorization").len(), 2);
}

#[test]
fn slow_down_adds_five_seconds_to_the_polling_interval() {
    let sso = Sso::new();
    sso.portal.device_script(DeviceScript {
        pending: 2,
        slow_down_at: Some(2),
        ..DeviceScript::default()
    });
    let run = login(&sso);
    let all = sso.all(&run);
    assert_eq!(run.code, 0, "{all}");
    let polls = sso.portal.calls("/token");
    assert_eq!(polls.len(), 3, "{all}");
    let first_gap = polls[1].at - polls[0].at;
    let second_gap = polls[2].at - polls[1].at;
    assert!(
        first_gap >= Duration::from_millis(900) && first_gap < Duration::from_secs(3),
        "{first_gap:?}"
    );
    assert!(
        second_gap >= Duration::from_secs(6),
        "{second_gap:?} after slow_down"
    );
}

/// A login that ends without a token leaves the token cache as it was.
fn failed_login(outcome: DeviceOutcome, expires_in: i32, pending: u32, words: &str) {
    let sso = Sso::new();
    sso.portal.device_script(DeviceScript {
        pending,
        outcome,
        expires_in,
        ..DeviceScript::default()
    });
    let run = login(&sso);
    let all = sso.all(&run);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{all}");
    assert!(
        run.stderr.contains(&format!("sso-session 'corp': {words}")),
        "{all}"
    );
    assert!(!token_cache_path(&sso.home, SESSION).exists(), "{all}");
    let who = sso.run(&["whoami", "sso-dev"]);
    assert_eq!(who.code, 1, "{}", sso.all(&who));
    assert!(
        format!("{}{}", who.stdout, who.stderr).contains("not logged in"),
        "{}",
        sso.all(&who)
    );
}

#[test]
fn a_denied_login_says_so_and_caches_nothing() {
    failed_login(DeviceOutcome::Deny, 600, 1, "the login was denied in the browser");
}

#[test]
fn an_expired_device_code_says_so_and_caches_nothing() {
    failed_login(DeviceOutcome::Expire, 600, 1, "the device code expired");
}

#[test]
fn polling_stops_when_the_device_code_runs_out() {
    // The portal would say "pending" for ever; the code's 2-second lifetime ends the wait.
    failed_login(DeviceOutcome::Approve, 2, 1000, "the device code expired");
}

#[test]
fn login_names_a_profile_or_the_only_session_and_refuses_what_is_not_sso() {
    let sso = Sso::new();
    let run = sso.run(&["login", "sso-switch", "--no-browser"]);
    assert_eq!(run.code, 0, "{}", sso.all(&run));
    assert!(run.stderr.contains("Logging in to sso-session 'corp'"), "{run}");
    let run = sso.run(&["login", "--no-browser"]);
    assert_eq!(run.code, 0, "{}", sso.all(&run));
    let run = sso.run(&["login", "sso-legacy", "--no-browser"]);
    assert_eq!(run.code, 0, "{}", sso.all(&run));
    assert!(
        run.stderr
            .contains("Logging in to start URL 'https://legacy.awsapps.com/start#'"),
        "{run}"
    );
    // The legacy form: keyed by the start URL, client named after the time.
    assert!(token_cache_path(&sso.home, "https://legacy.awsapps.com/start#").exists());
    assert!(
        sso.portal.clients()[1]
            .client_name
            .starts_with("botocore-client-1")
    );
    let run = sso.run(&["login", "nope", "--no-browser"]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("'nope'"), "{run}");
}

#[test]
fn account_names_come_from_the_portal_and_the_settings_file_wins() {
    let sso = Sso::new();
    sso.portal
        .account(Account::new(ACCOUNT, "Developer Tools", &["Developer"]));
    sso.portal
        .account(Account::new(TARGET, "Production", &["ReadOnly"]));
    sso.portal
        .account(Account::new("333333333333", "Sandbox", &["Admin"]));
    sso.portal.page_size(1);
    let run = login(&sso);
    assert_eq!(run.code, 0, "{}", sso.all(&run));
    assert!(run.stderr.contains("3 accounts available"), "{}", sso.all(&run));
    // Three pages of one account each.
    assert_eq!(sso.portal.calls("/assignment/accounts").len(), 3);

    let check = sso.run(&["check", "sso-dev", "sso-ops"]);
    assert_eq!(check.code, 0, "{}", sso.all(&check));
    assert!(
        check
            .line("OK", "sso-dev")
            .contains(&format!("{ACCOUNT} (Developer Tools)  arn:")),
        "{check}"
    );
    assert!(
        check
            .line("OK", "sso-ops")
            .contains(&format!("{TARGET} (Production)  arn:")),
        "{check}"
    );

    // The user's own names win; an account with no name anywhere shows the bare id.
    let settings = sso.home.path().join(".config/rswitch/accounts.ini");
    std::fs::create_dir_all(settings.parent().expect("dir")).expect("mkdir");
    std::fs::write(&settings, format!("# my names\n{ACCOUNT} = dev\n")).expect("write");
    let who = sso.run(&["whoami", "sso-dev"]);
    assert!(
        who.stdout.contains(&format!("account   {ACCOUNT} (dev)\n")),
        "{who}"
    );
    let who = sso.run(&["whoami", "--json", "sso-ops"]);
    let v = who.json();
    assert_eq!(v["identity"]["account_name"], "Production", "{who}");
    // Names are a convenience: a broken names cache is no error, just no names.
    std::fs::write(
        sso.home.path().join(".cache/rswitch/sso-accounts.json"),
        "{not json",
    )
    .expect("write");
    let who = sso.run(&["whoami", "--json", "sso-ops"]);
    assert_eq!(who.code, 0, "{who}");
    assert_eq!(who.json()["identity"].get("account_name"), None, "{who}");
}

#[test]
fn a_cached_registration_the_service_forgot_is_replaced() {
    let sso = Sso::new();
    // What an earlier login cached, for a client this portal does not know.
    let session = rswitch::sso::SsoSession {
        name: Some(SESSION.into()),
        start_url: SESSION_URL.into(),
        region: "eu-central-1".into(),
        scopes: Some(vec!["sso:account:access".into()]),
        use_fips: false,
    };
    let env = rswitch::env::Env::from_vars(
        Vec::<(String, String)>::new(),
        Some(sso.home.path().to_path_buf()),
    );
    let path = rswitch::sso::token_cache::registration_path(&env, &session);
    std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
    std::fs::write(
        &path,
        format!(
            r#"{{"clientId": "revoked", "clientSecret": "s", "expiresAt": "{}", "scopes": ["sso:account:access"]}}"#,
            crate::support::sso_portal::rfc3339_in(30 * 86400)
        ),
    )
    .expect("write");
    let run = login(&sso);
    assert_eq!(run.code, 0, "{}", sso.all(&run));
    let starts = sso.portal.calls("/device_authorization");
    assert_eq!(starts.len(), 2, "{}", sso.all(&run));
    assert_eq!(
        (starts[0].field("clientId"), starts[0].status),
        (Some("revoked"), 401)
    );
    assert_eq!(sso.portal.clients().len(), 1);
    let cached = std::fs::read_to_string(&path).expect("read");
    assert!(cached.contains("\"clientId\": \"client-1\""), "{cached}");
}
