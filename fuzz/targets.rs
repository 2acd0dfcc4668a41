//! The fuzz targets: every parser of outside input rswitch has, fed arbitrary bytes.
//! Shared by the stable driver (`tests/fuzz.rs`, run by CI with a fixed budget and
//! locally for millions of inputs) and the cargo-fuzz targets (`fuzz/fuzz_targets/`).
//! A target passes when it returns: a panic (or an abort) is the finding.

#![allow(dead_code)]

use rswitch::env::Env;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A fixed "now", so a run is reproducible from its seed.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_786_192_496)
}

/// `~/.aws/cli/cache/<key>.json` (assume-role and MFA session entries) and every JSON
/// value in it read as an `Expiration`.
pub fn cache_entry(data: &[u8]) {
    let _ = rswitch::cache::parse_role(data, now());
    let _ = rswitch::cache::parse_session(data, now());
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        each_value(&v, &mut |v| {
            if let Some(t) = rswitch::cache::parse_expiration(v) {
                // Whatever was read must be usable: formatted, compared, counted down.
                let _ = rswitch::cache::format_expiration(t);
                let _ = rswitch::creds::rfc3339(t);
                let _ = rswitch::text::countdown(t, now());
            }
        });
    }
}

/// `~/.aws/sso/cache/<sha1>.json`, the token cache `aws sso login` writes.
pub fn sso_token(data: &[u8]) {
    if let Some(entry) = rswitch::resolve::sso_login::CacheEntry::parse(data) {
        let _ = entry.due_for_refresh(now());
    }
}

/// What a `credential_process` prints.
pub fn process_output(data: &[u8]) {
    if let Ok(c) = rswitch::resolve::process::parse_output(data)
        && let Some(t) = c.expiration
    {
        let _ = rswitch::creds::rfc3339(t);
    }
}

/// `~/.aws/config` and `~/.aws/credentials`: split at the first NUL byte. Every profile
/// is planned and the whole set linted, as `list`, `lint` and every command do.
pub fn config_files(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (config, credentials) = text.split_once('\0').unwrap_or((&text, ""));
    let set = rswitch::config::parse_str(
        Some((Path::new("/fuzz/config"), config)),
        Some((Path::new("/fuzz/credentials"), credentials)),
    );
    let env = Env::from_vars([("AWS_REGION", "eu-west-1")], Some("/fuzz/home".into()));
    for name in set.profiles.keys() {
        if let Ok(plan) = rswitch::resolve::plan(&set, &env, name) {
            for hop in &plan.hops {
                let _ = rswitch::resolve::cache_key(hop);
            }
        }
    }
    let _ = rswitch::config::lint::lint(&set);
}

/// The STS error text rswitch reads itself (the SDK parses the rest, see `sts_body` in
/// the stable driver, which runs the whole client against a loopback server).
pub fn sts_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = rswitch::sts::caller_from_message(&text);
    let _ = rswitch::sts::kind_of_code(Some(&text));
    let _ = rswitch::arn::account_of(&text);
    let _ = rswitch::arn::Arn::parse(&text).map(|a| (a.role_name(), a.principal_name()));
    let _ = rswitch::text::printable(&text);
}

fn each_value(v: &serde_json::Value, f: &mut impl FnMut(&serde_json::Value)) {
    f(v);
    match v {
        serde_json::Value::Array(items) => items.iter().for_each(|i| each_value(i, f)),
        serde_json::Value::Object(map) => map.values().for_each(|i| each_value(i, f)),
        _ => {}
    }
}
