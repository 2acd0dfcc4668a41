//! Handing credentials over, through the real binary against the moto world: `export`
//! evaluated by real bash and fish and then used by the real AWS CLI, `--format process`
//! as the AWS CLI's `credential_process`, `exec`, and `shell` in a real terminal.

use crate::binary::{self, Run, direct};
use crate::support::{self, Home, Tty};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The assumed-role ARN prefix of every Deploy session.
pub const DEPLOY_SESSION: &str = "arn:aws:sts::222222222222:assumed-role/Deploy/";

/// The binary under test.
pub fn rswitch() -> &'static str {
    env!("CARGO_BIN_EXE_rswitch")
}

/// PATH for shells and commands the tests start: rswitch's directory, the venv (`aws`),
/// the system.
pub fn path_var() -> String {
    let bin = Path::new(rswitch()).parent().expect("the binary's directory");
    format!(
        "{}:{}:/usr/local/bin:/usr/bin:/bin",
        bin.display(),
        support::venv().join("bin").display()
    )
}

/// What a user's shell would hold: the test HOME's variables and that PATH.
pub fn shell_env(home: &Home) -> Vec<(String, String)> {
    let mut env = home.env();
    env.push(("PATH".into(), path_var()));
    env
}

/// Runs `program args…` with only [`shell_env`] plus `extra`.
pub fn run_program(home: &Home, program: &str, args: &[&str], extra: &[(&str, &str)]) -> Run {
    let start = Instant::now();
    let out = Command::new(program)
        .args(args)
        .env_clear()
        .envs(shell_env(home))
        .envs(extra.iter().copied())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

/// `export` text (format `env`) read back: every line must be `unset NAME` or
/// `export NAME='value'`, or the test fails; unset names map to `None`.
pub fn parse_env_export(text: &str) -> BTreeMap<String, Option<String>> {
    let name_ok = |n: &str| !n.is_empty() && n.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    let mut vars = BTreeMap::new();
    for line in text.lines() {
        if let Some(name) = line.strip_prefix("unset ") {
            assert!(name_ok(name), "not export text: {line:?}\n{text}");
            vars.insert(name.to_string(), None);
        } else if let Some((name, quoted)) = line.strip_prefix("export ").and_then(|r| r.split_once('=')) {
            let value = quoted
                .strip_prefix('\'')
                .and_then(|v| v.strip_suffix('\''))
                .filter(|v| !v.contains('\''));
            assert!(
                name_ok(name) && value.is_some(),
                "not export text: {line:?}\n{text}"
            );
            vars.insert(name.to_string(), value.map(str::to_string));
        } else {
            panic!("stdout holds a line that is not export text: {line:?}\n{text}");
        }
    }
    vars
}

/// The one JSON object `aws sts get-caller-identity --output json` printed at the end of
/// `stdout` (after any lines the script printed first).
pub fn caller_identity(run: &Run) -> Value {
    let start = run
        .stdout
        .find('{')
        .unwrap_or_else(|| panic!("no JSON from aws:\n{run}"));
    serde_json::from_str(&run.stdout[start..]).unwrap_or_else(|e| panic!("aws printed no JSON ({e}):\n{run}"))
}

fn arn_of(identity: &Value) -> &str {
    identity["Arn"].as_str().unwrap_or_default()
}

#[test]
fn export_evaluated_by_bash_and_fish_is_the_deploy_session_for_the_aws_cli() {
    let (stack, home) = direct();
    // AWS_PROFILE in the parent must be gone after the export, or tools would use it.
    let extra = [("AWS_PROFILE", "alice"), ("AWS_ENDPOINT_URL", stack.endpoint())];
    let bash = r#"set -e
eval "$(rswitch export deploy)"
echo "profile=${AWS_PROFILE-unset} rswitch=$RSWITCH_PROFILE region=$AWS_REGION"
aws sts get-caller-identity --output json"#;
    let run = run_program(&home, "bash", &["--norc", "--noprofile", "-c", bash], &extra);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        run.stdout
            .starts_with("profile=unset rswitch=deploy region=eu-west-1\n"),
        "{run}"
    );
    let who = caller_identity(&run);
    assert!(arn_of(&who).starts_with(DEPLOY_SESSION), "{who:#}");
    assert_eq!(who["Account"], "222222222222", "{who:#}");

    let fish = r#"rswitch export deploy --format fish | source
if set -q AWS_PROFILE; echo "profile=$AWS_PROFILE"; else; echo "profile=unset rswitch=$RSWITCH_PROFILE"; end
aws sts get-caller-identity --output json"#;
    let run = run_program(&home, "fish", &["--no-config", "-c", fish], &extra);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.starts_with("profile=unset rswitch=deploy\n"), "{run}");
    let who = caller_identity(&run);
    assert!(arn_of(&who).starts_with(DEPLOY_SESSION), "{who:#}");
}

