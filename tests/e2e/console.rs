//! `rswitch console` and the TUI's `o`, with the real binary against the built-in demo
//! world (its STS, IMDS and sign-in federation endpoint on loopback, in this process):
//! role chains and the instance-role chain with their one-hour cap, an IAM user through
//! GetFederationToken, a GetSessionToken session refused, a region of another partition
//! refused, and each way out for the URL: `--print` (stdout only), `--copy` (OSC 52 into a
//! tmux pane's clipboard), `--open` (a fake `xdg-open` on PATH that records what it got).
//!
//! Every URL the binary hands out is then used: fetched from the demo's endpoint, it must
//! sign in the expected identity, at the expected destination, for the expected time.

use crate::cli::{self, Run};
use crate::support::{self, Home};
use crate::tui::Tui;
use rswitch::demo::Demo;
use rswitch::demo::federation::ConsoleSignIn;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

const PROD: &str = "arn:aws:sts::222222222222:assumed-role/SwitchToRole/";
const DEPLOY: &str = "arn:aws:sts::222222222222:assumed-role/Deploy/";
const ALICE_FEDERATED: &str = "arn:aws:sts::111111111111:federated-user/alice";

/// The demo world, running on the harness runtime, and a HOME holding its AWS files.
struct DemoHome {
    demo: Demo,
    home: Home,
}

fn demo_home() -> DemoHome {
    let base = rswitch::env::Env::from_vars([("PATH", "/usr/bin:/bin")], None);
    let demo = support::runtime()
        .block_on(rswitch::demo::start_with(&base))
        .expect("the demo world starts");
    let home = Home::new();
    let read = |p: &Path| std::fs::read_to_string(p).expect("demo file");
    home.config(&read(&demo.config_file()))
        .credentials(&read(&demo.credentials_file()));
    DemoHome { demo, home }
}

impl DemoHome {
    fn run(&self, args: &[&str], extra: &[(&str, &str)]) -> Run {
        cli::run_env(&self.home, args, extra)
    }

    /// Follows a sign-in URL as a browser would (one GET) and returns the demo's record
    /// of the console sign-in it made.
    fn sign_in_with(&self, url: &str) -> ConsoleSignIn {
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
fn get(url: &str) -> (u16, String) {
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
fn printed_url(run: &Run, demo: &Demo) -> String {
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
    let run = cli::run(&home, &["console", "alice-mfa", "--print"]);
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

/// A fake `xdg-open` in a fresh directory: it records its arguments, the mode and the text
/// of the file it was given (reading it, as a browser does), in `dir`.
fn fake_browser(dir: &Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin dir");
    let script = bin.join("xdg-open");
    let d = dir.display();
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{d}/args.tmp'\nf=\"${{1#file://}}\"\n\
             stat -c %a \"$f\" > '{d}/mode.txt'\nstat -c %a \"$(dirname \"$f\")\" > '{d}/dirmode.txt'\n\
             cat \"$f\" > '{d}/page.html'\necho \"$f\" > '{d}/path.txt'\nmv '{d}/args.tmp' '{d}/args.txt'\n"
        ),
    )
    .expect("write the fake browser");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display())
}

/// What the fake browser got: its arguments, and the URL its page forwards to. It finishes
/// on its own (rswitch waits only until it has read the page): this waits for it.
fn browser_got(dir: &Path) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !dir.join("args.txt").exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let args = std::fs::read_to_string(dir.join("args.txt")).expect("the browser ran");
    let page = std::fs::read_to_string(dir.join("page.html")).expect("page");
    let url = page
        .split("url=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a meta refresh")
        .replace("&amp;", "&");
    (args, url)
}

#[test]
fn open_hands_the_browser_a_private_page_never_the_url() {
    let d = demo_home();
    let dir = tempfile::tempdir().expect("dir");
    let path = fake_browser(dir.path());
    let display = [("PATH", path.as_str()), ("DISPLAY", ":73")];

    // Headless: --open refuses, and the default prints.
    let run = d.run(&["console", "prod", "--open"], &[("PATH", path.as_str())]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run}");
    assert!(
        run.stderr
            .contains("cannot open a browser here (no DISPLAY or WAYLAND_DISPLAY)"),
        "{run}"
    );
    let run = d.run(
        &["console", "prod"],
        &[
            ("PATH", path.as_str()),
            ("SSH_CONNECTION", "10.0.0.1 1 10.0.0.2 22"),
            ("DISPLAY", ":73"),
        ],
    );
    printed_url(&run, &d.demo);
    assert!(run.stderr.contains("no browser here (an SSH session)"), "{run}");
    assert!(!dir.path().join("args.txt").exists(), "no browser was started");

    // With a display, the default opens.
    let started = Instant::now();
    let run = d.run(&["console", "prod", "-d", "ec2"], &display);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
    assert!(
        run.stderr
            .contains("opened the AWS console in the browser for prod"),
        "{run}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "open must not wait for the browser"
    );
    let (args, url) = browser_got(dir.path());
    assert!(args.starts_with("file://") && args.lines().count() == 1, "{args}");
    assert!(
        !args.contains("SigninToken") && !args.contains("federation"),
        "{args}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("mode.txt"))
            .expect("mode")
            .trim(),
        "600"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("dirmode.txt"))
            .expect("mode")
            .trim(),
        "700"
    );
    let page_path = std::fs::read_to_string(dir.path().join("path.txt")).expect("path");
    assert!(
        !Path::new(page_path.trim()).exists(),
        "the page is removed once read"
    );
    let signed = d.sign_in_with(&url);
    assert!(signed.arn.starts_with(PROD), "{signed:?}");
    assert_eq!(
        signed.destination,
        "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1"
    );
}

