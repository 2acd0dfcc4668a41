use super::{Exit, FAILURE, SUCCESS, load_config};
use crate::cli::LintArgs;
use crate::config::lint::Severity;
use crate::env::Env;
use crate::report;
use crate::resolve::Catalog;
use crate::text;
use std::io::Write;

pub(crate) fn run(env: &Env, args: &LintArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let set = load_config(env)?;
    let catalog = Catalog::build(set.clone(), env);
    let findings = catalog.findings();
    // One write: stdout is line-buffered, and a large config has many findings.
    if args.json {
        let json: Vec<_> = findings.iter().map(report::finding_json).collect();
        text::put_json(out, &serde_json::json!({ "findings": json }))?;
    } else {
        let mut report = text::Clean::default();
        for f in findings {
            report.push_line(&f.line());
        }
        text::put(out, &report)?;
    }
    let errors = findings.iter().filter(|f| f.severity == Severity::Error).count();
    let warnings = findings.len() - errors;
    if !args.json {
        text::eprintln(format_args!(
            "{} profile(s) checked: {errors} error(s), {warnings} warning(s)",
            set.profiles.len()
        ));
    }
    Ok(if errors > 0 || (args.strict && warnings > 0) {
        FAILURE
    } else {
        SUCCESS
    })
}