#[test]
fn export_prints_only_export_text_and_nothing_when_denied() {
    let (stack, home) = direct();
    let run = binary::run(&home, &["export", "deploy"]);
    assert_eq!(run.code, 0, "{run}");
    let vars = parse_env_export(&run.stdout);
    let get = |k: &str| vars.get(k).cloned().flatten().unwrap_or_default();
    assert!(get("AWS_ACCESS_KEY_ID").starts_with("ASIA"), "{run}");
    assert!(!get("AWS_SECRET_ACCESS_KEY").is_empty(), "{run}");
    assert!(!get("AWS_SESSION_TOKEN").is_empty(), "{run}");
    binary::assert_rfc3339(&Value::String(get("AWS_CREDENTIAL_EXPIRATION")));
    assert_eq!(get("AWS_REGION"), "eu-west-1");
    assert_eq!(get("RSWITCH_PROFILE"), "deploy");
    for unset in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"] {
        assert_eq!(vars.get(unset), Some(&None), "{unset} is not unset: {run}");
    }

    let denied = binary::run(&home, &["export", "switch-to2"]);
    assert_eq!(denied.code, 1, "{denied}");
    assert_eq!(denied.stdout, "", "a failed export prints nothing on stdout");
    let message = format!(
        "User: {} is not authorized to perform: sts:AssumeRole",
        stack.world.alice.arn
    );
    assert!(denied.stderr.contains("AccessDenied"), "{denied}");
    assert!(denied.stderr.contains(&message), "{denied}");
    assert!(denied.stderr.contains(&stack.world.roles.switch_to2), "{denied}");

    // So evaluating a failed export leaves the shell as it was.
    let bash = r#"export AWS_ACCESS_KEY_ID=before
eval "$(rswitch export switch-to2)"
echo "key=$AWS_ACCESS_KEY_ID rswitch=${RSWITCH_PROFILE-unset}""#;
    let run = run_program(&home, "bash", &["--norc", "--noprofile", "-c", bash], &[]);
    assert_eq!(run.stdout, "key=before rswitch=unset\n", "{run}");
}

