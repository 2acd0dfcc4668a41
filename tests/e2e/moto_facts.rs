//! What the harness relies on, checked with aws-sdk-sts against the shared moto world:
//! enforcement as the e2e tests expect it, the shape of moto's denials, and every fault
//! the proxy injects as the SDK sees it. These pass without the CLI, so a red e2e run
//! points at rswitch, not at the harness.

use crate::support::{self, Fault, Proxy};
use aws_sdk_sts::Client;
use aws_sdk_sts::config::retry::RetryConfig;
use aws_sdk_sts::config::timeout::TimeoutConfig;
use aws_sdk_sts::config::{BehaviorVersion, Region};
use aws_sdk_sts::error::SdkError;
use std::time::{Duration, Instant};

fn client(endpoint: &str, key: &str, secret: &str, token: Option<&str>) -> Client {
    let creds =
        aws_credential_types::Credentials::new(key, secret, token.map(str::to_string), None, "harness");
    let conf = aws_sdk_sts::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(creds)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(4)
                .with_initial_backoff(Duration::from_millis(20)),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .operation_attempt_timeout(Duration::from_secs(1))
                .build(),
        )
        .build();
    Client::from_conf(conf)
}

fn alice(endpoint: &str) -> Client {
    let a = &support::shared().world.alice;
    client(endpoint, &a.access_key_id, &a.secret_access_key, None)
}

type Assumed = Result<
    aws_sdk_sts::operation::assume_role::AssumeRoleOutput,
    SdkError<aws_sdk_sts::operation::assume_role::AssumeRoleError, aws_smithy_runtime_api::http::Response>,
>;

#[allow(clippy::result_large_err)] // the SDK's own error type
fn assume(c: &Client, role: &str, external_id: Option<&str>) -> Assumed {
    support::runtime().block_on(
        c.assume_role()
            .role_arn(role)
            .role_session_name("harness")
            .set_external_id(external_id.map(str::to_string))
            .send(),
    )
}

/// The raw body of a service error (moto's auth-layer errors are not parsed by the SDK).
fn denial_body(r: Assumed) -> String {
    match r {
        Err(SdkError::ServiceError(e)) => {
            String::from_utf8_lossy(e.raw().body().bytes().unwrap_or_default()).into_owned()
        }
        other => panic!("expected a service error, got {other:?}"),
    }
}

fn assert_denied(r: Assumed, caller: &str) {
    let body = denial_body(r);
    assert!(
        body.contains("<ErrorResponse><Errors><Error><Code>AccessDenied</Code>"),
        "{body}"
    );
    let msg = format!("User: {caller} is not authorized to perform: sts:AssumeRole</Message>");
    assert!(body.contains(&msg), "{body}");
}

#[test]
fn identity_policies_and_same_account_trust_are_enforced() {
    let stack = support::shared();
    let (w, c) = (&stack.world, alice(stack.endpoint()));
    let ok = assume(&c, &w.roles.switch_to, None).expect("alice -> SwitchToRole");
    let user = ok.assumed_role_user().expect("assumed role user");
    assert_eq!(
        user.arn(),
        "arn:aws:sts::222222222222:assumed-role/SwitchToRole/harness"
    );
    assert_denied(assume(&c, &w.roles.switch_to2, None), &w.alice.arn);
    assert_denied(assume(&c, &w.roles.forbidden, None), &w.alice.arn);
    assert_denied(assume(&c, &w.roles.local_admin, None), &w.alice.arn);
    assert_denied(assume(&c, &w.roles.deploy, None), &w.alice.arn);
    assert_denied(assume(&c, &w.roles.external_id, Some("wrong")), &w.alice.arn);
    assume(&c, &w.roles.external_id, Some(&w.external_id)).expect("right external id");
    // moto quirk: a missing ExternalId is not checked.
    assume(&c, &w.roles.external_id, None).expect("moto ignores a missing external id");
}

#[test]
fn moto_auth_errors_carry_no_code_for_the_sdk() {
    let stack = support::shared();
    let r = assume(&alice(stack.endpoint()), &stack.world.roles.switch_to2, None);
    let Err(SdkError::ServiceError(e)) = &r else {
        panic!("expected a service error, got {r:?}")
    };
    use aws_sdk_sts::error::ProvideErrorMetadata;
    assert_eq!(
        e.err().code(),
        None,
        "moto's <Errors> wrapper hides the code from the SDK"
    );
    assert_eq!(e.raw().status().as_u16(), 403);
}

#[test]
fn chain_reaches_deploy_and_sessions_survive() {
    let stack = support::shared();
    let w = &stack.world;
    let s = assume(&alice(stack.endpoint()), &w.roles.switch_to, None).expect("first hop");
    let creds = s.credentials().expect("credentials");
    let hop = client(
        stack.endpoint(),
        creds.access_key_id(),
        creds.secret_access_key(),
        Some(creds.session_token()),
    );
    let deploy = assume(&hop, &w.roles.deploy, None).expect("SwitchToRole -> Deploy");
    let arn = deploy.assumed_role_user().map(|u| u.arn().to_string());
    assert_eq!(
        arn.as_deref(),
        Some("arn:aws:sts::222222222222:assumed-role/Deploy/harness")
    );
    let caller = "arn:aws:sts::222222222222:assumed-role/SwitchToRole/harness";
    assert_denied(assume(&hop, &w.roles.switch_to2, None), caller);
}

