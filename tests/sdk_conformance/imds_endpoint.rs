//! The AWS SDK for Rust's IMDS endpoint cases (`imds-config/imds-endpoint-tests.json`):
//! each case's environment and config file are given to the real binary, which resolves
//! `[default]` (no credentials: the instance-metadata fallback) in a network namespace of
//! its own; the endpoint `whoami --json` reports for the IMDS hop must be the case's.

use crate::support::Home;
use serde_json::Value;
use std::process::Command;

const CASES: &str = include_str!("../fixtures/aws-config/imds-config/imds-endpoint-tests.json");

fn run_case(case: &Value) -> Result<(), String> {
    let home = Home::new();
    let mut config = "[default]\n".to_string();
    for (name, text) in case["fs"].as_object().unwrap() {
        assert_eq!(name, "config", "only a config file is expected");
        config = format!("{}\n", text.as_str().unwrap());
    }
    home.config(&config);
    let mut cmd = Command::new("unshare");
    cmd.arg("-rn")
        .arg(assert_cmd::cargo::cargo_bin("rswitch"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(home.env());
    for (key, value) in case["env"].as_object().unwrap() {
        // AWS_CONFIG_FILE names the case's file, written as the HOME's config above.
        if key != "AWS_CONFIG_FILE" {
            cmd.env(key, value.as_str().unwrap());
        }
    }
    let out = cmd
        .args(["--no-cache", "--timeout", "2", "whoami", "default", "--json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))?;
    let result = &case["result"];
    if let Some(url) = result["Ok"].as_str() {
        let expected = url.trim_end_matches("/latest/api/token");
        let got = json["hops"][0]["endpoint"].as_str().unwrap_or_default();
        if got.trim_end_matches('/') != expected {
            return Err(format!("IMDS endpoint {got:?}, expected {expected}: {json}"));
        }
        return Ok(());
    }
    let message = json["error"]["message"].as_str().unwrap_or_default();
    let refused_value = [
        "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    ]
    .iter()
    .filter_map(|k| case["env"][k].as_str())
    .chain(case["fs"]["config"].as_str().and_then(|c| c.split("= ").nth(1)))
    .next()
    .unwrap_or_default();
    if json["status"] == "ok" || !message.contains(refused_value) {
        return Err(format!(
            "the SDK refuses it ({}); rswitch said: {json}",
            result["Err"]
        ));
    }
    Ok(())
}

#[test]
fn the_sdk_imds_endpoint_cases_pass_or_are_listed() {
    let all: Value = serde_json::from_str(CASES).unwrap();
    let cases = all["tests"].as_array().unwrap();
    assert_eq!(cases.len(), 14, "the fixture changed: review the cases");
    let results = cases
        .iter()
        .map(|case| (case["docs"].as_str().unwrap().to_string(), run_case(case)))
        .collect();
    crate::not_passing::judge("imds-config/imds-endpoint-tests.json", results);
}
