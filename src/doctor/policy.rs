//! The two policy documents that allow one AssumeRole hop, and the `aws iam` commands
//! that would apply them, quoted for a POSIX shell. rswitch prints these for review; it
//! never changes IAM itself.
//!
//! Every document names exact ARNs: a principal or resource with a wildcard is refused,
//! never emitted.

use super::arn::{Principal, parse_role_arn};
use serde::Serialize;
use serde_json::{Value, json};

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("'{0}' contains a wildcard; policies for a hop name exact ARNs")]
    Wildcard(String),
    #[error("'{0}' is not a role ARN: {1}")]
    NotARole(String, String),
    #[error("'{0}' is not a user or role principal that a policy can name")]
    NotNameable(String),
}

/// Which policy a [`PolicyFix`] changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// The target role's trust (assume-role) policy.
    Trust,
    /// An inline identity policy on the calling role.
    RoleIdentity,
    /// An inline identity policy on the calling user.
    UserIdentity,
}

/// A policy document and the command that would apply it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyFix {
    pub kind: PolicyKind,
    /// The account whose IAM must be changed (run the command with its credentials).
    pub account: String,
    /// The role or user the policy belongs to.
    pub attach_to: String,
    pub document: Value,
    pub command: String,
    /// Whether this change is needed for sure (`true`) or only if the other is not enough.
    pub required: bool,
    pub note: String,
}

fn exact(arn: &str) -> Result<&str, PolicyError> {
    if arn.contains(['*', '?']) {
        return Err(PolicyError::Wildcard(arn.to_string()));
    }
    Ok(arn)
}

/// `Sid` values are alphanumeric only.
fn sid(prefix: &str, name: &str) -> String {
    let mut s: String = format!("{prefix}{name}")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    s.truncate(100);
    s
}

/// The trust-policy statement letting `caller_arn` (a role or user ARN, not a session
/// ARN) assume the role, with the conditions the profile will satisfy.
pub(crate) fn trust_statement(
    caller_arn: &str,
    external_id: Option<&str>,
    mfa: bool,
) -> Result<Value, PolicyError> {
    let caller = exact(caller_arn)?;
    let is_user = matches!(Principal::parse(caller), Principal::User { .. });
    if !is_user && parse_role_arn(caller).is_err() {
        return Err(PolicyError::NotNameable(caller.to_string()));
    }
    let name = crate::arn::name_of(caller);
    let mut statement = json!({
        "Sid": sid("Allow", name),
        "Effect": "Allow",
        "Principal": { "AWS": caller },
        "Action": "sts:AssumeRole",
    });
    let mut condition = serde_json::Map::new();
    if let Some(id) = external_id {
        condition.insert("StringEquals".into(), json!({ "sts:ExternalId": id }));
    }
    if mfa {
        condition.insert("Bool".into(), json!({ "aws:MultiFactorAuthPresent": "true" }));
    }
    if !condition.is_empty() {
        statement["Condition"] = Value::Object(condition);
    }
    Ok(statement)
}

/// The identity-policy statement letting its holder assume exactly `target_role_arn`.
pub fn identity_statement(target_role_arn: &str) -> Result<Value, PolicyError> {
    let target = exact(target_role_arn)?;
    let role = parse_role_arn(target).map_err(|p| PolicyError::NotARole(target.to_string(), p.message))?;
    Ok(json!({
        "Sid": sid("Assume", &role.name),
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": target,
    }))
}

