//! The third, lowest source of account names: the account's IAM alias, asked with
//! `iam:ListAccountAliases` using the credentials of a profile that resolved into it.
//!
//! Answers are remembered per account in `<cache dir>/rswitch/account-aliases.json`
//! (0600, written atomically, read with a size cap, aliases sanitized like every name):
//! an alias or its absence for 24 h; a denial for 24 h too, per caller (a caller without
//! the permission is not asked again every run, another one of the account still is); a
//! failure to reach IAM for one hour. Asking never fails and never prints: a missing
//! alias is simply no name.

use super::names::{AccountNames, clean, read_capped};
use crate::creds::Credentials;
use crate::doctor::iam::{Iam, endpoint};
use crate::env::Env;
use crate::resolve::{Deadline, Plan, Resolution, Resolver};
use futures::StreamExt;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long an answer (alias, none, denied) is kept.
const FRESH: u64 = 24 * 3600;
/// How long a failure to reach IAM is kept before asking again.
const RETRY: u64 = 3600;
/// Most denied callers remembered per account.
const MAX_DENIED: usize = 32;
/// The most one lookup may take, within what is left of `--timeout`.
const ASK_MAX: Duration = Duration::from_secs(5);
/// Most lookups in flight at once (`check` over many accounts).
const PARALLEL: usize = 8;

/// What is known about one account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The alias, when the account has one and the caller could read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    /// Seconds since the Unix epoch when IAM was asked.
    pub checked: u64,
    /// IAM could not be reached (ask again sooner).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub failed: bool,
    /// Callers IAM refused (see [`caller_key`]); empty when IAM answered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub denied: Vec<String>,
}

impl Entry {
    /// True while `caller` need not ask again.
    fn fresh(&self, now: u64, caller: &str) -> bool {
        let keep = if self.failed { RETRY } else { FRESH };
        let recent = now.saturating_sub(self.checked) < keep && self.checked <= now + 60;
        recent && (self.denied.is_empty() || self.denied.iter().any(|c| c == caller))
    }
}

/// One answer of IAM.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Answer {
    Alias(Option<String>),
    Denied(String),
    Failed,
}

/// Who asked, as remembered for a denial: the ARN, an assumed role's without its
/// session name (which may change from run to run).
pub(crate) fn caller_key(arn: &str) -> String {
    match arn.split_once(":assumed-role/") {
        Some((head, rest)) => format!("{head}:assumed-role/{}", rest.split('/').next().unwrap_or("")),
        None => arn.to_string(),
    }
}

/// `$XDG_CACHE_HOME/rswitch/account-aliases.json`, else the platform's cache directory.
pub(crate) fn cache_path(env: &Env) -> Option<PathBuf> {
    super::names::portal_cache_path(env).map(|p| p.with_file_name("account-aliases.json"))
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn valid_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// `{"accounts": {"ID": {"alias": "…", "checked": 1700000000}}}`; anything odd is skipped.
pub(crate) fn read(path: &Path) -> BTreeMap<String, Entry> {
    #[derive(Deserialize)]
    struct File {
        accounts: BTreeMap<String, serde_json::Value>,
    }
    let Some(file) = read_capped(path).and_then(|t| serde_json::from_str::<File>(&t).ok()) else {
        return BTreeMap::new();
    };
    file.accounts
        .into_iter()
        .filter(|(id, _)| valid_id(id))
        .filter_map(|(id, v)| {
            let mut entry: Entry = serde_json::from_value(v).ok()?;
            entry.alias = entry.alias.as_deref().and_then(clean);
            entry.denied.truncate(MAX_DENIED);
            Some((id, entry))
        })
        .collect()
}

/// The remembered aliases, account id -> alias.
pub(crate) fn cached(env: &Env) -> BTreeMap<String, String> {
    cache_path(env)
        .map(|p| read(&p))
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(id, e)| Some((id, e.alias?)))
        .collect()
}

/// One read-modify-write of the cache at a time in this process (the TUI asks from
/// several tasks).
static WRITING: Mutex<()> = Mutex::new(());

