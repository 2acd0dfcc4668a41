//! The credential server of `shell` and `exec`, end to end: the real binary against the
//! in-process demo STS (real SigV4, real expiry), with the real AWS CLI from the test venv
//! and `examples/sdk_whoami` (aws-config's default chain) as the clients, inside real
//! subshells.

use rswitch::fake_aws::{self, Demo};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime};

const PROD: &str = "arn:aws:sts::222222222222:assumed-role/SwitchToRole/";
const ALICE: &str = "arn:aws:iam::111111111111:user/alice";

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime")
    })
}

fn start_demo(session_seconds: Option<u64>) -> Demo {
    let demo = runtime().block_on(fake_aws::start()).expect("demo starts");
    demo.sts()
        .set_role_session_cap(session_seconds.map(Duration::from_secs));
    demo
}

fn venv_bin() -> PathBuf {
    let venv = std::env::var_os("RSWITCH_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/test-venv"));
    let aws = venv.join("bin/aws");
    assert!(
        aws.exists(),
        "no {}: run `bash tests/run.sh` once or set RSWITCH_TEST_VENV",
        aws.display()
    );
    venv.join("bin")
}

/// `examples/sdk_whoami`, built once per test binary.
fn sdk_whoami() -> &'static Path {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| {
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let status = Command::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "--example",
                "sdk_whoami",
                "--manifest-path",
                manifest,
            ])
            .status()
            .expect("cannot run cargo to build examples/sdk_whoami");
        assert!(status.success(), "cargo build --example sdk_whoami failed");
        let exe = std::env::current_exe().expect("the test binary's path");
        let profile = exe.parent().and_then(Path::parent).expect("<target>/<profile>");
        profile.join("examples/sdk_whoami")
    })
}

/// PATH: rswitch, sdk_whoami, the venv's `aws`, the system.
fn path_var() -> String {
    let rswitch = Path::new(env!("CARGO_BIN_EXE_rswitch"))
        .parent()
        .expect("bin dir");
    let examples = sdk_whoami().parent().expect("examples dir");
    format!(
        "{}:{}:{}:/usr/local/bin:/usr/bin:/bin",
        rswitch.display(),
        examples.display(),
        venv_bin().display()
    )
}

/// The real binary in the demo's environment (plus `extra`), `SHELL=/bin/bash`.
fn rswitch(demo: &Demo, args: &[&str], extra: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rswitch"));
    cmd.args(args)
        .env_clear()
        .envs(demo.env.vars())
        .env("PATH", path_var())
        .env("SHELL", "/bin/bash")
        .env("LANG", "C")
        .envs(extra.iter().copied());
    cmd
}

/// Runs `cmd` with `script` on stdin (a subshell reads its commands from there).
fn run(mut cmd: Command, script: &str) -> Output {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn rswitch");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write the script");
    child.wait_with_output().expect("rswitch output")
}