#[test]
fn instance_role_session_works_and_moto_default_keys_do_not() {
    let stack = support::shared();
    let i = &stack.world.instance_role;
    let c = client(
        stack.endpoint(),
        &i.access_key_id,
        &i.secret_access_key,
        Some(&i.session_token),
    );
    assume(&c, &stack.world.roles.switch_to, None).expect("instance role -> SwitchToRole");
    let caller = "arn:aws:sts::111111111111:assumed-role/SwitchFromRole/i-0123456789abcdef0";
    assert_denied(assume(&c, &stack.world.roles.forbidden, None), caller);
    let body = denial_body(assume(
        &client(stack.endpoint(), "test-key", "test-secret", Some("token")),
        &stack.world.roles.switch_to,
        None,
    ));
    assert!(body.contains("<Code>InvalidClientTokenId</Code>"), "{body}");
}

#[test]
fn proxy_throttling_and_5xx_are_retried_to_success() {
    let stack = support::shared();
    let proxy = Proxy::start(stack.endpoint());
    proxy.fail_next(2, Fault::Throttle);
    proxy.fail_next(1, Fault::Unavailable);
    assume(&alice(&proxy.url()), &stack.world.roles.switch_to, None).expect("retried");
    assert_eq!(proxy.assume_count(&stack.world.roles.switch_to), 4);
    proxy.fail_next_action("AssumeRole", 1, Fault::InternalError);
    assume(&alice(&proxy.url()), &stack.world.roles.switch_to, None).expect("retried");
    assert_eq!(proxy.count("AssumeRole"), 6, "{:?}", proxy.counts());
}

#[test]
fn proxy_reset_and_hang_reach_the_client() {
    let stack = support::shared();
    let proxy = Proxy::start(stack.endpoint());
    proxy.fail_always(Some(Fault::Reset));
    let r = assume(&alice(&proxy.url()), &stack.world.roles.switch_to, None);
    assert!(matches!(r, Err(SdkError::DispatchFailure(_))), "{r:?}");
    assert!(proxy.total() > 1, "a reset is retried: {:?}", proxy.counts());
    proxy.fail_always(Some(Fault::Hang));
    let start = Instant::now();
    let r = assume(&alice(&proxy.url()), &stack.world.roles.switch_to, None);
    assert!(matches!(r, Err(SdkError::TimeoutError(_))), "{r:?}");
    assert!(start.elapsed() < Duration::from_secs(15));
}

#[test]
fn proxy_latency_delays_answers() {
    let stack = support::shared();
    let proxy = Proxy::start(stack.endpoint());
    proxy.set_latency(Duration::from_millis(300));
    let start = Instant::now();
    assume(&alice(&proxy.url()), &stack.world.roles.switch_to, None).expect("slow but fine");
    assert!(start.elapsed() >= Duration::from_millis(300));
}

/// The AWS CLI resolves the e2e config the same way the tests expect rswitch to, so the
/// config itself is right.
#[test]
fn aws_cli_agrees_with_the_e2e_config() {
    let (stack, home) = crate::binary::direct();
    let aws = support::venv_bin("aws");
    let who = |profile: &str| {
        let out = std::process::Command::new(&aws)
            .args([
                "sts",
                "get-caller-identity",
                "--output",
                "json",
                "--profile",
                profile,
            ])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .envs(home.env())
            .output()
            .expect("run aws");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        (out.status.success(), text, err)
    };
    let expected = [
        ("alice", stack.world.alice.arn.as_str()),
        ("deploy", "arn:aws:sts::222222222222:assumed-role/Deploy/"),
        (
            "instance-deploy",
            "arn:aws:sts::222222222222:assumed-role/Deploy/",
        ),
        (
            "carol-switch",
            "arn:aws:sts::222222222222:assumed-role/SwitchToRole/",
        ),
        ("self-ref", "arn:aws:sts::222222222222:assumed-role/SwitchToRole/"),
        ("chain-denied", "is not authorized to perform: sts:AssumeRole"),
    ];
    // The AWS CLI takes seconds to start; run them side by side.
    let results: Vec<_> = std::thread::scope(|s| {
        let runs: Vec<_> = expected.iter().map(|(p, _)| s.spawn(|| who(p))).collect();
        runs.into_iter().map(|r| r.join().expect("aws thread")).collect()
    });
    for ((profile, want), (ok, out, err)) in expected.iter().zip(results) {
        let denied = *profile == "chain-denied";
        assert_eq!(ok, !denied, "aws --profile {profile}: {out}{err}");
        let text = if denied { &err } else { &out };
        assert!(text.contains(want), "aws --profile {profile}: {out}{err}");
    }
}
