use super::{Exit, SUCCESS, load_config};
use crate::cli::ListArgs;
use crate::env::Env;
use crate::report;
use crate::resolve::Catalog;
use std::io::Write;

pub fn run(env: &Env, args: &ListArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let set = load_config(env)?;
    if args.names {
        for name in set.names() {
            writeln!(out, "{name}")?;
        }
        return Ok(SUCCESS);
    }
    let catalog = Catalog::build(set.clone(), env);
    let rows = catalog.rows();
    let other = catalog.file_findings();
    if args.json {
        // One write: stdout is line-buffered, and a large config prints many lines.
        out.write_all((report::list_json(&rows, &other, &set) + "\n").as_bytes())?;
    } else if rows.is_empty() && other.is_empty() {
        eprintln!(
            "no profiles found in {} or {}",
            set.config_file.display(),
            set.credentials_file.display()
        );
    } else {
        out.write_all(report::list_text(&rows, &other).as_bytes())?;
    }
    Ok(SUCCESS)
}
