//! The temporary credentials the demo STS has issued, with whom they belong to. In memory
//! only: they vanish with the demo.

use crate::creds::{Credentials, Secret};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

#[derive(Clone)]
pub(crate) struct Session {
    pub secret: Secret,
    pub token: Secret,
    pub expiration: SystemTime,
    pub principal: Principal,
    /// Whether the call that created the session carried MFA.
    pub mfa: bool,
    /// A role session assumed by another role session (role chaining).
    pub chained: bool,
}

/// Who a set of credentials belongs to.
#[derive(Clone, Debug)]
pub(crate) enum Principal {
    User {
        arn: String,
        id: String,
        account: String,
    },
    Role {
        arn: String,
        id: String,
        account: String,
        session: String,
    },
    /// A federated user session (GetFederationToken) of the IAM user `user_arn`.
    Federated {
        user_arn: String,
        account: String,
        name: String,
    },
}

impl Principal {
    /// The ARN STS reports and names in error messages.
    pub(crate) fn arn(&self) -> String {
        match self {
            Principal::User { arn, .. } => arn.clone(),
            Principal::Role {
                arn,
                account,
                session,
                ..
            } => {
                let role = arn.rsplit('/').next().unwrap_or_default();
                format!("arn:aws:sts::{account}:assumed-role/{role}/{session}")
            }
            Principal::Federated { account, name, .. } => {
                format!("arn:aws:sts::{account}:federated-user/{name}")
            }
        }
    }

    pub(crate) fn user_id(&self) -> String {
        match self {
            Principal::User { id, .. } => id.clone(),
            Principal::Role { id, session, .. } => format!("{id}:{session}"),
            Principal::Federated { account, name, .. } => format!("{account}:{name}"),
        }
    }

    pub(crate) fn account(&self) -> &str {
        match self {
            Principal::User { account, .. }
            | Principal::Role { account, .. }
            | Principal::Federated { account, .. } => account,
        }
    }
}

/// Issued sessions by access key id.
#[derive(Default)]
pub(crate) struct SessionStore(Mutex<HashMap<String, Session>>);

impl SessionStore {
    pub(crate) fn get(&self, access_key_id: &str) -> Option<Session> {
        self.0.lock().ok()?.get(access_key_id).cloned()
    }

    pub(crate) fn issue(
        &self,
        principal: Principal,
        mfa: bool,
        lifetime: Duration,
        now: SystemTime,
    ) -> Credentials {
        // Whole seconds, as STS reports them, so the stored and the reported expiry agree.
        let expiration = now + lifetime;
        let expiration = SystemTime::UNIX_EPOCH
            + Duration::from_secs(
                expiration
                    .duration_since(SystemTime::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs()),
            );
        let access_key_id = format!("ASIA{}", random(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16));
        let session = Session {
            secret: Secret::new(random(BASE64, 40)),
            token: Secret::new(format!("IQoJb3JpZ2luX2Vj{}", random(BASE64, 320))),
            expiration,
            principal,
            mfa,
            chained: false,
        };
        let creds = Credentials {
            access_key_id: access_key_id.clone(),
            secret_access_key: session.secret.clone(),
            session_token: Some(session.token.clone()),
            expiration: Some(expiration),
        };
        if let Ok(mut sessions) = self.0.lock() {
            sessions.retain(|_, s| s.expiration > now);
            sessions.insert(access_key_id, session);
        }
        creds
    }

    /// Marks an issued role session as reached by role chaining.
    pub(crate) fn set_chained(&self, access_key_id: &str) {
        if let Ok(mut sessions) = self.0.lock()
            && let Some(s) = sessions.get_mut(access_key_id)
        {
            s.chained = true;
        }
    }
}

const BASE64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub(crate) fn random(alphabet: &[u8], len: usize) -> String {
    (0..len)
        .map(|_| alphabet[fastrand::usize(..alphabet.len())] as char)
        .collect()
}
