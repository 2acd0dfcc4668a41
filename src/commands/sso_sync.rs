//! `rswitch sso sync`: the portal's accounts and roles as profiles in `~/.aws/config`.
//! The diff goes to stdout (it is what was asked for); the summary to stderr.

use super::{Exit, SUCCESS, load_config};
use crate::cli::SsoSyncArgs;
use crate::env::Env;
use crate::settings::Settings;
use crate::sso::session::SsoSession;
use crate::sso::{names, portal, sync, token_cache};
use crate::text::printable;
use anyhow::{Context, bail};
use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

pub(crate) async fn run(
    env: &Env,
    settings: &Settings,
    args: &SsoSyncArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let set = load_config(env)?;
    let name = match &args.sso_session {
        Some(name) => name.clone(),
        None => only_session(&set)?,
    };
    let session = SsoSession::named(&set, env, &name)?;
    let token_path = token_cache::token_path(env, &session);
    let token = token_cache::read_token(&token_path)
        .filter(|t| t.expires_at > SystemTime::now())
        .with_context(|| {
            format!(
                "sso-session '{name}': not logged in (no valid token in {}); run `rswitch login --sso-session {name}`",
                token_path.display()
            )
        })?;
    let (accounts, assignments) =
        portal::assignments(env, &session, token.access_token.expose(), settings.timeout())
            .await
            .map_err(|e| anyhow::anyhow!("sso-session '{name}': {e}"))?;
    let _ = names::remember(env, &accounts);

    let path = set.config_file.clone();
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let taken = sync::user_profiles(&old, &name);
    let (generated, skipped) = sync::plan(&assignments, &args.template, &name, &taken);
    let region = args.region.as_deref().unwrap_or(&session.region);
    let new = sync::apply(&old, &name, &sync::render_block(&name, Some(region), &generated));
    for s in &skipped {
        crate::text::eprintln(format_args!(
            "skipped [profile {}] ({} {}): a profile of that name is already defined outside the block",
            printable(&s.profile),
            s.assignment.account_id,
            printable(&s.assignment.role_name)
        ));
    }
    let shown = path.display().to_string();
    let diff = similar::TextDiff::from_lines(&old, &new)
        .unified_diff()
        .header(&shown, &shown)
        .to_string();
    crate::text::put(out, &crate::text::lines(&diff))?;
    let summary = format!(
        "{} profiles for {} accounts of sso-session '{name}'",
        generated.len(),
        accounts.len()
    );
    if new == old {
        crate::text::eprintln(format_args!("{summary}: {} is up to date.", path.display()));
    } else if args.dry_run {
        crate::text::eprintln(format_args!(
            "{summary}: dry run, {} not changed.",
            path.display()
        ));
    } else {
        write_keeping_mode(&path, &new).with_context(|| format!("writing {}", path.display()))?;
        crate::text::eprintln(format_args!("{summary}: {} updated.", path.display()));
    }
    Ok(SUCCESS)
}

fn only_session(set: &crate::config::ConfigSet) -> anyhow::Result<String> {
    let mut names = set.sso_sessions.keys();
    match (names.next(), names.next()) {
        (Some(only), None) => Ok(only.clone()),
        (None, _) => bail!(
            "no [sso-session] section in {}; add one (sso_start_url, sso_region) and run `rswitch login`",
            set.config_file.display()
        ),
        _ => bail!(
            "{} has several [sso-session] sections; choose one with --sso-session NAME",
            set.config_file.display()
        ),
    }
}

/// Replaces the file (the target, when `path` is a symlink) through a temporary file in
/// the same directory that has the old file's permissions.
fn write_keeping_mode(path: &Path, text: &str) -> std::io::Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = target
        .parent()
        .ok_or_else(|| std::io::Error::other("the config file has no directory"))?;
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    match std::fs::metadata(&target) {
        Ok(meta) => tmp.as_file().set_permissions(meta.permissions())?,
        Err(_) => crate::platform::make_private(tmp.as_file())?,
    }
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(())
}