#[test]
fn process_format_is_a_credential_process_for_the_aws_cli() {
    let (stack, home) = direct();
    let run = binary::run(&home, &["export", "deploy", "--format", "process"]);
    assert_eq!(run.code, 0, "{run}");
    let v = run.json();
    let keys: Vec<&str> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v:#}"))
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys.iter().copied().collect::<std::collections::BTreeSet<_>>(),
        [
            "AccessKeyId",
            "Expiration",
            "SecretAccessKey",
            "SessionToken",
            "Version"
        ]
        .into_iter()
        .collect(),
        "{v:#}"
    );
    assert_eq!(v["Version"], 1, "{v:#}");
    assert!(
        v["AccessKeyId"].as_str().is_some_and(|k| k.starts_with("ASIA")),
        "{v:#}"
    );
    binary::assert_rfc3339(&v["Expiration"]);

    let mut config = std::fs::read_to_string(home.config_path()).expect("config");
    config += &format!(
        "[profile via-rswitch]\ncredential_process = {} export deploy --format process\n\
         region = eu-west-1\nendpoint_url = {}\n",
        rswitch(),
        stack.endpoint()
    );
    home.config(&config);
    let aws = support::venv_bin("aws").display().to_string();
    let args = [
        "sts",
        "get-caller-identity",
        "--profile",
        "via-rswitch",
        "--output",
        "json",
    ];
    let run = run_program(&home, &aws, &args, &[]);
    assert_eq!(run.code, 0, "{run}");
    let who = caller_identity(&run);
    assert!(arn_of(&who).starts_with(DEPLOY_SESSION), "{who:#}");
    // The keys the AWS CLI used are the ones rswitch handed over (from its cache).
    let user_id = who["UserId"].as_str().unwrap_or_default();
    assert!(user_id.starts_with("AROA"), "{who:#}");
}

#[test]
fn exec_passes_the_exit_code_and_a_clean_environment() {
    let (stack, home) = direct();
    let run = binary::run(&home, &["exec", "deploy", "--", "sh", "-c", "exit 7"]);
    assert_eq!(run.code, 7, "{run}");

    let parent = [("AWS_PROFILE", "alice"), ("AWS_DEFAULT_PROFILE", "alice")];
    // Served (the default): an endpoint and a credential-free profile, no keys.
    let run = binary::run_env(&home, &["exec", "deploy", "--", "env"], &parent);
    assert_eq!(run.code, 0, "{run}");
    let env: BTreeMap<&str, &str> = run.stdout.lines().filter_map(|l| l.split_once('=')).collect();
    assert!(
        env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .is_some_and(|u| u.starts_with("http://127.0.0.1:")),
        "{run}"
    );
    assert_eq!(env.get("AWS_PROFILE"), Some(&"rswitch-served"), "{run}");
    assert_eq!(env.get("RSWITCH_PROFILE"), Some(&"deploy"), "{run}");
    for gone in ["AWS_ACCESS_KEY_ID", "AWS_DEFAULT_PROFILE", "RSWITCH_RESOLVING"] {
        assert!(!env.contains_key(gone), "{gone} leaked into the child: {run}");
    }
    // A one-shot copy with --static.
    let run = binary::run_env(&home, &["exec", "--static", "deploy", "--", "env"], &parent);
    assert_eq!(run.code, 0, "{run}");
    let env: BTreeMap<&str, &str> = run.stdout.lines().filter_map(|l| l.split_once('=')).collect();
    for set in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] {
        assert!(
            env.get(set).is_some_and(|v| !v.is_empty()),
            "{set} missing in the child: {run}"
        );
    }
    assert_eq!(env.get("RSWITCH_PROFILE"), Some(&"deploy"), "{run}");
    assert_eq!(env.get("AWS_REGION"), Some(&"eu-west-1"), "{run}");
    // rswitch marks RSWITCH_RESOLVING and RSWITCH_DEPTH for credential_process children; a command
    // the user runs is not one, so it must not inherit the guard.
    for gone in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "RSWITCH_RESOLVING",
        "RSWITCH_DEPTH",
    ] {
        assert!(!env.contains_key(gone), "{gone} leaked into the child: {run}");
    }

    let endpoint = [("AWS_ENDPOINT_URL", stack.endpoint()), ("PATH", &*path_var())];
    let aws = [
        "exec",
        "deploy",
        "--",
        "aws",
        "sts",
        "get-caller-identity",
        "--output",
        "json",
    ];
    let run = binary::run_env(&home, &aws, &endpoint);
    assert_eq!(run.code, 0, "{run}");
    assert!(
        arn_of(&caller_identity(&run)).starts_with(DEPLOY_SESSION),
        "{run}"
    );

    let run = binary::run(&home, &["exec", "deploy", "--", "rswitch-no-such-command"]);
    assert_eq!(run.code, 127, "{run}");
    assert!(run.stderr.contains("rswitch-no-such-command"), "{run}");
    assert!(run.stderr.contains("not found"), "{run}");
}

