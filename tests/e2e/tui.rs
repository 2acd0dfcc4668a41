//! The real TUI in a real terminal (a tmux pane of fixed size) against moto: live
//! identities and the full STS error on screen, Enter handing over nothing but `export`
//! lines on stdout, SIGTERM restoring the terminal, and the ASCII look under `LANG=C`.

use crate::binary::{self, direct};
use crate::support::Home;
use crate::tmux::{Tmux, wait_for_file};
use std::path::PathBuf;

/// rswitch running in a tmux pane, in the given HOME; the pane's script records the exit
/// status, `stty -a` of the pane afterwards, and rswitch's pid, in files under HOME.
pub struct Tui {
    pub tmux: Tmux,
    pub dir: PathBuf,
}

impl Tui {
    /// Starts `rswitch ARGS` (stdout into `out.txt` when `redirect`) under `lang`.
    pub fn start(home: &Home, lang: &str, redirect: bool, size: (u16, u16)) -> Tui {
        Tui::start_env(home, lang, redirect, size, &[])
    }

    /// [`Tui::start`] with `extra` variables in rswitch's environment.
    pub fn start_env(
        home: &Home,
        lang: &str,
        redirect: bool,
        size: (u16, u16),
        extra: &[(&str, &str)],
    ) -> Tui {
        let dir = home.path().to_path_buf();
        let out = if redirect { "> out.txt" } else { "" };
        let script = home.script(
            "tui.sh",
            &format!(
                "cd \"$HOME\"\n\
                 # exec keeps the pid: the test signals rswitch itself, not this shell.\n\
                 sh -c 'echo $$ > rswitch.pid; exec \"$0\" {out}' '{bin}'\n\
                 code=$?\n\
                 stty -a > stty.txt 2>&1\n\
                 echo \"$code\" > status.txt\n\
                 echo \"rswitch exited with $code\"\n\
                 exec sleep 600\n",
                bin = env!("CARGO_BIN_EXE_rswitch"),
            ),
        );
        let mut env = home.env();
        env.retain(|(k, _)| k != "LANG" && k != "TERM");
        env.push(("LANG".into(), lang.into()));
        env.push(("TERM".into(), "xterm-256color".into()));
        env.push(("PATH".into(), std::env::var("PATH").unwrap_or_default()));
        env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Tui {
            tmux: Tmux::start(size.0, size.1, &env, &script),
            dir,
        }
    }

    /// Waits until every profile that needs no input is resolved and the screen shows
    /// both a live identity in the second account and a denial.
    pub fn wait_resolved(&self) -> String {
        self.tmux.wait_for("live identities and a denial", |s| {
            s.contains("222222222222") && s.contains("AccessDenied") && !s.contains("resolving")
        })
    }

    /// Filters the list by `profile`'s name, moves to the best match (the top row: the
    /// selection stays where it was while the filter narrows) and waits for its details.
    pub fn select(&self, profile: &str, ascii: bool) -> String {
        self.tmux.keys(&["/"]);
        self.tmux.type_text(profile);
        self.tmux.keys(&["Enter", "g"]);
        self.tmux.wait_for(&format!("the details of {profile}"), |s| {
            details(s, corners(ascii)).is_some_and(|(title, _)| title == profile)
        })
    }

    /// The exit status and `stty -a` once rswitch is gone.
    pub fn finished(&self) -> (String, String) {
        let status = wait_for_file(&self.dir.join("status.txt"), &self.tmux);
        let stty = std::fs::read_to_string(self.dir.join("stty.txt")).expect("stty.txt");
        (status.trim().to_string(), stty)
    }

    fn pid(&self) -> String {
        wait_for_file(&self.dir.join("rswitch.pid"), &self.tmux)
            .trim()
            .to_string()
    }
}

/// The details pane of a side-by-side screen: its title and its text, rows joined. The
/// pane is the box whose top-left corner follows the list's top-right one on the first
/// row (`corners`: the list's top-right glyph and the pane's top-left glyph).
fn details(screen: &str, corners: [char; 2]) -> Option<(String, String)> {
    let rows: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let top = rows.first()?;
    let left = 1 + top.windows(2).position(|w| w == corners)?;
    let title: String = top[left + 1..].iter().collect();
    let title = title.split_whitespace().next()?.to_string();
    let mut text = String::new();
    for row in rows.iter().skip(1).take_while(|r| r.len() > left + 1) {
        let inner: String = row[left + 1..row.len() - 1].iter().collect();
        text.push_str(inner.trim_end());
        text.push('\n');
    }
    Some((title, text))
}

