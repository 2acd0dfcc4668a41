//! The demo's IAM world: accounts, users with access keys and MFA devices, roles with trust
//! and identity policies. Loaded from `assets/demo/world.json`, compiled into the binary.
//!
//! Read-only after loading; the sessions the demo STS issues live in `sts.rs`.

use super::policy::PolicyDocument;
use crate::creds::Secret;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The world shipped with rswitch.
pub(crate) const WORLD_JSON: &str = include_str!("../../assets/demo/world.json");

#[derive(Clone, Debug, Deserialize)]
pub struct World {
    /// Account id -> a short name.
    pub accounts: BTreeMap<String, String>,
    /// The EC2 instance whose role the demo IMDS serves.
    pub instance: Instance,
    pub users: Vec<User>,
    pub roles: Vec<Role>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Instance {
    /// Instance id, used as the role session name (as EC2 does).
    pub id: String,
    /// ARN of the instance profile's role.
    pub role: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct User {
    pub account: String,
    pub name: String,
    /// The unique id (`AIDA…`) GetCallerIdentity reports as `UserId`.
    pub id: String,
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    #[serde(default)]
    pub mfa: Option<MfaDevice>,
    #[serde(default)]
    pub policies: Vec<PolicyDocument>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct AccessKey {
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

/// A virtual MFA device. The demo accepts one fixed code instead of a TOTP.
#[derive(Clone, Debug, Deserialize)]
pub struct MfaDevice {
    pub serial: String,
    pub code: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Role {
    pub account: String,
    pub name: String,
    /// The unique id (`AROA…`) that prefixes `AssumedRoleId`.
    pub id: String,
    #[serde(default = "default_max_session")]
    pub max_session_duration: u32,
    pub trust_policy: PolicyDocument,
    #[serde(default)]
    pub policies: Vec<PolicyDocument>,
}

fn default_max_session() -> u32 {
    3600
}

impl User {
    pub(crate) fn arn(&self) -> String {
        format!("arn:aws:iam::{}:user/{}", self.account, self.name)
    }
}

impl Role {
    pub(crate) fn arn(&self) -> String {
        format!("arn:aws:iam::{}:role/{}", self.account, self.name)
    }
}

/// A role ARN taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RoleArn<'a> {
    pub account: &'a str,
    /// The resource after `role/`, path included.
    pub name: &'a str,
}

/// Splits `arn:PARTITION:iam::ACCOUNT:role/NAME`. `None` when the string does not have the
/// six colon-separated fields of an ARN (STS answers such a value with a ValidationError);
/// a well-formed ARN that names no role is for the caller to treat as a missing role.
pub(crate) fn parse_arn(arn: &str) -> Option<Vec<&str>> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let well_formed = parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && !parts[2].is_empty()
        && !parts[5].is_empty();
    well_formed.then_some(parts)
}

/// The account and role name of a role ARN, if it is one.
pub(crate) fn role_arn(arn: &str) -> Option<RoleArn<'_>> {
    let parts = parse_arn(arn)?;
    let name = parts[5].strip_prefix("role/")?;
    (parts[2] == "iam" && parts[3].is_empty() && !name.is_empty()).then_some(RoleArn {
        account: parts[4],
        name,
    })
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum WorldError {
    #[error("demo world: {0}")]
    Json(#[from] serde_json::Error),
    #[error("demo world: {0}")]
    Invalid(String),
}

impl World {
    /// The world compiled into rswitch.
    pub(crate) fn demo() -> Result<World, WorldError> {
        World::from_json(WORLD_JSON)
    }

    pub(crate) fn from_json(json: &str) -> Result<World, WorldError> {
        let world: World = serde_json::from_str(json)?;
        world.validate()?;
        Ok(world)
    }

    /// Checks what IAM itself would refuse: unknown accounts, duplicate keys, trust
    /// policies naming principals that do not exist.
    fn validate(&self) -> Result<(), WorldError> {
        let invalid = |m: String| Err(WorldError::Invalid(m));
        let mut keys = BTreeSet::new();
        for u in &self.users {
            if !self.accounts.contains_key(&u.account) {
                return invalid(format!("user {} is in unknown account {}", u.name, u.account));
            }
            for k in &u.access_keys {
                if !keys.insert(k.access_key_id.as_str()) {
                    return invalid(format!("access key {} is used twice", k.access_key_id));
                }
            }
        }
        for r in &self.roles {
            if !self.accounts.contains_key(&r.account) {
                return invalid(format!("role {} is in unknown account {}", r.name, r.account));
            }
            let named = r
                .trust_policy
                .statements
                .iter()
                .filter_map(|s| s.principal.as_ref());
            for arn in named.flat_map(|p| &p.aws).filter(|a| a.contains('/')) {
                if self.user_by_arn(arn).is_none() && self.role_by_arn(arn).is_none() {
                    return invalid(format!(
                        "trust policy of {} names unknown principal {arn}",
                        r.name
                    ));
                }
            }
        }
        if self.role_by_arn(&self.instance.role).is_none() {
            return invalid(format!("instance role {} does not exist", self.instance.role));
        }
        Ok(())
    }

    pub(crate) fn user_by_access_key(&self, access_key_id: &str) -> Option<(&User, &AccessKey)> {
        self.users.iter().find_map(|u| {
            u.access_keys
                .iter()
                .find(|k| k.access_key_id == access_key_id)
                .map(|k| (u, k))
        })
    }

    pub(crate) fn user_by_arn(&self, arn: &str) -> Option<&User> {
        self.users.iter().find(|u| u.arn() == arn)
    }

    pub(crate) fn role_by_arn(&self, arn: &str) -> Option<&Role> {
        let parsed = role_arn(arn)?;
        self.roles
            .iter()
            .find(|r| r.account == parsed.account && r.name == parsed.name)
    }

    /// A user by name, e.g. `alice`.
    pub fn user(&self, name: &str) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    /// A role by name, e.g. `SwitchToRole` (names are unique across the demo's accounts).
    pub fn role(&self, name: &str) -> Option<&Role> {
        self.roles.iter().find(|r| r.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_world_loads_and_is_consistent() {
        let w = World::demo().expect("shipped world is valid");
        assert_eq!(w.accounts["111111111111"], "dev");
        assert_eq!(w.accounts["222222222222"], "prod");
        let alice = w.user("alice").expect("alice");
        let key = &alice.access_keys[0].access_key_id;
        assert!(key.starts_with("AKIA") && key.len() == 20, "{key}");
        assert_eq!(
            w.user_by_access_key(key).map(|(u, _)| u.name.as_str()),
            Some("alice")
        );
        for name in [
            "SwitchFromRole",
            "Admin",
            "SwitchToRole",
            "SwitchToRole2",
            "ReadOnly",
            "Deploy",
        ] {
            let role = w.role(name).expect(name);
            assert_eq!(w.role_by_arn(&role.arn()).map(|r| &r.name), Some(&role.name));
        }
        assert_eq!(
            w.role("SwitchToRole").map(|r| r.account.as_str()),
            Some("222222222222")
        );
        assert_eq!(w.role("Admin").map(|r| r.account.as_str()), Some("111111111111"));
    }

    #[test]
    fn validation_rejects_unknown_principals() {
        let json = WORLD_JSON.replace(
            "arn:aws:iam::111111111111:user/bob",
            "arn:aws:iam::111111111111:user/eve",
        );
        let err = World::from_json(&json).expect_err("eve does not exist");
        assert!(err.to_string().contains("user/eve"), "{err}");
    }

    #[test]
    fn role_arns() {
        let ok = role_arn("arn:aws:iam::222222222222:role/SwitchToRole");
        assert_eq!(
            ok,
            Some(RoleArn {
                account: "222222222222",
                name: "SwitchToRole"
            })
        );
        assert_eq!(
            role_arn("arn:aws:iam::222222222222:role/ops/Deploy").map(|r| r.name),
            Some("ops/Deploy")
        );
        // The classic mistake: a slash where `:role/` belongs. Not even an ARN.
        assert!(parse_arn("arn:aws:iam::222222222222/SwitchToRole").is_none());
        assert!(parse_arn("arn:aws:iam:222222222222:role/SwitchToRole").is_none());
        // Well-formed ARNs that are not roles.
        assert!(parse_arn("arn:aws:iam::111111111111:user/alice").is_some());
        assert!(role_arn("arn:aws:iam::111111111111:user/alice").is_none());
        assert!(role_arn("arn:aws:s3:::bucket/role/x").is_none());
    }
}
