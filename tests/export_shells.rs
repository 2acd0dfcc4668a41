//! Every shell format, evaluated by its real shell: the environment afterwards must be
//! exactly the one intended, and hostile values must never run anything.

use proptest::prelude::*;
use rswitch::creds::{Credentials, Identity, Secret};
use rswitch::export::{ExportInput, Format, env_pairs, render, render_env};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, UNIX_EPOCH};

type EnvMap = BTreeMap<Vec<u8>, Vec<u8>>;

/// Values that break naive quoting in at least one shell; each tries to create `pwned`
/// in the working directory.
const HOSTILE: &[&str] = &[
    "x'; touch pwned; '",
    "$(touch pwned)",
    "`touch pwned`",
    "\"; touch pwned; \"",
    "\\'; touch pwned #",
    "a\ntouch pwned\n",
    "(touch pwned)",
    "%PATH% !! !$ ^ & | < >",
    "tab\there\r\n\x0b\x1b[31m",
    "unicode: é ü 😀 \u{2019}\u{2018} ‚ ‛ \u{200b}",
    "trailing backslash \\",
    "\\\\' \\\" \\n",
    "$HOME ${HOME} $1 $@ $$ ~ * ? [a] {a,b}",
    "'",
    "''",
    "",
    " leading and trailing spaces ",
    "# not a comment",
];

fn hostile_input(i: usize) -> ExportInput {
    let pick = |k: usize| HOSTILE[(i + k) % HOSTILE.len()].to_string();
    ExportInput {
        profile: pick(0),
        credentials: Credentials {
            access_key_id: pick(1),
            secret_access_key: Secret::new(pick(2)),
            session_token: Some(Secret::new(pick(3))),
            expiration: Some(UNIX_EPOCH + Duration::from_secs(1_786_192_496)),
        },
        identity: Some(Identity {
            account: "123456789012".into(),
            arn: pick(4),
            user_id: pick(5),
        }),
        region: Some(pick(6)),
    }
}

/// Runs `script` (which evaluates the file named by `$EXPORT_FILE`) and returns the
/// environment it ends with, from `env -0`.
fn env_after(shell: &str, script: &str, file: &Path, dir: &Path) -> EnvMap {
    let out = Command::new(shell)
        .args(["-c", &format!("{script}\nenv -0")])
        .env_clear()
        .env("PATH", fake_path(dir))
        .env("HOME", dir)
        .env("LANG", "C.UTF-8")
        .env("FAKE_DIR", dir)
        .env("EXPORT_FILE", file)
        .env("AWS_PROFILE", "stale-profile")
        .env("AWS_DEFAULT_PROFILE", "stale-default")
        .env("AWS_SECURITY_TOKEN", "stale-token")
        .env("AWS_SESSION_TOKEN", "stale-session-token")
        .env("AWS_CREDENTIAL_EXPIRATION", "stale-expiration")
        .env("UNRELATED", "kept")
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shell}: {e}"));
    assert!(
        out.status.success(),
        "{shell} failed: {}\n--- script ---\n{}",
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(file).unwrap_or_default()
    );
    assert!(
        out.stderr.is_empty(),
        "{shell} complained: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
        .split(|b| *b == 0)
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let eq = kv.iter().position(|b| *b == b'=').expect("env entry without '='");
            (kv[..eq].to_vec(), kv[eq + 1..].to_vec())
        })
        .collect()
}

