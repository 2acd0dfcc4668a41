//! Why a profile cannot be planned: each error names the profile and, where there is one,
//! the file and line to fix.

use crate::config::Location;

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("profile '{profile}' not found in {config} or {credentials}")]
    NotFound {
        profile: String,
        config: String,
        credentials: String,
    },
    #[error("profile '{profile}': source_profile '{source_profile}' does not exist ({location})")]
    MissingSourceProfile {
        profile: String,
        source_profile: String,
        location: Location,
    },
    #[error("profile '{profile}': source_profile loop: {cycle} ({location})")]
    Cycle {
        profile: String,
        cycle: String,
        location: Location,
    },
    #[error(
        "profile '{profile}': source_profile names the profile itself, but it has no static keys to use as the source ({location})"
    )]
    SelfReferenceWithoutKeys { profile: String, location: Location },
    #[error("profile '{profile}': both source_profile and credential_source are set; use one ({location})")]
    BothSources { profile: String, location: Location },
    #[error(
        "profile '{profile}': role_arn is set but neither source_profile nor credential_source is ({location})"
    )]
    NoSource { profile: String, location: Location },
    #[error(
        "profile '{profile}': credential_source '{value}' is not one of Environment, Ec2InstanceMetadata, EcsContainer ({location})"
    )]
    UnknownCredentialSource {
        profile: String,
        value: String,
        location: Location,
    },
    #[error("profile '{profile}': {key} is set but {missing} is missing ({location})")]
    Incomplete {
        profile: String,
        key: &'static str,
        missing: String,
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
            PlanError::MissingSourceProfile { location, .. }
            | PlanError::Cycle { location, .. }
            | PlanError::SelfReferenceWithoutKeys { location, .. }
            | PlanError::BothSources { location, .. }
            | PlanError::NoSource { location, .. }
            | PlanError::UnknownCredentialSource { location, .. }
            | PlanError::Incomplete { location, .. }
            | PlanError::BadDuration { location, .. } => Some(location),
        }
    }
}
