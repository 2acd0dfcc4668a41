//! rswitch against a hostile STS on loopback: an endpoint a profile names is untrusted.
//! Its answers reach the terminal only through the sanitizer (escape sequences in an
//! ARN, C1 controls in JSON, a newline forging a line), never carry the credentials of a
//! 2xx body into an error, are read with a cap, and never outlast `--timeout`.
//!
//! The server is rswitch's own loopback HTTP server with a handler that answers each
//! Query API action as the test says; the binary is the real one, in a temporary HOME.
//! What talks to `/dev/tty` (the shell banner, the MFA prompt) runs in a tmux pane.

mod support;
#[allow(dead_code)]
#[path = "e2e/tmux.rs"]
mod tmux;

use bytes::Bytes;
use rswitch::fake_aws::loopback::{self, Response, Server};
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{Home, Tty};

/// An ARN that clears the screen, writes the clipboard (OSC 52) and retitles the pane,
/// with a C1 CSI, XML-escaped as a server would send it.
const EVIL_ARN_XML: &str = "arn:aws:sts::111111111111:assumed-role/First/s&#x1b;[2J&#x1b;]52;c;ZXZpbA==&#x7;&#x1b;]0;TITLE&#x7;&#x9b;31mred";
/// Credentials of a 2xx answer rswitch cannot read: they must never be shown.
const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzSECRETzKEY";
const TOKEN: &str = "IQoJb3JpZ2luX2VjEHostileSessionTokenValue0123456789";

/// What the server does with one action.
#[derive(Clone)]
enum Answer {
    Now(Response),
    Hang,
}

type Script = Arc<dyn Fn(&str) -> Answer + Send + Sync>;

/// A hostile STS (and IAM: the doctor asks the same endpoint) answering per `Action`.
fn hostile(script: impl Fn(&str) -> Answer + Send + Sync + 'static) -> Server {
    let script: Script = Arc::new(script);
    let handler = loopback::handler(move |req| {
        let action = form_urlencoded::parse(&req.body)
            .find(|(k, _)| k == "Action")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let answer = script(&action);
        async move {
            match answer {
                Answer::Now(response) => response,
                Answer::Hang => {
                    tokio::time::sleep(Duration::from_secs(600)).await;
                    Response::text(500, "late")
                }
            }
        }
    });
    support::runtime()
        .block_on(Server::start(handler))
        .expect("start the hostile server")
}

fn xml(status: u16, body: impl Into<Bytes>) -> Answer {
    Answer::Now(Response::new(status, "text/xml", body))
}

fn assumed(arn: &str, expiration: &str) -> Answer {
    xml(
        200,
        format!(
            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>\
             <Credentials><AccessKeyId>ASIAHOSTILEEXAMPLE01</AccessKeyId><SecretAccessKey>{SECRET}</SecretAccessKey>\
             <SessionToken>{TOKEN}</SessionToken><Expiration>{expiration}</Expiration></Credentials>\
             <AssumedRoleUser><AssumedRoleId>AROAHOSTILE:s</AssumedRoleId><Arn>{arn}</Arn></AssumedRoleUser>\
             </AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>"
        ),
    )
}

fn denied(message: &str) -> Answer {
    xml(
        403,
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
             <Code>AccessDenied</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
        ),
    )
}

fn caller() -> Answer {
    xml(
        200,
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>\
         <Arn>arn:aws:iam::111111111111:user/alice</Arn><UserId>AIDAALICE</UserId><Account>111111111111</Account>\
         </GetCallerIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetCallerIdentityResponse>",
    )
}

