//! Runs plans: base credentials, then one AssumeRole per hop; GetCallerIdentity only
//! where no AssumeRole has named the credentials already.
//!
//! Hops shared by several profiles (the same source user, the same first role) are
//! resolved once per [`Resolver`]: each prefix of a chain is memoised, successes and
//! failures alike, so `check --all` over a hundred profiles that share a source makes
//! one call for it.

use super::base::{base_credentials, base_endpoint};
use super::catalog::Catalog;
use super::outcome::{ErrorKind, Failure, HopError, HopKind, HopOutcome, HopStatus, Resolution, Resolved};
use super::plan::{Plan, RoleHop};

use super::assume::cache_key;
use super::deadline::Deadline;
use crate::cache::{Cache, MfaKey};
use crate::config::ConfigSet;
use crate::creds::{Credentials, Identity};
use crate::env::Env;
use crate::sts::{Sts, StsSettings};
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::{OnceCell, Semaphore};

/// Asks the user for an MFA code: `(profile, mfa_serial) -> code`.
pub type MfaPrompt = Arc<dyn Fn(String, String) -> BoxFuture<'static, Result<String, String>> + Send + Sync>;

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

/// Credentials at some point of a chain and who they are (if known).
#[derive(Clone, Debug)]
pub(super) struct Step {
    pub(super) credentials: Credentials,
    pub(super) identity: Option<Identity>,
    pub(super) cached: bool,
}

/// (region, endpoint, FIPS, dual-stack) of an STS client.
type StsKey = (Option<String>, Option<String>, bool, bool);
type Memo = Arc<OnceCell<Result<Step, HopError>>>;

pub struct Resolver {
    pub(super) env: Env,
    pub(super) set: Arc<ConfigSet>,
    /// Every profile planned once, for this resolver's whole life.
    pub(super) catalog: Arc<Catalog>,
    pub(super) options: ResolverOptions,
    pub(super) mfa: Option<MfaPrompt>,
    pub(super) clients: Mutex<HashMap<StsKey, Sts>>,
    pub(super) memo: Mutex<HashMap<String, Memo>>,
    /// One MFA prompt at a time on the terminal.
    pub(super) mfa_lock: tokio::sync::Mutex<()>,
    /// One GetSessionToken at a time, so profiles sharing a device share one session;
    /// the sessions this resolver obtained, so that holds without the disk cache too.
    pub(super) mfa_sessions: tokio::sync::Mutex<HashMap<MfaKey, Credentials>>,
}

impl Resolver {
    pub fn new(set: Arc<ConfigSet>, env: Env, options: ResolverOptions) -> Self {
        Self::with_catalog(Arc::new(Catalog::build(set, &env)), options)
    }

    /// A resolver over a catalogue the caller built already (plans are not made again).
    pub fn with_catalog(catalog: Arc<Catalog>, options: ResolverOptions) -> Self {
        Resolver {
            env: catalog.env().clone(),
            set: catalog.set().clone(),
            catalog,
            options,
            mfa: None,
            clients: Mutex::default(),
            memo: Mutex::default(),
            mfa_lock: tokio::sync::Mutex::new(()),
            mfa_sessions: tokio::sync::Mutex::default(),
        }
    }

    pub fn with_mfa_prompt(mut self, prompt: MfaPrompt) -> Self {
        self.mfa = Some(prompt);
        self
    }

    pub fn config(&self) -> &ConfigSet {
        &self.set
    }

    pub fn env(&self) -> &Env {
        &self.env
    }

    /// A deadline `--timeout` from now, for a command that resolves and then does more.
    pub fn deadline(&self) -> Deadline {
        Deadline::after(self.options.timeout)
    }

    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// Forgets memoised hops, so the next resolution calls STS again.
    pub fn forget(&self) {
        if let Ok(mut memo) = self.memo.lock() {
            memo.clear();
        }
    }

