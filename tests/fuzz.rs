//! Fuzzing on stable Rust: each target of `fuzz/targets.rs` runs on its seed corpus
//! (`fuzz/corpus/<target>/`), then on inputs mutated from it (bit flips, byte edits,
//! spliced seeds, and tokens that broke parsers before: huge numbers, quotes, brackets,
//! section headers). A panic is a finding: the input is written to
//! `target/fuzz-findings/` and the test fails with the seed that reproduces it.
//!
//! `RSWITCH_FUZZ_ITERS` sets the inputs per target (CI's budget is the default), and
//! `RSWITCH_FUZZ_SEED` the seed (default: from the clock, printed). For millions:
//! `RSWITCH_FUZZ_ITERS=3000000 cargo test --release --test fuzz -- --test-threads=1`.
//! For coverage-guided runs, see the cargo-fuzz targets in `fuzz/`.

#[path = "../fuzz/targets.rs"]
mod targets;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Inputs per target when `RSWITCH_FUZZ_ITERS` is not set (a few seconds in CI).
const CI_ITERS: u64 = 20_000;
/// Inputs for the STS target, each a real HTTP exchange with a loopback server.
const CI_STS_ITERS: u64 = 400;
/// Inputs never grow past this.
const MAX_INPUT: usize = 16 * 1024;

const TOKENS: &[&[u8]] = &[
    b"1e20",
    b"\"1e19\"",
    b"-1",
    b"1e308",
    b"18446744073709551616",
    b"NaN",
    b"\"inf\"",
    b"99999-12-31T23:59:59Z",
    b"0000-00-00T00:00:00Z",
    b"+14:00",
    b"UTC",
    b"\"",
    b"\\",
    b"\\u0000",
    b"\\ud800",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"\n",
    b"\r\n",
    b"\t",
    b" ",
    b"\0",
    b"\x1b[2J",
    b"\xc2\x9b",
    b"\xff",
    b"[profile ",
    b"[default]",
    b"[sso-session ",
    b"[services ",
    b"[]",
    b"=",
    b" = ",
    b"#",
    b";",
    b"role_arn",
    b"source_profile",
    b"credential_process",
    b"credential_source",
    b"mfa_serial",
    b"duration_seconds",
    b"sso_session",
    b"arn:aws:iam::123456789012:role/",
    b"<",
    b">",
    b"</",
    b"<Expiration>",
    b"<Code>",
    b"<Message>",
    b"&#x1b;",
    b"&amp;",
    b"<![CDATA[",
];

fn iterations(default: u64) -> u64 {
    std::env::var("RSWITCH_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn seed(name: &str) -> u64 {
    let seed = std::env::var("RSWITCH_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0)
        });
    eprintln!("fuzz {name}: RSWITCH_FUZZ_SEED={seed}");
    seed
}

fn corpus(name: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(name);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("corpus entry").path())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).expect("seed")).collect();
    assert!(!seeds.is_empty(), "no seeds in {}", dir.display());
    seeds
}

/// One input mutated from a seed: one to eight edits.
fn mutate(rng: &mut fastrand::Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut data = seeds[rng.usize(..seeds.len())].clone();
    for _ in 0..rng.usize(1..=8) {
        let len = data.len();
        let at = rng.usize(..=len);
        match rng.u8(..9) {
            0 if len > 0 => {
                let i = rng.usize(..len);
                data[i] ^= 1 << rng.u8(..8);
            }
            1 if len > 0 => {
                let i = rng.usize(..len);
                data[i] = rng.u8(..);
            }
            2 => data.insert(at, rng.u8(..)),
            3 if len > 0 => {
                let end = (at + rng.usize(..=16)).min(len);
                data.drain(at.min(end)..end);
            }
            4 if len > 0 => {
                let start = rng.usize(..len);
                let end = (start + rng.usize(1..=64)).min(len);
                let piece = data[start..end].to_vec();
                data.splice(at..at, piece);
            }
            5 | 6 => {
                let token = TOKENS[rng.usize(..TOKENS.len())];
                data.splice(at..at, token.iter().copied());
            }
            7 => {
                let other = &seeds[rng.usize(..seeds.len())];
                let from = rng.usize(..=other.len());
                data.truncate(at);
                data.extend_from_slice(&other[from..]);
            }
            _ => data.truncate(at),
        }
    }
    data.truncate(MAX_INPUT);
    data
}

