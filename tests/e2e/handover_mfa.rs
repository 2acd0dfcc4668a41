//! MFA typed once, in a real terminal (tmux): roles that share a source user and an
//! `mfa_serial` are assumed from one GetSessionToken session, asked for once, cached
//! with the roles, and held for the run even with `--no-cache`.

use crate::handover::shell_env;
use crate::handover_cache::{cache_dir, entries, mode, read_entry};
use crate::support::{Fault, Home, Moto, Proxy, Tty};
use std::sync::OnceLock;

/// A moto with IAM enforcement off (as moto starts), for MFA sessions. moto's
/// GetSessionToken answers fixed example keys (`AKIAIOSFODNN7EXAMPLE`) that its own
/// enforcement does not know, so with enforcement on every AssumeRole made from an MFA
/// session fails with InvalidClientTokenId; AWS accepts them. moto does not check MFA
/// codes either: what is tested here is how often rswitch asks and calls.
fn open_moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(Moto::start)
}

const ALICE_KEY: &str = "AKIAMFAALICE00000001";
const MFA_SERIAL: &str = "arn:aws:iam::111111111111:mfa/alice";

/// alice with an MFA device, and two roles that share her and the device.
fn mfa_home(endpoint: &str) -> Home {
    let home = Home::new();
    let role = |name: &str, role: &str| {
        format!(
            "[profile {name}]\nrole_arn = arn:aws:iam::333333333333:role/{role}\nsource_profile = alice\n\
             mfa_serial = {MFA_SERIAL}\nregion = us-east-1\nendpoint_url = {endpoint}\n\n"
        )
    };
    home.config(&format!(
        "[profile alice]\nregion = us-east-1\nendpoint_url = {endpoint}\n\n{}{}",
        role("mfa-a", "MfaA"),
        role("mfa-b", "MfaB")
    ));
    home.credentials(&format!(
        "[alice]\naws_access_key_id = {ALICE_KEY}\naws_secret_access_key = alice-secret\n"
    ));
    home
}

/// Runs `rswitch ARGS > out 2> err` in a fresh terminal; `code` types the MFA code when
/// asked. Returns (exit code, screen, stdout, stderr).
fn in_terminal(home: &Home, args: &str, code: Option<&str>) -> (i32, String, String, String) {
    let tty = Tty::new();
    let d = tty.dir().display().to_string();
    tty.start(
        &shell_env(home),
        &format!("rswitch {args} > {d}/out 2> {d}/err; {}", tty.record("rc")),
    );
    if let Some(code) = code {
        tty.wait_for("MFA code for");
        tty.send_line(code);
    }
    let rc = tty.wait_code("rc");
    let read = |n: &str| std::fs::read_to_string(format!("{d}/{n}")).unwrap_or_default();
    (rc, tty.screen(), read("out"), read("err"))
}