/// A full policy document around statements.
pub(crate) fn document(statements: Vec<Value>) -> Value {
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// The trust policy fix for `target_role_arn`. `existing` is the role's current trust
/// policy when IAM let us read it: the new statement is added to it, because
/// `update-assume-role-policy` replaces the whole document.
pub fn trust_fix(
    target_role_arn: &str,
    caller_arn: &str,
    external_id: Option<&str>,
    mfa: bool,
    existing: Option<&Value>,
) -> Result<PolicyFix, PolicyError> {
    let target = parse_role_arn(exact(target_role_arn)?)
        .map_err(|p| PolicyError::NotARole(target_role_arn.to_string(), p.message))?;
    let statement = trust_statement(caller_arn, external_id, mfa)?;
    let (document, note) = match existing.and_then(|d| d.get("Statement")).map(statements_of) {
        Some(mut current) => {
            current.push(statement);
            (
                json!({ "Version": existing.and_then(|d| d.get("Version")).cloned().unwrap_or(json!("2012-10-17")), "Statement": current }),
                "the role's current trust policy with one statement added".to_string(),
            )
        }
        None => (
            document(vec![statement]),
            "update-assume-role-policy replaces the whole trust policy: add this statement to the current one \
             (aws iam get-role --role-name NAME --query Role.AssumeRolePolicyDocument)"
                .replace("NAME", &shell_quote(&target.name)),
        ),
    };
    let command = format!(
        "aws iam update-assume-role-policy --role-name {} --policy-document {}",
        shell_quote(&target.name),
        shell_quote(&pretty(&document)),
    );
    Ok(PolicyFix {
        kind: PolicyKind::Trust,
        account: target.account,
        attach_to: target.name,
        document,
        command,
        required: true,
        note,
    })
}

/// The identity policy fix for the caller (`put-role-policy` or `put-user-policy`).
pub fn identity_fix(
    caller: &Principal,
    target_role_arn: &str,
    required: bool,
) -> Result<PolicyFix, PolicyError> {
    let statement = identity_statement(target_role_arn)?;
    let target_name = crate::arn::name_of(target_role_arn);
    let policy_name: String = format!("rswitch-assume-{target_name}")
        .chars()
        .take(128)
        .collect();
    let document = document(vec![statement]);
    let (kind, attach_to, verb, flag) = match caller {
        Principal::AssumedRole { role_name, .. } => (
            PolicyKind::RoleIdentity,
            role_name.clone(),
            "put-role-policy",
            "--role-name",
        ),
        Principal::User { user_name, .. } => (
            PolicyKind::UserIdentity,
            user_name.clone(),
            "put-user-policy",
            "--user-name",
        ),
        other => return Err(PolicyError::NotNameable(other.arn().to_string())),
    };
    exact(&attach_to)?;
    let command = format!(
        "aws iam {verb} {flag} {} --policy-name {} --policy-document {}",
        shell_quote(&attach_to),
        shell_quote(&policy_name),
        shell_quote(&pretty(&document)),
    );
    Ok(PolicyFix {
        kind,
        account: caller.account().to_string(),
        attach_to,
        document,
        command,
        required,
        note: format!(
            "adds the inline policy '{policy_name}'; an existing Allow elsewhere does the same job"
        ),
    })
}

fn statements_of(value: &Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

/// Pretty-printed JSON (two-space indent).
pub(crate) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

pub use crate::text::shell_quote;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_statement_names_the_role_and_conditions() {
        let s = trust_statement(
            "arn:aws:iam::111111111111:role/SwitchFromRole",
            Some("ext-1"),
            true,
        )
        .unwrap();
        assert_eq!(
            s["Principal"]["AWS"],
            "arn:aws:iam::111111111111:role/SwitchFromRole"
        );
        assert_eq!(s["Condition"]["StringEquals"]["sts:ExternalId"], "ext-1");
        assert_eq!(s["Condition"]["Bool"]["aws:MultiFactorAuthPresent"], "true");
        assert_eq!(s["Sid"], "AllowSwitchFromRole");
        let plain = trust_statement("arn:aws:iam::111111111111:user/alice", None, false).unwrap();
        assert!(plain.get("Condition").is_none());
    }

    #[test]
    fn refuses_sessions_wildcards_and_non_roles() {
        assert!(matches!(
            trust_statement("arn:aws:sts::111111111111:assumed-role/R/s", None, false),
            Err(PolicyError::NotNameable(_))
        ));
        assert!(matches!(
            trust_statement("arn:aws:iam::111111111111:role/*", None, false),
            Err(PolicyError::Wildcard(_))
        ));
        assert!(matches!(identity_statement("*"), Err(PolicyError::Wildcard(_))));
        assert!(matches!(
            identity_statement("arn:aws:iam::222222222222/R"),
            Err(PolicyError::NotARole(..))
        ));
    }

    #[test]
    fn merges_into_an_existing_trust_policy() {
        let existing = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}});
        let fix = trust_fix(
            "arn:aws:iam::111111111111:role/Target",
            "arn:aws:iam::111111111111:user/alice",
            None,
            false,
            Some(&existing),
        )
        .unwrap();
        let statements = fix.document["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 2);
        assert_eq!(statements[0]["Principal"]["Service"], "ec2.amazonaws.com");
    }

    #[test]
    fn quotes_for_posix_shells() {
        assert_eq!(shell_quote("SwitchToRole"), "SwitchToRole");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("$(rm -rf ~)"), "'$(rm -rf ~)'");
    }
}
