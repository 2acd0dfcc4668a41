//! Which IAM Identity Center login a command is about: an `[sso-session NAME]`, or the
//! start URL of a legacy SSO profile, with the portal's region and the registration
//! scopes, read from the configuration as the AWS CLI v2 reads them.

use super::SsoError;
use crate::config::ConfigSet;
use crate::env::Env;
use crate::resolve::plan::{BaseSource, flag};

const FIPS_VAR: &str = "AWS_USE_FIPS_ENDPOINT";

/// One login: what `aws sso login` would log in to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SsoSession {
    /// The `[sso-session]` name; `None` for a legacy profile (`sso_start_url` in it).
    pub name: Option<String>,
    pub start_url: String,
    /// `sso_region`: where the portal and its OIDC service live.
    pub region: String,
    /// `sso_registration_scopes`, split as the AWS CLI does; `None` when not set.
    pub scopes: Option<Vec<String>>,
    /// `use_fips_endpoint` of the profile logged in through, or `AWS_USE_FIPS_ENDPOINT`.
    pub use_fips: bool,
}

impl SsoSession {
    /// `sso-session 'corp'` or `start URL 'https://…'`, for messages.
    pub(crate) fn describe(&self) -> String {
        match &self.name {
            Some(name) => format!("sso-session '{name}'"),
            None => format!("start URL '{}'", self.start_url),
        }
    }

    /// The `[sso-session NAME]` section.
    pub(crate) fn named(set: &ConfigSet, env: &Env, name: &str) -> Result<SsoSession, SsoError> {
        let Some(section) = set.sso_sessions.get(name) else {
            return Err(SsoError::Config(format!(
                "sso-session '{name}': no [sso-session {name}] section in {}",
                set.config_file.display()
            )));
        };
        let required = |key: &str| {
            section.get(key).map(str::to_string).ok_or_else(|| {
                SsoError::Config(format!(
                    "sso-session '{name}': {key} is not set in [sso-session {name}] ({})",
                    section.location
                ))
            })
        };
        Ok(SsoSession {
            name: Some(name.to_string()),
            start_url: required("sso_start_url")?,
            region: required("sso_region")?,
            scopes: section.get("sso_registration_scopes").map(parse_scopes),
            use_fips: flag(env, None, FIPS_VAR, "use_fips_endpoint"),
        })
    }

    /// The login `profile` needs: its own, or that of the SSO profile its chain starts from.
    pub(crate) fn for_profile(set: &ConfigSet, env: &Env, profile: &str) -> Result<SsoSession, SsoError> {
        let plan =
            crate::resolve::plan::plan(set, env, profile).map_err(|e| SsoError::Config(e.to_string()))?;
        let BaseSource::Sso {
            profile: base,
            session,
            start_url,
            sso_region,
            ..
        } = &plan.base
        else {
            return Err(SsoError::Config(format!(
                "profile '{profile}' does not use IAM Identity Center (its credentials come from {}); \
                 nothing to log in to",
                plan.base.label()
            )));
        };
        let use_fips = flag(env, set.profile(base), FIPS_VAR, "use_fips_endpoint");
        match session {
            Some(name) => Ok(SsoSession {
                use_fips,
                ..SsoSession::named(set, env, name)?
            }),
            None => Ok(SsoSession {
                name: None,
                start_url: start_url.clone(),
                region: sso_region.clone(),
                scopes: None,
                use_fips,
            }),
        }
    }
}

/// `parse_sso_registration_scopes`: comma-separated, trimmed, empty items dropped.
pub(crate) fn parse_scopes(raw: &str) -> Vec<String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_split_as_the_cli_splits_them() {
        assert_eq!(
            parse_scopes(" sso:account:access, ,codewhisperer:completions,"),
            vec!["sso:account:access", "codewhisperer:completions"]
        );
        assert!(parse_scopes(" , ").is_empty());
    }
}
