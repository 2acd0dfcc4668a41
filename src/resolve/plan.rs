//! Turns a profile into an ordered plan of hops (base credentials, then each AssumeRole)
//! before any call is made, following the AWS CLI's (botocore's) resolution rules:
//!
//! - `role_arn` with `web_identity_token_file` is a web-identity base, not a role hop;
//! - `role_arn` needs exactly one of `source_profile` / `credential_source`;
//! - a source profile that holds static keys is used for its keys even if it also has a
//!   `role_arn` (this is how `[p] role_arn=… source_profile=p aws_access_key_id=…` works);
//! - a source profile without role settings resolves through its own credential setting
//!   (SSO, `credential_process`, web identity);
//! - any other revisit of a profile is a loop, reported as `a -> b -> a`.
//!
//! Pure: reads only the [`ConfigSet`] and the [`Env`].

use crate::config::{ConfigSet, Location, Profile};
use crate::creds::{Credentials, Secret};
use crate::env::Env;
use serde::Serialize;

pub use super::plan_error::PlanError;

/// Where the first credentials of a chain come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaseSource {
    /// `aws_access_key_id` / `aws_secret_access_key` (and maybe `aws_session_token`).
    Static {
        profile: String,
        credentials: Credentials,
    },
    /// `credential_source = Environment`: `AWS_ACCESS_KEY_ID` etc. of this process.
    Environment { profile: String },
    /// `credential_source = Ec2InstanceMetadata`: IMDSv2 on the instance.
    Ec2InstanceMetadata {
        profile: String,
        endpoint: Option<String>,
    },
    /// `credential_source = EcsContainer`: the container credentials endpoint.
    EcsContainer { profile: String },
    /// `credential_process = …`
    Process { profile: String, command: String },
    /// IAM Identity Center, through the token cache `aws sso login` leaves.
    Sso {
        profile: String,
        session: Option<String>,
        start_url: String,
        sso_region: String,
        account_id: String,
        role_name: String,
    },
    /// `login_session`: the console-credentials login `aws login` leaves in
    /// `~/.aws/login/cache`, refreshed through AWS Sign-In.
    Login { profile: String, session_arn: String },
    /// `web_identity_token_file` + `role_arn`: AssumeRoleWithWebIdentity.
    WebIdentity {
        profile: String,
        role_arn: String,
        token_file: String,
        session_name: Option<String>,
        /// Where `web_identity_token_file` is set, for errors about the file.
        location: Location,
    },
    /// A profile with no credential settings: the CLI falls back to the container and
    /// instance-metadata providers.
    DefaultChain {
        profile: String,
        imds_endpoint: Option<String>,
    },
}

impl BaseSource {
    pub fn profile(&self) -> &str {
        match self {
            BaseSource::Static { profile, .. }
            | BaseSource::Environment { profile }
            | BaseSource::Ec2InstanceMetadata { profile, .. }
            | BaseSource::EcsContainer { profile }
            | BaseSource::Process { profile, .. }
            | BaseSource::Sso { profile, .. }
            | BaseSource::Login { profile, .. }
            | BaseSource::WebIdentity { profile, .. }
            | BaseSource::DefaultChain { profile, .. } => profile,
        }
    }

    /// Short name shown in chains and tables.
    pub fn label(&self) -> &'static str {
        match self {
            BaseSource::Static { .. } => "static",
            BaseSource::Environment { .. } => "environment",
            BaseSource::Ec2InstanceMetadata { .. } => "ec2-imds",
            BaseSource::EcsContainer { .. } => "ecs",
            BaseSource::Process { .. } => "process",
            BaseSource::Sso { .. } => "sso",
            BaseSource::Login { .. } => "login",
            BaseSource::WebIdentity { .. } => "web-identity",
            BaseSource::DefaultChain { .. } => "default-chain",
        }
    }
}

/// One AssumeRole call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RoleHop {
    /// The profile whose `role_arn` this is.
    pub profile: String,
    pub role_arn: String,
    /// `role_session_name` if configured (the cache key uses only a configured name).
    pub session_name: Option<String>,
    pub external_id: Option<String>,
    pub duration_seconds: Option<i32>,
    pub mfa_serial: Option<String>,
    pub location: Location,
}

