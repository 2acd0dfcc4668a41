//! Lint rules on the values of each profile on its own (see the table in `lint`); the
//! chain rules are the planner's.

use super::arn::check_iam_arn;
use super::lint::{Finding, Severity};
use super::model::*;

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

pub(super) fn profile(profile: &Profile, findings: &mut Vec<Finding>) {
    let mut out = Out { profile, findings };
    role(&mut out);
    values(&mut out);
    static_keys(&mut out);
}

fn role(out: &mut Out) {
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
    if p.get("role_arn").is_none()
        && let Some(key) = ["source_profile", "credential_source"]
            .into_iter()
            .find(|k| p.get(k).is_some())
    {
        out.warning(
            "source-without-role",
            key,
            format!("{key} is set but role_arn is not, so it is not used"),
        );
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
