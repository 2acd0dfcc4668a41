//! The portal's account listing: `GET /assignment/accounts` (ListAccounts) and
//! `GET /assignment/roles?account_id=` (ListAccountRoles), bearer token in
//! `x-amz-sso_bearer_token`, paginated with `max_result` / `next_token` as the service does.

use super::{PortalRequest, State, error};
use rswitch::fake_aws::loopback::Response;
use serde_json::{Value, json};

/// An account the signed-in user may access, with its permission sets.
#[derive(Clone, Debug)]
pub struct Account {
    pub account_id: String,
    pub account_name: String,
    pub email: String,
    pub roles: Vec<String>,
}

impl Account {
    pub fn new(id: &str, name: &str, roles: &[&str]) -> Account {
        Account {
            account_id: id.into(),
            account_name: name.into(),
            email: format!("aws+{name}@corp.example"),
            roles: roles.iter().map(|r| r.to_string()).collect(),
        }
    }
}

pub fn answer(
    s: &State,
    req: &PortalRequest,
    path: &str,
    param: &dyn Fn(&str) -> Option<String>,
) -> Response {
    if s.reject_all || !req.bearer.as_ref().is_some_and(|t| s.tokens.contains(t)) {
        return error(401, "UnauthorizedException", "Session token not found or invalid");
    }
    let size = param("max_result")
        .and_then(|m| m.parse().ok())
        .unwrap_or(s.page_size)
        .max(1);
    let start: usize = param("next_token")
        .and_then(|t| t.strip_prefix("page-")?.parse().ok())
        .unwrap_or(0);
    let (key, items): (&str, Vec<Value>) = match path {
        "/assignment/accounts" => (
            "accountList",
            s.accounts
                .iter()
                .map(|a| json!({"accountId": a.account_id, "accountName": a.account_name, "emailAddress": a.email}))
                .collect(),
        ),
        "/assignment/roles" => {
            let id = param("account_id").unwrap_or_default();
            let Some(account) = s.accounts.iter().find(|a| a.account_id == id) else {
                return error(403, "ForbiddenException", "No access");
            };
            (
                "roleList",
                account
                    .roles
                    .iter()
                    .map(|r| json!({"roleName": r, "accountId": account.account_id}))
                    .collect(),
            )
        }
        _ => return error(404, "ResourceNotFoundException", "no such operation on this portal"),
    };
    let page: Vec<Value> = items.iter().skip(start).take(size).cloned().collect();
    let mut body = json!({ key: page });
    if start + size < items.len() {
        body["nextToken"] = json!(format!("page-{}", start + size));
    }
    Response::new(200, "application/json", body.to_string())
}