fn text(out: &Output) -> String {
    format!(
        "status {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn alice_keys(demo: &Demo) -> (String, String) {
    let key = &demo.world.user("alice").expect("alice").access_keys[0];
    (
        key.access_key_id.clone(),
        key.secret_access_key.expose().to_string(),
    )
}

/// A `[default]` profile with alice's keys in the credentials file: the trap botocore and
/// aws-config both fall into before they look at a container endpoint.
fn add_default_keys(demo: &Demo) {
    let (id, secret) = alice_keys(demo);
    let path = demo.credentials_file();
    let mut text = std::fs::read_to_string(&path).expect("credentials file");
    text.push_str(&format!(
        "\n[default]\naws_access_key_id = {id}\naws_secret_access_key = {secret}\n"
    ));
    std::fs::write(&path, text).expect("write credentials");
}

const WHO: &str = r#"echo "keys=${AWS_ACCESS_KEY_ID-none} served=${AWS_CONTAINER_CREDENTIALS_FULL_URI:+yes}"
aws sts get-caller-identity --query Arn --output text
sdk_whoami
"#;

fn assert_served_prod(out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(out.status.success(), "{}", text(out));
    assert_eq!(lines.first(), Some(&"keys=none served=yes"), "{}", text(out));
    assert_eq!(lines.len(), 3, "{}", text(out));
    for arn in &lines[1..] {
        assert!(arn.starts_with(PROD), "not the served identity: {}", text(out));
    }
}

#[test]
fn a_served_shell_is_prod_for_the_cli_and_the_rust_sdk_despite_default_keys() {
    let demo = start_demo(None);
    add_default_keys(&demo);
    // The trap is real: outside rswitch, both tools take [default]'s keys.
    let mut plain = Command::new("bash");
    plain
        .env_clear()
        .envs(demo.env.vars())
        .env("PATH", path_var())
        .env("AWS_DEFAULT_REGION", "eu-west-1")
        .args([
            "-c",
            "aws sts get-caller-identity --query Arn --output text; sdk_whoami",
        ]);
    let plain = run(plain, "");
    assert_eq!(
        String::from_utf8_lossy(&plain.stdout),
        format!("{ALICE}\n{ALICE}\n"),
        "{}",
        text(&plain)
    );
    // Inside a served shell they are prod.
    assert_served_prod(&run(rswitch(&demo, &["shell", "prod"], &[]), WHO));
    assert_served_prod(&run(
        rswitch(&demo, &["exec", "prod", "--", "bash", "-c", WHO], &[]),
        "",
    ));
}

#[test]
fn a_served_shell_is_prod_when_the_parent_had_aws_profile_or_keys() {
    let demo = start_demo(None);
    add_default_keys(&demo);
    let (id, secret) = alice_keys(&demo);
    let parents: [&[(&str, &str)]; 3] = [
        &[("AWS_PROFILE", "alice")],
        &[("AWS_DEFAULT_PROFILE", "alice")],
        &[
            ("AWS_ACCESS_KEY_ID", &id),
            ("AWS_SECRET_ACCESS_KEY", &secret),
            ("AWS_SESSION_TOKEN", "stale"),
        ],
    ];
    for extra in parents {
        let out = run(rswitch(&demo, &["shell", "prod"], extra), WHO);
        assert_served_prod(&out);
    }
}

#[test]
fn a_served_subshell_outlives_its_first_credentials_across_renewals() {
    // 8-second role sessions: renewed after about 5 s; the shell lives about 20 s.
    let demo = start_demo(Some(8));
    let script = r#"
sdk_whoami --repeat 4 --interval 6 > sdk.out 2>&1 &
for i in 1 2 3 4 5; do
  aws sts get-caller-identity --query Arn --output text || echo "aws failed"
  python3 -c '
import json, os, urllib.request
req = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
    headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
print("key", json.load(urllib.request.urlopen(req))["AccessKeyId"])'
  sleep 4
done
wait
sed 's/^/sdk /' sdk.out
"#;
    let work = tempfile::tempdir().expect("tempdir");
    let mut cmd = rswitch(&demo, &["shell", "prod"], &[]);
    cmd.current_dir(work.path());
    let started = Instant::now();
    let out = run(cmd, script);
    let elapsed = started.elapsed();
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let arns: Vec<&str> = stdout.lines().filter(|l| l.starts_with("arn:")).collect();
    let sdk: Vec<&str> = stdout.lines().filter_map(|l| l.strip_prefix("sdk ")).collect();
    let mut keys: Vec<&str> = stdout.lines().filter_map(|l| l.strip_prefix("key ")).collect();
    assert!(elapsed > Duration::from_secs(16), "{elapsed:?}\n{}", text(&out));
    assert_eq!(arns.len(), 5, "{}", text(&out));
    assert!(arns.iter().all(|a| a.starts_with(PROD)), "{}", text(&out));
    assert_eq!(sdk.len(), 4, "the Rust program failed:\n{}", text(&out));
    assert!(sdk.iter().all(|a| a.starts_with(PROD)), "{}", text(&out));
    keys.dedup();
    assert!(keys.len() >= 3, "fewer than two renewals:\n{}", text(&out));

    // The same shell with a one-shot copy fails once its credentials expire.
    let out = run(
        rswitch(&demo, &["shell", "--static", "prod"], &[]),
        "sleep 10; aws sts get-caller-identity --query Arn --output text\n",
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("expired"),
        "{}",
        text(&out)
    );
}

/// Raw requests against the server from inside a served command: what a browser page, a
/// process without the token, or a writer would get.
#[test]
fn the_server_answers_only_get_with_the_token_and_its_own_host() {
    let demo = start_demo(None);
    let script = r#"
import http.client, json, os, urllib.parse
url = urllib.parse.urlsplit(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"])
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
host = url.netloc
def ask(method="GET", path=url.path, headers=None):
    c = http.client.HTTPConnection(url.hostname, url.port, timeout=5)
    c.putrequest(method, path, skip_host=True)
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    c.endheaders()
    r = c.getresponse()
    body = r.read()
    return r.status, body
wrong = "0" * len(token)
cases = {
    "ok": ask(headers={"Host": host, "Authorization": token}),
    "no-token": ask(headers={"Host": host}),
    "wrong-token": ask(headers={"Host": host, "Authorization": wrong}),
    "token-prefix": ask(headers={"Host": host, "Authorization": token[:-1]}),
    "rebound-host": ask(headers={"Host": "attacker.example:%d" % url.port, "Authorization": token}),
    "localhost": ask(headers={"Host": "localhost:%d" % url.port, "Authorization": token}),
    "no-host": ask(headers={"Authorization": token}),
    "post": ask("POST", headers={"Host": host, "Authorization": token, "Content-Length": "0"}),
    "post-no-token": ask("POST", headers={"Host": host, "Content-Length": "0"}),
    "other-path": ask(path="/", headers={"Host": host, "Authorization": token}),
}
for name, (status, body) in cases.items():
    if name == "ok":
        doc = json.loads(body)
        print(name, status, sorted(doc))
    else:
        print(name, status, len(body))
print("len", len(token))
"#;
    let python = venv_bin().join("python");
    let python = python.to_str().expect("utf-8 path");
    let out = run(
        rswitch(&demo, &["exec", "prod", "--", python, "-c", script], &[]),
        "",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ok 200 ['AccessKeyId', 'AccountId', 'Expiration', 'SecretAccessKey', 'Token']\n\
         no-token 403 0\nwrong-token 403 0\ntoken-prefix 403 0\nrebound-host 403 0\n\
         localhost 403 0\nno-host 403 0\npost 405 0\npost-no-token 403 0\nother-path 404 0\n\
         len 64\n",
        "{}",
        text(&out)
    );
    // Neither the token nor a key reaches rswitch's own output.
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("ASIA"),
        "{}",
        text(&out)
    );
}

fn alive(pid: i32) -> bool {
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn wait_for_file(path: &Path) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(path)
            && text.ends_with('\n')
        {
            return text.trim().to_string();
        }
        assert!(Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn wait_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "rswitch is still running");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn refused(url: &str) -> bool {
    let addr = url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .expect("host:port")
        .to_string();
    std::net::TcpStream::connect(addr).is_err()
}

/// Starts `rswitch ARGS` whose child writes its pid and the server's URL to files.
fn start_recording(demo: &Demo, args: &[&str], dir: &Path) -> std::process::Child {
    let mut cmd = rswitch(demo, args, &[]);
    cmd.current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd.spawn().expect("spawn rswitch")
}

#[test]
fn nothing_outlives_a_signal_to_rswitch_or_the_end_of_the_child() {
    use nix::sys::signal::{Signal, kill};
    use nix::unistd::Pid;
    let demo = start_demo(None);
    let record = "echo $AWS_CONTAINER_CREDENTIALS_FULL_URI > url.tmp; mv url.tmp url; echo $$ > pid.tmp; mv pid.tmp pid";

    // SIGTERM to `rswitch exec`: the command gets it, the server goes.
    let dir = tempfile::tempdir().expect("tempdir");
    let script = format!("{record}; exec sleep 300");
    let mut child = start_recording(&demo, &["exec", "prod", "--", "sh", "-c", &script], dir.path());
    let pid: i32 = wait_for_file(&dir.path().join("pid")).parse().expect("pid");
    let url = wait_for_file(&dir.path().join("url"));
    assert!(!refused(&url));
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).expect("kill");
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(128 + 15), "{status:?}");
    assert!(!alive(pid), "the command outlived rswitch");
    assert!(refused(&url), "the server outlived rswitch");

    // SIGHUP to `rswitch shell`: the shell gets it, the server goes.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = start_recording(&demo, &["shell", "prod"], dir.path());
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{record}").expect("write");
    let pid: i32 = wait_for_file(&dir.path().join("pid")).parse().expect("pid");
    let url = wait_for_file(&dir.path().join("url"));
    kill(Pid::from_raw(child.id() as i32), Signal::SIGHUP).expect("kill");
    wait_exit(&mut child);
    assert!(!alive(pid), "the shell outlived rswitch");
    assert!(refused(&url), "the server outlived rswitch");
    drop(stdin);

    // The child ends (killed from outside): rswitch and its server end with it.
    let dir = tempfile::tempdir().expect("tempdir");
    let mut child = start_recording(&demo, &["exec", "prod", "--", "sh", "-c", &script], dir.path());
    let pid: i32 = wait_for_file(&dir.path().join("pid")).parse().expect("pid");
    let url = wait_for_file(&dir.path().join("url"));
    kill(Pid::from_raw(pid), Signal::SIGHUP).expect("kill");
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(128 + 1), "{status:?}");
    assert!(refused(&url), "the server outlived its child");
}

