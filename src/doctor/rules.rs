//! The causes of a failed AssumeRole hop as a table of rules. Each rule names a cause,
//! says when it applies (and how sure that is, on what evidence), and what to write: the
//! title, the fix and, for some, a change to review. Rules are tried in order and every
//! one that applies adds its cause; [`Report::rank`] then orders them by confidence,
//! stable within each.
//!
//! [`ROLE`] holds what STS's message or the profile state outright, [`DENIED`] the causes
//! of an AccessDenied, [`ERRORS`] those of the other kinds of error.

use super::arn::{ArnProblem, parse_role_arn};
use super::diagnose::{CHAINED_MAX_SECONDS, cause};
use super::{CauseId, Confidence, HopContext, Report};
use crate::resolve::outcome::{ErrorKind, HopError};

use super::denied::DENIED;

/// How sure a cause is, and what that rests on.
pub(super) type Verdict = (Confidence, &'static str);

/// One rule of the table.
pub(super) struct Rule {
    pub(super) id: CauseId,
    /// Whether the cause applies, and if so how sure it is.
    pub(super) when: fn(&Facts) -> Option<Verdict>,
    /// The cause's title and fix.
    pub(super) says: fn(&Facts) -> (String, String),
    /// A change to review besides the fix, if any.
    pub(super) action: fn(&Facts) -> Option<String>,
}

/// What the rules look at: the failed hop, its error, and names worked out once.
pub(super) struct Facts<'a> {
    pub(super) hop: &'a HopContext,
    pub(super) error: &'a HopError,
    /// The caller as a policy names it, or "the caller".
    pub(super) caller: String,
    /// The target role's name.
    pub(super) role: String,
    /// ` at FILE:LINE` where the hop is configured, or nothing.
    pub(super) at: String,
    /// What is wrong with the target's ARN, if anything.
    arn_problem: Option<ArnProblem>,
}

impl<'a> Facts<'a> {
    fn new(hop: &'a HopContext, error: &'a HopError) -> Self {
        let target = hop.target_role_arn.clone().unwrap_or_default();
        Facts {
            hop,
            error,
            caller: match &hop.caller {
                Some(p) => p.policy_arn().unwrap_or(p.arn()).to_string(),
                None => "the caller".to_string(),
            },
            role: crate::arn::name_of(&target).to_string(),
            at: hop
                .location
                .as_ref()
                .map(|l| format!(" at {l}"))
                .unwrap_or_default(),
            arn_problem: parse_role_arn(&target).err(),
        }
    }

    /// STS's message contains `needle`.
    pub(super) fn said(&self, needle: &str) -> bool {
        self.error.message.contains(needle)
    }

    /// STS's error code is one of `codes`.
    pub(super) fn code_is(&self, codes: &[&str]) -> bool {
        self.error.code.as_deref().is_some_and(|c| codes.contains(&c))
    }

    /// An AccessDenied that is not about MFA or the root user: who may assume what.
    pub(super) fn denied(&self) -> bool {
        self.error.kind == ErrorKind::Denied
            && !self.said("MultiFactorAuthentication")
            && !self.said("root accounts")
    }

