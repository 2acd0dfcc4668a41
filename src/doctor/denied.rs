//! Ranked causes of an AccessDenied on AssumeRole. STS rarely says which policy refused,
//! so the order comes from the accounts involved and the profile's settings.

use super::diagnose::cause;
use super::{CauseId, Confidence, HopContext, Report};

/// AccessDenied on AssumeRole: STS does not say which policy refused, unless the message
/// carries the newer "because …" / "explicit deny" wording.
pub(super) fn denied_causes(
    report: &mut Report,
    hop: &HopContext,
    msg: &str,
    caller: &str,
    role: &str,
    at: &str,
) {
    let cross = hop.same_account == Some(false);
    let said = |needle: &str| msg.contains(needle);
    let explicit = said("explicit deny");
    let no_identity = said("no identity-based policy allows");
    let no_resource = said("no resource-based policy allows");
    let by_message = |hit: bool| {
        if hit {
            (Confidence::Confirmed, "STS's message")
        } else {
            (Confidence::Inferred, "the error and the accounts")
        }
    };
    let mut add = |id, (confidence, evidence): (Confidence, &str), title: String, fix: String| {
        report.causes.push(cause(id, confidence, title, fix, evidence));
    };
    if explicit {
        let kind = msg
            .split("explicit deny in ")
            .nth(1)
            .map(|s| s.trim_end_matches('.').to_string())
            .unwrap_or_else(|| "a policy".into());
        add(
            CauseId::ExplicitDeny,
            by_message(true),
            format!("an explicit Deny in {kind} blocks sts:AssumeRole"),
            "find the Deny (identity policy, permissions boundary, SCP or session policy) and narrow it; \
             an Allow never overrides a Deny"
                .into(),
        );
    }
    let trust_title = format!("the trust policy of {role} does not allow {caller}");
    let trust_fix_text = format!("add the trust statement below to {role}");
    let identity_title = format!("the identity policy of {caller} lacks sts:AssumeRole on the target role");
    let identity_fix_text = "attach the identity statement below to the caller".to_string();
    add(
        CauseId::TrustPolicy,
        by_message(no_resource),
        trust_title,
        trust_fix_text,
    );
    let identity_title = if cross || no_identity || hop.same_account.is_none() {
        identity_title
    } else {
        format!(
            "{identity_title} (in the same account, needed only when the trust policy names the account, not the role)"
        )
    };
    add(
        CauseId::IdentityPolicy,
        by_message(no_identity),
        identity_title,
        identity_fix_text,
    );
    if !explicit {
        add(
            CauseId::ExplicitDeny,
            by_message(false),
            "an explicit Deny (identity policy, permissions boundary, SCP) blocks sts:AssumeRole".into(),
            "look for Deny statements on sts:AssumeRole that apply to the caller".into(),
        );
    }
    let (ext_title, ext_fix) = match &hop.external_id {
        None => (
            "the trust policy requires sts:ExternalId and the profile sets no external_id".to_string(),
            format!(
                "add external_id = VALUE to profile '{}' (value from the role's owner)",
                hop.profile
            ),
        ),
        Some(_) => (
            "the profile's external_id does not match the trust policy's sts:ExternalId".to_string(),
            format!("check external_id in profile '{}'{at}", hop.profile),
        ),
    };
    add(CauseId::ExternalId, by_message(false), ext_title, ext_fix);
    if hop.mfa_serial.is_none() {
        add(
            CauseId::Mfa,
            by_message(false),
            "the trust policy requires MFA (aws:MultiFactorAuthPresent) and the profile sets no mfa_serial"
                .into(),
            format!(
                "add mfa_serial = arn:aws:iam::ACCOUNT:mfa/DEVICE to profile '{}'",
                hop.profile
            ),
        );
    }
    add(
        CauseId::RoleMissing,
        by_message(false),
        format!("the role {role} does not exist (STS answers AccessDenied for missing roles too)"),
        format!("check the role name in role_arn{at}"),
    );
}
