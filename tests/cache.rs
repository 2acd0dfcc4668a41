//! The assume-role cache against the real thing: keys computed by botocore itself, entries
//! written by rswitch reused by the `aws` CLI (with no network to fall back on), entries
//! written by the `aws` CLI (after a real AssumeRole against moto) read by rswitch.
//!
//! Needs the test venv (`$RSWITCH_TEST_VENV`, default `target/test-venv`) with awscli,
//! botocore and moto[server].

use rswitch::cache::{Cache, CacheKey, CachedRole, CachedSession, EXPIRY_WINDOW, MFA_SUBDIR, MfaKey};
use rswitch::creds::{Credentials, Secret};
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[path = "cache/hostile.rs"]
mod hostile;

fn venv() -> PathBuf {
    let dir = std::env::var_os("RSWITCH_TEST_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/test-venv"));
    assert!(
        dir.join("bin/python").exists() && dir.join("bin/aws").exists(),
        "test venv not found at {}: create it with awscli, botocore and moto[server] \
         (or point RSWITCH_TEST_VENV at one)",
        dir.display()
    );
    dir
}

fn run_python(code: &str, stdin: &str) -> String {
    let mut child = Command::new(venv().join("bin/python"))
        .args(["-c", code])
        .env("PYTHONUTF8", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start the venv's python");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

type Args = (
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
    Option<i64>,
);

#[test]
fn keys_match_botocore() {
    let cases: &[Args] = &[
        ("arn:aws:iam::123456789012:role/Admin", None, None, None, None),
        (
            "arn:aws:iam::123456789012:role/Admin",
            Some("alice"),
            Some("ext-1"),
            Some("arn:aws:iam::123456789012:mfa/alice"),
            Some(3600),
        ),
        (
            "arn:aws:iam::123456789012:role/path/R",
            Some(""),
            None,
            Some(""),
            Some(900),
        ),
        ("arn:aws:iam::1:role/R", None, Some(""), None, Some(-1)),
        (
            "arn:aws:iam::1:role/Ünïcødé",
            Some("sess-é😀"),
            Some("quote\" back\\slash\nnl\ttab\u{7f}\u{1}"),
            Some("日本語"),
            Some(43200),
        ),
        ("arn:aws-cn:iam::1:role/x", Some("s@x.y=z,w+v"), None, None, None),
    ];
    let input: Vec<serde_json::Value> = cases
        .iter()
        .map(|(arn, name, ext, serial, dur)| {
            let mut extra = serde_json::Map::new();
            // botocore's provider adds each setting that is configured (not None).
            if let Some(v) = name {
                extra.insert("RoleSessionName".into(), (*v).into());
            }
            if let Some(v) = ext {
                extra.insert("ExternalId".into(), (*v).into());
            }
            if let Some(v) = serial {
                extra.insert("SerialNumber".into(), (*v).into());
            }
            if let Some(v) = dur {
                extra.insert("DurationSeconds".into(), (*v).into());
            }
            serde_json::json!({"arn": arn, "extra": extra})
        })
        .collect();
    let out = run_python(
        r#"
import json, sys
from botocore.credentials import AssumeRoleCredentialFetcher
for case in json.load(sys.stdin):
    f = AssumeRoleCredentialFetcher(client_creator=None, source_credentials=None,
        role_arn=case["arn"], extra_args=case["extra"], cache={})
    print(f._cache_key)
"#,
        &serde_json::to_string(&input).unwrap(),
    );
    let botocore: Vec<&str> = out.lines().collect();
    let ours: Vec<String> = cases
        .iter()
        .map(|(a, n, e, s, d)| CacheKey::for_role(a, *n, *e, *s, *d).as_str().to_string())
        .collect();
    assert_eq!(ours, botocore);
}

fn role(akid: &str, expires_in: Duration) -> CachedRole {
    let expiration = UNIX_EPOCH
        + Duration::from_secs(
            (SystemTime::now() + expires_in)
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        );
    CachedRole {
        credentials: Credentials {
            access_key_id: akid.into(),
            secret_access_key: Secret::new(format!("secret-of-{akid}")),
            session_token: Some(Secret::new(format!("token-of-{akid}"))),
            expiration: Some(expiration),
        },
        assumed_role_arn: "arn:aws:sts::123456789012:assumed-role/Admin/alice".into(),
        assumed_role_id: "AROAEXAMPLE:alice".into(),
        expiration,
    }
}

const MFA_CONFIG: &str = "\
[profile base]
aws_access_key_id = AKIABASE0000EXAMPLE
aws_secret_access_key = basesecret
region = us-east-1

[profile role]
role_arn = arn:aws:iam::123456789012:role/Admin
source_profile = base
role_session_name = alice
external_id = ext-é
mfa_serial = arn:aws:iam::123456789012:mfa/alice
duration_seconds = 3600
region = us-east-1
";

fn role_key() -> CacheKey {
    CacheKey::for_role(
        "arn:aws:iam::123456789012:role/Admin",
        Some("alice"),
        Some("ext-é"),
        Some("arn:aws:iam::123456789012:mfa/alice"),
        Some(3600),
    )
}

/// Runs the real `aws` CLI with `home` as HOME and STS at `sts_endpoint`.
fn aws(home: &Path, sts_endpoint: &str, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(venv().join("bin/aws"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("PYTHONUTF8", "1")
        .env("AWS_ENDPOINT_URL_STS", sts_endpoint)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run aws");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn home_with_config(config: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(home.path().join(".aws")).unwrap();
    std::fs::write(home.path().join(".aws/config"), config).unwrap();
    home
}

#[test]
fn aws_cli_reuses_an_entry_written_by_rswitch() {
    let home = home_with_config(MFA_CONFIG);
    let cache = Cache::new(home.path().join(".aws/cli/cache"));
    // A dead endpoint and no MFA code on stdin: the CLI can only succeed from the cache.
    let dead = "http://127.0.0.1:9";

    cache
        .put(
            &role_key(),
            &role("ASIAFROMRSWITCH1234", Duration::from_secs(3600)),
        )
        .unwrap();
    let out = aws(home.path(), dead, &["configure", "list", "--profile", "role"], "");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("****************1234") && stdout.contains("assume-role"),
        "aws did not reuse the entry:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Same window as botocore: with 14 minutes left both refuse the entry, with 16 both use it.
    cache
        .put(
            &role_key(),
            &role("ASIAALMOSTEXPIRED14", Duration::from_secs(14 * 60)),
        )
        .unwrap();
    let out = aws(home.path(), dead, &["configure", "list", "--profile", "role"], "");
    assert!(
        !out.status.success(),
        "aws used an entry inside the refresh window"
    );
    assert!(cache.get(&role_key(), SystemTime::now()).is_none());
    cache
        .put(
            &role_key(),
            &role("ASIASTILLGOOD000016", Duration::from_secs(16 * 60)),
        )
        .unwrap();
    let out = aws(home.path(), dead, &["configure", "list", "--profile", "role"], "");
    assert!(String::from_utf8_lossy(&out.stdout).contains("****************0016"));
    assert!(cache.get(&role_key(), SystemTime::now()).is_some());
}

/// moto's server on a free loopback port, stopped on drop.
struct Moto(Child, u16);

impl Moto {
    fn start() -> Moto {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(venv().join("bin/moto_server"))
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot start moto_server");
        let moto = Moto(child, port);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto_server did not start on port {port}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        moto
    }
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.1)
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn rswitch_reads_the_entry_the_aws_cli_writes() {
    let moto = Moto::start();
    let home = home_with_config(MFA_CONFIG);
    let dir = home.path().join(".aws/cli/cache");
    // The CLI assumes the role (MFA code from stdin) and caches the response.
    let out = aws(
        home.path(),
        &moto.url(),
        &["configure", "list", "--profile", "role"],
        "123456\n",
    );
    assert!(
        out.status.success(),
        "aws failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        files,
        vec![role_key().file_name()],
        "the CLI named its entry differently"
    );

    let raw: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(&files[0])).unwrap()).unwrap();
    let cached = Cache::new(&dir)
        .get(&role_key(), SystemTime::now())
        .expect("entry not read");
    let c = &raw["Credentials"];
    assert_eq!(
        cached.credentials.access_key_id,
        c["AccessKeyId"].as_str().unwrap()
    );
    assert_eq!(
        cached.credentials.secret_access_key.expose(),
        c["SecretAccessKey"].as_str().unwrap()
    );
    assert_eq!(
        cached.credentials.session_token.as_ref().map(|t| t.expose()),
        c["SessionToken"].as_str()
    );
    assert_eq!(
        cached.assumed_role_arn,
        raw["AssumedRoleUser"]["Arn"].as_str().unwrap()
    );
    // moto issues the duration asked for: 3600 s from now.
    let left = cached.expiration.duration_since(SystemTime::now()).unwrap();
    assert!(
        left > Duration::from_secs(3500) && left <= Duration::from_secs(3600),
        "{left:?}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last4 = &cached.credentials.access_key_id[cached.credentials.access_key_id.len() - 4..];
    assert!(stdout.contains(&format!("************{last4}")), "{stdout}");
}

#[test]
fn concurrent_writers_never_leave_a_torn_entry() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let key = CacheKey::for_role("arn:aws:iam::1:role/R", None, None, None, None);
    let roles: Vec<CachedRole> = (0..8)
        .map(|i| {
            role(
                &format!("ASIAWRITER{i}{}", "X".repeat(i * 300)),
                Duration::from_secs(3600),
            )
        })
        .collect();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut seen = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(r) = cache.get(&key, SystemTime::now()) {
                    assert!(roles.contains(&r), "torn or mixed entry read");
                    seen += 1;
                }
            }
            seen
        });
        let writers: Vec<_> = roles
            .iter()
            .map(|r| {
                let (cache, key) = (&cache, &key);
                s.spawn(move || {
                    for _ in 0..100 {
                        cache.put(key, r).unwrap();
                    }
                })
            })
            .collect();
        for w in writers {
            w.join().unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(reader.join().unwrap() > 0);
    });
    let left: Vec<_> = std::fs::read_dir(cache.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        left,
        vec![std::ffi::OsString::from(key.file_name())],
        "temporary files left behind"
    );
}