/// Runs `target` on every seed, then on `iters` mutated inputs.
fn fuzz(name: &str, default_iters: u64, mut target: impl FnMut(&[u8])) {
    let seeds = corpus(name);
    let seed = seed(name);
    let mut rng = fastrand::Rng::with_seed(seed);
    let iters = iterations(default_iters);
    let mut check = |i: u64, input: &[u8]| {
        if catch_unwind(AssertUnwindSafe(|| target(input))).is_err() {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-findings");
            let _ = std::fs::create_dir_all(&dir);
            let file = dir.join(format!("{name}-{seed}-{i}"));
            let _ = std::fs::write(&file, input);
            panic!(
                "fuzz {name}: input {i} panicked; saved to {} (RSWITCH_FUZZ_SEED={seed})",
                file.display()
            );
        }
    };
    for (i, s) in seeds.iter().enumerate() {
        check(i as u64, s);
    }
    for i in 0..iters {
        check(i, &mutate(&mut rng, &seeds));
    }
    eprintln!("fuzz {name}: {} inputs, no finding", iters + seeds.len() as u64);
}

#[test]
fn cache_entry() {
    fuzz("cache_entry", CI_ITERS, targets::cache_entry);
}

#[test]
fn sso_token() {
    fuzz("sso_token", CI_ITERS, targets::sso_token);
}

#[test]
fn process_output() {
    fuzz("process_output", CI_ITERS, targets::process_output);
}

#[test]
fn config_files() {
    fuzz("config_files", CI_ITERS / 4, targets::config_files);
}

#[test]
fn sts_text() {
    fuzz("sts_text", CI_ITERS, targets::sts_text);
}

/// STS answers (XML and JSON, as 200, 400 and 403) through the real client: the SDK's
/// deserializers and rswitch's conversion of what they return, success and error.
#[test]
fn sts_body() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let answer: Arc<Mutex<(u16, Vec<u8>)>> = Arc::new(Mutex::new((200, Vec::new())));
    let served = answer.clone();
    let server = rt
        .block_on(rswitch::fake_aws::loopback::Server::start(
            rswitch::fake_aws::loopback::handler(move |_req| {
                let (status, body) = served.lock().map(|a| a.clone()).unwrap_or_default();
                async move { rswitch::fake_aws::loopback::Response::new(status, "text/xml", body) }
            }),
        ))
        .expect("loopback server");
    let sts = rswitch::sts::Sts::new(&rswitch::sts::StsSettings {
        region: Some("eu-west-1".into()),
        endpoint: Some(server.url()),
        timeout: Duration::from_secs(5),
        ..Default::default()
    });
    let creds = rswitch::creds::Credentials {
        access_key_id: "AKIAEXAMPLE".into(),
        secret_access_key: rswitch::creds::Secret::new("secret"),
        session_token: None,
        expiration: None,
    };
    let mut n = 0u64;
    fuzz("sts_body", CI_STS_ITERS, |body| {
        n += 1;
        let status = [200, 400, 403][(n % 3) as usize];
        if let Ok(mut a) = answer.lock() {
            *a = (status, body.to_vec());
        }
        rt.block_on(async {
            match n % 3 {
                0 => {
                    let input = rswitch::sts::AssumeRoleInput {
                        role_arn: "arn:aws:iam::123456789012:role/Admin",
                        session_name: "fuzz",
                        ..Default::default()
                    };
                    let _ = sts.assume_role(&creds, &input).await;
                }
                1 => {
                    let _ = sts.caller_identity(&creds).await;
                }
                _ => {
                    let _ = sts
                        .session_token(&creds, "arn:aws:iam::1:mfa/a", "123456", None)
                        .await;
                }
            }
        });
    });
}
