//! The demo world end to end, driven by the real AWS SDK: aws-sdk-sts against the demo STS
//! on loopback, and aws-config's IMDS credentials provider against the demo IMDS.

use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use rswitch::fake_aws::{self, Demo};
use std::time::{Duration, SystemTime};

const ALICE: &str = "arn:aws:iam::111111111111:user/alice";
const SWITCH_TO: &str = "arn:aws:iam::222222222222:role/SwitchToRole";
const INSTANCE_SESSION: &str = "arn:aws:sts::111111111111:assumed-role/SwitchFromRole/i-0abc1234def567890";

fn role(account: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role/{name}")
}

fn client(demo: &Demo, creds: aws_credential_types::Credentials) -> aws_sdk_sts::Client {
    let config = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(demo.sts_url())
        .credentials_provider(creds)
        .build();
    aws_sdk_sts::Client::from_conf(config)
}

fn alice_keys(demo: &Demo) -> aws_credential_types::Credentials {
    let key = &demo.world.user("alice").expect("alice").access_keys[0];
    aws_credential_types::Credentials::new(
        key.access_key_id.clone(),
        key.secret_access_key.expose().to_string(),
        None,
        None,
        "test",
    )
}

fn alice(demo: &Demo) -> aws_sdk_sts::Client {
    client(demo, alice_keys(demo))
}

/// Assumes `role_arn` and returns a client using the new session.
async fn assume(demo: &Demo, from: &aws_sdk_sts::Client, role_arn: &str) -> aws_sdk_sts::Client {
    let out = from
        .assume_role()
        .role_arn(role_arn)
        .role_session_name("demo-test")
        .send()
        .await
        .unwrap_or_else(|e| panic!("assume {role_arn}: {}", describe(&e)));
    let c = out.credentials.expect("credentials");
    client(
        demo,
        aws_credential_types::Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            None,
            "test",
        ),
    )
}

fn describe<E: ProvideErrorMetadata>(e: &SdkError<E, HttpResponse>) -> String {
    format!("{:?}: {:?}", e.code(), e.message())
}

/// The STS error code and message that reach the SDK.
async fn assume_error(from: &aws_sdk_sts::Client, role_arn: &str, tweak: Tweak) -> (String, String) {
    let req = tweak(
        from.assume_role()
            .role_arn(role_arn)
            .role_session_name("demo-test"),
    );
    let err = req.send().await.expect_err("must fail");
    (
        err.code().unwrap_or("<no code>").to_string(),
        err.message().unwrap_or("<no message>").to_string(),
    )
}

type Tweak = fn(
    aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder,
) -> aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder;

fn same(
    b: aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder,
) -> aws_sdk_sts::operation::assume_role::builders::AssumeRoleFluentBuilder {
    b
}

fn denied(caller: &str, role_arn: &str) -> (String, String) {
    (
        "AccessDenied".into(),
        format!("User: {caller} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"),
    )
}

#[tokio::test]
async fn cross_account_assume_role_and_caller_identity() {
    let demo = fake_aws::start().await.expect("demo starts");
    let before = SystemTime::now();
    let out = alice(&demo)
        .assume_role()
        .role_arn(SWITCH_TO)
        .role_session_name("alice-session")
        .send()
        .await
        .expect("alice may switch into prod");
    let user = out.assumed_role_user.expect("assumed role user");
    assert_eq!(
        user.arn,
        "arn:aws:sts::222222222222:assumed-role/SwitchToRole/alice-session"
    );
    let role_id = &demo.world.role("SwitchToRole").expect("role").id;
    assert_eq!(user.assumed_role_id, format!("{role_id}:alice-session"));
    let c = out.credentials.expect("credentials");
    assert!(
        c.access_key_id.starts_with("ASIA") && c.access_key_id.len() == 20,
        "{}",
        c.access_key_id
    );
    assert!(c.secret_access_key.len() >= 40 && !c.session_token.is_empty());
    let expires = SystemTime::try_from(c.expiration).expect("expiration");
    let lifetime = expires.duration_since(before).expect("in the future");
    assert!(
        lifetime > Duration::from_secs(3590) && lifetime <= Duration::from_secs(3601),
        "{lifetime:?}"
    );

    let session = client(
        &demo,
        aws_credential_types::Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            None,
            "t",
        ),
    );
    let me = session
        .get_caller_identity()
        .send()
        .await
        .expect("caller identity");
    assert_eq!(me.account.as_deref(), Some("222222222222"));
    assert_eq!(
        me.arn.as_deref(),
        Some("arn:aws:sts::222222222222:assumed-role/SwitchToRole/alice-session")
    );
    assert_eq!(me.user_id, Some(format!("{role_id}:alice-session")));

    let me = alice(&demo)
        .get_caller_identity()
        .send()
        .await
        .expect("alice's identity");
    assert_eq!(me.arn.as_deref(), Some(ALICE));
    assert_eq!(me.user_id.as_deref(), Some("AIDADEMOALICE00000001"));
}

