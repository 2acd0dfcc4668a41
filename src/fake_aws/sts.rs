//! An STS-compatible endpoint for the demo world, on loopback: `AssumeRole`,
//! `GetCallerIdentity`, `GetSessionToken` and `GetFederationToken` over the query protocol,
//! authenticated with SigV4 (`sigv4.rs`), decided by IAM's rules (`policy.rs`), answered in
//! STS's own XML and wording (`xml.rs`). The temporary credentials it issues live in memory only.

use super::params::{CharClass, Params, Violations};
use super::policy::{self, Caller, RequestContext};
use super::session::{Principal, SessionStore, random};
use super::world::{self, World};
use super::{sigv4, xml};
use crate::creds::Credentials;
use crate::fake_aws::loopback::{Request, Response, Server, handler};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

/// How long the instance role's credentials (served by the demo IMDS) last, as on EC2.
const INSTANCE_SESSION: Duration = Duration::from_secs(6 * 3600);

/// The demo STS: the world plus the sessions it has issued.
pub struct DemoSts {
    world: Arc<World>,
    pub(super) sessions: SessionStore,
    /// The federation endpoint's sign-in tokens and console sign-ins (`federation.rs`).
    pub(super) console: super::federation::Console,
    /// When non-zero, the longest role session AssumeRole issues, in seconds (real STS's
    /// 900-second minimum does not bind the demo: short sessions show renewal live).
    role_session_cap: AtomicU64,
    /// Requests answered, by `Action` (for tests that count calls).
    calls: Mutex<HashMap<String, usize>>,
}

/// The caller of one request, once authenticated.
struct Authenticated {
    principal: Principal,
    /// `aws:MultiFactorAuthPresent`: absent for long-term keys.
    mfa: Option<bool>,
    temporary: bool,
}

