//! Profiles the AWS CLI refuses are refused, with the profile and the file and line to
//! fix, and never resolved "anyway" through the default chain, here a real instance-role
//! session served by the stack's IMDS.

use crate::binary::{self, check_json, line_of, result};
use crate::support::{self, Home, Stack};
use serde_json::Value;

/// Every profile of `body` talks to moto and to the stack's IMDS.
fn home(stack: &Stack, body: &str) -> Home {
    let extra = format!(
        "region = eu-west-1\nendpoint_url = {}\nec2_metadata_service_endpoint = {}\n",
        stack.endpoint(),
        stack.imds_url()
    );
    let home = Home::new();
    home.config(&body.replace("{EXTRA}\n", &extra));
    home
}

fn assert_refused(home: &Home, v: &Value, profile: &str, needle: &str, words: &str) {
    let r = result(v, profile);
    assert_eq!(r["status"], "error", "{profile} must be refused: {r:#}");
    assert_eq!(r["identity"], Value::Null, "{r:#}");
    let message = r["error"]["message"].as_str().unwrap_or_default();
    let place = format!(
        "{}:{}",
        home.config_path().display(),
        line_of(&home.config_path(), needle)
    );
    assert!(message.contains(words), "{profile}: {message}");
    assert!(message.contains(&place), "{profile}: {place} not in {message}");
}

#[test]
fn broken_profiles_are_not_resolved_as_the_instance_role() {
    let stack = support::shared();
    let home = home(
        stack,
        &format!(
            "[profile bare]\n{{EXTRA}}\n\
             [profile via-bare]\nrole_arn = {role}\nsource_profile = bare\n{{EXTRA}}\n\
             [profile sso-no-url]\nsso_account_id = 111111111111\nsso_role_name = Admin\n{{EXTRA}}\n",
            role = stack.world.roles.switch_to
        ),
    );
    let (v, run) = check_json(&home, &["bare", "via-bare", "sso-no-url"]);
    // The requested profile without credentials falls back to the instance role, as in
    // the AWS CLI: the IMDS path is live, so the refusals below are not an accident.
    let bare = result(&v, "bare");
    assert_eq!(bare["status"], "ok", "{run}");
    assert_eq!(bare["hops"][0]["source"], "default-chain", "{bare:#}");
    assert_refused(
        &home,
        &v,
        "via-bare",
        "source_profile = bare",
        "source_profile 'bare' has no credentials",
    );
    assert_refused(
        &home,
        &v,
        "sso-no-url",
        "sso_account_id = 111111111111",
        "sso_start_url, sso_region are missing",
    );
    assert_eq!(run.code, 1, "{run}");
}

#[test]
fn a_config_file_the_cli_cannot_parse_resolves_nothing() {
    let stack = support::shared();
    let home = home(stack, "[default]\n= us-east-1\n{EXTRA}\n");
    let (v, run) = check_json(&home, &["default"]);
    assert_refused(
        &home,
        &v,
        "default",
        "= us-east-1",
        "the AWS CLI refuses the whole file",
    );
    assert_eq!(run.code, 1, "{run}");
    let run = binary::run(&home, &["export", "default"]);
    assert_eq!(run.code, 1, "{run}");
    assert_eq!(run.stdout, "", "{run}");
    assert!(run.stderr.contains("profile 'default'"), "{run}");
}
