//! `login_session` profiles against the AWS SDK for Rust's own login provider test cases
//! (`tests/fixtures/aws-config/login-provider-test-cases.json`): each case's config and
//! token cache are written into a temporary HOME, its recorded Sign-In answers are
//! replayed by a loopback server, and the real binary exports the profile's credentials.
//! A fake STS answers the GetCallerIdentity that names them.

use crate::fake_sts::FakeSts;
use crate::support::Home;
use rswitch::fake_aws::loopback::{Request, Response, Server, handler};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

const CASES: &str = include_str!("../fixtures/aws-config/login-provider-test-cases.json");

/// Replays `mockApiCalls`: each CreateOAuth2Token request must carry the recorded
/// `tokenInput`; it gets the recorded `tokenOutput` (or the recorded error status).
struct SignIn {
    server: Server,
    mismatches: Arc<Mutex<Vec<String>>>,
    remaining: Arc<Mutex<VecDeque<Value>>>,
}

impl SignIn {
    fn start(calls: &[Value]) -> SignIn {
        let remaining = Arc::new(Mutex::new(calls.iter().cloned().collect::<VecDeque<_>>()));
        let mismatches = Arc::new(Mutex::new(Vec::new()));
        let (queue, errors) = (remaining.clone(), mismatches.clone());
        let server = crate::support::runtime()
            .block_on(Server::start(handler(move |req: Request| {
                let (queue, errors) = (queue.clone(), errors.clone());
                async move { replay(&req, &queue, &errors) }
            })))
            .expect("start the loopback Sign-In");
        SignIn {
            server,
            mismatches,
            remaining,
        }
    }
}

fn replay(req: &Request, queue: &Mutex<VecDeque<Value>>, errors: &Mutex<Vec<String>>) -> Response {
    let Some(call) = queue.lock().unwrap().pop_front() else {
        errors
            .lock()
            .unwrap()
            .push(format!("unexpected call {} {}", req.method, req.path));
        return Response::text(500, "no more recorded calls");
    };
    let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let expected = &call["request"]["tokenInput"];
    if req.path != "/v1/token" || !expected.as_object().unwrap().iter().all(|(k, v)| &body[k] == v) {
        errors
            .lock()
            .unwrap()
            .push(format!("{} {body} instead of {expected}", req.path));
    }
    match call["responseCode"].as_u64() {
        Some(code) if code != 200 => Response::new(
            code as u16,
            "application/json",
            json!({"error": "TOKEN_EXPIRED", "message": "recorded failure"}).to_string(),
        ),
        _ => Response::new(
            200,
            "application/json",
            call["response"]["tokenOutput"].to_string(),
        ),
    }
}

/// The profile a case's config defines (the one `[profile NAME]` section).
fn profile_of(config: &str) -> String {
    config
        .lines()
        .find_map(|l| l.trim().strip_prefix("[profile ")?.strip_suffix(']'))
        .unwrap_or("default")
        .to_string()
}

fn run_case(case: &Value) -> Result<(), String> {
    let home = Home::new();
    let config = case["configContents"].as_str().unwrap();
    home.config(config);
    let cache = home.path().join(".aws/login/cache");
    std::fs::create_dir_all(&cache).unwrap();
    for (name, entry) in case["cacheContents"].as_object().unwrap() {
        std::fs::write(cache.join(name), entry.to_string()).unwrap();
    }
    let calls = case["mockApiCalls"].as_array().cloned().unwrap_or_default();
    let signin = SignIn::start(&calls);
    let sts = FakeSts::start();
    let profile = profile_of(config);
    let out = home
        .cmd()
        .env("AWS_ENDPOINT_URL_SIGNIN", signin.server.url())
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .env("AWS_REGION", "us-east-1")
        .args(["--no-cache", "export", &profile, "--format", "process"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if let Some(m) = signin.mismatches.lock().unwrap().first() {
        return Err(format!("Sign-In call not as recorded: {m}"));
    }
    if !signin.remaining.lock().unwrap().is_empty() {
        return Err("a recorded Sign-In call was not made".into());
    }
    for outcome in case["outcomes"].as_array().unwrap() {
        match outcome["result"].as_str().unwrap() {
            "credentials" => {
                if !out.status.success() {
                    return Err(format!("expected credentials, got an error: {stderr}"));
                }
                let got: Value = serde_json::from_str(&stdout).map_err(|e| e.to_string())?;
                for (ours, theirs) in [
                    ("AccessKeyId", "accessKeyId"),
                    ("SecretAccessKey", "secretAccessKey"),
                    ("SessionToken", "sessionToken"),
                ] {
                    if got[ours] != outcome[theirs] {
                        return Err(format!("{ours}: {} instead of {}", got[ours], outcome[theirs]));
                    }
                }
            }
            "error" => {
                if out.status.success() {
                    return Err(format!("expected an error, got credentials: {stdout}"));
                }
                let renew = format!("run `aws login --profile {profile}`");
                if !stderr.contains(&renew) || !stderr.contains(&format!("profile '{profile}'")) {
                    return Err(format!(
                        "the error does not name the profile and `{renew}`: {stderr}"
                    ));
                }
            }
            "cacheContents" => {
                for (name, expected) in outcome
                    .as_object()
                    .unwrap()
                    .iter()
                    .filter(|(k, _)| *k != "result")
                {
                    let text = std::fs::read_to_string(cache.join(name)).map_err(|e| e.to_string())?;
                    let saved: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                    for key in ["refreshToken", "clientId"] {
                        if saved[key] != expected[key] {
                            return Err(format!(
                                "cache {key}: {} instead of {}",
                                saved[key], expected[key]
                            ));
                        }
                    }
                    let (ours, theirs) = (&saved["accessToken"], &expected["accessToken"]);
                    if ours["accessKeyId"] != theirs["accessKeyId"] {
                        return Err(format!("cached accessToken {ours} instead of {theirs}"));
                    }
                }
            }
            other => return Err(format!("unknown outcome {other}")),
        }
    }
    Ok(())
}

#[test]
fn every_login_provider_case_of_the_sdk_passes() {
    let cases: Vec<Value> = serde_json::from_str(CASES).unwrap();
    assert_eq!(cases.len(), 8, "the fixture changed: review the cases");
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|case| {
            run_case(case)
                .err()
                .map(|e| format!("{}: {e}", case["documentation"].as_str().unwrap()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A role assumed from a login profile: the login is a base like any other.
#[test]
fn a_login_profile_is_a_source_profile_like_any_other() {
    let cases: Vec<Value> = serde_json::from_str(CASES).unwrap();
    let valid = &cases[0];
    let home = Home::new();
    home.config(&format!(
        "{}\n[profile admin]\nrole_arn = arn:aws:iam::222222222222:role/Target\nsource_profile = signin\n",
        valid["configContents"].as_str().unwrap()
    ));
    let cache = home.path().join(".aws/login/cache");
    std::fs::create_dir_all(&cache).unwrap();
    for (name, entry) in valid["cacheContents"].as_object().unwrap() {
        std::fs::write(cache.join(name), entry.to_string()).unwrap();
    }
    let sts = FakeSts::start();
    let out = home
        .cmd()
        .env("AWS_ENDPOINT_URL_STS", sts.url())
        .args(["--no-cache", "whoami", "admin", "--json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["status"], "ok", "{json:#}");
    assert_eq!(json["chain"], json!(["signin", "admin"]));
    assert_eq!(json["hops"][0]["source"], "login");
    assert_eq!(sts.actions(), ["AssumeRole"]);
}
