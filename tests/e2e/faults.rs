//! The network misbehaving, through the fault-injecting proxy: retries that succeed,
//! resets, a hung endpoint, and one shared hop resolved once for many profiles.

use crate::binary::{self, check_json, result, world_home};
use crate::support::{self, Fault, Home, Proxy, Stack};
use std::time::Duration;

fn proxied() -> (&'static Stack, Proxy, Home) {
    let stack = support::shared();
    let proxy = Proxy::start(stack.endpoint());
    let home = world_home(stack, &proxy.url());
    (stack, proxy, home)
}

#[test]
fn throttling_is_retried_to_success() {
    let (stack, proxy, home) = proxied();
    proxy.fail_next_action("AssumeRole", 2, Fault::Throttle);
    let (v, run) = check_json(&home, &["switch-to"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(result(&v, "switch-to")["status"], "ok");
    let n = proxy.assume_count(&stack.world.roles.switch_to);
    assert!(
        n >= 3,
        "2 throttled answers, then success: {n} requests, {:?}",
        proxy.seen()
    );
}

#[test]
fn server_errors_are_retried_to_success() {
    let (stack, proxy, home) = proxied();
    proxy.fail_next_action("AssumeRole", 1, Fault::InternalError);
    proxy.fail_next_action("AssumeRole", 1, Fault::Unavailable);
    let run = binary::run(&home, &["check", "switch-to"]);
    assert_eq!(run.code, 0, "{run}");
    run.line("OK", "switch-to");
    assert!(
        proxy.assume_count(&stack.world.roles.switch_to) >= 3,
        "{:?}",
        proxy.seen()
    );
}

#[test]
fn one_reset_is_retried_and_constant_resets_are_a_network_error() {
    let (stack, proxy, home) = proxied();
    proxy.fail_next_action("AssumeRole", 1, Fault::Reset);
    let run = binary::run(&home, &["check", "switch-to"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        proxy.assume_count(&stack.world.roles.switch_to) >= 2,
        "{:?}",
        proxy.seen()
    );

    proxy.fail_always(Some(Fault::Reset));
    // The first run cached the role; only a fresh call can meet the resets.
    let (v, run) = check_json(&home, &["--no-cache", "switch-to"]);
    assert_eq!(run.code, 1, "{run}");
    let r = result(&v, "switch-to");
    assert_eq!(r["status"], "error", "{r:#}");
    assert_eq!(r["error"]["kind"], "network", "{r:#}");
    assert!(
        r["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{r:#}"
    );
}

#[test]
fn hung_endpoint_times_out_inline() {
    let (_, proxy, home) = proxied();
    proxy.fail_always(Some(Fault::Hang));
    let run = binary::run(&home, &["check", "switch-to", "alice"]);
    assert!(run.elapsed < Duration::from_secs(15), "took too long: {run}");
    assert_eq!(run.code, 1, "{run}");
    let line = run.line("ERROR", "switch-to");
    assert!(line.contains("timed out after"), "{line}");

    let (v, run) = check_json(&home, &["switch-to"]);
    assert!(run.elapsed < Duration::from_secs(15), "took too long: {run}");
    let r = result(&v, "switch-to");
    assert_eq!(r["status"], "error", "{r:#}");
    assert_eq!(r["error"]["kind"], "timeout", "{r:#}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("timed out after")
    );
}

#[test]
fn shared_source_hop_is_resolved_once_for_all() {
    let stack = support::shared();
    let proxy = Proxy::start(stack.endpoint());
    let url = proxy.url();
    let r = &stack.world.roles;
    let home = Home::new();
    let mut config = format!(
        "[profile alice]\nregion = us-east-1\nendpoint_url = {url}\n\n\
         [profile hub]\nrole_arn = {}\nsource_profile = alice\nregion = us-east-1\nendpoint_url = {url}\n\n",
        r.switch_to
    );
    for i in 0..20 {
        config += &format!(
            "[profile deploy-{i:02}]\nrole_arn = {}\nsource_profile = hub\nrole_session_name = deploy-{i:02}\n\
             region = us-east-1\nendpoint_url = {url}\n\n",
            r.deploy
        );
    }
    home.config(&config);
    let a = &stack.world.alice;
    home.credentials(&format!(
        "[alice]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        a.access_key_id, a.secret_access_key
    ));
    let run = binary::run(&home, &["check", "--all", "--json", "--concurrency", "4"]);
    assert_eq!(run.code, 0, "{run}");
    let v = run.json();
    assert_eq!(
        v["summary"],
        serde_json::json!({"ok": 22, "denied": 0, "error": 0}),
        "{v:#}"
    );
    for i in 0..20 {
        let d = result(&v, &format!("deploy-{i:02}"));
        let arn = d["identity"]["arn"].as_str().unwrap_or_default();
        assert_eq!(
            arn,
            format!("arn:aws:sts::222222222222:assumed-role/Deploy/deploy-{i:02}")
        );
    }
    assert_eq!(proxy.assume_count(&r.switch_to), 1, "{:?}", proxy.counts());
    assert_eq!(proxy.assume_count(&r.deploy), 20, "{:?}", proxy.counts());
}