fn store(path: &Path, answers: Vec<(String, Answer)>, checked: u64) -> std::io::Result<()> {
    let _guard = WRITING.lock().unwrap_or_else(|p| p.into_inner());
    let mut all = read(path);
    for (account, answer) in answers {
        let old = all.remove(&account).unwrap_or_default();
        let entry = match answer {
            Answer::Alias(alias) => Entry {
                alias,
                checked,
                ..Entry::default()
            },
            // A denial keeps what another caller learned before.
            Answer::Denied(caller) => {
                let mut denied = if old.denied.is_empty() {
                    Vec::new()
                } else {
                    old.denied
                };
                denied.retain(|c| c != &caller);
                denied.insert(0, caller);
                denied.truncate(MAX_DENIED);
                Entry {
                    alias: old.alias,
                    checked,
                    failed: false,
                    denied,
                }
            }
            Answer::Failed => Entry {
                alias: old.alias,
                checked,
                failed: true,
                denied: Vec::new(),
            },
        };
        all.insert(account, entry);
    }
    let text = serde_json::to_string_pretty(&serde_json::json!({ "accounts": all }))?;
    crate::platform::write_private_atomically(path, text.as_bytes())
}

/// One account to ask about, with the credentials of a profile resolved into it.
pub(crate) struct Ask {
    pub account: String,
    /// [`caller_key`] of the resolved identity.
    pub caller: String,
    pub partition: String,
    pub plan: Plan,
    pub credentials: Credentials,
}

/// The accounts of `results` that have no name yet and no fresh answer, each once.
pub(crate) fn wanted(resolver: &Resolver, results: &[&Resolution]) -> Vec<Ask> {
    let env = resolver.env();
    let names = AccountNames::load(env);
    let known = cache_path(env).map(|p| read(&p)).unwrap_or_default();
    let now = now();
    let mut asks: Vec<Ask> = Vec::new();
    for r in results {
        let Ok(resolved) = &r.outcome else { continue };
        let account = &resolved.identity.account;
        let caller = caller_key(&resolved.identity.arn);
        // A stale alias is asked again; a name from the settings or a portal never is.
        let from_alias = known.get(account).and_then(|e| e.alias.as_deref());
        let named_elsewhere = names.get(account).is_some_and(|n| Some(n) != from_alias);
        if !valid_id(account)
            || named_elsewhere
            || known.get(account).is_some_and(|e| e.fresh(now, &caller))
            || asks.iter().any(|a| &a.account == account)
        {
            continue;
        }
        let Ok(plan) = resolver.catalog().planned(&r.profile) else {
            continue;
        };
        let partition = resolved.identity.arn.split(':').nth(1).unwrap_or("aws");
        asks.push(Ask {
            account: account.clone(),
            caller,
            partition: partition.to_string(),
            plan,
            credentials: resolved.credentials.clone(),
        });
    }
    asks
}

