//! The credentials a server hands out, renewed before they expire.
//!
//! A renewal is one more resolution of the profile through the same [`Resolver`] (and so
//! the same credential cache and the same MFA session) after forgetting its memoised hops.
//! It happens on the first request that arrives within the renewal window: the last
//! [`EXPIRY_WINDOW`] of the credentials' life, or the last third of it for credentials
//! that live shorter than 45 minutes (the demo's 60-second sessions renew after 40 s).
//! Requests that arrive together wait for one renewal. A failed renewal is retried at
//! most every [`RETRY_AFTER`]; until the old credentials expire they are still served,
//! after that the answer is an error naming what to do (the SDK shows it).

use crate::creds::rfc3339;
use crate::export::ExportInput;
use crate::resolve::Resolver;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

pub(crate) use crate::cache::EXPIRY_WINDOW;

/// The least time between two failed renewal attempts.
pub(crate) const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Serves one profile's credentials and renews them.
pub struct Renewer {
    resolver: Arc<Resolver>,
    profile: String,
    state: tokio::sync::Mutex<State>,
    /// A copy of the schedule readable without waiting (banners, the TUI).
    schedule: std::sync::Mutex<Schedule>,
}

struct State {
    input: ExportInput,
    obtained: SystemTime,
    failure: Option<(Instant, String)>,
}

/// When the served credentials expire and when they are renewed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub expiration: Option<SystemTime>,
    pub renew_at: Option<SystemTime>,
    /// Renewals done so far.
    pub renewals: u32,
}

/// How long before `expiration` credentials obtained at `obtained` are renewed.
pub(crate) fn window(obtained: SystemTime, expiration: SystemTime) -> Duration {
    let lifetime = expiration.duration_since(obtained).unwrap_or_default();
    EXPIRY_WINDOW.min(lifetime / 3)
}

/// When credentials obtained at `obtained` and expiring at `expiration` are renewed.
pub(crate) fn renew_at(obtained: SystemTime, expiration: SystemTime) -> SystemTime {
    expiration
        .checked_sub(window(obtained, expiration))
        .unwrap_or(expiration)
}

impl Renewer {
    /// Starts from `input`, the credentials the profile resolved to at `obtained`.
    pub fn new(resolver: Arc<Resolver>, input: ExportInput, obtained: SystemTime) -> Renewer {
        let schedule = schedule_of(&input, obtained, 0);
        Renewer {
            resolver,
            profile: input.profile.clone(),
            state: tokio::sync::Mutex::new(State {
                input,
                obtained,
                failure: None,
            }),
            schedule: std::sync::Mutex::new(schedule),
        }
    }

    /// The current schedule.
    pub fn schedule(&self) -> Schedule {
        match self.schedule.lock() {
            Ok(s) => *s,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    /// The answer body for a request now: the container-credentials JSON, or the error
    /// message when no valid credentials can be had.
    pub async fn current(&self) -> Result<String, String> {
        let mut state = self.state.lock().await;
        let now = SystemTime::now();
        let expiration = state.input.credentials.expiration;
        let due = expiration.is_some_and(|e| now >= renew_at(state.obtained, e));
        let may_retry = state
            .failure
            .as_ref()
            .is_none_or(|(at, _)| at.elapsed() >= RETRY_AFTER);
        if due && may_retry {
            self.renew(&mut state).await;
        }
        let expired = state
            .input
            .credentials
            .expiration
            .is_some_and(|e| e <= SystemTime::now());
        match (&state.failure, expired) {
            (Some((_, message)), true) => Err(message.clone()),
            _ => Ok(container_json(&state.input)),
        }
    }

    async fn renew(&self, state: &mut State) {
        self.resolver.forget();
        let started = SystemTime::now();
        let resolution = self.resolver.resolve(&self.profile).await;
        match resolution.handover() {
            Some(input) => {
                state.input = input;
                state.obtained = started;
                state.failure = None;
                let renewals = self.schedule().renewals + 1;
                self.set_schedule(schedule_of(&state.input, started, renewals));
            }
            None => {
                let reason = resolution
                    .failure()
                    .map(|f| f.error.summary())
                    .unwrap_or_else(|| "no credentials".to_string());
                let message = format!(
                    "profile '{}': rswitch could not renew the credentials: {reason}",
                    self.profile
                );
                state.failure = Some((Instant::now(), message));
            }
        }
    }

    fn set_schedule(&self, schedule: Schedule) {
        match self.schedule.lock() {
            Ok(mut s) => *s = schedule,
            Err(poisoned) => *poisoned.into_inner() = schedule,
        }
    }
}

fn schedule_of(input: &ExportInput, obtained: SystemTime, renewals: u32) -> Schedule {
    let expiration = input.credentials.expiration;
    Schedule {
        expiration,
        renew_at: expiration.map(|e| renew_at(obtained, e)),
        renewals,
    }
}

/// `{AccessKeyId, SecretAccessKey, Token, Expiration, AccountId}` as the container
/// credentials endpoint answers.
pub(crate) fn container_json(input: &ExportInput) -> String {
    let c = &input.credentials;
    let mut doc = serde_json::json!({
        "AccessKeyId": c.access_key_id,
        "SecretAccessKey": c.secret_access_key.expose(),
        "Token": c.session_token.as_ref().map(|t| t.expose()).unwrap_or_default(),
    });
    if let Some(e) = c.expiration {
        doc["Expiration"] = rfc3339(e).into();
    }
    if let Some(identity) = &input.identity {
        doc["AccountId"] = identity.account.clone().into();
    }
    doc.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn an_hour_renews_fifteen_minutes_before_expiry_and_a_minute_after_forty_seconds() {
        assert_eq!(renew_at(at(0), at(3600)), at(2700));
        assert_eq!(renew_at(at(0), at(12 * 3600)), at(12 * 3600 - 900));
        assert_eq!(renew_at(at(0), at(60)), at(40));
        assert_eq!(renew_at(at(100), at(100)), at(100));
        // Clock skew: obtained after the expiry renews at once.
        assert_eq!(renew_at(at(200), at(100)), at(100));
    }
}
