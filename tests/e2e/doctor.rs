//! `doctor` and `lint` through the real binary against the moto world.
//!
//! Where moto differs from AWS, the expectations follow what moto lets the doctor see:
//! - moto's AccessDenied message is only `User: ARN is not authorized to perform:
//!   sts:AssumeRole`. AWS adds `on resource: ARN` and, in newer messages, `because no
//!   identity-based policy allows …` or `with an explicit deny in …`, which the doctor
//!   reads as confirmed causes. Without them a missing Allow and an explicit Deny look
//!   alike, and every cause stays inferred.
//! - moto does not implement `iam:SimulatePrincipalPolicy`, and the world's callers hold
//!   no IAM read permissions, so the doctor's IAM checks only add notes.

use crate::binary::{self, direct, line_of};
use serde_json::Value;

/// `doctor PROFILE --json`: the exit code and the report.
fn doctor(home: &crate::support::Home, profile: &str) -> (i32, Value, binary::Run) {
    let run = binary::run(home, &["doctor", profile, "--json"]);
    let v = run.json();
    (run.code, v, run)
}

fn cause_ids(v: &Value) -> Vec<&str> {
    v["causes"]
        .as_array()
        .unwrap_or_else(|| panic!("no causes: {v:#}"))
        .iter()
        .map(|c| c["id"].as_str().unwrap_or_default())
        .collect()
}

fn policy<'a>(v: &'a Value, kind: &str) -> Option<&'a Value> {
    v["policies"]
        .as_array()
        .unwrap_or_else(|| panic!("no policies: {v:#}"))
        .iter()
        .find(|p| p["kind"] == kind)
}

/// Every string anywhere in the policy documents: no wildcard may appear.
fn assert_no_wildcards(v: &Value) {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(o) => o.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    for p in v["policies"].as_array().into_iter().flatten() {
        let mut strings = Vec::new();
        walk(&p["document"], &mut strings);
        for s in strings {
            assert!(!s.contains('*') && !s.contains('?'), "wildcard {s:?} in {p:#}");
        }
    }
}

fn statement(p: &Value) -> &Value {
    let statements = p["document"]["Statement"]
        .as_array()
        .unwrap_or_else(|| panic!("no statements: {p:#}"));
    assert_eq!(statements.len(), 1, "{p:#}");
    &statements[0]
}

/// The common shape of a denied first hop called by alice.
fn assert_denied_hop(v: &Value, profile: &str, role_arn: &str, alice: &str, same_account: bool) {
    assert_eq!(v["profile"], profile, "{v:#}");
    assert_eq!(v["status"], "denied", "{v:#}");
    assert_eq!(v["error"]["code"], "AccessDenied", "{v:#}");
    let hop = &v["hop"];
    assert_eq!(hop["index"], 1, "{v:#}");
    assert_eq!(hop["target_role_arn"], role_arn, "{v:#}");
    assert_eq!(hop["caller"]["arn"], alice, "{v:#}");
    assert_eq!(hop["same_account"], same_account, "{v:#}");
    let location = &hop["location"];
    assert!(
        location["file"]
            .as_str()
            .is_some_and(|f| f.ends_with(".aws/config"))
            && location["line"].as_u64() > Some(0),
        "{v:#}"
    );
    assert_no_wildcards(v);
}

#[test]
fn cross_account_denials_get_both_exact_policies() {
    let (stack, home) = direct();
    let (alice, roles) = (&stack.world.alice.arn, &stack.world.roles);
    // SwitchToRole2 trusts alice but she has no Allow for it; ForbiddenRole is allowed
    // by a wildcard and explicitly denied. On AWS the messages would tell them apart
    // (see the module docs); on moto both leave trust and identity policy as the two
    // inferred causes on top, and both policies as required.
    for (profile, role) in [("switch-to2", &roles.switch_to2), ("forbidden", &roles.forbidden)] {
        let (code, v, run) = doctor(&home, profile);
        assert_eq!(code, 1, "{run}");
        assert_denied_hop(&v, profile, role, alice, false);
        let ids = cause_ids(&v);
        let mut top: Vec<&str> = ids[..2].to_vec();
        top.sort();
        assert_eq!(top, ["identity_policy", "trust_policy"], "{v:#}");
        assert!(ids.contains(&"explicit_deny"), "{v:#}");
        for c in v["causes"].as_array().into_iter().flatten() {
            assert_eq!(
                c["confidence"], "inferred",
                "moto's message states no cause: {c:#}"
            );
        }

        let role_name = role.rsplit('/').next().unwrap_or_default();
        let trust = policy(&v, "trust").unwrap_or_else(|| panic!("no trust policy: {v:#}"));
        assert_eq!(trust["required"], true, "{v:#}");
        assert_eq!(trust["account"], "222222222222", "{v:#}");
        assert_eq!(trust["attach_to"], role_name, "{v:#}");
        let s = statement(trust);
        assert_eq!(s["Effect"], "Allow");
        assert_eq!(s["Principal"]["AWS"], alice.as_str(), "{trust:#}");
        assert_eq!(s["Action"], "sts:AssumeRole", "{trust:#}");

        let identity = policy(&v, "user_identity").unwrap_or_else(|| panic!("no identity policy: {v:#}"));
        assert_eq!(identity["required"], true, "{v:#}");
        assert_eq!(identity["account"], "111111111111", "{v:#}");
        assert_eq!(identity["attach_to"], "alice", "{v:#}");
        let s = statement(identity);
        assert_eq!(s["Resource"], role.as_str(), "{identity:#}");
        assert_eq!(s["Action"], "sts:AssumeRole", "{identity:#}");
        let command = identity["command"].as_str().unwrap_or_default();
        assert!(
            command.starts_with("aws iam put-user-policy --user-name alice "),
            "{command}"
        );
    }
}