impl RoleHop {
    /// The role's name, the part after the last `/` of the ARN.
    pub fn role_name(&self) -> &str {
        self.role_arn.rsplit('/').next().unwrap_or(&self.role_arn)
    }
}

/// Everything needed to resolve one profile, decided before any network call.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub profile: String,
    pub base: BaseSource,
    /// AssumeRole hops, innermost first; the last one yields the profile's credentials.
    pub hops: Vec<RoleHop>,
    /// Region for STS calls (env, then profile, then `None`).
    pub region: Option<String>,
    /// The profile's own `region` setting (shown and exported).
    pub profile_region: Option<String>,
    /// STS endpoint override (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`, `[services]`,
    /// `endpoint_url`), in that order of precedence.
    pub sts_endpoint: Option<String>,
    /// The instance metadata endpoint: `AWS_EC2_METADATA_SERVICE_ENDPOINT`,
    /// `ec2_metadata_service_endpoint`, else the one `…_ENDPOINT_MODE` /
    /// `ec2_metadata_service_endpoint_mode` names — all read for this profile.
    pub imds_endpoint: Option<String>,
    /// `AWS_USE_FIPS_ENDPOINT`, else the profile's `use_fips_endpoint`.
    pub use_fips: bool,
    /// `AWS_USE_DUALSTACK_ENDPOINT`, else the profile's `use_dualstack_endpoint`.
    pub use_dual_stack: bool,
}

impl Plan {
    /// Profile names from the base to the requested profile, without repeats:
    /// `alice -> SwitchFromRole -> SwitchToRole`.
    pub fn chain_names(&self) -> Vec<String> {
        let mut names = vec![self.base.profile().to_string()];
        for hop in &self.hops {
            if names.last() != Some(&hop.profile) {
                names.push(hop.profile.clone());
            }
        }
        names
    }

    pub fn chain_display(&self) -> String {
        self.chain_names().join(" -> ")
    }

    /// True when some hop needs an MFA code typed by the user.
    pub fn needs_mfa(&self) -> bool {
        self.hops.iter().any(|h| h.mfa_serial.is_some())
    }
}

/// Builds the plan for `name`.
pub fn plan(set: &ConfigSet, env: &Env, name: &str) -> Result<Plan, PlanError> {
    let profile = set.profile(name).ok_or_else(|| PlanError::NotFound {
        profile: name.to_string(),
        config: set.config_file.display().to_string(),
        credentials: set.credentials_file.display().to_string(),
    })?;
    let imds = imds_endpoint(env, profile);
    let mut planner = Planner {
        set,
        visited: Vec::new(),
        hops: Vec::new(),
        imds_endpoint: imds.clone().unwrap_or_default(),
    };
    let base = planner.resolve_top(profile)?;
    let imds_endpoint = match base {
        BaseSource::Ec2InstanceMetadata { .. } | BaseSource::DefaultChain { .. } => imds?,
        _ => imds.unwrap_or_default(),
    };
    let mut hops = planner.hops;
    hops.reverse();
    let profile_region = profile.get("region").map(str::to_string);
    let region = env
        .get("AWS_REGION")
        .or_else(|| env.get("AWS_DEFAULT_REGION"))
        .map(str::to_string)
        .or_else(|| profile_region.clone());
    Ok(Plan {
        profile: name.to_string(),
        base,
        hops,
        region,
        profile_region,
        sts_endpoint: sts_endpoint(set, env, profile),
        imds_endpoint,
        use_fips: flag(env, profile, "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
        use_dual_stack: flag(
            env,
            profile,
            "AWS_USE_DUALSTACK_ENDPOINT",
            "use_dualstack_endpoint",
        ),
    })
}

struct Planner<'a> {
    set: &'a ConfigSet,
    /// Profiles entered so far, outermost first.
    visited: Vec<String>,
    /// Role hops, outermost first (reversed at the end).
    hops: Vec<RoleHop>,
    imds_endpoint: Option<String>,
}

impl<'a> Planner<'a> {
    /// The requested profile: botocore's full provider order.
    fn resolve_top(&mut self, profile: &'a Profile) -> Result<BaseSource, PlanError> {
        self.visited.push(profile.name.clone());
        if has_assume_role_vars(profile) {
            return self.assume_role(profile);
        }
        self.non_role_source(profile)
    }

