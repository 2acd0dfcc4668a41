//! The prompt hook of `rswitch init`, run by real shells: interactive bash and zsh reading
//! their commands from a pipe (each command is followed by a prompt, so by the hook), and
//! fish through the `fish_prompt` event its prompt emits. A stand-in `rswitch` records
//! every call, so "no process when nothing is due" is observed, not assumed.

use rswitch::creds::{Credentials, Secret};
use rswitch::export::{ExportInput, Format, render};
use rswitch::shell::{InitShell, init_script};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const OLD_KEY: &str = "ASIAOLDOLDOLDOLDOLD1";
const NEW_KEY: &str = "ASIANEWNEWNEWNEWNEW2";

fn epoch(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Export text for fresh credentials valid for an hour (so the next renewal is far off).
fn fresh_export(profile: &str, format: Format) -> String {
    let input = ExportInput {
        profile: profile.to_string(),
        credentials: Credentials {
            access_key_id: NEW_KEY.into(),
            secret_access_key: Secret::new("new-secret"),
            session_token: Some(Secret::new("new-token")),
            expiration: Some(SystemTime::now() + Duration::from_secs(3600)),
        },
        identity: None,
        region: None,
    };
    render(&input, format).unwrap()
}

/// A stand-in `rswitch`: appends its arguments to `$FAKE_DIR/calls`, prints
/// `$FAKE_DIR/export.<format>` and exits with `$FAKE_DIR/rc`.
fn setup(dir: &Path, rc: i32, profile: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    let fake = dir.join("bin/rswitch");
    std::fs::write(
        &fake,
        "#!/bin/sh\nprintf '%s|' \"$@\" >> \"$FAKE_DIR/calls\"\necho >> \"$FAKE_DIR/calls\"\n\
         cat \"$FAKE_DIR/export.$3\"\nexit $(cat \"$FAKE_DIR/rc\")\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("rc"), rc.to_string()).unwrap();
    std::fs::write(dir.join("export.env"), fresh_export(profile, Format::Env)).unwrap();
    std::fs::write(dir.join("export.fish"), fresh_export(profile, Format::Fish)).unwrap();
    std::fs::write(dir.join("init.bash"), init_script(InitShell::Bash)).unwrap();
    std::fs::write(dir.join("init.zsh"), init_script(InitShell::Zsh)).unwrap();
    std::fs::write(dir.join("init.fish"), init_script(InitShell::Fish)).unwrap();
}

struct Outcome {
    stdout: String,
    stderr: String,
    calls: Vec<String>,
}

/// Runs `shell` with the old credentials in its environment, `RSWITCH_RENEW_AT=renew_at`.
fn run(shell: &str, renew_at: &str, rc: i32, profile: &str, extra: &[(&str, &str)]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), rc, profile);
    let path = format!("{}:/usr/bin:/bin", dir.path().join("bin").display());
    let (args, script): (&[&str], String) = match shell {
        "bash" => (
            &["--norc", "--noprofile", "-i"],
            "eval \"$(cat \"$FAKE_DIR/init.bash\")\"\n:\n:\nfalse\necho \"status=$?\"\n\
             echo \"key=$AWS_ACCESS_KEY_ID\"\n"
                .to_string(),
        ),
        "zsh" => (
            &["-f", "-i"],
            "eval \"$(cat \"$FAKE_DIR/init.zsh\")\"\n:\n:\nfalse\necho \"status=$?\"\n\
             echo \"key=$AWS_ACCESS_KEY_ID\"\n"
                .to_string(),
        ),
        _ => (
            &["--no-config", "-c"],
            "cat $FAKE_DIR/init.fish | source\nemit fish_prompt\nemit fish_prompt\nfalse\n\
             emit fish_prompt\necho \"status=$status\"\necho \"key=$AWS_ACCESS_KEY_ID\"\n"
                .to_string(),
        ),
    };
    let mut cmd = Command::new(shell);
    cmd.args(args);
    if shell == "fish" {
        cmd.arg(&script);
    }
    let mut child = cmd
        .env_clear()
        .env("PATH", &path)
        .env("HOME", dir.path())
        .env("FAKE_DIR", dir.path())
        .env("LANG", "C.UTF-8")
        .env("PS1", "$ ")
        .env("RSWITCH_PROFILE", profile)
        .env("RSWITCH_RENEW_AT", renew_at)
        .env("AWS_ACCESS_KEY_ID", OLD_KEY)
        .envs(extra.iter().copied())
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        if shell != "fish" {
            stdin.write_all(script.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(!dir.path().join("pwned").exists(), "{shell}: a value ran code");
    let calls = std::fs::read_to_string(dir.path().join("calls")).unwrap_or_default();
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        calls: calls.lines().map(str::to_string).collect(),
    }
}

/// bash and zsh show the prompt with the last command's `$?`: the hook must not change it.
/// (fish's `$status` after `emit` is emit's own.)
fn assert_status_kept(shell: &str, o: &Outcome) {
    if shell != "fish" {
        assert!(
            o.stdout.contains("status=1"),
            "{shell}: the hook changed $?: {}",
            o.stdout
        );
    }
}

const SHELLS: &[&str] = &["bash", "zsh", "fish"];

fn format_of(shell: &str) -> &'static str {
    if shell == "fish" { "fish" } else { "env" }
}

