//! Table tests of every lint rule over inline INI.

use rswitch::config::arn::check_iam_arn;
use rswitch::config::lint::{Finding, Severity};
use rswitch::config::parse_str;
use rswitch::env::Env;
use rswitch::resolve::catalog::lint;
use std::path::{Path, PathBuf};
use std::sync::Arc;

const CONFIG: &str = "/h/.aws/config";
const CREDENTIALS: &str = "/h/.aws/credentials";

fn findings(config: &str, credentials: &str) -> Vec<Finding> {
    let set = parse_str(
        Some((Path::new(CONFIG), config)),
        Some((Path::new(CREDENTIALS), credentials)),
    );
    lint(
        Arc::new(set),
        &Env::from_vars([("HOME", "/h")], Some(PathBuf::from("/h"))),
    )
}

/// `(code, line)` of every finding, in order.
fn codes(config: &str) -> Vec<(&'static str, usize)> {
    findings(config, "")
        .iter()
        .map(|f| (f.code, f.location.line))
        .collect()
}

/// The single finding for `config`.
fn only(config: &str) -> Finding {
    let all = findings(config, "");
    assert_eq!(all.len(), 1, "{all:#?}");
    all.into_iter().next().unwrap()
}

const BASE: &str = "[profile base]\naws_access_key_id = AKIA\naws_secret_access_key = s\n";

fn with_base(profile: &str) -> String {
    format!("{BASE}{profile}")
}

#[test]
fn a_clean_file_has_no_findings() {
    let config = with_base(
        "[profile r]\nrole_arn = arn:aws:iam::222222222222:role/path/SwitchToRole\nsource_profile = base\n\
         mfa_serial = arn:aws:iam::111111111111:mfa/alice\nduration_seconds = 3600\n\
         external_id = ab+=,.@:/-_1\nrole_session_name = alice@corp\n\
         [profile hw]\nrole_arn = arn:aws-cn:iam::222222222222:role/R\ncredential_source = Ec2InstanceMetadata\n\
         mfa_serial = GAHT12345678\n[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n\
         [sso-session corp]\nsso_start_url = https://x\nsso_region = eu-west-1\n\
         [services local]\nsts =\n  endpoint_url = http://127.0.0.1\n",
    );
    assert_eq!(findings(&config, "[base]\naws_session_token = t\n"), vec![]);
}

#[test]
fn role_arn_missing_role_prefix() {
    let f = only(&with_base(
        "[profile SwitchToRole]\nsource_profile = base\nrole_arn = arn:aws:iam::222222222222/SwitchToRole\n",
    ));
    assert_eq!(
        (f.code, f.severity, f.location.line),
        ("malformed-role-arn", Severity::Error, 6)
    );
    assert_eq!(f.profile.as_deref(), Some("SwitchToRole"));
    assert!(f.message.contains("missing ':role/'"), "{}", f.message);
    assert!(
        f.message
            .contains("did you mean 'arn:aws:iam::222222222222:role/SwitchToRole'"),
        "{}",
        f.message
    );
}

#[test]
fn role_arn_wrong_service() {
    let f = only(&with_base(
        "[profile SwitchToRole]\nrole_arn = arn:aws:sts::222222222222:role/SwitchToRole\nsource_profile = base\n",
    ));
    assert_eq!(f.code, "malformed-role-arn");
    assert!(
        f.message.contains("wrong service (sts instead of iam)"),
        "{}",
        f.message
    );
    assert!(
        f.message
            .contains("'arn:aws:iam::222222222222:role/SwitchToRole'")
    );
}

