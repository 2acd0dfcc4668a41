use super::{Exit, FAILURE, SUCCESS, load_config, resolver};
use crate::cli::{CheckArgs, GlobalArgs};
use crate::env::Env;
use crate::report;
use crate::resolve::Status;
use std::io::Write;

pub async fn run(
    env: &Env,
    global: &GlobalArgs,
    args: &CheckArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let set = load_config(env)?;
    let mut names: Vec<String> = if args.profiles.is_empty() {
        set.names().map(str::to_string).collect()
    } else {
        args.profiles.clone()
    };
    // Profiles that would stop to ask for an MFA code are only checked with --mfa.
    let mut skipped = Vec::new();
    if !args.mfa {
        names.retain(|name| {
            let needs_mfa = crate::resolve::plan(&set, env, name).is_ok_and(|p| p.needs_mfa());
            if needs_mfa {
                skipped.push(name.clone());
            }
            !needs_mfa
        });
    }
    let accounts = crate::sso::names::AccountNames::load(env);
    let results = resolver(set, env, global, args.concurrency as usize)
        .resolve_many(names)
        .await;
    if args.json {
        let mut json = report::check_json(&results, &accounts);
        json["skipped"] = serde_json::json!(skipped);
        writeln!(out, "{json:#}")?;
    } else {
        let width = results
            .iter()
            .map(|r| r.profile.len())
            .chain(skipped.iter().map(String::len))
            .max()
            .unwrap_or(0);
        for r in &results {
            writeln!(out, "{}", report::check_line(r, &accounts, width))?;
        }
        for name in &skipped {
            writeln!(
                out,
                "{:<7} {name:<width$}  needs an MFA code; run with --mfa to be asked for it",
                "SKIP"
            )?;
        }
    }
    let count = |s: Status| results.iter().filter(|r| r.status() == s).count();
    let (ok, denied, error) = (count(Status::Ok), count(Status::Denied), count(Status::Error));
    if !args.json {
        eprintln!(
            "{ok} ok, {denied} denied, {error} error{}",
            if skipped.is_empty() {
                String::new()
            } else {
                format!(", {} skipped (MFA)", skipped.len())
            }
        );
    }
    Ok(if denied + error == 0 { SUCCESS } else { FAILURE })
}
