//! [`ResolveProfile`] over the real [`Resolver`]: the MFA code typed in the TUI's prompt
//! is handed to the resolver's MFA callback, which must never read the terminal itself
//! while the TUI owns it. It also looks up an account's IAM alias ([`crate::sso::aliases`])
//! when asked to; which accounts were asked already is the TUI state's to know.
//!
//! The code travels with the call that carries it: the resolution runs inside a task-local
//! scope holding it, and the callback (which runs inside that call) reads it from there.
//! Nothing is stored between calls, so a code is good for one resolution only.

use super::effect::{MfaCode, ResolveProfile};
use crate::config::ConfigSet;
use crate::env::Env;
use crate::resolve::outcome::Resolution;
use crate::resolve::{Catalog, MfaPrompt, Resolver, ResolverOptions};
use crate::sso::aliases;
use crate::sso::names::AccountNames;
use futures::future::BoxFuture;
use std::sync::Arc;

tokio::task_local! {
    /// The code typed for the resolution running in this task, if any.
    static TYPED: Option<MfaCode>;
}

pub struct TuiResolver {
    resolver: Arc<Resolver>,
}

impl TuiResolver {
    /// A resolver whose MFA callback answers with the code given to
    /// [`ResolveProfile::resolve`], and otherwise fails with a hint to press `r`.
    pub fn new(set: Arc<ConfigSet>, env: Env, options: ResolverOptions) -> Self {
        Self::with_catalog(Arc::new(Catalog::build(set, &env)), options)
    }

    /// The same over a catalogue the caller built already.
    pub(crate) fn with_catalog(catalog: Arc<Catalog>, options: ResolverOptions) -> Self {
        // The resolver asks per device, and the hop that asks may be a source profile
        // rather than the one selected: the code answers only for its own device.
        let prompt: MfaPrompt = Arc::new(|_profile, serial| {
            let code = TYPED
                .try_with(|typed| {
                    typed
                        .as_ref()
                        .filter(|m| m.serial == serial)
                        .map(|m| m.code.expose().to_string())
                })
                .ok()
                .flatten();
            Box::pin(
                async move { code.ok_or_else(|| "no code given; press r on the profile to type one".into()) },
            )
        });
        TuiResolver {
            resolver: Arc::new(Resolver::with_catalog(catalog, options).with_mfa_prompt(prompt)),
        }
    }
}

impl ResolveProfile for TuiResolver {
    fn resolve(&self, profile: String, mfa: Option<MfaCode>, again: bool) -> BoxFuture<'static, Resolution> {
        let resolver = self.resolver.clone();
        // The resolver memoises every hop, failures included, so that profiles sharing a
        // source make one call at start. A retry or a new MFA code must not get the old
        // answer back; other profiles keep theirs.
        if (again || mfa.is_some())
            && let Ok(plan) = resolver.catalog().planned(&profile)
        {
            resolver.forget_chain(&plan);
        }
        Box::pin(TYPED.scope(mfa, async move { resolver.resolve(&profile).await }))
    }

    fn account_names(&self, resolution: Resolution) -> Option<BoxFuture<'static, Option<AccountNames>>> {
        let resolver = self.resolver.clone();
        // Reading what is known (files) happens in the task too, off the loop.
        Some(Box::pin(async move {
            let asks = aliases::wanted(&resolver, &[&resolution]);
            if asks.is_empty() {
                return None;
            }
            let env = resolver.env();
            aliases::look_up(env, asks, &resolver.deadline())
                .await
                .then(|| AccountNames::load(env))
        }))
    }
}
