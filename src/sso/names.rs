//! Account names shown next to 12-digit account IDs. Three sources, the first winning:
//!
//! 1. the user's own file, `<config dir>/rswitch/accounts.ini` (`$XDG_CONFIG_HOME` or
//!    the platform's config directory): one `111111111111 = dev` a line, `#`/`;`
//!    comments, section headers ignored;
//! 2. what IAM Identity Center portals listed (`ListAccounts`), remembered by `rswitch
//!    login` and `rswitch sso sync` in `<cache dir>/rswitch/sso-accounts.json`;
//! 3. the accounts' IAM aliases, remembered by [`super::aliases`] in
//!    `<cache dir>/rswitch/account-aliases.json`.
//!
//! Loading never fails and never calls anything: a missing or broken file just gives no
//! names, and a name is absent rather than guessed. Names come from outside (a portal, a
//! file): they are shown only through the sanitizer, and capped in length.

use super::session::SsoSession;
use super::{SsoError, client};
use crate::env::Env;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const MAX_FILE: u64 = 1024 * 1024;
const MAX_NAME: usize = 64;

/// Account id -> name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountNames {
    names: BTreeMap<String, String>,
}

impl AccountNames {
    /// The names of the three sources, the user's file winning.
    pub(crate) fn load(env: &Env) -> AccountNames {
        let mut names = super::aliases::cached(env);
        if let Some(path) = portal_cache_path(env) {
            names.extend(read_portal_cache(&path));
        }
        if let Some(path) = settings_path(env) {
            names.extend(read_settings(&path));
        }
        AccountNames { names }
    }

    pub fn from_pairs<I: IntoIterator<Item = (String, String)>>(pairs: I) -> AccountNames {
        AccountNames {
            names: pairs
                .into_iter()
                .filter_map(|(id, name)| Some((id, clean(&name)?)))
                .collect(),
        }
    }

    pub fn get(&self, account: &str) -> Option<&str> {
        self.names.get(account).map(String::as_str)
    }

    /// `111111111111 (dev)`, or the bare id when no name is known.
    pub(crate) fn label(&self, account: &str) -> String {
        match self.get(account) {
            Some(name) => format!("{account} ({name})"),
            None => account.to_string(),
        }
    }

    /// Adds `account_name` to the `identity` of a resolution's JSON (and of each hop's)
    /// where a name is known.
    pub(crate) fn annotate(&self, resolution: &mut Value) {
        let put = |identity: &mut Value| {
            let name = identity
                .get("account")
                .and_then(Value::as_str)
                .and_then(|a| self.get(a))
                .map(str::to_string);
            if let (Some(name), Some(obj)) = (name, identity.as_object_mut()) {
                obj.insert("account_name".into(), json!(name));
            }
        };
        put(&mut resolution["identity"]);
        if let Some(hops) = resolution.get_mut("hops").and_then(Value::as_array_mut) {
            for hop in hops {
                put(&mut hop["identity"]);
            }
        }
    }
}

/// A name as shown: trimmed, without control characters, at most 64 characters.
pub(crate) fn clean(name: &str) -> Option<String> {
    let name: String = name
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_NAME)
        .collect();
    (!name.is_empty()).then_some(name)
}

/// `$XDG_CONFIG_HOME/rswitch/accounts.ini`, else the platform's config directory.
pub(crate) fn settings_path(env: &Env) -> Option<PathBuf> {
    let dir = env
        .get("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(dirs::config_dir)?;
    Some(dir.join("rswitch").join("accounts.ini"))
}

/// `$XDG_CACHE_HOME/rswitch/sso-accounts.json`, else the platform's cache directory.
pub(crate) fn portal_cache_path(env: &Env) -> Option<PathBuf> {
    let dir = env
        .get("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(dirs::cache_dir)?;
    Some(dir.join("rswitch").join("sso-accounts.json"))
}

/// A settings or cache file of rswitch's, when it is a regular UTF-8 file of at most
/// [`MAX_FILE`] bytes.
pub(crate) fn read_capped(path: &Path) -> Option<String> {
    String::from_utf8(crate::platform::read_capped(path, MAX_FILE).ok()?).ok()
}

/// `ID = name` lines; anything else is skipped.
pub(crate) fn parse_settings(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            if line.starts_with(['#', ';', '[']) {
                return None;
            }
            let (id, name) = line.split_once(['=', ':'])?;
            let id = id.trim().trim_matches('"');
            let name = name.trim().trim_matches('"');
            let valid = id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit());
            Some((id.to_string(), clean(name)?)).filter(|_| valid)
        })
        .collect()
}

