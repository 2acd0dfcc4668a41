//! Lint: problems in the merged profiles, each with a stable code and a `file:line`.
//!
//! | code                            | severity | finding                                                              |
//! |---------------------------------|----------|----------------------------------------------------------------------|
//! | `parse-error`                   | error    | a line the SDK would reject (the SDK then ignores the whole file)    |
//! | `missing-profile-prefix`        | warning  | bare `[NAME]` in the config file: ignored; did you mean `[profile NAME]`? |
//! | `profile-prefix-in-credentials` | warning  | `[profile NAME]` in the credentials file: ignored; use `[NAME]`      |
//! | `config-section-in-credentials` | warning  | `[sso-session x]` etc. in the credentials file: ignored              |
//! | `invalid-section-name`          | warning  | section name not `[A-Za-z0-9_\-/.%@:+]+`: ignored                    |
//! | `shadowed-default`              | warning  | `[default]` ignored because the same file has `[profile default]`    |
//! | `invalid-key`                   | warning  | key name not `[A-Za-z0-9_\-/.%@:+]+`: ignored                        |
//! | `unknown-section`               | warning  | `[PREFIX NAME]` with a prefix no tool reads (`[Profile x]`, typos)   |
//! | `malformed-role-arn`            | error    | `role_arn` not `arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME`         |
//! | `missing-source-profile`        | error    | `source_profile` names no profile                                    |
//! | `both-sources`                  | error    | both `source_profile` and `credential_source`                        |
//! | `unknown-credential-source`     | error    | not `Environment`, `Ec2InstanceMetadata` or `EcsContainer`           |
//! | `role-without-source`           | error    | `role_arn` with neither source (and no `web_identity_token_file`)    |
//! | `source-without-role`           | warning  | `source_profile`/`credential_source` without `role_arn`: unused      |
//! | `source-profile-cycle`          | error    | `a -> b -> a`, or `a -> a` when `a` has no static keys               |
//! | `source-without-credentials`    | error    | `source_profile` names a profile with no credential settings         |
//! | `malformed-mfa-serial`          | warning  | looks like an ARN but not `arn:PARTITION:iam::ACCOUNT:mfa/NAME`      |
//! | `invalid-duration-seconds`      | error    | not an integer, or outside 900..=43200                               |
//! | `invalid-external-id`           | error    | not 2..=1224 of `[\w+=,.@:/-]`                                       |
//! | `invalid-role-session-name`     | error    | not `[\w+=,.@-]{2,64}`                                               |
//! | `incomplete-static-keys`        | error    | access key id without secret, or the reverse                         |
//! | `session-token-without-keys`    | warning  | `aws_session_token` without both keys: ignored                       |
//! | `missing-sso-session`           | error    | `sso_session` names no `[sso-session NAME]`                          |
//! | `incomplete-sso`                | error    | SSO profile without `sso_account_id`/`sso_role_name`, start URL or region |
//! | `sso-session-conflict`          | error    | `sso_start_url`/`sso_region` differs from its `[sso-session]`        |
//! | `incomplete-web-identity`       | error    | `web_identity_token_file` without `role_arn`                         |
//! | `invalid-setting`               | error    | a setting outside its values (e.g. `ec2_metadata_service_endpoint_mode`) |
//!
//! The chain rules (sources, loops, SSO, the credential settings a chain ends on) are
//! the planner's: `resolve::catalog` turns each plan error into a finding with the code
//! above, so [`lint`] here gives only the syntax and value findings.
//!
//! Static keys in the config file are fine (both the CLI and the SDK read them there).
//! Findings are sorted by file and line; every profile is checked on its own, so a broken
//! profile never hides findings in the others.

use super::model::*;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One lint finding, always with a place in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable short id, e.g. `malformed-role-arn`.
    pub code: &'static str,
    pub profile: Option<String>,
    pub location: Location,
    pub message: String,
}

impl Finding {
    /// `error[code] file:line: message`, as `lint`, `list` and the TUI show it.
    pub(crate) fn line(&self) -> String {
        let severity = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        format!("{severity}[{}] {}: {}", self.code, self.location, self.message)
    }
}

/// Sorts by file, line, code, profile and message.
pub(crate) fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (&a.location, a.code, &a.profile, &a.message).cmp(&(&b.location, b.code, &b.profile, &b.message))
    });
}

/// The syntax and value findings for `set`, sorted by file, line and code.
pub fn lint(set: &ConfigSet) -> Vec<Finding> {
    let mut findings = Vec::new();
    for issue in &set.parse_issues {
        findings.push(Finding {
            severity: Severity::Error,
            code: "parse-error",
            profile: None,
            location: issue.location.clone(),
            message: format!(
                "{} (the AWS CLI and SDKs reject the whole file because of this line)",
                issue.message
            ),
        });
    }
    super::lint_sections::sections(set, &mut findings);
    for profile in set.profiles.values() {
        super::lint_profile::profile(profile, &mut findings);
    }
    sort(&mut findings);
    findings
}
