//! The credential cache seen from outside, through the counting proxy: a warm `export`
//! costs no STS call, the files are the AWS CLI's own (botocore's key, reused by `aws`),
//! `--no-cache`, `cache clear`, corrupt and rejected entries.

use crate::binary::{self, world_home};
use crate::handover::{DEPLOY_SESSION, parse_env_export, run_program};
use crate::support::{self, Fault, Home, Proxy, Stack};
use serde_json::Value;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

fn proxied() -> (&'static Stack, Proxy, Home) {
    let stack = support::shared();
    let proxy = Proxy::start(stack.endpoint());
    let home = world_home(stack, &proxy.url());
    (stack, proxy, home)
}

pub fn cache_dir(home: &Home) -> PathBuf {
    home.path().join(".aws/cli/cache")
}

/// The cache file botocore itself names for an AssumeRole with `RoleArn` and `extra`
/// (the other AssumeRole arguments a profile configures), computed by botocore.
fn botocore_file(role_arn: &str, extra: &Value) -> String {
    let script = "import json, sys\n\
                  from botocore.credentials import AssumeRoleCredentialFetcher as F\n\
                  f = F(client_creator=None, source_credentials=None, role_arn=sys.argv[1], \
                  extra_args=json.loads(sys.argv[2]))\n\
                  print(f._create_cache_key())";
    let out = std::process::Command::new(support::venv_bin("python"))
        .args(["-c", script, role_arn, &extra.to_string()])
        .output()
        .expect("run python");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    format!("{}.json", String::from_utf8_lossy(&out.stdout).trim())
}

/// The `*.json` entries directly in the cache directory, sorted.
pub fn entries(home: &Home) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(cache_dir(home))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".json"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

pub fn read_entry(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON ({e}): {text}", path.display()))
}

pub fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

/// `export PROFILE` must succeed; returns its variables.
fn export(home: &Home, args: &[&str]) -> std::collections::BTreeMap<String, Option<String>> {
    let run = binary::run(home, args);
    assert_eq!(run.code, 0, "{run}");
    parse_env_export(&run.stdout)
}

fn key_id(vars: &std::collections::BTreeMap<String, Option<String>>) -> String {
    vars.get("AWS_ACCESS_KEY_ID")
        .cloned()
        .flatten()
        .expect("AWS_ACCESS_KEY_ID exported")
}

