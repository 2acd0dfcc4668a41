//! [`Resolver`]: the state behind every resolution — the catalogue of plans, the options,
//! the MFA state, the STS clients and the memo — and the only file that touches it.
//!
//! The other files of `resolve/` are components it hands what they need: a pass over a
//! plan is a [`Run`] (run.rs), an AssumeRole goes through [`Roles`] and the cache wrapper
//! [`CachedRoles`] (assume.rs), MFA through [`Mfa`] (mfa.rs), and the memo and the clients
//! live in memo.rs.
//!
//! Hops shared by several profiles (the same source user, the same first role) are
//! resolved once per [`Resolver`]: each prefix of a chain is memoised, successes and
//! failures alike, so `check --all` over a hundred profiles that share a source makes
//! one call for it.

use super::assume::{CachedRoles, Roles};
use super::catalog::Catalog;
use super::deadline::Deadline;
use super::memo::{Memo, StsClients};
use super::mfa::{Mfa, MfaPrompt};
use super::outcome::{ErrorKind, Failure, HopError, Resolution, Resolved};
use super::plan::Plan;
use super::run::Run;
use crate::config::ConfigSet;
use crate::env::Env;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

#[derive(Clone, Debug)]
pub struct ResolverOptions {
    /// Upper bound for one whole resolution (every hop, retries included), and for all
    /// the profiles of one [`Resolver::resolve_many`] together.
    pub timeout: Duration,
    /// How many profiles are resolved at once by [`Resolver::resolve_many`].
    pub concurrency: usize,
    /// The AWS CLI's assume-role cache (shared with `aws`); `None` with `--no-cache`.
    pub cache: Option<crate::cache::Cache>,
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
    /// Every profile planned once, for this resolver's whole life (with the config and
    /// the environment they were planned from).
    catalog: Arc<Catalog>,
    options: ResolverOptions,
    mfa: Mfa,
    clients: StsClients,
    memo: Memo,
}

impl Resolver {
    pub fn new(set: Arc<ConfigSet>, env: Env, options: ResolverOptions) -> Self {
        Self::with_catalog(Arc::new(Catalog::build(set, &env)), options)
    }

    /// A resolver over a catalogue the caller built already (plans are not made again).
    pub(crate) fn with_catalog(catalog: Arc<Catalog>, options: ResolverOptions) -> Self {
        Resolver {
            catalog,
            mfa: Mfa::new(options.cache.clone()),
            options,
            clients: StsClients::default(),
            memo: Memo::default(),
        }
    }

    pub fn with_mfa_prompt(mut self, prompt: MfaPrompt) -> Self {
        self.mfa.set_prompt(prompt);
        self
    }

    pub(crate) fn config(&self) -> &ConfigSet {
        self.catalog.set()
    }

    pub(crate) fn env(&self) -> &Env {
        self.catalog.env()
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
        self.memo.forget_chain(plan);
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
                        .config()
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

    /// Runs a plan within `deadline`. When STS rejects credentials that came from the cache
    /// (revoked or expired early), those entries are evicted and the plan runs once more
    /// without them.
    pub(crate) async fn run_within(&self, plan: &Plan, deadline: &Deadline) -> Resolution {
        // Boxed: the attempt's future is deep, and every command's future holds this one.
        let first = Box::pin(self.run(plan, true, deadline).attempt()).await;
        let rejected_cached = first
            .failure()
            .is_some_and(|f| f.error.kind == ErrorKind::Credentials)
            && first.hops.iter().any(|h| h.cached);
        if !rejected_cached {
            return first;
        }
        self.cached_roles(true).evict(&plan.hops);
        self.forget();
        Box::pin(self.run(plan, false, deadline).attempt()).await
    }

    /// The credentials, and who they are, that call hop `hop_index` of `plan`'s resolution
    /// (as in [`Resolution::hops`]: 1 is the first role; 0 and 1 both give the base),
    /// within `deadline`. Everything before that hop comes from the memo when `plan` was
    /// run already, so nothing is assumed twice.
    pub(crate) async fn caller_of(
        &self,
        plan: &Plan,
        hop_index: usize,
        deadline: &Deadline,
    ) -> Result<Resolved, HopError> {
        Box::pin(self.run(plan, true, deadline).caller_of(hop_index)).await
    }

    /// A pass over `plan` with this resolver's parts; `read_cache`: whether valid cache
    /// entries may answer instead of AssumeRole.
    fn run<'a>(&'a self, plan: &'a Plan, read_cache: bool, deadline: &'a Deadline) -> Run<'a> {
        Run {
            plan,
            env: self.env(),
            sts: self.clients.of(plan, self.options.timeout),
            memo: &self.memo,
            roles: Roles {
                cache: self.cached_roles(read_cache),
                mfa: &self.mfa,
                env: self.env(),
            },
            deadline,
        }
    }

    fn cached_roles(&self, read: bool) -> CachedRoles<'_> {
        CachedRoles {
            cache: self.options.cache.as_ref(),
            read,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_caller_of_a_hop_comes_from_the_memo() {
        let demo = crate::fake_aws::start().await.expect("demo starts");
        let set = Arc::new(crate::config::load(&demo.env).expect("demo config"));
        let resolver = Resolver::new(set, demo.env.clone(), ResolverOptions::default());
        let plan = resolver.catalog().planned("prod-deploy").expect("plans");
        let resolution = resolver.resolve("prod-deploy").await;
        assert_eq!(resolution.status(), crate::resolve::Status::Ok);
        let sts = demo.sts();
        assert_eq!(sts.calls("AssumeRole"), 2);

        // Deploy (hop 2) is called by prod's role session, assumed already.
        let deadline = resolver.deadline();
        let caller = resolver.caller_of(&plan, 2, &deadline).await.expect("caller");
        assert_eq!(Some(&caller.identity), resolution.hops[1].identity.as_ref());
        assert_eq!(sts.calls("AssumeRole"), 2);

        // SwitchToRole (hop 1) is called by alice's keys, named once by GetCallerIdentity.
        let user = resolver.caller_of(&plan, 1, &deadline).await.expect("caller");
        assert!(
            user.identity.arn.ends_with(":user/alice"),
            "{}",
            user.identity.arn
        );
        let again = resolver.caller_of(&plan, 1, &deadline).await.expect("caller");
        assert_eq!(again, user);
        assert_eq!(sts.calls("GetCallerIdentity"), 1);
        assert_eq!(sts.calls("AssumeRole"), 2);
    }
}