/// `PATH` with `dir/bin` (where tests put a fake `rswitch`) first.
fn fake_path(dir: &Path) -> std::ffi::OsString {
    let mut paths = vec![dir.join("bin")];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

/// Evaluates `text` in `shell` and checks that the environment changed by exactly `pairs`.
fn assert_round_trip(shell: &str, script: &str, text: &str, pairs: &[(String, Option<String>)]) {
    let dir = tempfile::tempdir().unwrap();
    assert_round_trip_in(dir.path(), shell, script, text, pairs);
}

fn assert_round_trip_in(
    dir: &Path,
    shell: &str,
    script: &str,
    text: &str,
    pairs: &[(String, Option<String>)],
) {
    let empty = dir.join("empty");
    let file = dir.join("export");
    std::fs::write(&empty, "").unwrap();
    std::fs::write(&file, text).unwrap();
    let before = env_after(shell, script, &empty, dir);
    let after = env_after(shell, script, &file, dir);
    let mut expected = before.clone();
    expected.remove(b"EXPORT_FILE".as_slice());
    for (k, v) in pairs {
        match v {
            Some(v) => expected.insert(k.as_bytes().to_vec(), v.as_bytes().to_vec()),
            None => expected.remove(k.as_bytes()),
        };
    }
    let mut after_cmp = after.clone();
    after_cmp.remove(b"EXPORT_FILE".as_slice());
    if after_cmp != expected {
        let show = |m: &EnvMap| {
            m.iter()
                .map(|(k, v)| format!("{}={:?}", String::from_utf8_lossy(k), String::from_utf8_lossy(v)))
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{shell}: environment differs\n--- expected ---\n{}\n--- got ---\n{}\n--- script ---\n{text}",
            show(&expected),
            show(&after_cmp)
        );
    }
    assert!(!dir.join("pwned").exists(), "{shell}: a value ran code:\n{text}");
}

const POSIX_EVAL: &str = r#"eval "$(cat "$EXPORT_FILE")""#;
const FISH_EVAL: &str = "eval (cat $EXPORT_FILE | string collect)";

#[test]
fn env_format_round_trips_through_bash_zsh_and_dash() {
    for i in 0..HOSTILE.len() {
        let input = hostile_input(i);
        let text = render(&input, Format::Env).unwrap();
        for shell in ["bash", "zsh", "dash"] {
            assert_round_trip(shell, POSIX_EVAL, &text, &env_pairs(&input));
        }
    }
}

#[test]
fn env_format_without_token_unsets_the_old_one() {
    let mut input = hostile_input(0);
    input.credentials.session_token = None;
    input.credentials.expiration = None;
    input.region = None;
    let pairs = env_pairs(&input);
    assert!(pairs.contains(&("AWS_SESSION_TOKEN".to_string(), None)));
    for (format, shell, script) in [
        (Format::Env, "bash", POSIX_EVAL),
        (Format::Fish, "fish", FISH_EVAL),
    ] {
        assert_round_trip(shell, script, &render(&input, format).unwrap(), &pairs);
    }
}

#[test]
fn env_no_export_assigns_shell_variables_only() {
    let input = hostile_input(3);
    let text = render(&input, Format::EnvNoExport).unwrap();
    assert!(!text.contains("export "));
    // `set -a` exports every assignment, so the environment shows the same values.
    assert_round_trip(
        "bash",
        &format!("set -a; {POSIX_EVAL}"),
        &text,
        &env_pairs(&input),
    );
}

#[test]
fn fish_format_round_trips_through_fish() {
    for i in 0..HOSTILE.len() {
        let input = hostile_input(i);
        let text = render(&input, Format::Fish).unwrap();
        assert_round_trip("fish", FISH_EVAL, &text, &env_pairs(&input));
        assert_round_trip("fish", "source $EXPORT_FILE", &text, &env_pairs(&input));
    }
}

#[test]
fn dotenv_is_read_alike_by_posix_sh_and_python_dotenv() {
    let input = hostile_input(7); // a set of values dotenv can hold
    let input = ExportInput {
        profile: "prod/eu $HOME \"x\" `id` $(id) é".into(),
        region: Some("eu-west-1".into()),
        ..input
    };
    let mut input = input;
    input.credentials.access_key_id = "AKIAEXAMPLE".into();
    input.credentials.secret_access_key = Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    input.credentials.session_token = Some(Secret::new("IQoJb3JpZ2luX2VjE//////////wEaCXVz=="));
    let text = render(&input, Format::Dotenv).unwrap();
    let sets: Vec<_> = env_pairs(&input)
        .into_iter()
        .filter(|(_, v)| v.is_some())
        .collect();
    // `set -a; . ./.env` is how many people load these files.
    assert_round_trip("dash", "set -a; . \"$EXPORT_FILE\"; set +a", &text, &sets);

    let venv = std::env::var("RSWITCH_TEST_VENV").unwrap_or_else(|_| "target/test-venv".into());
    let python = Path::new(&venv).join("bin/python");
    let probe = Command::new(&python).args(["-c", "import dotenv"]).output();
    if !matches!(probe, Ok(ref o) if o.status.success()) {
        eprintln!("note: python-dotenv not in {venv}; checked with sh only");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".env");
    std::fs::write(&file, &text).unwrap();
    let out = Command::new(&python)
        .args([
            "-c",
            "import json,sys,dotenv; print(json.dumps(dotenv.dotenv_values(sys.argv[1], interpolate=False)))",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: BTreeMap<String, String> = serde_json::from_slice(&out.stdout).unwrap();
    let want: BTreeMap<String, String> = sets
        .into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn json_formats_parse_back() {
    let input = hostile_input(2);
    let v: serde_json::Value = serde_json::from_str(&render(&input, Format::Json).unwrap()).unwrap();
    assert_eq!(v["Profile"], input.profile.as_str());
    assert_eq!(v["Region"].as_str(), input.region.as_deref());
    assert_eq!(
        v["Identity"]["Arn"],
        input.identity.as_ref().unwrap().arn.as_str()
    );
    assert_eq!(
        v["Credentials"]["SecretAccessKey"],
        input.credentials.secret_access_key.expose()
    );
    assert_eq!(v["Credentials"]["Expiration"], "2026-08-08T12:34:56Z");
    let p: serde_json::Value = serde_json::from_str(&render(&input, Format::Process).unwrap()).unwrap();
    assert_eq!(p["Version"], 1);
    assert_eq!(p["AccessKeyId"], input.credentials.access_key_id.as_str());
    assert_eq!(
        p["SessionToken"].as_str(),
        input.credentials.session_token.as_ref().map(|t| t.expose())
    );
}

/// PowerShell is not packaged for Debian: this reads the output the way PowerShell's
/// tokenizer does (single-quoted strings end at any of its four single-quote characters,
/// two in a row are one literal quote) and checks that each line is exactly
/// `$Env:NAME = <literal> (+ <literal>)*` whose pieces rebuild the value.
fn parse_powershell_line(line: &str) -> Option<(String, Option<String>)> {
    const QUOTES: [char; 4] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}'];
    let is_quote = |c: char| QUOTES.contains(&c) || c == '\u{201B}';
    if let Some(rest) = line.strip_prefix("Remove-Item -Path Env:") {
        let name = rest.strip_suffix(" -ErrorAction SilentlyContinue")?;
        return name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
            .then(|| (name.into(), None));
    }
    let rest = line.strip_prefix("$Env:")?;
    let (name, mut expr) = rest.split_once(" = ")?;
    let mut units: Vec<u16> = Vec::new();
    loop {
        if let Some(r) = expr.strip_prefix("[char]0x") {
            let hex = r.get(..4)?;
            units.push(u16::from_str_radix(hex, 16).ok()?);
            expr = &r[4..];
        } else {
            let mut chars = expr.char_indices();
            let (_, first) = chars.next()?;
            if !is_quote(first) {
                return None;
            }
            let mut end = None;
            let mut s = String::new();
            let mut it = expr[first.len_utf8()..].char_indices().peekable();
            while let Some((i, c)) = it.next() {
                if is_quote(c) {
                    if matches!(it.peek(), Some((_, n)) if is_quote(*n)) {
                        s.push(c);
                        it.next();
                        continue;
                    }
                    end = Some(first.len_utf8() + i + c.len_utf8());
                    break;
                }
                s.push(c);
            }
            units.extend(s.encode_utf16());
            expr = &expr[end?..];
        }
        if expr.is_empty() {
            break;
        }
        expr = expr.strip_prefix(" + ")?;
    }
    Some((name.into(), Some(String::from_utf16(&units).ok()?)))
}

#[test]
fn powershell_output_is_ascii_and_parses_back_to_the_values() {
    for i in 0..HOSTILE.len() {
        let input = hostile_input(i);
        let text = render(&input, Format::Powershell).unwrap();
        assert!(
            text.bytes().all(|b| b == b'\n' || (0x20..0x7f).contains(&b)),
            "{text}"
        );
        let parsed: Vec<_> = text
            .lines()
            .map(|l| parse_powershell_line(l).unwrap_or_else(|| panic!("unexpected line: {l}")))
            .collect();
        assert_eq!(parsed, env_pairs(&input));
    }
}

#[test]
fn windows_cmd_writes_plain_values_and_refuses_the_rest() {
    let mut input = ExportInput {
        profile: "prod & calc | x < y > z ^ (a)".into(),
        credentials: Credentials {
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: Secret::new("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
            session_token: None,
            expiration: None,
        },
        identity: None,
        region: Some("eu-west-1".into()),
    };
    let good = input.profile.clone();
    for bad in HOSTILE
        .iter()
        .filter(|v| v.contains(['"', '%', '!', '\n', '\t']) || !v.is_ascii())
    {
        input.profile = bad.to_string();
        let err = render(&input, Format::WindowsCmd).unwrap_err().to_string();
        assert!(
            err.contains("RSWITCH_PROFILE") && err.contains("windows-cmd"),
            "{err}"
        );
    }
    input.profile = good;
    let text = render(&input, Format::WindowsCmd).unwrap();
    // cmd.exe's rule for `set "NAME=value"`: everything between the first `"` and the
    // last `"` is the assignment; with no `"`, `%` or `!` inside, nothing is expanded.
    let parsed: Vec<(String, Option<String>)> = text
        .split_terminator("\r\n")
        .map(|l| {
            let inner = l
                .strip_prefix("set \"")
                .and_then(|r| r.strip_suffix('"'))
                .expect(l);
            assert!(!inner.contains(['"', '%', '!']), "{l}");
            let (k, v) = inner.split_once('=').expect(l);
            (k.to_string(), (!v.is_empty()).then(|| v.to_string()))
        })
        .collect();
    assert_eq!(parsed, env_pairs(&input));
}

fn proptest_round_trip(values: &[String]) {
    let pairs: Vec<(String, Option<String>)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("RSW_T{i}"), Some(v.clone())))
        .collect();
    assert_round_trip(
        "bash",
        POSIX_EVAL,
        &render_env(&pairs, Format::Env).unwrap(),
        &pairs,
    );
    assert_round_trip(
        "zsh",
        POSIX_EVAL,
        &render_env(&pairs, Format::Env).unwrap(),
        &pairs,
    );
    assert_round_trip(
        "fish",
        FISH_EVAL,
        &render_env(&pairs, Format::Fish).unwrap(),
        &pairs,
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn arbitrary_strings_round_trip_through_bash_zsh_and_fish(
        values in prop::collection::vec("[^\u{0}]{0,24}", 1..6),
        quoted in prop::collection::vec("[ -~\n\\\\'\"$`]{0,24}", 1..6),
    ) {
        let mut all = values;
        all.extend(quoted);
        proptest_round_trip(&all);
    }
}

// ---- nushell and tcsh ------------------------------------------------------------------

/// The real `nu` (npm package `nushell`, installed by tests/run.sh): `RSWITCH_TEST_NU`, else
/// `target/nu/node_modules/.bin/nu`, else `nu` on PATH. Panics (never skips) without it.
fn nu() -> String {
    let candidates = [
        std::env::var("RSWITCH_TEST_NU").ok(),
        Some(concat!(env!("CARGO_MANIFEST_DIR"), "/target/nu/node_modules/.bin/nu").to_string()),
    ];
    if let Some(found) = candidates.into_iter().flatten().find(|p| Path::new(p).exists()) {
        return found;
    }
    let on_path = Command::new("nu")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        on_path,
        "no nushell: run `bash tests/run.sh` once (it installs npm's nushell into target/nu)"
    );
    "nu".to_string()
}

/// Applies the nushell document in `$EXPORT_FILE` as `rsw` does (an empty file changes nothing).
const NU_APPLY: &str = "let t = (open --raw $env.EXPORT_FILE)
if ($t | str trim) != '' {
    let doc = ($t | from json)
    hide-env -i ...$doc.unset
    load-env $doc.set
}";

#[test]
fn nushell_format_round_trips_through_nu() {
    let nu = nu();
    for i in 0..HOSTILE.len() {
        let input = hostile_input(i);
        let text = render(&input, Format::Nushell).unwrap();
        // `env -0`, appended by the harness, is the external command in nu too.
        assert_round_trip(&nu, NU_APPLY, &text, &env_pairs(&input));
    }
}

#[test]
fn tcsh_format_round_trips_through_source_and_eval_or_is_refused() {
    let mut refused = 0;
    for i in 0..HOSTILE.len() {
        let input = hostile_input(i);
        let pairs = env_pairs(&input);
        let text = match render(&input, Format::Tcsh) {
            Ok(text) => text,
            Err(e) => {
                // Only values with a line break or another control character are refused.
                let control = pairs
                    .iter()
                    .filter_map(|(_, v)| v.as_deref())
                    .any(|v| v.chars().any(char::is_control));
                assert!(control, "refused without a control character: {e}");
                refused += 1;
                continue;
            }
        };
        assert_round_trip("tcsh", "source $EXPORT_FILE", &text, &pairs);
        assert_round_trip("tcsh", "eval \"`cat $EXPORT_FILE`\"", &text, &pairs);
    }
    assert!(refused > 0 && refused < HOSTILE.len(), "{refused}");
}

#[test]
fn rsw_for_nu_and_tcsh_switches_only_when_rswitch_succeeds() {
    let nu = nu();
    let input = hostile_input(0);
    let cases = [
        (nu.as_str(), Format::Nushell, "source init.nu\nrsw 'x y'"),
        ("tcsh", Format::Tcsh, "source $FAKE_DIR/init.tcsh\nrsw 'x y'"),
    ];
    for (shell, format, script) in cases {
        let mut input = input.clone();
        if format == Format::Tcsh {
            input.profile = "prod'!$(touch pwned)".into();
        }
        let text = render(&input, format).unwrap();
        let dir = tempfile::tempdir().unwrap();
        install_fake_rswitch(dir.path(), 0, &[]);
        assert_round_trip_in(dir.path(), shell, script, &text, &env_pairs(&input));
        let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
        assert_eq!(
            args,
            format!("export\n--format\n{}\n--\nx y\n", format.name()),
            "{shell}"
        );
        // rswitch fails (printing nothing on stdout, as the real one does): nothing changes.
        let dir = tempfile::tempdir().unwrap();
        install_fake_rswitch(dir.path(), 3, &[]);
        assert_round_trip_in(dir.path(), shell, script, "", &[]);
    }
}

// ---- exec, subshell and the `rsw` functions -------------------------------------------

use rswitch::env::Env;
use rswitch::shell::{self, InitShell, ShellError, exit_code, init_script};
use std::ffi::OsString;

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

#[test]
fn exec_applies_the_pairs_and_reports_the_status() {
    let input = hostile_input(1);
    let pairs = env_pairs(&input);
    let cmd = shell::command("env", &os(&["-0"]), &pairs);
    for (k, v) in &pairs {
        let got = cmd
            .get_envs()
            .find(|(name, _)| *name == k.as_str())
            .map(|(_, v)| v);
        assert_eq!(got, Some(v.as_deref().map(std::ffi::OsStr::new)), "{k}");
    }
    let out = shell::command("env", &os(&["-0"]), &pairs).output().unwrap();
    let env: BTreeMap<String, String> = String::from_utf8(out.stdout)
        .unwrap()
        .split_terminator('\0')
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.to_string(), v.to_string())))
        .collect();
    for (k, v) in &pairs {
        assert_eq!(env.get(k), v.as_ref(), "{k}");
    }

    let status = shell::exec(
        "sh",
        &os(&[
            "-c",
            r#"test "$RSWITCH_PROFILE" = "$1" && exit 7"#,
            "sh",
            &input.profile,
        ]),
        &pairs,
    );
    assert_eq!(exit_code(status.unwrap()), 7);
    let status = shell::exec("sh", &os(&["-c", "kill -TERM $$"]), &pairs).unwrap();
    assert_eq!(exit_code(status), 128 + 15);
    let err = shell::exec("rswitch-no-such-command", &[], &pairs).unwrap_err();
    assert!(
        matches!(err, ShellError::NotFound { .. }) && err.exit_code() == 127,
        "{err}"
    );
    assert!(err.to_string().contains("'rswitch-no-such-command'"));
}

