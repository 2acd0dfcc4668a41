//! Folds read-only IAM answers into a report: the target role's trust policy and maximum
//! session duration (`iam:GetRole`, same account only) and the caller's own evaluation of
//! `sts:AssumeRole` on the target (`iam:SimulatePrincipalPolicy`). Each answer confirms or
//! rules out causes; anything IAM did not answer stays inferred. Pure.

use super::diagnose::policies_with;
use super::{Cause, CauseId, Confidence, HopContext, Report};
use serde_json::Value;

/// What `iam:GetRole` said about the target role.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum RoleAnswer {
    Found {
        trust_policy: Value,
        max_session_duration: Option<i64>,
    },
    /// `NoSuchEntity`.
    Missing,
}

/// `EvalDecision` of `iam:SimulatePrincipalPolicy` for `sts:AssumeRole` on the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Allowed,
    ImplicitDeny,
    ExplicitDeny,
}

/// IAM's answers; `None` = not asked, `Err` = why IAM could not answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct IamFindings {
    pub role: Option<Result<RoleAnswer, String>>,
    pub simulation: Option<Result<Decision, String>>,
    /// Why nothing was asked, when nothing was.
    pub skipped: Option<String>,
}

/// How a trust policy treats one caller.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct TrustVerdict {
    /// An Allow names the caller's role or user ARN exactly (or `*`).
    pub names_caller: bool,
    /// An Allow names the caller's account (root or bare id): the caller's identity policy
    /// must then allow the call too, even in the same account.
    pub names_account: bool,
    pub denies_caller: bool,
    /// `sts:ExternalId` values required by the matching Allows (empty: none required).
    pub external_ids: Vec<String>,
    pub requires_mfa: bool,
    /// Principals given as unique ids (`AROA…`, `AIDA…`): the principal was deleted.
    pub stale_principals: Vec<String>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn covers_assume_role(statement: &Value) -> bool {
    strings(statement.get("Action"))
        .iter()
        .any(|a| matches!(a.to_ascii_lowercase().as_str(), "sts:assumerole" | "sts:*" | "*"))
}

/// Reads a trust policy as it applies to `caller_arn` (a role or user ARN) in `account`.
pub(crate) fn read_trust(policy: &Value, caller_arn: &str, account: &str) -> TrustVerdict {
    let mut verdict = TrustVerdict::default();
    let statements = match policy.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    let partition = crate::arn::Arn::parse(caller_arn).map_or("aws", |a| a.partition());
    let root = format!("arn:{partition}:iam::{account}:root");
    for statement in statements.iter().filter(|s| covers_assume_role(s)) {
        let principals = match statement.get("Principal") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(p) => strings(p.get("AWS")),
            None => Vec::new(),
        };
        for p in &principals {
            if p.starts_with("AROA") || p.starts_with("AIDA") {
                verdict.stale_principals.push(p.clone());
            }
        }
        let exact = principals.iter().any(|p| p == caller_arn || p == "*");
        let by_account = principals.iter().any(|p| *p == root || p == account);
        if !(exact || by_account) {
            continue;
        }
        if statement.get("Effect").and_then(Value::as_str) == Some("Deny") {
            verdict.denies_caller = true;
            continue;
        }
        verdict.names_caller |= exact;
        verdict.names_account |= by_account && !exact;
        if let Some(Value::Object(conditions)) = statement.get("Condition") {
            for block in conditions.values() {
                if let Value::Object(keys) = block {
                    for (key, value) in keys {
                        match key.to_ascii_lowercase().as_str() {
                            "sts:externalid" => verdict.external_ids.extend(strings(Some(value))),
                            "aws:multifactorauthpresent" | "aws:multifactorauthage" => {
                                verdict.requires_mfa = true
                            }
                            _ => {}
                        }
                    }
                }
            }
        }
    }
    verdict
}

fn set(report: &mut Report, id: CauseId, confidence: Confidence, evidence: &str) {
    if let Some(c) = report.causes.iter_mut().find(|c| c.id == id) {
        c.confidence = confidence;
        c.evidence = evidence.to_string();
    }
}

fn add_or_set(report: &mut Report, cause: Cause) {
    match report.causes.iter_mut().find(|c| c.id == cause.id) {
        Some(c) => *c = cause,
        None => report.causes.push(cause),
    }
}

/// Applies IAM's answers to `report` (whose `hop` must be the failing AssumeRole hop).
pub(crate) fn enrich(report: &mut Report, findings: &IamFindings) {
    let Some(hop) = report.hop.clone() else {
        return;
    };
    if let Some(reason) = &findings.skipped {
        report.iam.notes.push(format!("IAM checks skipped: {reason}"));
    }
    let (existing_trust, trust) = match &findings.role {
        Some(answer) => apply_role(report, &hop, answer),
        None => (None, None),
    };
    match &findings.simulation {
        None => {}
        Some(Err(why)) => report
            .iam
            .notes
            .push(format!("iam:SimulatePrincipalPolicy: {why}")),
        Some(Ok(decision)) => apply_simulation(report, &hop, decision, trust.as_ref()),
    }
    report.rank();
    if report.iam.used {
        report.policies = policies_with(&hop, report, existing_trust.as_ref());
    }
}