/// Long-term keys `base`, `hop1` (one AssumeRole) and `hop2` (two), all on `server`;
/// `extra` is appended to the config.
fn home(server: &Server, extra: &str) -> Home {
    let url = server.url();
    let home = Home::new();
    home.credentials(
        "[base]\naws_access_key_id = AKIAHOSTILEEXAMPLE01\naws_secret_access_key = base/secret/key/EXAMPLE\n",
    );
    home.config(&format!(
        "[profile base]\nregion = us-east-1\nendpoint_url = {url}\n\n\
         [profile hop1]\nrole_arn = arn:aws:iam::111111111111:role/First\nsource_profile = base\n\
         region = us-east-1\nendpoint_url = {url}\n\n\
         [profile hop2]\nrole_arn = arn:aws:iam::111111111111:role/Second\nsource_profile = hop1\n\
         region = us-east-1\nendpoint_url = {url}\n\n{extra}"
    ));
    home
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    elapsed: Duration,
}

fn run(home: &Home, args: &[&str]) -> Run {
    let start = Instant::now();
    let out: Output = home.cmd().args(args).output().expect("run rswitch");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

impl Run {
    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Characters a terminal acts on; `\n` (and `\t`) are layout.
fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| rswitch::text::is_unsafe(c) && c != '\n' && c != '\t')
        .collect()
}

#[test]
fn an_arn_with_escape_sequences_is_shown_escaped_in_text_and_json() {
    let server = hostile(|action| match action {
        "AssumeRole" => assumed(EVIL_ARN_XML, "2099-01-01T00:00:00Z"),
        _ => caller(),
    });
    let home = home(&server, "");
    for args in [
        &["whoami", "--no-cache", "hop1"][..],
        &["whoami", "--no-cache", "--json", "hop1"],
        &["check", "--no-cache", "hop1"],
        &["check", "--no-cache", "--json", "hop1"],
    ] {
        let run = run(&home, args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.all());
        assert_eq!(
            raw_controls(&run.all()),
            Vec::<char>::new(),
            "{args:?}: {:?}",
            run.all()
        );
        assert!(run.stdout.contains("ZXZpbA=="), "{args:?}: {}", run.stdout);
    }
    let json = run(&home, &["whoami", "--no-cache", "--json", "hop1"]).stdout;
    assert!(json.contains(r"\u009b31mred"), "C1 CSI escaped in JSON: {json}");
    let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert!(
        value.to_string().contains("\u{9b}31mred"),
        "the JSON value is intact"
    );
}

#[test]
fn an_sts_message_cannot_forge_a_line() {
    let server = hostile(|action| match action {
        "AssumeRole" => denied(
            "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole\n\
             status    OK\nexpires   never",
        ),
        _ => caller(),
    });
    let home = home(&server, "");
    for args in [
        &["whoami", "--no-cache", "hop1"][..],
        &["export", "--no-cache", "hop1"],
    ] {
        let run = run(&home, args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.all());
        let all = run.all();
        let forged: Vec<&str> = all
            .lines()
            .filter(|l| l.starts_with("status    OK") || l.starts_with("expires"))
            .map(str::trim)
            .collect();
        assert!(
            forged.is_empty(),
            "{args:?}: forged lines {forged:?} in\n{}",
            run.all()
        );
        assert!(all.contains("status    DENIED"), "{args:?}: {all}");
    }
}

#[test]
fn a_2xx_answer_rswitch_cannot_read_never_shows_its_credentials() {
    for expiration in ["1798761940", "2026-12-30 23:45:40"] {
        let server = hostile(move |action| match action {
            "AssumeRole" => assumed("arn:aws:sts::111111111111:assumed-role/First/s", expiration),
            _ => caller(),
        });
        let home = home(&server, "");
        for args in [
            &["whoami", "--no-cache", "hop1"][..],
            &["whoami", "--no-cache", "--json", "hop1"],
            &["export", "--no-cache", "hop1"],
            &["check", "--no-cache", "hop1"],
            &["check", "--no-cache", "--json", "hop1"],
            &["doctor", "--no-cache", "hop1"],
            &["doctor", "--no-cache", "--json", "hop1"],
        ] {
            let run = run(&home, args);
            assert_ne!(run.code, 0, "{args:?}: {}", run.all());
            let all = run.all();
            assert!(
                !all.contains(SECRET) && !all.contains(TOKEN) && !all.contains("<Credentials>"),
                "{expiration}: {args:?} shows the answer's credentials:\n{all}"
            );
            assert!(all.contains("HTTP 200"), "{args:?}: {all}");
        }
    }
}