#[cfg(unix)]
#[test]
fn exec_survives_the_terminal_interrupt_meant_for_the_child() {
    // The child sends SIGINT to rswitch (this test process) as Ctrl-C would: rswitch must
    // live on and report the child's own status.
    let status = shell::exec(
        "sh",
        &os(&["-c", "kill -INT $PPID; kill -QUIT $PPID; sleep 0.1; exit 4"]),
        &[],
    );
    assert_eq!(exit_code(status.unwrap()), 4);
}

#[test]
fn subshell_uses_shell_refuses_to_nest_and_sets_the_profile() {
    let pairs = env_pairs(&hostile_input(0));
    let env = Env::from_vars([("SHELL", "/bin/bash")], None);
    let mut cmd = shell::subshell_command(&env, &pairs, false).unwrap();
    assert_eq!(cmd.get_program(), "/bin/bash");
    let mut child = cmd
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"printf '%s' \"$RSWITCH_PROFILE\"; test -z \"${AWS_PROFILE+x}${AWS_SECURITY_TOKEN+x}\" && exit 5\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(exit_code(out.status), 5);
    assert_eq!(String::from_utf8(out.stdout).unwrap(), hostile_input(0).profile);

    let no_shell = Env::from_vars(Vec::<(String, String)>::new(), None);
    assert_eq!(
        shell::subshell_command(&no_shell, &pairs, false)
            .unwrap()
            .get_program(),
        "/bin/sh"
    );

    let inside = Env::from_vars([("RSWITCH_PROFILE", "prod")], None);
    let err = shell::subshell_command(&inside, &pairs, false).unwrap_err();
    assert!(matches!(err, ShellError::Nested { .. }));
    assert!(
        err.to_string().contains("'prod'") && err.to_string().contains("--nested"),
        "{err}"
    );
    assert!(shell::subshell_command(&inside, &pairs, true).is_ok());
}

