//! The real binary on fixture configs, without network: list, errors, exit codes, help.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

#[path = "cli/process.rs"]
mod process;

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
    use clap::CommandFactory;
    let home = world("", "");
    rswitch(home.path()).arg("--help").assert().success();
    let cli = rswitch::cli::Cli::command();
    let mut seen = 0;
    for sub in cli.get_subcommands().filter(|c| !c.is_hide_set()) {
        let mut path = vec![sub.get_name().to_string()];
        let nested: Vec<String> = sub.get_subcommands().map(|c| c.get_name().to_string()).collect();
        for args in std::iter::once(path.clone()).chain(nested.into_iter().map(|n| {
            let mut p = path.clone();
            p.push(n);
            p
        })) {
            let mut args = args;
            args.push("--help".into());
            rswitch(home.path())
                .args(&args)
                .assert()
                .success()
                .stdout(predicate::str::contains("Usage: rswitch"));
            seen += 1;
        }
        path.clear();
    }
    assert!(seen >= 10, "only {seen} commands");
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

#[test]
fn credential_process_that_calls_rswitch_back_is_refused_not_looped() {
    let bin = env!("CARGO_BIN_EXE_rswitch");
    let config = format!(
        "[profile a]\ncredential_process = {bin} export b --format process\n\
         [profile b]\ncredential_process = {bin} export a --format process\n"
    );
    let home = world(&config, "");
    let assert = rswitch(home.path())
        .args(["export", "a"])
        .timeout(std::time::Duration::from_secs(60))
        .assert()
        .code(1);
    let output = assert.get_output();
    assert!(output.stdout.is_empty(), "nothing may reach stdout on failure");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("credential_process loop"), "{stderr}");
    assert!(stderr.contains("a -> b -> a"), "{stderr}");
}

#[test]
fn malformed_role_arn_is_reported_before_any_call() {
    let home = world(
        "[profile broken]\nsource_profile = alice\nrole_arn = arn:aws:iam::222222222222/SwitchToRole\n",
        CREDENTIALS,
    );
    let assert = rswitch(home.path()).args(["check", "broken"]).assert().code(1);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(
        out.contains("arn:aws:iam::222222222222:role/SwitchToRole"),
        "suggests the fix: {out}"
    );
    assert!(out.contains("config:3"), "{out}");
    assert!(out.contains("not sent to STS"), "{out}");
}

#[test]
fn demo_checks_its_world_without_any_account() {
    let home = world("", "");
    let assert = rswitch(home.path()).args(["demo", "--check"]).assert().code(1);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let line = |name: &str| {
        out.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("no {name} in\n{out}"))
            .to_string()
    };
    assert!(line("prod").starts_with("OK"), "{out}");
    assert!(line("prod").contains("assumed-role/SwitchToRole/"), "{out}");
    assert!(line("prod-from-instance").starts_with("OK"), "{out}");
    assert!(line("prod-deploy").contains("assumed-role/Deploy/"), "{out}");
    assert!(line("prod-denied-trust").starts_with("DENIED"), "{out}");
    assert!(
        line("prod-denied-trust").contains("is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role/SwitchToRole2"),
        "{out}"
    );
    assert!(
        line("broken-arn").contains("did you mean 'arn:aws:iam::222222222222:role/SwitchToRole'"),
        "{out}"
    );
    assert!(line("prod-mfa").starts_with("SKIP"), "{out}");
}

