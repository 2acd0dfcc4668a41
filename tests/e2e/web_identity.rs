//! Web-identity profiles (`web_identity_token_file` + `role_arn`): rswitch reads the
//! token file and calls AssumeRoleWithWebIdentity through its own STS client, unsigned,
//! as on EKS or in CI. The proxy shows the token that reached STS.

use crate::binary::{self, Run, line_of};
use crate::handover::{caller_identity, parse_env_export, run_program};
use crate::support::{Home, Moto, Proxy};
use serde_json::Value;
use std::io::{Read, Write};
use std::sync::OnceLock;

/// A moto with IAM enforcement off (as moto starts). With enforcement on, moto answers
/// the unsigned AssumeRoleWithWebIdentity with HTTP 500 (it looks for a signature to
/// authorize), whereas AWS authorizes that call by the token and the role's trust
/// policy. moto does not verify tokens or trust policies either: what is tested here is
/// that rswitch sends the file's token for the configured role and session, and uses
/// the session it gets back. moto still knows every session by its access key, so
/// GetCallerIdentity and its `/moto-api/data.json` tell which session signed a call.
fn open_moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

const ACCOUNT: &str = "444444444444";
const WEB_ROLE: &str = "arn:aws:iam::444444444444:role/WebRole";
const DEPLOY_ROLE: &str = "arn:aws:iam::444444444444:role/Deploy";
/// What a projected service-account token looks like (the trailing newline is the
/// file's: Kubernetes writes none, other issuers do, and it must not reach STS).
const TOKEN: &str =
    "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2k6ZGVwbG95In0.c2lnbmF0dXJl";

struct Web {
    proxy: Proxy,
    home: Home,
}

impl Web {
    /// `wi` (with a session name), `wi-default` (without), `wi-deploy` (a role on top of
    /// `wi`) and `wi-missing` (a token file that does not exist), STS through a proxy.
    fn new() -> Web {
        let proxy = Proxy::start(&open_moto().url());
        let home = Home::new();
        let token = home.path().join("token.jwt");
        std::fs::write(&token, format!("{TOKEN}\n")).expect("write the token file");
        let endpoint = proxy.url();
        let missing = home.path().join("missing.jwt");
        home.config(&format!(
            "[profile wi]\nrole_arn = {WEB_ROLE}\nweb_identity_token_file = {}\n\
             role_session_name = ci-job-42\nregion = us-east-1\nendpoint_url = {endpoint}\n\n\
             [profile wi-default]\nweb_identity_token_file = {0}\nrole_arn = {WEB_ROLE}\n\
             region = us-east-1\nendpoint_url = {endpoint}\n\n\
             [profile wi-deploy]\nrole_arn = {DEPLOY_ROLE}\nsource_profile = wi\n\
             region = eu-west-1\nendpoint_url = {endpoint}\n\n\
             [profile wi-missing]\nrole_arn = {WEB_ROLE}\nregion = us-east-1\n\
             web_identity_token_file = {}\nendpoint_url = {endpoint}\n",
            token.display(),
            missing.display(),
        ));
        Web { proxy, home }
    }

    fn run(&self, args: &[&str]) -> Run {
        binary::run_env(&self.home, args, &[("USER", "ci-runner")])
    }

    fn all(&self, run: &Run) -> String {
        format!("{run}\n--- sts\n{:#?}", self.proxy.seen())
    }

    /// The AssumeRoleWithWebIdentity requests: unsigned, each with the file's token.
    fn web_identity_calls(&self) -> Vec<crate::support::proxy::Seen> {
        let calls: Vec<_> = self
            .proxy
            .seen()
            .into_iter()
            .filter(|r| r.action == "AssumeRoleWithWebIdentity")
            .collect();
        for c in &calls {
            assert_eq!(c.param("WebIdentityToken").as_deref(), Some(TOKEN), "{c:#?}");
            assert_eq!(c.param("RoleArn").as_deref(), Some(WEB_ROLE), "{c:#?}");
            assert_eq!(
                c.access_key, None,
                "AssumeRoleWithWebIdentity is unsigned: {c:#?}"
            );
        }
        calls
    }
}

/// The sessions moto has handed out, from its `/moto-api/data.json`.
fn moto_sessions() -> Vec<Value> {
    let mut conn = std::net::TcpStream::connect(("127.0.0.1", open_moto().port())).expect("connect to moto");
    conn.write_all(b"GET /moto-api/data.json HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
        .expect("ask moto");
    let mut answer = String::new();
    conn.read_to_string(&mut answer).expect("read moto's answer");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let data: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("moto data ({e}): {answer}"));
    data["sts"]["AssumedRole"].as_array().cloned().unwrap_or_default()
}

