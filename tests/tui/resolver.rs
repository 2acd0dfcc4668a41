//! The adapter over the real resolver: where the TUI's MFA code goes. STS is a closed
//! loopback port, so every call fails fast; what matters is whether the resolver got as
//! far as calling it.

use rswitch::config::parse_str;
use rswitch::env::Env;
use rswitch::resolve::ResolverOptions;
use rswitch::resolve::outcome::ErrorKind;
use rswitch::tui::{ResolveProfile, TuiResolver};
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
";

const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
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
    let r = resolver().resolve("admin".into(), None).await;
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
    let r = resolver.resolve("admin".into(), Some("123456".into())).await;
    let failure = r.failure().expect("fails: no STS");
    // The code was accepted, so the chain went on to call STS, which is not there.
    assert!(!failure.error.message.contains("press r"), "{failure:?}");
    assert_ne!(failure.error.kind, ErrorKind::Config, "{failure:?}");
    // The next attempt without a code asks again (the code was not kept).
    let again = resolver.resolve("admin".into(), None).await;
    assert!(
        again
            .failure()
            .is_some_and(|f| f.error.message.contains("press r")),
        "{again:?}"
    );
}
