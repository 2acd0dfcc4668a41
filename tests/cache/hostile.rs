//! Foreign and planted cache entries: out-of-range timestamps, FIFOs, devices, symlinks
//! out of the directory, oversized files and directories others can write to. Each must
//! read as "no entry" at once — never a panic, a hang or an unbounded read.

use super::role;
use rswitch::cache::{Cache, CacheKey, MAX_ENTRY_BYTES};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

fn key() -> CacheKey {
    CacheKey::for_role("arn:aws:iam::123456789012:role/Admin", None, None, None, None)
}

fn entry(expiration: &str) -> String {
    format!(
        r#"{{"Credentials": {{"AccessKeyId": "ASIAX", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": {expiration}}}, "AssumedRoleUser": {{"AssumedRoleId": "AROA:x", "Arn": "arn:aws:sts::123456789012:assumed-role/Admin/x"}}}}"#
    )
}

fn private_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
    dir
}

/// `get` on a separate thread, failing the test instead of hanging it.
fn get_within(cache: &Cache, limit: Duration) -> Option<rswitch::cache::CachedRole> {
    let cache = cache.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(cache.get(&key(), SystemTime::now()));
    });
    rx.recv_timeout(limit)
        .expect("reading a planted cache entry must not hang")
}

#[test]
fn out_of_range_expirations_read_as_no_entry() {
    let dir = private_dir();
    let cache = Cache::new(dir.path());
    for expiration in [
        "1e20",
        "\"1e19\"",
        "1e308",
        "-1e20",
        "\"99999-01-01T00:00:00Z\"",
        "18446744073709551616",
    ] {
        std::fs::write(cache.path(&key()), entry(expiration)).unwrap();
        assert_eq!(cache.get(&key(), SystemTime::now()), None, "{expiration}");
    }
    // A far but representable date still works.
    std::fs::write(cache.path(&key()), entry("\"9999-12-31T00:00:00Z\"")).unwrap();
    assert!(cache.get(&key(), SystemTime::now()).is_some());
}

#[test]
fn a_fifo_at_an_entry_path_is_skipped_at_once() {
    let dir = private_dir();
    let cache = Cache::new(dir.path());
    let status = std::process::Command::new("mkfifo")
        .arg(cache.path(&key()))
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    assert_eq!(get_within(&cache, Duration::from_secs(5)), None);
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[test]
fn devices_and_symlinks_out_of_the_directory_are_skipped() {
    let dir = private_dir();
    let cache = Cache::new(dir.path());
    // /dev/zero would read until memory runs out.
    std::os::unix::fs::symlink("/dev/zero", cache.path(&key())).unwrap();
    assert_eq!(get_within(&cache, Duration::from_secs(5)), None);

    // A valid entry outside the directory, linked in: not used either.
    let outside = tempfile::tempdir().unwrap();
    let planted = outside.path().join("entry.json");
    std::fs::write(&planted, entry("\"9999-12-31T00:00:00Z\"")).unwrap();
    std::fs::remove_file(cache.path(&key())).unwrap();
    std::os::unix::fs::symlink(&planted, cache.path(&key())).unwrap();
    assert_eq!(cache.get(&key(), SystemTime::now()), None);

    // A link to a file inside the directory is fine.
    let inside = dir.path().join("real.json");
    std::fs::write(&inside, entry("\"9999-12-31T00:00:00Z\"")).unwrap();
    std::fs::remove_file(cache.path(&key())).unwrap();
    std::os::unix::fs::symlink(&inside, cache.path(&key())).unwrap();
    assert!(cache.get(&key(), SystemTime::now()).is_some());
}

#[test]
fn oversized_entries_are_not_read() {
    let dir = private_dir();
    let cache = Cache::new(dir.path());
    let mut text = entry("\"9999-12-31T00:00:00Z\"");
    text.push_str(&" ".repeat(MAX_ENTRY_BYTES as usize));
    std::fs::write(cache.path(&key()), text).unwrap();
    assert_eq!(cache.get(&key(), SystemTime::now()), None);
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_directory_others_can_write_is_neither_read_nor_written() {
    let dir = private_dir();
    let cache = Cache::new(dir.path().join("cache"));
    let r = role("ASIALOOSE", Duration::from_secs(3600));
    cache.put(&key(), &r).unwrap();
    assert!(cache.get(&key(), SystemTime::now()).is_some());

    set_mode(cache.dir(), 0o777);
    assert_eq!(
        cache.get(&key(), SystemTime::now()),
        None,
        "an entry anyone could have planted"
    );
    let err = cache.put(&key(), &r).unwrap_err();
    assert!(err.to_string().contains("writable by other users"), "{err}");
    assert!(err.to_string().contains("chmod 700"), "{err}");

    set_mode(cache.dir(), 0o755);
    assert!(
        cache.get(&key(), SystemTime::now()).is_some(),
        "0755 is botocore's default"
    );
    cache.put(&key(), &r).unwrap();

    // Owned by another user (only root can arrange that here).
    if std::os::unix::fs::chown(cache.dir(), Some(54321), None).is_ok() {
        assert_eq!(cache.get(&key(), SystemTime::now()), None);
        let err = cache.put(&key(), &r).unwrap_err();
        assert!(err.to_string().contains("owned by another user"), "{err}");
    }
}
