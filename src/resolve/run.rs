//! One pass over a plan: base credentials, then one AssumeRole per hop; GetCallerIdentity
//! only where no AssumeRole has named the credentials already.
//!
//! [`Run`] is a component the [`Resolver`](super::Resolver) puts together for each pass
//! from what it owns: the STS client for the plan's settings, the memo, and the role
//! calls (cache and MFA). Every step goes through the memo, so a hop shared by several
//! profiles is asked once per resolver, successes and failures alike.

use super::assume::Roles;
use super::base::{base_credentials, base_endpoint};
use super::deadline::Deadline;
use super::memo::{ChainKey, Memo};
use super::outcome::{ErrorKind, Failure, HopError, HopOutcome, HopStatus, Resolution, Resolved, Step};
use super::plan::{Plan, RoleHop};
use crate::creds::Identity;
use crate::env::Env;
use crate::sts::Sts;

/// What one pass over `plan` needs, borrowed from the resolver.
pub(super) struct Run<'a> {
    pub(super) plan: &'a Plan,
    pub(super) env: &'a Env,
    pub(super) sts: Sts,
    pub(super) memo: &'a Memo,
    pub(super) roles: Roles<'a>,
    pub(super) deadline: &'a Deadline,
}

/// Where a walk along the chain stopped: the prefix and its credentials at the end, or
/// the index of the hop that failed (0 = the base) and why.
type Reached = Result<(ChainKey, Step), (usize, HopError)>;

