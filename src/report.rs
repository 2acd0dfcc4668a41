//! The CLI's tables and reports: text and JSON renderings of profiles and resolutions for
//! `list`, `lint`, `whoami` and `check`. Pure: values in, strings out. The text helpers
//! the TUI shares (sanitizing, countdowns) are in [`crate::text`].

use crate::config::ConfigSet;
use crate::config::lint::{Finding, Severity};
use crate::creds::rfc3339;
use crate::resolve::outcome::{HopKind, HopStatus, Resolution, Status};
use crate::resolve::row::ProfileRow;
use crate::sso::names::AccountNames;
use crate::text::{self, Clean};
use serde::Serialize;
use serde_json::{Value, json};
use std::time::SystemTime;

/// The `list` table, with lint findings under each profile and file-level ones at the end.
pub(crate) fn list_text(rows: &[ProfileRow], other: &[Finding]) -> Clean {
    let headers = ["PROFILE", "KIND", "CHAIN", "REGION", "DEFINED AT"];
    let cells: Vec<[String; 5]> = rows
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                match r.source {
                    Some(src) if r.kind == "role" && src != "static" => format!("role ({src})"),
                    _ => r.kind.clone(),
                },
                r.chain_text(),
                r.region.clone().unwrap_or_else(|| "-".into()),
                r.location.to_string(),
            ]
        })
        .collect();
    let mut widths = headers.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cols.iter().zip(widths).enumerate() {
            if i + 1 == cols.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<w$}  "));
            }
        }
        s.trim_end().to_string()
    };
    // Line by line: each line is bounded on its own, so a config of thousands of
    // profiles is listed whole.
    let mut out = Clean::default();
    out.push_line(&line(&headers.map(String::from)));
    for (row, summary) in cells.iter().zip(rows) {
        out.push_line(&line(row));
        if let Some(e) = &summary.plan_error {
            out.push_line(&format!("    {e}"));
        }
        for f in &summary.findings {
            out.push_line(&format!("    {}", f.line()));
        }
    }
    for f in other {
        out.push_line(&f.line());
    }
    out
}

/// `list --json`, pretty-printed. Serialised straight from the rows (no JSON tree in
/// between), so a config of tens of thousands of profiles stays cheap.
pub(crate) fn list_json(rows: &[ProfileRow], other: &[Finding], set: &ConfigSet) -> String {
    #[derive(Serialize)]
    struct FindingOut<'a> {
        severity: Severity,
        code: &'a str,
        profile: &'a Option<String>,
        location: String,
        message: &'a str,
    }
    #[derive(Serialize)]
    struct ProfileOut<'a> {
        name: &'a str,
        kind: &'a str,
        source: Option<&'a str>,
        chain: Vec<String>,
        chain_elided: usize,
        region: &'a Option<String>,
        location: String,
        error: &'a Option<String>,
        findings: Vec<FindingOut<'a>>,
    }
    #[derive(Serialize)]
    struct ListOut<'a> {
        config_file: &'a std::path::Path,
        credentials_file: &'a std::path::Path,
        profiles: Vec<ProfileOut<'a>>,
        findings: Vec<FindingOut<'a>>,
    }
    fn finding(f: &Finding) -> FindingOut<'_> {
        FindingOut {
            severity: f.severity,
            code: f.code,
            profile: &f.profile,
            location: f.location.to_string(),
            message: &f.message,
        }
    }
    let out = ListOut {
        config_file: &set.config_file,
        credentials_file: &set.credentials_file,
        profiles: rows
            .iter()
            .map(|r| ProfileOut {
                name: &r.name,
                kind: &r.kind,
                source: r.source,
                chain: r.chain_names(),
                chain_elided: r.chain_elided,
                region: &r.region,
                location: r.location.to_string(),
                error: &r.plan_error,
                findings: r.findings.iter().map(finding).collect(),
            })
            .collect(),
        findings: other.iter().map(finding).collect(),
    };
    serde_json::to_string_pretty(&out).unwrap_or_default()
}

pub(crate) fn finding_json(f: &Finding) -> Value {
    json!({
        "severity": f.severity,
        "code": f.code,
        "profile": f.profile,
        "location": f.location.to_string(),
        "message": f.message,
    })
}

