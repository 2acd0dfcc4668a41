//! Plan + resolution -> ranked causes and the policies that would allow the failing hop.
//! Pure: no network; everything here is inferred from STS's error and the profile, except
//! what the message or the configuration states outright.

use super::arn::{Principal, parse_role_arn};
use super::policy::{identity_fix, trust_fix};
use super::{Cause, CauseId, Confidence, HopContext, IamReport, Report};
use crate::resolve::outcome::{ErrorKind, HopError, HopKind, Resolution};
use crate::resolve::{BaseSource, Plan};

/// STS refuses role-chained sessions longer than this.
pub(crate) const CHAINED_MAX_SECONDS: i32 = 3600;

pub(super) fn cause(
    id: CauseId,
    confidence: Confidence,
    title: String,
    fix: String,
    evidence: &str,
) -> Cause {
    Cause {
        id,
        confidence,
        title,
        fix,
        evidence: evidence.to_string(),
    }
}

/// Diagnoses a resolution. `plan` is `None` when the profile could not be planned.
pub fn diagnose(plan: Option<&Plan>, resolution: &Resolution) -> Report {
    let mut report = Report {
        profile: resolution.profile.clone(),
        chain: resolution.chain.clone(),
        status: resolution.status(),
        identity: resolution.identity().cloned(),
        hop: None,
        error: resolution.failure().map(|f| f.error.clone()),
        causes: Vec::new(),
        policies: Vec::new(),
        actions: Vec::new(),
        iam: IamReport::default(),
    };
    let Some(failure) = resolution.failure() else {
        return report;
    };
    let error = &failure.error;
    let Some(index) = failure.hop else {
        report.causes.push(cause(
            CauseId::Configuration,
            Confidence::Confirmed,
            error.message.clone(),
            "fix the profile at the place named above".into(),
            "the configuration files",
        ));
        return report;
    };
    let hop = context(plan, resolution, index, error);
    if hop.kind == HopKind::Base {
        base_causes(&mut report, plan, error);
    } else {
        super::rules::role_causes(&mut report, &hop, error);
        if wants_policies(&report) {
            report.policies = policies_with(&hop, &report, None);
        }
    }
    report.hop = Some(hop);
    report.rank();
    report
}

fn context(plan: Option<&Plan>, resolution: &Resolution, index: usize, error: &HopError) -> HopContext {
    let outcome = resolution.hops.get(index);
    let plan_hop = index
        .checked_sub(1)
        .and_then(|i| plan.and_then(|p| p.hops.get(i)));
    // The role that called this hop, exactly as configured (with its path).
    let previous_role = index
        .checked_sub(2)
        .and_then(|i| plan.and_then(|p| p.hops.get(i)))
        .map(|h| h.role_arn.clone());
    let caller_arn = error.caller_arn.clone().or_else(|| {
        index
            .checked_sub(1)
            .and_then(|i| resolution.hops.get(i))
            .and_then(|h| h.identity.as_ref())
            .map(|i| i.arn.clone())
    });
    let caller = caller_arn.map(|arn| {
        let p = Principal::parse(&arn);
        match &previous_role {
            Some(known) => p.with_known_role_arn(known),
            None => p,
        }
    });
    let target_role_arn = outcome.and_then(|o| o.role_arn.clone());
    let target_account = target_role_arn
        .as_deref()
        .and_then(|a| parse_role_arn(a).ok())
        .map(|r| r.account);
    let same_account = match (&caller, &target_account) {
        (Some(c), Some(t)) if !c.account().is_empty() => Some(c.account() == t),
        _ => None,
    };
    HopContext {
        index,
        profile: outcome.map(|o| o.profile.clone()).unwrap_or_default(),
        kind: outcome.map(|o| o.kind).unwrap_or(HopKind::Base),
        location: plan_hop.map(|h| h.location.clone()),
        target_role_arn,
        target_account,
        chained: matches!(caller, Some(Principal::AssumedRole { .. })),
        caller,
        same_account,
        duration_seconds: plan_hop.and_then(|h| h.duration_seconds),
        external_id: plan_hop.and_then(|h| h.external_id.clone()),
        mfa_serial: plan_hop.and_then(|h| h.mfa_serial.clone()),
    }
}

