//! Profiles that resolve: every base source and chain shape of the world, as `whoami`
//! and `check` report them.

use crate::binary::{self, assert_rfc3339, check_json, direct, result};
use serde_json::Value;

const TARGET_SESSION: &str = "arn:aws:sts::222222222222:assumed-role/";

fn hops(v: &Value) -> &Vec<Value> {
    v["hops"].as_array().unwrap_or_else(|| panic!("no hops: {v:#}"))
}

fn assert_ok_hops(v: &Value) {
    for hop in hops(v) {
        assert_eq!(hop["status"], "ok", "{v:#}");
        assert_eq!(hop["error"], Value::Null, "{v:#}");
        assert!(hop["cached"].is_boolean(), "{v:#}");
    }
    assert_eq!(v["error"], Value::Null, "{v:#}");
}

#[test]
fn static_keys_whoami() {
    let (stack, home) = direct();
    let run = binary::run(&home, &["whoami", "alice", "--json"]);
    assert_eq!(run.code, 0, "{run}");
    let v = run.json();
    assert_eq!(v["profile"], "alice");
    assert_eq!(v["status"], "ok");
    assert_eq!(v["region"], "us-east-1");
    assert_eq!(v["identity"]["account"], "111111111111");
    assert_eq!(v["identity"]["arn"], stack.world.alice.arn.as_str());
    assert!(
        v["identity"]["user_id"].as_str().is_some_and(|u| !u.is_empty()),
        "{v:#}"
    );
    assert_eq!(v["expiration"], Value::Null, "static keys do not expire: {v:#}");
    let h = hops(&v);
    assert_eq!(h.len(), 1, "{v:#}");
    assert_eq!(h[0]["kind"], "base");
    assert_eq!(h[0]["source"], "static");
    assert_eq!(h[0]["role_arn"], Value::Null);
    assert_ok_hops(&v);

    let text = binary::run(&home, &["whoami", "alice"]);
    assert_eq!(text.code, 0, "{text}");
    assert!(text.stdout.contains("111111111111"), "{text}");
    assert!(text.stdout.contains(&stack.world.alice.arn), "{text}");
}

#[test]
fn source_profile_role_whoami() {
    let (stack, home) = direct();
    let run = binary::run(&home, &["whoami", "switch-to", "--json"]);
    assert_eq!(run.code, 0, "{run}");
    let v = run.json();
    assert_eq!(v["status"], "ok");
    assert_eq!(v["region"], "eu-west-1");
    assert_eq!(v["chain"], serde_json::json!(["alice", "switch-to"]), "{v:#}");
    assert_eq!(v["identity"]["account"], "222222222222");
    let arn = v["identity"]["arn"].as_str().unwrap_or_default();
    assert!(
        arn.starts_with(&format!("{TARGET_SESSION}SwitchToRole/")),
        "{v:#}"
    );
    assert_rfc3339(&v["expiration"]);
    let h = hops(&v);
    assert_eq!(h.len(), 2, "{v:#}");
    assert_eq!(h[0]["source"], "static");
    assert_eq!(h[1]["kind"], "assume_role");
    assert_eq!(h[1]["profile"], "switch-to");
    assert_eq!(h[1]["role_arn"], stack.world.roles.switch_to.as_str());
    assert_eq!(h[1]["identity"]["arn"], arn);
    assert_ok_hops(&v);

    let text = binary::run(&home, &["whoami", "switch-to"]);
    assert_eq!(text.code, 0, "{text}");
    assert!(text.stdout.contains(arn), "{text}");
    assert!(text.stdout.contains("222222222222"), "{text}");
}