/// `whoami`'s report. Every value is one [`text::line`]: an STS message holding a
/// newline cannot add a line of its own.
pub(crate) fn whoami_text(r: &Resolution, names: &AccountNames, now: SystemTime) -> Clean {
    let mut out = String::new();
    let field = |out: &mut String, k: &str, v: &str| out.push_str(&format!("{k:<9} {}\n", text::line(v)));
    field(&mut out, "profile", &r.profile);
    field(&mut out, "chain", &r.chain.join(" -> "));
    if let Some(region) = &r.region {
        field(&mut out, "region", region);
    }
    match &r.outcome {
        Ok(ok) => {
            field(&mut out, "account", &names.label(&ok.identity.account));
            field(&mut out, "arn", &ok.identity.arn);
            field(&mut out, "user id", &ok.identity.user_id);
            let expiry = match ok.expiration {
                Some(e) => format!("{} ({})", rfc3339(e), text::countdown(e, now)),
                None => "never (long-term keys)".to_string(),
            };
            field(&mut out, "expires", &expiry);
        }
        Err(f) => {
            field(&mut out, "status", r.status().label());
            if let Some(code) = &f.error.code {
                field(&mut out, "code", code);
            }
            field(&mut out, "error", &f.error.message);
            if let Some(caller) = &f.error.caller_arn {
                field(&mut out, "caller", caller);
            }
        }
    }
    if !r.hops.is_empty() {
        out.push_str("hops\n");
    }
    for (i, hop) in r.hops.iter().enumerate() {
        let what = match hop.kind {
            HopKind::Base => format!("{} credentials", hop.source.unwrap_or("base")),
            HopKind::AssumeRole => format!("AssumeRole {}", hop.role_arn.as_deref().unwrap_or("?")),
        };
        let status = match hop.status {
            HopStatus::Ok => {
                let who = hop
                    .identity
                    .as_ref()
                    .map(|i| format!(" as {}", i.arn))
                    .unwrap_or_default();
                let cached = if hop.cached { " (cached)" } else { "" };
                format!("ok{who}{cached}")
            }
            // The full text is printed once, above.
            HopStatus::Failed => format!(
                "FAILED ({})",
                hop.error
                    .as_ref()
                    .and_then(|e| e.code.clone())
                    .unwrap_or_else(|| "see error above".to_string())
            ),
            HopStatus::Skipped => "skipped".to_string(),
        };
        let hop_line = format!("{}. {} - {}: {}", i + 1, hop.profile, what, status);
        out.push_str(&format!("  {}\n", text::line(&hop_line)));
    }
    text::lines(&out)
}

/// One `check` line: `OK      prod   222222222222  arn:…` or the full error.
pub(crate) fn check_line(r: &Resolution, names: &AccountNames, name_width: usize) -> Clean {
    let status = r.status();
    let detail = match &r.outcome {
        Ok(ok) => format!("{}  {}", names.label(&ok.identity.account), ok.identity.arn),
        Err(f) => {
            let place = match f.hop.and_then(|h| r.hops.get(h)) {
                Some(hop) => match &hop.role_arn {
                    Some(arn) => format!("hop {} ({} -> {arn}): ", f.hop.unwrap_or(0) + 1, hop.profile),
                    None => format!(
                        "hop {} ({} {}): ",
                        f.hop.unwrap_or(0) + 1,
                        hop.profile,
                        hop.source.unwrap_or("")
                    ),
                },
                None => String::new(),
            };
            format!("{place}{}", f.error.summary())
        }
    };
    text::line(&format!(
        "{:<7} {:<name_width$}  {detail}",
        status.label(),
        r.profile
    ))
}

pub(crate) fn check_json(results: &[Resolution], names: &AccountNames) -> Value {
    let count = |s: Status| results.iter().filter(|r| r.status() == s).count();
    let json_of = |r: &Resolution| {
        let mut v = r.to_json();
        names.annotate(&mut v);
        v
    };
    json!({
        "results": results.iter().map(json_of).collect::<Vec<_>>(),
        "summary": {"ok": count(Status::Ok), "denied": count(Status::Denied), "error": count(Status::Error)},
    })
}
