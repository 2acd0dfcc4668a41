//! The ways out for a console sign-in URL, with the real binary on the demo world:
//! `--open` and the default with a display (a fake `xdg-open` on PATH that records what it
//! got), `--copy` (OSC 52 into a tmux pane's clipboard), and the TUI's `o` (copies where
//! no browser can open, opens where one can). Every URL is then followed and must sign in.

use crate::console::{DEPLOY, PROD, demo_home, printed_url};
use crate::support;
use crate::tui::Tui;
use std::path::Path;
use std::time::{Duration, Instant};

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

/// A shell in a tmux pane whose clipboard (`set-clipboard on`) keeps what OSC 52 sends,
/// with the demo home's environment and rswitch on its PATH.
fn shell_with_clipboard(home: &support::Home) -> support::Tty {
    let tty = support::Tty::with_clipboard();
    let mut env = home.env();
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
    tty
}

#[test]
fn copy_clear_after_takes_the_url_back_out_of_tmux() {
    let d = demo_home();
    let tty = shell_with_clipboard(&d.home);
    let err = tty.dir().join("copy.err");
    tty.send_line(&format!(
        "{}; rswitch console prod-deploy --copy --clear-after 2 2> '{}'; {}",
        tty.export_tmux_var(),
        err.display(),
        tty.record("copy.rc")
    ));
    assert_eq!(tty.wait_code("copy.rc"), 0, "{}", tty.screen());
    let said = std::fs::read_to_string(&err).expect("stderr");
    assert!(said.contains("console sign-in URL copied"), "{said}");
    let start = Instant::now();
    let copied = tty
        .buffers()
        .into_iter()
        .find(|b| b.starts_with("http"))
        .unwrap_or_else(|| panic!("no buffer holds the URL: {said}"));
    let signed = d.sign_in_with(&copied);
    assert!(signed.arn.starts_with(DEPLOY), "{signed:?}");
    while tty.buffers().iter().any(|b| b.contains(&copied)) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the sign-in URL is still in a tmux buffer after --clear-after 2"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn copy_and_the_tui_key_put_the_url_on_the_terminal_clipboard() {
    let d = demo_home();
    // `--copy` in a terminal without a display: OSC 52, kept by tmux as a paste buffer.
    let tty = shell_with_clipboard(&d.home);
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

#[test]
fn a_failing_opener_is_reported_and_leaves_no_page() {
    let d = demo_home();
    let dir = tempfile::tempdir().expect("dir");
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let script = bin.join("xdg-open");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"${{1#file://}}\" > '{}/path.txt'\nexit 3\n",
            dir.path().display()
        ),
    )
    .expect("script");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let run = d.run(
        &["console", "prod", "--open"],
        &[("PATH", &path), ("DISPLAY", ":73")],
    );
    assert_eq!((run.code, run.stdout.as_str()), (1, ""), "{run}");
    assert!(
        run.stderr
            .contains("xdg-open failed (exit status: 3); use --print or --copy"),
        "{run}"
    );
    let page = std::fs::read_to_string(dir.path().join("path.txt")).expect("the opener ran");
    assert!(!Path::new(page.trim()).exists(), "the page is removed: {page}");
}

#[test]
fn browser_opens_without_a_display_as_login_does_but_never_over_ssh() {
    let d = demo_home();
    let dir = tempfile::tempdir().expect("dir");
    fake_browser(dir.path());
    // The same recording script, named by $BROWSER instead of found on PATH.
    let browser = dir.path().join("bin/xdg-open").display().to_string();
    let over_ssh = d.run(
        &["console", "prod", "--open"],
        &[
            ("BROWSER", browser.as_str()),
            ("SSH_CONNECTION", "10.0.0.1 1 10.0.0.2 22"),
        ],
    );
    assert_eq!((over_ssh.code, over_ssh.stdout.as_str()), (1, ""), "{over_ssh}");
    assert!(
        over_ssh
            .stderr
            .contains("cannot open a browser here (an SSH session)"),
        "{over_ssh}"
    );
    assert!(!dir.path().join("args.txt").exists(), "no browser was started");

    // No DISPLAY: the default opens $BROWSER on the private page.
    let run = d.run(&["console", "prod"], &[("BROWSER", browser.as_str())]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
    assert!(
        run.stderr
            .contains("opened the AWS console in the browser for prod"),
        "{run}"
    );
    let (args, url) = browser_got(dir.path());
    assert!(args.starts_with("file://") && args.lines().count() == 1, "{args}");
    let signed = d.sign_in_with(&url);
    assert!(signed.arn.starts_with(PROD), "{signed:?}");
}
