//! `rswitch login` where people run it: over SSH (the URL goes to the terminal's own
//! clipboard through OSC 52 in a real tmux pane, no browser), at a desktop (the browser
//! starts and is not waited for), and in the TUI (`l`, its overlay, and every profile of
//! the session resolving afterwards).

use crate::sso::{ACCOUNT, SESSION, Sso};
use crate::support::sso_portal::{Account, token_cache_path};
use std::time::Duration;

#[test]
fn over_ssh_the_url_goes_to_the_terminal_clipboard_and_no_browser_opens() {
    let sso = Sso::new();
    let opened = sso.home.path().join("browser-opened");
    let browser = sso.home.script(
        "browser",
        &format!("#!/bin/sh\necho \"$1\" >> {}\nsleep 30\n", opened.display()),
    );
    let mut extra: Vec<(&str, String)> = sso.portal.env();
    extra.push(("BROWSER", browser.display().to_string()));
    let remote: Vec<(&str, &str)> = extra
        .iter()
        .map(|(k, v)| (*k, v.as_str()))
        .chain([("SSH_CONNECTION", "10.0.0.1 50000 10.0.0.2 22")])
        .collect();
    let tty = crate::clipboard::terminal(&sso.home, &remote);
    let run = crate::clipboard::typed(&tty, "ssh", "", &format!("login --sso-session {SESSION}"));
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
    let url = format!("{}/device?user_code=WDJB-0001", sso.portal.url());
    assert_eq!(tty.buffer().as_deref(), Some(url.as_str()), "{run}");
    assert!(
        run.stderr.contains("The URL was copied via the terminal (OSC 52"),
        "{run}"
    );
    assert!(!run.stderr.contains("browser"), "{run}");
    assert!(!opened.exists(), "a browser was started over SSH");

    // At a local desktop the browser opens, and the login does not wait for it to exit.
    let local: Vec<(&str, &str)> = extra.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let run = crate::binary::run_env(
        &sso.home,
        &["login", "--sso-session", SESSION, "--no-copy"],
        &local,
    );
    assert_eq!(run.code, 0, "{}", sso.all(&run));
    assert!(
        run.elapsed < Duration::from_secs(20),
        "waited for the browser: {run}"
    );
    assert!(run.stderr.contains("Opening it in a browser"), "{run}");
    let url = format!("{}/device?user_code=WDJB-0002\n", sso.portal.url());
    let start = std::time::Instant::now();
    while !opened.exists() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        std::fs::read_to_string(&opened).ok().as_deref(),
        Some(url.as_str())
    );
}

#[test]
fn the_tui_logs_in_with_l_and_resolves_every_profile_of_the_session() {
    let sso = Sso::new();
    sso.portal.account(Account::new(ACCOUNT, "tools", &["Developer"]));
    let script = sso.home.script(
        "tui.sh",
        &format!(
            "cd \"$HOME\"\n\"{bin}\"\necho \"rswitch exited with $?\"\nexec sleep 600\n",
            bin = env!("CARGO_BIN_EXE_rswitch")
        ),
    );
    let mut env = sso.home.env();
    env.retain(|(k, _)| k != "LANG" && k != "TERM");
    env.push(("LANG".into(), "C.UTF-8".into()));
    env.push(("TERM".into(), "xterm-256color".into()));
    env.push(("PATH".into(), std::env::var("PATH").unwrap_or_default()));
    env.extend(sso.portal.env().into_iter().map(|(k, v)| (k.to_string(), v)));
    let tmux = crate::tmux::Tmux::start(120, 32, &env, &script);
    tmux.wait_for("SSO profiles asking for a login", |s| {
        s.matches("login: press l").count() >= 4 && !s.contains("resolving")
    });
    tmux.keys(&["/"]);
    tmux.type_text("sso-dev");
    tmux.keys(&["Enter", "g", "l"]);
    let shown = tmux.wait_for("the login overlay with the code", |s| {
        s.contains("WDJB-0001") && s.contains("Expires in")
    });
    assert!(shown.contains("IAM Identity Center login"), "{shown}");
    assert!(shown.contains("Profile sso-dev"), "{shown}");
    // Esc stops the login before the portal approves it (on the second poll, a second on).
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("the overlay gone", |s| !s.contains("Esc cancels"));
    assert!(!screen.contains("logged in to sso-session"), "{screen}");
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(
        !token_cache_path(&sso.home, SESSION).exists(),
        "the cancelled login went on"
    );
    // A second `l` runs it to the end; every profile of `corp` resolves then.
    tmux.keys(&["l"]);
    tmux.wait_for("the status line", |s| {
        s.contains("logged in to sso-session 'corp'")
    });
    tmux.keys(&["Escape"]);
    let done = tmux.wait_for("the corp profiles resolved", |s| {
        s.contains("✔ 111111111111 (tools)") && s.contains("✔ 222222222222") && !s.contains("resolving")
    });
    // The legacy profile has its own login, still missing.
    assert_eq!(done.matches("login: press l").count(), 2, "{done}");
    assert!(token_cache_path(&sso.home, SESSION).exists());
    assert_eq!(sso.portal.calls("/device_authorization").len(), 2);
}
