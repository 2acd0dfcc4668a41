//! Plans every profile of a [`ConfigSet`] once, following the AWS CLI's (botocore's)
//! rules (see [`super::plan()`]). Each profile's chain is a node pointing at the node of
//! its source, so a chain shared by many profiles is planned once and a deep chain costs
//! one step per profile, not one walk per profile.
//!
//! The walk is a loop, not a recursion, so a chain thousands of profiles deep cannot
//! overflow the stack. "Visited" follows botocore's `_validate_source_profile`: a
//! revisited profile is a loop, except a profile naming itself when it has static keys;
//! a source profile with static keys is used for its keys even if it also has a role.

use super::plan::{BaseSource, RoleHop};
use super::plan_base::{
    continues_as_source, credential_source, has_assume_role_vars, has_static_keys, non_role_source, role_hop,
};
use super::plan_error::PlanError;
use crate::config::{ConfigSet, Profile};
use std::collections::HashMap;

pub(super) type NodeId = usize;

/// Where a chain stands: its own base credentials, or a role assumed on top of an inner
/// chain.
#[derive(Clone, Debug)]
pub(super) enum Step {
    Base(BaseSource),
    Hop { hop: RoleHop, inner: NodeId },
}

#[derive(Clone, Debug)]
pub(super) struct Node {
    pub(super) step: Step,
    /// The profile (index) whose credentials start the chain, and their node.
    pub(super) base_profile: usize,
    base_node: NodeId,
    /// Number of AssumeRole hops.
    pub(super) depth: usize,
    /// The innermost hop that needs an MFA code.
    pub(super) first_mfa: Option<NodeId>,
}

pub(super) type Planned = Result<NodeId, PlanError>;

/// Every profile's plan as a node, memoised. A file the AWS CLI cannot parse is not this
/// level's concern (see [`unparsable`]): lint still checks every chain of such a file.
pub(super) struct Chains {
    index: HashMap<String, usize>,
    names: Vec<String>,
    pub(super) nodes: Vec<Node>,
    top: Vec<Option<Planned>>,
    base: Vec<Option<Planned>>,
}

/// A loop longer than this is shown with its middle left out.
const CYCLE_SHOWN: usize = 12;

impl Chains {
    pub(super) fn new(set: &ConfigSet) -> Self {
        let names: Vec<String> = set.profiles.keys().cloned().collect();
        let index = names.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
        Chains {
            index,
            top: vec![None; names.len()],
            base: vec![None; names.len()],
            names,
            nodes: Vec::new(),
        }
    }