fn corners(ascii: bool) -> [char; 2] {
    if ascii { ['+', '+'] } else { ['╮', '╭'] }
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `stty -a` says canonical mode and echo are on (not `-icanon`, `-echo`).
fn cooked(stty: &str) -> bool {
    let flags: Vec<&str> = stty.split_whitespace().collect();
    flags.contains(&"icanon") && flags.contains(&"echo")
}

#[test]
fn identities_and_the_full_sts_error_in_the_details() {
    let (stack, home) = direct();
    // What the same denial says outside the TUI: the full STS message.
    let (v, _) = binary::check_json(&home, &["switch-to2"]);
    let message = binary::result(&v, "switch-to2")["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("no message: {v:#}"))
        .to_string();
    assert!(message.contains(&stack.world.alice.arn), "{message}");

    let tui = Tui::start(&home, "C.UTF-8", false, (200, 40));
    let screen = tui.wait_resolved();
    assert!(screen.contains("✔ 222222222222 SwitchToRole"), "{screen}");
    assert!(screen.contains("✖ AccessDenied"), "{screen}");

    let screen = tui.select("switch-to2", false);
    let (_, text) = details(&screen, corners(false)).unwrap_or_else(|| panic!("no details:\n{screen}"));
    // Wrapped over several rows, but whole: nothing cut, nothing elided.
    assert!(
        squeeze(&text).contains(&squeeze(&format!("AccessDenied: {message}"))),
        "the details do not hold the full STS message {message:?}:\n{screen}"
    );
    assert!(text.contains("(role SwitchToRole2)"), "no role:\n{screen}");
    assert!(text.contains("Diagnosis"), "no doctor verdict:\n{screen}");

    tui.tmux.keys(&["q"]);
    let (status, stty) = tui.finished();
    assert_eq!(status, "0", "{}", tui.tmux.screen());
    assert!(cooked(&stty), "{stty}");
}

#[test]
fn s_starts_a_shell_whose_credentials_are_served_and_renewed() {
    let (_, home) = direct();
    let path = crate::handover::path_var();
    let extra = [("PATH", path.as_str()), ("SHELL", "/bin/sh")];
    let tui = Tui::start_env(&home, "C.UTF-8", false, (200, 40), &extra);
    tui.wait_resolved();
    let screen = tui.select("deploy", false);
    let (_, text) = details(&screen, corners(false)).unwrap_or_else(|| panic!("no details:\n{screen}"));
    assert!(text.contains("renews itself (s): next renewal in "), "{screen}");
    tui.tmux.keys(&["s"]);
    tui.tmux.wait_for("the served shell's banner", |s| {
        s.contains("credentials renew themselves")
    });
    tui.tmux.type_text(
        "{ echo \"served=${AWS_CONTAINER_CREDENTIALS_FULL_URI:+yes} keys=${AWS_ACCESS_KEY_ID-none}\"; \
         aws sts get-caller-identity --query Arn --output text; } > \"$HOME/served.tmp\" 2>&1; \
         mv \"$HOME/served.tmp\" \"$HOME/served.txt\"; exit",
    );
    tui.tmux.keys(&["Enter"]);
    let served = wait_for_file(&tui.dir.join("served.txt"), &tui.tmux);
    assert!(
        served.starts_with(&format!(
            "served=yes keys=none\n{}",
            crate::handover::DEPLOY_SESSION
        )),
        "{served}"
    );
    tui.tmux
        .wait_for("the shell's exit", |s| s.contains("exited with status"));
    tui.tmux.keys(&["q"]);
    let (status, _) = tui.finished();
    assert_eq!(status, "0", "{}", tui.tmux.screen());
}

#[test]
fn enter_prints_only_export_lines_on_stdout() {
    let (stack, home) = direct();
    let tui = Tui::start(&home, "C.UTF-8", true, (160, 40));
    tui.wait_resolved();
    let screen = tui.select("switch-to", false);
    assert!(screen.contains("assumed-role/SwitchToRole/"), "{screen}");
    // The first Enter keeps the filter, the second picks.
    tui.tmux.keys(&["Enter"]);
    let (status, stty) = tui.finished();
    assert_eq!(status, "0", "{}", tui.tmux.screen());
    assert!(cooked(&stty), "{stty}");

    let out = std::fs::read_to_string(tui.dir.join("out.txt")).expect("out.txt");
    assert!(!out.contains('\x1b'), "escape sequences on stdout: {out:?}");
    // The same variables, in the same order, as `rswitch export` sets and unsets.
    let names = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| l.split('=').next().unwrap_or(l).to_string())
            .collect()
    };
    let export = binary::run(&home, &["export", "switch-to"]);
    assert_eq!(export.code, 0, "{export}");
    assert_eq!(names(&out), names(&export.stdout), "{out:?}");
    for line in out.lines() {
        assert!(
            line.starts_with("export ") || line.starts_with("unset "),
            "not shell code for the credentials: {line:?}"
        );
    }
    // What a shell makes of it: credentials of the picked role, accepted by STS.
    let check = std::process::Command::new("/bin/bash")
        .arg("-c")
        .arg(format!(
            "set -e; eval \"$(cat out.txt)\"; test -n \"$AWS_ACCESS_KEY_ID\"; \
             test -n \"$AWS_SESSION_TOKEN\"; test \"$AWS_ACCESS_KEY_ID\" != '{alice}'; \
             aws sts get-caller-identity --endpoint-url '{endpoint}' --region eu-west-1 \
             --query Arn --output text",
            alice = stack.world.alice.access_key_id,
            endpoint = stack.endpoint(),
        ))
        .current_dir(&tui.dir)
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", crate::support::venv().join("bin").display()),
        )
        .env("HOME", &tui.dir)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .output()
        .expect("bash");
    let arn = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success() && arn.contains(":assumed-role/SwitchToRole/"),
        "eval of {out:?} gave {arn:?}: {}",
        String::from_utf8_lossy(&check.stderr)
    );
}

