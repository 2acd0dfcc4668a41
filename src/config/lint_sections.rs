//! Lint rules about sections and keys the AWS tools ignore (see the table in `lint`).

use super::lint::{Finding, Severity};
use super::model::*;

const KNOWN_PREFIXES: &[&str] = &["profile", "sso-session", "services"];

pub(super) fn sections(set: &ConfigSet, findings: &mut Vec<Finding>) {
    for ignored in &set.ignored {
        let code = match ignored.kind {
            IgnoredKind::MissingProfilePrefix => "missing-profile-prefix",
            IgnoredKind::ProfilePrefixInCredentials => "profile-prefix-in-credentials",
            IgnoredKind::ConfigOnlySection => "config-section-in-credentials",
            IgnoredKind::InvalidName => "invalid-section-name",
            IgnoredKind::ShadowedDefault => "shadowed-default",
        };
        findings.push(Finding {
            severity: Severity::Warning,
            code,
            profile: None,
            location: ignored.location.clone(),
            message: format!("section {} is ignored: {}", ignored.header, ignored.reason),
        });
    }
    for key in &set.ignored_keys {
        findings.push(Finding {
            severity: Severity::Warning,
            code: "invalid-key",
            profile: None,
            location: key.location.clone(),
            message: format!("in {}: key ignored: {}", key.section, key.reason),
        });
    }
    for section in set.other_sections.values() {
        if KNOWN_PREFIXES.contains(&section.kind.as_str()) {
            continue;
        }
        let hint = KNOWN_PREFIXES
            .iter()
            .find(|known| {
                section.kind.eq_ignore_ascii_case(known) || edit_distance(&section.kind, known) <= 2
            })
            .map(|known| format!("; did you mean [{known} {}]?", section.name))
            .unwrap_or_default();
        findings.push(Finding {
            severity: Severity::Warning,
            code: "unknown-section",
            profile: None,
            location: section.location.clone(),
            message: format!(
                "section [{} {}] is not a profile, sso-session or services section and is not used{hint}",
                section.kind, section.name
            ),
        });
    }
}

/// Levenshtein distance over chars (short strings only).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