#[tokio::test]
async fn refusals_carry_sts_codes_and_messages() {
    let demo = fake_aws::start().await.expect("demo starts");
    let alice = alice(&demo);
    let prod = |name| role("222222222222", name);
    // Denied by the role's trust policy (it trusts bob).
    assert_eq!(
        assume_error(&alice, &prod("SwitchToRole2"), same).await,
        denied(ALICE, &prod("SwitchToRole2"))
    );
    // Trusted (whole dev account), but alice's identity policy does not allow it.
    assert_eq!(
        assume_error(&alice, &prod("ReadOnly"), same).await,
        denied(ALICE, &prod("ReadOnly"))
    );
    // A role that does not exist reads the same: STS does not reveal existence.
    assert_eq!(
        assume_error(&alice, &prod("NoSuchRole"), same).await,
        denied(ALICE, &prod("NoSuchRole"))
    );
    // Same account, trusted by name, but explicitly denied by her own policy.
    let audit = role("111111111111", "AuditReader");
    assert_eq!(assume_error(&alice, &audit, same).await, denied(ALICE, &audit));
    // The malformed ARN from real configs.
    assert_eq!(
        assume_error(&alice, "arn:aws:iam::222222222222/SwitchToRole", same).await,
        (
            "ValidationError".into(),
            "arn:aws:iam::222222222222/SwitchToRole is invalid".into()
        )
    );
    let (code, message) = assume_error(&alice, SWITCH_TO, |b| b.duration_seconds(100)).await;
    assert_eq!(code, "ValidationError");
    assert!(
        message.ends_with("Member must have value greater than or equal to 900"),
        "{message}"
    );
    let (code, message) = assume_error(&alice, SWITCH_TO, |b| b.role_session_name("has space")).await;
    assert_eq!(code, "ValidationError");
    assert!(
        message.contains("at 'roleSessionName' failed to satisfy constraint"),
        "{message}"
    );
}

#[tokio::test]
async fn same_account_role_needs_only_trust() {
    let demo = fake_aws::start().await.expect("demo starts");
    let admin = assume(&demo, &alice(&demo), &role("111111111111", "Admin")).await;
    let me = admin.get_caller_identity().send().await.expect("identity");
    assert_eq!(
        me.arn.as_deref(),
        Some("arn:aws:sts::111111111111:assumed-role/Admin/demo-test")
    );
}

#[tokio::test]
async fn role_chaining_and_its_one_hour_limit() {
    let demo = fake_aws::start().await.expect("demo starts");
    let prod = assume(&demo, &alice(&demo), SWITCH_TO).await;
    let deploy_arn = role("222222222222", "Deploy");
    let deploy = assume(&demo, &prod, &deploy_arn).await;
    let me = deploy.get_caller_identity().send().await.expect("identity");
    assert_eq!(
        me.arn.as_deref(),
        Some("arn:aws:sts::222222222222:assumed-role/Deploy/demo-test")
    );
    // Deploy allows two hours, but not through a chain.
    assert_eq!(
        assume_error(&prod, &deploy_arn, |b| b.duration_seconds(7200)).await,
        (
            "ValidationError".into(),
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
                .into()
        )
    );
    // From long-term keys the role's own MaxSessionDuration is the limit: 12 hours here, 1 hour on Admin.
    let long = alice(&demo)
        .assume_role()
        .role_arn(SWITCH_TO)
        .role_session_name("long")
        .duration_seconds(43200);
    long.send().await.expect("SwitchToRole allows 12 hours");
    let (code, message) = assume_error(&alice(&demo), &role("111111111111", "Admin"), |b| {
        b.duration_seconds(7200)
    })
    .await;
    assert_eq!(code, "ValidationError");
    assert_eq!(
        message,
        "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
    );
    // A role session cannot start an MFA session.
    let err = prod
        .get_session_token()
        .send()
        .await
        .expect_err("session credentials");
    assert_eq!(err.code(), Some("AccessDenied"));
    assert_eq!(
        err.message(),
        Some("Cannot call GetSessionToken with session credentials")
    );
}