#[test]
fn role_arn_problems_explained() {
    let cases: &[(&str, &str, Option<&str>)] = &[
        (
            "arn:aws:iam::22222222222:role/R",
            "account '22222222222' is not 12 digits",
            None,
        ),
        ("arn:aws:iam::2222222222x2:role/R", "is not 12 digits", None),
        (
            "arn:aws-moon:iam::222222222222:role/R",
            "partition 'aws-moon' is unknown",
            None,
        ),
        (
            "arn:AWS:iam::222222222222:role/R",
            "must be lower-case",
            Some("arn:aws:iam::222222222222:role/R"),
        ),
        (
            "arn:aws:iam:us-east-1:222222222222:role/R",
            "has a region",
            Some("arn:aws:iam::222222222222:role/R"),
        ),
        (
            "arn:aws:iam::222222222222:R",
            "missing 'role/'",
            Some("arn:aws:iam::222222222222:role/R"),
        ),
        (
            "arn:aws:iam::222222222222role/R",
            "missing ':' before 'role/'",
            Some("arn:aws:iam::222222222222:role/R"),
        ),
        (
            "arn:aws:iam::222222222222:user/bob",
            "names an IAM user, not a role",
            None,
        ),
        ("arn:aws:iam::222222222222:role/", "empty role name", None),
        ("arn:aws:iam::222222222222:role/a b", "whitespace", None),
        (
            "arn:aws:iam::222222222222:role/a!b",
            "characters IAM does not allow",
            None,
        ),
        (
            "arn:aws:sts::222222222222:assumed-role/Admin/alice",
            "assumed-role session",
            Some("arn:aws:iam::222222222222:role/Admin"),
        ),
        ("SwitchToRole", "is not an ARN", None),
        ("arn:aws:iam", "too few", None),
    ];
    for (arn, problem, suggestion) in cases {
        let found = check_iam_arn(arn, "role").unwrap_or_else(|| panic!("{arn} accepted"));
        assert!(
            found.problems.iter().any(|p| p.contains(problem)),
            "{arn}: {found:?}"
        );
        assert_eq!(found.suggestion.as_deref(), *suggestion, "{arn}");
    }
    for good in [
        "arn:aws:iam::222222222222:role/R",
        "arn:aws-us-gov:iam::222222222222:role/a/b/R+=,.@-_",
    ] {
        assert_eq!(check_iam_arn(good, "role"), None, "{good}");
    }
    for partition in rswitch::config::arn::PARTITIONS {
        assert_eq!(
            check_iam_arn(&format!("arn:{partition}:iam::123456789012:role/R"), "role"),
            None
        );
    }
}

#[test]
fn sources() {
    assert_eq!(
        codes("[profile a]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = nope\n"),
        [("missing-source-profile", 3)]
    );
    assert_eq!(
        codes(&with_base(
            "[profile a]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = base\ncredential_source = Environment\n"
        )),
        [("both-sources", 7)]
    );
    assert_eq!(
        codes("[profile a]\nrole_arn = arn:aws:iam::222222222222:role/R\n"),
        [("role-without-source", 2)]
    );
    assert_eq!(
        codes("[profile a]\nsource_profile = a\n"),
        [("source-without-role", 2)]
    );
    // web identity needs no source
    assert_eq!(
        codes("[profile w]\nrole_arn = arn:aws:iam::222222222222:role/R\nweb_identity_token_file = /t\n"),
        []
    );
}

#[test]
fn credential_source_values_are_case_sensitive() {
    let f = only(
        "[profile a]\nrole_arn = arn:aws:iam::222222222222:role/R\ncredential_source = ec2instancemetadata\n",
    );
    assert_eq!((f.code, f.location.line), ("unknown-credential-source", 3));
    assert!(
        f.message.contains("did you mean 'Ec2InstanceMetadata'"),
        "{}",
        f.message
    );
    let f = only("[profile a]\nrole_arn = arn:aws:iam::222222222222:role/R\ncredential_source = Lambda\n");
    assert!(!f.message.contains("did you mean"), "{}", f.message);
    for good in ["Environment", "Ec2InstanceMetadata", "EcsContainer"] {
        let config =
            format!("[profile a]\nrole_arn = arn:aws:iam::222222222222:role/R\ncredential_source = {good}\n");
        assert_eq!(codes(&config), []);
    }
}

