//! Table tests of the plan of hops over inline INI (parse_str + resolve::plan).

use rswitch::config::{ConfigSet, Location, parse_str};
use rswitch::env::Env;
use rswitch::resolve::{BaseSource, Plan, PlanError, plan};
use std::path::{Path, PathBuf};

const CONFIG: &str = "/h/.aws/config";
const CREDENTIALS: &str = "/h/.aws/credentials";
const ROLE: &str = "arn:aws:iam::222222222222:role/SwitchToRole";

fn set(config: &str, credentials: &str) -> ConfigSet {
    parse_str(
        Some((Path::new(CONFIG), config)),
        Some((Path::new(CREDENTIALS), credentials)),
    )
}

fn no_env() -> Env {
    Env::from_vars([("HOME", "/h")], Some(PathBuf::from("/h")))
}

fn env(vars: &[(&str, &str)]) -> Env {
    Env::from_vars(vars.iter().copied(), Some(PathBuf::from("/h")))
}

fn ok(config: &str, credentials: &str, name: &str) -> Plan {
    plan(&set(config, credentials), &no_env(), name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn err(config: &str, name: &str) -> PlanError {
    plan(&set(config, ""), &no_env(), name).expect_err(name)
}

fn at(file: &str, line: usize) -> Location {
    Location {
        file: PathBuf::from(file),
        line,
    }
}

#[test]
fn static_keys_from_the_credentials_file() {
    let p = ok(
        "[profile alice]\nregion = eu-west-1\n",
        "[alice]\naws_access_key_id = AKIA1\naws_secret_access_key = s\naws_session_token = t\n",
        "alice",
    );
    let BaseSource::Static { profile, credentials } = &p.base else {
        panic!("{:?}", p.base)
    };
    assert_eq!(profile, "alice");
    assert_eq!(credentials.access_key_id, "AKIA1");
    assert_eq!(credentials.secret_access_key.expose(), "s");
    assert_eq!(credentials.session_token.as_ref().map(|t| t.expose()), Some("t"));
    assert!(p.hops.is_empty());
    assert_eq!(p.profile_region.as_deref(), Some("eu-west-1"));
    assert_eq!(p.chain_display(), "alice");
}

#[test]
fn source_profile_chain_innermost_first() {
    let config = format!(
        "[profile SwitchFromRole]\nrole_arn = arn:aws:iam::111111111111:role/SwitchFromRole\nsource_profile = alice\n\
         [profile SwitchToRole]\nrole_arn = {ROLE}\nsource_profile = SwitchFromRole\nrole_session_name = alice-session\n\
         external_id = ext-1\nduration_seconds = 1800\nmfa_serial = arn:aws:iam::111111111111:mfa/alice\n"
    );
    let p = ok(
        &config,
        "[alice]\naws_access_key_id = A\naws_secret_access_key = S\n",
        "SwitchToRole",
    );
    assert_eq!(p.base.profile(), "alice");
    assert_eq!(p.base.label(), "static");
    let hops: Vec<_> = p
        .hops
        .iter()
        .map(|h| (h.profile.as_str(), h.role_arn.as_str()))
        .collect();
    assert_eq!(
        hops,
        [
            ("SwitchFromRole", "arn:aws:iam::111111111111:role/SwitchFromRole"),
            ("SwitchToRole", ROLE)
        ]
    );
    assert_eq!(p.chain_display(), "alice -> SwitchFromRole -> SwitchToRole");
    let last = &p.hops[1];
    assert_eq!(last.session_name.as_deref(), Some("alice-session"));
    assert_eq!(last.external_id.as_deref(), Some("ext-1"));
    assert_eq!(last.duration_seconds, Some(1800));
    assert_eq!(
        last.mfa_serial.as_deref(),
        Some("arn:aws:iam::111111111111:mfa/alice")
    );
    assert_eq!(last.location, at(CONFIG, 5));
    assert_eq!(last.role_name(), "SwitchToRole");
    let first = &p.hops[0];
    assert_eq!(
        (
            first.session_name.as_ref(),
            first.external_id.as_ref(),
            first.duration_seconds
        ),
        (None, None, None)
    );
    assert!(p.needs_mfa());
}

#[test]
fn credential_sources() {
    for (value, label) in [
        ("Ec2InstanceMetadata", "ec2-imds"),
        ("Environment", "environment"),
        ("EcsContainer", "ecs"),
    ] {
        let config = format!("[profile r]\nrole_arn = {ROLE}\ncredential_source = {value}\n");
        let p = ok(&config, "", "r");
        assert_eq!(p.base.label(), label);
        assert_eq!(p.base.profile(), "r");
        assert_eq!(p.hops.len(), 1);
        assert_eq!(p.hops[0].role_arn, ROLE);
    }
}

#[test]
fn credential_process_and_default_chain() {
    let p = ok("[profile p]\ncredential_process = /bin/creds --json\n", "", "p");
    assert_eq!(
        p.base,
        BaseSource::Process {
            profile: "p".into(),
            command: "/bin/creds --json".into()
        }
    );
    let p = ok(
        &format!("[profile r]\nrole_arn = {ROLE}\nsource_profile = p\n[profile p]\ncredential_process = x\n"),
        "",
        "r",
    );
    assert_eq!(p.base.label(), "process");
    assert_eq!(p.chain_display(), "p -> r");
    let p = ok("[profile empty]\nregion = x\n", "", "empty");
    assert_eq!(p.base.label(), "default-chain");
}

#[test]
fn sso_with_session_and_legacy() {
    let config = "[profile s]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\n\
                  [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
                  [profile legacy]\nsso_start_url = https://old/start\nsso_region = us-east-1\nsso_account_id = 2\nsso_role_name = R\n";
    let p = ok(config, "", "s");
    assert_eq!(
        p.base,
        BaseSource::Sso {
            profile: "s".into(),
            session: Some("corp".into()),
            start_url: "https://corp.awsapps.com/start".into(),
            sso_region: "eu-west-1".into(),
            account_id: "111111111111".into(),
            role_name: "Admin".into(),
        }
    );
    let p = ok(config, "", "legacy");
    let BaseSource::Sso {
        session,
        start_url,
        sso_region,
        ..
    } = &p.base
    else {
        panic!()
    };
    assert_eq!(
        (session.as_deref(), start_url.as_str(), sso_region.as_str()),
        (None, "https://old/start", "us-east-1")
    );
    let e = err(
        "[profile s]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n",
        "s",
    );
    assert!(e.to_string().contains("[sso-session nope]"), "{e}");
    assert_eq!(e.location(), Some(&at(CONFIG, 2)));
}

#[test]
fn web_identity() {
    let config = format!(
        "[profile w]\nrole_arn = {ROLE}\nweb_identity_token_file = /var/token\nrole_session_name = ci\n"
    );
    let p = ok(&config, "", "w");
    assert_eq!(
        p.base,
        BaseSource::WebIdentity {
            profile: "w".into(),
            role_arn: ROLE.into(),
            token_file: "/var/token".into(),
            session_name: Some("ci".into()),
            location: at(CONFIG, 3),
        }
    );
    assert!(p.hops.is_empty());
}

#[test]
fn self_reference_with_keys_is_one_hop() {
    let config = format!(
        "[profile s]\nrole_arn = {ROLE}\nsource_profile = s\naws_access_key_id = A\naws_secret_access_key = S\n"
    );
    let p = ok(&config, "", "s");
    assert_eq!(p.base.label(), "static");
    assert_eq!(p.base.profile(), "s");
    assert_eq!(p.hops.len(), 1);
    assert_eq!(p.chain_display(), "s");
}

#[test]
fn self_reference_without_keys_is_an_error() {
    let e = err(
        &format!("[profile s]\nrole_arn = {ROLE}\nsource_profile = s\n"),
        "s",
    );
    assert!(matches!(e, PlanError::SelfReferenceWithoutKeys { .. }), "{e:?}");
    assert_eq!(e.location(), Some(&at(CONFIG, 3)));
}

#[test]
fn cycles_name_the_loop() {
    let e = err(
        &format!(
            "[profile a]\nrole_arn = {ROLE}\nsource_profile = b\n[profile b]\nrole_arn = {ROLE}\nsource_profile = a\n"
        ),
        "a",
    );
    let PlanError::Cycle { cycle, location, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(cycle, "a -> b -> a");
    assert_eq!(location, &at(CONFIG, 6));
    assert!(e.to_string().contains("a -> b -> a"), "{e}");

    let e = err(
        &format!(
            "[profile a]\nrole_arn = {ROLE}\nsource_profile = b\n[profile b]\nrole_arn = {ROLE}\nsource_profile = c\n\
             [profile c]\nrole_arn = {ROLE}\nsource_profile = b\n"
        ),
        "a",
    );
    let PlanError::Cycle { cycle, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(cycle, "b -> c -> b");
}

#[test]
fn missing_and_double_sources() {
    let e = err(
        &format!("[profile a]\nrole_arn = {ROLE}\nsource_profile = ghost\n"),
        "a",
    );
    assert!(
        matches!(&e, PlanError::MissingSourceProfile { source_profile, .. } if source_profile == "ghost"),
        "{e:?}"
    );
    assert_eq!(e.location(), Some(&at(CONFIG, 3)));
    let e = err(
        &format!("[profile a]\nrole_arn = {ROLE}\nsource_profile = a\ncredential_source = Environment\n"),
        "a",
    );
    assert!(matches!(e, PlanError::BothSources { .. }), "{e:?}");
    assert_eq!(e.location(), Some(&at(CONFIG, 4)));
    let e = err(&format!("[profile a]\nrole_arn = {ROLE}\n"), "a");
    assert!(matches!(e, PlanError::NoSource { .. }), "{e:?}");
    let e = err(
        &format!("[profile a]\nrole_arn = {ROLE}\ncredential_source = environment\n"),
        "a",
    );
    assert!(matches!(e, PlanError::UnknownCredentialSource { .. }), "{e:?}");
    let e = err(
        &format!("[profile a]\nrole_arn = {ROLE}\ncredential_source = Environment\nduration_seconds = 1h\n"),
        "a",
    );
    assert!(matches!(e, PlanError::BadDuration { .. }), "{e:?}");
    let e = err("[profile a]\n", "nope");
    assert!(matches!(e, PlanError::NotFound { .. }), "{e:?}");
}

const ENDPOINTS: &str = "[profile e]\nregion = eu-west-1\nendpoint_url = http://profile\nservices = local\n\
                         ec2_metadata_service_endpoint = http://imds-profile\n\
                         role_arn = arn:aws:iam::222222222222:role/R\ncredential_source = Ec2InstanceMetadata\n\
                         [services local]\nsts =\n  endpoint_url = http://services-sts\n";

#[test]
fn sts_endpoint_precedence() {
    let s = set(ENDPOINTS, "");
    let endpoint = |vars: &[(&str, &str)]| plan(&s, &env(vars), "e").unwrap().sts_endpoint;
    assert_eq!(
        endpoint(&[
            ("AWS_ENDPOINT_URL_STS", "http://env-sts"),
            ("AWS_ENDPOINT_URL", "http://env")
        ])
        .as_deref(),
        Some("http://env-sts")
    );
    assert_eq!(
        endpoint(&[("AWS_ENDPOINT_URL", "http://env")]).as_deref(),
        Some("http://env")
    );
    assert_eq!(endpoint(&[]).as_deref(), Some("http://services-sts"));
    assert_eq!(
        endpoint(&[
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
            ("AWS_ENDPOINT_URL", "http://env")
        ]),
        None
    );
    let without_services = set(&ENDPOINTS.replace("services = local\n", ""), "");
    assert_eq!(
        plan(&without_services, &no_env(), "e")
            .unwrap()
            .sts_endpoint
            .as_deref(),
        Some("http://profile")
    );
}

#[test]
fn imds_endpoint_and_region_precedence() {
    let s = set(ENDPOINTS, "");
    let p = plan(&s, &no_env(), "e").unwrap();
    assert_eq!(p.imds_endpoint.as_deref(), Some("http://imds-profile"));
    assert_eq!(
        p.base,
        BaseSource::Ec2InstanceMetadata {
            profile: "e".into(),
            endpoint: Some("http://imds-profile".into())
        }
    );
    assert_eq!(p.region.as_deref(), Some("eu-west-1"));
    let p = plan(
        &s,
        &env(&[
            ("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://imds-env"),
            ("AWS_DEFAULT_REGION", "us-east-2"),
        ]),
        "e",
    )
    .unwrap();
    assert_eq!(p.imds_endpoint.as_deref(), Some("http://imds-env"));
    assert_eq!(p.region.as_deref(), Some("us-east-2"));
    assert_eq!(p.profile_region.as_deref(), Some("eu-west-1"));
    let p = plan(
        &s,
        &env(&[("AWS_REGION", "ap-south-1"), ("AWS_DEFAULT_REGION", "us-east-2")]),
        "e",
    )
    .unwrap();
    assert_eq!(p.region.as_deref(), Some("ap-south-1"));
}

/// The SDK reads `[services NAME]` sub-properties key by key, the last one winning, and
/// merges repeated sections; plan.rs reads the first matching line of the last raw block.
#[test]
fn services_endpoint_last_sub_property_wins() {
    let config = ENDPOINTS.replace(
        "  endpoint_url = http://services-sts\n",
        "  endpoint_url = http://first\n  endpoint_url = http://second\n",
    );
    let p = plan(&set(&config, ""), &no_env(), "e").unwrap();
    assert_eq!(p.sts_endpoint.as_deref(), Some("http://second"));
}

#[test]
fn services_repeated_section_replaces_the_sts_block_as_the_sdk_does() {
    // The SDK's raw parser keys properties by section header, so a second
    // `[services local]` with its own `sts =` replaces the first block whole.
    let config = format!("{ENDPOINTS}[services local]\nsts =\n  region = eu-central-1\n");
    let p = plan(&set(&config, ""), &no_env(), "e").unwrap();
    assert_eq!(p.sts_endpoint.as_deref(), Some("http://profile"));
}

#[test]
fn services_endpoint_key_is_case_sensitive() {
    let config = ENDPOINTS.replace(
        "  endpoint_url = http://services-sts",
        "  Endpoint_URL = http://services-sts",
    );
    let p = plan(&set(&config, ""), &no_env(), "e").unwrap();
    assert_eq!(p.sts_endpoint.as_deref(), Some("http://profile"));
}

/// botocore: `The source profile "B" must have credentials.` A source profile without
/// credential settings is an error, never the environment/container/IMDS chain; the
/// requested profile without any still falls back to that chain.
#[test]
fn a_source_profile_without_credentials_is_an_error() {
    let config = format!(
        "[profile a]\nrole_arn = {ROLE}\nsource_profile = b\n[profile b]\nregion = us-west-2\n\
         [profile c]\nrole_arn = {ROLE}\nsource_profile = d\n[profile d]\ncredential_source = Environment\n"
    );
    let e = err(&config, "a");
    let PlanError::SourceWithoutCredentials {
        profile,
        source_profile,
        source_location,
        location,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!((profile.as_str(), source_profile.as_str()), ("a", "b"));
    assert_eq!(location, &at(CONFIG, 3));
    assert_eq!(source_location, &at(CONFIG, 4));
    assert_eq!(e.code(), "source-without-credentials");
    assert!(e.to_string().contains("has no credentials"), "{e}");
    // credential_source without role_arn gives the source nothing either.
    assert!(matches!(
        err(&config, "c"),
        PlanError::SourceWithoutCredentials { .. }
    ));
    // The requested profile itself may have none: botocore's default chain.
    assert_eq!(ok(&config, "", "b").base.label(), "default-chain");
}

/// A line the AWS CLI cannot parse makes it refuse the file; so no profile is planned
/// (not even one defined before the line, and not through the default chain).
#[test]
fn a_file_the_cli_cannot_parse_plans_nothing() {
    let config = "[default]\nregion = us-east-1\n= us-east-1\n[profile p]\ncredential_process = x\n";
    for name in ["default", "p"] {
        let e = err(config, name);
        assert!(matches!(e, PlanError::Unparsable { .. }), "{e:?}");
        assert_eq!(e.location(), Some(&at(CONFIG, 3)));
        assert!(e.to_string().starts_with(&format!("profile '{name}': ")), "{e}");
    }
    let e = plan(
        &set("[profile p]\ncredential_process = x\n", "[p]\n= oops\n"),
        &no_env(),
        "p",
    )
    .expect_err("a broken credentials file");
    assert_eq!(e.location(), Some(&at(CREDENTIALS, 2)));
}

/// botocore's SSO provider: `sso_account_id` or `sso_role_name` make an SSO profile,
/// which must have all four settings ("is configured to use SSO but is missing required
/// configuration").
#[test]
fn sso_settings_without_a_start_url_are_refused() {
    let e = err(
        "[profile s]\nsso_account_id = 111111111111\nsso_role_name = Admin\n",
        "s",
    );
    let PlanError::IncompleteSso { missing, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(missing, "sso_start_url, sso_region");
    assert_eq!(e.location(), Some(&at(CONFIG, 2)));
    assert_eq!(e.code(), "incomplete-sso");
    let e = err(
        "[profile s]\nsso_role_name = Admin\nsso_region = eu-west-1\n",
        "s",
    );
    assert!(
        e.to_string()
            .contains("sso_account_id, sso_start_url are missing"),
        "{e}"
    );
    // As a source it is refused the same way.
    let e = err(
        &format!("[profile r]\nrole_arn = {ROLE}\nsource_profile = s\n[profile s]\nsso_account_id = 1\n"),
        "r",
    );
    assert!(matches!(e, PlanError::IncompleteSso { .. }), "{e:?}");
    // An SSO profile comes before static keys, in botocore's order.
    let e = err(
        "[profile k]\naws_access_key_id = A\naws_secret_access_key = S\nsso_account_id = 1\n",
        "k",
    );
    assert!(matches!(e, PlanError::IncompleteSso { .. }), "{e:?}");
}

/// botocore: `The value for sso_start_url is inconsistent between profile (A) and
/// sso-session (B).`
#[test]
fn sso_settings_that_disagree_with_the_session_are_refused() {
    let session =
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";
    let e = err(
        &format!(
            "[profile s]\nsso_session = corp\nsso_start_url = https://other.awsapps.com/start\n\
             sso_account_id = 1\nsso_role_name = R\n{session}"
        ),
        "s",
    );
    let PlanError::SsoSessionConflict { key, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(key, "sso_start_url");
    assert_eq!(e.location(), Some(&at(CONFIG, 3)));
    assert_eq!(e.code(), "sso-session-conflict");
    let text = e.to_string();
    assert!(
        text.contains("'https://other.awsapps.com/start' differs from 'https://corp.awsapps.com/start' in [sso-session corp]"),
        "{text}"
    );
    let e = err(
        &format!(
            "[profile s]\nsso_session = corp\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n{session}"
        ),
        "s",
    );
    assert!(
        matches!(&e, PlanError::SsoSessionConflict { key, .. } if key == "sso_region"),
        "{e:?}"
    );
    // The same value in both places is fine.
    let p = ok(
        &format!(
            "[profile s]\nsso_session = corp\nsso_region = eu-west-1\nsso_account_id = 1\nsso_role_name = R\n{session}"
        ),
        "",
        "s",
    );
    assert_eq!(p.base.label(), "sso");
}

/// A chain thousands of profiles deep is planned without a deep recursion, and each
/// profile's plan is the whole chain.
#[test]
fn a_deep_chain_is_planned() {
    let mut config = String::from("[profile p0]\naws_access_key_id = A\naws_secret_access_key = S\n");
    for i in 1..=5000 {
        config.push_str(&format!(
            "[profile p{i}]\nrole_arn = {ROLE}\nsource_profile = p{}\n",
            i - 1
        ));
    }
    let p = ok(&config, "", "p5000");
    assert_eq!(p.hops.len(), 5000);
    assert_eq!(p.base.profile(), "p0");
    assert_eq!(p.hops[0].profile, "p1");
    // A loop at the bottom of a long chain is found and named once.
    let config = config.replace(
        "[profile p0]\naws_access_key_id = A\naws_secret_access_key = S\n",
        &format!("[profile p0]\nrole_arn = {ROLE}\nsource_profile = p3\n"),
    );
    let e = err(&config, "p5000");
    assert!(
        matches!(&e, PlanError::Cycle { cycle, .. } if cycle == "p3 -> p2 -> p1 -> p0 -> p3"),
        "{e:?}"
    );
}

/// The catalogue's rows show a long chain as its base and last hops, and every profile
/// of a shared chain is planned on top of its source's plan.
#[test]
fn catalogue_rows_of_a_long_chain() {
    use rswitch::resolve::Catalog;
    use std::sync::Arc;
    let mut config = String::from("[profile p0]\naws_access_key_id = A\naws_secret_access_key = S\n");
    for i in 1..=30 {
        let mfa = if i == 3 {
            "mfa_serial = arn:aws:iam::111111111111:mfa/alice\n"
        } else {
            ""
        };
        config.push_str(&format!(
            "[profile p{i}]\nrole_arn = {ROLE}\nsource_profile = p{}\n{mfa}",
            i - 1
        ));
    }
    let catalog = Catalog::build(Arc::new(set(&config, "")), &no_env());
    let rows = catalog.rows();
    let row = |name: &str| rows.iter().find(|r| r.name == name).expect("row");
    let top = row("p30");
    assert_eq!(top.chain.len(), 9, "the base and the last 8 hops");
    assert_eq!(top.chain_elided, 22);
    assert_eq!(top.chain[0].profile, "p0");
    assert_eq!(top.chain[1].profile, "p23");
    assert_eq!(
        top.chain_text(),
        "p0 -> … (22 more) … -> p23 -> p24 -> p25 -> p26 -> p27 -> p28 -> p29 -> p30"
    );
    assert_eq!(
        top.mfa_serial.as_deref(),
        Some("arn:aws:iam::111111111111:mfa/alice")
    );
    assert_eq!(top.account.as_deref(), Some("222222222222"));
    assert_eq!(row("p2").chain_text(), "p0 -> p1 -> p2");
    assert_eq!(row("p2").mfa_serial, None);
    assert_eq!(catalog.planned("p30").expect("plan").hops.len(), 30);
    assert!(catalog.needs_mfa("p4") && !catalog.needs_mfa("p2"));
}

#[test]
fn ignore_configured_endpoint_urls_from_the_profile_covers_the_environment() {
    let s = set(
        &format!(
            "{ENDPOINTS}[profile i]\nignore_configured_endpoint_urls = TRUE\nendpoint_url = http://x\naws_access_key_id = A\naws_secret_access_key = S\n"
        ),
        "",
    );
    let endpoint = |vars: &[(&str, &str)]| plan(&s, &env(vars), "i").unwrap().sts_endpoint;
    assert_eq!(endpoint(&[("AWS_ENDPOINT_URL_STS", "http://env-sts")]), None);
    assert_eq!(endpoint(&[]), None);
    // The environment's own setting wins over the profile's.
    assert_eq!(
        endpoint(&[
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false"),
            ("AWS_ENDPOINT_URL_STS", "http://env-sts")
        ])
        .as_deref(),
        Some("http://env-sts")
    );
}

#[test]
fn fips_and_dual_stack_from_the_environment_then_the_profile() {
    let s = set(
        "[profile f]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = yes\naws_access_key_id = A\naws_secret_access_key = S\n",
        "",
    );
    let flags = |vars: &[(&str, &str)]| {
        let p = plan(&s, &env(vars), "f").unwrap();
        (p.use_fips, p.use_dual_stack)
    };
    // botocore reads only `true` as true.
    assert_eq!(flags(&[]), (true, false));
    assert_eq!(
        flags(&[
            ("AWS_USE_FIPS_ENDPOINT", "false"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "True")
        ]),
        (false, true)
    );
}

#[test]
fn imds_endpoint_mode_of_the_profile_and_its_errors() {
    let config = "[default]\nec2_metadata_service_endpoint_mode = IPv4\n\
                  [profile v6]\nec2_metadata_service_endpoint_mode = IPv6\n\
                  [profile bad]\nec2_metadata_service_endpoint_mode = IPv5\n\
                  [profile bad-keys]\nec2_metadata_service_endpoint_mode = IPv5\naws_access_key_id = A\naws_secret_access_key = S\n";
    let s = set(config, "");
    assert_eq!(
        ok(config, "", "v6").imds_endpoint.as_deref(),
        Some("http://[fd00:ec2::254]")
    );
    assert_eq!(
        plan(
            &s,
            &env(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv4")]),
            "v6"
        )
        .unwrap()
        .imds_endpoint
        .as_deref(),
        Some("http://169.254.169.254")
    );
    let e = err(config, "bad");
    assert!(
        matches!(
            &e,
            PlanError::BadSetting {
                key: "ec2_metadata_service_endpoint_mode",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(e.location(), Some(&at(CONFIG, 6)));
    // A bad mode matters only to a chain that reaches IMDS.
    assert!(matches!(
        ok(config, "", "bad-keys").base,
        BaseSource::Static { .. }
    ));
}

#[test]
fn login_session_is_a_base() {
    let p = ok(
        "[profile signin]\nlogin_session = arn:aws:sts::012345678910:assumed-role/Admin/admin\n\
         [profile admin]\nrole_arn = arn:aws:iam::222222222222:role/R\nsource_profile = signin\n",
        "",
        "admin",
    );
    assert_eq!(
        p.base,
        BaseSource::Login {
            profile: "signin".into(),
            session_arn: "arn:aws:sts::012345678910:assumed-role/Admin/admin".into()
        }
    );
    assert_eq!(p.base.label(), "login");
    assert_eq!(p.chain_display(), "signin -> admin");
}