fn read_settings(path: &Path) -> BTreeMap<String, String> {
    read_capped(path).map(|t| parse_settings(&t)).unwrap_or_default()
}

/// `{"accounts": {"ID": "name", …}}`.
fn read_portal_cache(path: &Path) -> BTreeMap<String, String> {
    let Some(v) = read_capped(path).and_then(|t| serde_json::from_str::<Value>(&t).ok()) else {
        return BTreeMap::new();
    };
    v.get("accounts")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .filter_map(|(id, name)| Some((id.clone(), clean(name.as_str()?)?)))
                .collect()
        })
        .unwrap_or_default()
}

/// Adds what a portal listed to the remembered names (best effort: the caller ignores a
/// failure, names are a convenience).
pub(crate) fn remember(env: &Env, accounts: &[PortalAccount]) -> std::io::Result<()> {
    let Some(path) = portal_cache_path(env) else {
        return Ok(());
    };
    let mut names = read_portal_cache(&path);
    for a in accounts {
        if let Some(name) = a.name.as_deref().and_then(clean) {
            names.insert(a.id.clone(), name);
        }
    }
    let accounts: Map<String, Value> = names.into_iter().map(|(k, v)| (k, json!(v))).collect();
    let text = serde_json::to_string_pretty(&json!({ "accounts": accounts }))?;
    crate::platform::write_private_atomically(&path, text.as_bytes())
}

/// One account of ListAccounts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct PortalAccount {
    pub id: String,
    pub name: Option<String>,
}

/// Every account the login may access (ListAccounts, all pages).
pub(crate) async fn list_accounts(
    env: &Env,
    session: &SsoSession,
    access_token: &str,
    timeout: Duration,
) -> Result<Vec<PortalAccount>, SsoError> {
    let portal = client::portal(env, session, timeout);
    let mut pages = portal
        .list_accounts()
        .access_token(access_token)
        .into_paginator()
        .items()
        .send();
    let mut out = Vec::new();
    while let Some(item) = pages.next().await {
        let account = item.map_err(|e| client::describe("SSO ListAccounts", &e))?;
        if let Some(id) = account.account_id() {
            out.push(PortalAccount {
                id: id.to_string(),
                name: account.account_name().map(str::to_string),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_file_wins_and_odd_lines_are_skipped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let env = Env::from_vars(
            [
                ("XDG_CONFIG_HOME", dir.path().join("config").display().to_string()),
                ("XDG_CACHE_HOME", dir.path().join("cache").display().to_string()),
            ],
            None,
        );
        let list = |pairs: &[(&str, &str)]| -> Vec<PortalAccount> {
            pairs
                .iter()
                .map(|(id, name)| PortalAccount {
                    id: id.to_string(),
                    name: Some(name.to_string()),
                })
                .collect()
        };
        assert_eq!(AccountNames::load(&env), AccountNames::default());
        remember(
            &env,
            &list(&[("111111111111", "Dev Portal"), ("222222222222", "prod\u{1b}[31m")]),
        )
        .expect("remember");
        let names = AccountNames::load(&env);
        assert_eq!(names.get("111111111111"), Some("Dev Portal"));
        assert_eq!(names.get("222222222222"), Some("prod[31m"));
        let settings = settings_path(&env).expect("path");
        std::fs::create_dir_all(settings.parent().expect("dir")).expect("mkdir");
        std::fs::write(
            &settings,
            "# mine\n[accounts]\n111111111111 = dev\n333333333333: \"sandbox\"\n12345 = short\nnot a line\n",
        )
        .expect("write");
        let names = AccountNames::load(&env);
        assert_eq!(names.label("111111111111"), "111111111111 (dev)");
        assert_eq!(names.get("222222222222"), Some("prod[31m"));
        assert_eq!(names.get("333333333333"), Some("sandbox"));
        assert_eq!(names.get("12345"), None);
        assert_eq!(names.label("444444444444"), "444444444444");

        let mut v = json!({"identity": {"account": "111111111111"}, "hops": [{"identity": null}, {"identity": {"account": "444444444444"}}]});
        names.annotate(&mut v);
        assert_eq!(v["identity"]["account_name"], "dev");
        assert_eq!(v["hops"][1]["identity"].get("account_name"), None);
    }
}