    /// The configured `duration_seconds`, or nothing.
    fn duration(&self) -> String {
        self.hop
            .duration_seconds
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    /// The fix of a malformed role ARN.
    fn arn_fix(&self) -> Option<String> {
        let at = &self.at;
        Some(match &self.arn_problem.as_ref()?.suggestion {
            Some(s) => format!("set role_arn = {s}{at}"),
            None => format!("correct role_arn{at} to arn:aws:iam::ACCOUNT:role/NAME"),
        })
    }
}

/// Stated by STS's message.
pub(super) const STS_SAID: Verdict = (Confidence::Confirmed, "STS's message");

/// For rules with nothing to add besides the fix.
pub(super) fn no_action(_: &Facts) -> Option<String> {
    None
}

/// What STS's message, the error code or the profile state outright.
pub(super) const ROLE: &[Rule] = &[
    Rule {
        id: CauseId::MalformedRoleArn,
        when: |f| {
            f.arn_problem
                .is_some()
                .then_some((Confidence::Confirmed, "ARN syntax"))
        },
        says: |f| {
            let message = f.arn_problem.as_ref().map(|p| p.message.clone());
            (message.unwrap_or_default(), f.arn_fix().unwrap_or_default())
        },
        action: |f| {
            let s = f.arn_problem.as_ref()?.suggestion.as_ref()?;
            Some(f.arn_fix()?.replace(s, &format!("'{s}'")))
        },
    },
    Rule {
        id: CauseId::RootCaller,
        when: |f| {
            f.said("Roles may not be assumed by root accounts")
                .then_some(STS_SAID)
        },
        says: |_| {
            (
                "the caller is the account's root user, which cannot assume roles".into(),
                "use an IAM user or role as the source profile".into(),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::Mfa,
        when: |f| f.said("MultiFactorAuthentication").then_some(STS_SAID),
        says: |f| {
            (
                "the MFA code was wrong, reused or expired, or mfa_serial names another device".into(),
                format!(
                    "type a fresh code; check that mfa_serial{} is the caller's device ARN",
                    f.at
                ),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::ChainedSessionDuration,
        when: |f| f.said("role chaining").then_some(STS_SAID),
        says: |f| {
            (
                format!(
                    "duration_seconds {} is above one hour, the limit for a role assumed with role credentials",
                    f.duration()
                ),
                format!(
                    "set duration_seconds to at most {CHAINED_MAX_SECONDS}{}, or remove it",
                    f.at
                ),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::SessionDuration,
        when: |f| (!f.said("role chaining") && f.said("MaxSessionDuration")).then_some(STS_SAID),
        says: |f| {
            (
                format!(
                    "duration_seconds {} is above the maximum session duration of {}",
                    f.duration(),
                    f.role
                ),
                format!(
                    "lower duration_seconds{}, or raise the role's maximum (see below)",
                    f.at
                ),
            )
        },
        action: |f| {
            Some(format!(
                "aws iam update-role --role-name {} --max-session-duration {}",
                super::policy::shell_quote(&f.role),
                f.hop.duration_seconds.unwrap_or(3600).clamp(3600, 43200)
            ))
        },
    },
    Rule {
        // STS will refuse this once the other problems are fixed.
        id: CauseId::ChainedSessionDuration,
        when: |f| {
            let too_long = f.hop.duration_seconds.is_some_and(|d| d > CHAINED_MAX_SECONDS);
            let said = f.said("role chaining") || f.said("MaxSessionDuration");
            let confidence = if f.code_is(&["ValidationError"]) {
                Confidence::Confirmed
            } else {
                Confidence::Inferred
            };
            (!said && f.hop.chained && too_long).then_some((confidence, "the profile"))
        },
        says: |f| {
            (
                "duration_seconds is above one hour on a role-chained hop".into(),
                format!("set duration_seconds to at most {CHAINED_MAX_SECONDS}{}", f.at),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::RegionEndpoint,
        when: |f| f.code_is(&["RegionDisabledException"]).then_some(STS_SAID),
        says: |_| {
            (
                "STS is not activated in this region for the target account".into(),
                "activate the region's STS endpoint in the IAM console (Account settings), or use another region"
                    .into(),
            )
        },
        action: no_action,
    },
];

/// The causes of the other kinds of error: expired credentials, no answer, throttling.
pub(super) const ERRORS: &[Rule] = &[
    Rule {
        id: CauseId::SourceCredentials,
        when: |f| {
            (f.error.kind == ErrorKind::Credentials).then_some((Confidence::Inferred, "the error code"))
        },
        says: |f| {
            (
                format!(
                    "the credentials of {} are expired or invalid ({})",
                    f.caller,
                    f.error.code.as_deref().unwrap_or("")
                ),
                "refresh the source credentials (aws sso login, new keys, a fresh session)".into(),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::RegionEndpoint,
        when: |f| {
            let global_token = f.error.kind == ErrorKind::Credentials && f.code_is(&["InvalidClientTokenId"]);
            global_token.then_some((Confidence::Inferred, "the error code"))
        },
        says: |_| {
            (
                "a session token from the global STS endpoint is not valid in an opt-in region".into(),
                "use the regional STS endpoint (sts_regional_endpoints = regional) or activate the region"
                    .into(),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::RegionEndpoint,
        when: |f| {
            let silent = matches!(f.error.kind, ErrorKind::Network | ErrorKind::Timeout);
            silent.then_some((Confidence::Inferred, "the error"))
        },
        says: |_| {
            (
                "the STS endpoint did not answer".into(),
                "check region, endpoint_url / AWS_ENDPOINT_URL_STS, proxy settings and network access".into(),
            )
        },
        action: no_action,
    },
    Rule {
        id: CauseId::Throttled,
        when: |f| (f.error.kind == ErrorKind::Throttled).then_some((Confidence::Inferred, "the error code")),
        says: |_| {
            (
                "STS throttled the request".into(),
                "retry later or resolve fewer profiles at once (--concurrency)".into(),
            )
        },
        action: no_action,
    },
];

/// The causes of a failed AssumeRole hop: every rule of the tables that applies, and when
/// none did for a configuration or other error, that error itself.
pub(super) fn role_causes(report: &mut Report, hop: &HopContext, error: &HopError) {
    let facts = Facts::new(hop, error);
    for rule in ROLE.iter().chain(DENIED).chain(ERRORS) {
        let Some((confidence, evidence)) = (rule.when)(&facts) else {
            continue;
        };
        let (title, fix) = (rule.says)(&facts);
        report
            .causes
            .push(cause(rule.id, confidence, title, fix, evidence));
        report.actions.extend((rule.action)(&facts));
    }
    if report.causes.is_empty() && matches!(error.kind, ErrorKind::Config | ErrorKind::Other) {
        report.causes.push(last_resort(&facts));
    }
}

/// A configuration or other error no rule explains: the error is the cause.
fn last_resort(f: &Facts) -> super::Cause {
    let id = if f.code_is(&["ValidationError"]) && f.said("roleArn") {
        CauseId::MalformedRoleArn
    } else if f.error.code.is_some() {
        CauseId::Unknown
    } else {
        CauseId::Configuration
    };
    let fix = format!("fix profile '{}'{}", f.hop.profile, f.at);
    cause(id, Confidence::Confirmed, f.error.summary(), fix, "the error")
}