    pub(super) fn index_of(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    pub(super) fn name(&self, index: usize) -> &str {
        &self.names[index]
    }

    fn profile<'s>(&self, set: &'s ConfigSet, index: usize) -> &'s Profile {
        &set.profiles[&self.names[index]]
    }

    /// The plan of profile `start` when it is the one asked for (botocore's full chain).
    pub(super) fn top(&mut self, set: &ConfigSet, start: usize) -> Planned {
        if let Some(done) = &self.top[start] {
            return done.clone();
        }
        let profile = self.profile(set, start);
        if !has_assume_role_vars(profile) {
            let planned = self.base(set, start);
            return self.memo(start, planned);
        }
        self.role_chain(set, start)
    }

    fn memo(&mut self, index: usize, planned: Planned) -> Planned {
        self.top[index] = Some(planned.clone());
        planned
    }

    /// botocore's `_load_creds_via_assume_role`, walked down to the base, then the hops
    /// built back up, each memoised as its profile's plan.
    fn role_chain(&mut self, set: &ConfigSet, start: usize) -> Planned {
        let mut pending: Vec<(usize, RoleHop)> = Vec::new();
        let mut on_path: HashMap<usize, usize> = HashMap::new();
        // Set when the walk came back to `start` as a source that has static keys: then
        // only `start` is in a loop; the profiles on the way resolve through its keys.
        let mut start_only: Option<PlanError> = None;
        let mut cur = start;
        let inner: Planned = loop {
            let p = self.profile(set, cur);
            // The sources first: a bad duration_seconds is a value finding of lint as well,
            // so neither problem hides the other.
            if let Err(e) = one_source(p) {
                break Err(e);
            }
            let (source_profile, source_setting) = (p.get("source_profile"), p.get("credential_source"));
            let hop = match role_hop(p) {
                Ok(hop) => hop,
                Err(e) => break Err(e),
            };
            let Some(source_name) = source_profile else {
                let planned =
                    credential_source(p, source_setting.unwrap_or_default()).map(|b| self.push_base(cur, b));
                on_path.insert(cur, pending.len());
                pending.push((cur, hop));
                break planned;
            };
            let Some(q) = self.index_of(source_name) else {
                break Err(PlanError::MissingSourceProfile {
                    profile: p.name.clone(),
                    source_profile: source_name.to_string(),
                    location: p.location_of("source_profile").clone(),
                });
            };
            on_path.insert(cur, pending.len());
            pending.push((cur, hop));
            let source = self.profile(set, q);
            if let Some(&pos) = on_path.get(&q) {
                if q == cur {
                    if has_static_keys(source) {
                        break self.source_base(set, cur, q);
                    }
                    break Err(PlanError::SelfReferenceWithoutKeys {
                        profile: p.name.clone(),
                        location: p.location_of("source_profile").clone(),
                    });
                }
                let mut names: Vec<&str> = pending[pos..].iter().map(|(i, _)| self.name(*i)).collect();
                names.push(self.name(q));
                let error = cycle_error(p, &names);
                if pos == 0 && has_static_keys(source) {
                    start_only = Some(error);
                    break self.source_base(set, cur, q);
                }
                break Err(error);
            }
            if !continues_as_source(source) {
                break self.source_base(set, cur, q);
            }
            if let Some(done) = self.top[q].clone() {
                if let Ok(node) = done
                    && self.nodes[node].base_profile == start
                {
                    // The memoised chain ends on `start`'s keys: a loop seen from `start`.
                    let mut names: Vec<&str> = pending.iter().map(|(i, _)| self.name(*i)).collect();
                    names.extend(self.chain_names(node).into_iter().map(|i| self.name(i)));
                    start_only = Some(cycle_error(p, &names));
                }
                break done;
            }
            cur = q;
        };
        if pending.last().is_none_or(|(i, _)| *i != cur) {
            // The problem is in `cur`'s own settings.
            self.top[cur] = Some(inner.clone());
        }
        self.build_up(pending, inner, start_only)
    }

    /// The hops of the walk, innermost first, each on the one below and memoised as its
    /// profile's plan; `start_only` replaces the outermost (the requested profile's).
    fn build_up(
        &mut self,
        mut pending: Vec<(usize, RoleHop)>,
        inner: Planned,
        mut start_only: Option<PlanError>,
    ) -> Planned {
        let mut planned = inner;
        while let Some((index, hop)) = pending.pop() {
            planned = planned.map(|inner| self.push_hop(hop, inner));
            if pending.is_empty()
                && let Some(e) = start_only.take()
            {
                planned = Err(e);
            }
            self.top[index] = Some(planned.clone());
        }
        planned
    }

    /// Profile indices from the outermost hop of `node` down to its base.
    fn chain_names(&self, mut node: NodeId) -> Vec<usize> {
        let mut out = Vec::new();
        loop {
            match &self.nodes[node].step {
                Step::Hop { inner, hop } => {
                    if let Some(i) = self.index_of(&hop.profile) {
                        out.push(i);
                    }
                    node = *inner;
                }
                Step::Base(_) => {
                    out.push(self.nodes[node].base_profile);
                    return out;
                }
            }
        }
    }

    /// `source`'s own credentials as the source of `parent` (botocore's
    /// `_resolve_credentials_from_profile`): a source without any is an error, never the
    /// default chain.
    fn source_base(&mut self, set: &ConfigSet, parent: usize, source: usize) -> Planned {
        let node = self.base(set, source)?;
        if let Step::Base(BaseSource::DefaultChain { .. }) = self.nodes[node].step {
            let parent = self.profile(set, parent);
            let source = self.profile(set, source);
            return Err(PlanError::SourceWithoutCredentials {
                profile: parent.name.clone(),
                source_profile: source.name.clone(),
                source_location: source.location.clone(),
                location: parent.location_of("source_profile").clone(),
            });
        }
        Ok(node)
    }

    /// A profile's own credentials when it is not assuming a role, memoised.
    fn base(&mut self, set: &ConfigSet, index: usize) -> Planned {
        if let Some(done) = &self.base[index] {
            return done.clone();
        }
        let planned = non_role_source(set, self.profile(set, index)).map(|b| self.push_base(index, b));
        self.base[index] = Some(planned.clone());
        planned
    }

    fn push_base(&mut self, profile: usize, base: BaseSource) -> NodeId {
        let id = self.nodes.len();
        self.nodes.push(Node {
            step: Step::Base(base),
            base_profile: profile,
            base_node: id,
            depth: 0,
            first_mfa: None,
        });
        id
    }

    fn push_hop(&mut self, hop: RoleHop, inner: NodeId) -> NodeId {
        let id = self.nodes.len();
        let below = &self.nodes[inner];
        let node = Node {
            base_profile: below.base_profile,
            base_node: below.base_node,
            depth: below.depth + 1,
            first_mfa: below.first_mfa.or(hop.mfa_serial.is_some().then_some(id)),
            step: Step::Hop { hop, inner },
        };
        self.nodes.push(node);
        id
    }

    /// The base and the hops (innermost first) of `node`.
    pub(super) fn parts(&self, mut node: NodeId) -> (BaseSource, Vec<RoleHop>) {
        let mut hops = Vec::with_capacity(self.nodes[node].depth);
        loop {
            match &self.nodes[node].step {
                Step::Hop { hop, inner } => {
                    hops.push(hop.clone());
                    node = *inner;
                }
                Step::Base(base) => {
                    hops.reverse();
                    return (base.clone(), hops);
                }
            }
        }
    }

    /// The hop of `node`, if it is one.
    pub(super) fn hop(&self, node: NodeId) -> Option<(&RoleHop, NodeId)> {
        match &self.nodes[node].step {
            Step::Hop { hop, inner } => Some((hop, *inner)),
            Step::Base(_) => None,
        }
    }

    /// The base credentials `node` starts from (one step: each node knows its base's node).
    pub(super) fn base_of(&self, node: NodeId) -> &BaseSource {
        let mut node = self.nodes[node].base_node;
        loop {
            match &self.nodes[node].step {
                Step::Hop { inner, .. } => node = *inner,
                Step::Base(base) => return base,
            }
        }
    }
}

