//! `rswitch doctor PROFILE`: why a profile's chain fails, and the fix.
//!
//! For the first failing hop it names the caller as STS saw it and the target role,
//! ranks the likely causes from the error code, the message and the profile, and writes
//! the trust and identity policy statements (and `aws iam` commands) that would allow
//! exactly that hop. With read-only IAM access (`iam:GetRole` on the target,
//! `iam:SimulatePrincipalPolicy` on the caller) some causes are confirmed or ruled out;
//! without it every cause is reported as inferred.
//!
//! Layers: [`diagnose()`] is pure (plan + resolution -> report; the causes of a failed
//! AssumeRole are the rule tables of `rules.rs` and `denied.rs`), [`enrich`] folds IAM
//! answers into a report (pure), [`iam`] asks IAM (signed GET-style queries, read-only),
//! [`render`] turns a report into text and JSON. rswitch never changes IAM.

pub mod arn;
mod denied;
pub(crate) mod diagnose;
pub(crate) mod enrich;
pub(crate) mod iam;
pub mod policy;
mod render;
mod rules;

pub use diagnose::diagnose;

use crate::config::Location;
use crate::creds::Identity;
use crate::resolve::Resolver;
use crate::resolve::outcome::{HopError, HopKind, Status};
use arn::Principal;
use policy::PolicyFix;
use serde::Serialize;

/// How sure the doctor is about a cause.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Stated by STS's message, a fact of the configuration, or shown by IAM.
    Confirmed,
    /// Deduced from the error and the profile; not checked against IAM.
    Inferred,
    /// IAM's answers show this is not the problem.
    RuledOut,
}

impl Confidence {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Inferred => "inferred",
            Confidence::RuledOut => "ruled out",
        }
    }
}

/// The causes the doctor knows about. Stable ids (snake_case in JSON).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CauseId {
    MalformedRoleArn,
    RootCaller,
    ExplicitDeny,
    TrustPolicy,
    IdentityPolicy,
    ExternalId,
    Mfa,
    RoleMissing,
    SessionDuration,
    ChainedSessionDuration,
    SourceCredentials,
    RegionEndpoint,
    Throttled,
    Configuration,
    Unknown,
}

/// One possible reason for the failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cause {
    pub id: CauseId,
    pub confidence: Confidence,
    /// One line: what is wrong.
    pub title: String,
    /// What to do about it.
    pub fix: String,
    /// What the confidence rests on.
    pub evidence: String,
}

/// The hop that failed and who was calling.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct HopContext {
    /// Index into the resolution's hops (0 is the base credentials).
    pub index: usize,
    pub profile: String,
    pub kind: HopKind,
    /// Where the hop's `role_arn` is set.
    pub location: Option<Location>,
    pub target_role_arn: Option<String>,
    pub target_account: Option<String>,
    /// The calling principal as STS saw it.
    pub caller: Option<Principal>,
    pub same_account: Option<bool>,
    /// The caller is itself a role session, so STS caps the new session at one hour.
    pub chained: bool,
    pub duration_seconds: Option<i32>,
    pub external_id: Option<String>,
    pub mfa_serial: Option<String>,
}

/// What IAM was asked and what it said.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct IamReport {
    /// Whether any IAM answer was used.
    pub used: bool,
    /// One line per check: `iam:GetRole SwitchToRole: …`.
    pub notes: Vec<String>,
}

/// The doctor's answer for one profile (JSON via [`Report::to_json`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub profile: String,
    pub chain: Vec<String>,
    pub status: Status,
    /// Who the profile resolves to, when it works.
    pub identity: Option<Identity>,
    pub hop: Option<HopContext>,
    pub error: Option<HopError>,
    /// Most likely first; ruled-out causes last.
    pub causes: Vec<Cause>,
    /// Policy documents that would allow the failing hop, with commands to review.
    pub policies: Vec<PolicyFix>,
    /// Other changes to review (configuration edits, `aws iam update-role …`).
    pub actions: Vec<String>,
    pub iam: IamReport,
}

impl Report {
    /// Orders causes: confirmed, then inferred, then ruled out; stable within each.
    pub(crate) fn rank(&mut self) {
        self.causes.sort_by_key(|c| c.confidence);
    }

    pub fn cause(&self, id: CauseId) -> Option<&Cause> {
        self.causes.iter().find(|c| c.id == id)
    }

    /// The most likely cause that is not ruled out.
    pub(crate) fn top_cause(&self) -> Option<&Cause> {
        self.causes.iter().find(|c| c.confidence != Confidence::RuledOut)
    }
}

/// Resolves `profile` and diagnoses its first failing hop, asking IAM (read-only) to
/// confirm or rule out causes when the caller's credentials allow it.
pub async fn doctor(resolver: &Resolver, profile: &str) -> Report {
    let plan = resolver.catalog().planned(profile).ok();
    // One --timeout for the resolution and the IAM questions together.
    let deadline = resolver.deadline();
    let resolution = match &plan {
        Some(plan) => resolver.run_within(plan, &deadline).await,
        None => resolver.resolve_within(profile, &deadline).await,
    };
    let mut report = diagnose(plan.as_ref(), &resolution);
    if let (Some(plan), Some(hop)) = (&plan, &report.hop)
        && hop.kind == HopKind::AssumeRole
    {
        let findings = iam::check(resolver, plan, hop, &deadline).await;
        enrich::enrich(&mut report, &findings);
    }
    report
}