#[test]
fn source_profile_cycles() {
    let role = "role_arn = arn:aws:iam::222222222222:role/R\n";
    let config = format!("[profile a]\n{role}source_profile = b\n[profile b]\n{role}source_profile = a\n");
    let all = findings(&config, "");
    let got: Vec<_> = all
        .iter()
        .map(|f| (f.code, f.location.line, f.message.as_str()))
        .collect();
    // One loop, one finding: at the source_profile line that closes it.
    assert_eq!(
        got,
        [(
            "source-profile-cycle",
            6,
            "profile 'b': source_profile loop: a -> b -> a"
        )]
    );
    // a -> b -> c -> b: a is not in the loop and cannot resolve either, but the problem
    // is the loop's, reported once.
    let config = format!(
        "[profile a]\n{role}source_profile = b\n[profile b]\n{role}source_profile = c\n[profile c]\n{role}source_profile = b\n"
    );
    let all = findings(&config, "");
    assert_eq!(all.len(), 1, "{all:#?}");
    assert!(all[0].message.ends_with("b -> c -> b"), "{}", all[0].message);
    assert_eq!(all[0].profile.as_deref(), Some("c"));
    // Self-reference: fine with static keys, a loop without.
    let with_keys =
        format!("[profile s]\n{role}source_profile = s\naws_access_key_id = A\naws_secret_access_key = S\n");
    assert_eq!(codes(&with_keys), []);
    let f = only(&format!("[profile s]\n{role}source_profile = s\n"));
    assert_eq!(f.code, "source-profile-cycle");
    assert!(f.message.contains("s -> s"), "{}", f.message);
    // A source with static keys ends the chain even if it has a role too.
    let config = format!(
        "[profile a]\n{role}source_profile = b\n[profile b]\n{role}source_profile = a\naws_access_key_id = A\naws_secret_access_key = S\n"
    );
    let a: Vec<_> = findings(&config, "")
        .into_iter()
        .filter(|f| f.profile.as_deref() == Some("a"))
        .collect();
    assert_eq!(a, vec![]);
}

#[test]
fn mfa_serial() {
    let role = "[profile a]\nrole_arn = arn:aws:iam::222222222222:role/R\ncredential_source = Environment\n";
    let f = only(&format!(
        "{role}mfa_serial = arn:aws:iam::111111111111:user/alice\n"
    ));
    assert_eq!(
        (f.code, f.severity, f.location.line),
        ("malformed-mfa-serial", Severity::Warning, 4)
    );
    assert!(
        f.message
            .contains("did you mean 'arn:aws:iam::111111111111:mfa/alice'"),
        "{}",
        f.message
    );
    let f = only(&format!(
        "{role}mfa_serial = arn:aws:sts::111111111111:mfa/alice\n"
    ));
    assert!(f.message.contains("sts instead of iam"));
    for fine in ["GAHT12345678", "arn:aws:iam::111111111111:mfa/path/alice"] {
        assert_eq!(codes(&format!("{role}mfa_serial = {fine}\n")), []);
    }
}

#[test]
fn role_parameters() {
    let role = "[profile a]\nrole_arn = arn:aws:iam::222222222222:role/R\ncredential_source = Environment\n";
    let check = |line: &str, code: &str, text: &str| {
        let f = only(&format!("{role}{line}\n"));
        assert_eq!((f.code, f.location.line), (code, 4), "{line}");
        assert!(f.message.contains(text), "{line}: {}", f.message);
    };
    check(
        "duration_seconds = 1h",
        "invalid-duration-seconds",
        "not a whole number",
    );
    check(
        "duration_seconds = 899",
        "invalid-duration-seconds",
        "outside 900..=43200",
    );
    check(
        "duration_seconds = 43201",
        "invalid-duration-seconds",
        "outside 900..=43200",
    );
    check("external_id = x", "invalid-external-id", "1 characters long");
    check("external_id = a b#", "invalid-external-id", "contains ' '");
    check(
        &format!("external_id = {}", "e".repeat(1225)),
        "invalid-external-id",
        "1225 characters",
    );
    check(
        "role_session_name = a",
        "invalid-role-session-name",
        "1 characters long",
    );
    check(
        "role_session_name = alice:1",
        "invalid-role-session-name",
        "contains ':'",
    );
    check(
        &format!("role_session_name = {}", "n".repeat(65)),
        "invalid-role-session-name",
        "65 characters",
    );
    for fine in [
        "duration_seconds = 900",
        "duration_seconds = 43200",
        "external_id = ab",
        "role_session_name = a.b",
    ] {
        assert_eq!(codes(&format!("{role}{fine}\n")), [], "{fine}");
    }
}