#[tokio::test]
async fn external_id_and_mfa_conditions() {
    let demo = fake_aws::start().await.expect("demo starts");
    let alice = alice(&demo);
    let partner = role("222222222222", "PartnerAccess");
    assert_eq!(
        assume_error(&alice, &partner, same).await,
        denied(ALICE, &partner)
    );
    assert_eq!(
        assume_error(&alice, &partner, |b| b.external_id("guessed")).await,
        denied(ALICE, &partner)
    );
    let ok = alice
        .assume_role()
        .role_arn(&partner)
        .role_session_name("partner")
        .external_id("demo-partner-7f3a");
    ok.send().await.expect("right external id");

    let glass = role("222222222222", "BreakGlass");
    let serial = "arn:aws:iam::111111111111:mfa/alice";
    assert_eq!(assume_error(&alice, &glass, same).await, denied(ALICE, &glass));
    assert_eq!(
        assume_error(&alice, &glass, |b| b
            .serial_number("arn:aws:iam::111111111111:mfa/alice")
            .token_code("000000"))
        .await,
        (
            "AccessDenied".into(),
            "MultiFactorAuthentication failed with invalid MFA one time pass code.".into()
        )
    );
    let with_mfa = alice
        .assume_role()
        .role_arn(&glass)
        .role_session_name("glass")
        .serial_number(serial);
    with_mfa
        .token_code("123456")
        .send()
        .await
        .expect("right MFA code");

    // An MFA session from GetSessionToken carries MFA into the next AssumeRole.
    let out = alice
        .get_session_token()
        .serial_number(serial)
        .token_code("123456")
        .send()
        .await
        .expect("MFA session");
    let c = out.credentials.expect("credentials");
    let mfa_session = client(
        &demo,
        aws_credential_types::Credentials::new(
            c.access_key_id,
            c.secret_access_key,
            Some(c.session_token),
            None,
            "t",
        ),
    );
    let me = mfa_session.get_caller_identity().send().await.expect("identity");
    assert_eq!(me.arn.as_deref(), Some(ALICE));
    assume(&demo, &mfa_session, &glass).await;
}

#[tokio::test]
async fn unknown_keys_and_bad_signatures_are_rejected() {
    let demo = fake_aws::start().await.expect("demo starts");
    let stranger = client(
        &demo,
        aws_credential_types::Credentials::new("AKIAUNKNOWN000000000", "whatever", None, None, "t"),
    );
    let err = stranger
        .get_caller_identity()
        .send()
        .await
        .expect_err("unknown key");
    assert_eq!(err.code(), Some("InvalidClientTokenId"));
    assert_eq!(
        err.message(),
        Some("The security token included in the request is invalid.")
    );

    let key = alice_keys(&demo);
    let wrong_secret = client(
        &demo,
        aws_credential_types::Credentials::new(key.access_key_id(), "not-the-secret", None, None, "t"),
    );
    let err = wrong_secret
        .get_caller_identity()
        .send()
        .await
        .expect_err("bad signature");
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
}

#[tokio::test]
async fn instance_role_from_imds_switches_into_prod() {
    let demo = fake_aws::start().await.expect("demo starts");
    let imds = aws_config::imds::Client::builder()
        .endpoint(demo.imds_url())
        .expect("endpoint")
        .build();
    let provider = aws_config::imds::credentials::ImdsCredentialsProvider::builder()
        .imds_client(imds)
        .build();
    let creds = aws_credential_types::provider::ProvideCredentials::provide_credentials(&provider)
        .await
        .expect("instance credentials from IMDSv2");
    assert!(creds.access_key_id().starts_with("ASIA"));
    let instance = client(&demo, creds);
    let me = instance.get_caller_identity().send().await.expect("identity");
    assert_eq!(me.arn.as_deref(), Some(INSTANCE_SESSION));

    let prod = assume(&demo, &instance, SWITCH_TO).await;
    let me = prod.get_caller_identity().send().await.expect("identity");
    assert_eq!(me.account.as_deref(), Some("222222222222"));
    let second = role("222222222222", "SwitchToRole2");
    assert_eq!(
        assume_error(&instance, &second, same).await,
        denied(INSTANCE_SESSION, &second)
    );
    // Instance credentials are a role session: chaining limits apply.
    let (code, _) = assume_error(&instance, SWITCH_TO, |b| b.duration_seconds(7200)).await;
    assert_eq!(code, "ValidationError");
}

