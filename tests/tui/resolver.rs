//! The adapter over the real resolver: where the TUI's MFA code goes. STS is a closed
//! loopback port, so every call fails fast; what matters is whether the resolver got as
//! far as calling it.

use rswitch::config::parse_str;
use rswitch::creds::Secret;
use rswitch::env::Env;
use rswitch::resolve::ResolverOptions;
use rswitch::resolve::outcome::ErrorKind;
use rswitch::tui::{MfaCode, ResolveProfile, TuiResolver};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const CONFIG: &str = "\
[profile alice]
region = eu-west-1

[profile admin]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = alice
mfa_serial = arn:aws:iam::111111111111:mfa/alice
region = eu-west-1

[profile bob]
region = eu-west-1

[profile ops]
role_arn = arn:aws:iam::333333333333:role/Ops
source_profile = bob
mfa_serial = arn:aws:iam::111111111111:mfa/bob
region = eu-west-1
";

const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

[bob]
aws_access_key_id = AKIAI44QH8DHBEXAMPLE
aws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY
";

fn resolver() -> TuiResolver {
    let set = parse_str(
        Some((Path::new("/home/alice/.aws/config"), CONFIG)),
        Some((Path::new("/home/alice/.aws/credentials"), CREDENTIALS)),
    );
    // Nothing listens on port 1: connections are refused at once.
    let env = Env::from_vars(
        [("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1")],
        Some("/nonexistent-home".into()),
    );
    let options = ResolverOptions {
        timeout: Duration::from_secs(1),
        concurrency: 2,
        cache: None,
    };
    TuiResolver::new(Arc::new(set), env, options)
}

#[tokio::test]
async fn without_a_code_the_mfa_hop_asks_for_one() {
    let r = resolver().resolve("admin".into(), None, false).await;
    let failure = r.failure().expect("fails");
    assert_eq!(failure.error.kind, ErrorKind::Config, "{failure:?}");
    assert!(
        failure.error.message.contains("press r"),
        "{}",
        failure.error.message
    );
}

#[tokio::test]
async fn the_typed_code_reaches_the_mfa_hop_and_is_used_once() {
    let resolver = resolver();
    let code = MfaCode {
        serial: "arn:aws:iam::111111111111:mfa/alice".into(),
        code: Secret::new("123456"),
    };
    let r = resolver.resolve("admin".into(), Some(code), false).await;
    let failure = r.failure().expect("fails: no STS");
    // The code was accepted, so the chain went on to call STS, which is not there.
    assert!(!failure.error.message.contains("press r"), "{failure:?}");
    assert_ne!(failure.error.kind, ErrorKind::Config, "{failure:?}");
    // The next attempt without a code asks again (the code was not kept).
    let again = resolver.resolve("admin".into(), None, true).await;
    assert!(
        again
            .failure()
            .is_some_and(|f| f.error.message.contains("press r")),
        "{again:?}"
    );
}

fn code(serial: &str) -> Option<MfaCode> {
    Some(MfaCode {
        serial: serial.into(),
        code: Secret::new("123456"),
    })
}

fn asks_for_a_code(r: &rswitch::resolve::outcome::Resolution) -> bool {
    r.failure().is_some_and(|f| f.error.message.contains("press r"))
}

#[tokio::test]
async fn a_code_for_another_device_is_not_used() {
    let r = resolver()
        .resolve("admin".into(), code("arn:aws:iam::111111111111:mfa/bob"), false)
        .await;
    assert!(asks_for_a_code(&r), "{r:?}");
}

#[tokio::test]
async fn resolving_again_forgets_that_chain_only() {
    let resolver = resolver();
    // Both chains get as far as STS (refused) with their codes; the results are kept.
    let ops = resolver
        .resolve("ops".into(), code("arn:aws:iam::111111111111:mfa/bob"), false)
        .await;
    assert!(!asks_for_a_code(&ops), "{ops:?}");
    let admin = resolver
        .resolve("admin".into(), code("arn:aws:iam::111111111111:mfa/alice"), false)
        .await;
    assert!(!asks_for_a_code(&admin), "{admin:?}");
    // Asked again without a code: admin's chain is forgotten, so its MFA hop asks...
    let admin = resolver.resolve("admin".into(), None, true).await;
    assert!(asks_for_a_code(&admin), "{admin:?}");
    // ...while ops, asked for the first time by this view, still has its own result.
    let ops = resolver.resolve("ops".into(), None, false).await;
    assert!(!asks_for_a_code(&ops), "kept: {ops:?}");
}
