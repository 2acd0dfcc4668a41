//! Runs plans: base credentials, then one AssumeRole per hop, then GetCallerIdentity.
//!
//! Hops shared by several profiles (the same source user, the same first role) are
//! resolved once per [`Resolver`]: each prefix of a chain is memoised, successes and
//! failures alike, so `check --all` over a hundred profiles that share a source makes
//! one call for it.

use super::base::base_credentials;
use super::outcome::{ErrorKind, Failure, HopError, HopKind, HopOutcome, HopStatus, Resolution, Resolved};
use super::plan::{Plan, RoleHop, plan};
use super::session_name;
use crate::cache::{Cache, CacheKey, CachedRole, CachedSession, MfaKey};
use crate::config::ConfigSet;
use crate::creds::{Credentials, Identity};
use crate::env::Env;
use crate::sts::{AssumeRoleInput, Sts, StsSettings};
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::{OnceCell, Semaphore};

/// Asks the user for an MFA code: `(profile, mfa_serial) -> code`.
pub type MfaPrompt = Arc<dyn Fn(String, String) -> BoxFuture<'static, Result<String, String>> + Send + Sync>;

#[derive(Clone, Debug)]
pub struct ResolverOptions {
    /// Upper bound for each network step (one STS call with its retries, or one provider).
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
struct Step {
    credentials: Credentials,
    identity: Option<Identity>,
    cached: bool,
}

/// (region, endpoint) of an STS client.
type StsKey = (Option<String>, Option<String>);
type Memo = Arc<OnceCell<Result<Step, HopError>>>;

pub struct Resolver {
    env: Env,
    set: Arc<ConfigSet>,
    options: ResolverOptions,
    mfa: Option<MfaPrompt>,
    clients: Mutex<HashMap<StsKey, Sts>>,
    memo: Mutex<HashMap<String, Memo>>,
    /// One MFA prompt at a time on the terminal.
    mfa_lock: tokio::sync::Mutex<()>,
    /// One GetSessionToken at a time, so profiles sharing a device share one session;
    /// the sessions this resolver obtained, so that holds without the disk cache too.
    mfa_sessions: tokio::sync::Mutex<HashMap<MfaKey, Credentials>>,
}

impl Resolver {
    pub fn new(set: Arc<ConfigSet>, env: Env, options: ResolverOptions) -> Self {
        Resolver {
            env,
            set,
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

    /// Forgets memoised hops, so the next resolution calls STS again.
    pub fn forget(&self) {
        if let Ok(mut memo) = self.memo.lock() {
            memo.clear();
        }
    }

    /// Resolves many profiles, at most `concurrency` at a time; results in input order.
    pub async fn resolve_many(self: &Arc<Self>, profiles: Vec<String>) -> Vec<Resolution> {
        let semaphore = Arc::new(Semaphore::new(self.options.concurrency.max(1)));
        let tasks: Vec<_> = profiles
            .into_iter()
            .map(|profile| {
                let this = self.clone();
                let semaphore = semaphore.clone();
                tokio::spawn(async move {
                    let _permit = semaphore.acquire_owned().await;
                    this.resolve(&profile).await
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

    /// Resolves one profile, hop by hop. Never panics; every failure is in the result.
    pub async fn resolve(&self, profile: &str) -> Resolution {
        let plan = match plan(&self.set, &self.env, profile) {
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
        self.run(&plan).await
    }

    fn sts(&self, plan: &Plan) -> Sts {
        let key = (plan.region.clone(), plan.sts_endpoint.clone());
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
        let first = self.run_attempt(plan, true).await;
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
        self.run_attempt(plan, false).await
    }

    async fn run_attempt(&self, plan: &Plan, read_cache: bool) -> Resolution {
        let sts = self.sts(plan);
        let mut key = format!(
            "{:?}|{:?}|base:{}",
            plan.region,
            plan.sts_endpoint,
            plan.base.profile()
        );
        let mut hops = Vec::with_capacity(plan.hops.len() + 1);
        let base_profile = plan.base.profile().to_string();

        let base = self
            .memo(&key)
            .get_or_init(|| async {
                base_credentials(
                    &plan.base,
                    &self.env,
                    plan.region.as_deref(),
                    self.options.timeout,
                )
                .await
                .map(|credentials| Step {
                    credentials,
                    identity: None,
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
            key.push_str(&format!(
                "|role:{}:{:?}:{:?}:{:?}:{:?}",
                hop.role_arn, hop.session_name, hop.external_id, hop.duration_seconds, hop.mfa_serial
            ));
            let caller = current.clone();
            let result = self
                .memo(&key)
                .get_or_init(|| self.assume(&sts, &caller, hop, read_cache))
                .await
                .clone();
            match result {
                Ok(step) => {
                    hops.push(HopOutcome {
                        profile: hop.profile.clone(),
                        kind: HopKind::AssumeRole,
                        source: None,
                        role_arn: Some(hop.role_arn.clone()),
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
                        error.caller_arn = match &current.identity {
                            Some(identity) => Some(identity.arn.clone()),
                            None => sts
                                .caller_identity(&current.credentials)
                                .await
                                .ok()
                                .map(|i| i.arn),
                        };
                    }
                    hops.push(HopOutcome {
                        profile: hop.profile.clone(),
                        kind: HopKind::AssumeRole,
                        source: None,
                        role_arn: Some(hop.role_arn.clone()),
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

        // Credentials straight from the cache, with the identity recorded there, cost no
        // call at all (what makes a warm `export` instant); anything else is proven to
        // work, and named, by GetCallerIdentity.
        if current.cached
            && let Some(identity) = current.identity.clone()
        {
            let expiration = current.credentials.expiration;
            return finish(
                plan,
                hops,
                Ok(Resolved {
                    credentials: current.credentials,
                    identity,
                    expiration,
                }),
            );
        }
        key.push_str("|whoami");
        let final_creds = current.credentials.clone();
        let identity = self
            .memo(&key)
            .get_or_init(|| async {
                sts.caller_identity(&final_creds).await.map(|identity| Step {
                    credentials: final_creds.clone(),
                    identity: Some(identity),
                    cached: false,
                })
            })
            .await
            .clone();
        match identity {
            Ok(Step {
                identity: Some(identity),
                ..
            }) => {
                if let Some(last) = hops.last_mut()
                    && last.identity.is_none()
                {
                    last.identity = Some(identity.clone());
                }
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
            Ok(_) => {
                let error = HopError::new(ErrorKind::Other, None, "GetCallerIdentity returned no identity");
                let last = hops.len() - 1;
                finish(
                    plan,
                    hops,
                    Err(Failure {
                        hop: Some(last),
                        error,
                    }),
                )
            }
            Err(error) => {
                let last = hops.len() - 1;
                if let Some(hop) = hops.last_mut() {
                    hop.status = HopStatus::Failed;
                    hop.error = Some(error.clone());
                }
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

    async fn assume(
        &self,
        sts: &Sts,
        caller: &Step,
        hop: &RoleHop,
        read_cache: bool,
    ) -> Result<Step, HopError> {
        // STS would only say "is invalid"; the config check says what is wrong and where.
        if let Some(problems) = crate::config::arn::check_iam_arn(&hop.role_arn, "role") {
            let suggestion = problems
                .suggestion
                .map(|s| format!("; did you mean '{s}'?"))
                .unwrap_or_default();
            return Err(HopError::new(
                ErrorKind::Config,
                None,
                format!(
                    "profile '{}': role_arn '{}' is malformed: {}{suggestion} ({}); not sent to STS",
                    hop.profile,
                    hop.role_arn,
                    problems.problems.join("; "),
                    hop.location
                ),
            ));
        }
        let key = cache_key(hop);
        let cache = self.options.cache.as_ref();
        if read_cache && let Some(hit) = cache.and_then(|c| c.get(&key, SystemTime::now())) {
            return Ok(Step {
                identity: Some(Identity {
                    account: hit.account_id().unwrap_or_default().to_string(),
                    arn: hit.assumed_role_arn.clone(),
                    user_id: hit.assumed_role_id.clone(),
                }),
                credentials: hit.credentials,
                cached: true,
            });
        }
        let session_name = hop
            .session_name
            .clone()
            .unwrap_or_else(|| session_name::default_for_user(&self.env.user_name()));
        let mut calling = caller.credentials.clone();
        let mut token_code = None;
        if let Some(serial) = &hop.mfa_serial {
            if calling.session_token.is_none() {
                // A long-term user: one MFA-authenticated session serves every role that
                // shares this user and device, so the code is typed once, not per role.
                calling = self.mfa_session(sts, &calling, &hop.profile, serial).await?;
            } else {
                token_code = Some(self.mfa_code(&hop.profile, serial).await?);
            }
        }
        let assumed = sts
            .assume_role(
                &calling,
                &AssumeRoleInput {
                    role_arn: &hop.role_arn,
                    session_name: &session_name,
                    external_id: hop.external_id.as_deref(),
                    duration_seconds: hop.duration_seconds,
                    serial_number: token_code.as_ref().and(hop.mfa_serial.as_deref()),
                    token_code: token_code.as_deref(),
                },
            )
            .await?;
        if let (Some(cache), Some(expiration)) = (cache, assumed.credentials.expiration) {
            let entry = CachedRole {
                credentials: assumed.credentials.clone(),
                assumed_role_arn: assumed.identity.arn.clone(),
                assumed_role_id: assumed.identity.user_id.clone(),
                expiration,
            };
            if let Err(e) = cache.put(&key, &entry) {
                eprintln!(
                    "rswitch: warning: cannot write the credential cache in {}: {e}",
                    cache.dir().display()
                );
            }
        }
        Ok(Step {
            credentials: assumed.credentials,
            identity: Some(assumed.identity),
            cached: false,
        })
    }

    /// An MFA-authenticated GetSessionToken session for a long-term user, from the cache
    /// when one is still valid.
    async fn mfa_session(
        &self,
        sts: &Sts,
        user: &Credentials,
        profile: &str,
        serial: &str,
    ) -> Result<Credentials, HopError> {
        let key = MfaKey::new(&user.access_key_id, serial, None);
        let cache = self.options.cache.as_ref();
        // Several profiles may reach this point together: ask once.
        let mut sessions = self.mfa_sessions.lock().await;
        let now = SystemTime::now();
        if let Some(session) = sessions.get(&key)
            && session
                .expiration
                .is_none_or(|e| e >= now + crate::cache::EXPIRY_WINDOW)
        {
            return Ok(session.clone());
        }
        if let Some(hit) = cache.and_then(|c| c.get_mfa_session(&key, now)) {
            return Ok(hit.credentials);
        }
        let code = self.mfa_code(profile, serial).await?;
        let session = sts.session_token(user, serial, &code, None).await?;
        if let (Some(cache), Some(expiration)) = (cache, session.expiration) {
            let entry = CachedSession {
                credentials: session.clone(),
                expiration,
            };
            if let Err(e) = cache.put_mfa_session(&key, &entry) {
                eprintln!(
                    "rswitch: warning: cannot write the MFA session cache in {}: {e}",
                    cache.dir().display()
                );
            }
        }
        sessions.insert(key, session.clone());
        Ok(session)
    }

    async fn mfa_code(&self, profile: &str, serial: &str) -> Result<String, HopError> {
        let Some(prompt) = &self.mfa else {
            return Err(HopError::new(
                ErrorKind::Config,
                None,
                format!(
                    "profile '{profile}' needs an MFA code for {serial}, but no terminal is available to ask for it"
                ),
            ));
        };
        let _one_at_a_time = self.mfa_lock.lock().await;
        prompt(profile.to_string(), serial.to_string())
            .await
            .map_err(|e| HopError::new(ErrorKind::Config, None, format!("MFA code for {serial}: {e}")))
    }
}

/// The AWS CLI's cache key for a hop: configured values only, never a generated name.
pub fn cache_key(hop: &RoleHop) -> CacheKey {
    CacheKey::for_role(
        &hop.role_arn,
        hop.session_name.as_deref(),
        hop.external_id.as_deref(),
        hop.mfa_serial.as_deref(),
        hop.duration_seconds.map(i64::from),
    )
}

fn skip_rest(hops: &mut Vec<HopOutcome>, rest: &[RoleHop]) {
    hops.extend(rest.iter().map(|hop| HopOutcome {
        profile: hop.profile.clone(),
        kind: HopKind::AssumeRole,
        source: None,
        role_arn: Some(hop.role_arn.clone()),
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

/// Seconds left before `expiration`, if any.
pub fn remaining(expiration: Option<SystemTime>, now: SystemTime) -> Option<Duration> {
    expiration.map(|e| e.duration_since(now).unwrap_or_default())
}
