use super::{Exit, SUCCESS, load_config};
use crate::cli::ListArgs;
use crate::env::Env;
use crate::report;
use crate::resolve::Catalog;
use crate::text;
use std::io::Write;

pub(crate) fn run(env: &Env, args: &ListArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let set = load_config(env)?;
    if args.names {
        for name in set.names() {
            text::put_line(out, &text::line(name))?;
        }
        return Ok(SUCCESS);
    }
    let catalog = Catalog::build(set.clone(), env);
    let rows = catalog.rows();
    let other = catalog.file_findings();
    if args.json {
        // One write: stdout is line-buffered, and a large config prints many lines.
        text::put_json_text(out, &report::list_json(&rows, &other, &set))?;
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
