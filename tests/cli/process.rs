//! credential_process with real processes: bounded by `--timeout` with nothing left
//! running, output read with a cap, and rswitch calling itself stopped at a fixed depth
//! whatever the profile names and the command.

use super::{rswitch, world};
use std::path::Path;
use std::time::{Duration, Instant};

/// Live (not zombie) processes that are `pid`, its children, or in its process group.
fn alive_around(pid: i32) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid pgrp …
        let Some((head, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let me: i32 = head.split_whitespace().next().unwrap_or("0").parse().unwrap_or(0);
        let (state, ppid, pgrp) = (
            fields[0],
            fields[1].parse::<i32>().unwrap_or(0),
            fields[2].parse::<i32>().unwrap_or(0),
        );
        if state != "Z" && (me == pid || ppid == pid || pgrp == pid) {
            found.push(stat.trim().to_string());
        }
    }
    found
}

fn pid_in(file: &Path) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Ok(text) = std::fs::read_to_string(file)
            && let Ok(pid) = text.trim().parse()
        {
            return pid;
        }
        assert!(Instant::now() < deadline, "{} never written", file.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_gone(pid: i32) {
    // SIGKILL is delivered at once, but give the kernel a moment to finish them off.
    let deadline = Instant::now() + Duration::from_secs(2);
    while !alive_around(pid).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        alive_around(pid),
        Vec::<String>::new(),
        "credential_process {pid} outlived rswitch"
    );
}

#[test]
fn a_hung_credential_process_is_killed_with_its_children_at_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    // A helper that hangs itself (p1), one whose child hangs in the background (p2) and
    // one that hangs in a grandchild (p3): `check` runs them at once.
    let config = format!(
        "[profile p1]\ncredential_process = echo $$ > {d}/p1; exec sleep 41\n\
         [profile p2]\ncredential_process = echo $$ > {d}/p2; sleep 41 & wait\n\
         [profile p3]\ncredential_process = echo $$ > {d}/p3; sh -c 'sleep 41; echo x'\n"
    );
    let home = world(&config, "");
    let started = Instant::now();
    let assert = rswitch(home.path())
        .args(["check", "--timeout", "1"])
        .timeout(Duration::from_secs(30))
        .assert()
        .code(1);
    let took = started.elapsed();
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(out.matches("timed out after 1 s").count(), 3, "{out}");
    for p in ["p1", "p2", "p3"] {
        assert_gone(pid_in(&dir.path().join(p)));
    }

    // `whoami` the same way, and `export`, which hands over nothing.
    for command in ["whoami", "export"] {
        let _ = std::fs::remove_file(dir.path().join("p2"));
        let assert = rswitch(home.path())
            .args([command, "p2", "--timeout", "1"])
            .timeout(Duration::from_secs(30))
            .assert()
            .code(1);
        assert!(assert.get_output().stdout.is_empty() || command == "whoami");
        assert_gone(pid_in(&dir.path().join("p2")));
    }
}

#[test]
fn endless_output_is_cut_at_the_cap_with_a_clear_error() {
    let home = world(
        "[profile zero]\ncredential_process = head -c 1000000000 /dev/zero\n\
         [profile yes]\ncredential_process = yes\n\
         [profile noisy]\ncredential_process = head -c 100000000 /dev/zero >&2; exit 3\n",
        "",
    );
    let started = Instant::now();
    let assert = rswitch(home.path())
        .args(["check", "--timeout", "20"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(out.matches("output exceeds 65536 bytes").count(), 2, "{out}");
    assert!(
        out.contains("credential_process failed (exit status: 3)"),
        "{out}"
    );
    // Cut by the runner ("… (N more bytes)") or, where its escapes make the line longer,
    // by the sanitizer ("… (N more characters not shown)").
    assert!(
        out.contains("more bytes)") || out.contains("more characters not shown)"),
        "stderr is cut: {out}"
    );
    assert!(out.len() < 64 * 1024, "{} bytes of report", out.len());

    // Under a 1.5 GB address-space limit, reading all the helper offers would fail to
    // allocate (rswitch once grew to 986 MB on it).
    let script = format!(
        "ulimit -v 1500000; exec {} export zero --timeout 20",
        env!("CARGO_BIN_EXE_rswitch")
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("credentials"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("output exceeds 65536 bytes"), "{stderr}");
}

#[test]
fn an_empty_profile_name_cannot_bypass_the_loop_guard() {
    let bin = env!("CARGO_BIN_EXE_rswitch");
    // `[]` in the credentials file is a profile named "".
    let home = world(
        "",
        &format!("[]\ncredential_process = {bin} export '' --format process\n"),
    );
    let started = Instant::now();
    let assert = rswitch(home.path())
        .args(["export", ""])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(1);
    let output = assert.get_output();
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("credential_process loop"), "{stderr}");
    assert!(
        stderr.contains("profile '': credential_process loop: rswitch is resolving '' -> ''"),
        "{stderr}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[test]
fn nesting_stops_at_the_cap_for_any_names_and_any_command() {
    let bin = env!("CARGO_BIN_EXE_rswitch");
    // p0 -> p1 -> … -> p11: no name repeats, the depth alone must stop it.
    let config: String = (0..12)
        .map(|i| {
            format!(
                "[profile p{i}]\ncredential_process = {bin} export p{} --format process\n",
                i + 1
            )
        })
        .collect();
    let home = world(&config, "");
    let assert = rswitch(home.path())
        .args(["export", "p0", "--timeout", "30"])
        .timeout(Duration::from_secs(90))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    assert!(
        stderr.contains("nested 8 deep (p0 -> p1 -> p2 -> p3 -> p4 -> p5 -> p6 -> p7)"),
        "{stderr}"
    );

    // `check` and `list` name no profile; their depth counts all the same.
    let config = format!("[profile c]\ncredential_process = {bin} check --timeout 30\n");
    let home = world(&config, "");
    let started = Instant::now();
    let assert = rswitch(home.path())
        .args(["check", "--timeout", "30"])
        .timeout(Duration::from_secs(90))
        .assert()
        .code(1);
    assert!(started.elapsed() < Duration::from_secs(60));
    let out = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    assert!(out.contains("ERROR"), "{out}");
    let nested = rswitch(home.path())
        .env(rswitch::nesting::DEPTH_VAR, "8")
        .arg("list")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&nested.get_output().stderr).to_string();
    assert!(stderr.contains("nested 8 deep"), "{stderr}");
}

#[test]
fn a_signal_to_rswitch_stops_the_credential_process_group_too() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let home = world(
        &format!("[profile p]\ncredential_process = echo $$ > {d}/pid; sleep 41 & wait\n"),
        "",
    );
    for (signal, name) in [
        (nix::sys::signal::Signal::SIGINT, "SIGINT"),
        (nix::sys::signal::Signal::SIGTERM, "SIGTERM"),
    ] {
        let _ = std::fs::remove_file(dir.path().join("pid"));
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_rswitch"))
            .args(["export", "p", "--timeout", "60"])
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_CONFIG_FILE", home.path().join("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.path().join("credentials"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let helper = pid_in(&dir.path().join("pid"));
        let started = Instant::now();
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), signal).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{name}: {:?}",
            started.elapsed()
        );
        assert_eq!(out.status.code(), Some(128 + signal as i32), "{name}");
        assert!(out.stdout.is_empty(), "{name}");
        assert_gone(helper);
    }
}
