//! Which endpoint each hop uses, as the SDKs resolve it: FIPS and dual-stack from the
//! profile or the environment, partitions, `ignore_configured_endpoint_urls` from either,
//! and the IMDS endpoint (and its mode) of the profile being resolved.

use crate::fake_sts::FakeSts;
use crate::support::Home;
use serde_json::Value;
use std::process::Command;

const KEYS: &str = "aws_access_key_id = AKIAALICE\naws_secret_access_key = secret\n";
const ROLE: &str = "arn:aws:iam::222222222222:role/Target";

/// `[profile base]` with keys, `[profile p]` assuming ROLE from it with `extra` settings.
fn home(extra: &str) -> Home {
    let home = Home::new();
    home.config(&format!(
        "[profile base]\n{KEYS}\n[profile p]\nrole_arn = {ROLE}\nsource_profile = base\n{extra}\n"
    ));
    home
}

/// `rswitch whoami <profile> --json` in the test HOME with `env` added. With `isolated`,
/// in a network namespace of its own: no route to anything, not even loopback.
fn whoami(home: &Home, profile: &str, env: &[(&str, &str)], isolated: bool) -> Value {
    let bin = assert_cmd::cargo::cargo_bin("rswitch");
    let mut cmd = if isolated {
        let mut c = Command::new("unshare");
        c.arg("-rn").arg(bin);
        c
    } else {
        Command::new(bin)
    };
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(home.env())
        .envs(env.iter().copied())
        .args(["--no-cache", "--timeout", "3", "whoami", profile, "--json"]);
    let out = cmd.output().expect("run rswitch");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "whoami --json printed no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn hop_endpoint(json: &Value, hop: usize) -> &str {
    json["hops"][hop]["endpoint"]
        .as_str()
        .unwrap_or_else(|| panic!("hop {hop} names no endpoint: {json:#}"))
}

fn error_message(json: &Value) -> &str {
    json["error"]["message"].as_str().unwrap_or_default()
}

/// The AssumeRole hop goes where the SDK's rules send it; the error of the unreachable
/// host names it.
#[track_caller]
fn assert_sts_host(extra: &str, env: &[(&str, &str)], expected: &str) {
    let json = whoami(&home(extra), "p", env, true);
    assert_eq!(json["status"], "error", "{json:#}");
    assert_eq!(hop_endpoint(&json, 1), expected, "{extra} {env:?}");
    assert!(error_message(&json).contains(expected), "{json:#}");
}