/// botocore: a role needs exactly one of `source_profile` and `credential_source`.
fn one_source(p: &Profile) -> Result<(), PlanError> {
    match (p.get("source_profile"), p.get("credential_source")) {
        (Some(_), Some(_)) => Err(PlanError::BothSources {
            profile: p.name.clone(),
            location: p.location_of("credential_source").clone(),
        }),
        (None, None) => Err(PlanError::NoSource {
            profile: p.name.clone(),
            location: p.location_of("role_arn").clone(),
        }),
        _ => Ok(()),
    }
}

/// Why `profile` cannot be used at all: a line of either file the AWS CLI refuses the
/// whole file for (aws-config refuses it too).
pub(super) fn unparsable(set: &ConfigSet, profile: &str) -> Option<PlanError> {
    set.parse_issues.first().map(|issue| PlanError::Unparsable {
        profile: profile.to_string(),
        message: issue.message.clone(),
        location: issue.location.clone(),
    })
}

/// `a -> b -> a`, with the middle of a long loop left out.
fn cycle_error(closing: &Profile, names: &[&str]) -> PlanError {
    let cycle = if names.len() > CYCLE_SHOWN {
        let half = CYCLE_SHOWN / 2;
        format!(
            "{} -> … ({} more) … -> {}",
            names[..half].join(" -> "),
            names.len() - 2 * half,
            names[names.len() - half..].join(" -> ")
        )
    } else {
        names.join(" -> ")
    };
    PlanError::Cycle {
        profile: closing.name.clone(),
        cycle,
        location: closing.location_of("source_profile").clone(),
    }
}
