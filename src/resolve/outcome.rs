//! What resolving a profile produced, hop by hop: the model behind `whoami`, `check`,
//! the TUI's detail pane and `doctor`. Its JSON form is a stable interface (see README).

use super::plan::{Plan, RoleHop};
use crate::creds::{Credentials, Identity, ProfileCredentials, rfc3339};
use serde::Serialize;
use serde_json::{Value, json};
use std::time::SystemTime;

pub use crate::error::{ErrorKind, HopError};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HopKind {
    Base,
    AssumeRole,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HopStatus {
    Ok,
    Failed,
    Skipped,
}

/// One step of a chain and what happened there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HopOutcome {
    pub profile: String,
    pub kind: HopKind,
    /// For the base hop: `static`, `ec2-imds`, `process`, …
    pub source: Option<&'static str>,
    pub role_arn: Option<String>,
    /// The URL this hop's credentials were asked for (STS, the SSO portal, IMDS, the
    /// container endpoint), resolved as the SDK resolves it; `None` when no call was made
    /// (static keys, the cache, a skipped hop) or the source is local (a process).
    pub endpoint: Option<String>,
    pub status: HopStatus,
    /// The credentials came from the on-disk cache, not from a call.
    pub cached: bool,
    pub identity: Option<Identity>,
    pub expiration: Option<SystemTime>,
    pub error: Option<HopError>,
}

/// Credentials at some point of a chain and who they are (if known).
#[derive(Clone, Debug)]
pub(super) struct Step {
    pub(super) credentials: Credentials,
    pub(super) identity: Option<Identity>,
    /// Read from the on-disk cache, not asked for.
    pub(super) cached: bool,
}

impl HopOutcome {
    /// The base hop of `plan`: its credentials, asked for at `endpoint`, or why not.
    pub(super) fn base(plan: &Plan, endpoint: Option<String>, result: &Result<Step, HopError>) -> Self {
        let base = &plan.base;
        Self::blank(
            base.profile().to_string(),
            HopKind::Base,
            Some(base.label()),
            None,
            endpoint,
        )
        .with(result)
    }

    /// An AssumeRole hop: the role's credentials from the STS at `endpoint` (none when they
    /// came from the cache), or why not.
    pub(super) fn role(hop: &RoleHop, endpoint: Option<String>, result: &Result<Step, HopError>) -> Self {
        let endpoint = match result {
            Ok(step) if step.cached => None,
            _ => endpoint,
        };
        Self::blank(
            hop.profile.clone(),
            HopKind::AssumeRole,
            None,
            Some(hop.role_arn.clone()),
            endpoint,
        )
        .with(result)
    }

    /// A hop not tried because one before it failed.
    pub(super) fn skipped(hop: &RoleHop) -> Self {
        Self::blank(
            hop.profile.clone(),
            HopKind::AssumeRole,
            None,
            Some(hop.role_arn.clone()),
            None,
        )
    }

    /// This hop, failed with `error`: no credentials, not cached.
    pub(super) fn failed(self, error: HopError) -> Self {
        HopOutcome {
            status: HopStatus::Failed,
            cached: false,
            identity: None,
            expiration: None,
            error: Some(error),
            ..self
        }
    }

    fn with(self, result: &Result<Step, HopError>) -> Self {
        match result {
            Ok(step) => HopOutcome {
                status: HopStatus::Ok,
                cached: step.cached,
                identity: step.identity.clone(),
                expiration: step.credentials.expiration,
                ..self
            },
            Err(error) => self.failed(error.clone()),
        }
    }

    fn blank(
        profile: String,
        kind: HopKind,
        source: Option<&'static str>,
        role_arn: Option<String>,
        endpoint: Option<String>,
    ) -> Self {
        HopOutcome {
            profile,
            kind,
            source,
            role_arn,
            endpoint,
            status: HopStatus::Skipped,
            cached: false,
            identity: None,
            expiration: None,
            error: None,
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "profile": self.profile,
            "kind": self.kind,
            "source": self.source,
            "role_arn": self.role_arn,
            "endpoint": self.endpoint,
            "status": self.status,
            "cached": self.cached,
            "identity": self.identity,
            "expiration": self.expiration.map(rfc3339),
            "error": self.error.as_ref().map(HopError::to_json),
        })
    }
}

/// Credentials and who they are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    pub credentials: Credentials,
    pub identity: Identity,
    pub expiration: Option<SystemTime>,
}

/// Where and why resolution stopped. `hop` is `None` when no hop could be planned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub hop: Option<usize>,
    pub error: HopError,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Denied,
    Error,
}

impl Status {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::Denied => "DENIED",
            Status::Error => "ERROR",
        }
    }
}

/// Everything known about one profile after trying to resolve it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolution {
    pub profile: String,
    pub chain: Vec<String>,
    pub region: Option<String>,
    pub hops: Vec<HopOutcome>,
    pub outcome: Result<Resolved, Failure>,
}

impl Resolution {
    /// What a successful resolution hands over; `None` when it failed.
    pub fn handover(&self) -> Option<ProfileCredentials> {
        let resolved = self.outcome.as_ref().ok()?;
        Some(ProfileCredentials {
            profile: self.profile.clone(),
            credentials: resolved.credentials.clone(),
            identity: Some(resolved.identity.clone()),
            region: self.region.clone(),
        })
    }

    pub fn status(&self) -> Status {
        match &self.outcome {
            Ok(_) => Status::Ok,
            Err(f) if f.error.kind == ErrorKind::Denied => Status::Denied,
            Err(_) => Status::Error,
        }
    }

    pub(crate) fn identity(&self) -> Option<&Identity> {
        self.outcome.as_ref().ok().map(|r| &r.identity)
    }

    pub fn failure(&self) -> Option<&Failure> {
        self.outcome.as_ref().err()
    }

    /// The stable JSON form (documented in the README; tests pin it).
    pub(crate) fn to_json(&self) -> Value {
        let (identity, expiration) = match &self.outcome {
            Ok(r) => (Some(&r.identity), r.expiration.map(rfc3339)),
            Err(_) => (None, None),
        };
        let error = self.failure().map(|f| {
            let mut e = f.error.to_json();
            e["hop"] = json!(f.hop);
            e
        });
        json!({
            "profile": self.profile,
            "status": self.status(),
            "chain": self.chain,
            "region": self.region,
            "identity": identity,
            "expiration": expiration,
            "hops": self.hops.iter().map(HopOutcome::to_json).collect::<Vec<_>>(),
            "error": error,
        })
    }
}