#[test]
fn demo_logs_in_to_its_portal_then_resolves_and_syncs_sso_profiles() {
    let home = world("", "");
    let bin = env!("CARGO_BIN_EXE_rswitch");
    let script = format!(
        "'{bin}' check sso-dev; echo \"before: $?\"; '{bin}' login --no-browser --no-copy && \
         '{bin}' check sso-dev sso-prod && '{bin}' sso sync --dry-run"
    );
    let assert = rswitch(home.path())
        .args(["demo", "--", "sh", "-c", &script])
        .assert()
        .code(0);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let err = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(out.contains("before: 1"), "{out}{err}");
    assert!(out.contains("not logged in"), "{out}{err}");
    assert!(err.contains("confirm the code DEMO-"), "{err}");
    assert!(err.contains("Logged in to sso-session 'demo'"), "{err}");
    let ok = |name: &str| {
        out.lines()
            .find(|l| l.starts_with("OK") && l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("{name} not OK in\n{out}{err}"))
            .to_string()
    };
    assert!(ok("sso-dev").contains(
        "111111111111 (Development)  arn:aws:sts::111111111111:assumed-role/Admin/alice@demo.example"
    ));
    assert!(
        ok("sso-prod")
            .contains("222222222222 (Production)  arn:aws:sts::222222222222:assumed-role/ReadOnly/")
    );
    assert!(out.contains("+[profile Production/Deploy]"), "{out}");
}

#[test]
fn demo_runs_a_command_inside_its_world() {
    let home = world("", "");
    let bin = env!("CARGO_BIN_EXE_rswitch");
    let assert = rswitch(home.path())
        .args(["demo", "--", bin, "doctor", "prod-denied-trust", "--json"])
        .assert()
        .code(1);
    let json: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).expect("doctor json");
    let text = json.to_string();
    assert!(
        text.contains("arn:aws:iam::222222222222:role/SwitchToRole2"),
        "{text}"
    );
    assert!(text.contains("arn:aws:iam::111111111111:user/alice"), "{text}");
}

#[test]
fn foreign_cache_entries_with_huge_expirations_do_not_panic() {
    let home = world(CONFIG, CREDENTIALS);
    let cache = rswitch::cache::Cache::new(home.path().join(".aws/cli/cache"));
    let key = rswitch::cache::CacheKey::for_role(
        "arn:aws:iam::222222222222:role/SwitchToRole",
        None,
        None,
        None,
        None,
    );
    std::fs::create_dir_all(cache.dir()).expect("cache dir");
    for expiration in ["1e20", "\"1e19\""] {
        std::fs::write(
            cache.path(&key),
            format!(
                r#"{{"Credentials": {{"AccessKeyId": "ASIAX", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": {expiration}}}, "AssumedRoleUser": {{"AssumedRoleId": "AROA:x", "Arn": "arn:aws:sts::222222222222:assumed-role/SwitchToRole/x"}}}}"#
            ),
        )
        .expect("entry");
        for command in [&["whoami", "prod"][..], &["export", "prod"], &["check", "prod"]] {
            let assert = rswitch(home.path())
                .args(command)
                .args(["--timeout", "2"])
                .assert()
                .code(1);
            let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
            assert!(!stderr.contains("panicked"), "{command:?} {expiration}: {stderr}");
        }
    }
}

