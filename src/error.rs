//! The error of one step of a chain (a hop refused, timed out, misconfigured), in the
//! words of whoever refused it. Below every module that makes or reads such errors: the
//! STS client (`sts.rs`), the resolver (`resolve/`) and the doctor.

use serde::Serialize;
use serde_json::{Value, json};

/// Why a hop failed, in the words of whoever refused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// STS (or IAM policy) said no: AccessDenied and friends.
    Denied,
    /// No answer in time.
    Timeout,
    /// Could not connect, connection reset, DNS, TLS.
    Network,
    /// Throttling that outlasted the retries.
    Throttled,
    /// The calling credentials are invalid or expired.
    Credentials,
    /// The configuration is wrong (bad ARN, bad duration, missing settings, loops).
    Config,
    Other,
}

/// A failed hop: the full error text is always kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HopError {
    pub code: Option<String>,
    pub message: String,
    pub kind: ErrorKind,
    /// The identity that made the refused call, when known.
    pub caller_arn: Option<String>,
}

impl HopError {
    pub fn new(kind: ErrorKind, code: Option<String>, message: impl Into<String>) -> Self {
        HopError {
            code,
            message: message.into(),
            kind,
            caller_arn: None,
        }
    }

    /// `AccessDenied: User: arn:… is not authorized …`
    pub fn summary(&self) -> String {
        match &self.code {
            Some(code) if !self.message.is_empty() => format!("{code}: {}", self.message),
            Some(code) => code.clone(),
            None => self.message.clone(),
        }
    }

    pub(crate) fn to_json(&self) -> Value {
        json!({
            "code": self.code,
            "message": self.message,
            "kind": self.kind,
            "caller_arn": self.caller_arn,
        })
    }
}
