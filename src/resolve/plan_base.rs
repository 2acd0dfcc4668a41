//! A profile's own settings as the planner reads them: its base credentials when it is
//! not assuming a role (botocore's provider order), its `credential_source`, and its role
//! hop. Pure.

use super::plan::{BaseSource, RoleHop};
use super::plan_error::PlanError;
use crate::config::{ConfigSet, Profile};
use crate::creds::{Credentials, Secret};

const CREDENTIAL_SOURCES: &[&str] = &["Environment", "Ec2InstanceMetadata", "EcsContainer"];

pub(super) fn credential_source(profile: &Profile, value: &str) -> Result<BaseSource, PlanError> {
    let name = profile.name.clone();
    match value {
        "Environment" => Ok(BaseSource::Environment { profile: name }),
        // The IMDS endpoint is the requested profile's; filled in when the plan is made.
        "Ec2InstanceMetadata" => Ok(BaseSource::Ec2InstanceMetadata {
            profile: name,
            endpoint: None,
        }),
        "EcsContainer" => Ok(BaseSource::EcsContainer { profile: name }),
        other => Err(PlanError::UnknownCredentialSource {
            profile: name,
            value: other.to_string(),
            hint: CREDENTIAL_SOURCES
                .iter()
                .find(|v| v.eq_ignore_ascii_case(other) || crate::config::edit_distance(v, other) <= 3)
                .map(|v| format!("; did you mean '{v}'? (values are case-sensitive)"))
                .unwrap_or_default(),
            location: profile.location_of("credential_source").clone(),
        }),
    }
}

/// A profile's own credentials when it is not assuming a role: web identity, SSO,
/// `login_session`, static keys, `credential_process` (botocore's order), else the
/// default chain.
pub(super) fn non_role_source(set: &ConfigSet, profile: &Profile) -> Result<BaseSource, PlanError> {
    let name = profile.name.clone();
    if let Some(token_file) = profile.get("web_identity_token_file") {
        let role_arn = profile.get("role_arn").ok_or_else(|| PlanError::Incomplete {
            profile: name.clone(),
            key: "web_identity_token_file",
            missing: "role_arn".into(),
            location: profile.location_of("web_identity_token_file").clone(),
        })?;
        return Ok(BaseSource::WebIdentity {
            profile: name,
            role_arn: role_arn.to_string(),
            token_file: token_file.to_string(),
            session_name: profile.get("role_session_name").map(str::to_string),
            location: profile.location_of("web_identity_token_file").clone(),
        });
    }
    if is_sso(profile) {
        return super::plan_sso::sso(set, profile);
    }
    if let Some(session_arn) = profile.get("login_session") {
        return Ok(BaseSource::Login {
            profile: name,
            session_arn: session_arn.to_string(),
        });
    }
    if has_static_keys(profile) {
        return Ok(BaseSource::Static {
            profile: name,
            credentials: Credentials {
                access_key_id: profile.get("aws_access_key_id").unwrap_or_default().to_string(),
                secret_access_key: Secret::new(profile.get("aws_secret_access_key").unwrap_or_default()),
                session_token: profile
                    .get("aws_session_token")
                    .or_else(|| profile.get("aws_security_token"))
                    .map(Secret::new),
                expiration: None,
            },
        });
    }
    if let Some(key) = ["aws_access_key_id", "aws_secret_access_key"]
        .into_iter()
        .find(|k| profile.get(k).is_some())
    {
        let missing = if key == "aws_access_key_id" {
            "aws_secret_access_key"
        } else {
            "aws_access_key_id"
        };
        return Err(PlanError::Incomplete {
            profile: name,
            key,
            missing: missing.into(),
            location: profile.location_of(key).clone(),
        });
    }
    if let Some(command) = profile.get("credential_process") {
        return Ok(BaseSource::Process {
            profile: name,
            command: command.to_string(),
        });
    }
    if profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some() {
        // botocore would go on to the container and instance-metadata providers for a
        // profile that only names an SSO session or start URL (its SSO provider wants
        // sso_account_id or sso_role_name). rswitch refuses instead: such a profile is an
        // incomplete SSO profile, and resolving it as the instance role is never intended.
        return super::plan_sso::sso(set, profile);
    }
    Ok(BaseSource::DefaultChain {
        profile: name,
        imds_endpoint: None,
    })
}

/// botocore's `SSOProvider._load_sso_config`: `sso_account_id` or `sso_role_name` makes a
/// profile an SSO profile, which then needs all four settings (aws-config agrees).
fn is_sso(profile: &Profile) -> bool {
    profile.get("sso_account_id").is_some() || profile.get("sso_role_name").is_some()
}

/// botocore's `_has_assume_role_config_vars` (a web-identity `role_arn` is not a hop).
pub(super) fn has_assume_role_vars(profile: &Profile) -> bool {
    profile.get("role_arn").is_some() && profile.get("web_identity_token_file").is_none()
}

/// botocore's `_has_static_credentials`.
pub(super) fn has_static_keys(profile: &Profile) -> bool {
    profile.get("aws_access_key_id").is_some() && profile.get("aws_secret_access_key").is_some()
}

/// A source profile whose own role is assumed (no static keys to stop at).
pub(super) fn continues_as_source(profile: &Profile) -> bool {
    has_assume_role_vars(profile) && !has_static_keys(profile)
}

pub(super) fn role_hop(profile: &Profile) -> Result<RoleHop, PlanError> {
    let duration_seconds = match profile.get("duration_seconds") {
        None => None,
        Some(v) => Some(v.parse::<i32>().map_err(|_| PlanError::BadDuration {
            profile: profile.name.clone(),
            value: v.to_string(),
            location: profile.location_of("duration_seconds").clone(),
        })?),
    };
    Ok(RoleHop {
        profile: profile.name.clone(),
        role_arn: profile.get("role_arn").unwrap_or_default().to_string(),
        session_name: profile.get("role_session_name").map(str::to_string),
        external_id: profile.get("external_id").map(str::to_string),
        duration_seconds,
        mfa_serial: profile.get("mfa_serial").map(str::to_string),
        location: profile.location_of("role_arn").clone(),
    })
}
