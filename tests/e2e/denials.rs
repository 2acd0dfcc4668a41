//! Denied AssumeRole calls: the STS code and full message, the failing hop, its role and
//! the caller surface inline, in text and in JSON.

use crate::binary::{self, check_json, direct, result};
use serde_json::Value;

const NOT_AUTHORIZED: &str = "is not authorized to perform: sts:AssumeRole";

/// Checks a denied result and returns its error object.
fn assert_denied_at<'a>(r: &'a Value, hop: usize, role_arn: &str, caller: &str) -> &'a Value {
    assert_eq!(r["status"], "denied", "{r:#}");
    assert_eq!(r["identity"], Value::Null, "{r:#}");
    let e = &r["error"];
    assert_eq!(e["hop"], hop, "{r:#}");
    assert_eq!(e["code"], "AccessDenied", "{r:#}");
    assert_eq!(e["kind"], "denied", "{r:#}");
    let caller_arn = e["caller_arn"].as_str().unwrap_or_default();
    assert!(
        caller_arn.starts_with(caller),
        "caller {caller_arn} is not {caller}…: {r:#}"
    );
    let msg = e["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains(&format!("User: {caller_arn} {NOT_AUTHORIZED}")),
        "{r:#}"
    );
    let hops = r["hops"].as_array().unwrap_or_else(|| panic!("{r:#}"));
    let failed = &hops[hop];
    assert_eq!(failed["status"], "failed", "{r:#}");
    assert_eq!(failed["kind"], "assume_role", "{r:#}");
    assert_eq!(failed["role_arn"], role_arn, "{r:#}");
    assert_eq!(failed["error"]["code"], "AccessDenied", "{r:#}");
    assert_eq!(failed["error"]["caller_arn"], caller_arn, "{r:#}");
    for earlier in &hops[..hop] {
        assert_eq!(earlier["status"], "ok", "{r:#}");
    }
    for later in &hops[hop + 1..] {
        assert_eq!(later["status"], "skipped", "{r:#}");
    }
    e
}

#[test]
fn missing_allow_explicit_deny_and_trust_policy() {
    let (stack, home) = direct();
    let (w, roles) = (&stack.world, &stack.world.roles);
    let (v, run) = check_json(&home, &["switch-to2", "forbidden", "local-admin", "switch-to"]);
    assert_eq!(run.code, 1, "{run}");
    assert_denied_at(result(&v, "switch-to2"), 1, &roles.switch_to2, &w.alice.arn);
    assert_denied_at(result(&v, "forbidden"), 1, &roles.forbidden, &w.alice.arn);
    assert_denied_at(result(&v, "local-admin"), 1, &roles.local_admin, &w.alice.arn);
    assert_eq!(result(&v, "switch-to")["status"], "ok");
    assert_eq!(
        v["summary"],
        serde_json::json!({"ok": 1, "denied": 3, "error": 0}),
        "{v:#}"
    );
}

#[test]
fn denial_deep_in_a_chain_names_hop_role_and_caller() {
    let (stack, home) = direct();
    let (v, run) = check_json(&home, &["chain-denied"]);
    assert_eq!(run.code, 1, "{run}");
    let r = result(&v, "chain-denied");
    let caller = "arn:aws:sts::222222222222:assumed-role/SwitchToRole/";
    assert_denied_at(r, 2, &stack.world.roles.switch_to2, caller);
}

#[test]
fn whoami_json_of_a_denial() {
    let (stack, home) = direct();
    let run = binary::run(&home, &["whoami", "switch-to2", "--json"]);
    assert_eq!(run.code, 1, "{run}");
    let v = run.json();
    assert_eq!(v["profile"], "switch-to2");
    assert_denied_at(&v, 1, &stack.world.roles.switch_to2, &stack.world.alice.arn);
}

#[test]
fn text_output_carries_the_full_sts_error() {
    let (stack, home) = direct();
    let run = binary::run(&home, &["check", "switch-to2", "switch-to"]);
    assert_eq!(run.code, 1, "{run}");
    let line = run.line("DENIED", "switch-to2");
    assert!(line.contains("AccessDenied"), "{line}");
    let msg = format!("User: {} {NOT_AUTHORIZED}", stack.world.alice.arn);
    assert!(line.contains(&msg), "{line}");
    assert!(
        line.contains(&stack.world.roles.switch_to2),
        "the role ARN: {line}"
    );
    let ok = run.line("OK", "switch-to");
    assert!(
        ok.contains("222222222222") && ok.contains("assumed-role/SwitchToRole/"),
        "{ok}"
    );

    let whoami = binary::run(&home, &["whoami", "chain-denied"]);
    assert_eq!(whoami.code, 1, "{whoami}");
    let all = format!("{}{}", whoami.stdout, whoami.stderr);
    assert!(all.contains("AccessDenied"), "{whoami}");
    assert!(
        all.contains("User: arn:aws:sts::222222222222:assumed-role/SwitchToRole/"),
        "{whoami}"
    );
    assert!(all.contains(&stack.world.roles.switch_to2), "{whoami}");
}
