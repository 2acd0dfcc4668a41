//! MFA for AssumeRole, the way that asks the user least: the prompt one at a time on the
//! terminal, and for a long-term user one GetSessionToken session per user and device,
//! kept in memory and in the cache, so that one code serves every role behind it.

use super::deadline::Deadline;
use super::outcome::{ErrorKind, HopError};
use crate::cache::{Cache, CachedSession, MfaKey};
use crate::creds::Credentials;
use crate::sts::{AssumeRoleInput, AssumedRole, Sts};
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::SystemTime;
use tokio::sync::Mutex;

/// Asks the user for an MFA code: `(profile, mfa_serial) -> code`.
pub type MfaPrompt = Arc<dyn Fn(String, String) -> BoxFuture<'static, Result<String, String>> + Send + Sync>;

/// A resolver's MFA state: the prompt and the sessions it obtained.
pub(super) struct Mfa {
    prompt: Option<MfaPrompt>,
    cache: Option<Cache>,
    /// One MFA prompt at a time on the terminal.
    prompt_lock: Mutex<()>,
    /// One GetSessionToken at a time, so profiles sharing a device share one session;
    /// the sessions this resolver obtained, so that holds without the disk cache too.
    sessions: Mutex<HashMap<MfaKey, Credentials>>,
}

impl Mfa {
    pub(super) fn new(cache: Option<Cache>) -> Self {
        Mfa {
            prompt: None,
            cache,
            prompt_lock: Mutex::new(()),
            sessions: Mutex::default(),
        }
    }

    pub(super) fn set_prompt(&mut self, prompt: MfaPrompt) {
        self.prompt = Some(prompt);
    }

    /// AssumeRole for `caller` on a role that requires MFA device `serial`.
    pub(super) async fn assume_role(
        &self,
        sts: &Sts,
        caller: &Credentials,
        profile: &str,
        serial: &str,
        input: &AssumeRoleInput<'_>,
        deadline: &Deadline,
    ) -> Result<AssumedRole, HopError> {
        if caller.session_token.is_some() {
            // Temporary credentials cannot call GetSessionToken: the code goes with the call.
            let code = deadline.paused(self.code(profile, serial)).await?;
            let input = AssumeRoleInput {
                serial_number: Some(serial),
                token_code: Some(&code),
                ..input.clone()
            };
            return call(sts, deadline, caller, &input).await;
        }
        // A long-term user: one MFA-authenticated session serves every role that shares
        // this user and device, so the code is typed once, not per role.
        let (session, reused) = self.session(sts, caller, profile, serial, deadline).await?;
        match call(sts, deadline, &session, input).await {
            // A session kept from earlier that STS no longer accepts (revoked, or the
            // user's keys rotated): drop it and ask for a fresh code once.
            Err(e) if reused && e.kind == ErrorKind::Credentials => {
                self.forget(caller, serial).await;
                let (session, _) = self.session(sts, caller, profile, serial, deadline).await?;
                call(sts, deadline, &session, input).await
            }
            other => other,
        }
    }

    /// An MFA-authenticated GetSessionToken session for a long-term user, from memory or
    /// the cache when one is still valid (then `true`: kept from earlier), else fresh.
    async fn session(
        &self,
        sts: &Sts,
        user: &Credentials,
        profile: &str,
        serial: &str,
        deadline: &Deadline,
    ) -> Result<(Credentials, bool), HopError> {
        let key = MfaKey::new(&user.access_key_id, serial, None);
        let cache = self.cache.as_ref();
        // Several profiles may reach this point together: ask once.
        let mut sessions = self.sessions.lock().await;
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
        let code = deadline.paused(self.code(profile, serial)).await?;
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
    async fn forget(&self, user: &Credentials, serial: &str) {
        let key = MfaKey::new(&user.access_key_id, serial, None);
        self.sessions.lock().await.remove(&key);
        if let Some(cache) = &self.cache {
            let _ = cache.remove_mfa_session(&key);
        }
    }

    async fn code(&self, profile: &str, serial: &str) -> Result<String, HopError> {
        let Some(prompt) = &self.prompt else {
            return Err(HopError::new(
                ErrorKind::Config,
                None,
                format!(
                    "profile '{profile}' needs an MFA code for {serial}, but no terminal is available to ask for it"
                ),
            ));
        };
        let _one_at_a_time = self.prompt_lock.lock().await;
        prompt(profile.to_string(), serial.to_string())
            .await
            .map_err(|e| HopError::new(ErrorKind::Config, None, format!("MFA code for {serial}: {e}")))
    }
}

/// One AssumeRole call within `deadline`.
pub(super) async fn call(
    sts: &Sts,
    deadline: &Deadline,
    creds: &Credentials,
    input: &AssumeRoleInput<'_>,
) -> Result<AssumedRole, HopError> {
    deadline.step("STS", sts.assume_role(creds, input)).await
}
