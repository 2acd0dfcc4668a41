//! IAM policy documents and the part of IAM's evaluation logic that decides `sts:AssumeRole`
//! in the demo world: the caller's identity policies, the target role's trust policy, the
//! same-account / cross-account rule, and the session-duration limits.
//!
//! Pure: no I/O, no clock. The STS endpoint (`sts.rs`) builds a [`Caller`] and a
//! [`RequestContext`] from the request and asks [`may_assume`] and [`check_duration`].

use serde::Deserialize;
use std::collections::BTreeMap;

/// An IAM policy document (`{"Version": …, "Statement": […]}`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version", default)]
    pub version: Option<String>,
    #[serde(rename = "Statement", deserialize_with = "one_or_many")]
    pub statements: Vec<Statement>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Statement {
    #[serde(rename = "Sid", default)]
    pub sid: Option<String>,
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Action", default, deserialize_with = "one_or_many")]
    pub actions: Vec<String>,
    #[serde(rename = "Resource", default, deserialize_with = "one_or_many")]
    pub resources: Vec<String>,
    #[serde(rename = "Principal", default)]
    pub principal: Option<Principal>,
    /// Operator (`StringEquals`) -> condition key (`sts:ExternalId`) -> accepted values.
    #[serde(rename = "Condition", default)]
    pub conditions: BTreeMap<String, BTreeMap<String, ConditionValues>>,
}

/// `"Principal": "*"` or `{"AWS": …, "Service": …}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawPrincipal")]
pub struct Principal {
    /// `"*"` or `{"AWS": "*"}`: every principal.
    pub any: bool,
    /// ARNs of users and roles, `arn:aws:iam::ACCOUNT:root`, or bare 12-digit account ids.
    pub aws: Vec<String>,
    pub service: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawPrincipal {
    Star(String),
    Map(BTreeMap<String, OneOrMany<String>>),
}

impl TryFrom<RawPrincipal> for Principal {
    type Error = String;
    fn try_from(raw: RawPrincipal) -> Result<Self, String> {
        let mut p = Principal::default();
        match raw {
            RawPrincipal::Star(s) if s == "*" => p.any = true,
            RawPrincipal::Star(s) => return Err(format!("Principal must be \"*\" or an object, not {s:?}")),
            RawPrincipal::Map(map) => {
                for (kind, values) in map {
                    let values = values.into_vec();
                    match kind.as_str() {
                        "AWS" if values.iter().any(|v| v == "*") => p.any = true,
                        "AWS" => p.aws = values,
                        "Service" => p.service = values,
                        // Federated/CanonicalUser principals never call AssumeRole in this world.
                        _ => {}
                    }
                }
            }
        }
        Ok(p)
    }
}

/// Condition values: strings, or JSON booleans/numbers written without quotes.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(from = "serde_json::Value")]
pub struct ConditionValues(pub Vec<String>);

impl From<serde_json::Value> for ConditionValues {
    fn from(v: serde_json::Value) -> Self {
        let scalar = |v: serde_json::Value| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        ConditionValues(match v {
            serde_json::Value::Array(values) => values.into_iter().map(scalar).collect(),
            other => vec![scalar(other)],
        })
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    fn into_vec(self) -> Vec<T> {
        match self {
            OneOrMany::One(v) => vec![v],
            OneOrMany::Many(v) => v,
        }
    }
}

fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    OneOrMany::<T>::deserialize(d).map(OneOrMany::into_vec)
}

/// Who is calling, as IAM sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Caller {
    /// The principal a trust policy names: the user ARN, or the role ARN of a role session.
    pub principal_arn: String,
    /// `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` for a role session (trust policies may
    /// name it too).
    pub session_arn: Option<String>,
    pub account: String,
}

impl Caller {
    /// A caller using a role session's credentials: role chaining applies.
    pub(crate) fn is_role_session(&self) -> bool {
        self.session_arn.is_some()
    }
}

/// Request values that conditions can test.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct RequestContext {
    pub external_id: Option<String>,
    /// `aws:MultiFactorAuthPresent`. IAM leaves the key out (None) for long-term access keys,
    /// which is why `"Bool": {"aws:MultiFactorAuthPresent": "false"}` never matches them.
    pub mfa_present: Option<bool>,
    pub principal_arn: Option<String>,
    pub principal_account: Option<String>,
}