#[test]
fn shell_without_a_terminal_runs_the_shell_on_stdin() {
    let (_, home) = direct();
    let out = home
        .cmd()
        .args(["shell", "--static", "deploy"])
        .env("SHELL", "/bin/sh")
        .write_stdin("echo \"profile=$RSWITCH_PROFILE key=${AWS_ACCESS_KEY_ID%%[!A-Z]*}\"\nexit 3\n")
        .output()
        .expect("run rswitch shell");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(3), "{stdout}{stderr}");
    assert!(stdout.starts_with("profile=deploy key=ASIA"), "{stdout}{stderr}");
    let banner = format!("rswitch: shell for profile 'deploy' as {DEPLOY_SESSION}");
    assert!(stderr.contains(&banner), "the banner goes to stderr: {stderr}");
    assert!(!stdout.contains("rswitch:"), "{stdout}");
}

#[test]
fn shell_in_a_terminal_has_credentials_refuses_nesting_and_returns_the_exit_code() {
    let (stack, home) = direct();
    let mut env = shell_env(&home);
    env.extend([
        ("SHELL".into(), "/bin/bash".into()),
        ("TERM".into(), "screen".into()),
        ("AWS_ENDPOINT_URL".into(), stack.endpoint().to_string()),
    ]);
    let tty = Tty::new();
    let d = tty.dir().display().to_string();
    tty.start(&env, &format!("rswitch shell deploy; {}", tty.record("shell.rc")));
    let screen = tty.wait_for("rswitch: shell for profile 'deploy' as ");
    assert!(screen.contains(DEPLOY_SESSION), "{screen}");

    // Typed into the interactive bash that rswitch started.
    tty.send_line(&format!(
        "echo \"profile=$RSWITCH_PROFILE\" > {d}/profile.txt; \
         aws sts get-caller-identity --output json > {d}/who.json; {}",
        tty.record("who.rc")
    ));
    assert_eq!(tty.wait_code("who.rc"), 0, "{}", tty.screen());
    let profile = std::fs::read_to_string(format!("{d}/profile.txt")).expect("profile.txt");
    assert_eq!(profile, "profile=deploy\n");
    let who: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{d}/who.json")).expect("who.json"))
            .expect("aws printed JSON");
    assert!(arn_of(&who).starts_with(DEPLOY_SESSION), "{who:#}");

    tty.send_line(&format!(
        "rswitch shell switch-to 2> {d}/nest.err; {}",
        tty.record("nest.rc")
    ));
    assert_eq!(tty.wait_code("nest.rc"), 1, "{}", tty.screen());
    let refusal = std::fs::read_to_string(format!("{d}/nest.err")).expect("nest.err");
    assert!(
        refusal.contains("already in an rswitch shell for profile 'deploy'") && refusal.contains("--nested"),
        "{refusal}"
    );

    tty.send_line(&format!(
        "rswitch shell switch-to --nested; {}",
        tty.record("nested.rc")
    ));
    tty.wait_for("rswitch: shell for profile 'switch-to' as ");
    tty.send_line(&format!(
        "echo \"inner=$RSWITCH_PROFILE\" > {d}/inner.txt; exit 4"
    ));
    assert_eq!(tty.wait_code("nested.rc"), 4, "{}", tty.screen());
    let inner = std::fs::read_to_string(format!("{d}/inner.txt")).expect("inner.txt");
    assert_eq!(inner, "inner=switch-to\n");

    tty.send_line("exit 3");
    assert_eq!(tty.wait_code("shell.rc"), 3, "{}", tty.screen());
}