#[test]
fn corrupt_expired_and_foreign_files_read_as_none() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path());
    let key = CacheKey::for_role("arn:aws:iam::1:role/R", None, None, None, None);
    let good = r#"{"Credentials": {"AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2999-01-01T00:00:00UTC"}, "AssumedRoleUser": {"AssumedRoleId": "AROA:x", "Arn": "arn:aws:sts::1:assumed-role/R/x"}}"#;
    std::fs::write(cache.path(&key), good).unwrap();
    assert!(
        cache.get(&key, SystemTime::now()).is_some(),
        "the well-formed entry must be read"
    );
    for bad in [
        "",
        "not json",
        &good[..good.len() / 2],
        "[]",
        "{}",
        r#"{"Credentials": "x"}"#,
        &good.replace("2999-01-01T00:00:00UTC", "2000-01-01T00:00:00UTC"),
        &good.replace("2999-01-01T00:00:00UTC", "2999-01-01T00:00:00"),
        &good.replace("2999-01-01T00:00:00UTC", "soon"),
        &good.replace(r#""SessionToken": "T", "#, ""),
        &good.replace(r#""AccessKeyId": "A""#, r#""AccessKeyId": 1"#),
        &good.replace(
            r#", "AssumedRoleUser": {"AssumedRoleId": "AROA:x", "Arn": "arn:aws:sts::1:assumed-role/R/x"}"#,
            "",
        ),
        "\u{0}\u{ff}\u{fe}",
    ] {
        std::fs::write(cache.path(&key), bad).unwrap();
        assert!(cache.get(&key, SystemTime::now()).is_none(), "read {bad:?}");
    }
    std::fs::remove_file(cache.path(&key)).unwrap();
    std::fs::create_dir(cache.path(&key)).unwrap();
    assert!(cache.get(&key, SystemTime::now()).is_none());
    assert!(
        Cache::new("/nonexistent/dir")
            .get(&key, SystemTime::now())
            .is_none()
    );
}

#[cfg(unix)]
#[test]
fn files_are_private_and_clear_leaves_other_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("aws/cli/cache"));
    let key = CacheKey::for_role("arn:aws:iam::1:role/R", None, None, None, None);
    let other = CacheKey::for_role("arn:aws:iam::1:role/Other", None, None, None, None);
    cache
        .put(&key, &role("ASIAONE", Duration::from_secs(3600)))
        .unwrap();
    cache
        .put(&other, &role("ASIATWO", Duration::from_secs(3600)))
        .unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(cache.dir()), 0o700);
    assert_eq!(mode(&cache.path(&key)), 0o600);

    let mfa = MfaKey::new("AKIABASE", "arn:aws:iam::1:mfa/alice", None);
    let session = CachedSession {
        credentials: role("ASIASESSION", Duration::from_secs(3600)).credentials,
        expiration: role("ASIASESSION", Duration::from_secs(3600)).expiration,
    };
    cache.put_mfa_session(&mfa, &session).unwrap();
    assert_eq!(cache.get_mfa_session(&mfa, SystemTime::now()), Some(session));
    assert!(
        cache
            .get_mfa_session(
                &MfaKey::new("AKIAOTHER", "arn:aws:iam::1:mfa/alice", None),
                SystemTime::now()
            )
            .is_none()
    );
    let mfa_dir = cache.dir().join(MFA_SUBDIR);
    assert_eq!(mode(&mfa_dir), 0o700);
    assert_eq!(mode(&mfa_dir.join(mfa.file_name())), 0o600);
    assert!(
        cache
            .get_mfa_session(
                &mfa,
                SystemTime::now() + Duration::from_secs(3600) - EXPIRY_WINDOW + Duration::from_secs(2)
            )
            .is_none()
    );

    std::fs::write(cache.dir().join("notes.txt"), "keep").unwrap();
    assert!(cache.remove(&key).unwrap());
    assert!(!cache.remove(&key).unwrap());
    assert_eq!(cache.clear([&key, &other]).unwrap(), 1);
    cache
        .put(&key, &role("ASIAONE", Duration::from_secs(3600)))
        .unwrap();
    assert_eq!(cache.clear_all().unwrap(), 2);
    assert!(cache.get(&key, SystemTime::now()).is_none());
    assert!(cache.get_mfa_session(&mfa, SystemTime::now()).is_none());
    assert!(cache.dir().join("notes.txt").exists());
}
