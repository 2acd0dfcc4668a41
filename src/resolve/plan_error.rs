//! Why a profile cannot be planned: each error names the profile and, where there is one,
//! the file and line to fix. [`PlanError::code`] is the lint code the same problem is
//! reported under, so `lint`, `list`, the TUI and resolution say it in the same words.

use crate::config::Location;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("profile '{profile}' not found in {config} or {credentials}")]
    NotFound {
        profile: String,
        config: String,
        credentials: String,
    },
    /// The AWS CLI (and aws-config) refuse every profile while one of the two files has a
    /// line they cannot parse; so does rswitch, instead of falling back to another source.
    #[error(
        "profile '{profile}': {message}; the AWS CLI refuses the whole file, so no profile is resolved until the line is fixed ({location})"
    )]
    Unparsable {
        profile: String,
        message: String,
        location: Location,
    },
    #[error("profile '{profile}': source_profile '{source_profile}' does not exist ({location})")]
    MissingSourceProfile {
        profile: String,
        source_profile: String,
        location: Location,
    },
    /// botocore: `The source profile "B" must have credentials.` (aws-config: "profile B did
    /// not contain credential information"). Only a *source* profile: the requested profile
    /// without credential settings falls back to the environment/container/IMDS chain.
    #[error(
        "profile '{profile}': source_profile '{source_profile}' has no credentials (static keys, SSO, credential_process or web identity); add them to profile '{source_profile}' ({source_location}) or name another source_profile ({location})"
    )]
    SourceWithoutCredentials {
        profile: String,
        source_profile: String,
        source_location: Location,
        location: Location,
    },
    #[error("profile '{profile}': source_profile loop: {cycle} ({location})")]
    Cycle {
        profile: String,
        cycle: String,
        location: Location,
    },
    #[error(
        "profile '{profile}': source_profile loop: {profile} -> {profile} (a profile may name itself only when it has static keys to use as the source) ({location})"
    )]
    SelfReferenceWithoutKeys { profile: String, location: Location },
    #[error("profile '{profile}': both source_profile and credential_source are set; use one ({location})")]
    BothSources { profile: String, location: Location },
    #[error(
        "profile '{profile}': role_arn is set but neither source_profile nor credential_source is ({location})"
    )]
    NoSource { profile: String, location: Location },
    #[error(
        "profile '{profile}': credential_source '{value}' is not one of Environment, Ec2InstanceMetadata, EcsContainer{hint} ({location})"
    )]
    UnknownCredentialSource {
        profile: String,
        value: String,
        /// `; did you mean '…'? (values are case-sensitive)` or empty.
        hint: String,
        location: Location,
    },
    #[error("profile '{profile}': {key} is set but {missing} is missing ({location})")]
    Incomplete {
        profile: String,
        key: &'static str,
        missing: String,
        location: Location,
    },
    /// botocore: `The specified sso-session does not exist: "NAME"`.
    #[error(
        "profile '{profile}': sso_session '{session}' names no [sso-session {session}] section ({location})"
    )]
    MissingSsoSession {
        profile: String,
        session: String,
        location: Location,
    },
    /// botocore: `The profile "P" is configured to use SSO but is missing required
    /// configuration: …`.
    #[error(
        "profile '{profile}': {anchor} is set but {missing} {verb} missing; the AWS CLI refuses an incomplete SSO profile ({location})",
        verb = if missing.contains(", ") { "are" } else { "is" }
    )]
    IncompleteSso {
        profile: String,
        /// The SSO key the profile does set, where the error points.
        anchor: &'static str,
        missing: String,
        location: Location,
    },
    /// botocore: `The value for "KEY" is inconsistent between profile (A) and sso-session (B).`
    #[error(
        "profile '{profile}': {key} {values}; the AWS CLI refuses the profile: remove {key} from the profile or make the two equal ({location})"
    )]
    SsoSessionConflict {
        profile: String,
        key: String,
        /// `'A' differs from 'B' in [sso-session NAME] (file:line)`
        values: String,
        location: Location,
    },
    #[error("profile '{profile}': duration_seconds '{value}' is not a whole number of seconds ({location})")]
    BadDuration {
        profile: String,
        value: String,
        location: Location,
    },
    #[error("profile '{profile}': {key} '{value}' is not {expected}{}", at(location))]
    BadSetting {
        profile: String,
        key: &'static str,
        value: String,
        expected: &'static str,
        /// `None` when the value comes from the environment.
        location: Option<Location>,
    },
}