/// Renewals reuse the MFA session and never prompt; when a renewal does need a new code,
/// the endpoint's answer says which command to run.
#[test]
fn renewals_reuse_the_mfa_session_and_never_prompt() {
    use rswitch::resolve::{MfaPrompt, Resolver, ResolverOptions};
    use rswitch::serve::renew::Renewer;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let demo = start_demo(Some(3));
    let set = Arc::new(rswitch::config::load(&demo.env).expect("demo config"));
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = asked.clone();
    let prompt: MfaPrompt = Arc::new(move |_, _| {
        counter.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Ok("123456".to_string()) })
    });
    let resolver = Arc::new(
        Resolver::new(set.clone(), demo.env.clone(), ResolverOptions::default()).with_mfa_prompt(prompt),
    );
    let rt = runtime();
    let first = rt.block_on(resolver.resolve("prod-mfa"));
    let input = first.handover().expect("prod-mfa resolves with the code");
    assert_eq!(asked.load(Ordering::SeqCst), 1);

    // The same resolver renews from its MFA session: new keys, no second code.
    let renewer = Renewer::new(resolver, input.clone(), SystemTime::now());
    std::thread::sleep(Duration::from_secs(3));
    let answer = rt.block_on(renewer.current()).expect("renewed");
    let doc: serde_json::Value = serde_json::from_str(&answer).unwrap();
    assert_ne!(
        doc["AccessKeyId"],
        input.credentials.access_key_id.as_str(),
        "{doc}"
    );
    assert_eq!(renewer.schedule().renewals, 1);
    assert_eq!(asked.load(Ordering::SeqCst), 1, "a renewal asked for a code");

    // Without an MFA session (here: another resolver, cache off), `shell`'s resolver does
    // not prompt: the answer names the command that renews the session.
    let cli = <rswitch::cli::Cli as clap::Parser>::parse_from(["rswitch", "--no-cache", "list"]);
    let closed = Arc::new(AtomicBool::new(false));
    let settings = rswitch::settings::Settings::new(&cli, &demo.env);
    let gated = rswitch::commands::served::gated_resolver(set, &demo.env, &settings, "prod-mfa", closed);
    let renewer = Renewer::new(gated, input, SystemTime::now());
    let error = rt
        .block_on(renewer.current())
        .expect_err("no valid credentials left");
    assert!(
        error.starts_with("profile 'prod-mfa': rswitch could not renew"),
        "{error}"
    );
    assert!(error.contains("rswitch shell prod-mfa"), "{error}");
    let cli = <rswitch::cli::Cli as clap::Parser>::parse_from(["rswitch", "list"]);
    let set = Arc::new(rswitch::config::load(&demo.env).expect("demo config"));
    let settings = rswitch::settings::Settings::new(&cli, &demo.env);
    let gated = rswitch::commands::served::gated_resolver(
        set,
        &demo.env,
        &settings,
        "prod-mfa",
        Arc::new(AtomicBool::new(false)),
    );
    let first = rt.block_on(gated.resolve("prod-mfa"));
    let message = first.failure().expect("no code, no session").error.summary();
    assert!(message.contains("run 'rswitch whoami prod-mfa'"), "{message}");
}

