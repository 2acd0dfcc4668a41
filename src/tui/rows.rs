//! What the TUI knows about a profile before anything is resolved: its name, kind, region,
//! planned chain, MFA needs and lint findings. Built from the configuration, the plan and
//! the lint pass; pure.

use crate::config::ConfigSet;
use crate::config::lint::Finding;
use crate::env::Env;
use crate::report::kind_of;
use crate::resolve::{BaseSource, Plan, PlanError, plan};

/// One planned step of a chain, as the details pane lists it before (or without) a result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedHop {
    pub profile: String,
    /// `static`, `sso`, … for the base; the role's name for an AssumeRole hop.
    pub label: String,
    pub role_arn: Option<String>,
    pub mfa_serial: Option<String>,
}

/// A profile as the list shows it before resolution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileRow {
    pub name: String,
    /// `role`, `static`, `sso`, `process`, … or `invalid` when no plan could be made.
    pub kind: String,
    /// The profile's own `region` setting.
    pub region: Option<String>,
    /// The account the profile's credentials belong to, when the configuration says
    /// (the last role ARN or the SSO account); replaced by the live identity once known.
    pub account: Option<String>,
    pub chain: Vec<PlannedHop>,
    /// The first `mfa_serial` of the chain: resolving needs a code typed by the user.
    pub mfa_serial: Option<String>,
    /// Why no plan could be made; such a profile is never resolved.
    pub plan_error: Option<String>,
    pub findings: Vec<Finding>,
}

impl ProfileRow {
    /// A row for a profile, from its plan (or the reason there is none) and the lint
    /// findings that name it (others are ignored).
    pub fn new(
        name: &str,
        plan: &Result<Plan, PlanError>,
        region: Option<String>,
        findings: &[Finding],
    ) -> Self {
        let findings = findings
            .iter()
            .filter(|f| f.profile.as_deref() == Some(name))
            .cloned()
            .collect();
        let kind = kind_of(plan);
        match plan {
            Ok(plan) => ProfileRow {
                name: name.to_string(),
                kind,
                region: region.or_else(|| plan.profile_region.clone()),
                account: planned_account(plan),
                chain: planned_hops(plan),
                mfa_serial: plan.hops.iter().find_map(|h| h.mfa_serial.clone()),
                plan_error: None,
                findings,
            },
            Err(e) => ProfileRow {
                name: name.to_string(),
                kind,
                region,
                account: None,
                chain: Vec::new(),
                mfa_serial: None,
                plan_error: Some(e.to_string()),
                findings,
            },
        }
    }

    /// True when the TUI may resolve this profile without asking anything.
    pub fn resolvable_unattended(&self) -> bool {
        self.plan_error.is_none() && self.mfa_serial.is_none()
    }
}

/// Rows for every profile of `set`, in name order.
pub fn profile_rows(set: &ConfigSet, env: &Env, findings: &[Finding]) -> Vec<ProfileRow> {
    set.profiles
        .values()
        .map(|profile| {
            let plan = plan(set, env, &profile.name);
            let region = profile.get("region").map(str::to_string);
            ProfileRow::new(&profile.name, &plan, region, findings)
        })
        .collect()
}

fn planned_hops(plan: &Plan) -> Vec<PlannedHop> {
    let base = PlannedHop {
        profile: plan.base.profile().to_string(),
        label: plan.base.label().to_string(),
        role_arn: match &plan.base {
            BaseSource::WebIdentity { role_arn, .. } => Some(role_arn.clone()),
            _ => None,
        },
        mfa_serial: None,
    };
    std::iter::once(base)
        .chain(plan.hops.iter().map(|hop| PlannedHop {
            profile: hop.profile.clone(),
            label: hop.role_name().to_string(),
            role_arn: Some(hop.role_arn.clone()),
            mfa_serial: hop.mfa_serial.clone(),
        }))
        .collect()
}

fn planned_account(plan: &Plan) -> Option<String> {
    if let Some(hop) = plan.hops.last() {
        return arn_account(&hop.role_arn);
    }
    match &plan.base {
        BaseSource::Sso { account_id, .. } => Some(account_id.clone()),
        BaseSource::WebIdentity { role_arn, .. } => arn_account(role_arn),
        BaseSource::Login { session_arn, .. } => arn_account(session_arn),
        _ => None,
    }
}

/// The account field of an ARN (`arn:aws:iam::123456789012:role/x` -> `123456789012`).
pub fn arn_account(arn: &str) -> Option<String> {
    let account = arn.split(':').nth(4)?;
    (!account.is_empty()).then(|| account.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_from_arn() {
        assert_eq!(
            arn_account("arn:aws:iam::123456789012:role/Admin").as_deref(),
            Some("123456789012")
        );
        assert_eq!(arn_account("not-an-arn"), None);
        assert_eq!(arn_account("arn:aws:iam:::role/x"), None);
    }
}