/// An error answer: HTTP status, STS code, message.
#[derive(Debug)]
struct StsError(u16, &'static str, String);

fn validation(message: String) -> StsError {
    StsError(400, "ValidationError", message)
}

fn access_denied(message: String) -> StsError {
    StsError(403, "AccessDenied", message)
}

fn invalid_token() -> StsError {
    StsError(
        403,
        "InvalidClientTokenId",
        "The security token included in the request is invalid.".into(),
    )
}

impl DemoSts {
    pub(crate) fn new(world: Arc<World>) -> Arc<DemoSts> {
        Arc::new(DemoSts {
            world,
            sessions: SessionStore::default(),
            console: Default::default(),
            role_session_cap: AtomicU64::new(0),
            calls: Mutex::default(),
        })
    }

    /// Caps every role session issued from now on at `cap` (`None`: as requested).
    pub fn set_role_session_cap(&self, cap: Option<Duration>) {
        let secs = cap.map_or(0, |c| c.as_secs().max(1));
        self.role_session_cap.store(secs, Ordering::Relaxed);
    }

    fn capped(&self, lifetime: Duration) -> Duration {
        match self.role_session_cap.load(Ordering::Relaxed) {
            0 => lifetime,
            cap => lifetime.min(Duration::from_secs(cap)),
        }
    }

    /// How many requests for `action` (`AssumeRole`, `GetSessionToken`, …) this STS has
    /// received, answered or refused.
    pub fn calls(&self, action: &str) -> usize {
        let calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
        calls.get(action).copied().unwrap_or(0)
    }

    #[cfg(test)]
    pub(crate) fn world(&self) -> &World {
        &self.world
    }

    /// Serves this STS on 127.0.0.1 until the returned server is dropped.
    pub(crate) async fn serve(self: &Arc<Self>) -> std::io::Result<Server> {
        let sts = self.clone();
        Server::start(handler(move |req| {
            let sts = sts.clone();
            async move { sts.handle(&req, SystemTime::now()) }
        }))
        .await
    }

    /// Issues the instance role's session as EC2 does (session name = instance id), for the
    /// IMDS to hand out.
    pub(crate) fn instance_credentials(&self, now: SystemTime) -> Option<Credentials> {
        let role = self.world.role_by_arn(&self.world.instance.role)?;
        let principal = Principal::Role {
            arn: role.arn(),
            id: role.id.clone(),
            account: role.account.clone(),
            session: self.world.instance.id.clone(),
        };
        Some(self.sessions.issue(principal, false, INSTANCE_SESSION, now))
    }

    /// A role session as IAM Identity Center hands it out (GetRoleCredentials): issued
    /// to `role_arn` for `session`, one hour, no trust policy involved.
    pub(crate) fn portal_credentials(
        &self,
        role_arn: &str,
        session: &str,
        now: SystemTime,
    ) -> Option<Credentials> {
        let role = self.world.role_by_arn(role_arn)?;
        let principal = Principal::Role {
            arn: role.arn(),
            id: role.id.clone(),
            account: role.account.clone(),
            session: session.to_string(),
        };
        Some(
            self.sessions
                .issue(principal, false, Duration::from_secs(3600), now),
        )
    }

    /// Answers one request: the federation endpoint under `/federation`, STS elsewhere.
    pub(crate) fn handle(&self, req: &Request, now: SystemTime) -> Response {
        if req.path == "/federation" || req.path.starts_with("/federation?") {
            return super::federation::handle(self, req, now);
        }
        let request_id = request_id();
        match self.dispatch(req, now, &request_id) {
            Ok(response) => response,
            Err(StsError(status, code, message)) => xml::error(status, code, &message, &request_id),
        }
    }

    fn dispatch(&self, req: &Request, now: SystemTime, rid: &str) -> Result<Response, StsError> {
        let params = Params::of(req);
        let action = params.get("Action").unwrap_or_default().to_string();
        {
            let mut calls = self.calls.lock().unwrap_or_else(|p| p.into_inner());
            *calls.entry(action.clone()).or_default() += 1;
        }
        let caller = self.authenticate(req, now)?;
        if matches!(caller.principal, Principal::Federated { .. }) && action != "GetCallerIdentity" {
            return Err(access_denied(format!(
                "User: {} is not authorized to perform: sts:{action}: federated user sessions may call \
                 no STS operation but GetCallerIdentity",
                caller.principal.arn()
            )));
        }
        match action.as_str() {
            "GetCallerIdentity" => {
                let p = &caller.principal;
                Ok(xml::caller_identity(&p.arn(), &p.user_id(), p.account(), rid))
            }
            "AssumeRole" => self.assume_role(&caller, &params, now, rid),
            "GetSessionToken" => self.session_token(&caller, &params, now, rid),
            "GetFederationToken" => self.federation_token(&caller, &params, now, rid),
            "" => Err(StsError(400, "MissingAction", "Missing Action".into())),
            other => Err(StsError(
                400,
                "InvalidAction",
                format!("Could not find operation {other} for version 2011-06-15"),
            )),
        }
    }

    fn authenticate(&self, req: &Request, now: SystemTime) -> Result<Authenticated, StsError> {
        let auth_error = |e: sigv4::AuthError| StsError(403, e.code(), e.to_string());
        let auth = sigv4::parse(req).map_err(auth_error)?;
        let token = req.header("x-amz-security-token");
        if let Some((user, key)) = self.world.user_by_access_key(&auth.access_key_id) {
            if token.is_some() {
                return Err(invalid_token());
            }
            sigv4::verify(req, &auth, key.secret_access_key.expose(), None, now).map_err(auth_error)?;
            let principal = Principal::User {
                arn: user.arn(),
                id: user.id.clone(),
                account: user.account.clone(),
            };
            return Ok(Authenticated {
                principal,
                mfa: None,
                temporary: false,
            });
        }
        let session = self.sessions.get(&auth.access_key_id).ok_or_else(invalid_token)?;
        if token != Some(session.token.expose()) {
            return Err(invalid_token());
        }
        sigv4::verify(req, &auth, session.secret.expose(), token, now).map_err(auth_error)?;
        if session.expiration <= now {
            return Err(StsError(
                403,
                "ExpiredToken",
                "The security token included in the request is expired".into(),
            ));
        }
        Ok(Authenticated {
            principal: session.principal,
            mfa: Some(session.mfa),
            temporary: true,
        })
    }

    fn assume_role(
        &self,
        caller: &Authenticated,
        p: &Params,
        now: SystemTime,
        rid: &str,
    ) -> Result<Response, StsError> {
        let mut v = Violations::default();
        v.string(p.get("RoleArn"), "roleArn", true, (20, 2048), CharClass::Text);
        v.string(
            p.get("RoleSessionName"),
            "roleSessionName",
            true,
            (2, 64),
            CharClass::SessionName,
        );
        let duration = v.integer(p.get("DurationSeconds"), "durationSeconds", (900, 43200));
        v.string(
            p.get("ExternalId"),
            "externalId",
            false,
            (2, 1224),
            CharClass::ExternalId,
        );
        check_mfa_params(&mut v, p);
        if let Some(message) = v.message() {
            return Err(validation(message));
        }
        let (role_arn, session_name) = (
            p.get("RoleArn").unwrap_or_default(),
            p.get("RoleSessionName").unwrap_or_default(),
        );
        if world::parse_arn(role_arn).is_none() {
            return Err(validation(format!("{role_arn} is invalid")));
        }
        // STS does not reveal whether a role exists: a missing role reads like a refusal.
        let denied = || {
            access_denied(format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                caller.principal.arn()
            ))
        };
        let role = self.world.role_by_arn(role_arn).ok_or_else(denied)?;
        let mfa = self.check_mfa(caller, p)?;
        let (policy_caller, identity_policies) = self.policy_view(caller);
        let ctx = RequestContext {
            external_id: p.get("ExternalId").map(str::to_string),
            mfa_present: mfa,
            principal_arn: Some(policy_caller.principal_arn.clone()),
            principal_account: Some(policy_caller.account.clone()),
        };
        policy::may_assume(
            &policy_caller,
            identity_policies,
            role_arn,
            &role.account,
            &role.trust_policy,
            &ctx,
        )
        .map_err(|_| denied())?;
        let seconds = policy::check_duration(
            duration,
            policy_caller.is_role_session(),
            role.max_session_duration,
        )
        .map_err(|e| validation(e.to_string()))?;
        let principal = Principal::Role {
            arn: role.arn(),
            id: role.id.clone(),
            account: role.account.clone(),
            session: session_name.to_string(),
        };
        let creds = self.sessions.issue(
            principal.clone(),
            mfa == Some(true),
            self.capped(Duration::from_secs(seconds.into())),
            now,
        );
        if policy_caller.is_role_session() {
            self.sessions.set_chained(&creds.access_key_id);
        }
        Ok(xml::assume_role(
            &creds,
            &principal.user_id(),
            &principal.arn(),
            rid,
        ))
    }

    fn session_token(
        &self,
        caller: &Authenticated,
        p: &Params,
        now: SystemTime,
        rid: &str,
    ) -> Result<Response, StsError> {
        let mut v = Violations::default();
        let duration = v.integer(p.get("DurationSeconds"), "durationSeconds", (900, 129_600));
        check_mfa_params(&mut v, p);
        if let Some(message) = v.message() {
            return Err(validation(message));
        }
        if caller.temporary {
            return Err(access_denied(
                "Cannot call GetSessionToken with session credentials".into(),
            ));
        }
        let mfa = self.check_mfa(caller, p)? == Some(true);
        let seconds = duration.unwrap_or(43_200) as u64;
        let creds = self
            .sessions
            .issue(caller.principal.clone(), mfa, Duration::from_secs(seconds), now);
        Ok(xml::session_token(&creds, rid))
    }

    /// GetFederationToken: only with an IAM user's long-term keys; the session keeps the
    /// user's identity policies (the demo's session policies are always allow-all).
    fn federation_token(
        &self,
        caller: &Authenticated,
        p: &Params,
        now: SystemTime,
        rid: &str,
    ) -> Result<Response, StsError> {
        let mut v = Violations::default();
        v.string(p.get("Name"), "name", true, (2, 32), CharClass::SessionName);
        let duration = v.integer(p.get("DurationSeconds"), "durationSeconds", (900, 129_600));
        v.string(p.get("Policy"), "policy", false, (1, 2048), CharClass::Text);
        if let Some(message) = v.message() {
            return Err(validation(message));
        }
        let Principal::User { arn, account, .. } = &caller.principal else {
            return Err(access_denied(
                "Cannot call GetFederationToken with session credentials".into(),
            ));
        };
        if caller.temporary {
            return Err(access_denied(
                "Cannot call GetFederationToken with session credentials".into(),
            ));
        }
        let principal = Principal::Federated {
            user_arn: arn.clone(),
            account: account.clone(),
            name: p.get("Name").unwrap_or_default().to_string(),
        };
        let seconds = duration.unwrap_or(43_200) as u64;
        let creds = self
            .sessions
            .issue(principal.clone(), false, Duration::from_secs(seconds), now);
        Ok(xml::federation_token(
            &creds,
            &principal.user_id(),
            &principal.arn(),
            rid,
        ))
    }

    /// Checks `SerialNumber`/`TokenCode` against the caller's MFA device. Returns the
    /// request's `aws:MultiFactorAuthPresent`.
    fn check_mfa(&self, caller: &Authenticated, p: &Params) -> Result<Option<bool>, StsError> {
        let Some(serial) = p.get("SerialNumber") else {
            return Ok(caller.mfa);
        };
        let device = match &caller.principal {
            Principal::User { arn, .. } => self.world.user_by_arn(arn).and_then(|u| u.mfa.as_ref()),
            Principal::Role { .. } | Principal::Federated { .. } => None,
        };
        match device {
            Some(d) if d.serial == serial => {}
            _ => {
                return Err(access_denied(
                    "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA \
                     serial number is valid and associated with this user."
                        .into(),
                ));
            }
        }
        if device.map(|d| d.code.as_str()) != p.get("TokenCode") {
            return Err(access_denied(
                "MultiFactorAuthentication failed with invalid MFA one time pass code.".into(),
            ));
        }
        Ok(Some(true))
    }

    /// The caller as policy evaluation sees it, with its identity policies.
    fn policy_view(&self, caller: &Authenticated) -> (Caller, &[policy::PolicyDocument]) {
        match &caller.principal {
            Principal::User { arn, account, .. } => (
                Caller {
                    principal_arn: arn.clone(),
                    session_arn: None,
                    account: account.clone(),
                },
                self.world.user_by_arn(arn).map_or(&[][..], |u| &u.policies),
            ),
            Principal::Role { arn, account, .. } => (
                Caller {
                    principal_arn: arn.clone(),
                    session_arn: Some(caller.principal.arn()),
                    account: account.clone(),
                },
                self.world.role_by_arn(arn).map_or(&[][..], |r| &r.policies),
            ),
            Principal::Federated {
                user_arn, account, ..
            } => (
                Caller {
                    principal_arn: caller.principal.arn(),
                    session_arn: Some(caller.principal.arn()),
                    account: account.clone(),
                },
                self.world.user_by_arn(user_arn).map_or(&[][..], |u| &u.policies),
            ),
        }
    }
}

/// Starts a demo STS for `world`; the server stops when dropped.
pub(crate) async fn start(world: Arc<World>) -> std::io::Result<(Arc<DemoSts>, Server)> {
    let sts = DemoSts::new(world);
    let server = sts.serve().await?;
    Ok((sts, server))
}

fn check_mfa_params(v: &mut Violations, p: &Params) {
    v.string(
        p.get("SerialNumber"),
        "serialNumber",
        false,
        (9, 256),
        CharClass::SerialNumber,
    );
    v.string(p.get("TokenCode"), "tokenCode", false, (6, 6), CharClass::Digits);
}

fn request_id() -> String {
    let hex = |n| random(b"0123456789abcdef", n);
    format!("{}-{}-4{}-a{}-{}", hex(8), hex(4), hex(3), hex(3), hex(12))
}

#[cfg(test)]
#[path = "sts_tests.rs"]
mod tests;
