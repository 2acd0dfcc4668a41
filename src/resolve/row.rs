//! A profile as `list` and the TUI show it before resolution: name, kind, region, planned
//! chain, MFA needs, and its problems, each once. Built from the [`Catalog`]; pure.

use super::catalog::{Catalog, finding_of};
use super::plan::BaseSource;
use super::planner::NodeId;
use crate::config::lint::Finding;
use crate::config::{Location, Profile};

/// Hops shown of a longer chain: the base, then the last ones before the profile.
pub(crate) const CHAIN_SHOWN: usize = 8;

/// One planned step of a chain, as the details pane lists it before (or without) a result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlannedHop {
    pub profile: String,
    /// `static`, `sso`, … for the base; the role's name for an AssumeRole hop.
    pub label: String,
    pub role_arn: Option<String>,
    pub mfa_serial: Option<String>,
}

/// A profile before resolution.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileRow {
    pub name: String,
    /// `role`, `static`, `sso`, `process`, … or `invalid` when no plan could be made.
    pub kind: String,
    /// The base's kind (`static`, `sso`, …); `None` when no plan could be made.
    pub source: Option<&'static str>,
    /// The profile's own `region` setting.
    pub region: Option<String>,
    /// The account the profile's credentials belong to, when the configuration says
    /// (the last role ARN or the SSO account); replaced by the live identity once known.
    pub account: Option<String>,
    /// Where the profile's section starts.
    pub location: Location,
    /// The base, then the hops; of a chain longer than [`CHAIN_SHOWN`] hops, the base and
    /// the last hops only.
    pub chain: Vec<PlannedHop>,
    /// Hops left out between the base and the rest of `chain`.
    pub chain_elided: usize,
    /// The first `mfa_serial` of the chain: resolving needs a code typed by the user.
    pub mfa_serial: Option<String>,
    /// Why no plan could be made, as a finding line (`error[code] file:line: …`); such a
    /// profile is never resolved.
    pub plan_error: Option<String>,
    /// The profile's other findings (the plan error is not repeated here).
    pub findings: Vec<Finding>,
}

impl ProfileRow {
    pub(super) fn new(catalog: &Catalog, profile: &Profile, node: Option<NodeId>, index: usize) -> Self {
        let error = catalog.error_at(index);
        let error_finding = error.and_then(finding_of);
        let findings: Vec<Finding> = catalog
            .findings_of(&profile.name)
            .filter(|f| error_finding.as_ref() != Some(*f))
            .cloned()
            .collect();
        let mut row = ProfileRow {
            name: profile.name.clone(),
            kind: "invalid".into(),
            region: profile.get("region").map(str::to_string),
            location: profile.location.clone(),
            plan_error: error.map(|e| match &error_finding {
                Some(f) => f.line(),
                None => e.to_string(),
            }),
            findings,
            ..ProfileRow::default()
        };
        if let Some(node) = node {
            row.fill_chain(catalog, node);
        }
        row
    }

    fn fill_chain(&mut self, catalog: &Catalog, top: NodeId) {
        let chains = catalog.chains();
        let depth = chains.nodes[top].depth;
        let base = chains.base_of(top);
        let mut hops = Vec::new();
        let mut node = top;
        while let Some((hop, inner)) = chains.hop(node)
            && hops.len() < CHAIN_SHOWN
        {
            hops.push(PlannedHop {
                profile: hop.profile.clone(),
                label: hop.role_name().to_string(),
                role_arn: Some(hop.role_arn.clone()),
                mfa_serial: hop.mfa_serial.clone(),
            });
            node = inner;
        }
        self.chain_elided = depth - hops.len();
        self.kind = if depth == 0 { base.label() } else { "role" }.to_string();
        self.source = Some(base.label());
        let account_of = |arn: &str| crate::arn::account_of(arn).map(str::to_string);
        self.account = match (hops.first(), base) {
            (Some(hop), _) => hop.role_arn.as_deref().and_then(account_of),
            (None, BaseSource::Sso { account_id, .. }) => Some(account_id.clone()),
            (None, BaseSource::WebIdentity { role_arn, .. }) => account_of(role_arn),
            (None, BaseSource::Login { session_arn, .. }) => account_of(session_arn),
            _ => None,
        };
        self.mfa_serial = catalog.mfa_serial(&self.name);
        hops.push(PlannedHop {
            profile: base.profile().to_string(),
            label: base.label().to_string(),
            role_arn: match base {
                BaseSource::WebIdentity { role_arn, .. } => Some(role_arn.clone()),
                _ => None,
            },
            mfa_serial: None,
        });
        hops.reverse();
        self.chain = hops;
    }

    /// True when the TUI may resolve this profile without asking anything.
    pub fn resolvable_unattended(&self) -> bool {
        self.plan_error.is_none() && self.mfa_serial.is_none()
    }

    /// Profile names from the base to this profile without repeats, a long chain's middle
    /// left out: `alice -> … (3 more) … -> x -> prod`.
    pub fn chain_text(&self) -> String {
        let names = self.chain_names();
        if self.chain_elided == 0 || names.len() < 2 {
            return names.join(" -> ");
        }
        format!(
            "{} -> … ({} more) … -> {}",
            names[0],
            self.chain_elided,
            names[1..].join(" -> ")
        )
    }

    /// The names of `chain` without consecutive repeats (a profile that is its own source).
    pub(crate) fn chain_names(&self) -> Vec<String> {
        if self.chain.is_empty() {
            return vec![self.name.clone()];
        }
        let mut names: Vec<String> = Vec::with_capacity(self.chain.len());
        for hop in &self.chain {
            if names.last() != Some(&hop.profile) {
                names.push(hop.profile.clone());
            }
        }
        names
    }
}
