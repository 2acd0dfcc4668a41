use super::{Exit, FAILURE, SUCCESS, load_config, resolver};
use crate::cli::DoctorArgs;
use crate::env::Env;
use crate::resolve::Status;
use crate::settings::Settings;
use crate::text;
use std::io::Write;

pub(crate) async fn run(
    env: &Env,
    settings: &Settings,
    args: &DoctorArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let set = load_config(env)?;
    let report = crate::doctor::doctor(&resolver(set, env, settings), &args.profile).await;
    if args.json {
        text::put_json(out, &report.to_json())?;
    } else {
        text::put(out, &text::lines(&report.to_text()))?;
    }
    Ok(if report.status == Status::Ok {
        SUCCESS
    } else {
        FAILURE
    })
}
