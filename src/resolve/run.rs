//! Runs plans: base credentials, then one AssumeRole per hop; GetCallerIdentity only
//! where no AssumeRole has named the credentials already.
//!
//! Hops shared by several profiles (the same source user, the same first role) are
//! resolved once per [`Resolver`]: each prefix of a chain is memoised, successes and
//! failures alike, so `check --all` over a hundred profiles that share a source makes
//! one call for it.

use super::base::{base_credentials, base_endpoint};
use super::catalog::Catalog;
use super::memo::{ChainKey, Memo, StsKey, sts_key};
use super::outcome::{ErrorKind, Failure, HopError, HopOutcome, HopStatus, Resolution, Resolved, Step};
use super::plan::Plan;

use super::assume::cache_key;
use super::deadline::Deadline;
use super::mfa::Mfa;
use crate::cache::Cache;
use crate::config::ConfigSet;
use crate::creds::Identity;
use crate::env::Env;
use crate::sts::{Sts, StsSettings};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Semaphore;

pub use super::mfa::MfaPrompt;

#[derive(Clone, Debug)]
pub struct ResolverOptions {
    /// Upper bound for one whole resolution (every hop, retries included), and for all
    /// the profiles of one [`Resolver::resolve_many`] together.
    pub timeout: Duration,
    /// How many profiles are resolved at once by [`Resolver::resolve_many`].
    pub concurrency: usize,
    /// The AWS CLI's assume-role cache (shared with `aws`); `None` with `--no-cache`.
    pub cache: Option<Cache>,
}

impl Default for ResolverOptions {
    fn default() -> Self {
        ResolverOptions {
            timeout: Duration::from_secs(5),
            concurrency: 32,
            cache: None,
        }
    }
}

pub struct Resolver {
    pub(super) env: Env,
    pub(super) set: Arc<ConfigSet>,
    /// Every profile planned once, for this resolver's whole life.
    pub(super) catalog: Arc<Catalog>,
    pub(super) options: ResolverOptions,
    pub(super) mfa: Mfa,
    pub(super) clients: Mutex<HashMap<StsKey, Sts>>,
    pub(super) memo: Memo,
}

impl Resolver {
    pub fn new(set: Arc<ConfigSet>, env: Env, options: ResolverOptions) -> Self {
        Self::with_catalog(Arc::new(Catalog::build(set, &env)), options)
    }

    /// A resolver over a catalogue the caller built already (plans are not made again).
    pub(crate) fn with_catalog(catalog: Arc<Catalog>, options: ResolverOptions) -> Self {
        Resolver {
            env: catalog.env().clone(),
            set: catalog.set().clone(),
            catalog,
            mfa: Mfa::new(options.cache.clone()),
            options,
            clients: Mutex::default(),
            memo: Memo::default(),
        }
    }

    pub fn with_mfa_prompt(mut self, prompt: MfaPrompt) -> Self {
        self.mfa.set_prompt(prompt);
        self
    }

    pub(crate) fn config(&self) -> &ConfigSet {
        &self.set
    }

    pub(crate) fn env(&self) -> &Env {
        &self.env
    }