/// Asks IAM for the alias of each account, a few at a time, within `deadline` (and at most
/// a few seconds), and remembers the answers. True when a new alias was learned.
pub(crate) async fn look_up(env: &Env, asks: Vec<Ask>, deadline: &Deadline) -> bool {
    if asks.is_empty() || deadline.passed() {
        return false;
    }
    let Some(path) = cache_path(env) else {
        return false;
    };
    let deadline = Deadline::after(deadline.remaining().min(ASK_MAX));
    let checked = now();
    let answers: Vec<Option<(String, Answer)>> = futures::stream::iter(asks)
        .map(|ask| {
            let deadline = deadline.clone();
            async move {
                let answer = ask_one(env, &ask, deadline).await;
                answer.map(|a| (ask.account, a))
            }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    let answers: Vec<(String, Answer)> = answers.into_iter().flatten().collect();
    let learned = answers.iter().any(|(_, a)| matches!(a, Answer::Alias(Some(_))));
    // Best effort: a cache that cannot be written only means asking again next time.
    let _ = store(&path, answers, checked);
    learned
}

/// What IAM says; `None` when it was not asked (no endpoint, no time left).
async fn ask_one(env: &Env, ask: &Ask, deadline: Deadline) -> Option<Answer> {
    let (url, region) = endpoint(env, &ask.plan, &ask.partition)?;
    let iam = Iam {
        url,
        region,
        credentials: ask.credentials.clone(),
        deadline,
    };
    match iam.call(&[("Action", "ListAccountAliases")]).await {
        Ok(body) => Some(Answer::Alias(
            crate::aws_query::xml_tag(&body, "member")
                .as_deref()
                .and_then(clean),
        )),
        Err(e) => failure(&e, &ask.caller),
    }
}

/// An error of [`Iam::call`] as an answer: `AccessDenied…` refuses this caller; anything
/// else (throttling, a 5xx, no answer) is a failure to ask again in an hour; `None` when
/// IAM was not asked at all.
fn failure(error: &str, caller: &str) -> Option<Answer> {
    if error.starts_with("not asked") {
        None
    } else if error.starts_with("AccessDenied") || error.starts_with("UnauthorizedOperation") {
        Some(Answer::Denied(caller.to_string()))
    } else {
        Some(Answer::Failed)
    }
}

/// Looks up the aliases of the accounts `results` resolved into that have no name yet,
/// within `deadline`; never fails, never prints.
pub(crate) async fn learn(resolver: &Resolver, results: &[&Resolution], deadline: &Deadline) -> bool {
    let asks = wanted(resolver, results);
    look_up(resolver.env(), asks, deadline).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_answers_for_a_day_denials_per_caller_and_failures_for_an_hour() {
        let dir = tempfile::tempdir().expect("tempdir");
        let env = Env::from_vars([("XDG_CACHE_HOME", dir.path().display().to_string())], None);
        let path = cache_path(&env).expect("path");
        let now = now();
        let (a, b, c) = ("111111111111", "222222222222", "333333333333");
        let answers = vec![
            (a.to_string(), Answer::Alias(Some("dev-acct".into()))),
            (b.to_string(), Answer::Failed),
            (
                c.to_string(),
                Answer::Denied("arn:aws:iam::333333333333:user/erin".into()),
            ),
        ];
        store(&path, answers, now - 2 * 3600).expect("store");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let read_back = read(&path);
        assert!(read_back[a].fresh(now, "anyone"));
        assert!(!read_back[a].fresh(now + FRESH, "anyone"));
        assert!(
            !read_back[b].fresh(now, "anyone"),
            "a failure is retried after an hour"
        );
        assert!(read_back[c].fresh(now, "arn:aws:iam::333333333333:user/erin"));
        assert!(!read_back[c].fresh(now, "arn:aws:iam::333333333333:user/dana"));
        assert_eq!(cached(&env).get(a).map(String::as_str), Some("dev-acct"));
        // A later denial for someone else keeps the alias.
        let denied = vec![(a.to_string(), Answer::Denied("x".into()))];
        store(&path, denied, now).expect("store");
        assert_eq!(cached(&env).get(a).map(String::as_str), Some("dev-acct"));
        assert_eq!(
            failure("AccessDenied: no", "me"),
            Some(Answer::Denied("me".into()))
        );
        assert_eq!(failure("InternalFailure: oops", "me"), Some(Answer::Failed));
        assert_eq!(failure("Throttling: Rate exceeded", "me"), Some(Answer::Failed));
        assert_eq!(failure("not asked: the --timeout was spent", "me"), None);
        assert_eq!(
            caller_key("arn:aws:sts::222222222222:assumed-role/Deploy/rswitch-123"),
            "arn:aws:sts::222222222222:assumed-role/Deploy"
        );

        // Hostile content: control characters stripped, bad ids and shapes skipped.
        std::fs::write(
            &path,
            r#"{"accounts": {"333333333333": {"alias": "x\u001b[31my", "checked": 1},
                "12": {"alias": "short", "checked": 1}, "444444444444": "odd"}}"#,
        )
        .expect("write");
        let names = cached(&env);
        assert_eq!(names.get("333333333333").map(String::as_str), Some("x[31my"));
        assert_eq!(names.len(), 1);
        std::fs::write(&path, "not json").expect("write");
        assert!(cached(&env).is_empty());
    }
}