    /// botocore's `_load_creds_via_assume_role`.
    fn assume_role(&mut self, profile: &'a Profile) -> Result<BaseSource, PlanError> {
        self.hops.push(role_hop(profile)?);
        let source_profile = profile.get("source_profile");
        let credential_source = profile.get("credential_source");
        match (source_profile, credential_source) {
            (Some(_), Some(_)) => Err(PlanError::BothSources {
                profile: profile.name.clone(),
                location: profile.location_of("credential_source").clone(),
            }),
            (None, None) => Err(PlanError::NoSource {
                profile: profile.name.clone(),
                location: profile.location_of("role_arn").clone(),
            }),
            (None, Some(source)) => self.credential_source(profile, source),
            (Some(source), None) => self.source_profile(profile, source),
        }
    }

    fn credential_source(&self, profile: &Profile, value: &str) -> Result<BaseSource, PlanError> {
        let name = profile.name.clone();
        match value {
            "Environment" => Ok(BaseSource::Environment { profile: name }),
            "Ec2InstanceMetadata" => Ok(BaseSource::Ec2InstanceMetadata {
                profile: name,
                endpoint: self.imds_endpoint.clone(),
            }),
            "EcsContainer" => Ok(BaseSource::EcsContainer { profile: name }),
            other => Err(PlanError::UnknownCredentialSource {
                profile: name,
                value: other.to_string(),
                location: profile.location_of("credential_source").clone(),
            }),
        }
    }

    /// botocore's `_validate_source_profile` + `_resolve_credentials_from_profile`.
    fn source_profile(&mut self, parent: &'a Profile, source_name: &str) -> Result<BaseSource, PlanError> {
        let location = parent.location_of("source_profile").clone();
        let Some(source) = self.set.profile(source_name) else {
            return Err(PlanError::MissingSourceProfile {
                profile: parent.name.clone(),
                source_profile: source_name.to_string(),
                location,
            });
        };
        if self.visited.iter().any(|v| v == source_name) {
            if source_name != parent.name {
                let start = self.visited.iter().position(|v| v == source_name).unwrap_or(0);
                let mut cycle: Vec<&str> = self.visited[start..].iter().map(String::as_str).collect();
                cycle.push(source_name);
                return Err(PlanError::Cycle {
                    profile: parent.name.clone(),
                    cycle: cycle.join(" -> "),
                    location,
                });
            }
            if !has_static_keys(source) {
                return Err(PlanError::SelfReferenceWithoutKeys {
                    profile: parent.name.clone(),
                    location,
                });
            }
        }
        self.visited.push(source_name.to_string());
        if has_static_keys(source) || !has_assume_role_vars(source) {
            return self.non_role_source(source);
        }
        self.assume_role(source)
    }

    /// A profile's own credentials when it is not assuming a role: web identity, SSO,
    /// `login_session`, static keys, `credential_process` (botocore's order), else the
    /// default chain.
    fn non_role_source(&self, profile: &Profile) -> Result<BaseSource, PlanError> {
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
        if profile.get("sso_session").is_some() || profile.get("sso_start_url").is_some() {
            return self.sso(profile);
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
        Ok(BaseSource::DefaultChain {
            profile: name,
            imds_endpoint: self.imds_endpoint.clone(),
        })
    }

    fn sso(&self, profile: &Profile) -> Result<BaseSource, PlanError> {
        let name = profile.name.clone();
        let session = profile.get("sso_session").map(str::to_string);
        let from_session = |key: &str| {
            session
                .as_deref()
                .and_then(|s| self.set.sso_sessions.get(s))
                .and_then(|s| s.properties.get(key))
                .map(|p| p.value.clone())
        };
        let required = |key: &'static str, value: Option<String>| {
            value.ok_or_else(|| PlanError::Incomplete {
                profile: name.clone(),
                key: if session.is_some() {
                    "sso_session"
                } else {
                    "sso_start_url"
                },
                missing: match &session {
                    Some(s) if !self.set.sso_sessions.contains_key(s) => format!("[sso-session {s}]"),
                    _ => key.to_string(),
                },
                location: profile
                    .location_of(if session.is_some() {
                        "sso_session"
                    } else {
                        "sso_start_url"
                    })
                    .clone(),
            })
        };
        let start_url = required(
            "sso_start_url",
            from_session("sso_start_url").or_else(|| profile.get("sso_start_url").map(str::to_string)),
        )?;
        let sso_region = required(
            "sso_region",
            from_session("sso_region").or_else(|| profile.get("sso_region").map(str::to_string)),
        )?;
        let account_id = required(
            "sso_account_id",
            profile.get("sso_account_id").map(str::to_string),
        )?;
        let role_name = required("sso_role_name", profile.get("sso_role_name").map(str::to_string))?;
        Ok(BaseSource::Sso {
            profile: name,
            session,
            start_url,
            sso_region,
            account_id,
            role_name,
        })
    }
}