    /// A deadline `--timeout` from now, for a command that resolves and then does more.
    pub(crate) fn deadline(&self) -> Deadline {
        Deadline::after(self.options.timeout)
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// Forgets memoised hops, so the next resolution calls STS again.
    pub fn forget(&self) {
        self.memo.clear();
    }

    /// Forgets what was memoised for `plan`'s chain only (its base, each hop, the final
    /// identity), so that resolving it again calls STS again while other chains keep theirs.
    pub(crate) fn forget_chain(&self, plan: &Plan) {
        let mut key = ChainKey::base(plan);
        let mut keys = vec![key.clone()];
        for hop in &plan.hops {
            key = key.then(hop);
            keys.push(key.clone());
        }
        keys.push(key.whoami());
        self.memo.forget(&keys);
    }

    /// Resolves many profiles, at most `concurrency` at a time, all within one timeout;
    /// results in input order.
    pub async fn resolve_many(self: &Arc<Self>, profiles: Vec<String>) -> Vec<Resolution> {
        let semaphore = Arc::new(Semaphore::new(self.options.concurrency.max(1)));
        let deadline = self.deadline();
        let tasks: Vec<_> = profiles
            .into_iter()
            .map(|profile| {
                let this = self.clone();
                let semaphore = semaphore.clone();
                let deadline = deadline.clone();
                tokio::spawn(async move {
                    let _permit = semaphore.acquire_owned().await;
                    this.resolve_within(&profile, &deadline).await
                })
            })
            .collect();
        let mut out = Vec::with_capacity(tasks.len());
        for task in tasks {
            match task.await {
                Ok(resolution) => out.push(resolution),
                Err(e) => out.push(Resolution {
                    profile: String::new(),
                    chain: Vec::new(),
                    region: None,
                    hops: Vec::new(),
                    outcome: Err(Failure {
                        hop: None,
                        error: HopError::new(ErrorKind::Other, None, format!("internal error: {e}")),
                    }),
                }),
            }
        }
        out
    }

    /// Resolves one profile, hop by hop, within the timeout. Never panics; every failure
    /// is in the result.
    pub async fn resolve(&self, profile: &str) -> Resolution {
        self.resolve_within(profile, &self.deadline()).await
    }

    /// [`Resolver::resolve`] within `deadline`.
    pub(crate) async fn resolve_within(&self, profile: &str, deadline: &Deadline) -> Resolution {
        let plan = match self.catalog.planned(profile) {
            Ok(plan) => plan,
            Err(e) => {
                return Resolution {
                    profile: profile.to_string(),
                    chain: vec![profile.to_string()],
                    region: self
                        .set
                        .profile(profile)
                        .and_then(|p| p.get("region"))
                        .map(str::to_string),
                    hops: Vec::new(),
                    outcome: Err(Failure {
                        hop: None,
                        error: HopError::new(ErrorKind::Config, None, e.to_string()),
                    }),
                };
            }
        };
        self.run_within(&plan, deadline).await
    }

    fn sts(&self, plan: &Plan) -> Sts {
        let key = sts_key(plan);
        let mut clients = match self.clients.lock() {
            Ok(c) => c,
            Err(poisoned) => poisoned.into_inner(),
        };
        clients
            .entry(key)
            .or_insert_with(|| {
                Sts::new(&StsSettings {
                    region: plan.region.clone(),
                    endpoint: plan.sts_endpoint.clone(),
                    use_fips: plan.use_fips,
                    use_dual_stack: plan.use_dual_stack,
                    timeout: self.options.timeout,
                })
            })
            .clone()
    }

    /// Runs a plan within `deadline`. When STS rejects credentials that came from the cache
    /// (revoked or expired early), those entries are evicted and the plan runs once more
    /// without them.
    pub(crate) async fn run_within(&self, plan: &Plan, deadline: &Deadline) -> Resolution {
        // Boxed: the attempt's future is deep, and every command's future holds this one.
        let first = Box::pin(self.run_attempt(plan, true, deadline)).await;
        let rejected_cached = first
            .failure()
            .is_some_and(|f| f.error.kind == ErrorKind::Credentials)
            && first.hops.iter().any(|h| h.cached);
        if !rejected_cached {
            return first;
        }
        if let Some(cache) = &self.options.cache {
            for hop in &plan.hops {
                let _ = cache.remove(&cache_key(hop));
            }
        }
        self.forget();
        Box::pin(self.run_attempt(plan, false, deadline)).await
    }

    /// One pass over the plan: base, each hop, then who the result is.
    async fn run_attempt(&self, plan: &Plan, read_cache: bool, deadline: &Deadline) -> Resolution {
        let sts = self.sts(plan);
        let sts_url = sts.endpoint().ok();
        let mut hops = Vec::with_capacity(plan.hops.len() + 1);
        let mut key = ChainKey::base(plan);
        let base = self.base_step(plan, &sts, &key, deadline).await;
        hops.push(HopOutcome::base(
            plan,
            base_endpoint(plan, &self.env, &sts),
            &base,
        ));
        let mut current = match base {
            Ok(step) => step,
            Err(error) => return failed_at(plan, hops, 0, error),
        };
        for (i, hop) in plan.hops.iter().enumerate() {
            key = key.then(hop);
            let result = self
                .memo
                .cell(&key)
                .get_or_init(|| self.assume(&sts, &current, hop, read_cache, deadline))
                .await
                .clone();
            let result = match result {
                Err(error) => Err(self.name_caller(error, &current, &sts, deadline).await),
                ok => ok,
            };
            hops.push(HopOutcome::role(hop, sts_url.clone(), &result));
            match result {
                Ok(step) => current = step,
                Err(error) => return failed_at(plan, hops, i + 1, error),
            }
        }
        let last = hops.len() - 1;
        match self.identify(&sts, &key, &current, deadline).await {
            Ok(identity) => {
                hops[last].identity.get_or_insert_with(|| identity.clone());
                let expiration = current.credentials.expiration;
                let resolved = Resolved {
                    credentials: current.credentials,
                    identity,
                    expiration,
                };
                finish(plan, hops, Ok(resolved))
            }
            Err(error) => {
                hops[last].status = HopStatus::Failed;
                hops[last].error = Some(error.clone());
                finish(
                    plan,
                    hops,
                    Err(Failure {
                        hop: Some(last),
                        error,
                    }),
                )
            }
        }
    }

    /// The base credentials of `plan`, once per resolver.
    async fn base_step(
        &self,
        plan: &Plan,
        sts: &Sts,
        key: &ChainKey,
        deadline: &Deadline,
    ) -> Result<Step, HopError> {
        let fetch = || async {
            let what = format!("the {} credential source", plan.base.label());
            let fetch = base_credentials(plan, &self.env, sts, deadline.remaining());
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

    /// A refused hop's error with the caller's ARN, asked for if not known yet (within
    /// the same deadline: after a timeout, none is left to ask).
    async fn name_caller(
        &self,
        mut error: HopError,
        caller: &Step,
        sts: &Sts,
        deadline: &Deadline,
    ) -> HopError {
        if error.caller_arn.is_none() {
            error.caller_arn = match &caller.identity {
                Some(identity) => Some(identity.arn.clone()),
                None if error.kind == ErrorKind::Timeout || deadline.passed() => None,
                None => deadline
                    .bound(sts.caller_identity(&caller.credentials))
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
    async fn identify(
        &self,
        sts: &Sts,
        key: &ChainKey,
        current: &Step,
        deadline: &Deadline,
    ) -> Result<Identity, HopError> {
        if let Some(identity) = &current.identity {
            return Ok(identity.clone());
        }
        let credentials = &current.credentials;
        let ask = || async {
            let call = sts.caller_identity(credentials);
            deadline.step("STS", call).await.map(|identity| Step {
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
