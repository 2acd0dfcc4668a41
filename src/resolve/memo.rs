//! What a [`Resolver`](super::Resolver) makes once: an STS client per set of client
//! settings, and the memo of chain prefixes. Every prefix of a chain — the STS client's
//! settings, the base profile, the roles so far, and whether the caller was named — is
//! resolved once per resolver, successes and failures alike.

use super::outcome::{HopError, Step};
use super::plan::{Plan, RoleHop};
use crate::sts::{Sts, StsSettings};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::OnceCell;

/// (region, endpoint, FIPS, dual-stack) of an STS client.
type StsKey = (Option<String>, Option<String>, bool, bool);

fn sts_key(plan: &Plan) -> StsKey {
    (
        plan.region.clone(),
        plan.sts_endpoint.clone(),
        plan.use_fips,
        plan.use_dual_stack,
    )
}

/// One STS client per set of settings, made on first use.
#[derive(Default)]
pub(super) struct StsClients(Mutex<HashMap<StsKey, Sts>>);

impl StsClients {
    /// The client for `plan`'s STS settings, each call bounded by `timeout`.
    pub(super) fn of(&self, plan: &Plan, timeout: Duration) -> Sts {
        let mut clients = self.0.lock().unwrap_or_else(|p| p.into_inner());
        clients
            .entry(sts_key(plan))
            .or_insert_with(|| {
                Sts::new(&StsSettings {
                    region: plan.region.clone(),
                    endpoint: plan.sts_endpoint.clone(),
                    use_fips: plan.use_fips,
                    use_dual_stack: plan.use_dual_stack,
                    timeout,
                })
            })
            .clone()
    }
}

/// One prefix of a chain, as it decides the credentials at its end.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct ChainKey {
    sts: StsKey,
    base: String,
    roles: Vec<RoleKey>,
    /// GetCallerIdentity on the credentials at the end of `roles`.
    whoami: bool,
}

/// What of a hop decides its AssumeRole call.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct RoleKey {
    role_arn: String,
    session_name: Option<String>,
    external_id: Option<String>,
    duration_seconds: Option<i32>,
    mfa_serial: Option<String>,
}

impl ChainKey {
    /// The base credentials of `plan`.
    pub(super) fn base(plan: &Plan) -> Self {
        ChainKey {
            sts: sts_key(plan),
            base: plan.base.profile().to_string(),
            roles: Vec::new(),
            whoami: false,
        }
    }

    /// This prefix followed by `hop`.
    pub(super) fn then(&self, hop: &RoleHop) -> Self {
        let mut next = self.clone();
        next.roles.push(RoleKey {
            role_arn: hop.role_arn.clone(),
            session_name: hop.session_name.clone(),
            external_id: hop.external_id.clone(),
            duration_seconds: hop.duration_seconds,
            mfa_serial: hop.mfa_serial.clone(),
        });
        next
    }

    /// Who the credentials at the end of this prefix are.
    pub(super) fn whoami(&self) -> Self {
        ChainKey {
            whoami: true,
            ..self.clone()
        }
    }
}

pub(super) type Cell = Arc<OnceCell<Result<Step, HopError>>>;

/// The memo: one cell per chain prefix, filled once.
#[derive(Default)]
pub(super) struct Memo(Mutex<HashMap<ChainKey, Cell>>);

impl Memo {
    pub(super) fn cell(&self, key: &ChainKey) -> Cell {
        let mut memo = self.0.lock().unwrap_or_else(|p| p.into_inner());
        memo.entry(key.clone()).or_default().clone()
    }

    pub(super) fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Forgets what was kept for `plan`'s chain only: its base, each hop, the final
    /// identity.
    pub(super) fn forget_chain(&self, plan: &Plan) {
        let mut key = ChainKey::base(plan);
        let mut keys = vec![key.clone()];
        for hop in &plan.hops {
            key = key.then(hop);
            keys.push(key.clone());
        }
        keys.push(key.whoami());
        let mut memo = self.0.lock().unwrap_or_else(|p| p.into_inner());
        for key in &keys {
            memo.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::plan::BaseSource;

    fn hop(arn: &str) -> RoleHop {
        RoleHop {
            profile: "p".into(),
            role_arn: arn.into(),
            session_name: None,
            external_id: None,
            duration_seconds: None,
            mfa_serial: None,
            location: Default::default(),
        }
    }

    #[test]
    fn prefixes_differ_by_every_part() {
        let plan = Plan {
            profile: "p".into(),
            base: BaseSource::Environment {
                profile: "alice".into(),
            },
            hops: Vec::new(),
            region: None,
            profile_region: None,
            sts_endpoint: None,
            imds_endpoint: None,
            use_fips: false,
            use_dual_stack: false,
        };
        let base = ChainKey::base(&plan);
        let one = base.then(&hop("arn:aws:iam::1:role/A"));
        assert_ne!(base, one);
        assert_ne!(one, one.whoami());
        assert_ne!(one, base.then(&hop("arn:aws:iam::1:role/B")));
        assert_eq!(one, base.then(&hop("arn:aws:iam::1:role/A")));
        let mut other = plan.clone();
        other.use_fips = true;
        assert_ne!(base, ChainKey::base(&other));
    }
}