/// `lint`, `list` and resolution take a profile's problem from the same plan, so each
/// one is shown once, in the same words.
#[test]
fn a_problem_is_reported_once_in_the_same_words() {
    let home = world(
        "[profile orphan]\nrole_arn = arn:aws:iam::222222222222:role/Orphan\n",
        "",
    );
    let words = "profile 'orphan': role_arn is set but neither source_profile nor credential_source is";
    let run = |args: &[&str]| {
        let out = rswitch(home.path()).args(args).output().expect("run");
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    for args in [&["lint"][..], &["list"], &["whoami", "orphan"]] {
        let out = run(args);
        assert_eq!(out.matches(words).count(), 1, "{args:?}: {out}");
        assert!(out.contains("config:2"), "{args:?}: {out}");
    }
    let lint = run(&["lint"]);
    assert!(
        lint.contains("error[role-without-source]"),
        "the code comes with the plan's words: {lint}"
    );
}

/// What the AWS CLI refuses, `lint` reports and resolution refuses, naming the profile
/// and the file and line; nothing is resolved through the default chain instead.
#[test]
fn lint_and_resolution_refuse_what_the_aws_cli_refuses() {
    let config = "\
[profile via-bare]
role_arn = arn:aws:iam::222222222222:role/R
source_profile = bare

[profile bare]
region = us-west-2

[profile sso-no-url]
sso_account_id = 111111111111
sso_role_name = Admin

[profile sso-odd]
sso_session = corp
sso_start_url = https://other.awsapps.com/start
sso_account_id = 111111111111
sso_role_name = Admin

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
";
    let home = world(config, "");
    let lint = rswitch(home.path()).arg("lint").assert().code(1);
    let lint = String::from_utf8_lossy(&lint.get_output().stdout).into_owned();
    for (profile, code, line, words) in [
        (
            "via-bare",
            "source-without-credentials",
            3,
            "source_profile 'bare' has no credentials",
        ),
        (
            "sso-no-url",
            "incomplete-sso",
            9,
            "sso_start_url, sso_region are missing",
        ),
        (
            "sso-odd",
            "sso-session-conflict",
            14,
            "differs from 'https://corp.awsapps.com/start'",
        ),
    ] {
        assert!(
            lint.contains(&format!(
                "error[{code}] {}:{line}: profile '{profile}': ",
                home.path().join("config").display()
            )),
            "{profile}: {lint}"
        );
        assert!(lint.contains(words), "{profile}: {lint}");
        rswitch(home.path())
            .args(["export", profile])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains(words))
            .stderr(predicate::str::contains(format!("config:{line}")));
    }
    // The requested profile without credentials keeps the AWS CLI's default chain.
    assert!(!lint.contains(": profile 'bare':"), "{lint}");

    // A line the AWS CLI cannot parse: every profile is refused, naming the line.
    let home = world(
        "[default]\n= us-east-1\n[profile p]\ncredential_process = true\n",
        "",
    );
    for profile in ["default", "p"] {
        rswitch(home.path())
            .args(["export", profile])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains(format!("profile '{profile}'")))
            .stderr(predicate::str::contains("config:2"))
            .stderr(predicate::str::contains("the AWS CLI refuses the whole file"));
    }
}

#[test]
fn demo_prints_a_console_sign_in_url() {
    let home = world("", "");
    let bin = env!("CARGO_BIN_EXE_rswitch");
    let assert = rswitch(home.path())
        .args(["demo", "--", bin, "console", "prod", "--print"])
        .assert()
        .code(0);
    let out = assert.get_output();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].starts_with("http://127.0.0.1:"), "{stdout}");
    assert!(lines[0].contains("/federation?Action=login&Issuer=rswitch&Destination=https%3A%2F%2Feu-west-1.console.aws.amazon.com%2F"), "{stdout}");
    assert!(lines[0].contains("&SigninToken="), "{stdout}");
    assert!(
        stderr.contains("prod as arn:aws:sts::222222222222:assumed-role/SwitchToRole/"),
        "{stderr}"
    );
    assert!(!stderr.contains("SigninToken"), "{stderr}");
}

#[test]
fn a_fifo_or_dev_zero_at_a_cache_entry_neither_hangs_nor_exhausts_export() {
    let home = world(CONFIG, CREDENTIALS);
    let cache = rswitch::cache::Cache::new(home.path().join(".aws/cli/cache"));
    let key = rswitch::cache::CacheKey::for_role(
        "arn:aws:iam::222222222222:role/SwitchToRole",
        None,
        None,
        None,
        None,
    );
    std::fs::create_dir_all(cache.dir()).expect("cache dir");
    let status = std::process::Command::new("mkfifo")
        .arg(cache.path(&key))
        .status()
        .expect("mkfifo");
    assert!(status.success());
    for planted in ["a FIFO", "a symbolic link out of"] {
        let started = std::time::Instant::now();
        let assert = rswitch(home.path())
            .args(["export", "prod", "--timeout", "2"])
            .timeout(std::time::Duration::from_secs(30))
            .assert()
            .code(1);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
        assert!(stderr.contains("skipping cache file"), "{stderr}");
        assert!(stderr.contains(&format!("it is {planted}")), "{stderr}");
        std::fs::remove_file(cache.path(&key)).expect("remove");
        std::os::unix::fs::symlink("/dev/zero", cache.path(&key)).expect("symlink");
    }
}