#[test]
fn error_bodies_lose_their_credentials_and_are_cut() {
    let filler = "x".repeat(40 * 1024);
    let uncoded = format!(
        "<Oops><SecretAccessKey>{SECRET}</SecretAccessKey><SessionToken>{TOKEN}</SessionToken>{filler}</Oops>"
    );
    let coded = format!(
        "<ErrorResponse><Error><Code>AccessDenied</Code><Message>echo: &lt;SecretAccessKey&gt;{SECRET}\
         &lt;/SecretAccessKey&gt; {filler}</Message></Error></ErrorResponse>"
    );
    for body in [uncoded, coded] {
        let server = hostile(move |action| match action {
            "AssumeRole" => xml(403, body.clone()),
            _ => caller(),
        });
        let home = home(&server, "");
        for args in [
            &["whoami", "--no-cache", "hop1"][..],
            &["whoami", "--no-cache", "--json", "hop1"],
        ] {
            let run = run(&home, args);
            assert_eq!(run.code, 1, "{args:?}: {}", run.all());
            let all = run.all();
            assert!(!all.contains(SECRET) && !all.contains(TOKEN), "{args:?}: {all}");
            assert!(
                all.contains("<SecretAccessKey>(removed)</SecretAccessKey>"),
                "{args:?}: {all}"
            );
            assert!(all.len() < 8 * 1024, "{args:?}: {} bytes of output", all.len());
        }
    }
}

/// Peak RSS in KiB and the run of `rswitch args` under `/usr/bin/time`.
fn peak_rss(home: &Home, args: &[&str]) -> (u64, Run) {
    peak_rss_with(home, args, &[])
}

/// [`peak_rss`] with `KEY=VALUE` variables added to the home's environment.
fn peak_rss_with(home: &Home, args: &[&str], vars: &[&str]) -> (u64, Run) {
    let report = home.path().join("time.txt");
    let mut cmd = std::process::Command::new("/usr/bin/time");
    cmd.arg("-f").arg("%M").arg("-o").arg(&report);
    cmd.arg(assert_cmd::cargo::cargo_bin("rswitch")).args(args);
    cmd.env_clear().envs(home.env());
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    for var in vars {
        let (k, v) = var.split_once('=').expect("KEY=VALUE");
        cmd.env(k, v);
    }
    let start = Instant::now();
    let out = cmd.output().expect("run /usr/bin/time rswitch");
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    };
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let kib = text.trim().lines().last().and_then(|l| l.trim().parse().ok());
    (kib.unwrap_or_else(|| panic!("no RSS figure in {text:?}")), run)
}

#[test]
fn a_100_mb_answer_is_not_read_nor_printed() {
    let huge = Bytes::from(vec![b'x'; 100 << 20]);
    for status in [403u16, 200] {
        let body = huge.clone();
        let server = hostile(move |_| xml(status, body.clone()));
        let home = home(&server, "");
        for args in [
            &["whoami", "--no-cache", "--timeout", "20", "hop1"][..],
            &["whoami", "--no-cache", "--timeout", "20", "--json", "hop1"],
        ] {
            let (rss_kib, run) = peak_rss(&home, args);
            assert_eq!(run.code, 1, "{status} {args:?}: {}", run.all());
            assert!(
                run.all().len() < 8 * 1024,
                "{status} {args:?}: {} bytes printed",
                run.all().len()
            );
            assert!(
                run.all().contains("larger than 64 KiB"),
                "{status} {args:?}: {}",
                run.all()
            );
            assert!(rss_kib < 100 * 1024, "{status} {args:?}: peak RSS {rss_kib} KiB");
        }
    }
}

