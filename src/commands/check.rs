use super::{Exit, FAILURE, SUCCESS, load_config, resolver};
use crate::cli::CheckArgs;
use crate::env::Env;
use crate::report;
use crate::resolve::Status;
use crate::settings::Settings;
use crate::text;
use std::io::Write;

pub(crate) async fn run(
    env: &Env,
    settings: &Settings,
    args: &CheckArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let set = load_config(env)?;
    let mut names: Vec<String> = if args.profiles.is_empty() {
        set.names().map(str::to_string).collect()
    } else {
        args.profiles.clone()
    };
    let resolver = resolver(set, env, settings);
    // Profiles that would stop to ask for an MFA code are only checked with --mfa.
    let mut skipped = Vec::new();
    if !args.mfa {
        let catalog = resolver.catalog();
        names.retain(|name| {
            let needs_mfa = catalog.needs_mfa(name);
            if needs_mfa {
                skipped.push(name.clone());
            }
            !needs_mfa
        });
    }
    let deadline = resolver.deadline();
    let results = resolver.resolve_many(names).await;
    let resolved: Vec<_> = results.iter().collect();
    crate::sso::aliases::learn(&resolver, &resolved, &deadline).await;
    let accounts = crate::sso::names::AccountNames::load(env);
    if args.json {
        let mut json = report::check_json(&results, &accounts);
        json["skipped"] = serde_json::json!(skipped);
        text::put_json(out, &json)?;
    } else {
        let width = results
            .iter()
            .map(|r| r.profile.len())
            .chain(skipped.iter().map(String::len))
            .max()
            .unwrap_or(0);
        for r in &results {
            text::put_line(out, &report::check_line(r, &accounts, width))?;
        }
        for name in &skipped {
            let line = format!(
                "{:<7} {name:<width$}  needs an MFA code; run with --mfa to be asked for it",
                "SKIP"
            );
            text::put_line(out, &text::line(&line))?;
        }
    }
    let count = |s: Status| results.iter().filter(|r| r.status() == s).count();
    let (ok, denied, error) = (count(Status::Ok), count(Status::Denied), count(Status::Error));
    if !args.json {
        text::eprintln(format_args!(
            "{ok} ok, {denied} denied, {error} error{}",
            if skipped.is_empty() {
                String::new()
            } else {
                format!(", {} skipped (MFA)", skipped.len())
            }
        ));
    }
    Ok(if denied + error == 0 { SUCCESS } else { FAILURE })
}