fn has_assume_role_vars(profile: &Profile) -> bool {
    profile.get("role_arn").is_some() && profile.get("web_identity_token_file").is_none()
}

fn has_static_keys(profile: &Profile) -> bool {
    profile.get("aws_access_key_id").is_some() && profile.get("aws_secret_access_key").is_some()
}

fn role_hop(profile: &Profile) -> Result<RoleHop, PlanError> {
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

/// A boolean setting: the environment variable, else the profile's key; only `true`
/// (any case) is true, as botocore's `ensure_boolean` reads it.
fn flag(env: &Env, profile: &Profile, env_key: &str, key: &str) -> bool {
    env.get(env_key)
        .or_else(|| profile.get(key))
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The instance metadata endpoint for `profile`, as aws-config's IMDS client picks it,
/// but from the profile being resolved (not only `[default]`): an endpoint from the
/// environment or the profile, else the address of the endpoint mode (environment, then
/// profile; IPv4 when unset). An unknown mode is an error, as in botocore, reported only
/// when the chain reaches IMDS.
fn imds_endpoint(env: &Env, profile: &Profile) -> Result<Option<String>, PlanError> {
    const MODE_KEY: &str = "ec2_metadata_service_endpoint_mode";
    if let Some(endpoint) = env
        .get("AWS_EC2_METADATA_SERVICE_ENDPOINT")
        .or_else(|| profile.get("ec2_metadata_service_endpoint"))
    {
        return Ok(Some(endpoint.to_string()));
    }
    let (mode, location) = match env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
        Some(mode) => (mode, None),
        None => match profile.get(MODE_KEY) {
            Some(mode) => (mode, Some(profile.location_of(MODE_KEY).clone())),
            None => return Ok(None),
        },
    };
    if mode.eq_ignore_ascii_case("ipv4") {
        Ok(Some(IMDS_IPV4.to_string()))
    } else if mode.eq_ignore_ascii_case("ipv6") {
        Ok(Some(IMDS_IPV6.to_string()))
    } else {
        Err(PlanError::BadSetting {
            profile: profile.name.clone(),
            key: if location.is_some() {
                MODE_KEY
            } else {
                "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"
            },
            value: mode.to_string(),
            expected: "IPv4 or IPv6",
            location,
        })
    }
}

/// aws-config's IMDS addresses for the two endpoint modes.
pub const IMDS_IPV4: &str = "http://169.254.169.254";
pub const IMDS_IPV6: &str = "http://[fd00:ec2::254]";

/// STS endpoint precedence, as documented for service-specific endpoints.
/// `ignore_configured_endpoint_urls` is itself a setting (environment first, then the
/// profile); when true it disables every configured URL, the environment's included —
/// botocore and the SDKs agree.
fn sts_endpoint(set: &ConfigSet, env: &Env, profile: &Profile) -> Option<String> {
    if flag(
        env,
        profile,
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "ignore_configured_endpoint_urls",
    ) {
        return None;
    }
    if let Some(url) = env
        .get("AWS_ENDPOINT_URL_STS")
        .or_else(|| env.get("AWS_ENDPOINT_URL"))
    {
        return Some(url.to_string());
    }
    let from_services = profile.get("services").and_then(|services| {
        let section = set
            .other_sections
            .get(&("services".to_string(), services.to_string()))?;
        section
            .sub_property("sts", "endpoint_url")
            .map(|p| p.value.clone())
    });
    from_services.or_else(|| profile.get("endpoint_url").map(str::to_string))
}