#[test]
fn chained_roles_across_accounts() {
    let (stack, home) = direct();
    let (v, run) = check_json(&home, &["deploy"]);
    assert_eq!(run.code, 0, "{run}");
    let r = result(&v, "deploy");
    assert_eq!(r["status"], "ok", "{r:#}");
    assert_eq!(
        r["chain"],
        serde_json::json!(["alice", "switch-to", "deploy"]),
        "{r:#}"
    );
    let h = hops(r);
    assert_eq!(h.len(), 3, "{r:#}");
    assert_eq!(h[1]["identity"]["account"], "222222222222");
    assert_eq!(h[2]["role_arn"], stack.world.roles.deploy.as_str());
    let arn = r["identity"]["arn"].as_str().unwrap_or_default();
    assert!(arn.starts_with(&format!("{TARGET_SESSION}Deploy/")), "{r:#}");
    assert_ok_hops(r);
    assert_eq!(
        v["summary"],
        serde_json::json!({"ok": 1, "denied": 0, "error": 0})
    );
}

#[test]
fn instance_metadata_base_via_imdsv2() {
    let (stack, home) = direct();
    let (v, run) = check_json(&home, &["instance", "instance-deploy"]);
    assert_eq!(run.code, 0, "{run}");
    for (profile, role) in [("instance", "SwitchToRole"), ("instance-deploy", "Deploy")] {
        let r = result(&v, profile);
        assert_eq!(r["status"], "ok", "{r:#}");
        let h = hops(r);
        assert_eq!(h[0]["kind"], "base", "{r:#}");
        assert_eq!(h[0]["source"], "ec2-imds", "{r:#}");
        let arn = r["identity"]["arn"].as_str().unwrap_or_default();
        assert!(arn.starts_with(&format!("{TARGET_SESSION}{role}/")), "{r:#}");
        // The AssumeRole caller was the instance role's real moto session.
        assert_eq!(h[1]["role_arn"], stack.world.roles.switch_to.as_str());
    }
}

#[test]
fn credential_process_base() {
    let (stack, home) = direct();
    let (v, run) = check_json(&home, &["carol", "carol-switch"]);
    assert_eq!(run.code, 0, "{run}");
    let carol = result(&v, "carol");
    assert_eq!(
        carol["identity"]["arn"],
        stack.world.carol.arn.as_str(),
        "{carol:#}"
    );
    assert_eq!(hops(carol)[0]["source"], "process");
    let switched = result(&v, "carol-switch");
    assert_eq!(switched["identity"]["account"], "222222222222", "{switched:#}");
    assert_eq!(hops(switched)[0]["source"], "process");
}

#[test]
fn external_id_is_sent() {
    let (_, home) = direct();
    let (v, run) = check_json(&home, &["ext-id", "ext-id-wrong"]);
    assert_eq!(run.code, 1, "the wrong external id must fail: {run}");
    let ok = result(&v, "ext-id");
    assert_eq!(ok["status"], "ok", "{ok:#}");
    let arn = ok["identity"]["arn"].as_str().unwrap_or_default();
    assert!(
        arn.starts_with("arn:aws:sts::111111111111:assumed-role/ExternalIdRole/"),
        "{ok:#}"
    );
    let wrong = result(&v, "ext-id-wrong");
    assert_eq!(wrong["status"], "denied", "{wrong:#}");
    assert_eq!(wrong["error"]["code"], "AccessDenied", "{wrong:#}");
}

#[test]
fn self_referencing_source_profile_uses_its_keys() {
    let (_, home) = direct();
    let run = binary::run(&home, &["check", "self-ref"]);
    assert_eq!(run.code, 0, "{run}");
    let line = run.line("OK", "self-ref");
    assert!(line.contains("222222222222"), "{line}");
    assert!(line.contains("assumed-role/SwitchToRole/"), "{line}");
}

#[test]
fn endpoint_from_environment() {
    let (stack, home) = direct();
    // No endpoint_url in the profile: AWS_ENDPOINT_URL_STS must be honoured.
    home.config(
        "[profile env-switch]\nrole_arn = ROLE\nsource_profile = alice\nregion = us-east-1\n"
            .replace("ROLE", &stack.world.roles.switch_to)
            .as_str(),
    );
    let run = binary::run_env(
        &home,
        &["check", "env-switch"],
        &[("AWS_ENDPOINT_URL_STS", stack.endpoint())],
    );
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.line("OK", "env-switch")
            .contains("assumed-role/SwitchToRole/"),
        "{run}"
    );
}
