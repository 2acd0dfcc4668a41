//! `rswitch copy` (and the TUI's `c`) on every clipboard path, with the real binary:
//! OSC 52 written to a real terminal (a tmux pane with `set-clipboard on`, whose paste
//! buffer then holds what was copied), the same through `tmux load-buffer` when `$TMUX`
//! is set, the X11 clipboard of a private Xvfb (held after rswitch exits by the keeper it
//! leaves behind, replaced by the next copy, cleared by `--clear-after`), the same on a
//! headless Wayland compositor (sway), and a `DISPLAY` nobody serves, which must fall back
//! to OSC 52 at once.
//!
//! The copied text is compared with what `rswitch export` prints for the same profile:
//! the credentials come from the same cache, so both are the same text. The TUI's copy
//! holds the session it resolved itself, so it is checked line by line and through STS.

use crate::binary::{self, Run, direct};
use crate::handover::{DEPLOY_SESSION, parse_env_export, rswitch, run_program, shell_env};
use crate::support::{Home, Sway, Tty, Xvfb, xvfb};
use crate::tui::Tui;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

/// How long X11 clipboard changes (a keeper exiting, a clear) may take on a loaded machine.
const SETTLE: Duration = Duration::from_secs(20);

const VIA_TERMINAL: &str = "copied via the terminal (OSC 52; no display server reachable)";
const VIA_TMUX: &str = "(OSC 52 via tmux)";
const VIA_SYSTEM: &str = "copied to the system clipboard";

/// `rswitch export PROFILE [--format F]`: the text `copy` must put on the clipboard.
fn export(home: &Home, profile: &str, format: &str) -> String {
    let run = binary::run(home, &["export", profile, "--format", format]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("ASIA"), "no session credentials:\n{run}");
    run.stdout
}

/// The secret access key in `env` export text (what must not stay on a clipboard).
fn secret(env_text: &str) -> String {
    parse_env_export(env_text)
        .remove("AWS_SECRET_ACCESS_KEY")
        .flatten()
        .unwrap_or_else(|| panic!("no secret key in {env_text:?}"))
}

/// One `rswitch ARGS` typed into the terminal's shell; returns its exit code, stdout and
/// stderr (from files the shell wrote) and how long it took there.
pub(crate) fn typed(tty: &Tty, name: &str, prefix: &str, args: &str) -> Run {
    let d = tty.dir().display().to_string();
    tty.send_line(&format!(
        "{prefix} t0=$(date +%s%N); rswitch {args} > {d}/{name}.out 2> {d}/{name}.err; rc=$?; \
         echo $(( ($(date +%s%N) - t0) / 1000000 )) > {d}/{name}.ms; (exit $rc); {}",
        tty.record(&format!("{name}.rc"))
    ));
    let code = tty.wait_code(&format!("{name}.rc"));
    let read = |ext: &str| std::fs::read_to_string(format!("{d}/{name}.{ext}")).expect("output file");
    let ms: u64 = read("ms").trim().parse().expect("milliseconds");
    Run {
        code,
        stdout: read("out"),
        stderr: read("err"),
        elapsed: Duration::from_millis(ms),
    }
}

/// A terminal keeping OSC 52 copies, running an interactive shell with the test HOME's
/// variables and `extra`.
pub(crate) fn terminal(home: &Home, extra: &[(&str, &str)]) -> Tty {
    let mut env = shell_env(home);
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let tty = Tty::with_clipboard();
    tty.start(&env, "exec /bin/sh -i");
    tty
}

#[test]
fn osc52_lands_in_the_terminal_clipboard_in_every_format() {
    let (_, home) = direct();
    let env_text = export(&home, "deploy", "env");
    let fish_text = export(&home, "deploy", "fish");
    let json_text = export(&home, "deploy", "json");
    let tty = terminal(&home, &[]);

    let run = typed(&tty, "env", "", "copy deploy");
    assert_eq!(run.code, 0, "{run}");
    assert_eq!(run.stdout, "", "stdout is for eval only:\n{run}");
    assert!(run.stderr.contains(VIA_TERMINAL), "{run}");
    assert!(run.stderr.contains("profile deploy (env)"), "{run}");
    assert_eq!(tty.buffer().as_deref(), Some(env_text.as_str()), "{run}");

    let run = typed(&tty, "fish", "", "copy deploy --format fish");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
    assert!(run.stderr.contains(VIA_TERMINAL), "{run}");
    assert_eq!(tty.buffer().as_deref(), Some(fish_text.as_str()), "{run}");

    // Inside tmux ($TMUX set, as in any tmux pane): through a tmux buffer.
    let run = typed(
        &tty,
        "json",
        &format!("{};", tty.export_tmux_var()),
        "copy deploy -f json",
    );
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
    assert!(run.stderr.contains(VIA_TMUX), "{run}");
    assert_eq!(tty.buffer().as_deref(), Some(json_text.as_str()), "{run}");
}

