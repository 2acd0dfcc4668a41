//! The rest of the CLI contract: `list` without network, loops reported with their
//! place in the file, and exit codes.

use crate::binary::{self, check_json, direct, line_of, result};
use crate::support::{self, Fault, Proxy};
use serde_json::Value;

#[test]
fn list_needs_no_network_and_shows_every_profile() {
    let stack = support::shared();
    let proxy = Proxy::start(stack.endpoint());
    proxy.fail_always(Some(Fault::Hang));
    let home = binary::world_home(stack, &proxy.url());
    let mut config = std::fs::read_to_string(home.config_path()).expect("config");
    config += "[profile bad-arn]\nrole_arn = not-an-arn\nsource_profile = alice\n";
    home.config(&config);
    let config_path = home.config_path().display().to_string();

    let run = binary::run(&home, &["list", "--json"]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.elapsed.as_secs() < 10, "{run}");
    assert_eq!(proxy.total(), 0, "list must not call STS: {:?}", proxy.counts());
    let v = run.json();
    let items = v
        .as_array()
        .or_else(|| v["profiles"].as_array())
        .unwrap_or_else(|| panic!("no profile list: {v:#}"));
    let names: Vec<&str> = items.iter().filter_map(|p| p["name"].as_str()).collect();
    for name in [
        "alice",
        "switch-to",
        "deploy",
        "instance",
        "carol",
        "self-ref",
        "bad-arn",
    ] {
        assert!(names.contains(&name), "{name} missing from {names:?}");
    }
    let item = |name: &str| items.iter().find(|p| p["name"] == name).expect("listed");
    let deploy = item("deploy");
    assert_eq!(deploy["region"], "eu-west-1", "{deploy:#}");
    assert_eq!(
        deploy["chain"],
        serde_json::json!(["alice", "switch-to", "deploy"]),
        "{deploy:#}"
    );
    assert!(deploy["kind"].is_string(), "{deploy:#}");
    let at = format!(
        "{config_path}:{}",
        line_of(&home.config_path(), "[profile deploy]")
    );
    assert!(deploy.to_string().contains(&at), "{at} not in {deploy:#}");
    let bad = item("bad-arn");
    let findings: Vec<&Value> = bad
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| k.contains("lint") || k.contains("finding"))
        .flat_map(|(_, v)| v.as_array().into_iter().flatten())
        .collect();
    assert!(
        !findings.is_empty(),
        "a malformed role_arn is a lint finding: {bad:#}"
    );
    assert!(
        findings
            .iter()
            .any(|f| f.to_string().contains("not-an-arn") || f.to_string().contains("role_arn"))
    );

    let text = binary::run(&home, &["list"]);
    assert_eq!(text.code, 0, "{text}");
    for name in ["alice", "switch-to", "deploy", "carol", "bad-arn"] {
        assert!(text.stdout.lines().any(|l| l.contains(name)), "{name}: {text}");
    }
    assert_eq!(proxy.total(), 0, "list must not call STS: {:?}", proxy.counts());
}

#[test]
fn source_profile_cycle_is_an_error_with_file_and_line() {
    let (stack, home) = direct();
    let mut config = std::fs::read_to_string(home.config_path()).expect("config");
    for (p, src) in [("a", "b"), ("b", "a")] {
        config += &format!(
            "[profile {p}]\nrole_arn = {}\nsource_profile = {src}\nendpoint_url = {}\n\n",
            stack.world.roles.switch_to,
            stack.endpoint()
        );
    }
    home.config(&config);
    let run = binary::run(&home, &["check", "a", "switch-to"]);
    assert_eq!(run.code, 1, "{run}");
    let line = run.line("ERROR", "a");
    assert!(line.contains("a -> b -> a"), "{line}");
    let config_path = home.config_path().display().to_string();
    assert!(line.contains(&format!("{config_path}:")), "{line}");
    run.line("OK", "switch-to");

    let (v, run) = check_json(&home, &["a"]);
    assert_eq!(run.code, 1, "{run}");
    let r = result(&v, "a");
    assert_eq!(r["status"], "error", "{r:#}");
    assert_eq!(r["error"]["kind"], "config", "{r:#}");
    assert!(
        r["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("a -> b -> a"),
        "{r:#}"
    );
}

#[test]
fn exit_codes() {
    let (_, home) = direct();
    let ok = binary::run(&home, &["check", "alice", "switch-to", "deploy"]);
    assert_eq!(ok.code, 0, "{ok}");
    for p in ["alice", "switch-to", "deploy"] {
        ok.line("OK", p);
    }
    let failed = binary::run(&home, &["check", "alice", "switch-to2"]);
    assert_eq!(failed.code, 1, "{failed}");
    for bad in [
        &["check", "--no-such-flag"][..],
        &["check", "--concurrency", "many", "alice"],
        &["no-such-command"],
    ] {
        let run = binary::run(&home, bad);
        assert_eq!(run.code, 2, "{bad:?}: {run}");
        assert!(run.stdout.is_empty(), "usage errors go to stderr: {run}");
    }
}
