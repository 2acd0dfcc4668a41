//! One deadline per command: `--timeout` bounds the whole resolution (base credentials,
//! every hop, the caller lookup after a failure) and whatever a command does after it
//! (the doctor's IAM calls), not each step on its own. Time spent waiting for the user
//! (an MFA code) is not counted. A step cut by the deadline is dropped (its connection,
//! or a helper's future, with it) and fails with [`ErrorKind::Timeout`].

use super::outcome::{ErrorKind, HopError};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Debug)]
pub(crate) struct Deadline {
    at: Arc<Mutex<Instant>>,
    budget: Duration,
}

impl Deadline {
    /// `budget` from now.
    pub(crate) fn after(budget: Duration) -> Deadline {
        Deadline {
            at: Arc::new(Mutex::new(Instant::now() + budget)),
            budget,
        }
    }

    fn at(&self) -> Instant {
        *self.at.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Time left (zero once passed).
    pub(crate) fn remaining(&self) -> Duration {
        self.at().saturating_duration_since(Instant::now())
    }

    pub(crate) fn passed(&self) -> bool {
        self.remaining().is_zero()
    }

    /// The error of a step cut by the deadline; `what` names who did not answer.
    pub(crate) fn error(&self, what: &str) -> HopError {
        HopError::new(
            ErrorKind::Timeout,
            None,
            format!(
                "timed out after {} s (no answer from {what})",
                self.budget.as_secs_f32().ceil() as u64
            ),
        )
    }

    /// Runs `step` until it ends or the deadline passes (then `None`; `step` is dropped).
    pub(crate) async fn bound<T>(&self, step: impl Future<Output = T>) -> Option<T> {
        let step = std::pin::pin!(step);
        let mut step = step;
        loop {
            let at = self.at();
            match tokio::time::timeout_at(at, &mut step).await {
                Ok(out) => return Some(out),
                // Moved on while this step ran (an MFA prompt elsewhere): keep waiting.
                Err(_) if self.at() > at => continue,
                Err(_) => return None,
            }
        }
    }

    /// Runs a step that fails with a [`HopError`], failing with [`Deadline::error`] when
    /// the deadline passes first.
    pub(crate) async fn step<T>(
        &self,
        what: &str,
        step: impl Future<Output = Result<T, HopError>>,
    ) -> Result<T, HopError> {
        self.bound(step).await.unwrap_or_else(|| Err(self.error(what)))
    }

    /// Runs `wait` (the user typing) and moves the deadline by the time it took.
    pub(crate) async fn paused<T>(&self, wait: impl Future<Output = T>) -> T {
        let start = Instant::now();
        let out = wait.await;
        let waited = start.elapsed();
        *self.at.lock().unwrap_or_else(|p| p.into_inner()) += waited;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn cuts_steps_and_skips_user_time() {
        let deadline = Deadline::after(Duration::from_secs(2));
        let slow = deadline
            .step("STS", async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                Ok(())
            })
            .await;
        let error = slow.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Timeout);
        assert_eq!(error.message, "timed out after 2 s (no answer from STS)");
        assert!(deadline.passed());

        let deadline = Deadline::after(Duration::from_secs(2));
        deadline.paused(tokio::time::sleep(Duration::from_secs(30))).await;
        let quick = deadline
            .step("STS", async {
                tokio::time::sleep(Duration::from_secs(1)).await;
                Ok(7)
            })
            .await;
        assert_eq!(quick.unwrap(), 7);
    }
}