/// What `iam:GetRole` said of the target role: missing, or its trust policy (returned,
/// with the verdict on the caller) and its longest session.
fn apply_role(
    report: &mut Report,
    hop: &HopContext,
    answer: &Result<RoleAnswer, String>,
) -> (Option<Value>, Option<TrustVerdict>) {
    let role_name = hop
        .target_role_arn
        .as_deref()
        .map(crate::arn::name_of)
        .unwrap_or("?");
    match answer {
        Err(why) => {
            report.iam.notes.push(format!("iam:GetRole {role_name}: {why}"));
            (None, None)
        }
        Ok(RoleAnswer::Missing) => {
            report.iam.used = true;
            report
                .iam
                .notes
                .push(format!("iam:GetRole {role_name}: NoSuchEntity"));
            set(report, CauseId::RoleMissing, Confidence::Confirmed, "iam:GetRole");
            (None, None)
        }
        Ok(RoleAnswer::Found {
            trust_policy,
            max_session_duration,
        }) => {
            report.iam.used = true;
            report
                .iam
                .notes
                .push(format!("iam:GetRole {role_name}: read its trust policy"));
            set(
                report,
                CauseId::RoleMissing,
                Confidence::RuledOut,
                "iam:GetRole found the role",
            );
            let trust = caller_trust(hop, trust_policy);
            if let Some(verdict) = &trust {
                apply_trust(report, hop, verdict);
            }
            duration(report, hop, *max_session_duration);
            (Some(trust_policy.clone()), trust)
        }
    }
}

/// What `iam:SimulatePrincipalPolicy` said of `sts:AssumeRole` on the target.
fn apply_simulation(
    report: &mut Report,
    hop: &HopContext,
    decision: &Decision,
    trust: Option<&TrustVerdict>,
) {
    report.iam.used = true;
    report.iam.notes.push(format!(
        "iam:SimulatePrincipalPolicy sts:AssumeRole on the target: {decision:?}"
    ));
    let evidence = "iam:SimulatePrincipalPolicy";
    match decision {
        Decision::Allowed => set(report, CauseId::IdentityPolicy, Confidence::RuledOut, evidence),
        Decision::ExplicitDeny => {
            set(report, CauseId::ExplicitDeny, Confidence::Confirmed, evidence);
            set(report, CauseId::IdentityPolicy, Confidence::RuledOut, evidence);
        }
        Decision::ImplicitDeny => {
            // In the same account an identity Allow is needed only when the trust
            // policy names the account rather than the caller.
            let needed =
                hop.same_account != Some(true) || trust.is_some_and(|t| t.names_account && !t.names_caller);
            let not_needed = hop.same_account == Some(true) && trust.is_some_and(|t| t.names_caller);
            let confidence = if needed {
                Confidence::Confirmed
            } else if not_needed {
                Confidence::RuledOut
            } else {
                Confidence::Inferred
            };
            set(report, CauseId::IdentityPolicy, confidence, evidence);
            set(report, CauseId::ExplicitDeny, Confidence::RuledOut, evidence);
        }
    }
}

fn caller_trust(hop: &HopContext, policy: &Value) -> Option<TrustVerdict> {
    let caller = hop.caller.as_ref()?;
    Some(read_trust(policy, caller.policy_arn()?, caller.account()))
}

fn apply_trust(report: &mut Report, hop: &HopContext, t: &TrustVerdict) {
    let ev = "the role's trust policy (iam:GetRole)";
    if t.denies_caller {
        set(
            report,
            CauseId::ExplicitDeny,
            Confidence::Confirmed,
            "a Deny in the role's trust policy",
        );
    }
    if t.names_caller || t.names_account {
        set(report, CauseId::TrustPolicy, Confidence::RuledOut, ev);
    } else {
        set(report, CauseId::TrustPolicy, Confidence::Confirmed, ev);
    }
    if t.names_caller && hop.same_account == Some(true) {
        set(
            report,
            CauseId::IdentityPolicy,
            Confidence::RuledOut,
            "the trust policy names the caller, same account",
        );
    }
    if !t.stale_principals.is_empty() {
        report.iam.notes.push(format!(
            "the trust policy names deleted principals by unique id ({}); recreate the statement with the ARN",
            t.stale_principals.join(", ")
        ));
    }
    match (&hop.external_id, t.external_ids.is_empty()) {
        (_, true) => set(report, CauseId::ExternalId, Confidence::RuledOut, ev),
        (None, false) => set(report, CauseId::ExternalId, Confidence::Confirmed, ev),
        (Some(id), false) if t.external_ids.contains(id) => {
            set(report, CauseId::ExternalId, Confidence::RuledOut, ev)
        }
        (Some(_), false) => set(report, CauseId::ExternalId, Confidence::Confirmed, ev),
    }
    match (t.requires_mfa, &hop.mfa_serial) {
        (false, _) | (true, Some(_)) => set(report, CauseId::Mfa, Confidence::RuledOut, ev),
        (true, None) => set(report, CauseId::Mfa, Confidence::Confirmed, ev),
    }
}

fn duration(report: &mut Report, hop: &HopContext, max: Option<i64>) {
    let (Some(asked), Some(max)) = (hop.duration_seconds, max) else {
        return;
    };
    if i64::from(asked) > max {
        add_or_set(
            report,
            Cause {
                id: CauseId::SessionDuration,
                confidence: Confidence::Confirmed,
                title: format!("duration_seconds {asked} is above the role's maximum session duration {max}"),
                fix: format!("set duration_seconds to at most {max}"),
                evidence: "iam:GetRole MaxSessionDuration".into(),
            },
        );
    } else {
        set(
            report,
            CauseId::SessionDuration,
            Confidence::RuledOut,
            "iam:GetRole MaxSessionDuration",
        );
    }
}