/// The session (`role/session` ARN) moto knows by this access key.
fn session_of(access_key: &str) -> String {
    moto_sessions()
        .iter()
        .find(|s| s["access_key_id"] == access_key)
        .and_then(|s| s["arn"].as_str())
        .unwrap_or_else(|| panic!("moto knows no session for {access_key}"))
        .to_string()
}

#[test]
fn whoami_is_the_web_identity_session_with_the_configured_or_default_name() {
    let web = Web::new();
    for (profile, session) in [("wi", "ci-job-42"), ("wi-default", "rswitch-ci-runner")] {
        web.proxy.reset();
        let run = web.run(&["whoami", profile, "--json"]);
        let all = web.all(&run);
        assert_eq!(run.code, 0, "{all}");
        let v = run.json();
        let arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/WebRole/{session}");
        assert_eq!(v["status"], "ok", "{all}");
        assert_eq!(v["identity"]["arn"], arn.as_str(), "{all}");
        assert_eq!(v["identity"]["account"], ACCOUNT, "{all}");
        assert_eq!(v["hops"][0]["source"], "web-identity", "{all}");
        assert_eq!(v["chain"], serde_json::json!([profile]), "{all}");
        let calls = web.web_identity_calls();
        assert_eq!(calls.len(), 1, "{all}");
        assert_eq!(
            calls[0].param("RoleSessionName").as_deref(),
            Some(session),
            "{all}"
        );
    }
}

#[test]
fn a_role_on_a_web_identity_profile_is_assumed_with_its_session() {
    let web = Web::new();
    let run = web.run(&["check", "--json", "wi-deploy"]);
    let all = web.all(&run);
    assert_eq!(run.code, 0, "{all}");
    let r = binary::result(&run.json(), "wi-deploy").clone();
    assert_eq!(r["status"], "ok", "{all}");
    assert_eq!(r["chain"], serde_json::json!(["wi", "wi-deploy"]), "{all}");
    assert_eq!(r["hops"][0]["source"], "web-identity", "{all}");
    let arn = r["identity"]["arn"].as_str().unwrap_or_default();
    assert!(
        arn.starts_with(&format!("arn:aws:sts::{ACCOUNT}:assumed-role/Deploy/")),
        "{all}"
    );
    assert_eq!(web.web_identity_calls().len(), 1, "{all}");
    let assume: Vec<_> = web
        .proxy
        .seen()
        .into_iter()
        .filter(|s| s.action == "AssumeRole")
        .collect();
    assert_eq!(assume.len(), 1, "{all}");
    assert_eq!(assume[0].role_arn.as_deref(), Some(DEPLOY_ROLE), "{all}");
    let signer = assume[0].access_key.clone().unwrap_or_default();
    assert_eq!(
        session_of(&signer),
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/WebRole/ci-job-42"),
        "AssumeRole was not signed by the web-identity session: {all}"
    );
}

#[test]
fn a_missing_token_file_is_named_with_its_profile_and_line() {
    let web = Web::new();
    let run = web.run(&["whoami", "wi-missing"]);
    let all = web.all(&run);
    assert_ne!(run.code, 0, "{all}");
    let text = format!("{}{}", run.stdout, run.stderr);
    let missing = web.home.path().join("missing.jwt").display().to_string();
    let line = line_of(&web.home.config_path(), "missing.jwt");
    let at = format!("{}:{line}", web.home.config_path().display());
    for needle in ["profile 'wi-missing'", "web_identity_token_file", &missing, &at] {
        assert!(text.contains(needle), "no {needle:?}: {all}");
    }
    assert_eq!(web.proxy.total(), 0, "nothing to send without a token: {all}");
}

#[test]
fn exported_web_identity_credentials_work_for_the_aws_cli() {
    let web = Web::new();
    let run = web.run(&["export", "wi"]);
    let all = web.all(&run);
    assert_eq!(run.code, 0, "{all}");
    let vars = parse_env_export(&run.stdout);
    let get = |k: &str| vars.get(k).cloned().flatten().unwrap_or_default();
    assert!(get("AWS_ACCESS_KEY_ID").starts_with("ASIA"), "{all}");
    assert!(!get("AWS_SESSION_TOKEN").is_empty(), "{all}");
    assert_eq!(get("RSWITCH_PROFILE"), "wi");
    assert_eq!(web.web_identity_calls().len(), 1, "{all}");

    let moto = open_moto().url();
    let extra = [("AWS_ENDPOINT_URL", moto.as_str())];
    let script = "set -e\neval \"$(rswitch export wi)\"\naws sts get-caller-identity --output json";
    let run = run_program(
        &web.home,
        "bash",
        &["--norc", "--noprofile", "-c", script],
        &extra,
    );
    assert_eq!(run.code, 0, "{run}");
    let who = caller_identity(&run);
    assert_eq!(
        who["Arn"],
        format!("arn:aws:sts::{ACCOUNT}:assumed-role/WebRole/ci-job-42"),
        "{who:#}"
    );
}
