//! The causes of an AccessDenied on AssumeRole, as rules (see rules.rs). STS rarely says
//! which policy refused, unless the message carries the newer "because …" / "explicit
//! deny" wording, so the order comes from the accounts involved and the profile's settings.

use super::rules::{Facts, Rule, STS_SAID, Verdict, no_action};
use super::{CauseId, Confidence};

/// Confirmed when STS's message said so, else inferred.
fn by_message(hit: bool) -> Verdict {
    if hit {
        STS_SAID
    } else {
        (Confidence::Inferred, "the error and the accounts")
    }
}

/// Inferred, for every AccessDenied the rules apply to.
fn if_denied(f: &Facts) -> Option<Verdict> {
    f.denied().then(|| by_message(false))
}

pub(super) const DENIED: &[Rule] = &[
    Rule {
        id: CauseId::ExplicitDeny,
        when: |f| (f.denied() && f.said("explicit deny")).then_some(STS_SAID),
        says: |f| {
            let kind = f
                .error
                .message
                .split("explicit deny in ")
                .nth(1)
                .map(|s| s.trim_end_matches('.').to_string())
                .unwrap_or_else(|| "a policy".into());
            (
                format!("an explicit Deny in {kind} blocks sts:AssumeRole"),
                "find the Deny (identity policy, permissions boundary, SCP or session policy) and narrow it; \
                 an Allow never overrides a Deny"
                    .into(),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::TrustPolicy,
        when: |f| {
            f.denied()
                .then(|| by_message(f.said("no resource-based policy allows")))
        },
        says: |f| {
            (
                format!("the trust policy of {} does not allow {}", f.role, f.caller),
                format!("add the trust statement below to {}", f.role),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::IdentityPolicy,
        when: |f| {
            f.denied()
                .then(|| by_message(f.said("no identity-based policy allows")))
        },
        says: |f| {
            let title = format!(
                "the identity policy of {} lacks sts:AssumeRole on the target role",
                f.caller
            );
            let same_account = f.hop.same_account == Some(true);
            let title = if same_account && !f.said("no identity-based policy allows") {
                format!(
                    "{title} (in the same account, needed only when the trust policy names the account, not the role)"
                )
            } else {
                title
            };
            (title, "attach the identity statement below to the caller".into())
        },
        action: no_action,
    },
    Rule {
        id: CauseId::ExplicitDeny,
        when: |f| if_denied(f).filter(|_| !f.said("explicit deny")),
        says: |_| {
            (
                "an explicit Deny (identity policy, permissions boundary, SCP) blocks sts:AssumeRole".into(),
                "look for Deny statements on sts:AssumeRole that apply to the caller".into(),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::ExternalId,
        when: if_denied,
        says: |f| match &f.hop.external_id {
            None => (
                "the trust policy requires sts:ExternalId and the profile sets no external_id".into(),
                format!(
                    "add external_id = VALUE to profile '{}' (value from the role's owner)",
                    f.hop.profile
                ),
            ),
            Some(_) => (
                "the profile's external_id does not match the trust policy's sts:ExternalId".into(),
                format!("check external_id in profile '{}'{}", f.hop.profile, f.at),
            ),
        },
        action: no_action,
    },
    Rule {
        id: CauseId::Mfa,
        when: |f| if_denied(f).filter(|_| f.hop.mfa_serial.is_none()),
        says: |f| {
            (
                "the trust policy requires MFA (aws:MultiFactorAuthPresent) and the profile sets no mfa_serial"
                    .into(),
                format!(
                    "add mfa_serial = arn:aws:iam::ACCOUNT:mfa/DEVICE to profile '{}'",
                    f.hop.profile
                ),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::RoleMissing,
        when: if_denied,
        says: |f| {
            (
                format!(
                    "the role {} does not exist (STS answers AccessDenied for missing roles too)",
                    f.role
                ),
                format!("check the role name in role_arn{}", f.at),
            )
        },
        action: no_action,
    },
];
