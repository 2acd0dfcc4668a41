//! The AWS SDK for Rust's assume-role chain cases (`assume-role-tests.json`), run by the
//! real binary: each case's profiles become `~/.aws/config`, `whoami --json` resolves the
//! selected profile against a loopback STS, and the calls STS received (which key signed
//! them, which roles, session names and external ids) are compared with the chain the SDK
//! expects. A case the SDK refuses must be refused before any call.

use crate::fake_sts::FakeSts;
use crate::support::Home;
use serde_json::Value;
use std::collections::BTreeMap;

const CASES: &str = include_str!("../fixtures/aws-config/assume-role-tests.json");

fn write_config(home: &Home, input: &Value) {
    let mut text = String::new();
    for (name, settings) in input["profiles"].as_object().unwrap() {
        text.push_str(&format!("[profile {name}]\n"));
        for (key, value) in settings.as_object().unwrap() {
            let mut value = value.as_str().unwrap().to_string();
            if key == "web_identity_token_file" {
                // The token file lives in the temporary HOME.
                let path = home.path().join(value.trim_start_matches('/'));
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, "a.web.token").unwrap();
                value = path.display().to_string();
            }
            text.push_str(&format!("{key} = {value}\n"));
        }
        text.push('\n');
    }
    for (name, settings) in input["sso_sessions"].as_object().into_iter().flatten() {
        text.push_str(&format!("[sso-session {name}]\n"));
        for (key, value) in settings.as_object().unwrap() {
            text.push_str(&format!("{key} = {}\n", value.as_str().unwrap()));
        }
        text.push('\n');
    }
    home.config(&text);
}

type Call = (BTreeMap<String, String>, Option<String>);

/// Checks one expected step of the chain against the JSON hops and the STS calls left.
fn check_step(
    step: &Value,
    json: &Value,
    calls: &mut std::slice::Iter<'_, Call>,
    first: bool,
) -> Result<(), String> {
    let (kind, value) = step.as_object().unwrap().iter().next().unwrap();
    let base = &json["hops"][0];
    match kind.as_str() {
        "AccessKey" => {
            let (_, key) = calls.clone().next().ok_or("no STS call was made with the keys")?;
            if key.as_deref() != value["access_key_id"].as_str() {
                return Err(format!(
                    "first call signed by {key:?}, expected {}",
                    value["access_key_id"]
                ));
            }
        }
        "NamedSource" => {
            let expected = match value.as_str().unwrap() {
                "Ec2InstanceMetadata" => "ec2-imds",
                "EcsContainer" => "ecs",
                "Environment" => "environment",
                other => other,
            };
            if base["source"] != expected {
                return Err(format!("base source {}, expected {expected}", base["source"]));
            }
        }
        "Sso" => {
            if base["source"] != "sso" {
                return Err(format!("base source {}, expected sso", base["source"]));
            }
        }
        "WebIdentityToken" => {
            let (params, _) = calls.next().ok_or("no AssumeRoleWithWebIdentity call")?;
            expect(
                params,
                "AssumeRoleWithWebIdentity",
                value,
                &[("role_arn", "RoleArn"), ("role_session_name", "RoleSessionName")],
            )?;
        }
        "AssumeRole" => {
            if json["status"] != "ok" && !first {
                // A chain that stops before this hop (the base failed) still plans it.
                return Ok(());
            }
            let (params, _) = calls.next().ok_or("no AssumeRole call")?;
            expect(
                params,
                "AssumeRole",
                value,
                &[
                    ("role_arn", "RoleArn"),
                    ("role_session_name", "RoleSessionName"),
                    ("external_id", "ExternalId"),
                ],
            )?;
        }
        other => return Err(format!("unknown step {other}")),
    }
    Ok(())
}

fn expect(
    params: &BTreeMap<String, String>,
    action: &str,
    value: &Value,
    keys: &[(&str, &str)],
) -> Result<(), String> {
    if params.get("Action").map(String::as_str) != Some(action) {
        return Err(format!("call {params:?}, expected {action}"));
    }
    for (ours, theirs) in keys {
        if let Some(v) = value[ours].as_str()
            && params.get(*theirs).map(String::as_str) != Some(v)
        {
            return Err(format!(
                "{action} {theirs} = {:?}, expected {v}",
                params.get(*theirs)
            ));
        }
    }
    Ok(())
}

fn run_case(case: &Value) -> Result<(), String> {
    let home = Home::new();
    write_config(&home, &case["input"]);
    let sts = FakeSts::start();
    let profile = case["input"]["selected_profile"].as_str().unwrap();
    let out = home
        .cmd()
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:9")
        .args(["--no-cache", "--timeout", "2", "whoami", profile, "--json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)))?;
    let calls = sts.calls();
    let output = &case["output"];
    if let Some(error) = output.get("Error") {
        if json["status"] == "ok" || !calls.is_empty() {
            return Err(format!(
                "the SDK refuses it ({error}); rswitch made {} call(s): {json}",
                calls.len()
            ));
        }
        return Ok(());
    }
    let steps = output["ProfileChain"].as_array().unwrap();
    let roles: Vec<&Value> = json["hops"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == "assume_role")
        .map(|h| &h["role_arn"])
        .collect();
    let expected_roles: Vec<&Value> = steps
        .iter()
        .filter_map(|s| s.get("AssumeRole"))
        .map(|a| &a["role_arn"])
        .collect();
    if roles != expected_roles {
        return Err(format!("planned roles {roles:?}, expected {expected_roles:?}"));
    }
    let mut iter = calls.iter();
    for (i, step) in steps.iter().enumerate() {
        check_step(step, &json, &mut iter, i == 0)?;
    }
    Ok(())
}

#[test]
fn the_sdk_assume_role_cases_pass_or_are_listed() {
    let cases: Vec<Value> = serde_json::from_str(CASES).unwrap();
    assert_eq!(cases.len(), 28, "the fixture changed: review the cases");
    let results = cases
        .iter()
        .map(|case| (case["docs"].as_str().unwrap().to_string(), run_case(case)))
        .collect();
    crate::not_passing::judge("assume-role-tests.json", results);
}