#[test]
fn warm_export_makes_no_sts_call_and_the_aws_cli_reuses_the_entries() {
    let (stack, proxy, home) = proxied();
    let roles = &stack.world.roles;
    let first = export(&home, &["export", "deploy"]);
    assert_eq!(proxy.assume_count(&roles.switch_to), 1, "{:?}", proxy.seen());
    assert_eq!(proxy.assume_count(&roles.deploy), 1, "{:?}", proxy.seen());

    let (to, deploy) = (
        botocore_file(&roles.switch_to, &serde_json::json!({})),
        botocore_file(&roles.deploy, &serde_json::json!({})),
    );
    let mut want = vec![to.clone(), deploy.clone()];
    want.sort();
    assert_eq!(
        entries(&home),
        want,
        "one entry per hop, named as botocore names them"
    );
    assert_eq!(mode(&cache_dir(&home)), 0o700);
    assert_eq!(mode(&home.path().join(".aws/cli")), 0o700);
    for name in &want {
        assert_eq!(mode(&cache_dir(&home).join(name)), 0o600, "{name}");
    }
    let entry = read_entry(&cache_dir(&home).join(&deploy));
    assert_eq!(entry["Credentials"]["AccessKeyId"], key_id(&first).as_str());
    let deploy_arn = entry["AssumedRoleUser"]["Arn"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(deploy_arn.starts_with(DEPLOY_SESSION), "{entry:#}");

    proxy.reset();
    let second = export(&home, &["export", "deploy"]);
    assert_eq!(proxy.total(), 0, "a warm export calls STS: {:?}", proxy.seen());
    assert_eq!(key_id(&second), key_id(&first));

    // The AWS CLI finds rswitch's entry under its own key: with every request to the
    // profile's STS endpoint reset, `--profile deploy` still works, and the only call is
    // the command's own, sent to moto directly.
    proxy.fail_always(Some(Fault::Reset));
    let aws = support::venv_bin("aws").display().to_string();
    let args = [
        "sts",
        "get-caller-identity",
        "--profile",
        "deploy",
        "--endpoint-url",
        stack.endpoint(),
        "--output",
        "json",
    ];
    let run = run_program(&home, &aws, &args, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(proxy.total(), 0, "the AWS CLI assumed a role: {:?}", proxy.seen());
    assert_eq!(crate::handover::caller_identity(&run)["Arn"], deploy_arn.as_str());

    // The control: without Deploy's entry the AWS CLI does assume it, through the
    // profile's endpoint (the proxy), from the first hop's entry rswitch wrote.
    std::fs::remove_file(cache_dir(&home).join(&deploy)).expect("remove Deploy's entry");
    proxy.fail_always(None);
    let run = run_program(&home, &aws, &args, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(proxy.assume_count(&roles.deploy), 1, "{:?}", proxy.seen());
    assert_eq!(proxy.assume_count(&roles.switch_to), 0, "{:?}", proxy.seen());
    let signer = proxy
        .seen()
        .into_iter()
        .find(|r| r.action == "AssumeRole")
        .and_then(|r| r.access_key);
    let first_hop = read_entry(&cache_dir(&home).join(&to));
    assert_eq!(
        first_hop["Credentials"]["AccessKeyId"].as_str(),
        signer.as_deref()
    );
}

#[test]
fn no_cache_calls_sts_and_writes_nothing() {
    let (stack, proxy, home) = proxied();
    let roles = &stack.world.roles;
    export(&home, &["--no-cache", "export", "deploy"]);
    assert_eq!(proxy.assume_count(&roles.switch_to), 1, "{:?}", proxy.seen());
    assert_eq!(proxy.assume_count(&roles.deploy), 1, "{:?}", proxy.seen());
    assert_eq!(entries(&home), Vec::<String>::new());

    let cached = export(&home, &["export", "deploy"]);
    let before: Vec<Vec<u8>> = entries(&home)
        .iter()
        .map(|n| std::fs::read(cache_dir(&home).join(n)).expect("entry"))
        .collect();
    proxy.reset();
    let fresh = export(&home, &["--no-cache", "export", "deploy"]);
    assert_eq!(proxy.assume_count(&roles.switch_to), 1, "{:?}", proxy.seen());
    assert_eq!(proxy.assume_count(&roles.deploy), 1, "{:?}", proxy.seen());
    assert_ne!(
        key_id(&fresh),
        key_id(&cached),
        "a new session, not the cached one"
    );
    let after: Vec<Vec<u8>> = entries(&home)
        .iter()
        .map(|n| std::fs::read(cache_dir(&home).join(n)).expect("entry"))
        .collect();
    assert_eq!(before, after, "--no-cache changed the cache");
}

#[test]
fn cache_clear_removes_only_that_profiles_hops() {
    let (stack, proxy, home) = proxied();
    let roles = &stack.world.roles;
    export(&home, &["export", "deploy"]);
    export(&home, &["export", "ext-id"]);
    let ext = botocore_file(
        &roles.external_id,
        &serde_json::json!({"ExternalId": stack.world.external_id}),
    );
    assert_eq!(entries(&home).len(), 3, "{:?}", entries(&home));
    assert!(entries(&home).contains(&ext), "{:?}", entries(&home));

    let run = binary::run(&home, &["cache", "clear", "deploy"]);
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert!(
        run.stderr.contains("removed 2 cached credential file(s)"),
        "{run}"
    );
    assert_eq!(entries(&home), vec![ext]);

    proxy.reset();
    export(&home, &["export", "ext-id"]);
    assert_eq!(proxy.total(), 0, "ext-id is still cached: {:?}", proxy.seen());
    export(&home, &["export", "deploy"]);
    assert_eq!(proxy.count("AssumeRole"), 2, "{:?}", proxy.seen());
}

#[test]
fn corrupt_entry_is_ignored_and_replaced() {
    let (stack, proxy, home) = proxied();
    let roles = &stack.world.roles;
    export(&home, &["export", "deploy"]);
    let path = cache_dir(&home).join(botocore_file(&roles.deploy, &serde_json::json!({})));
    std::fs::write(&path, "{\"Credentials\": {\"AccessKeyId\": ").expect("corrupt the entry");

    proxy.reset();
    let vars = export(&home, &["export", "deploy"]);
    assert_eq!(proxy.assume_count(&roles.switch_to), 0, "{:?}", proxy.seen());
    assert_eq!(proxy.assume_count(&roles.deploy), 1, "{:?}", proxy.seen());
    let entry = read_entry(&path);
    assert_eq!(entry["Credentials"]["AccessKeyId"], key_id(&vars).as_str());
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn rejected_cached_hop_is_evicted_and_assumed_again_once() {
    let (stack, proxy, home) = proxied();
    let roles = &stack.world.roles;
    export(&home, &["export", "switch-to"]);
    let first_hop = cache_dir(&home).join(botocore_file(&roles.switch_to, &serde_json::json!({})));
    // An entry STS no longer accepts (revoked early), far from expiring.
    let mut entry = read_entry(&first_hop);
    entry["Credentials"]["AccessKeyId"] = "ASIABOGUSBOGUSBOGUS1".into();
    entry["Credentials"]["Expiration"] = "2099-01-01T00:00:00Z".into();
    std::fs::write(&first_hop, entry.to_string()).expect("write the entry");

    proxy.reset();
    let vars = export(&home, &["export", "deploy"]);
    let seen = proxy.seen();
    let deploy_calls: Vec<_> = seen
        .iter()
        .filter(|r| r.action == "AssumeRole" && r.role_arn.as_deref() == Some(&*roles.deploy))
        .collect();
    assert_eq!(
        deploy_calls.len(),
        2,
        "once with the rejected key, once after re-assuming: {seen:?}"
    );
    assert_eq!(
        deploy_calls[0].access_key.as_deref(),
        Some("ASIABOGUSBOGUSBOGUS1"),
        "{seen:?}"
    );
    assert_ne!(
        deploy_calls[1].access_key.as_deref(),
        Some("ASIABOGUSBOGUSBOGUS1"),
        "{seen:?}"
    );
    assert_eq!(proxy.assume_count(&roles.switch_to), 1, "{seen:?}");
    let replaced = read_entry(&first_hop);
    assert_ne!(
        replaced["Credentials"]["AccessKeyId"], "ASIABOGUSBOGUSBOGUS1",
        "the rejected entry was replaced"
    );
    assert_eq!(
        replaced["Credentials"]["AccessKeyId"].as_str(),
        deploy_calls[1].access_key.as_deref()
    );
    let deploy = read_entry(&cache_dir(&home).join(botocore_file(&roles.deploy, &serde_json::json!({}))));
    assert_eq!(deploy["Credentials"]["AccessKeyId"], key_id(&vars).as_str());
}
