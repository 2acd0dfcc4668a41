//! ARNs as the doctor needs them: is a configured `role_arn` well formed (and if not,
//! what was probably meant), and which principal made a refused call.
//!
//! Validation is the config checker's (`crate::config::arn`); this module adds the
//! structure the policy generator needs. Pure string handling.

use crate::arn::Arn;
use serde::Serialize;

/// A well-formed IAM role ARN: `arn:PARTITION:iam::ACCOUNT:role/PATH/NAME`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleArn {
    pub partition: String,
    pub account: String,
    /// `/` or `/division/team/`, as IAM writes paths.
    pub path: String,
    pub name: String,
}

impl RoleArn {
    pub(crate) fn arn(&self) -> String {
        format!(
            "arn:{}:iam::{}:role{}{}",
            self.partition, self.account, self.path, self.name
        )
    }
}

/// Why a `role_arn` cannot be a role, and the ARN that was probably meant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ArnProblem {
    pub message: String,
    pub suggestion: Option<String>,
}

fn problem(message: impl Into<String>, suggestion: Option<String>) -> ArnProblem {
    ArnProblem {
        message: message.into(),
        suggestion,
    }
}

/// IAM's character set for role, user and path segment names: `[\w+=,.@-]`.
pub(crate) fn is_iam_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// Checks a configured `role_arn` with the config checker (one rule set for lint,
/// resolution and the doctor), then splits a well-formed one into its parts.
pub fn parse_role_arn(arn: &str) -> Result<RoleArn, ArnProblem> {
    let parsed = Arn::parse_iam(arn, "role").map_err(|problems| {
        problem(
            format!("role_arn '{arn}' {}", problems.problems.join("; ")),
            problems.suggestion,
        )
    })?;
    // Well formed: arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME.
    let (partition, account) = (parsed.partition(), parsed.account().unwrap_or_default());
    let rest = parsed.resource();
    let rest = rest.strip_prefix("role/").unwrap_or(rest);
    split_path(rest)
        .map(|(path, name)| RoleArn {
            partition: partition.to_string(),
            account: account.to_string(),
            path,
            name,
        })
        .ok_or_else(|| {
            problem(
                format!("role_arn '{arn}' has an invalid role name or path ('{rest}')"),
                None,
            )
        })
}

/// `team/Name` -> (`/team/`, `Name`); every segment must be a valid IAM name.
fn split_path(s: &str) -> Option<(String, String)> {
    let mut segments: Vec<&str> = s.split('/').collect();
    let name = segments.pop()?;
    if !is_iam_name(name) || !segments.iter().all(|p| is_iam_name(p)) {
        return None;
    }
    let path = if segments.is_empty() {
        "/".to_string()
    } else {
        format!("/{}/", segments.join("/"))
    };
    Some((path, name.to_string()))
}

/// Who made a call, as STS names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Principal {
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. `role_arn` is rebuilt without a
    /// path, since session ARNs do not carry one.
    AssumedRole {
        session_arn: String,
        role_arn: String,
        role_name: String,
        account: String,
    },
    /// `arn:aws:iam::ACCOUNT:user/PATH/NAME`.
    User {
        arn: String,
        user_name: String,
        account: String,
    },
    /// The account's root user (which cannot assume roles).
    Root { arn: String, account: String },
    /// Anything else (federated users, web identities): shown, not turned into policies.
    Other { arn: String, account: String },
}

impl Principal {
    pub fn parse(arn: &str) -> Principal {
        let Some(parsed) = Arn::parse(arn) else {
            return Principal::Other {
                arn: arn.to_string(),
                account: String::new(),
            };
        };
        let (partition, service, resource) = (parsed.partition(), parsed.service(), parsed.resource());
        let account = parsed.account().unwrap_or_default().to_string();
        match (service, parsed.resource_kind()) {
            ("sts", Some(("assumed-role", rest))) => {
                let role_name = rest.split('/').next().unwrap_or_default().to_string();
                Principal::AssumedRole {
                    session_arn: arn.to_string(),
                    role_arn: format!("arn:{partition}:iam::{account}:role/{role_name}"),
                    role_name,
                    account,
                }
            }
            ("iam", Some(("user", rest))) => Principal::User {
                arn: arn.to_string(),
                user_name: crate::arn::name_of(rest).to_string(),
                account,
            },
            ("iam", None) if resource == "root" => Principal::Root {
                arn: arn.to_string(),
                account,
            },
            _ => Principal::Other {
                arn: arn.to_string(),
                account,
            },
        }
    }

