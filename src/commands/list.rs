use super::{Exit, SUCCESS, load_config};
use crate::cli::ListArgs;
use crate::config::lint;
use crate::env::Env;
use crate::report;
use crate::text;
use std::io::Write;

pub fn run(env: &Env, args: &ListArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let set = load_config(env)?;
    if args.names {
        for name in set.names() {
            text::put_line(out, &text::line(name))?;
        }
        return Ok(SUCCESS);
    }
    let findings = lint::lint(&set);
    let rows = report::summarize(&set, env, &findings);
    let other: Vec<_> = findings
        .iter()
        .filter(|f| f.profile.as_ref().is_none_or(|p| set.profile(p).is_none()))
        .cloned()
        .collect();
    if args.json {
        text::put_json(out, &report::list_json(&rows, &other, &set))?;
    } else if rows.is_empty() && other.is_empty() {
        text::eprintln(format_args!(
            "no profiles found in {} or {}",
            set.config_file.display(),
            set.credentials_file.display()
        ));
    } else {
        text::put(out, &report::list_text(&rows, &other))?;
    }
    Ok(SUCCESS)
}
