//! Lint rules checked on each profile on its own (see the table in `lint`).

use super::arn::check_iam_arn;
use super::lint::{Finding, Severity};
use super::lint_sections::edit_distance;
use super::model::*;

const CREDENTIAL_SOURCES: &[&str] = &["Environment", "Ec2InstanceMetadata", "EcsContainer"];

struct Out<'a> {
    profile: &'a Profile,
    findings: &'a mut Vec<Finding>,
}

impl Out<'_> {
    fn push(&mut self, severity: Severity, code: &'static str, key: &str, message: String) {
        self.findings.push(Finding {
            severity,
            code,
            profile: Some(self.profile.name.clone()),
            location: self.profile.location_of(key).clone(),
            message: format!("profile '{}': {message}", self.profile.name),
        });
    }

    fn error(&mut self, code: &'static str, key: &str, message: String) {
        self.push(Severity::Error, code, key, message);
    }

    fn warning(&mut self, code: &'static str, key: &str, message: String) {
        self.push(Severity::Warning, code, key, message);
    }
}

pub(super) fn profile(set: &ConfigSet, profile: &Profile, findings: &mut Vec<Finding>) {
    let mut out = Out { profile, findings };
    role(set, &mut out);
    values(&mut out);
    static_keys(&mut out);
    sso(set, &mut out);
}

fn assumes_role(p: &Profile) -> bool {
    p.get("role_arn").is_some() && p.get("web_identity_token_file").is_none()
}

fn has_static_keys(p: &Profile) -> bool {
    p.get("aws_access_key_id").is_some() && p.get("aws_secret_access_key").is_some()
}

fn role(set: &ConfigSet, out: &mut Out) {
    let p = out.profile;
    if let Some(arn) = p.get("role_arn")
        && let Some(problems) = check_iam_arn(arn, "role")
    {
        let fix = problems
            .suggestion
            .map(|s| format!("; did you mean '{s}'?"))
            .unwrap_or_default();
        out.error(
            "malformed-role-arn",
            "role_arn",
            format!("role_arn '{arn}' {}{fix}", problems.problems.join("; ")),
        );
    }
    let source_profile = p.get("source_profile");
    let credential_source = p.get("credential_source");
    if let Some(name) = source_profile
        && set.profile(name).is_none()
    {
        out.error(
            "missing-source-profile",
            "source_profile",
            format!("source_profile '{name}' does not exist"),
        );
    }
    if let Some(value) = credential_source
        && !CREDENTIAL_SOURCES.contains(&value)
    {
        let hint = CREDENTIAL_SOURCES
            .iter()
            .find(|v| v.eq_ignore_ascii_case(value) || edit_distance(v, value) <= 3)
            .map(|v| format!("; did you mean '{v}'? (values are case-sensitive)"))
            .unwrap_or_default();
        out.error(
            "unknown-credential-source",
            "credential_source",
            format!(
                "credential_source '{value}' is not one of {}{hint}",
                CREDENTIAL_SOURCES.join(", ")
            ),
        );
    }
    match (source_profile, credential_source) {
        (Some(_), Some(_)) => out.error(
            "both-sources",
            "credential_source",
            "both source_profile and credential_source are set; use one".into(),
        ),
        (None, None) if assumes_role(p) => out.error(
            "role-without-source",
            "role_arn",
            "role_arn is set but neither source_profile nor credential_source is".into(),
        ),
        (Some(_), _) | (_, Some(_)) if p.get("role_arn").is_none() => {
            let key = if source_profile.is_some() {
                "source_profile"
            } else {
                "credential_source"
            };
            out.warning(
                "source-without-role",
                key,
                format!("{key} is set but role_arn is not, so it is not used"),
            );
        }
        _ => {}
    }
    if credential_source.is_none() {
        cycle(set, out);
    }
}

/// Follows `source_profile` as botocore does: a profile seen before is a loop, except a
/// profile naming itself when it has static keys; a source with static keys or no role
/// ends the chain.
fn cycle(set: &ConfigSet, out: &mut Out) {
    let mut current = out.profile;
    let mut chain = vec![current.name.as_str()];
    while assumes_role(current) {
        let Some(next) = current.get("source_profile").and_then(|n| set.profile(n)) else {
            return;
        };
        if chain.contains(&next.name.as_str()) {
            if next.name == current.name && has_static_keys(current) {
                return;
            }
            chain.push(&next.name);
            let why = if chain.len() == 2 {
                " (a profile may name itself only when it has static keys)"
            } else {
                ""
            };
            out.error(
                "source-profile-cycle",
                "source_profile",
                format!("source_profile loop: {}{why}", chain.join(" -> ")),
            );
            return;
        }
        chain.push(&next.name);
        if has_static_keys(next) {
            return;
        }
        current = next;
    }
}

