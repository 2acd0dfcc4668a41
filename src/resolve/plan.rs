//! Turns a profile into an ordered plan of hops (base credentials, then each AssumeRole)
//! before any call is made, following the AWS CLI's (botocore's) resolution rules:
//!
//! - `role_arn` with `web_identity_token_file` is a web-identity base, not a role hop;
//! - `role_arn` needs exactly one of `source_profile` / `credential_source`;
//! - a source profile that holds static keys is used for its keys even if it also has a
//!   `role_arn` (this is how `[p] role_arn=… source_profile=p aws_access_key_id=…` works);
//! - a source profile without role settings resolves through its own credential setting
//!   (SSO, `credential_process`, web identity);
//! - any other revisit of a profile is a loop, reported as `a -> b -> a`;
//! - a source profile without credential settings is an error (the requested profile
//!   without any falls back to the default chain);
//! - `sso_account_id` or `sso_role_name` make an SSO profile, which needs all of its
//!   settings and must agree with its `[sso-session]`;
//! - while either file has a line the AWS CLI cannot parse, no profile is planned.
//!
//! The rules live in `planner` (chains) and `plan_sso`.
//!
//! Pure: reads only the [`ConfigSet`] and the [`Env`].

use super::planner::{Chains, unparsable};
use crate::config::{ConfigSet, Location, Profile};
use crate::creds::Credentials;
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
        crate::arn::name_of(&self.role_arn)
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
    pub(crate) fn chain_names(&self) -> Vec<String> {
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

/// Builds the plan for `name` alone. A run that needs more than one profile reads the
/// [`Catalog`](super::catalog::Catalog), which plans each profile once.
pub fn plan(set: &ConfigSet, env: &Env, name: &str) -> Result<Plan, PlanError> {
    let mut chains = Chains::new(set);
    let index = chains.index_of(name).ok_or_else(|| not_found(set, name))?;
    if let Some(e) = unparsable(set, name) {
        return Err(e);
    }
    let node = chains.top(set, index)?;
    let (base, hops) = chains.parts(node);
    assemble(set, env, name, base, hops)
}

pub(super) fn not_found(set: &ConfigSet, name: &str) -> PlanError {
    PlanError::NotFound {
        profile: name.to_string(),
        config: set.config_file.display().to_string(),
        credentials: set.credentials_file.display().to_string(),
    }
}

/// The plan of `name` from its planned chain: the settings that come from the requested
/// profile and the environment (region, endpoints).
pub(super) fn assemble(
    set: &ConfigSet,
    env: &Env,
    name: &str,
    mut base: BaseSource,
    hops: Vec<RoleHop>,
) -> Result<Plan, PlanError> {
    let profile = &set.profiles[name];
    let imds = imds_endpoint(env, profile);
    let imds_endpoint = match &mut base {
        BaseSource::Ec2InstanceMetadata { endpoint, .. } => {
            let imds = imds?;
            endpoint.clone_from(&imds);
            imds
        }
        BaseSource::DefaultChain { imds_endpoint: e, .. } => {
            let imds = imds?;
            e.clone_from(&imds);
            imds
        }
        _ => imds.unwrap_or_default(),
    };
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
        sts_endpoint: configured_endpoint(env, Some((set, profile)), Service::STS),
        imds_endpoint,
        use_fips: flag(env, Some(profile), "AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
        use_dual_stack: flag(
            env,
            Some(profile),
            "AWS_USE_DUALSTACK_ENDPOINT",
            "use_dualstack_endpoint",
        ),
    })
}

/// A boolean setting: the environment variable, else the profile's key; only `true`
/// (any case) is true, as botocore's `ensure_boolean` reads it.
pub(crate) fn flag(env: &Env, profile: Option<&Profile>, env_key: &str, key: &str) -> bool {
    env.get(env_key)
        .or_else(|| profile?.get(key))
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
pub(crate) const IMDS_IPV4: &str = "http://169.254.169.254";
pub(crate) const IMDS_IPV6: &str = "http://[fd00:ec2::254]";

/// A service as its configured endpoint is named: the suffix of its environment variable
/// and its key in a `[services]` section (the service id, lower case, `_` for spaces).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Service {
    env_suffix: &'static str,
    config_key: &'static str,
}

impl Service {
    pub(crate) const STS: Service = Service {
        env_suffix: "STS",
        config_key: "sts",
    };
    pub(crate) const SIGNIN: Service = Service {
        env_suffix: "SIGNIN",
        config_key: "signin",
    };
    pub(crate) const SSO: Service = Service {
        env_suffix: "SSO",
        config_key: "sso",
    };
    pub(crate) const SSO_OIDC: Service = Service {
        env_suffix: "SSO_OIDC",
        config_key: "sso_oidc",
    };
}

/// The configured endpoint of `service`, by the precedence documented for
/// service-specific endpoints: `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`, the
/// profile's `[services]` section, the profile's `endpoint_url` (`profile`: `None` reads the
/// environment only). `ignore_configured_endpoint_urls` is itself a setting (environment
/// first, then the profile); when true it disables every configured URL, the
/// environment's included — botocore and the SDKs agree.
pub(crate) fn configured_endpoint(
    env: &Env,
    profile: Option<(&ConfigSet, &Profile)>,
    service: Service,
) -> Option<String> {
    if flag(
        env,
        profile.map(|(_, p)| p),
        "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        "ignore_configured_endpoint_urls",
    ) {
        return None;
    }
    if let Some(url) = env
        .get(&format!("AWS_ENDPOINT_URL_{}", service.env_suffix))
        .or_else(|| env.get("AWS_ENDPOINT_URL"))
    {
        return Some(url.to_string());
    }
    let (set, profile) = profile?;
    let from_services = profile.get("services").and_then(|services| {
        set.other_sections
            .get(&("services".to_string(), services.to_string()))?
            .sub_property(service.config_key, "endpoint_url")
            .map(|p| p.value.clone())
    });
    from_services.or_else(|| profile.get("endpoint_url").map(str::to_string))
}