/// A stand-in for the real binary: `export` prints `$EXPORT_FILE` and exits with the
/// code in `$FAKE_DIR/rc` (default 0); `list --names` prints `$FAKE_DIR/names`.
fn install_fake_rswitch(dir: &Path, rc: i32, names: &[&str]) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    let fake = dir.join("bin/rswitch");
    std::fs::write(
        &fake,
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$FAKE_DIR/args\"\ncase \"$1\" in\n\
         export) cat \"$EXPORT_FILE\"; exit $(cat \"$FAKE_DIR/rc\") ;;\n\
         list) cat \"$FAKE_DIR/names\" ;;\nesac\n",
    )
    .unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(dir.join("rc"), rc.to_string()).unwrap();
    std::fs::write(
        dir.join("names"),
        names.iter().map(|n| format!("{n}\n")).collect::<String>(),
    )
    .unwrap();
    for (shell, ext) in [
        (InitShell::Bash, "bash"),
        (InitShell::Zsh, "zsh"),
        (InitShell::Fish, "fish"),
        (InitShell::Nu, "nu"),
        (InitShell::Tcsh, "tcsh"),
    ] {
        std::fs::write(dir.join(format!("init.{ext}")), init_script(shell)).unwrap();
    }
}

const RSW_SCRIPTS: &[(&str, Format, &str)] = &[
    (
        "bash",
        Format::Env,
        r#"eval "$(cat "$FAKE_DIR/init.bash")"; rsw "$RSW_ARG"; echo $? > "$FAKE_DIR/status""#,
    ),
    (
        "zsh",
        Format::Env,
        r#"eval "$(cat "$FAKE_DIR/init.zsh")"; rsw "$RSW_ARG"; echo $? > "$FAKE_DIR/status""#,
    ),
    (
        "fish",
        Format::Fish,
        r#"cat $FAKE_DIR/init.fish | source; rsw $RSW_ARG; echo $status > $FAKE_DIR/status"#,
    ),
];