fn at(location: &Option<Location>) -> String {
    location.as_ref().map(|l| format!(" ({l})")).unwrap_or_default()
}

impl PlanError {
    pub fn location(&self) -> Option<&Location> {
        match self {
            PlanError::NotFound { .. } => None,
            PlanError::BadSetting { location, .. } => location.as_ref(),
            PlanError::Unparsable { location, .. }
            | PlanError::MissingSourceProfile { location, .. }
            | PlanError::SourceWithoutCredentials { location, .. }
            | PlanError::Cycle { location, .. }
            | PlanError::SelfReferenceWithoutKeys { location, .. }
            | PlanError::BothSources { location, .. }
            | PlanError::NoSource { location, .. }
            | PlanError::UnknownCredentialSource { location, .. }
            | PlanError::Incomplete { location, .. }
            | PlanError::MissingSsoSession { location, .. }
            | PlanError::IncompleteSso { location, .. }
            | PlanError::SsoSessionConflict { location, .. }
            | PlanError::BadDuration { location, .. } => Some(location),
        }
    }

    /// The profile whose settings are wrong (for an error deep in a chain, the source
    /// profile, not the one asked for).
    pub(crate) fn profile(&self) -> &str {
        match self {
            PlanError::NotFound { profile, .. }
            | PlanError::Unparsable { profile, .. }
            | PlanError::MissingSourceProfile { profile, .. }
            | PlanError::SourceWithoutCredentials { profile, .. }
            | PlanError::Cycle { profile, .. }
            | PlanError::SelfReferenceWithoutKeys { profile, .. }
            | PlanError::BothSources { profile, .. }
            | PlanError::NoSource { profile, .. }
            | PlanError::UnknownCredentialSource { profile, .. }
            | PlanError::Incomplete { profile, .. }
            | PlanError::MissingSsoSession { profile, .. }
            | PlanError::IncompleteSso { profile, .. }
            | PlanError::SsoSessionConflict { profile, .. }
            | PlanError::BadDuration { profile, .. }
            | PlanError::BadSetting { profile, .. } => profile,
        }
    }

    /// The lint code of this problem (see the table in `config::lint`).
    pub fn code(&self) -> &'static str {
        match self {
            PlanError::NotFound { .. } => "profile-not-found",
            PlanError::Unparsable { .. } => "parse-error",
            PlanError::MissingSourceProfile { .. } => "missing-source-profile",
            PlanError::SourceWithoutCredentials { .. } => "source-without-credentials",
            PlanError::Cycle { .. } | PlanError::SelfReferenceWithoutKeys { .. } => "source-profile-cycle",
            PlanError::BothSources { .. } => "both-sources",
            PlanError::NoSource { .. } => "role-without-source",
            PlanError::UnknownCredentialSource { .. } => "unknown-credential-source",
            PlanError::Incomplete { key, .. } if key.starts_with("aws_") => "incomplete-static-keys",
            PlanError::Incomplete { .. } => "incomplete-web-identity",
            PlanError::MissingSsoSession { .. } => "missing-sso-session",
            PlanError::IncompleteSso { .. } => "incomplete-sso",
            PlanError::SsoSessionConflict { .. } => "sso-session-conflict",
            PlanError::BadDuration { .. } => "invalid-duration-seconds",
            PlanError::BadSetting { .. } => "invalid-setting",
        }
    }

    /// True for problems of a whole file or of the request, not of one profile's settings.
    pub(crate) fn is_file_level(&self) -> bool {
        matches!(self, PlanError::NotFound { .. } | PlanError::Unparsable { .. })
    }

    /// The text without the trailing ` (file:line)`, for a lint finding that shows the
    /// place in its own column.
    pub(crate) fn message(&self) -> String {
        let text = self.to_string();
        match self.location() {
            Some(location) => text
                .strip_suffix(&format!(" ({location})"))
                .map(str::to_string)
                .unwrap_or(text),
            None => text,
        }
    }
}