#[test]
fn same_account_trust_denial_needs_only_the_trust_policy() {
    let (stack, home) = direct();
    let (alice, role) = (&stack.world.alice.arn, &stack.world.roles.local_admin);
    let (code, v, run) = doctor(&home, "local-admin");
    assert_eq!(code, 1, "{run}");
    assert_denied_hop(&v, "local-admin", role, alice, true);
    assert_eq!(cause_ids(&v)[0], "trust_policy", "{v:#}");
    let policies = v["policies"].as_array().unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(
        policies.len(),
        1,
        "a user named by a same-account trust policy needs no Allow: {v:#}"
    );
    let trust = &policies[0];
    assert_eq!(trust["kind"], "trust", "{v:#}");
    assert_eq!(trust["attach_to"], "LocalAdmin", "{v:#}");
    assert_eq!(statement(trust)["Principal"]["AWS"], alice.as_str(), "{v:#}");
    // alice may not read IAM: the doctor says it asked and was refused.
    let notes = v["iam_checks"]["notes"].to_string();
    assert!(notes.contains("iam:GetRole"), "{v:#}");
    assert_eq!(v["iam_checks"]["used"], false, "{v:#}");

    let text = binary::run(&home, &["doctor", "local-admin"]);
    assert_eq!(text.code, 1, "{text}");
    let config = home.config_path();
    let at = format!(
        "{}:{}",
        config.display(),
        line_of(&config, &format!("role_arn = {role}"))
    );
    for needle in [
        "DENIED",
        "AccessDenied",
        &format!("Caller:   {alice}"),
        &format!("Target:   {role} (role_arn at {at})"),
        "same account",
        "aws iam update-assume-role-policy --role-name LocalAdmin",
    ] {
        assert!(text.stdout.contains(needle), "{needle:?} missing:\n{text}");
    }
}

#[test]
fn chained_denial_trusts_the_calling_role_not_its_session() {
    let (stack, home) = direct();
    let (code, v, run) = doctor(&home, "chain-denied");
    assert_eq!(code, 1, "{run}");
    assert_eq!(v["hop"]["index"], 2, "{v:#}");
    assert_eq!(v["hop"]["chained"], true, "{v:#}");
    let trust = policy(&v, "trust").unwrap_or_else(|| panic!("no trust policy: {v:#}"));
    assert_eq!(
        statement(trust)["Principal"]["AWS"],
        stack.world.roles.switch_to.as_str(),
        "{v:#}"
    );
    assert_no_wildcards(&v);
}

#[test]
fn working_profile_is_ok() {
    let (_, home) = direct();
    let (code, v, run) = doctor(&home, "deploy");
    assert_eq!(code, 0, "{run}");
    assert_eq!(v["status"], "ok", "{v:#}");
    assert!(
        v["identity"]["arn"]
            .as_str()
            .is_some_and(|a| a.starts_with(crate::handover::DEPLOY_SESSION)),
        "{v:#}"
    );
    assert_eq!(v["causes"], serde_json::json!([]), "{v:#}");
    assert_eq!(v["policies"], serde_json::json!([]), "{v:#}");
    let text = binary::run(&home, &["doctor", "deploy"]);
    assert_eq!(text.code, 0, "{text}");
    assert!(text.stdout.contains("OK"), "{text}");
}

#[test]
fn lint_passes_the_e2e_config_and_names_a_malformed_arn() {
    let (_, home) = direct();
    let run = binary::run(&home, &["lint"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("0 error(s)"), "{run}");
    let run = binary::run(&home, &["lint", "--json"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.json()["findings"], serde_json::json!([]), "{run}");

    let mut config = std::fs::read_to_string(home.config_path()).expect("config");
    config += "[profile typo]\nrole_arn = arn:aws:iam::222222222222/SwitchToRole\nsource_profile = alice\n";
    home.config(&config);
    let at = format!(
        "{}:{}",
        home.config_path().display(),
        line_of(&home.config_path(), "222222222222/SwitchToRole")
    );
    let run = binary::run(&home, &["lint"]);
    assert_eq!(run.code, 1, "{run}");
    let line = run
        .stdout
        .lines()
        .find(|l| l.contains("profile 'typo'"))
        .unwrap_or_else(|| panic!("no finding for typo:\n{run}"));
    assert!(line.contains(&at), "{at} missing: {line}");
    assert!(
        line.contains("arn:aws:iam::222222222222:role/SwitchToRole"),
        "no fix: {line}"
    );

    let run = binary::run(&home, &["lint", "--json"]);
    assert_eq!(run.code, 1, "{run}");
    let v = run.json();
    let findings = v["findings"].as_array().unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(findings.len(), 1, "{v:#}");
    assert_eq!(findings[0]["severity"], "error", "{v:#}");
    assert_eq!(findings[0]["location"], at.as_str(), "{v:#}");

    // The same profile is stopped before STS, with the same fix.
    let run = binary::run(&home, &["export", "typo"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert!(
        run.stderr.contains("arn:aws:iam::222222222222:role/SwitchToRole"),
        "{run}"
    );
    assert!(run.stderr.contains(&at), "{run}");
}