#[test]
fn rsw_switches_the_current_shell_only_when_rswitch_succeeds() {
    for (shell, format, script) in RSW_SCRIPTS {
        let input = hostile_input(0);
        let text = render(&input, *format).unwrap();
        let script = format!("RSW_ARG='x y'\n{}", script.replace("RSW_ARG=", ""));
        let script = if *shell == "fish" {
            script.replace("RSW_ARG='x y'", "set RSW_ARG 'x y'")
        } else {
            script
        };

        let dir = tempfile::tempdir().unwrap();
        install_fake_rswitch(dir.path(), 0, &[]);
        assert_round_trip_in(dir.path(), shell, &script, &text, &env_pairs(&input));
        let args = std::fs::read_to_string(dir.path().join("args")).unwrap();
        assert_eq!(
            args,
            format!("export\n--format\n{}\nx y\n", format.name()),
            "{shell}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("status")).unwrap().trim(),
            "0",
            "{shell}"
        );

        // rswitch fails after printing something: nothing is evaluated, the code is passed on.
        let dir = tempfile::tempdir().unwrap();
        install_fake_rswitch(dir.path(), 3, &[]);
        assert_round_trip_in(dir.path(), shell, &script, &text, &[]);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("status")).unwrap().trim(),
            "3",
            "{shell}"
        );
    }
}

