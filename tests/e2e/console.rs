//! `rswitch console` and the TUI's `o`, with the real binary against the built-in demo
//! world (its STS, IMDS and sign-in federation endpoint on loopback, in this process):
//! role chains and the instance-role chain with their one-hour cap, an IAM user through
//! GetFederationToken, a GetSessionToken session refused, a region of another partition
//! refused, and `--print` (stdout only).
//!
//! Every URL the binary hands out is then used: fetched from the demo's endpoint, it must
//! sign in the expected identity, at the expected destination, for the expected time.
//! `console_handover` holds the browser, clipboard and TUI paths.

use crate::binary::{self, Run};
use crate::support::{self, Home};
use rswitch::fake_aws::Demo;
use rswitch::fake_aws::federation::ConsoleSignIn;
use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

pub const PROD: &str = "arn:aws:sts::222222222222:assumed-role/SwitchToRole/";
pub const DEPLOY: &str = "arn:aws:sts::222222222222:assumed-role/Deploy/";
const ALICE_FEDERATED: &str = "arn:aws:sts::111111111111:federated-user/alice";

/// The demo world, running on the harness runtime, and a HOME holding its AWS files.
pub struct DemoHome {
    pub demo: Demo,
    pub home: Home,
}

pub fn demo_home() -> DemoHome {
    let base = rswitch::env::Env::from_vars([("PATH", "/usr/bin:/bin")], None);
    let demo = support::runtime()
        .block_on(rswitch::fake_aws::start_with(&base))
        .expect("the demo world starts");
    let home = Home::new();
    let read = |p: &Path| std::fs::read_to_string(p).expect("demo file");
    home.config(&read(&demo.config_file()))
        .credentials(&read(&demo.credentials_file()));
    DemoHome { demo, home }
}

impl DemoHome {
    pub fn run(&self, args: &[&str], extra: &[(&str, &str)]) -> Run {
        binary::run_env(&self.home, args, extra)
    }

    /// Follows a sign-in URL as a browser would (one GET) and returns the demo's record
    /// of the console sign-in it made.
    pub fn sign_in_with(&self, url: &str) -> ConsoleSignIn {
        let before = self.demo.sts().console_sign_ins().len();
        let (status, page) = get(url);
        assert_eq!(status, 200, "the sign-in URL did not sign in: {url}\n{page}");
        let all = self.demo.sts().console_sign_ins();
        assert_eq!(all.len(), before + 1, "one sign-in per URL");
        let last = all.last().cloned().expect("a sign-in");
        assert!(page.contains(&format!("as <code>{}</code>", last.arn)), "{page}");
        last
    }
}

