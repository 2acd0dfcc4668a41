//! The real binary on fixture configs, without network: list, errors, exit codes, help.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn rswitch(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("rswitch").expect("binary");
    cmd.env_clear()
        .env("HOME", home)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        // Anything that would reach out must fail fast and locally.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9");
    cmd
}

fn world(config: &str, credentials: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("config"), config).expect("write config");
    std::fs::write(dir.path().join("credentials"), credentials).expect("write credentials");
    dir
}

const CONFIG: &str = "\
[profile SwitchFromRole]
credential_source = Ec2InstanceMetadata
role_arn = arn:aws:iam::111111111111:role/SwitchFromRole
region = ap-northeast-1

[profile prod]
source_profile = alice
role_arn = arn:aws:iam::222222222222:role/SwitchToRole
region = eu-west-1

[profile loop-a]
source_profile = loop-b
role_arn = arn:aws:iam::222222222222:role/A

[profile loop-b]
source_profile = loop-a
role_arn = arn:aws:iam::222222222222:role/B

[profile dangling]
source_profile = nobody
role_arn = arn:aws:iam::222222222222:role/C
";

const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

#[test]
fn list_shows_every_profile_with_kind_chain_and_location() {
    let home = world(CONFIG, CREDENTIALS);
    let out = rswitch(home.path())
        .arg("list")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).expect("utf8");
    let line = |name: &str| {
        out.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no line for {name} in\n{out}"))
            .to_string()
    };
    assert!(line("prod").contains("alice -> prod"), "{out}");
    assert!(line("prod").contains("eu-west-1"), "{out}");
    assert!(line("prod").contains("config:6"), "{out}");
    assert!(line("alice").contains("static"), "{out}");
    assert!(line("alice").contains("credentials:1"), "{out}");
    assert!(line("SwitchFromRole").contains("role (ec2-imds)"), "{out}");
    assert!(
        out.contains("loop-a -> loop-b -> loop-a") || out.contains("loop-b -> loop-a -> loop-b"),
        "{out}"
    );
    assert!(out.contains("source_profile 'nobody' does not exist"), "{out}");
    // Secrets never appear in a listing.
    assert!(!out.contains("wJalrXUtnFEMI"), "{out}");
}

#[test]
fn list_json_has_a_stable_shape() {
    let home = world(CONFIG, CREDENTIALS);
    let out = rswitch(home.path())
        .args(["list", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let profiles = json["profiles"].as_array().expect("profiles array");
    let prod = profiles.iter().find(|p| p["name"] == "prod").expect("prod");
    assert_eq!(prod["kind"], "role");
    assert_eq!(prod["source"], "static");
    assert_eq!(prod["chain"], serde_json::json!(["alice", "prod"]));
    assert_eq!(prod["region"], "eu-west-1");
    assert!(prod["location"].as_str().expect("location").ends_with("config:6"));
    assert!(prod["error"].is_null());
    assert!(prod["findings"].is_array());
    let dangling = profiles
        .iter()
        .find(|p| p["name"] == "dangling")
        .expect("dangling");
    assert_eq!(dangling["kind"], "invalid");
    assert!(dangling["error"].as_str().expect("error").contains("nobody"));
    assert!(!String::from_utf8_lossy(&out).contains("wJalrXUtnFEMI"));
}

#[test]
fn list_names_prints_only_names() {
    let home = world(CONFIG, CREDENTIALS);
    rswitch(home.path())
        .args(["list", "--names"])
        .assert()
        .success()
        .stdout("SwitchFromRole\nalice\ndangling\nloop-a\nloop-b\nprod\n");
}

#[test]
fn check_reports_config_errors_per_profile_and_exits_1() {
    let home = world(CONFIG, CREDENTIALS);
    let assert = rswitch(home.path())
        .args(["check", "loop-a", "dangling"])
        .assert()
        .code(1);
    let out = String::from_utf8(assert.get_output().stdout.clone()).expect("utf8");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines[0].starts_with("ERROR   loop-a"), "{out}");
    assert!(lines[0].contains("loop-a -> loop-b -> loop-a"), "{out}");
    assert!(lines[0].contains("config:"), "{out}");
    assert!(lines[1].starts_with("ERROR   dangling"), "{out}");
    assert!(
        lines[1].contains("source_profile 'nobody' does not exist"),
        "{out}"
    );
}

#[test]
fn unknown_profile_is_an_error_naming_both_files() {
    let home = world(CONFIG, CREDENTIALS);
    rswitch(home.path())
        .args(["whoami", "nope"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("profile 'nope' not found"))
        .stdout(predicate::str::contains("config"));
}

#[test]
fn usage_errors_exit_2() {
    let home = world(CONFIG, CREDENTIALS);
    rswitch(home.path())
        .args(["check", "--concurrency", "0"])
        .assert()
        .code(2);
    rswitch(home.path()).args(["whoami"]).assert().code(2);
    rswitch(home.path()).args(["frobnicate"]).assert().code(2);
}

#[test]
fn every_command_has_help() {
    let home = world("", "");
    let out = rswitch(home.path())
        .arg("--help")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let help = String::from_utf8(out).expect("utf8");
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(commands.len() >= 3, "{help}");
    for command in commands {
        rswitch(home.path())
            .args([command.as_str(), "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("Usage: rswitch"));
    }
}

#[test]
fn missing_files_are_not_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    rswitch(dir.path())
        .arg("list")
        .assert()
        .success()
        .stderr(predicate::str::contains("no profiles found"));
}
