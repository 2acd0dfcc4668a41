//! [`ResolveProfile`] over the real [`Resolver`]: the MFA code typed in the TUI's prompt
//! is handed to the resolver's MFA callback, which must never read the terminal itself
//! while the TUI owns it. After a resolution it looks up the account's IAM alias in the
//! background ([`crate::sso::aliases`]), once per account, caller and run.

use super::effect::ResolveProfile;
use crate::config::ConfigSet;
use crate::env::Env;
use crate::resolve::outcome::Resolution;
use crate::resolve::{Catalog, MfaPrompt, Resolver, ResolverOptions};
use crate::sso::aliases;
use crate::sso::names::AccountNames;
use futures::future::BoxFuture;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Codes typed in the TUI, by MFA device (the resolver asks per device, and the hop that
/// asks may be a source profile rather than the one selected).
type Codes = Arc<Mutex<HashMap<String, String>>>;

pub struct TuiResolver {
    resolver: Arc<Resolver>,
    codes: Codes,
    /// Profiles asked for before: asking again (`r`, `R`) means "call STS again".
    seen: Mutex<HashSet<String>>,
    /// Account and caller pairs that asked for the alias already (once per run).
    aliases_asked: Mutex<HashSet<String>>,
}

impl TuiResolver {
    /// A resolver whose MFA callback answers with the code given to
    /// [`ResolveProfile::resolve`], and otherwise fails with a hint to press `r`.
    pub fn new(set: Arc<ConfigSet>, env: Env, options: ResolverOptions) -> Self {
        Self::with_catalog(Arc::new(Catalog::build(set, &env)), options)
    }

    /// The same over a catalogue the caller built already.
    pub fn with_catalog(catalog: Arc<Catalog>, options: ResolverOptions) -> Self {
        let codes = Codes::default();
        let lookup = codes.clone();
        let prompt: MfaPrompt = Arc::new(move |_profile, serial| {
            let code = lookup.lock().ok().and_then(|c| c.get(&serial).cloned());
            Box::pin(
                async move { code.ok_or_else(|| "no code given; press r on the profile to type one".into()) },
            )
        });
        TuiResolver {
            resolver: Arc::new(Resolver::with_catalog(catalog, options).with_mfa_prompt(prompt)),
            codes,
            seen: Mutex::default(),
            aliases_asked: Mutex::default(),
        }
    }

    fn serial_of(&self, profile: &str) -> Option<String> {
        self.resolver.catalog().mfa_serial(profile)
    }
}

impl ResolveProfile for TuiResolver {
    fn resolve(&self, profile: String, mfa_code: Option<String>) -> BoxFuture<'static, Resolution> {
        let resolver = self.resolver.clone();
        let codes = self.codes.clone();
        let serial = mfa_code.as_ref().and_then(|_| self.serial_of(&profile));
        let retry = self
            .seen
            .lock()
            .map(|mut s| !s.insert(profile.clone()))
            .unwrap_or(true);
        if let (Some(serial), Some(code), Ok(mut codes)) = (&serial, mfa_code, codes.lock()) {
            codes.insert(serial.clone(), code);
        }
        // The resolver memoises every hop, failures included, so that profiles sharing a
        // source make one call at start. A retry or a new MFA code must not get the old
        // answer back.
        if retry || serial.is_some() {
            resolver.forget();
        }
        Box::pin(async move {
            let resolution = resolver.resolve(&profile).await;
            // A code is good once; never keep it around.
            if let (Some(serial), Ok(mut codes)) = (serial, codes.lock()) {
                codes.remove(&serial);
            }
            resolution
        })
    }

    fn account_names(&self, resolution: &Resolution) -> Option<BoxFuture<'static, Option<AccountNames>>> {
        let mut asks = aliases::wanted(&self.resolver, &[resolution]);
        if let Ok(mut asked) = self.aliases_asked.lock() {
            asks.retain(|a| asked.insert(format!("{} {}", a.account, a.caller)));
        }
        if asks.is_empty() {
            return None;
        }
        let env = self.resolver.env().clone();
        let deadline = self.resolver.deadline();
        Some(Box::pin(async move {
            aliases::look_up(&env, asks, &deadline)
                .await
                .then(|| AccountNames::load(&env))
        }))
    }
}