impl RequestContext {
    fn value(&self, key: &str) -> Option<String> {
        match key.to_ascii_lowercase().as_str() {
            "sts:externalid" => self.external_id.clone(),
            "aws:multifactorauthpresent" => self.mfa_present.map(|b| b.to_string()),
            "aws:principalarn" => self.principal_arn.clone(),
            "aws:principalaccount" => self.principal_account.clone(),
            _ => None,
        }
    }
}

/// What a set of identity policies says about one action on one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Allow,
    ExplicitDeny,
    /// No statement applies: IAM's default deny.
    NotAllowed,
}

/// What a trust policy says about a caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Trust {
    NoMatch,
    /// Trusts the caller's whole account (`:root` or the bare id): the account's own
    /// identity policies then decide.
    NamesAccount,
    /// Names this very user or role (or `*`).
    NamesPrincipal,
    ExplicitDeny,
}

/// Why an AssumeRole was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Denial {
    ExplicitDenyInIdentityPolicy,
    ExplicitDenyInTrustPolicy,
    TrustPolicyDoesNotAllow,
    IdentityPolicyDoesNotAllow,
}

/// Why an AssumeRole was allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grant {
    /// Same account, the trust policy names the caller: no identity policy needed.
    TrustNamesCaller,
    /// Both the trust policy and the caller's identity policy allow it.
    TrustAndIdentity,
}

pub(crate) const ASSUME_ROLE: &str = "sts:AssumeRole";

/// Evaluates identity policies for `action` on `resource`: an explicit Deny wins, then any Allow.
pub(crate) fn identity(
    policies: &[PolicyDocument],
    action: &str,
    resource: &str,
    ctx: &RequestContext,
) -> Decision {
    let mut allowed = false;
    for s in policies.iter().flat_map(|p| &p.statements) {
        let applies = s.actions.iter().any(|a| glob(a, action, true))
            && s.resources.iter().any(|r| glob(r, resource, false))
            && conditions_hold(&s.conditions, ctx);
        match (applies, s.effect) {
            (true, Effect::Deny) => return Decision::ExplicitDeny,
            (true, Effect::Allow) => allowed = true,
            _ => {}
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::NotAllowed
    }
}

/// Evaluates a role's trust policy for `sts:AssumeRole` by `caller`.
pub(crate) fn trust(policy: &PolicyDocument, caller: &Caller, ctx: &RequestContext) -> Trust {
    let mut best = Trust::NoMatch;
    for s in &policy.statements {
        if !s.actions.iter().any(|a| glob(a, ASSUME_ROLE, true)) || !conditions_hold(&s.conditions, ctx) {
            continue;
        }
        let matched = s
            .principal
            .as_ref()
            .map_or(Trust::NoMatch, |p| principal_match(p, caller));
        if matched == Trust::NoMatch {
            continue;
        }
        match s.effect {
            Effect::Deny => return Trust::ExplicitDeny,
            Effect::Allow => best = best.max(matched),
        }
    }
    best
}

fn principal_match(p: &Principal, caller: &Caller) -> Trust {
    if p.any {
        return Trust::NamesPrincipal;
    }
    let mut best = Trust::NoMatch;
    for name in &p.aws {
        if *name == caller.principal_arn || Some(name) == caller.session_arn.as_ref() {
            return Trust::NamesPrincipal;
        }
        let account = name
            .strip_prefix("arn:aws:iam::")
            .and_then(|rest| rest.strip_suffix(":root"))
            .unwrap_or(name);
        if account == caller.account {
            best = Trust::NamesAccount;
        }
    }
    best
}

/// IAM's rule for AssumeRole. Same account: a trust policy that names the caller is enough,
/// one that names only the account needs the identity policy too. Cross-account: both
/// must allow. An explicit Deny in either always wins.
pub(crate) fn may_assume(
    caller: &Caller,
    identity_policies: &[PolicyDocument],
    role_arn: &str,
    role_account: &str,
    trust_policy: &PolicyDocument,
    ctx: &RequestContext,
) -> Result<Grant, Denial> {
    let by_identity = identity(identity_policies, ASSUME_ROLE, role_arn, ctx);
    let by_trust = trust(trust_policy, caller, ctx);
    if by_identity == Decision::ExplicitDeny {
        return Err(Denial::ExplicitDenyInIdentityPolicy);
    }
    match by_trust {
        Trust::ExplicitDeny => Err(Denial::ExplicitDenyInTrustPolicy),
        Trust::NoMatch => Err(Denial::TrustPolicyDoesNotAllow),
        Trust::NamesPrincipal if caller.account == role_account => Ok(Grant::TrustNamesCaller),
        Trust::NamesPrincipal | Trust::NamesAccount => match by_identity {
            Decision::Allow => Ok(Grant::TrustAndIdentity),
            _ => Err(Denial::IdentityPolicyDoesNotAllow),
        },
    }
}

/// A refused `DurationSeconds`, worded as STS words it (all are `ValidationError`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DurationError {
    #[error(
        "1 validation error detected: Value '{0}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
    )]
    TooShort(i64),
    #[error(
        "1 validation error detected: Value '{0}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"
    )]
    TooLong(i64),
    #[error(
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    )]
    Chaining,
    #[error("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")]
    ExceedsMaxSessionDuration,
}

