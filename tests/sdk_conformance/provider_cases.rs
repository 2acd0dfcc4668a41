//! The AWS SDK for Rust's profile-provider and default-provider-chain cases
//! (`profile-provider/*`, `default-credential-provider-chain/*`: a file system, an
//! environment, recorded HTTP traffic and the expected credentials or error), run by the
//! real binary: the files go under a temporary root whose `home` is HOME, the recorded
//! traffic is replayed from loopback, and `rswitch export` of the case's profile
//! (`AWS_PROFILE`, else `default`) must print the expected credentials, or fail.
//!
//! The test data's role ARNs with a 9-digit account (which rswitch refuses before calling
//! STS, as STS would) are given three leading zeros.
//!
//! Endpoints are pointed at loopback by rewriting: a recorded URL written in the case's
//! environment or files is replaced there; otherwise the service's own variable is set
//! (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL_SSO`, `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
//! `AWS_CONTAINER_CREDENTIALS_FULL_URI`). Cases on FIPS or dual-stack hosts cannot be
//! redirected (the SDKs refuse FIPS with a configured URL): they run without any network
//! and the endpoint `whoami --json` reports must be the recorded host.

use super::traffic::{Replay, exchanges};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/aws-config")
}

fn copy_tree(from: &Path, to: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_tree(&entry.path(), &target, files);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
            files.push(target);
        }
    }
}

/// Replaces `from` by `to` in every copied file and environment value.
fn rewrite(files: &[PathBuf], env: &mut [(String, String)], from: &str, to: &str) -> bool {
    let mut found = false;
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        if text.contains(from) {
            std::fs::write(file, text.replace(from, to)).unwrap();
            found = true;
        }
    }
    for (_, value) in env.iter_mut() {
        if value.contains(from) {
            *value = value.replace(from, to);
            found = true;
        }
    }
    found
}

struct Outcome {
    json: Option<Value>,
    export: std::process::Output,
}

fn run(root: &Path, env: &[(String, String)], profile: &str, isolated: bool) -> Outcome {
    let bin = assert_cmd::cargo::cargo_bin("rswitch");
    let command = |args: &[&str]| {
        let mut cmd = if isolated {
            let mut c = Command::new("unshare");
            c.arg("-rn").arg(&bin);
            c
        } else {
            Command::new(&bin)
        };
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("XDG_CACHE_HOME", root.join("xdg-cache"))
            .envs(env.iter().map(|(k, v)| (k, v)))
            .args(["--no-cache", "--timeout", "3"])
            .args(args);
        cmd.output().unwrap()
    };
    let export = command(&["export", profile, "--format", "process"]);
    let json = isolated
        .then(|| serde_json::from_slice(&command(&["whoami", profile, "--json"]).stdout).ok())
        .flatten();
    Outcome { json, export }
}

