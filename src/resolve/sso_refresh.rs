//! One refresh of a cached SSO token at a time. aws-config's `SsoCredentialsProvider`
//! builds its own token provider, so profiles of one `[sso-session]` resolved at once
//! would each call SSO OIDC `CreateToken` with the same refresh token; Identity Center
//! rotates refresh tokens, so all but the first would be refused and fall back to the
//! expired token. Here, while a session's cached token is due for refresh, fetches wait
//! for one another; the first refreshes and writes the cache file, the next ones find
//! it fresh and go on in parallel. A refresh that failed is not tried again by the
//! other profiles of the session while the cache file stays as it was.

use super::outcome::HopError;
use super::sso_login::CacheEntry;
use crate::creds::Credentials;
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A failed refresh: the digest of the cache file it was tried with, and its error.
type Failed = ([u8; 20], HopError);

/// Process-wide, as the token cache files are: every resolver shares one refresh.
static REFRESHES: tokio::sync::Mutex<BTreeMap<PathBuf, Failed>> =
    tokio::sync::Mutex::const_new(BTreeMap::new());

/// Runs `fetch` (which resolves the SSO credentials through the token cache at `path`)
/// alone when that token is due for a refresh, and at once otherwise.
pub(crate) async fn one_at_a_time<F, Fut>(path: &Path, fetch: F) -> Result<Credentials, HopError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Credentials, HopError>>,
{
    if !due(path) {
        return fetch().await;
    }
    let mut refreshes = REFRESHES.lock().await;
    if let Some((digest, error)) = refreshes.get(path)
        && Some(*digest) == file_digest(path)
    {
        return Err(error.clone());
    }
    if !due(path) {
        // Another profile of the session refreshed it while this one waited.
        drop(refreshes);
        return fetch().await;
    }
    let before = file_digest(path);
    let result = fetch().await;
    match (&result, before) {
        (Err(error), Some(digest)) if file_digest(path) == Some(digest) => {
            refreshes.insert(path.to_path_buf(), (digest, error.clone()));
        }
        _ => {
            refreshes.remove(path);
        }
    }
    result
}

fn due(path: &Path) -> bool {
    CacheEntry::read(path).is_some_and(|e| e.due_for_refresh(SystemTime::now()))
}

fn file_digest(path: &Path) -> Option<[u8; 20]> {
    let dir = path.parent().unwrap_or(Path::new("."));
    crate::cache::read_foreign(dir, path).map(|bytes| Sha1::digest(&bytes).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::ErrorKind;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn due_entry(path: &Path, refresh_token: &str) {
        let now = SystemTime::now();
        let at = |t: SystemTime| crate::creds::rfc3339(t);
        let text = format!(
            r#"{{"accessToken":"a","expiresAt":"{}","refreshToken":"{refresh_token}","clientId":"c","clientSecret":"s","registrationExpiresAt":"{}"}}"#,
            at(now - Duration::from_secs(60)),
            at(now + Duration::from_secs(3600)),
        );
        std::fs::write(path, text).expect("write");
    }

    fn creds() -> Credentials {
        Credentials {
            access_key_id: "AKIA".into(),
            secret_access_key: crate::creds::Secret::new("s"),
            session_token: None,
            expiration: None,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_due_refresh_runs_alone_and_a_failed_one_is_not_repeated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("token.json");
        due_entry(&path, "r1");
        let (calls, inside, overlap) = (
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
            Arc::new(AtomicUsize::new(0)),
        );
        // Each fetch "refreshes": it writes a token that is not due any more.
        let fetch = |path: PathBuf| {
            let (calls, inside, overlap) = (calls.clone(), inside.clone(), overlap.clone());
            async move {
                one_at_a_time(&path.clone(), || async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    if inside.fetch_add(1, Ordering::SeqCst) > 0 {
                        overlap.fetch_add(1, Ordering::SeqCst);
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    if due(&path) {
                        std::fs::write(&path, r#"{"accessToken":"b","expiresAt":"2999-01-01T00:00:00Z"}"#)
                            .expect("write");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    inside.fetch_sub(1, Ordering::SeqCst);
                    Ok(creds())
                })
                .await
            }
        };
        let (a, b) = tokio::join!(fetch(path.clone()), fetch(path.clone()));
        assert!(a.is_ok() && b.is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert_eq!(
            overlap.load(Ordering::SeqCst),
            0,
            "the refresh ran alongside another fetch"
        );

        // A refresh that fails without touching the file is not tried again...
        let other = dir.path().join("other.json");
        due_entry(&other, "r2");
        let failing = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(HopError::new(ErrorKind::Credentials, None, "refused"))
        };
        calls.store(0, Ordering::SeqCst);
        assert!(one_at_a_time(&other, failing).await.is_err());
        let again = one_at_a_time(&other, failing).await;
        assert_eq!(again.map_err(|e| e.message), Err("refused".to_string()));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // ...until the cache file changes (a new login).
        due_entry(&other, "r3");
        assert!(one_at_a_time(&other, failing).await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