fn base_causes(report: &mut Report, plan: Option<&Plan>, error: &HopError) {
    let refresh = match plan.map(|p| &p.base) {
        Some(BaseSource::Sso { profile, session, .. }) => format!(
            "run `{}`",
            crate::resolve::sso_login::login_command(profile, session.as_deref())
        ),
        Some(BaseSource::Login { profile, .. }) => {
            format!("run `{}`", crate::resolve::login::login_command(profile))
        }
        Some(BaseSource::Static { profile, .. }) => {
            format!("replace the access keys of profile '{profile}' (they may be deactivated or deleted)")
        }
        Some(BaseSource::Process { command, .. }) => {
            format!("check that `{command}` prints valid credentials")
        }
        Some(BaseSource::Ec2InstanceMetadata { .. } | BaseSource::DefaultChain { .. }) => {
            "check the instance profile and that IMDS is reachable (IMDSv2 hop limit in containers)".into()
        }
        _ => "refresh the source credentials".into(),
    };
    let (id, title) = match error.kind {
        ErrorKind::Credentials => (
            CauseId::SourceCredentials,
            "the source credentials are expired or invalid".to_string(),
        ),
        ErrorKind::Network | ErrorKind::Timeout => (
            CauseId::RegionEndpoint,
            "the credential source or STS endpoint did not answer".to_string(),
        ),
        ErrorKind::Throttled => (
            CauseId::Throttled,
            "throttled by the credential source".to_string(),
        ),
        ErrorKind::Config => (CauseId::Configuration, error.message.clone()),
        _ => (
            CauseId::SourceCredentials,
            format!(
                "the source credentials could not be obtained: {}",
                error.summary()
            ),
        ),
    };
    report
        .causes
        .push(cause(id, Confidence::Inferred, title, refresh, "the error code"));
}

/// Policies help when the denial is about who may assume what.
fn wants_policies(report: &Report) -> bool {
    report.causes.iter().any(|c| {
        matches!(c.id, CauseId::TrustPolicy | CauseId::IdentityPolicy) && c.confidence != Confidence::RuledOut
    }) && report.cause(CauseId::MalformedRoleArn).is_none()
        && report.cause(CauseId::RootCaller).is_none()
}

/// The documents that would allow this exact hop. `existing_trust` is the role's current
/// trust policy when IAM let us read it (the new statement is merged into it).
pub(crate) fn policies_with(
    hop: &HopContext,
    report: &Report,
    existing_trust: Option<&serde_json::Value>,
) -> Vec<super::policy::PolicyFix> {
    let (Some(caller), Some(target)) = (&hop.caller, &hop.target_role_arn) else {
        return Vec::new();
    };
    let Some(caller_arn) = caller.policy_arn() else {
        return Vec::new();
    };
    let live = |id| report.cause(id).filter(|c| c.confidence != Confidence::RuledOut);
    let mut out = Vec::new();
    if live(CauseId::TrustPolicy).is_some()
        && let Ok(fix) = trust_fix(
            target,
            caller_arn,
            hop.external_id.as_deref(),
            hop.mfa_serial.is_some(),
            existing_trust,
        )
    {
        out.push(fix);
    }
    // Same account with the role named in the trust policy: the trust policy is enough,
    // so the caller's policy is written only when IAM showed it is missing.
    if let Some(identity) = live(CauseId::IdentityPolicy) {
        let confirmed = identity.confidence == Confidence::Confirmed;
        let required = hop.same_account == Some(false) || confirmed;
        if (required || hop.same_account.is_none())
            && let Ok(fix) = identity_fix(caller, target, required)
        {
            out.push(fix);
        }
    }
    out
}
