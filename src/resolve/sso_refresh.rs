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
pub async fn one_at_a_time<F, Fut>(path: &Path, fetch: F) -> Result<Credentials, HopError>
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
    std::fs::read(path).ok().map(|bytes| Sha1::digest(&bytes).into())
}