    /// The ARN as STS printed it (the session ARN for an assumed role).
    pub(crate) fn arn(&self) -> &str {
        match self {
            Principal::AssumedRole { session_arn, .. } => session_arn,
            Principal::User { arn, .. } | Principal::Root { arn, .. } | Principal::Other { arn, .. } => arn,
        }
    }

    pub(crate) fn account(&self) -> &str {
        match self {
            Principal::AssumedRole { account, .. }
            | Principal::User { account, .. }
            | Principal::Root { account, .. }
            | Principal::Other { account, .. } => account,
        }
    }

    /// The ARN a policy must name: the role behind a session, or the user.
    pub(crate) fn policy_arn(&self) -> Option<&str> {
        match self {
            Principal::AssumedRole { role_arn, .. } => Some(role_arn),
            Principal::User { arn, .. } => Some(arn),
            Principal::Root { .. } | Principal::Other { .. } => None,
        }
    }

    /// Replaces the rebuilt role ARN by the exact one (with its path) when the caller is a
    /// role the configuration names.
    pub(crate) fn with_known_role_arn(mut self, known: &str) -> Principal {
        if let Principal::AssumedRole {
            role_arn, role_name, ..
        } = &mut self
            && let Ok(parsed) = parse_role_arn(known)
            && parsed.name == *role_name
        {
            *role_arn = parsed.arn();
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_roles_with_and_without_paths() {
        let r = parse_role_arn("arn:aws:iam::222222222222:role/SwitchToRole").unwrap();
        assert_eq!((r.path.as_str(), r.name.as_str()), ("/", "SwitchToRole"));
        let r = parse_role_arn("arn:aws-cn:iam::222222222222:role/ops/team/Admin").unwrap();
        assert_eq!(r.path, "/ops/team/");
        assert_eq!(r.arn(), "arn:aws-cn:iam::222222222222:role/ops/team/Admin");
    }

    #[test]
    fn suggests_the_arn_that_was_meant() {
        let cases = [
            (
                "arn:aws:iam::222222222222/SwitchToRole",
                "arn:aws:iam::222222222222:role/SwitchToRole",
            ),
            (
                "arn:aws:sts::222222222222:role/x",
                "arn:aws:iam::222222222222:role/x",
            ),
            (
                "arn:aws:sts::222222222222:assumed-role/R/sess",
                "arn:aws:iam::222222222222:role/R",
            ),
            (
                "arn:aws:iam::222222222222:SwitchToRole",
                "arn:aws:iam::222222222222:role/SwitchToRole",
            ),
            (
                "arn:aws:iam:us-east-1:222222222222:role/R",
                "arn:aws:iam::222222222222:role/R",
            ),
            (
                " arn:aws:iam::222222222222:role/R",
                "arn:aws:iam::222222222222:role/R",
            ),
            (
                "\"arn:aws:iam::222222222222:role/R\"",
                "arn:aws:iam::222222222222:role/R",
            ),
            (
                "arn:AWS:iam::222222222222:role/R",
                "arn:aws:iam::222222222222:role/R",
            ),
        ];
        for (bad, meant) in cases {
            let p = parse_role_arn(bad).unwrap_err();
            assert_eq!(p.suggestion.as_deref(), Some(meant), "{bad}: {}", p.message);
        }
        for bad in [
            "role/R",
            "arn:aws:iam::2222:role/R",
            "arn:aws:iam::222222222222:user/bob",
        ] {
            let p = parse_role_arn(bad).unwrap_err();
            assert_eq!(p.suggestion, None, "{bad}");
        }
    }

    #[test]
    fn principals() {
        let p = Principal::parse("arn:aws:sts::111111111111:assumed-role/SwitchFromRole/alice");
        assert_eq!(
            p.policy_arn(),
            Some("arn:aws:iam::111111111111:role/SwitchFromRole")
        );
        assert_eq!(p.account(), "111111111111");
        let p = p.with_known_role_arn("arn:aws:iam::111111111111:role/team/SwitchFromRole");
        assert_eq!(
            p.policy_arn(),
            Some("arn:aws:iam::111111111111:role/team/SwitchFromRole")
        );
        let u = Principal::parse("arn:aws:iam::111111111111:user/people/alice");
        assert!(matches!(&u, Principal::User { user_name, .. } if user_name == "alice"));
        assert_eq!(
            u.policy_arn(),
            Some("arn:aws:iam::111111111111:user/people/alice")
        );
        assert!(matches!(
            Principal::parse("arn:aws:iam::111111111111:root"),
            Principal::Root { .. }
        ));
        assert_eq!(
            Principal::parse("arn:aws:iam::111111111111:root").policy_arn(),
            None
        );
    }
}
