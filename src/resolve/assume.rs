//! One AssumeRole hop: the on-disk cache first, then the call itself, with MFA handled
//! the way that asks the user least (one GetSessionToken session per user and device).

use super::deadline::Deadline;
use super::outcome::{ErrorKind, HopError, Step};
use super::plan::RoleHop;
use super::run::Resolver;
use super::session_name;
use crate::cache::{CacheKey, CachedRole, CachedSession, MfaKey};
use crate::creds::{Credentials, Identity};
use crate::sts::{AssumeRoleInput, Sts};
use std::time::SystemTime;

impl Resolver {
    pub(super) async fn assume(
        &self,
        sts: &Sts,
        caller: &Step,
        hop: &RoleHop,
        read_cache: bool,
        deadline: &Deadline,
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
                    "profile '{}': role_arn '{}' {}{suggestion} ({}); not sent to STS",
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
        let input = |token_code| role_input(hop, &session_name, token_code);
        let assumed = match &hop.mfa_serial {
            // A long-term user: one MFA-authenticated session serves every role that
            // shares this user and device, so the code is typed once, not per role.
            Some(serial) if caller.credentials.session_token.is_none() => {
                let user = &caller.credentials;
                let (session, reused) = self
                    .mfa_session(sts, user, &hop.profile, serial, deadline)
                    .await?;
                match assume_role(sts, deadline, &session, &input(None)).await {
                    // A session kept from earlier that STS no longer accepts (revoked, or
                    // the user's keys rotated): drop it and ask for a fresh code once.
                    Err(e) if reused && e.kind == ErrorKind::Credentials => {
                        self.forget_mfa_session(user, serial).await;
                        let (session, _) = self
                            .mfa_session(sts, user, &hop.profile, serial, deadline)
                            .await?;
                        assume_role(sts, deadline, &session, &input(None)).await?
                    }
                    other => other?,
                }
            }
            Some(serial) => {
                let code = deadline.paused(self.mfa_code(&hop.profile, serial)).await?;
                assume_role(sts, deadline, &caller.credentials, &input(Some(&code))).await?
            }
            None => assume_role(sts, deadline, &caller.credentials, &input(None)).await?,
        };
        if let (Some(cache), Some(expiration)) = (cache, assumed.credentials.expiration) {
            let entry = CachedRole {
                credentials: assumed.credentials.clone(),
                assumed_role_arn: assumed.identity.arn.clone(),
                assumed_role_id: assumed.identity.user_id.clone(),
                expiration,
            };
            if let Err(e) = cache.put(&key, &entry) {
                crate::text::eprintln(format_args!(
                    "rswitch: warning: cannot write the credential cache in {}: {e}",
                    cache.dir().display()
                ));
            }
        }
        Ok(Step {
            credentials: assumed.credentials,
            identity: Some(assumed.identity),
            cached: false,
        })
    }

    /// An MFA-authenticated GetSessionToken session for a long-term user, from memory or
    /// the cache when one is still valid (then `true`: kept from earlier), else fresh.
    async fn mfa_session(
        &self,
        sts: &Sts,
        user: &Credentials,
        profile: &str,
        serial: &str,
        deadline: &Deadline,
    ) -> Result<(Credentials, bool), HopError> {
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
            return Ok((session.clone(), true));
        }
        if let Some(hit) = cache.and_then(|c| c.get_mfa_session(&key, now)) {
            sessions.insert(key, hit.credentials.clone());
            return Ok((hit.credentials, true));
        }
        let code = deadline.paused(self.mfa_code(profile, serial)).await?;
        let session = deadline
            .step("STS", sts.session_token(user, serial, &code, None))
            .await?;
        if let (Some(cache), Some(expiration)) = (cache, session.expiration) {
            let entry = CachedSession {
                credentials: session.clone(),
                expiration,
            };
            if let Err(e) = cache.put_mfa_session(&key, &entry) {
                crate::text::eprintln(format_args!(
                    "rswitch: warning: cannot write the MFA session cache in {}: {e}",
                    cache.dir().display()
                ));
            }
        }
        sessions.insert(key, session.clone());
        Ok((session, false))
    }

    /// Forgets a kept MFA session, in memory and on disk.
    async fn forget_mfa_session(&self, user: &Credentials, serial: &str) {
        let key = MfaKey::new(&user.access_key_id, serial, None);
        let mut sessions = self.mfa_sessions.lock().await;
        sessions.remove(&key);
        if let Some(cache) = &self.options.cache {
            let _ = cache.remove_mfa_session(&key);
        }
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

/// One AssumeRole call within `deadline`.
async fn assume_role(
    sts: &Sts,
    deadline: &Deadline,
    creds: &Credentials,
    input: &AssumeRoleInput<'_>,
) -> Result<crate::sts::AssumedRole, HopError> {
    deadline.step("STS", sts.assume_role(creds, input)).await
}

fn role_input<'a>(
    hop: &'a RoleHop,
    session_name: &'a str,
    token_code: Option<&'a str>,
) -> AssumeRoleInput<'a> {
    AssumeRoleInput {
        role_arn: &hop.role_arn,
        session_name,
        external_id: hop.external_id.as_deref(),
        duration_seconds: hop.duration_seconds,
        serial_number: token_code.and(hop.mfa_serial.as_deref()),
        token_code,
    }
}
