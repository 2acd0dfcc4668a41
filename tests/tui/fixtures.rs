//! A small world for the TUI tests: profiles parsed from inline INI by the real parser,
//! and hand-built resolution results (plain data, as the resolver returns them).

use rswitch::config::parse_str;
use rswitch::creds::{Credentials, Identity, Secret};
use rswitch::env::Env;
use rswitch::resolve::Catalog;
use rswitch::resolve::outcome::{
    ErrorKind, Failure, HopError, HopKind, HopOutcome, HopStatus, Resolution, Resolved,
};
use rswitch::tui::effect::Effect;
use rswitch::tui::{Look, ProfileRow, State, profile_rows};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const CONFIG: &str = "\
[profile alice]
region = eu-west-1

[profile SwitchFromRole]
role_arn = arn:aws:iam::222222222222:role/SwitchFromRole
source_profile = alice
region = eu-west-1

[profile SwitchToRole]
role_arn = arn:aws:iam::333333333333:role/SwitchToRole
source_profile = SwitchFromRole
region = eu-central-1

[profile denied]
role_arn = arn:aws:iam::444444444444:role/Forbidden
source_profile = alice
region = us-east-1

[profile mfa-admin]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = alice
mfa_serial = arn:aws:iam::111111111111:mfa/alice

[profile broken]
role_arn = arn:aws:iam::555555555555:role/Orphan
";

pub const CREDENTIALS: &str = "\
[alice]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
";

pub const DENIED_MESSAGE: &str = "User: arn:aws:sts::222222222222:assumed-role/SwitchFromRole/rswitch-alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::444444444444:role/Forbidden because no identity-based policy allows the sts:AssumeRole action";

/// A fixed clock, so countdowns in snapshots do not move.
pub fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_800_000_000)
}

pub fn rows() -> Vec<ProfileRow> {
    let set = parse_str(
        Some((Path::new("/home/alice/.aws/config"), CONFIG)),
        Some((Path::new("/home/alice/.aws/credentials"), CREDENTIALS)),
    );
    let env = Env::from_vars([("HOME", "/home/alice")], Some("/home/alice".into()));
    profile_rows(&Catalog::build(Arc::new(set), &env))
}

pub fn state(look: Look) -> State {
    State::new(rows(), look, now())
}

pub fn unicode() -> Look {
    Look {
        ascii: false,
        color: true,
    }
}

fn identity(account: &str, role: Option<&str>) -> Identity {
    match role {
        Some(role) => Identity {
            account: account.into(),
            arn: format!("arn:aws:sts::{account}:assumed-role/{role}/rswitch-alice"),
            user_id: format!("AROAEXAMPLE{role}:rswitch-alice").to_uppercase(),
        },
        None => Identity {
            account: account.into(),
            arn: format!("arn:aws:iam::{account}:user/alice"),
            user_id: "AIDAEXAMPLEALICE".into(),
        },
    }
}

fn credentials(expiration: Option<SystemTime>) -> Credentials {
    Credentials {
        access_key_id: "ASIAEXAMPLE".into(),
        secret_access_key: Secret::new("secret-never-shown"),
        session_token: Some(Secret::new("token-never-shown")),
        expiration,
    }
}

fn base_hop(cached: bool) -> HopOutcome {
    HopOutcome {
        profile: "alice".into(),
        kind: HopKind::Base,
        source: Some("static"),
        role_arn: None,
        endpoint: None,
        status: HopStatus::Ok,
        cached,
        identity: Some(identity("111111111111", None)),
        expiration: None,
        error: None,
    }
}

fn role_hop(profile: &str, account: &str, role: &str) -> HopOutcome {
    HopOutcome {
        profile: profile.into(),
        kind: HopKind::AssumeRole,
        source: None,
        role_arn: Some(format!("arn:aws:iam::{account}:role/{role}")),
        endpoint: None,
        status: HopStatus::Ok,
        cached: false,
        identity: Some(identity(account, Some(role))),
        expiration: Some(now() + Duration::from_secs(3552)),
        error: None,
    }
}

/// What the resolver would answer for each fixture profile.
pub fn resolution(profile: &str) -> Resolution {
    let exp = Some(now() + Duration::from_secs(3552));
    let ok = |chain: &[&str], hops: Vec<HopOutcome>, account: &str, role: Option<&str>, exp| Resolution {
        profile: profile.into(),
        chain: chain.iter().map(|s| s.to_string()).collect(),
        region: None,
        hops,
        outcome: Ok(Resolved {
            credentials: credentials(exp),
            identity: identity(account, role),
            expiration: exp,
        }),
    };
    match profile {
        "alice" => ok(&["alice"], vec![base_hop(false)], "111111111111", None, None),
        "SwitchFromRole" => ok(
            &["alice", "SwitchFromRole"],
            vec![
                base_hop(true),
                role_hop("SwitchFromRole", "222222222222", "SwitchFromRole"),
            ],
            "222222222222",
            Some("SwitchFromRole"),
            exp,
        ),
        "SwitchToRole" => ok(
            &["alice", "SwitchFromRole", "SwitchToRole"],
            vec![
                base_hop(true),
                role_hop("SwitchFromRole", "222222222222", "SwitchFromRole"),
                role_hop("SwitchToRole", "333333333333", "SwitchToRole"),
            ],
            "333333333333",
            Some("SwitchToRole"),
            exp,
        ),
        "mfa-admin" => ok(
            &["alice", "mfa-admin"],
            vec![base_hop(true), role_hop("mfa-admin", "222222222222", "Admin")],
            "222222222222",
            Some("Admin"),
            exp,
        ),
        _ => {
            let mut error = HopError::new(ErrorKind::Denied, Some("AccessDenied".into()), DENIED_MESSAGE);
            error.caller_arn = Some("arn:aws:iam::111111111111:user/alice".into());
            let failed = HopOutcome {
                profile: profile.into(),
                kind: HopKind::AssumeRole,
                source: None,
                role_arn: Some("arn:aws:iam::444444444444:role/Forbidden".into()),
                endpoint: None,
                status: HopStatus::Failed,
                cached: false,
                identity: None,
                expiration: None,
                error: Some(error.clone()),
            };
            Resolution {
                profile: profile.into(),
                chain: vec!["alice".into(), profile.into()],
                region: Some("us-east-1".into()),
                hops: vec![base_hop(false), failed],
                outcome: Err(Failure { hop: Some(1), error }),
            }
        }
    }
}

/// Answers every `Resolve` effect with the fixture result, in the order given.
pub fn answer(state: &mut State, effects: Vec<Effect>) -> Vec<Effect> {
    let mut out = Vec::new();
    for effect in effects {
        match effect {
            Effect::Resolve {
                request_id, profile, ..
            } => {
                let resolution = Box::new(resolution(&profile));
                // As the runtime does: the doctor's verdict comes with a failure.
                let verdict = resolution
                    .outcome
                    .is_err()
                    .then(|| rswitch::doctor::diagnose(None, &resolution).short_verdict());
                out.extend(rswitch::tui::update::update(
                    state,
                    rswitch::tui::action::Action::Resolved {
                        request_id,
                        profile,
                        resolution,
                        verdict,
                    },
                ));
            }
            other => out.push(other),
        }
    }
    out
}