/// A server that answers every request with `status` and a 100 MB body sent in chunks,
/// without Content-Length (with IMDSv2's token TTL header, so an instance metadata client
/// reads it too): the cap must hold while the body streams. Stops with the
/// runtime's tasks when the test process ends; returns its URL.
fn streaming_100_mb(status: u16) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = support::runtime()
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    support::runtime().spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0u8; 64 * 1024];
                let _ = conn.read(&mut request).await;
                let head = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: text/xml\r\ntransfer-encoding: chunked\r\n\
                     x-aws-ec2-metadata-token-ttl-seconds: 21600\r\n\r\n"
                );
                if conn.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("100000\r\n{}\r\n", "x".repeat(1 << 20));
                for _ in 0..100 {
                    if conn.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                }
                let _ = conn.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    url
}

#[test]
fn a_streamed_100_mb_answer_is_cut_at_the_cap() {
    for status in [403u16, 200] {
        let url = streaming_100_mb(status);
        let home = Home::new();
        home.credentials(
            "[base]\naws_access_key_id = AKIAHOSTILEEXAMPLE01\naws_secret_access_key = base/secret/key/EXAMPLE\n",
        );
        home.config(&format!(
            "[profile hop1]\nrole_arn = arn:aws:iam::111111111111:role/First\nsource_profile = base\n\
             region = us-east-1\nendpoint_url = {url}\n"
        ));
        let (rss_kib, run) = peak_rss(&home, &["whoami", "--no-cache", "--timeout", "20", "hop1"]);
        assert_eq!(run.code, 1, "{status}: {}", run.all());
        assert!(
            run.all().contains("larger than 64 KiB"),
            "{status}: {}",
            run.all()
        );
        assert!(rss_kib < 100 * 1024, "{status}: peak RSS {rss_kib} KiB");
    }
}

/// Base credentials come through aws-config's providers (IMDS, the container endpoint,
/// IAM Identity Center): their answers are capped as STS's are, streamed or declared.
#[test]
fn a_100_mb_credentials_answer_is_cut_at_the_cap() {
    let huge = Bytes::from(vec![b'x'; 100 << 20]);
    let declared = hostile(move |_| xml(200, huge.clone()));
    for url in [streaming_100_mb(200), declared.url()] {
        credentials_answer_is_cut(&url);
    }
}

fn credentials_answer_is_cut(url: &str) {
    let home = Home::new();
    home.config(&format!(
        "[profile instance]\ncredential_source = Ec2InstanceMetadata\n\
         role_arn = arn:aws:iam::111111111111:role/First\nregion = us-east-1\n\
         ec2_metadata_service_endpoint = {url}\nendpoint_url = http://127.0.0.1:9\n\n\
         [profile container]\ncredential_source = EcsContainer\n\
         role_arn = arn:aws:iam::111111111111:role/First\nregion = us-east-1\n\
         endpoint_url = http://127.0.0.1:9\n"
    ));
    let container = format!("AWS_CONTAINER_CREDENTIALS_FULL_URI={url}/creds");
    for profile in ["instance", "container"] {
        let args = ["whoami", "--no-cache", "--timeout", "20", profile];
        let (rss_kib, run) = if profile == "container" {
            peak_rss_with(&home, &args, &[container.as_str()])
        } else {
            peak_rss(&home, &args)
        };
        assert_eq!(run.code, 1, "{profile}: {}", run.all());
        assert!(
            run.all().contains("larger than 64 KiB"),
            "{profile}: {}",
            run.all()
        );
        assert!(
            run.all().len() < 8 * 1024,
            "{profile}: {} bytes printed",
            run.all().len()
        );
        assert!(rss_kib < 100 * 1024, "{url} {profile}: peak RSS {rss_kib} KiB");
    }
}