fn values(out: &mut Out) {
    let p = out.profile;
    if let Some(serial) = p.get("mfa_serial") {
        // A hardware token's serial number is any string; only ARN-looking values are checked.
        let looks_like_arn = serial.to_ascii_lowercase().starts_with("arn") || serial.contains(':');
        if looks_like_arn && let Some(problems) = check_iam_arn(serial, "mfa") {
            let fix = problems
                .suggestion
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            out.warning(
                "malformed-mfa-serial",
                "mfa_serial",
                format!("mfa_serial '{serial}' {}{fix}", problems.problems.join("; ")),
            );
        }
    }
    if let Some(value) = p.get("duration_seconds") {
        match value.parse::<i64>() {
            Err(_) => out.error(
                "invalid-duration-seconds",
                "duration_seconds",
                format!("duration_seconds '{value}' is not a whole number of seconds"),
            ),
            Ok(n) if !(900..=43200).contains(&n) => out.error(
                "invalid-duration-seconds",
                "duration_seconds",
                format!(
                    "duration_seconds {n} is outside 900..=43200 (15 minutes to 12 hours); STS rejects it"
                ),
            ),
            Ok(_) => {}
        }
    }
    if let Some(value) = p.get("external_id")
        && let Some(problem) = text_problem(value, 2, 1224, "_+=,.@:/-")
    {
        out.error(
            "invalid-external-id",
            "external_id",
            format!("external_id '{value}' {problem}"),
        );
    }
    if let Some(value) = p.get("role_session_name")
        && let Some(problem) = text_problem(value, 2, 64, "_+=,.@-")
    {
        out.error(
            "invalid-role-session-name",
            "role_session_name",
            format!("role_session_name '{value}' {problem}"),
        );
    }
}

/// Length in `min..=max` and only ASCII letters, digits and `extra`.
fn text_problem(value: &str, min: usize, max: usize, extra: &str) -> Option<String> {
    let len = value.chars().count();
    if let Some(bad) = value
        .chars()
        .find(|c| !c.is_ascii_alphanumeric() && !extra.contains(*c))
    {
        return Some(format!(
            "contains '{bad}' (allowed: letters, digits and {})",
            extra.chars().map(String::from).collect::<Vec<_>>().join(" ")
        ));
    }
    (len < min || len > max).then(|| format!("is {len} characters long (allowed: {min} to {max})"))
}

fn static_keys(out: &mut Out) {
    let p = out.profile;
    let id = p.get("aws_access_key_id").is_some();
    let secret = p.get("aws_secret_access_key").is_some();
    if id && !secret {
        out.error(
            "incomplete-static-keys",
            "aws_access_key_id",
            "aws_access_key_id is set but aws_secret_access_key is missing".into(),
        );
    }
    if secret && !id {
        out.error(
            "incomplete-static-keys",
            "aws_secret_access_key",
            "aws_secret_access_key is set but aws_access_key_id is missing".into(),
        );
    }
    for token in ["aws_session_token", "aws_security_token"] {
        if p.get(token).is_some() && !(id && secret) {
            out.warning(
                "session-token-without-keys",
                token,
                format!("{token} is set without both aws_access_key_id and aws_secret_access_key, so it is not used"),
            );
        }
    }
}

fn sso(set: &ConfigSet, out: &mut Out) {
    let p = out.profile;
    let session_name = p.get("sso_session");
    if session_name.is_none() && p.get("sso_start_url").is_none() {
        for key in ["sso_account_id", "sso_role_name"] {
            if p.get(key).is_some() {
                out.error(
                    "incomplete-sso",
                    key,
                    format!("{key} is set but neither sso_session nor sso_start_url is"),
                );
            }
        }
        return;
    }
    let mut missing: Vec<String> = Vec::new();
    let anchor = if let Some(name) = session_name {
        match set.sso_sessions.get(name) {
            None => {
                out.error(
                    "missing-sso-session",
                    "sso_session",
                    format!("sso_session '{name}' names no [sso-session {name}] section"),
                );
            }
            Some(section) => {
                for key in ["sso_start_url", "sso_region"] {
                    if section.get(key).is_none() {
                        missing.push(format!("{key} in [sso-session {name}] ({})", section.location));
                    }
                }
            }
        }
        "sso_session"
    } else {
        if p.get("sso_region").is_none() {
            missing.push("sso_region".into());
        }
        "sso_start_url"
    };
    for key in ["sso_account_id", "sso_role_name"] {
        if p.get(key).is_none() {
            missing.push(key.into());
        }
    }
    if !missing.is_empty() {
        out.error(
            "incomplete-sso",
            anchor,
            format!(
                "{anchor} is set but {} missing",
                missing.join(", ") + if missing.len() == 1 { " is" } else { " are" }
            ),
        );
    }
}