#[test]
fn s_refuses_a_shell_inside_an_rswitch_shell_as_rswitch_shell_does() {
    let (_, home) = direct();
    let inside = [("RSWITCH_PROFILE", "outer"), ("SHELL", "/bin/sh")];
    let tui = Tui::start_env(&home, "C.UTF-8", false, (200, 40), &inside);
    tui.wait_resolved();
    tui.select("deploy", false);
    tui.tmux.keys(&["s"]);
    let screen = tui.tmux.wait_for("a refusal or a shell", |s| {
        s.contains("already in an rswitch shell") || s.contains("shell for profile")
    });
    assert!(
        screen.contains("already in an rswitch shell for profile 'outer'"),
        "the TUI started a shell inside an rswitch shell:\n{screen}"
    );
    tui.tmux.keys(&["q"]);
    assert_eq!(tui.finished().0, "0", "{}", tui.tmux.screen());
}

#[test]
fn sigterm_exits_143_and_restores_the_terminal() {
    let (_, home) = direct();
    let tui = Tui::start(&home, "C.UTF-8", false, (120, 32));
    tui.tmux.wait_for("the first frame", |s| s.contains("Profiles ("));
    // The TUI owns the terminal: alternate screen, raw mode (seen from outside the pane).
    assert_eq!(tui.tmux.var("alternate_on"), "1");
    let tty = tui.tmux.var("pane_tty");
    let raw = std::process::Command::new("stty")
        .args(["-a", "-F", &tty])
        .output()
        .expect("stty");
    let raw = String::from_utf8_lossy(&raw.stdout);
    assert!(raw.contains("-icanon") && !cooked(&raw), "{raw}");

    let pid = tui.pid();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(kill.success());
    let (status, stty) = tui.finished();
    assert_eq!(status, "143", "{}", tui.tmux.screen());
    assert!(cooked(&stty), "the pane is left in raw mode:\n{stty}");
    assert_eq!(tui.tmux.var("alternate_on"), "0", "still on the alternate screen");
    let screen = tui
        .tmux
        .wait_for("the shell's line", |s| s.contains("rswitch exited"));
    assert!(!screen.contains("Profiles ("), "TUI left on screen:\n{screen}");
}

#[test]
fn lang_c_draws_plain_ascii() {
    let (_, home) = direct();
    let tui = Tui::start(&home, "C", false, (160, 40));
    let screen = tui.tmux.wait_for("live identities and a denial", |s| {
        s.contains("OK 222222222222") && s.contains("X AccessDenied") && !s.contains("resolving")
    });
    let odd: Vec<char> = screen.chars().filter(|c| !c.is_ascii()).collect();
    assert!(odd.is_empty(), "non-ASCII {odd:?} under LANG=C:\n{screen}");
    assert!(screen.starts_with("+ Profiles ("), "{screen}");
    let screen = tui.select("switch-to2", true);
    let (_, text) = details(&screen, corners(true)).unwrap_or_else(|| panic!("no details:\n{screen}"));
    assert!(text.contains("AccessDenied"), "{screen}");
    assert!(screen.is_ascii(), "{screen}");
    // The doctor's report is prose of its own: ASCII too.
    tui.tmux.keys(&["d"]);
    let screen = tui
        .tmux
        .wait_for("the doctor report", |s| s.contains("doctor: switch-to2"));
    assert!(screen.is_ascii(), "{screen}");
    // q closes the report, then quits (Esc then q at once would read as Alt-q).
    tui.tmux.keys(&["q"]);
    tui.tmux
        .wait_for("the report to close", |s| !s.contains("doctor: switch-to2"));
    tui.tmux.keys(&["q"]);
    assert_eq!(tui.finished().0, "0");
}
