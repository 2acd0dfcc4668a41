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
        role_causes(&mut report, &hop, error);
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

fn code_is(error: &HopError, codes: &[&str]) -> bool {
    error.code.as_deref().is_some_and(|c| codes.contains(&c))
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

fn role_causes(report: &mut Report, hop: &HopContext, error: &HopError) {
    let msg = error.message.as_str();
    let target = hop.target_role_arn.clone().unwrap_or_default();
    let role_name = crate::arn::name_of(&target).to_string();
    let at = hop
        .location
        .as_ref()
        .map(|l| format!(" at {l}"))
        .unwrap_or_default();
    let caller_name = match &hop.caller {
        Some(p) => p.policy_arn().unwrap_or(p.arn()).to_string(),
        None => "the caller".to_string(),
    };
    let push = |r: &mut Report, id, confidence, title: String, fix: String, evidence: &str| {
        r.causes.push(cause(id, confidence, title, fix, evidence));
    };

    if let Err(problem) = parse_role_arn(&target) {
        let fix = match &problem.suggestion {
            Some(s) => format!("set role_arn = {s}{at}"),
            None => format!("correct role_arn{at} to arn:aws:iam::ACCOUNT:role/NAME"),
        };
        push(
            report,
            CauseId::MalformedRoleArn,
            Confidence::Confirmed,
            problem.message.clone(),
            fix.clone(),
            "ARN syntax",
        );
        if let Some(s) = &problem.suggestion {
            report.actions.push(fix.replace(s, &format!("'{s}'")));
        }
    }
    if msg.contains("Roles may not be assumed by root accounts") {
        push(
            report,
            CauseId::RootCaller,
            Confidence::Confirmed,
            "the caller is the account's root user, which cannot assume roles".into(),
            "use an IAM user or role as the source profile".into(),
            "STS's message",
        );
    }
    if msg.contains("MultiFactorAuthentication") {
        push(
            report,
            CauseId::Mfa,
            Confidence::Confirmed,
            "the MFA code was wrong, reused or expired, or mfa_serial names another device".into(),
            format!("type a fresh code; check that mfa_serial{at} is the caller's device ARN"),
            "STS's message",
        );
    }
    if msg.contains("role chaining") {
        push(
            report,
            CauseId::ChainedSessionDuration,
            Confidence::Confirmed,
            format!(
                "duration_seconds {} is above one hour, the limit for a role assumed with role credentials",
                hop.duration_seconds.map(|d| d.to_string()).unwrap_or_default()
            ),
            format!("set duration_seconds to at most {CHAINED_MAX_SECONDS}{at}, or remove it"),
            "STS's message",
        );
    } else if msg.contains("MaxSessionDuration") {
        push(
            report,
            CauseId::SessionDuration,
            Confidence::Confirmed,
            format!(
                "duration_seconds {} is above the maximum session duration of {role_name}",
                hop.duration_seconds.map(|d| d.to_string()).unwrap_or_default()
            ),
            format!("lower duration_seconds{at}, or raise the role's maximum (see below)"),
            "STS's message",
        );
        report.actions.push(format!(
            "aws iam update-role --role-name {} --max-session-duration {}",
            super::policy::shell_quote(&role_name),
            hop.duration_seconds.unwrap_or(3600).clamp(3600, 43200)
        ));
    } else if hop.chained && hop.duration_seconds.is_some_and(|d| d > CHAINED_MAX_SECONDS) {
        // STS will refuse this once the other problems are fixed.
        push(
            report,
            CauseId::ChainedSessionDuration,
            if code_is(error, &["ValidationError"]) {
                Confidence::Confirmed
            } else {
                Confidence::Inferred
            },
            "duration_seconds is above one hour on a role-chained hop".into(),
            format!("set duration_seconds to at most {CHAINED_MAX_SECONDS}{at}"),
            "the profile",
        );
    }
    if code_is(error, &["RegionDisabledException"]) {
        push(
            report,
            CauseId::RegionEndpoint,
            Confidence::Confirmed,
            "STS is not activated in this region for the target account".into(),
            "activate the region's STS endpoint in the IAM console (Account settings), or use another region"
                .into(),
            "STS's message",
        );
    }
    match error.kind {
        ErrorKind::Denied if !msg.contains("MultiFactorAuthentication") && !msg.contains("root accounts") => {
            super::denied::denied_causes(report, hop, msg, &caller_name, &role_name, &at);
        }
        ErrorKind::Credentials => {
            push(
                report,
                CauseId::SourceCredentials,
                Confidence::Inferred,
                format!(
                    "the credentials of {caller_name} are expired or invalid ({})",
                    error.code.as_deref().unwrap_or("")
                ),
                "refresh the source credentials (aws sso login, new keys, a fresh session)".into(),
                "the error code",
            );
            if code_is(error, &["InvalidClientTokenId"]) {
                push(
                    report,
                    CauseId::RegionEndpoint,
                    Confidence::Inferred,
                    "a session token from the global STS endpoint is not valid in an opt-in region".into(),
                    "use the regional STS endpoint (sts_regional_endpoints = regional) or activate the region"
                        .into(),
                    "the error code",
                );
            }
        }
        ErrorKind::Network | ErrorKind::Timeout => push(
            report,
            CauseId::RegionEndpoint,
            Confidence::Inferred,
            "the STS endpoint did not answer".into(),
            "check region, endpoint_url / AWS_ENDPOINT_URL_STS, proxy settings and network access".into(),
            "the error",
        ),
        ErrorKind::Throttled => push(
            report,
            CauseId::Throttled,
            Confidence::Inferred,
            "STS throttled the request".into(),
            "retry later or resolve fewer profiles at once (--concurrency)".into(),
            "the error code",
        ),
        ErrorKind::Config | ErrorKind::Other if report.causes.is_empty() => push(
            report,
            if code_is(error, &["ValidationError"]) && msg.contains("roleArn") {
                CauseId::MalformedRoleArn
            } else if error.code.is_some() {
                CauseId::Unknown
            } else {
                CauseId::Configuration
            },
            Confidence::Confirmed,
            error.summary(),
            format!("fix profile '{}'{at}", hop.profile),
            "the error",
        ),
        _ => {}
    }
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