#[test]
fn copy_and_the_tui_key_put_the_url_on_the_terminal_clipboard() {
    let d = demo_home();
    // `--copy` in a terminal without a display: OSC 52, kept by tmux as a paste buffer.
    let tty = support::Tty::with_clipboard();
    let mut env = d.home.env();
    env.push((
        "PATH".into(),
        format!(
            "{}:/usr/bin:/bin",
            Path::new(env!("CARGO_BIN_EXE_rswitch"))
                .parent()
                .expect("dir")
                .display()
        ),
    ));
    tty.start(&env, "exec /bin/sh -i");
    let out = tty.dir().join("copy.out");
    tty.send_line(&format!(
        "rswitch console prod-deploy --copy > '{}' 2> '{}.err'; {}",
        out.display(),
        out.display(),
        tty.record("copy.rc")
    ));
    assert_eq!(tty.wait_code("copy.rc"), 0, "{}", tty.screen());
    assert_eq!(
        std::fs::read_to_string(&out).expect("stdout"),
        "",
        "nothing on stdout"
    );
    let err = std::fs::read_to_string(format!("{}.err", out.display())).expect("stderr");
    assert!(
        err.contains("console sign-in URL copied via the terminal (OSC 52"),
        "{err}"
    );
    let copied = tty.buffer().expect("the terminal's clipboard");
    let signed = d.sign_in_with(&copied);
    assert!(signed.arn.starts_with(DEPLOY), "{signed:?}");

    // The TUI's `o` without a display copies too, and says so.
    let tui = Tui::start(&d.home, "C.UTF-8", false, (200, 40));
    tui.tmux.set_server_option("set-clipboard", "on");
    tui.tmux.wait_for("resolved profiles", |s| {
        s.contains("222222222222") && s.contains("AccessDenied") && !s.contains("resolving")
    });
    tui.select("prod-deploy", false);
    tui.tmux.keys(&["o"]);
    let screen = tui.tmux.wait_for("the console's status", |s| {
        s.contains("console sign-in URL copied") || s.contains("rror")
    });
    assert!(
        screen.contains(
            "no browser here (no DISPLAY or WAYLAND_DISPLAY): console sign-in URL copied via the terminal"
        ),
        "{screen}"
    );
    let copied = tui
        .tmux
        .buffer()
        .unwrap_or_else(|| panic!("no tmux buffer:\n{screen}"));
    tui.tmux.keys(&["q"]);
    assert_eq!(tui.finished().0, "0", "{}", tui.tmux.screen());
    let signed = d.sign_in_with(&copied);
    assert!(signed.arn.starts_with(DEPLOY), "{signed:?}");
}

#[test]
fn the_tui_key_opens_the_browser_where_there_is_a_display() {
    let d = demo_home();
    let dir = tempfile::tempdir().expect("dir");
    let path = fake_browser(dir.path());
    let script = d
        .home
        .script("tui.sh", &format!("exec '{}'\n", env!("CARGO_BIN_EXE_rswitch")));
    let mut env = d.home.env();
    env.retain(|(k, _)| k != "LANG" && k != "TERM");
    env.extend([
        ("LANG".to_string(), "C.UTF-8".to_string()),
        ("TERM".into(), "xterm-256color".into()),
        ("PATH".into(), path),
        ("DISPLAY".into(), ":73".into()),
    ]);
    let tmux = crate::tmux::Tmux::start(200, 40, &env, &script);
    tmux.wait_for("resolved profiles", |s| {
        s.contains("222222222222") && s.contains("AccessDenied") && !s.contains("resolving")
    });
    tmux.keys(&["/"]);
    tmux.type_text("prod-from-instance");
    tmux.keys(&["Enter", "g"]);
    tmux.wait_for("prod-from-instance selected", |s| {
        s.lines()
            .next()
            .is_some_and(|top| top.contains("╭ prod-from-instance "))
    });
    tmux.keys(&["o"]);
    let screen = tmux.wait_for("the console's status", |s| {
        s.contains("opened the AWS console") || s.contains("rror")
    });
    assert!(
        screen.contains("opened the AWS console in the browser for prod-from-instance as arn:aws:sts::222222222222:assumed-role/SwitchToRole/"),
        "{screen}"
    );
    let (args, url) = browser_got(dir.path());
    assert!(
        args.starts_with("file://") && !args.contains("SigninToken"),
        "{args}"
    );
    let signed = d.sign_in_with(&url);
    assert!(signed.arn.starts_with(PROD), "{signed:?}");
    tmux.keys(&["q"]);
}