#[test]
fn fips_and_dual_stack_from_the_profile_or_the_environment_choose_the_sts_host() {
    assert_sts_host("", &[], "https://sts.us-east-1.amazonaws.com");
    assert_sts_host(
        "use_fips_endpoint = true",
        &[],
        "https://sts-fips.us-east-1.amazonaws.com",
    );
    assert_sts_host(
        "use_dualstack_endpoint = true\nregion = eu-west-1",
        &[],
        "https://sts.eu-west-1.api.aws",
    );
    assert_sts_host(
        "",
        &[
            ("AWS_USE_FIPS_ENDPOINT", "true"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ],
        "https://sts-fips.us-east-1.api.aws",
    );
    // The environment wins over the profile.
    assert_sts_host(
        "use_fips_endpoint = true",
        &[("AWS_USE_FIPS_ENDPOINT", "false")],
        "https://sts.us-east-1.amazonaws.com",
    );
}

#[test]
fn partitions_follow_the_region() {
    assert_sts_host(
        "region = cn-north-1",
        &[],
        "https://sts.cn-north-1.amazonaws.com.cn",
    );
    assert_sts_host(
        "region = us-gov-west-1\nuse_fips_endpoint = true",
        &[],
        "https://sts.us-gov-west-1.amazonaws.com",
    );
    assert_sts_host(
        "",
        &[
            ("AWS_REGION", "cn-northwest-1"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
        ],
        "https://sts.cn-northwest-1.api.amazonwebservices.com.cn",
    );
}

/// FIPS reaches the SDK client itself, not only the display: with a configured URL the
/// SDK's rules refuse the combination, and no request leaves.
#[test]
fn fips_with_a_configured_sts_url_is_refused_before_any_call() {
    let sts = FakeSts::start();
    let url = sts.url();
    for (extra, env) in [
        (
            "use_fips_endpoint = true",
            vec![("AWS_ENDPOINT_URL_STS", url.as_str())],
        ),
        (
            "",
            vec![
                ("AWS_ENDPOINT_URL", url.as_str()),
                ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
            ],
        ),
    ] {
        let json = whoami(&home(extra), "p", &env, false);
        assert_eq!(json["status"], "error", "{json:#}");
        let message = error_message(&json);
        assert!(
            message.contains("custom endpoint are not supported"),
            "{extra} {env:?}: {json:#}"
        );
    }
    assert_eq!(sts.actions(), Vec::<String>::new());
}

#[test]
fn whoami_json_names_the_endpoint_of_each_hop() {
    let sts = FakeSts::start();
    let json = whoami(&home(""), "p", &[("AWS_ENDPOINT_URL_STS", &sts.url())], false);
    assert_eq!(json["status"], "ok", "{json:#}");
    assert_eq!(json["hops"][0]["source"], "static");
    assert_eq!(
        json["hops"][0]["endpoint"],
        Value::Null,
        "static keys call nothing"
    );
    assert_eq!(hop_endpoint(&json, 1), sts.url());
    assert_eq!(sts.actions(), ["AssumeRole"]);
}

/// `ignore_configured_endpoint_urls = true` in the profile disables the environment's
/// URLs too (botocore and the SDKs agree); the environment's own flag wins over the
/// profile's.
#[test]
fn ignore_configured_endpoint_urls_in_the_profile_stops_the_environment_urls() {
    let sts = FakeSts::start();
    let url = sts.url();
    let env = [
        ("AWS_ENDPOINT_URL_STS", url.as_str()),
        ("AWS_ENDPOINT_URL", url.as_str()),
    ];
    let json = whoami(&home("ignore_configured_endpoint_urls = true"), "p", &env, true);
    assert_eq!(hop_endpoint(&json, 1), "https://sts.us-east-1.amazonaws.com");

    let mut env = env.to_vec();
    env.push(("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"));
    let json = whoami(&home("ignore_configured_endpoint_urls = true"), "p", &env, false);
    assert_eq!(json["status"], "ok", "{json:#}");
    assert_eq!(hop_endpoint(&json, 1), url);
    assert_eq!(sts.actions(), ["AssumeRole"]);
}

/// The IMDS endpoint mode is read from the profile being resolved: a profile in IPv6
/// mode never goes to the endpoint `[default]` configures, and says where it went.
#[test]
fn imds_endpoint_mode_is_read_from_the_profile_resolved() {
    let imds = FakeSts::start();
    let home = Home::new();
    home.config(&format!(
        "[default]\nec2_metadata_service_endpoint = {}\n\n\
         [profile v6]\nrole_arn = {ROLE}\ncredential_source = Ec2InstanceMetadata\n\
         ec2_metadata_service_endpoint_mode = IPv6\n\n\
         [profile v6-default-chain]\nec2_metadata_service_endpoint_mode = ipv6\n\n\
         [profile bad-mode]\nrole_arn = {ROLE}\ncredential_source = Ec2InstanceMetadata\n\
         ec2_metadata_service_endpoint_mode = IPv5\n",
        imds.url()
    ));
    for profile in ["v6", "v6-default-chain"] {
        let json = whoami(&home, profile, &[], false);
        assert_eq!(json["status"], "error", "{json:#}");
        assert_eq!(hop_endpoint(&json, 0), "http://[fd00:ec2::254]", "{json:#}");
    }
    assert_eq!(imds.actions().len(), 0, "the [default] endpoint was used");

    let json = whoami(&home, "bad-mode", &[], false);
    let message = error_message(&json);
    assert!(
        message.contains("ec2_metadata_service_endpoint_mode 'IPv5' is not IPv4 or IPv6")
            && message.contains(".aws/config:15"),
        "{json:#}"
    );
    // The environment wins over the profile.
    let json = whoami(
        &home,
        "v6",
        &[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv4")],
        true,
    );
    assert_eq!(hop_endpoint(&json, 0), "http://169.254.169.254");
}

/// An SSO profile with a valid cached login, `extra` settings added.
fn sso_home(extra: &str) -> Home {
    let start_url = "https://d-123.awsapps.com/start";
    let home = Home::new();
    home.config(&format!(
        "[profile s]\nsso_start_url = {start_url}\nsso_region = us-east-1\n\
         sso_account_id = 111111111111\nsso_role_name = Admin\n{extra}\n"
    ));
    crate::support::sso_portal::write_token(
        &home,
        start_url,
        &serde_json::json!({
            "startUrl": start_url,
            "region": "us-east-1",
            "accessToken": "token",
            "expiresAt": crate::support::sso_portal::rfc3339_in(3600),
        }),
    );
    home
}

/// FIPS and dual-stack reach the SSO client aws-config builds: the portal host follows
/// them, and with a configured portal URL the SDK's rules refuse the combination.
#[test]
fn fips_reaches_the_sso_portal_client() {
    let json = whoami(&sso_home("use_fips_endpoint = true"), "s", &[], true);
    assert_eq!(json["hops"][0]["source"], "sso", "{json:#}");
    assert_eq!(
        hop_endpoint(&json, 0),
        "https://portal.sso-fips.us-east-1.amazonaws.com"
    );
    let json = whoami(
        &sso_home(""),
        "s",
        &[("AWS_USE_DUALSTACK_ENDPOINT", "true")],
        true,
    );
    assert_eq!(hop_endpoint(&json, 0), "https://portal.sso.us-east-1.api.aws");

    let portal = FakeSts::start();
    let json = whoami(
        &sso_home("use_fips_endpoint = true"),
        "s",
        &[("AWS_ENDPOINT_URL_SSO", &portal.url())],
        false,
    );
    assert!(
        error_message(&json).contains("custom endpoint are not supported"),
        "{json:#}"
    );
    assert_eq!(portal.actions().len(), 0, "the portal was called");
}