pub(crate) const DEFAULT_DURATION: u32 = 3600;
pub(crate) const CHAINED_MAX: u32 = 3600;

/// The parameter's own bounds, checked before anything else.
pub(crate) fn validate_duration(requested: Option<i64>) -> Result<(), DurationError> {
    match requested {
        Some(d) if d < 900 => Err(DurationError::TooShort(d)),
        Some(d) if d > 43200 => Err(DurationError::TooLong(d)),
        _ => Ok(()),
    }
}

/// The session length AssumeRole grants: the request (default one hour), at most the role's
/// MaxSessionDuration, and at most one hour when a role session assumes another role.
pub(crate) fn check_duration(
    requested: Option<i64>,
    role_chaining: bool,
    max_session_duration: u32,
) -> Result<u32, DurationError> {
    validate_duration(requested)?;
    let d = requested.map_or(DEFAULT_DURATION, |d| d as u32);
    if role_chaining && d > CHAINED_MAX {
        return Err(DurationError::Chaining);
    }
    if d > max_session_duration {
        return Err(DurationError::ExceedsMaxSessionDuration);
    }
    Ok(d)
}

fn conditions_hold(
    conditions: &BTreeMap<String, BTreeMap<String, ConditionValues>>,
    ctx: &RequestContext,
) -> bool {
    conditions.iter().all(|(operator, keys)| {
        keys.iter()
            .all(|(key, values)| condition_holds(operator, ctx.value(key).as_deref(), &values.0))
    })
}

/// One operator on one key: values are OR-ed. Unknown operators never hold, so a policy
/// using one grants nothing here rather than too much.
fn condition_holds(operator: &str, actual: Option<&str>, values: &[String]) -> bool {
    let (operator, if_exists) = match operator.strip_suffix("IfExists") {
        Some(op) => (op, true),
        None => (operator, false),
    };
    if operator == "Null" {
        return values
            .iter()
            .any(|v| v.eq_ignore_ascii_case(&actual.is_none().to_string()));
    }
    let Some(actual) = actual else {
        // A missing key matches nothing, except through IfExists and the negated operators.
        return if_exists || operator.contains("Not");
    };
    let any = |f: &dyn Fn(&str) -> bool| values.iter().any(|v| f(v));
    match operator {
        "StringEquals" => any(&|v| v == actual),
        "StringNotEquals" => !any(&|v| v == actual),
        "StringEqualsIgnoreCase" => any(&|v| v.eq_ignore_ascii_case(actual)),
        "StringNotEqualsIgnoreCase" => !any(&|v| v.eq_ignore_ascii_case(actual)),
        "StringLike" => any(&|v| glob(v, actual, false)),
        "StringNotLike" => !any(&|v| glob(v, actual, false)),
        "Bool" => any(&|v| v.eq_ignore_ascii_case(actual)),
        _ => false,
    }
}

/// IAM wildcard match: `*` is any run of characters, `?` exactly one.
pub(crate) fn glob(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let norm = |s: &str| -> Vec<char> {
        if ignore_case {
            s.to_lowercase().chars().collect()
        } else {
            s.chars().collect()
        }
    };
    let (p, t) = (norm(pattern), norm(text));
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            backtrack = Some((pi, ti));
            pi += 1;
        } else if let Some((star, matched)) = backtrack {
            pi = star + 1;
            ti = matched + 1;
            backtrack = Some((star, matched + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