#[test]
fn mfa_code_is_typed_once_for_two_roles_and_then_cached() {
    let proxy = Proxy::start(&open_moto().url());
    let home = mfa_home(&proxy.url());
    let (rc, screen, out, err) = in_terminal(&home, "check --mfa mfa-a mfa-b", Some("123456"));
    let all = format!(
        "screen:\n{screen}\nstdout:\n{out}\nstderr:\n{err}\n{:?}",
        proxy.seen()
    );
    assert_eq!(rc, 0, "{all}");
    assert_eq!(
        screen.matches("MFA code for").count(),
        1,
        "asked more than once: {all}"
    );
    assert!(screen.contains(&format!("MFA code for {MFA_SERIAL}")), "{all}");
    assert!(
        !out.contains("MFA") && !err.contains("MFA code for"),
        "the prompt is on the terminal only: {all}"
    );
    for profile in ["mfa-a", "mfa-b"] {
        assert!(
            out.lines().any(|l| l.starts_with("OK") && l.contains(profile)),
            "{profile} not OK: {all}"
        );
    }
    assert_eq!(proxy.count("GetSessionToken"), 1, "{all}");
    assert_eq!(proxy.count("AssumeRole"), 2, "{all}");

    // Both roles were assumed with the MFA session (the cached GetSessionToken
    // credentials), not with alice's long-term key.
    let sessions: Vec<_> = std::fs::read_dir(cache_dir(&home).join("rswitch-mfa"))
        .expect("the MFA session cache")
        .filter_map(|e| e.ok())
        .collect();
    assert_eq!(sessions.len(), 1, "{all}");
    assert_eq!(mode(&sessions[0].path()), 0o600);
    let session = read_entry(&sessions[0].path());
    let session_key = session["Credentials"]["AccessKeyId"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_ne!(session_key, ALICE_KEY);
    for r in proxy.seen() {
        let want = if r.action == "GetSessionToken" {
            ALICE_KEY
        } else {
            session_key.as_str()
        };
        // GetCallerIdentity and the account-alias lookup are made with the roles' own keys.
        if !matches!(r.action.as_str(), "GetCallerIdentity" | "ListAccountAliases") {
            assert_eq!(r.access_key.as_deref(), Some(want), "{all}");
        }
    }

    // Later: an export of either asks nothing and calls nothing (roles cached).
    proxy.reset();
    let (rc, screen, out, err) = in_terminal(&home, "export mfa-b", None);
    assert_eq!(rc, 0, "{screen}{err}");
    assert!(!screen.contains("MFA code"), "{screen}");
    assert!(out.contains("export RSWITCH_PROFILE='mfa-b'"), "{out}");
    assert_eq!(proxy.total(), 0, "{:?}", proxy.seen());

    // Without the role entries, the cached MFA session still serves: no question, no
    // GetSessionToken, one AssumeRole signed by the session.
    for name in entries(&home) {
        std::fs::remove_file(cache_dir(&home).join(name)).expect("remove a role entry");
    }
    let (rc, screen, _, err) = in_terminal(&home, "export mfa-a", None);
    assert_eq!(rc, 0, "{screen}{err}");
    assert!(!screen.contains("MFA code"), "{screen}");
    assert_eq!(proxy.count("GetSessionToken"), 0, "{:?}", proxy.seen());
    assert_eq!(proxy.count("AssumeRole"), 1, "{:?}", proxy.seen());
    let assume = proxy.seen().into_iter().find(|r| r.action == "AssumeRole");
    assert_eq!(
        assume.and_then(|r| r.access_key).as_deref(),
        Some(session_key.as_str())
    );
}

#[test]
fn mfa_code_is_typed_once_without_the_cache_too() {
    let proxy = Proxy::start(&open_moto().url());
    let home = mfa_home(&proxy.url());
    let args = "--no-cache check --mfa mfa-a mfa-b";
    let (rc, screen, out, err) = in_terminal(&home, args, Some("123456"));
    let all = format!(
        "screen:\n{screen}\nstdout:\n{out}\nstderr:\n{err}\n{:?}",
        proxy.seen()
    );
    assert_eq!(rc, 0, "{all}");
    // A second prompt would leave the command waiting: wait_code above would time out.
    assert_eq!(screen.matches("MFA code for").count(), 1, "{all}");
    assert_eq!(proxy.count("GetSessionToken"), 1, "{all}");
    assert_eq!(proxy.count("AssumeRole"), 2, "{all}");
    assert!(!cache_dir(&home).exists(), "--no-cache wrote the cache: {all}");
}

#[test]
fn a_kept_mfa_session_that_sts_rejects_is_dropped_and_asked_for_again() {
    let proxy = Proxy::start(&open_moto().url());
    let home = mfa_home(&proxy.url());
    let (rc, screen, _, err) = in_terminal(&home, "export mfa-a", Some("123456"));
    assert_eq!(rc, 0, "{screen}{err}");
    let session_dir = cache_dir(&home).join("rswitch-mfa");
    let count_sessions = || std::fs::read_dir(&session_dir).map_or(0, |d| d.count());
    assert_eq!(count_sessions(), 1);

    // mfa-b has no role entry yet, so it is assumed with the kept MFA session; STS
    // answers that the session expired (revoked early, or the user's keys rotated).
    proxy.reset();
    proxy.fail_next_action("AssumeRole", 1, Fault::ExpiredToken);
    let (rc, screen, out, err) = in_terminal(&home, "export mfa-b", Some("654321"));
    let all = format!(
        "screen:\n{screen}\nstdout:\n{out}\nstderr:\n{err}\n{:?}",
        proxy.seen()
    );
    assert_eq!(rc, 0, "{all}");
    assert_eq!(screen.matches("MFA code for").count(), 1, "{all}");
    assert!(out.contains("export RSWITCH_PROFILE='mfa-b'"), "{all}");
    assert_eq!(proxy.count("AssumeRole"), 2, "{all}");
    assert_eq!(proxy.count("GetSessionToken"), 1, "{all}");
    assert_eq!(
        count_sessions(),
        1,
        "the fresh session replaced the rejected one: {all}"
    );

    // The fresh session is kept: the next role asks nothing.
    for name in entries(&home) {
        std::fs::remove_file(cache_dir(&home).join(name)).expect("remove a role entry");
    }
    proxy.reset();
    let (rc, screen, _, err) = in_terminal(&home, "export mfa-a", None);
    assert_eq!(rc, 0, "{screen}{err}");
    assert!(!screen.contains("MFA code"), "{screen}");
    assert_eq!(proxy.count("GetSessionToken"), 0, "{:?}", proxy.seen());
}
