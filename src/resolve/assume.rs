//! One AssumeRole hop: check the ARN, then the call — through the on-disk cache, which
//! wraps the call as aws-vault's `CachedSessionProvider` wraps its provider, and with
//! MFA handled by `mfa.rs`.
//!
//! [`Roles`] is the component a run assumes roles with: the cache wrapper, the resolver's
//! MFA state and the environment (for the default session name).

use super::deadline::Deadline;
use super::mfa::{self, Mfa};
use super::outcome::{ErrorKind, HopError, Step};
use super::plan::RoleHop;
use super::session_name;
use crate::cache::{Cache, CacheKey, CachedRole};
use crate::creds::{Credentials, Identity};
use crate::env::Env;
use crate::sts::{AssumeRoleInput, AssumedRole, Sts};
use std::future::Future;
use std::time::SystemTime;

/// What an AssumeRole needs besides the caller and the STS client.
pub(super) struct Roles<'a> {
    pub(super) cache: CachedRoles<'a>,
    pub(super) mfa: &'a Mfa,
    pub(super) env: &'a Env,
}

impl Roles<'_> {
    /// AssumeRole for `hop` as `caller`: the cache's entry when it may be read and one is
    /// valid, else the call (whose answer the cache then keeps).
    pub(super) async fn assume(
        &self,
        sts: &Sts,
        caller: &Step,
        hop: &RoleHop,
        deadline: &Deadline,
    ) -> Result<Step, HopError> {
        check_role_arn(hop)?;
        let call = self.call(sts, &caller.credentials, hop, deadline);
        self.cache.get_or_assume(&cache_key(hop), call).await
    }

    /// The AssumeRole call itself, with an MFA code or session when the hop needs one.
    async fn call(
        &self,
        sts: &Sts,
        caller: &Credentials,
        hop: &RoleHop,
        deadline: &Deadline,
    ) -> Result<AssumedRole, HopError> {
        let session_name = hop
            .session_name
            .clone()
            .unwrap_or_else(|| session_name::default_for_user(&self.env.user_name()));
        let input = AssumeRoleInput {
            role_arn: &hop.role_arn,
            session_name: &session_name,
            external_id: hop.external_id.as_deref(),
            duration_seconds: hop.duration_seconds,
            serial_number: None,
            token_code: None,
        };
        match &hop.mfa_serial {
            Some(serial) => {
                self.mfa
                    .assume_role(sts, caller, &hop.profile, serial, &input, deadline)
                    .await
            }
            None => mfa::call(sts, deadline, caller, &input).await,
        }
    }
}

/// STS would only say "is invalid"; the config check says what is wrong and where.
fn check_role_arn(hop: &RoleHop) -> Result<(), HopError> {
    let Some(problems) = crate::config::arn::check_iam_arn(&hop.role_arn, "role") else {
        return Ok(());
    };
    let suggestion = problems
        .suggestion
        .map(|s| format!("; did you mean '{s}'?"))
        .unwrap_or_default();
    Err(HopError::new(
        ErrorKind::Config,
        None,
        format!(
            "profile '{}': role_arn '{}' {}{suggestion} ({}); not sent to STS",
            hop.profile,
            hop.role_arn,
            problems.problems.join("; "),
            hop.location
        ),
    ))
}

/// The AWS CLI's assume-role cache around an AssumeRole call.
pub(super) struct CachedRoles<'a> {
    pub(super) cache: Option<&'a Cache>,
    /// Whether a valid entry may answer instead of the call (not when retrying after
    /// STS rejected a cached credential).
    pub(super) read: bool,
}

impl CachedRoles<'_> {
    /// Drops the entries of `hops` (STS rejected one of them).
    pub(super) fn evict(&self, hops: &[RoleHop]) {
        if let Some(cache) = self.cache {
            for hop in hops {
                let _ = cache.remove(&cache_key(hop));
            }
        }
    }

    /// The entry under `key` if valid, else `call`'s answer, kept under `key`.
    async fn get_or_assume(
        &self,
        key: &CacheKey,
        call: impl Future<Output = Result<AssumedRole, HopError>>,
    ) -> Result<Step, HopError> {
        if self.read
            && let Some(hit) = self.cache.and_then(|c| c.get(key, SystemTime::now()))
        {
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
        let assumed = call.await?;
        self.keep(key, &assumed);
        Ok(Step {
            credentials: assumed.credentials,
            identity: Some(assumed.identity),
            cached: false,
        })
    }

    fn keep(&self, key: &CacheKey, assumed: &AssumedRole) {
        let (Some(cache), Some(expiration)) = (self.cache, assumed.credentials.expiration) else {
            return;
        };
        let entry = CachedRole {
            credentials: assumed.credentials.clone(),
            assumed_role_arn: assumed.identity.arn.clone(),
            assumed_role_id: assumed.identity.user_id.clone(),
            expiration,
        };
        if let Err(e) = cache.put(key, &entry) {
            crate::text::eprintln(format_args!(
                "rswitch: warning: cannot write the credential cache in {}: {e}",
                cache.dir().display()
            ));
        }
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