/// One HTTP/1.1 GET on loopback: the status and the body.
pub fn get(url: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("a loopback http URL");
    let (host, path) = rest.split_at(rest.find('/').expect("a path"));
    let mut stream = std::net::TcpStream::connect(host).expect("connect to the demo");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read the answer");
    let status = answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"));
    let body = answer
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// The one line `--print` wrote: the sign-in URL.
pub fn printed_url(run: &Run, demo: &Demo) -> String {
    assert_eq!(run.code, 0, "{run}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "stdout holds the URL only:\n{run}");
    let url = lines[0].to_string();
    assert!(
        url.starts_with(&format!(
            "{}/federation?Action=login&Issuer=rswitch&",
            demo.sts_url()
        )),
        "{url}"
    );
    assert!(
        !run.stderr.contains("SigninToken"),
        "the URL is never logged:\n{run}"
    );
    url
}

fn alice_secret(demo: &Demo) -> String {
    demo.world.user("alice").expect("alice").access_keys[0]
        .secret_access_key
        .expose()
        .to_string()
}

#[test]
fn print_signs_in_a_role_and_a_role_chain() {
    let d = demo_home();
    let run = d.run(&["console", "prod", "--print"], &[]);
    let url = printed_url(&run, &d.demo);
    assert!(run.stderr.contains("(role session)"), "{run}");
    let signed = d.sign_in_with(&url);
    assert!(signed.arn.starts_with(PROD), "{signed:?}");
    assert_eq!(
        signed.destination,
        "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1"
    );
    assert_eq!(signed.issuer, "rswitch");
    // A token signs in once.
    assert_eq!(get(&url).0, 400);

    // alice -> prod -> Deploy is role chaining: up to one hour of console, no more.
    let run = d.run(&["console", "prod-deploy", "--print", "--duration", "2h"], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run}");
    assert!(
        run.stderr.contains(
            "profile 'prod-deploy': a console session from a chained role (alice -> SwitchToRole -> Deploy) lasts at most 1 hour"
        ),
        "{run}"
    );
    let run = d.run(
        &[
            "console",
            "prod-deploy",
            "--print",
            "--duration",
            "45m",
            "-d",
            "s3",
            "-r",
            "us-east-1",
        ],
        &[],
    );
    let signed = d.sign_in_with(&printed_url(&run, &d.demo));
    assert!(signed.arn.starts_with(DEPLOY), "{signed:?}");
    assert_eq!(signed.seconds, 2700);
    assert_eq!(
        signed.destination,
        "https://console.aws.amazon.com/s3/home?region=us-east-1"
    );
    assert!(run.stderr.contains("(chained role session, 45m)"), "{run}");

    // A role assumed with long-term keys may have up to 12 hours.
    let run = d.run(&["console", "prod", "--print", "--duration", "12h"], &[]);
    assert_eq!(d.sign_in_with(&printed_url(&run, &d.demo)).seconds, 43_200);
    let run = d.run(&["console", "prod", "--print", "--duration", "13h"], &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr
            .contains("between 15 minutes and 12 hours; 13h was asked for"),
        "{run}"
    );
}

#[test]
fn the_instance_role_chain_is_a_chained_session() {
    let d = demo_home();
    let run = d.run(
        &["console", "prod-from-instance", "--print", "--duration", "90m"],
        &[],
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr.contains(
            "a console session from a chained role (ec2-imds -> SwitchToRole) lasts at most 1 hour"
        ),
        "{run}"
    );
    let run = d.run(
        &["console", "prod-from-instance", "--print", "--duration", "1h"],
        &[],
    );
    let signed = d.sign_in_with(&printed_url(&run, &d.demo));
    assert!(signed.arn.starts_with(PROD), "{signed:?}");
    assert_eq!(signed.seconds, 3600);
    assert!(run.stderr.contains("chained role session"), "{run}");
}

#[test]
fn an_iam_user_signs_in_as_a_federated_user() {
    let d = demo_home();
    let run = d.run(
        &["console", "alice", "--print", "--duration", "2h", "-d", "iam"],
        &[],
    );
    let url = printed_url(&run, &d.demo);
    assert!(
        run.stderr.contains(&format!(
            "alice as {ALICE_FEDERATED} in eu-west-1 (federated user session (GetFederationToken), 2h)"
        )),
        "{run}"
    );
    assert!(!run.stderr.contains(&alice_secret(&d.demo)), "{run}");
    let signed = d.sign_in_with(&url);
    assert_eq!(signed.arn, ALICE_FEDERATED);
    // The console session is the federation token's: two hours, less the seconds spent.
    assert!((7100..=7200).contains(&signed.seconds), "{signed:?}");
    assert_eq!(
        signed.destination,
        "https://eu-west-1.console.aws.amazon.com/iam/home?region=eu-west-1"
    );

    let run = d.run(&["console", "alice", "--print", "--duration", "37h"], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run}");
    assert!(run.stderr.contains("between 15 minutes and 36 hours"), "{run}");
}

#[test]
fn session_credentials_and_foreign_regions_are_refused() {
    let d = demo_home();
    // alice's MFA session (GetSessionToken), written as a profile's static credentials.
    let alice = &d.demo.world.user("alice").expect("alice").access_keys[0];
    let keys = rswitch::creds::Credentials {
        access_key_id: alice.access_key_id.clone(),
        secret_access_key: alice.secret_access_key.clone(),
        session_token: None,
        expiration: None,
    };
    let sts = rswitch::sts::Sts::new(&rswitch::sts::StsSettings {
        region: Some("eu-west-1".into()),
        endpoint: Some(d.demo.sts_url()),
        timeout: Duration::from_secs(30),
        ..Default::default()
    });
    let session = support::runtime()
        .block_on(sts.session_token(&keys, "arn:aws:iam::111111111111:mfa/alice", "123456", None))
        .expect("GetSessionToken");
    let home = Home::new();
    home.config(&format!(
        "[profile alice-mfa]\nregion = eu-west-1\nendpoint_url = {}\n",
        d.demo.sts_url()
    ))
    .credentials(&format!(
        "[alice-mfa]\naws_access_key_id = {}\naws_secret_access_key = {}\naws_session_token = {}\n",
        session.access_key_id,
        session.secret_access_key.expose(),
        session.session_token.as_ref().expect("token").expose()
    ));
    let run = binary::run(&home, &["console", "alice-mfa", "--print"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run}");
    assert!(
        run.stderr.contains(
            "profile 'alice-mfa': arn:aws:iam::111111111111:user/alice signs in with a GetSessionToken session"
        ),
        "{run}"
    );
    assert!(run.stderr.contains("role_arn + source_profile"), "{run}");
    assert!(!run.stderr.contains(session.secret_access_key.expose()), "{run}");
    // The demo's endpoint refuses that session too, as AWS does.
    let endpoint = url::Url::parse(&format!("{}/federation", d.demo.sts_url())).expect("url");
    let refused = support::runtime().block_on(rswitch::console::federation::signin_token(
        &endpoint,
        &session,
        None,
        Duration::from_secs(30),
    ));
    let refused = refused.expect_err("refused").to_string();
    assert!(
        refused.contains("GetSessionToken session cannot sign in"),
        "{refused}"
    );
    assert!(!refused.contains(session.secret_access_key.expose()), "{refused}");

    let run = d.run(&["console", "prod", "--print", "--region", "cn-north-1"], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run}");
    assert!(
        run.stderr
            .contains("region 'cn-north-1' belongs to partition aws-cn, but the credentials are from aws"),
        "{run}"
    );
    let run = d.run(&["console", "prod", "--print", "-d", "https://example.com/"], &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr
            .contains("is not on the aws console (console.aws.amazon.com)"),
        "{run}"
    );
    let run = d.run(&["console", "prod-denied-trust", "--print"], &[]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run}");
    assert!(run.stderr.contains("AccessDenied"), "{run}");
}