#[test]
fn static_keys() {
    assert_eq!(
        codes("[profile a]\naws_access_key_id = A\n"),
        [("incomplete-static-keys", 2)]
    );
    assert_eq!(
        codes("[profile a]\naws_secret_access_key = S\n"),
        [("incomplete-static-keys", 2)]
    );
    assert_eq!(
        codes("[profile a]\naws_session_token = T\n"),
        [("session-token-without-keys", 2)]
    );
    // Keys in the config file are fine.
    assert_eq!(
        codes("[profile a]\naws_access_key_id = A\naws_secret_access_key = S\n"),
        []
    );
    // Split across the files: still one complete profile.
    assert_eq!(
        findings(
            "[profile a]\naws_access_key_id = A\n",
            "[a]\naws_secret_access_key = S\n"
        ),
        vec![]
    );
}

#[test]
fn sso() {
    assert_eq!(
        codes("[profile a]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n"),
        [("missing-sso-session", 2)]
    );
    let f =
        only("[profile a]\nsso_session = corp\nsso_account_id = 1\n[sso-session corp]\nsso_start_url = u\n");
    assert_eq!((f.code, f.location.line), ("incomplete-sso", 2));
    assert!(
        f.message
            .contains("sso_region in [sso-session corp] (/h/.aws/config:4)"),
        "{}",
        f.message
    );
    assert!(f.message.contains("sso_role_name"), "{}", f.message);
    let f = only("[profile legacy]\nsso_start_url = u\nsso_account_id = 1\nsso_role_name = R\n");
    assert_eq!((f.code, f.location.line), ("incomplete-sso", 2));
    assert!(f.message.contains("sso_region is missing"), "{}", f.message);
    assert_eq!(
        codes("[profile legacy]\nsso_start_url = u\nsso_region = r\nsso_account_id = 1\nsso_role_name = R\n"),
        []
    );
    assert_eq!(
        codes("[profile a]\nsso_account_id = 1\n"),
        [("incomplete-sso", 2)]
    );
}

#[test]
fn ignored_sections_and_keys() {
    let all = findings(
        "[prod]\nregion = x\n[profile a]\nin valid = 1\n[Profile b]\n[sso-sesion s]\n[profile c d]\n\
         [default]\n[profile default]\n",
        "[profile dev]\n[sso-session x]\n",
    );
    let got: Vec<_> = all.iter().map(|f| (f.code, f.location.to_string())).collect();
    assert_eq!(
        got,
        [
            ("missing-profile-prefix", format!("{CONFIG}:1")),
            ("invalid-key", format!("{CONFIG}:4")),
            ("unknown-section", format!("{CONFIG}:5")),
            ("unknown-section", format!("{CONFIG}:6")),
            ("invalid-section-name", format!("{CONFIG}:7")),
            ("shadowed-default", format!("{CONFIG}:8")),
            ("profile-prefix-in-credentials", format!("{CREDENTIALS}:1")),
            ("config-section-in-credentials", format!("{CREDENTIALS}:2")),
        ]
    );
    assert!(
        all[0].message.contains("did you mean [profile prod]?"),
        "{}",
        all[0].message
    );
    assert!(
        all[2].message.contains("did you mean [profile b]?"),
        "{}",
        all[2].message
    );
    assert!(
        all[3].message.contains("did you mean [sso-session s]?"),
        "{}",
        all[3].message
    );
    assert!(all.iter().all(|f| f.severity == Severity::Warning));
}

#[test]
fn parse_errors_are_errors_and_hide_nothing() {
    let all = findings(
        "[profile a]\nrole_arn = arn:aws:iam::222222222222/X\ncredential_source = Environment\nbroken line\n\
         [profile b\n[profile c]\nrole_arn = arn:aws:iam::1:role/R\ncredential_source = Environment\n",
        "",
    );
    let got: Vec<_> = all
        .iter()
        .map(|f| (f.code, f.severity, f.location.line))
        .collect();
    assert_eq!(
        got,
        [
            ("malformed-role-arn", Severity::Error, 2),
            ("parse-error", Severity::Error, 4),
            ("parse-error", Severity::Error, 5),
            ("malformed-role-arn", Severity::Error, 7),
        ]
    );
}

#[test]
fn a_parse_error_hides_no_chain_finding() {
    let got = codes("[profile a]\nrole_arn = arn:aws:iam::222222222222:role/R\n= oops\n");
    assert_eq!(got, [("role-without-source", 2), ("parse-error", 3)]);
}