impl Run<'_> {
    /// The whole plan: base, each hop, then who the result is.
    pub(super) async fn attempt(self) -> Resolution {
        let (mut hops, reached) = self.walk(self.plan.hops.len()).await;
        let (key, current) = match reached {
            Ok(end) => end,
            Err((at, error)) => return failed_at(self.plan, hops, at, error),
        };
        let last = hops.len() - 1;
        match self.identify(&key, &current).await {
            Ok(identity) => {
                hops[last].identity.get_or_insert_with(|| identity.clone());
                let expiration = current.credentials.expiration;
                let resolved = Resolved {
                    credentials: current.credentials,
                    identity,
                    expiration,
                };
                finish(self.plan, hops, Ok(resolved))
            }
            Err(error) => {
                hops[last].status = HopStatus::Failed;
                hops[last].error = Some(error.clone());
                let failure = Failure {
                    hop: Some(last),
                    error,
                };
                finish(self.plan, hops, Err(failure))
            }
        }
    }

    /// The credentials, and who they are, that call hop `hop_index` of the resolution
    /// (1 is the first role; 0 and 1 both give the base): the chain before that hop,
    /// walked through the memo, so what was asked already is not asked again.
    pub(super) async fn caller_of(self, hop_index: usize) -> Result<Resolved, HopError> {
        let through = hop_index.saturating_sub(1).min(self.plan.hops.len());
        let (_, reached) = self.walk(through).await;
        let (key, current) = reached.map_err(|(_, error)| error)?;
        let identity = self.identify(&key, &current).await?;
        Ok(Resolved {
            expiration: current.credentials.expiration,
            credentials: current.credentials,
            identity,
        })
    }

    /// The base, then the first `through` hops, each once per resolver: what each hop
    /// gave, and where the walk stopped.
    async fn walk(&self, through: usize) -> (Vec<HopOutcome>, Reached) {
        let sts_url = self.sts.endpoint().ok();
        let mut hops = Vec::with_capacity(through + 1);
        let mut key = ChainKey::base(self.plan);
        let base = self.base_step(&key).await;
        let endpoint = base_endpoint(self.plan, self.env, &self.sts);
        hops.push(HopOutcome::base(self.plan, endpoint, &base));
        let mut current = match base {
            Ok(step) => step,
            Err(error) => return (hops, Err((0, error))),
        };
        for (i, hop) in self.plan.hops[..through].iter().enumerate() {
            key = key.then(hop);
            let result = self.role_step(&key, &current, hop).await;
            hops.push(HopOutcome::role(hop, sts_url.clone(), &result));
            match result {
                Ok(step) => current = step,
                Err(error) => return (hops, Err((i + 1, error))),
            }
        }
        (hops, Ok((key, current)))
    }

    /// The base credentials of the plan, once per resolver.
    async fn base_step(&self, key: &ChainKey) -> Result<Step, HopError> {
        let (plan, deadline) = (self.plan, self.deadline);
        let fetch = || async {
            let what = format!("the {} credential source", plan.base.label());
            let fetch = base_credentials(plan, self.env, &self.sts, deadline.remaining());
            deadline
                .step(&what, fetch)
                .await
                .map(|(credentials, identity)| Step {
                    credentials,
                    identity,
                    cached: false,
                })
        };
        self.memo.cell(key).get_or_init(fetch).await.clone()
    }

    /// `hop` assumed as `caller` (the prefix `key`), once per resolver; a refusal names
    /// the caller.
    async fn role_step(&self, key: &ChainKey, caller: &Step, hop: &RoleHop) -> Result<Step, HopError> {
        let assume = || self.roles.assume(&self.sts, caller, hop, self.deadline);
        match self.memo.cell(key).get_or_init(assume).await.clone() {
            Err(error) => Err(self.name_caller(error, caller).await),
            ok => ok,
        }
    }

    /// A refused hop's error with the caller's ARN, asked for if not known yet (within
    /// the same deadline: after a timeout, none is left to ask).
    async fn name_caller(&self, mut error: HopError, caller: &Step) -> HopError {
        if error.caller_arn.is_none() {
            let deadline = self.deadline;
            error.caller_arn = match &caller.identity {
                Some(identity) => Some(identity.arn.clone()),
                None if error.kind == ErrorKind::Timeout || deadline.passed() => None,
                None => deadline
                    .bound(self.sts.caller_identity(&caller.credentials))
                    .await
                    .and_then(Result::ok)
                    .map(|i| i.arn),
            };
        }
        error
    }

    /// Who the credentials at the end of the chain `key` are.
    ///
    /// After an AssumeRole (made now or read from the cache) the identity is already
    /// known from AssumedRoleUser — the same ARN, user id and account GetCallerIdentity
    /// would return — so no further call is made: a warm `export` costs no call at all,
    /// a cold one only its AssumeRoles. Base credentials (keys, IMDS, process, SSO) are
    /// named, and proven to work, by GetCallerIdentity (once per resolver).
    async fn identify(&self, key: &ChainKey, current: &Step) -> Result<Identity, HopError> {
        if let Some(identity) = &current.identity {
            return Ok(identity.clone());
        }
        let credentials = &current.credentials;
        let ask = || async {
            let call = self.sts.caller_identity(credentials);
            self.deadline.step("STS", call).await.map(|identity| Step {
                credentials: credentials.clone(),
                identity: Some(identity),
                cached: false,
            })
        };
        let answer = self.memo.cell(&key.whoami()).get_or_init(ask).await.clone()?;
        answer
            .identity
            .ok_or_else(|| HopError::new(ErrorKind::Other, None, "GetCallerIdentity returned no identity"))
    }
}

/// The resolution that stopped at hop `at` (0 = the base) with `error`; the hops after
/// it are recorded as skipped.
fn failed_at(plan: &Plan, mut hops: Vec<HopOutcome>, at: usize, error: HopError) -> Resolution {
    hops.extend(plan.hops[at..].iter().map(HopOutcome::skipped));
    finish(plan, hops, Err(Failure { hop: Some(at), error }))
}

fn finish(plan: &Plan, hops: Vec<HopOutcome>, outcome: Result<Resolved, Failure>) -> Resolution {
    Resolution {
        profile: plan.profile.clone(),
        chain: plan.chain_names(),
        region: plan.profile_region.clone(),
        hops,
        outcome,
    }
}