/// The case's files under a temporary root (`home` is HOME) and its environment, with
/// absolute paths moved under the root.
fn setup(dir: &Path) -> (tempfile::TempDir, Vec<PathBuf>, Vec<(String, String)>) {
    let root = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    if dir.join("fs").exists() {
        copy_tree(&dir.join("fs"), root.path(), &mut files);
    }
    std::fs::create_dir_all(root.path().join("home/.aws")).unwrap();
    let env_json: Value = std::fs::read_to_string(dir.join("env.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    let mut env: Vec<(String, String)> = env_json
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
        .collect();
    // rswitch refuses a role ARN whose account is not 12 digits before calling STS (STS
    // would refuse it too); the test data's 9-digit accounts get three leading zeros.
    rewrite(
        &files,
        &mut env,
        "arn:aws:iam::123456789:",
        "arn:aws:iam::000123456789:",
    );
    // Absolute paths of the case's file system live under the temporary root.
    let root_text = root.path().display().to_string();
    for (key, value) in env.iter_mut() {
        if key == "HOME" || (value.starts_with('/') && root.path().join(&value[1..]).exists()) {
            *value = format!("{root_text}{value}");
        }
    }
    if !env.iter().any(|(k, _)| k == "HOME") {
        env.push(("HOME".into(), format!("{root_text}/home")));
    }
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let fixed = text
            .lines()
            .map(|line| match line.split_once("= /") {
                Some((key, path)) if root.path().join(path.trim()).exists() => {
                    format!("{key}= {root_text}/{}", path.trim())
                }
                _ => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        if fixed != text.trim_end_matches('\n') {
            std::fs::write(file, fixed + "\n").unwrap();
        }
    }
    (root, files, env)
}

/// Points every recorded host at the replay server `url` (see the module header).
fn redirect(bases: &[String], url: &str, files: &[PathBuf], env: &mut Vec<(String, String)>) {
    let url = url.to_string();
    let mut sts_set = false;
    for base in bases {
        if rewrite(files, env, base, &url) {
            sts_set |= base.contains("sts") || base.contains("override");
            continue;
        }
        let host = base.split("://").nth(1).unwrap_or_default();
        if host.starts_with("sts.") {
            env.push(("AWS_ENDPOINT_URL_STS".into(), url.clone()));
            sts_set = true;
        } else if host.starts_with("portal.sso.") {
            env.push(("AWS_ENDPOINT_URL_SSO".into(), url.clone()));
        } else if host == "169.254.169.254" {
            env.push(("AWS_EC2_METADATA_SERVICE_ENDPOINT".into(), url.clone()));
        } else if host == "169.254.170.2" {
            let relative = env
                .iter()
                .find(|(k, _)| k == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
                .map(|(_, v)| v.clone());
            env.retain(|(k, _)| k != "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
            env.push((
                "AWS_CONTAINER_CREDENTIALS_FULL_URI".into(),
                format!("{url}{}", relative.unwrap_or_default()),
            ));
        }
    }
    if !sts_set
        && !env
            .iter()
            .any(|(k, _)| k == "AWS_ENDPOINT_URL_STS" || k == "AWS_ENDPOINT_URL")
    {
        // GetCallerIdentity, which names base credentials.
        env.push(("AWS_ENDPOINT_URL_STS".into(), url.clone()));
    }
    // Nothing may leave loopback: an IMDS left unset goes to a closed port.
    if !env.iter().any(|(k, _)| k == "AWS_EC2_METADATA_SERVICE_ENDPOINT") {
        env.push((
            "AWS_EC2_METADATA_SERVICE_ENDPOINT".into(),
            "http://127.0.0.1:9".into(),
        ));
    }
}

fn run_case(dir: &Path) -> Result<(), String> {
    let case: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("test-case.json")).unwrap()).unwrap();
    let (root, files, mut env) = setup(dir);
    let recorded = std::fs::read_to_string(dir.join("http-traffic.json"))
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .map(|t| exchanges(&t))
        .unwrap_or_default();
    let fips_or_dual = recorded
        .iter()
        .any(|e| e.base().contains("-fips.") || e.base().ends_with(".api.aws"));
    let replay = Replay::start(if fips_or_dual {
        Vec::new()
    } else {
        recorded.clone()
    });
    let url = replay.server.url();
    let mut bases: Vec<String> = recorded.iter().map(|e| e.base()).collect();
    bases.dedup();
    if !fips_or_dual {
        redirect(&bases, &url, &files, &mut env);
    }
    let profile = env
        .iter()
        .find(|(k, _)| k == "AWS_PROFILE")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "default".into());
    let outcome = run(root.path(), &env, &profile, fips_or_dual);
    let stdout = String::from_utf8_lossy(&outcome.export.stdout).to_string();
    let stderr = String::from_utf8_lossy(&outcome.export.stderr).to_string();
    if fips_or_dual {
        let json = outcome.json.ok_or("whoami --json printed no JSON")?;
        let used: Vec<&str> = json["hops"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|h| h["endpoint"].as_str())
            .collect();
        for base in &bases {
            if !used.iter().any(|u| u.trim_end_matches('/') == base) {
                return Err(format!("recorded host {base} not used; hops used {used:?}"));
            }
        }
        return Ok(());
    }
    if let Some(p) = replay.problems.lock().unwrap().first() {
        return Err(format!("{p}; rswitch said: {stderr}"));
    }
    match (&case["result"].get("Ok"), outcome.export.status.success()) {
        (Some(expected), true) => {
            let got: Value = serde_json::from_str(&stdout).map_err(|e| format!("{e}: {stdout}"))?;
            for (ours, theirs) in [
                ("AccessKeyId", "access_key_id"),
                ("SecretAccessKey", "secret_access_key"),
                ("SessionToken", "session_token"),
            ] {
                if got[ours] != expected[theirs] && !(got[ours].is_null() && expected[theirs].is_null()) {
                    return Err(format!("{ours}: {} instead of {}", got[ours], expected[theirs]));
                }
            }
            let unused = replay.unused();
            if !unused.is_empty() {
                return Err(format!("recorded calls not made: {unused:?}"));
            }
            Ok(())
        }
        (Some(_), false) => Err(format!("expected credentials, got: {stderr}")),
        (None, true) => Err(format!("expected an error ({}), got credentials", case["result"])),
        // Refused, not resolved "anyway" through the default chain where the SDK refuses.
        (None, false) if stderr.contains("default-chain credentials") => Err(format!(
            "the SDK refuses it ({}); rswitch went on through the default chain: {stderr}",
            case["result"]
        )),
        (None, false) => Ok(()),
    }
}

fn cases() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for group in ["profile-provider", "default-credential-provider-chain"] {
        for entry in std::fs::read_dir(fixtures().join(group)).unwrap() {
            let path = entry.unwrap().path();
            out.push((
                format!("{group}/{}", path.file_name().unwrap().to_string_lossy()),
                path,
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn the_sdk_provider_cases_pass_or_are_listed() {
    let cases = cases();
    assert_eq!(cases.len(), 47, "the fixture changed: review the cases");
    let results = cases
        .iter()
        .map(|(name, dir)| (name.clone(), run_case(dir)))
        .collect();
    crate::not_passing::judge("provider-cases", results);
}