/// `rswitch demo -- CMD`: rswitch itself is on the command's PATH (installed or not), the
/// AWS CLI takes exported credentials to the demo STS, and `--session-seconds` shortens
/// role sessions.
#[test]
fn the_demo_runs_rswitch_and_the_aws_cli_on_its_own_world() {
    let script = r#"set -e
command -v rswitch >/dev/null
eval "$(rswitch export prod)"
aws sts get-caller-identity --query Arn --output text
rswitch export prod --format json | python3 -c '
import json, sys, datetime
doc = json.load(sys.stdin)
exp = datetime.datetime.fromisoformat(doc["Credentials"]["Expiration"].replace("Z", "+00:00"))
left = (exp - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
print("short" if 0 < left <= 31 else "long %d" % left)'
"#;
    // PATH without rswitch's own directory: only the venv (aws) and the system.
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", venv_bin().display());
    let out = Command::new(env!("CARGO_BIN_EXE_rswitch"))
        .args(["demo", "--session-seconds", "30", "--", "bash", "-c", script])
        .env_clear()
        .env("PATH", path)
        .env("HOME", std::env::temp_dir())
        .env("LANG", "C")
        .env("USER", "tester")
        .output()
        .expect("rswitch demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(stdout, format!("{PROD}rswitch-tester\nshort\n"), "{}", text(&out));
}