#[tokio::test]
async fn files_live_in_a_private_temp_dir_that_goes_away() {
    let demo = fake_aws::start().await.expect("demo starts");
    let dir = demo.dir.path().to_path_buf();
    assert!(demo.config_file().starts_with(&dir) && demo.credentials_file().starts_with(&dir));
    assert_eq!(demo.env.get("HOME"), dir.to_str());
    // Only the files, the STS endpoint (for exported credentials) and the SSO portal (for
    // the login) come from the demo.
    let endpoints = [
        "AWS_ENDPOINT_URL_STS",
        "AWS_ENDPOINT_URL_SSO",
        "AWS_ENDPOINT_URL_SSO_OIDC",
    ];
    assert!(
        demo.env
            .vars()
            .all(|(k, _)| !k.starts_with("AWS_") || k.ends_with("_FILE") || endpoints.contains(&k))
    );
    for key in ["AWS_ENDPOINT_URL_SSO", "AWS_ENDPOINT_URL_SSO_OIDC"] {
        assert_eq!(demo.env.get(key), Some(demo.sso_url().as_str()), "{key}");
    }
    assert_eq!(
        demo.env.get("AWS_ENDPOINT_URL_STS"),
        Some(demo.sts_url().as_str())
    );
    let config = std::fs::read_to_string(demo.config_file()).expect("config");
    assert!(
        config.contains(&format!("endpoint_url = {}", demo.sts_url())),
        "{config}"
    );
    assert!(
        config.contains(&format!("ec2_metadata_service_endpoint = {}", demo.imds_url())),
        "{config}"
    );
    let credentials = std::fs::read_to_string(demo.credentials_file()).expect("credentials");
    assert!(
        credentials.contains("[alice]") && credentials.contains("aws_access_key_id = AKIA"),
        "{credentials}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(demo.credentials_file())
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let names: Vec<String> = demo.profiles().into_iter().map(|p| p.name).collect();
    assert!(names.contains(&"prod-from-instance".to_string()), "{names:?}");
    drop(demo);
    assert!(!dir.exists(), "{} left behind", dir.display());
}

#[tokio::test]
async fn the_sdk_reads_the_demo_files_as_written() {
    use aws_types::os_shim_internal::{Env, Fs};
    let demo = fake_aws::start().await.expect("demo starts");
    let var = |k: &str| demo.env.get(k).expect(k).to_string();
    let (home, config, credentials) = (
        var("HOME"),
        var("AWS_CONFIG_FILE"),
        var("AWS_SHARED_CREDENTIALS_FILE"),
    );
    let env = Env::from_slice(&[
        ("HOME", home.as_str()),
        ("AWS_CONFIG_FILE", config.as_str()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials.as_str()),
    ]);
    let set = aws_config::profile::load(&Fs::real(), &env, &Default::default(), None)
        .await
        .expect("aws-config parses the demo files");
    for p in demo.profiles() {
        let profile = set
            .get_profile(&p.name)
            .unwrap_or_else(|| panic!("profile {} missing", p.name));
        assert_eq!(
            profile.get("endpoint_url"),
            Some(demo.sts_url().as_str()),
            "{}",
            p.name
        );
        assert!(!p.story.is_empty(), "{} has no story", p.name);
    }
    let alice = set.get_profile("alice").expect("alice");
    assert!(
        alice
            .get("aws_access_key_id")
            .is_some_and(|k| k.starts_with("AKIA"))
    );
    let broken = set.get_profile("broken-arn").expect("broken-arn");
    assert_eq!(
        broken.get("role_arn"),
        Some("arn:aws:iam::222222222222/SwitchToRole")
    );
    let instance = set.get_profile("prod-from-instance").expect("prod-from-instance");
    assert_eq!(
        instance.get("ec2_metadata_service_endpoint"),
        Some(demo.imds_url().as_str())
    );
}
