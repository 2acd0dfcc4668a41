//! Running the real binary against the shared world: the standard config, and small
//! helpers to read its output.

pub use crate::support::world_home;
use crate::support::{self, Home, Stack};
use serde_json::Value;
use std::time::{Duration, Instant};

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Run {
    /// The line of text output that starts with `status` and names `profile`.
    pub fn line(&self, status: &str, profile: &str) -> &str {
        self.stdout
            .lines()
            .find(|l| {
                let mut words = l.split_whitespace();
                words.next() == Some(status) && words.next() == Some(profile)
            })
            .unwrap_or_else(|| panic!("no `{status} {profile}` line in:\n{self}"))
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{self}"))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {} after {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.elapsed, self.stdout, self.stderr
        )
    }
}

pub fn run(home: &Home, args: &[&str]) -> Run {
    run_env(home, args, &[])
}

pub fn run_env(home: &Home, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = home.cmd();
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let out = cmd.output().expect("run rswitch");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: start.elapsed(),
    }
}

/// The element of `check --json`'s `results` for `profile`.
pub fn result<'a>(check: &'a Value, profile: &str) -> &'a Value {
    check["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results array: {check:#}"))
        .iter()
        .find(|r| r["profile"] == profile)
        .unwrap_or_else(|| panic!("no result for {profile}: {check:#}"))
}

/// The 1-based line of the first line of `path` containing `needle`.
pub fn line_of(path: &std::path::Path, needle: &str) -> usize {
    let text = std::fs::read_to_string(path).expect("read config");
    1 + text
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in {}", path.display()))
}

/// The standard HOME talking to moto directly.
pub fn direct() -> (&'static Stack, Home) {
    let stack = support::shared();
    (stack, world_home(stack, stack.endpoint()))
}

/// `check --json PROFILE…`, with its exit code.
pub fn check_json(home: &Home, profiles: &[&str]) -> (Value, Run) {
    let mut args = vec!["check", "--json"];
    args.extend_from_slice(profiles);
    let run = run(home, &args);
    (run.json(), run)
}

pub fn assert_rfc3339(v: &Value) {
    let s = v.as_str().unwrap_or_else(|| panic!("not a string: {v}"));
    let b = s.as_bytes();
    let shape = b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && (s.ends_with('Z') || s.contains('+'));
    assert!(shape, "not RFC 3339: {s}");
}