#[test]
fn rsw_completes_profile_names_without_expanding_them() {
    let names = ["prod", "prod eu", "$(touch pwned)", "`touch pwned`", "dev"];
    let dir = tempfile::tempdir().unwrap();
    install_fake_rswitch(dir.path(), 0, &names);
    let run = |shell: &str, script: &str| {
        let out = Command::new(shell)
            .args(["-c", script])
            .env("PATH", fake_path(dir.path()))
            .env("FAKE_DIR", dir.path())
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let bash = |word: &str| {
        run(
            "bash",
            &format!(
                "eval \"$(cat \"$FAKE_DIR/init.bash\")\"; COMP_WORDS=(rsw {}); COMP_CWORD=1; _rsw_complete; \
                 printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                rswitch::export::posix_quote(word)
            ),
        )
    };
    assert_eq!(bash("pr"), "prod\nprod\\ eu\n");
    assert_eq!(bash("$"), "\\$\\(touch\\ pwned\\)\n");
    assert_eq!(bash("`").lines().count(), 1);

    let fish = run(
        "fish",
        "cat $FAKE_DIR/init.fish | source; complete -C 'rsw pr'; complete -C 'rsw \\$'",
    );
    let fish: Vec<&str> = fish.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(fish, ["prod", "prod eu", "$(touch pwned)"]);

    let zsh = run(
        "zsh",
        "autoload -Uz compinit; compinit -u -D; eval \"$(cat \"$FAKE_DIR/init.zsh\")\"; print -r -- $_comps[rsw]",
    );
    assert_eq!(zsh, "_rsw\n");
    // Without compinit the script still loads (completion is simply not registered).
    assert_eq!(
        run("zsh", "eval \"$(cat \"$FAKE_DIR/init.zsh\")\"; whence -w rsw"),
        "rsw: function\n"
    );
    assert!(!dir.path().join("pwned").exists(), "a profile name ran code");
}

#[test]
fn every_init_script_calls_export_with_its_own_format() {
    for (shell, format) in [
        (InitShell::Bash, Format::Env),
        (InitShell::Zsh, Format::Env),
        (InitShell::Fish, Format::Fish),
        (InitShell::Powershell, Format::Powershell),
    ] {
        let s = init_script(shell);
        assert!(
            s.contains(&format!("rswitch export --format {}", format.name())),
            "{shell:?}"
        );
        assert!(s.contains("rswitch list --names"), "{shell:?}");
    }
}