/// `rswitch login` talks to IAM Identity Center through its own clients: capped too.
#[test]
fn a_streamed_100_mb_sso_answer_is_cut_at_the_cap() {
    let url = streaming_100_mb(200);
    let home = Home::new();
    home.config(
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n",
    );
    let oidc = format!("AWS_ENDPOINT_URL_SSO_OIDC={url}");
    let args = ["login", "--sso-session", "corp", "--timeout", "20"];
    let (rss_kib, run) = peak_rss_with(&home, &args, &[oidc.as_str(), "BROWSER=true"]);
    assert_ne!(run.code, 0, "{}", run.all());
    assert!(run.all().len() < 8 * 1024, "{} bytes printed", run.all().len());
    assert!(rss_kib < 100 * 1024, "peak RSS {rss_kib} KiB: {}", run.all());
    assert!(
        run.stderr
            .contains("RegisterClient: the answer is larger than 1024 KiB: not read"),
        "{}",
        run.all()
    );
}

/// Wall time allowed over `--timeout`: process start and exit on a loaded machine.
const MARGIN: Duration = Duration::from_millis(900);

#[test]
fn a_hung_sts_stops_a_two_hop_chain_at_the_timeout() {
    let server = hostile(|_| Answer::Hang);
    let home = home(&server, "");
    for args in [
        &["whoami", "--no-cache", "--timeout", "2", "hop2"][..],
        &["export", "--no-cache", "--timeout", "2", "hop2"],
        &["check", "--no-cache", "--timeout", "2", "hop1", "hop2"],
    ] {
        let run = run(&home, args);
        assert_eq!(run.code, 1, "{args:?}: {}", run.all());
        assert!(
            run.all().contains("timed out after 2 s"),
            "{args:?}: {}",
            run.all()
        );
        assert!(
            run.elapsed < Duration::from_secs(2) + MARGIN,
            "{args:?} took {:?} with --timeout 2",
            run.elapsed
        );
    }
}