#[test]
fn nothing_due_spawns_nothing_and_changes_nothing() {
    let later = (epoch(SystemTime::now()) + 3600).to_string();
    for shell in SHELLS {
        let o = run(shell, &later, 0, "prod", &[]);
        assert!(o.calls.is_empty(), "{shell} called rswitch: {:?}", o.calls);
        assert!(
            o.stdout.contains(&format!("key={OLD_KEY}")),
            "{shell}: {}",
            o.stdout
        );
        assert_status_kept(shell, &o);
        // A served shell renews itself: the hook leaves it alone even when due.
        let o = run(shell, "1", 0, "prod", &[("RSWITCH_SERVED", "1")]);
        assert!(o.calls.is_empty(), "{shell} called rswitch in a served shell");
        // Garbage in RSWITCH_RENEW_AT is not a reason to run anything.
        let o = run(shell, "soon; touch pwned", 0, "prod", &[]);
        assert!(o.calls.is_empty(), "{shell} called rswitch: {:?}", o.calls);
    }
}

#[test]
fn due_credentials_are_exported_again_once_before_the_prompt() {
    let past = (epoch(SystemTime::now()) - 5).to_string();
    for shell in SHELLS {
        let o = run(shell, &past, 0, "prod", &[]);
        assert_eq!(
            o.calls,
            [format!("export|--format|{}|--|prod|", format_of(shell))],
            "{shell}: {}",
            o.stderr
        );
        assert!(
            o.stdout.contains(&format!("key={NEW_KEY}")),
            "{shell}: {}",
            o.stdout
        );
        assert_status_kept(shell, &o);
    }
}

#[test]
fn a_failed_renewal_keeps_the_old_values_and_says_so_once() {
    let past = (epoch(SystemTime::now()) - 5).to_string();
    let hostile = "$(touch pwned)'\"`touch pwned`";
    for shell in SHELLS {
        let o = run(shell, &past, 1, hostile, &[]);
        assert_eq!(o.calls.len(), 1, "{shell} retried at every prompt: {:?}", o.calls);
        assert!(
            o.calls[0].ends_with(&format!("|--|{hostile}|")),
            "{shell}: {:?}",
            o.calls
        );
        assert!(
            o.stdout.contains(&format!("key={OLD_KEY}")),
            "{shell}: {}",
            o.stdout
        );
        assert_status_kept(shell, &o);
        let lines: Vec<&str> = o
            .stderr
            .lines()
            .filter(|l| l.contains("rsw: could not renew"))
            .collect();
        assert_eq!(lines.len(), 1, "{shell}: {}", o.stderr);
    }
}