    /// Forgets what was memoised for `plan`'s chain only (its base, each hop, the final
    /// identity), so that resolving it again calls STS again while other chains keep theirs.
    pub fn forget_chain(&self, plan: &Plan) {
        let mut key = base_key(plan);
        let mut keys = vec![key.clone()];
        for hop in &plan.hops {
            key.push_str(&hop_key(hop));
            keys.push(key.clone());
        }
        keys.push(format!("{key}|whoami"));
        let mut memo = match self.memo.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        for key in &keys {
            memo.remove(key);
        }
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
    pub async fn resolve_within(&self, profile: &str, deadline: &Deadline) -> Resolution {
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
        let key = (
            plan.region.clone(),
            plan.sts_endpoint.clone(),
            plan.use_fips,
            plan.use_dual_stack,
        );
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

    fn memo(&self, key: &str) -> Memo {
        let mut memo = match self.memo.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        memo.entry(key.to_string()).or_default().clone()
    }

    /// Runs a plan. When STS rejects credentials that came from the cache (revoked or
    /// expired early), those entries are evicted and the plan runs once more without them.
    pub async fn run(&self, plan: &Plan) -> Resolution {
        self.run_within(plan, &self.deadline()).await
    }

    /// [`Resolver::run`] within `deadline`.
    pub async fn run_within(&self, plan: &Plan, deadline: &Deadline) -> Resolution {
        let first = self.run_attempt(plan, true, deadline).await;
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
        self.run_attempt(plan, false, deadline).await
    }

    async fn run_attempt(&self, plan: &Plan, read_cache: bool, deadline: &Deadline) -> Resolution {
        let sts = self.sts(plan);
        let mut key = base_key(plan);
        let sts_url = sts.endpoint().ok();
        let base_url = base_endpoint(plan, &self.env, &sts);
        let mut hops = Vec::with_capacity(plan.hops.len() + 1);
        let base_profile = plan.base.profile().to_string();

        let base = self
            .memo(&key)
            .get_or_init(|| async {
                let what = format!("the {} credential source", plan.base.label());
                let fetch = base_credentials(plan, &self.env, &sts, deadline.remaining());
                deadline
                    .step(&what, fetch)
                    .await
                    .map(|(credentials, identity)| Step {
                        credentials,
                        identity,
                        cached: false,
                    })
            })
            .await
            .clone();
        let mut current = match base {
            Ok(step) => {
                hops.push(HopOutcome {
                    profile: base_profile,
                    kind: HopKind::Base,
                    source: Some(plan.base.label()),
                    role_arn: None,
                    endpoint: base_url.clone(),
                    status: HopStatus::Ok,
                    cached: step.cached,
                    identity: step.identity.clone(),
                    expiration: step.credentials.expiration,
                    error: None,
                });
                step
            }
            Err(error) => {
                hops.push(HopOutcome {
                    profile: base_profile,
                    kind: HopKind::Base,
                    source: Some(plan.base.label()),
                    role_arn: None,
                    endpoint: base_url.clone(),
                    status: HopStatus::Failed,
                    cached: false,
                    identity: None,
                    expiration: None,
                    error: Some(error.clone()),
                });
                skip_rest(&mut hops, &plan.hops);
                return finish(plan, hops, Err(Failure { hop: Some(0), error }));
            }
        };

        for (i, hop) in plan.hops.iter().enumerate() {
            key.push_str(&hop_key(hop));
            let caller = current.clone();
            let result = self
                .memo(&key)
                .get_or_init(|| self.assume(&sts, &caller, hop, read_cache, deadline))
                .await
                .clone();
            match result {
                Ok(step) => {
                    hops.push(HopOutcome {
                        profile: hop.profile.clone(),
                        kind: HopKind::AssumeRole,
                        source: None,
                        role_arn: Some(hop.role_arn.clone()),
                        endpoint: if step.cached { None } else { sts_url.clone() },
                        status: HopStatus::Ok,
                        cached: step.cached,
                        identity: step.identity.clone(),
                        expiration: step.credentials.expiration,
                        error: None,
                    });
                    current = step;
                }
                Err(mut error) => {
                    if error.caller_arn.is_none() {
                        // Within the same deadline: after a timeout, none is left to ask.
                        error.caller_arn = match &current.identity {
                            Some(identity) => Some(identity.arn.clone()),
                            None if error.kind == ErrorKind::Timeout || deadline.passed() => None,
                            None => deadline
                                .bound(sts.caller_identity(&current.credentials))
                                .await
                                .and_then(Result::ok)
                                .map(|i| i.arn),
                        };
                    }
                    hops.push(HopOutcome {
                        profile: hop.profile.clone(),
                        kind: HopKind::AssumeRole,
                        source: None,
                        role_arn: Some(hop.role_arn.clone()),
                        endpoint: sts_url.clone(),
                        status: HopStatus::Failed,
                        cached: false,
                        identity: None,
                        expiration: None,
                        error: Some(error.clone()),
                    });
                    skip_rest(&mut hops, &plan.hops[i + 1..]);
                    return finish(
                        plan,
                        hops,
                        Err(Failure {
                            hop: Some(i + 1),
                            error,
                        }),
                    );
                }
            }
        }

        // After an AssumeRole (made now or read from the cache) the identity is already
        // known from AssumedRoleUser — the same ARN, user id and account GetCallerIdentity
        // would return — so no further call is made: a warm `export` costs no call at all,
        // a cold one only its AssumeRoles. Base credentials (keys, IMDS, process, SSO) are
        // named, and proven to work, by GetCallerIdentity.
        let identity = match current.identity.clone() {
            Some(identity) => identity,
            None => {
                key.push_str("|whoami");
                let final_creds = current.credentials.clone();
                let answer = self
                    .memo(&key)
                    .get_or_init(|| async {
                        let call = sts.caller_identity(&final_creds);
                        deadline.step("STS", call).await.map(|identity| Step {
                            credentials: final_creds.clone(),
                            identity: Some(identity),
                            cached: false,
                        })
                    })
                    .await
                    .clone()
                    .and_then(|step| {
                        step.identity.ok_or_else(|| {
                            HopError::new(ErrorKind::Other, None, "GetCallerIdentity returned no identity")
                        })
                    });
                let last = hops.len() - 1;
                match answer {
                    Ok(identity) => {
                        hops[last].identity.get_or_insert_with(|| identity.clone());
                        identity
                    }
                    Err(error) => {
                        hops[last].status = HopStatus::Failed;
                        hops[last].error = Some(error.clone());
                        let failure = Failure {
                            hop: Some(last),
                            error,
                        };
                        return finish(plan, hops, Err(failure));
                    }
                }
            }
        };
        let expiration = current.credentials.expiration;
        finish(
            plan,
            hops,
            Ok(Resolved {
                credentials: current.credentials,
                identity,
                expiration,
            }),
        )
    }
}

fn skip_rest(hops: &mut Vec<HopOutcome>, rest: &[RoleHop]) {
    hops.extend(rest.iter().map(|hop| HopOutcome {
        profile: hop.profile.clone(),
        kind: HopKind::AssumeRole,
        source: None,
        role_arn: Some(hop.role_arn.clone()),
        endpoint: None,
        status: HopStatus::Skipped,
        cached: false,
        identity: None,
        expiration: None,
        error: None,
    }));
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

/// The memo key of a chain's base: what makes two chains share their first step.
fn base_key(plan: &Plan) -> String {
    format!(
        "{:?}|{:?}|{}|{}|base:{}",
        plan.region,
        plan.sts_endpoint,
        plan.use_fips,
        plan.use_dual_stack,
        plan.base.profile()
    )
}

/// What one role hop appends to the memo key of the chain below it.
fn hop_key(hop: &RoleHop) -> String {
    format!(
        "|role:{}:{:?}:{:?}:{:?}:{:?}",
        hop.role_arn, hop.session_name, hop.external_id, hop.duration_seconds, hop.mfa_serial
    )
}

/// Seconds left before `expiration`, if any.
pub fn remaining(expiration: Option<SystemTime>, now: SystemTime) -> Option<Duration> {
    expiration.map(|e| e.duration_since(now).unwrap_or_default())
}