#[test]
fn clear_after_inside_tmux_leaves_no_credentials_in_tmux_buffers() {
    let (_, home) = direct();
    let env_text = export(&home, "deploy", "env");
    let secret = secret(&env_text);
    let tty = terminal(&home, &[]);
    let inside = format!("{};", tty.export_tmux_var());
    let run = typed(&tty, "first", &inside, "copy deploy");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
    let run = typed(&tty, "clear", &inside, "copy deploy --clear-after 2");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
    assert!(run.stderr.contains(VIA_TMUX), "{run}");
    // One buffer, however many copies: each replaces the last.
    assert_eq!(tty.buffers(), vec![env_text.clone()], "{run}");
    let start = Instant::now();
    while tty.buffers().iter().any(|b| b.contains(&secret)) {
        assert!(
            start.elapsed() < SETTLE,
            "the secret is still in a tmux buffer {:?} after --clear-after 2",
            start.elapsed()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_dead_display_falls_back_to_osc52_at_once() {
    let (_, home) = direct();
    let env_text = export(&home, "deploy", "env");
    let display = xvfb::unused_display();
    let tty = terminal(&home, &[("DISPLAY", &display)]);
    let run = typed(&tty, "dead", "", "copy deploy");
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
    assert!(run.stderr.contains(VIA_TERMINAL), "DISPLAY={display}: {run}");
    assert_eq!(tty.buffer().as_deref(), Some(env_text.as_str()), "{run}");
    assert!(run.elapsed < Duration::from_secs(3), "no quick fallback: {run}");
}

#[test]
fn the_tui_c_key_copies_the_selected_profile() {
    let (stack, home) = direct();
    let tui = Tui::start(&home, "C.UTF-8", false, (200, 40));
    tui.tmux.set_server_option("set-clipboard", "on");
    tui.wait_resolved();
    tui.select("deploy", false);
    tui.tmux.keys(&["c"]);
    let screen = tui.tmux.wait_for("the copy's status", |s| {
        s.contains(VIA_TERMINAL) || s.contains("rror")
    });
    assert!(
        screen.contains(&format!("{VIA_TERMINAL} (env, profile deploy)")),
        "{screen}"
    );
    let copied = tui
        .tmux
        .buffer()
        .unwrap_or_else(|| panic!("no tmux buffer:\n{screen}"));
    tui.tmux.keys(&["q"]);
    assert_eq!(tui.finished().0, "0", "{}", tui.tmux.screen());

    // The same lines as `export` prints, holding the TUI's own Deploy session (not
    // necessarily the cached one: `instance-deploy` shares its botocore cache key).
    let vars = parse_env_export(&copied);
    let names = |v: &BTreeMap<String, Option<String>>| v.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        names(&vars),
        names(&parse_env_export(&export(&home, "deploy", "env")))
    );
    assert_eq!(vars["RSWITCH_PROFILE"].as_deref(), Some("deploy"), "{copied}");
    let mut extra: Vec<(&str, &str)> = vars
        .iter()
        .filter_map(|(k, v)| Some((k.as_str(), v.as_deref()?)))
        .collect();
    extra.push(("AWS_ENDPOINT_URL", stack.endpoint()));
    let who = run_program(
        &home,
        "aws",
        &["sts", "get-caller-identity", "--output", "json"],
        &extra,
    );
    assert_eq!(who.code, 0, "{who}");
    assert!(who.stdout.contains(DEPLOY_SESSION), "{who}");
}

/// `rswitch copy ARGS` on the X server's display, with no terminal.
fn copy_x11(home: &Home, x: &Xvfb, args: &[&str]) -> Run {
    copy_system(home, ("DISPLAY", x.display()), args)
}

/// `rswitch copy ARGS` with only `display` (`DISPLAY` or `WAYLAND_DISPLAY`) naming a
/// display server and no terminal: it must go to the system clipboard.
fn copy_system(home: &Home, display: (&str, &str), args: &[&str]) -> Run {
    let mut all = vec!["copy"];
    all.extend_from_slice(args);
    let run = binary::run_env(home, &all, &[display]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run}");
    assert!(run.stderr.contains(VIA_SYSTEM), "{run}");
    run
}

/// Waits until exactly `n` keepers started from `home` run; returns their pids.
fn keepers(home: &Home, n: usize) -> Vec<u32> {
    let exe = Path::new(rswitch());
    let start = Instant::now();
    loop {
        let pids = xvfb::keepers(exe, home.path());
        if pids.len() == n {
            return pids;
        }
        assert!(
            start.elapsed() < SETTLE,
            "{} keepers, not {n}: {pids:?}",
            pids.len()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Kills (by pid) the keepers a test started from `home` and left behind, failing or not.
struct Reap<'a>(&'a Home);

impl Drop for Reap<'_> {
    fn drop(&mut self) {
        for pid in xvfb::keepers(Path::new(rswitch()), self.0.path()) {
            let _ = std::process::Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

#[test]
fn x11_clipboard_outlives_rswitch_and_the_next_copy_replaces_it() {
    let Some(mut x) = Xvfb::start() else { return };
    let (_, home) = direct();
    let _reap = Reap(&home);
    let env_text = export(&home, "deploy", "env");
    let json_text = export(&home, "deploy", "json");

    let run = copy_x11(&home, &x, &["deploy"]);
    // rswitch has exited: what holds the clipboard now is the keeper it left.
    assert_eq!(x.clipboard(), Ok(env_text.clone()), "{run} on {}", x.display());
    let first = keepers(&home, 1);

    let run = copy_x11(&home, &x, &["deploy", "--format", "json"]);
    assert_eq!(x.clipboard(), Ok(json_text), "{run}");
    // The first keeper lost the selection and exited; one keeper is left, the new one.
    let second = keepers(&home, 1);
    assert_ne!(first, second);
    // The X session ends: the keeper goes with it.
    x.kill();
    keepers(&home, 0);
}

#[test]
fn x11_clear_after_empties_the_clipboard() {
    let Some(x) = Xvfb::start() else { return };
    let (_, home) = direct();
    let _reap = Reap(&home);
    let env_text = export(&home, "deploy", "env");
    let secret = secret(&env_text);
    let start = Instant::now();
    let run = copy_x11(&home, &x, &["deploy", "--clear-after", "3"]);
    assert_eq!(x.clipboard(), Ok(env_text), "{run} on {}", x.display());
    keepers(&home, 1);
    let now = x.wait_clipboard(SETTLE, |c| !c.as_ref().is_ok_and(|t| t.contains(&secret)));
    assert!(
        !now.as_ref().is_ok_and(|t| t.contains(&secret)),
        "the secret is still on the clipboard after {:?}",
        start.elapsed()
    );
    assert!(start.elapsed() >= Duration::from_secs(3), "cleared too early");
    keepers(&home, 0);
}

#[test]
fn wayland_clipboard_outlives_rswitch_and_goes_with_the_session() {
    let Some(mut sway) = Sway::start() else { return };
    let (_, home) = direct();
    let _reap = Reap(&home);
    let env_text = export(&home, "deploy", "env");
    let fish_text = export(&home, "deploy", "fish");

    // Only WAYLAND_DISPLAY: a Wayland session without XWayland.
    let wayland = ("WAYLAND_DISPLAY", sway.display());
    let run = copy_system(&home, wayland, &["deploy"]);
    // rswitch has exited: the keeper it left holds the selection.
    assert_eq!(sway.clipboard(), Ok(env_text), "{run} on {}", sway.display());
    let first = keepers(&home, 1);

    let run = copy_system(&home, wayland, &["deploy", "--format", "fish"]);
    assert_eq!(sway.clipboard(), Ok(fish_text), "{run}");
    assert_ne!(first, keepers(&home, 1), "the first keeper did not give way");

    sway.kill();
    keepers(&home, 0);
}
