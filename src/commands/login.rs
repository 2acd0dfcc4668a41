//! `rswitch login [PROFILE | --sso-session NAME]`: the IAM Identity Center device login,
//! headless first. Everything it says goes to stderr; stdout stays empty.

use super::{Exit, SUCCESS, load_config};
use crate::cli::LoginArgs;
use crate::clipboard::{self, CopyOptions, Keeper};
use crate::config::ConfigSet;
use crate::env::Env;
use crate::settings::Settings;
use crate::sso::browser::{self, Opened};
use crate::sso::device::{self, Prompt};
use crate::sso::names;
use crate::sso::{SsoError, SsoSession};
use crate::text::{countdown, printable};
use anyhow::bail;
use std::time::SystemTime;

pub(crate) async fn run(env: &Env, settings: &Settings, args: &LoginArgs) -> anyhow::Result<Exit> {
    let set = load_config(env)?;
    let session = target(&set, env, args)?;
    crate::text::eprintln(format_args!(
        "Logging in to {} ({}, {}).",
        printable(&session.describe()),
        printable(&session.start_url),
        printable(&session.region)
    ));
    let prompt_env = env.clone();
    let (no_browser, no_copy) = (args.no_browser, args.no_copy);
    let login = device::login(env, &session, settings.timeout(), move |prompt| {
        tell(&prompt_env, prompt, no_browser, no_copy);
    })
    .await
    .map_err(|e| anyhow::anyhow!("{}: {e}", session.describe()))?;
    crate::text::eprintln(format_args!(
        "Logged in to {} until {} ({}); token cached in {}.",
        printable(&session.describe()),
        crate::creds::rfc3339(login.token.expires_at),
        countdown(login.token.expires_at, SystemTime::now()),
        login.path.display()
    ));
    remember_names(
        env,
        &session,
        login.token.access_token.expose(),
        settings.timeout(),
    )
    .await;
    Ok(SUCCESS)
}

/// Keeps the account names the portal lists, for `check`, `whoami` and the TUI. Best
/// effort: a login that cannot list accounts is still a login.
async fn remember_names(env: &Env, session: &SsoSession, token: &str, timeout: std::time::Duration) {
    match names::list_accounts(env, session, token, timeout).await {
        Ok(accounts) => match names::remember(env, &accounts) {
            Ok(()) => crate::text::eprintln(format_args!(
                "{} accounts available; their names are shown next to account IDs.",
                accounts.len()
            )),
            Err(e) => crate::text::eprintln(format_args!("Account names not remembered: {e}.")),
        },
        Err(e) => crate::text::eprintln(format_args!("Account names not listed: {e}.")),
    }
}

/// The TUI's login: the device flow for `profile`'s session, the URL copied as `copy`
/// does, no browser opened (the TUI owns the terminal; the URL is on screen and on the
/// clipboard); on success, every profile whose chain starts at that login.
pub(crate) async fn for_tui(
    env: &Env,
    set: &ConfigSet,
    profile: &str,
    timeout: std::time::Duration,
    prompt: crate::tui::effect::LoginPromptFn,
) -> anyhow::Result<crate::tui::effect::LoggedIn> {
    let session = SsoSession::for_profile(set, env, profile)?;
    let copy_env = env.clone();
    let login = device::login(env, &session, timeout, move |p| {
        let opts = CopyOptions {
            clear_after: None,
            force_osc52: false,
            keeper: Keeper::current_exe(&["__clipboard-keeper"]).ok(),
        };
        let copied = match tokio::task::block_in_place(|| {
            clipboard::copy(&p.verification_uri_complete, &opts, &copy_env)
        }) {
            Ok(path) => format!("The URL was {}.", path),
            Err(e) => format!("The URL could not be copied: {e}."),
        };
        prompt(crate::tui::effect::LoginShown {
            url: p.verification_uri_complete.clone(),
            code: p.user_code.clone(),
            expires_at: p.expires_at,
            copied,
        });
    })
    .await
    .map_err(|e| anyhow::anyhow!("{}: {e}", session.describe()))?;
    remember_quietly(env, &session, login.token.access_token.expose(), timeout).await;
    let profiles = set
        .names()
        .filter(|name| SsoSession::for_profile(set, env, name).is_ok_and(|s| s == session))
        .map(str::to_string)
        .collect();
    Ok(crate::tui::effect::LoggedIn {
        message: format!(
            "logged in to {} until {}",
            session.describe(),
            crate::creds::rfc3339(login.token.expires_at)
        ),
        profiles,
        names: names::AccountNames::load(env),
    })
}

async fn remember_quietly(env: &Env, session: &SsoSession, token: &str, timeout: std::time::Duration) {
    if let Ok(accounts) = names::list_accounts(env, session, token, timeout).await {
        let _ = names::remember(env, &accounts);
    }
}

/// The login `args` ask for: `--sso-session`, a profile, `AWS_PROFILE`, or the only
/// `[sso-session]` of the configuration.
fn target(set: &ConfigSet, env: &Env, args: &LoginArgs) -> anyhow::Result<SsoSession> {
    if let Some(name) = &args.sso_session {
        return Ok(SsoSession::named(set, env, name)?);
    }
    if let Some(profile) = args.profile.as_deref().or_else(|| env.get("AWS_PROFILE")) {
        return Ok(SsoSession::for_profile(set, env, profile)?);
    }
    let mut names = set.sso_sessions.keys();
    match (names.next(), names.next()) {
        (Some(only), None) => Ok(SsoSession::named(set, env, only)?),
        (None, _) => bail!(SsoError::Config(format!(
            "no [sso-session] section in {}; name an SSO profile: rswitch login PROFILE",
            set.config_file.display()
        ))),
        _ => bail!(SsoError::Config(format!(
            "{} has several [sso-session] sections ({}); choose one: rswitch login --sso-session NAME",
            set.config_file.display(),
            set.sso_sessions.keys().cloned().collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// Shows the URL and code, copies the URL and opens a browser where one can be opened.
fn tell(env: &Env, prompt: &Prompt, no_browser: bool, no_copy: bool) {
    let url = printable(&prompt.verification_uri_complete);
    crate::text::eprintln(format_args!(
        "Open {url}\nand confirm the code {} (expires {}).",
        printable(&prompt.user_code),
        countdown(prompt.expires_at, SystemTime::now())
    ));
    if !no_copy {
        let opts = CopyOptions {
            clear_after: None,
            force_osc52: false,
            keeper: Keeper::current_exe(&["__clipboard-keeper"]).ok(),
        };
        match tokio::task::block_in_place(|| clipboard::copy(&prompt.verification_uri_complete, &opts, env)) {
            Ok(path) => crate::text::eprintln(format_args!("The URL was {}.", path)),
            Err(e) => crate::text::eprintln(format_args!("The URL could not be copied: {e}.")),
        }
    }
    if !no_browser {
        match browser::open(env, &prompt.verification_uri_complete) {
            Opened::Started(program) => {
                crate::text::eprintln(format_args!("Opening it in a browser ({}).", printable(&program)))
            }
            Opened::Skipped(_) => {}
            Opened::Failed(e) => crate::text::eprintln(format_args!("No browser opened: {}.", printable(&e))),
        }
    }
    crate::text::eprintln(format_args!("Waiting for the login to be approved…"));
}
