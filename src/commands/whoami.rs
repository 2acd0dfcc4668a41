use super::{Exit, FAILURE, SUCCESS, load_config, resolver};
use crate::cli::WhoamiArgs;
use crate::env::Env;
use crate::report;
use crate::settings::Settings;
use crate::text;
use std::io::Write;
use std::time::SystemTime;

pub(crate) async fn run(
    env: &Env,
    settings: &Settings,
    args: &WhoamiArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let set = load_config(env)?;
    let resolver = resolver(set, env, settings);
    // One --timeout for the resolution and the account-name lookup after it.
    let deadline = resolver.deadline();
    let resolution = resolver.resolve_within(&args.profile, &deadline).await;
    crate::sso::aliases::learn(&resolver, &[&resolution], &deadline).await;
    let names = crate::sso::names::AccountNames::load(env);
    if args.json {
        let mut json = resolution.to_json();
        names.annotate(&mut json);
        text::put_json(out, &json)?;
    } else {
        text::put(out, &report::whoami_text(&resolution, &names, SystemTime::now()))?;
    }
    Ok(if resolution.outcome.is_ok() {
        SUCCESS
    } else {
        FAILURE
    })
}
