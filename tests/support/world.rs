//! The two-account test world on moto, and the shared stack (moto + world + IMDS).
//!
//! `world.py` builds it with boto3 and prints it as JSON (see that file for every user,
//! role and policy), then switches moto's IAM enforcement on. Tests only read the world,
//! so one stack per test binary serves them all; what differs per test is its [`Home`]
//! and, when it injects faults, its own [`Proxy`].
//!
//! [`Home`]: super::Home
//! [`Proxy`]: super::Proxy

use super::Moto;
use rswitch::creds::{Credentials, Secret};
use rswitch::fake_aws::loopback::Server;
use serde::Deserialize;
use std::process::Command;
use std::sync::OnceLock;

#[derive(Clone, Debug, Deserialize)]
pub struct User {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub arn: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Session {
    pub name: String,
    pub arn: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Roles {
    /// 111111111111 instance role; may assume SwitchToRole.
    pub switch_from: String,
    /// 222222222222; trusts alice, carol and SwitchFromRole; may assume Deploy.
    pub switch_to: String,
    /// 222222222222; no caller has an Allow for it.
    pub switch_to2: String,
    /// 222222222222; allowed by a wildcard but explicitly denied to alice and SwitchFromRole.
    pub forbidden: String,
    /// 222222222222; only SwitchToRole may assume it (a chain's second hop).
    pub deploy: String,
    /// 111111111111; alice may, but its trust policy names another user.
    pub local_admin: String,
    /// 111111111111; trusts alice with `sts:ExternalId` = [`World::external_id`].
    pub external_id: String,
}

/// What `world.py` created. Account 111111111111 holds users alice and carol.
#[derive(Clone, Debug, Deserialize)]
pub struct World {
    pub endpoint: String,
    pub source_account: String,
    pub target_account: String,
    pub external_id: String,
    pub alice: User,
    pub carol: User,
    /// 333333333333, whose IAM alias is [`World::alias`].
    pub aliased_account: String,
    pub alias: String,
    /// 333333333333; may call iam:ListAccountAliases.
    pub dana: User,
    /// 333333333333; may not.
    pub erin: User,
    /// A real SwitchFromRole session, served by the stack's IMDS.
    pub instance_role: Session,
    pub roles: Roles,
}

impl World {
    /// Builds the world on a fresh `moto` and switches enforcement on.
    pub fn build(moto: &Moto) -> World {
        let python = super::venv_bin("python");
        let script = super::support_dir().join("world.py");
        let out = Command::new(&python)
            .arg(&script)
            .arg(moto.url())
            .env_remove("MOTO_ACCOUNT_ID")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        assert!(
            out.status.success(),
            "{} failed ({}):\n{}",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{} printed no world ({e}):\n{}",
                script.display(),
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}

/// moto with the world built, and an IMDSv2 endpoint serving the instance role's session.
pub struct Stack {
    pub world: World,
    pub imds: Server,
    pub moto: Moto,
}

impl Stack {
    pub fn start() -> Stack {
        let moto = Moto::start();
        let world = World::build(&moto);
        let s = &world.instance_role;
        let creds = Credentials {
            access_key_id: s.access_key_id.clone(),
            secret_access_key: Secret::new(s.secret_access_key.clone()),
            session_token: Some(Secret::new(s.session_token.clone())),
            expiration: None,
        };
        let imds = super::runtime()
            .block_on(rswitch::fake_aws::imds::start(&s.name, creds))
            .expect("cannot start the IMDS endpoint");
        Stack { world, imds, moto }
    }

    /// moto's endpoint, for profiles that talk to it directly.
    pub fn endpoint(&self) -> &str {
        &self.world.endpoint
    }

    /// The IMDS endpoint, for `ec2_metadata_service_endpoint`.
    pub fn imds_url(&self) -> String {
        self.imds.url()
    }
}

/// The stack shared by every test of this binary, started on first use.
pub fn shared() -> &'static Stack {
    static STACK: OnceLock<Stack> = OnceLock::new();
    STACK.get_or_init(Stack::start)
}