#[test]
fn the_doctor_asks_iam_within_the_timeout() {
    let server = hostile(|action| match action {
        "AssumeRole" => denied(
            "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/First",
        ),
        "GetCallerIdentity" => caller(),
        _ => Answer::Hang,
    });
    let home = home(&server, "");
    let run = run(&home, &["doctor", "--no-cache", "--timeout", "2", "hop1"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let iam = run.stdout.split("IAM checks").last().unwrap_or_default();
    assert!(iam.contains("--timeout"), "the IAM calls were cut: {iam}");
    assert!(
        run.elapsed < Duration::from_secs(2) + MARGIN,
        "doctor took {:?} with --timeout 2",
        run.elapsed
    );
}

#[test]
fn the_doctor_reads_iam_answers_with_a_cap() {
    let huge = Bytes::from(vec![b'x'; 100 << 20]);
    let server = hostile(move |action| match action {
        "AssumeRole" => denied(
            "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role/First",
        ),
        "GetCallerIdentity" => caller(),
        _ => xml(200, huge.clone()),
    });
    let home = home(&server, "");
    let (rss_kib, run) = peak_rss(&home, &["doctor", "--no-cache", "--timeout", "20", "hop1"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let iam = run.stdout.split("IAM checks").last().unwrap_or_default();
    assert!(iam.contains("length limit exceeded"), "{iam}");
    assert!(run.all().len() < 16 * 1024, "{} bytes printed", run.all().len());
    assert!(rss_kib < 100 * 1024, "peak RSS {rss_kib} KiB");
}

/// `rswitch shell` prints who the shell is on stderr (the terminal); `rswitch` runs in a
/// tmux pane with `set-clipboard on`, so an OSC 52 that got through would fill a buffer.
#[test]
fn the_shell_banner_shows_an_evil_arn_escaped() {
    let server = hostile(|action| match action {
        "AssumeRole" => assumed(EVIL_ARN_XML, "2099-01-01T00:00:00Z"),
        _ => caller(),
    });
    let home = home(&server, "");
    let tty = Tty::with_clipboard();
    let bin = assert_cmd::cargo::cargo_bin("rswitch");
    let mut env = home.env();
    env.push(("SHELL".into(), "/bin/true".into()));
    tty.start(
        &env,
        &format!(
            "'{}' shell --no-cache hop1; {}\nsleep 60",
            bin.display(),
            tty.record("code")
        ),
    );
    assert_eq!(tty.wait_code("code"), 0, "{}", tty.screen());
    let screen = tty.screen();
    assert!(screen.contains(r"s\u{1b}[2J\u{1b}]52;c;ZXZpbA=="), "{screen}");
    assert_eq!(tty.buffer(), None, "the banner wrote the clipboard");
    assert_ne!(tty.var("pane_title"), "TITLE", "the banner retitled the pane");
}

/// The MFA prompt names `mfa_serial` from the config; a value with escapes is shown
/// escaped.
#[test]
fn the_mfa_prompt_shows_an_evil_serial_escaped() {
    let server = hostile(|action| match action {
        "GetSessionToken" => denied("MultiFactorAuthentication failed with invalid MFA one time pass code."),
        _ => caller(),
    });
    let serial = "arn:aws:iam::111111111111:mfa/alice\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}]0;TITLE\u{7}";
    let home = home(
        &server,
        &format!(
            "[profile mfa]\nrole_arn = arn:aws:iam::111111111111:role/First\nsource_profile = base\n\
             mfa_serial = {serial}\nregion = us-east-1\nendpoint_url = {}\n",
            server.url()
        ),
    );
    let tty = Tty::with_clipboard();
    let bin = assert_cmd::cargo::cargo_bin("rswitch");
    tty.start(
        &home.env(),
        &format!(
            "'{}' whoami --no-cache mfa; {}\nsleep 60",
            bin.display(),
            tty.record("code")
        ),
    );
    let screen = tty.wait_for("MFA code for");
    assert!(screen.contains(r"mfa/alice\u{1b}]52;c;ZXZpbA==\u{7}"), "{screen}");
    assert_eq!(tty.buffer(), None, "the prompt wrote the clipboard");
    assert_ne!(tty.var("pane_title"), "TITLE", "the prompt retitled the pane");
    tty.send_line("123456");
    assert_eq!(tty.wait_code("code"), 1, "{}", tty.screen());
}

/// The TUI's `s` prints the same banner on the terminal before the subshell starts.
#[test]
fn the_tui_shell_banner_shows_an_evil_arn_escaped() {
    let server = hostile(|action| match action {
        "AssumeRole" => assumed(EVIL_ARN_XML, "2099-01-01T00:00:00Z"),
        _ => caller(),
    });
    let home = home(&server, "");
    let script = home.script(
        "tui.sh",
        &format!(
            "cd \"$HOME\"\n'{}' --no-cache\necho \"rswitch exited with $?\"\nexec sleep 600\n",
            env!("CARGO_BIN_EXE_rswitch")
        ),
    );
    let mut env = home.env();
    env.retain(|(k, _)| k != "TERM");
    env.push(("TERM".into(), "xterm-256color".into()));
    env.push(("SHELL".into(), "/bin/true".into()));
    env.push(("PATH".into(), std::env::var("PATH").unwrap_or_default()));
    let tmux = tmux::Tmux::start(160, 40, &env, &script);
    tmux.set_server_option("set-clipboard", "on");
    tmux.wait_for("all three profiles resolved", |s| s.matches(" OK ").count() == 3);
    tmux.keys(&["/"]);
    tmux.type_text("hop1");
    tmux.keys(&["Enter", "g", "s"]);
    tmux.wait_for("the subshell to end", |s| s.contains("exited with status"));
    assert_eq!(tmux.buffer(), None, "the banner wrote the clipboard");
    assert_ne!(tmux.var("pane_title"), "TITLE", "the banner retitled the pane");
    tmux.keys(&["q"]);
    tmux.wait_for("rswitch to exit", |s| s.contains("rswitch exited with"));
}
