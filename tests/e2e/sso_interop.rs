//! Interop of `rswitch login` with the real AWS CLI from the test venv (v1: botocore's SSO
//! credential and token providers), both ways: the CLI resolves an `sso_session` profile
//! with rswitch's login, and rswitch resolves one with the token botocore refreshed and
//! rewrote, and writes that same login byte for byte.

use crate::binary::Run;
use crate::handover::run_program;
use crate::sso::{ACCOUNT, SESSION, Sso, TARGET};
use crate::sso_login::login;
use crate::support;
use crate::support::sso_portal::{token_cache_path, write_token};
use serde_json::Value;

/// The AWS CLI (v1 from the venv, botocore's SSO credential and token providers) with
/// this HOME, its portal calls on loopback.
fn aws(sso: &Sso, args: &[&str]) -> Run {
    let env = sso.portal.env();
    let mut extra: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let venv_aws = support::venv_bin("aws");
    extra.push(("AWS_DEFAULT_OUTPUT", "json"));
    run_program(&sso.home, venv_aws.to_str().expect("path"), args, &extra)
}

#[test]
fn the_aws_cli_uses_rswitchs_login() {
    let sso = Sso::new();
    let run = login(&sso);
    assert_eq!(run.code, 0, "{}", sso.all(&run));
    let who = aws(&sso, &["sts", "get-caller-identity", "--profile", "sso-dev"]);
    assert_eq!(who.code, 0, "{}", sso.all(&who));
    let v: Value = serde_json::from_str(&who.stdout).expect("json");
    assert_eq!(v["Account"], ACCOUNT, "{who}");
    let got = sso.portal.calls("/federation/credentials");
    assert_eq!(got.len(), 1, "{}", sso.all(&who));
    assert_eq!(got[0].bearer.as_deref(), Some("aoa-device-1"));
    assert_eq!(got[0].status, 200);
}

#[test]
fn rswitch_uses_the_token_botocore_refreshed_and_writes_the_same_bytes() {
    let sso = Sso::new();
    let run = login(&sso);
    assert_eq!(run.code, 0, "{}", sso.all(&run));
    // Within botocore's 15-minute refresh window: the CLI refreshes and rewrites the cache.
    let path = token_cache_path(&sso.home, SESSION);
    let mut entry: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    entry["expiresAt"] = Value::String(crate::support::sso_portal::rfc3339_in(120));
    write_token(&sso.home, SESSION, &entry);
    let who = aws(&sso, &["sts", "get-caller-identity", "--profile", "sso-ops"]);
    assert_eq!(who.code, 0, "{}", sso.all(&who));
    assert_eq!(sso.portal.refreshed(), ["aoa-refreshed-1"], "{}", sso.all(&who));
    let written = std::fs::read_to_string(&path).expect("read");
    assert!(
        written.contains("\"accessToken\": \"aoa-refreshed-1\""),
        "{written}"
    );

    // rswitch resolves with botocore's file...
    let check = sso.run(&["whoami", "--json", "sso-ops"]);
    assert_eq!(check.code, 0, "{}", sso.all(&check));
    assert!(check.stdout.contains(TARGET), "{check}");
    let last = sso
        .portal
        .calls("/federation/credentials")
        .pop()
        .expect("a portal call");
    assert_eq!(last.bearer.as_deref(), Some("aoa-refreshed-1"));
    // ...and writes the same login byte for byte.
    let token = rswitch::sso::token_cache::read_token(&path).expect("rswitch reads botocore's file");
    let dir = tempfile::tempdir().expect("tempdir");
    let ours = dir.path().join("t.json");
    rswitch::sso::token_cache::write_token(&ours, &token).expect("write");
    assert_eq!(std::fs::read_to_string(&ours).expect("read"), written);
}
