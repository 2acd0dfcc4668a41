//! What the portal offers a login: every account (ListAccounts) and every permission set
//! in each (ListAccountRoles), all pages, a few accounts at a time.

use super::names::{PortalAccount, list_accounts};
use super::session::SsoSession;
use super::sync::Assignment;
use super::{SsoError, client};
use crate::env::Env;
use futures::{StreamExt, TryStreamExt};
use std::time::Duration;

/// Accounts whose roles are listed at once.
const PARALLEL: usize = 8;

/// The accounts and, for each, its roles, sorted.
pub(crate) async fn assignments(
    env: &Env,
    session: &SsoSession,
    access_token: &str,
    timeout: Duration,
) -> Result<(Vec<PortalAccount>, Vec<Assignment>), SsoError> {
    let accounts = list_accounts(env, session, access_token, timeout).await?;
    let portal = client::portal(env, session, timeout);
    let per_account = futures::stream::iter(accounts.iter().cloned())
        .map(|account| {
            let portal = portal.clone();
            async move {
                let roles: Vec<_> = portal
                    .list_account_roles()
                    .access_token(access_token)
                    .account_id(&account.id)
                    .into_paginator()
                    .items()
                    .send()
                    .collect::<Vec<_>>()
                    .await
                    .into_iter()
                    .collect::<Result<_, _>>()
                    .map_err(|e| client::describe("SSO ListAccountRoles", &e))?;
                Ok::<_, SsoError>(
                    roles
                        .into_iter()
                        .filter_map(|r| {
                            Some(Assignment {
                                account_name: account.name.clone(),
                                account_id: account.id.clone(),
                                role_name: r.role_name()?.to_string(),
                            })
                        })
                        .collect::<Vec<_>>(),
                )
            }
        })
        .buffer_unordered(PARALLEL)
        .try_collect::<Vec<_>>()
        .await?;
    let mut all: Vec<Assignment> = per_account.into_iter().flatten().collect();
    all.sort();
    Ok((accounts, all))
}
