//! An SSO profile's settings, checked as botocore's `SSOProvider._load_sso_config` and
//! `_resolve_sso_session_reference` check them: the four settings `sso_role_name`,
//! `sso_account_id`, `sso_start_url` and `sso_region` are all required (from the profile
//! or its `[sso-session]`), the session must exist, and a key set in both the profile and
//! the session must have the same value.
//!
//! Where the SDKs disagree this follows botocore: the AWS SDK for JavaScript v3 uses the
//! session's `sso_start_url` when the profile's differs, botocore refuses the profile
//! (`The value for sso_start_url is inconsistent between profile (A) and sso-session
//! (B).`), and so does rswitch.

use super::plan::BaseSource;
use super::plan_error::PlanError;
use crate::config::{ConfigSet, Profile};

/// botocore's order of the required settings.
const REQUIRED: [&str; 4] = ["sso_role_name", "sso_account_id", "sso_start_url", "sso_region"];

pub(super) fn sso(set: &ConfigSet, profile: &Profile) -> Result<BaseSource, PlanError> {
    let name = profile.name.clone();
    let anchor = ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name"]
        .into_iter()
        .find(|k| profile.get(k).is_some())
        .unwrap_or("sso_session");
    let location = profile.location_of(anchor).clone();
    let session_name = profile.get("sso_session");
    let session = match session_name {
        None => None,
        Some(s) => Some(
            set.sso_sessions
                .get(s)
                .ok_or_else(|| PlanError::MissingSsoSession {
                    profile: name.clone(),
                    session: s.to_string(),
                    location: profile.location_of("sso_session").clone(),
                })?,
        ),
    };
    if let (Some(session), Some(session_name)) = (session, session_name) {
        for (key, property) in &session.properties {
            if let Some(own) = profile.property(key)
                && own.value != property.value
            {
                return Err(PlanError::SsoSessionConflict {
                    profile: name,
                    key: key.clone(),
                    values: format!(
                        "'{}' differs from '{}' in [sso-session {session_name}] ({})",
                        own.value, property.value, property.location
                    ),
                    location: own.location.clone(),
                });
            }
        }
    }
    let value = |key: &str| {
        session
            .and_then(|s| s.get(key))
            .or_else(|| profile.get(key))
            .map(str::to_string)
    };
    let missing: Vec<String> = REQUIRED
        .iter()
        .filter(|key| value(key).is_none())
        .map(|key| match (session, session_name) {
            (Some(s), Some(n)) if key.starts_with("sso_start") || *key == "sso_region" => {
                format!("{key} in [sso-session {n}] ({})", s.location)
            }
            _ => key.to_string(),
        })
        .collect();
    if !missing.is_empty() {
        return Err(PlanError::IncompleteSso {
            profile: name,
            anchor,
            missing: missing.join(", "),
            location,
        });
    }
    Ok(BaseSource::Sso {
        profile: name,
        session: session_name.map(str::to_string),
        start_url: value("sso_start_url").unwrap_or_default(),
        sso_region: value("sso_region").unwrap_or_default(),
        account_id: value("sso_account_id").unwrap_or_default(),
        role_name: value("sso_role_name").unwrap_or_default(),
    })
}
