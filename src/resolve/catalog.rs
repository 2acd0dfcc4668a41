//! The catalogue: every profile of a run planned once, with its lint findings. `list`,
//! `lint`, `check`, the TUI (rows and resolver), `cache clear`, the doctor and resolution
//! all read it, so a profile's problem is found by one set of rules and reported in the
//! same words everywhere.
//!
//! Findings of the chain rules are the plans' own errors ([`PlanError::code`]); the
//! syntax and value rules of `config::lint` are added, and a value problem the plan also
//! found is kept once. Building is linear in the size of the configuration: each profile
//! is planned once on top of its source's plan, and findings are indexed by profile.

use super::plan::{self, Plan, PlanError};
use super::planner::{Chains, Planned, unparsable};
use super::row::ProfileRow;
use crate::config::lint::{Finding, Severity};
use crate::config::{ConfigSet, lint};
use crate::env::Env;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub struct Catalog {
    set: Arc<ConfigSet>,
    env: Env,
    chains: Chains,
    /// Each profile's plan, by profile index (name order).
    planned: Vec<Planned>,
    findings: Vec<Finding>,
    /// Indices into `findings`, by profile name.
    by_profile: HashMap<String, Vec<usize>>,
}

impl Catalog {
    pub fn build(set: Arc<ConfigSet>, env: &Env) -> Catalog {
        let mut chains = Chains::new(&set);
        let mut planned: Vec<Planned> = (0..set.profiles.len()).map(|i| chains.top(&set, i)).collect();
        // Lint checks every chain even when a file has a line the AWS CLI cannot parse;
        // resolution refuses every profile of such a file.
        let findings = findings(&set, &planned);
        for (i, name) in set.profiles.keys().enumerate() {
            if let Some(e) = unparsable(&set, name) {
                planned[i] = Err(e);
            }
        }
        let mut by_profile: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, f) in findings.iter().enumerate() {
            if let Some(p) = &f.profile {
                by_profile.entry(p.clone()).or_default().push(i);
            }
        }
        Catalog {
            set,
            env: env.clone(),
            chains,
            planned,
            findings,
            by_profile,
        }
    }

    pub(crate) fn set(&self) -> &Arc<ConfigSet> {
        &self.set
    }

    pub(crate) fn env(&self) -> &Env {
        &self.env
    }

    /// The plan of `name`, or why there is none.
    pub fn planned(&self, name: &str) -> Result<Plan, PlanError> {
        let index = self
            .chains
            .index_of(name)
            .ok_or_else(|| plan::not_found(&self.set, name))?;
        let node = self.planned[index].clone()?;
        let (base, hops) = self.chains.parts(node);
        plan::assemble(&self.set, &self.env, name, base, hops)
    }

    /// The first MFA device the chain of `name` asks a code for.
    pub(crate) fn mfa_serial(&self, name: &str) -> Option<String> {
        let node = self.node(name)?;
        let first = self.chains.nodes[node].first_mfa?;
        self.chains.hop(first).and_then(|(hop, _)| hop.mfa_serial.clone())
    }

    pub fn needs_mfa(&self, name: &str) -> bool {
        self.mfa_serial(name).is_some()
    }

    /// Every finding, sorted by file, line and code.
    pub(crate) fn findings(&self) -> &[Finding] {
        &self.findings
    }

    /// The findings that name `profile`.
    pub(crate) fn findings_of<'s>(&'s self, profile: &str) -> impl Iterator<Item = &'s Finding> + 's {
        self.by_profile
            .get(profile)
            .into_iter()
            .flatten()
            .map(|&i| &self.findings[i])
    }

    /// Findings of no existing profile: whole files, ignored sections.
    pub(crate) fn file_findings(&self) -> Vec<Finding> {
        self.findings
            .iter()
            .filter(|f| f.profile.as_ref().is_none_or(|p| self.set.profile(p).is_none()))
            .cloned()
            .collect()
    }

    /// One row per profile, in name order: what `list` and the TUI show before resolution.
    pub fn rows(&self) -> Vec<ProfileRow> {
        self.set
            .profiles
            .values()
            .enumerate()
            .map(|(i, profile)| ProfileRow::new(self, profile, self.planned[i].as_ref().ok().copied(), i))
            .collect()
    }

    /// The planning error of profile `index`, if any.
    pub(super) fn error_at(&self, index: usize) -> Option<&PlanError> {
        self.planned[index].as_ref().err()
    }

    pub(super) fn chains(&self) -> &Chains {
        &self.chains
    }

    fn node(&self, name: &str) -> Option<usize> {
        let index = self.chains.index_of(name)?;
        self.planned[index].as_ref().ok().copied()
    }
}

/// A plan error as a lint finding: the same words, the place in its own column.
pub(crate) fn finding_of(error: &PlanError) -> Option<Finding> {
    Some(Finding {
        severity: Severity::Error,
        code: error.code(),
        profile: Some(error.profile().to_string()),
        location: error.location()?.clone(),
        message: error.message(),
    })
}

/// The config's syntax and value findings, plus each distinct plan error once; a value
/// problem the plan found too is kept in the plan's words.
fn findings(set: &ConfigSet, planned: &[Planned]) -> Vec<Finding> {
    let mut seen = HashSet::new();
    let mut from_plans = Vec::new();
    for error in planned.iter().filter_map(|p| p.as_ref().err()) {
        if error.is_file_level() {
            continue;
        }
        if let Some(f) = finding_of(error)
            && seen.insert((f.code, f.location.clone(), f.profile.clone()))
        {
            from_plans.push(f);
        }
    }
    let mut all: Vec<Finding> = lint::lint(set)
        .into_iter()
        .filter(|f| !seen.contains(&(f.code, f.location.clone(), f.profile.clone())))
        .collect();
    all.extend(from_plans);
    lint::sort(&mut all);
    all
}

/// Every finding for `set`, chain rules included (`rswitch lint`).
pub fn lint(set: Arc<ConfigSet>, env: &Env) -> Vec<Finding> {
    Catalog::build(set, env).findings
}
