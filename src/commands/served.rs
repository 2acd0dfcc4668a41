//! A child's credentials, served: what `shell`, `exec` and the TUI's `s` share to give a
//! child process credentials that renew themselves (a local credential server and the
//! environment pointing at it), or, when they cannot be served, the plain variables.
//! It resolves nothing itself and prints nothing.

use crate::env::Env;
use crate::export::{self, ExportInput};
use crate::serve::CredentialServer;
use crate::serve::child_env::ServedEnv;
use crate::serve::renew::Renewer;
use crate::settings::Settings;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

/// The variables a child process gets: the profile's, minus the recursion guard (a
/// command the user runs is not a credential_process of ours).
pub(crate) fn child_pairs(input: &ExportInput) -> Vec<(String, Option<String>)> {
    let mut pairs = export::env_pairs(input);
    for var in [crate::nesting::RESOLVING_VAR, crate::nesting::DEPTH_VAR] {
        pairs.push((var.to_string(), None));
    }
    pairs
}

/// The server of a running child and the environment pointing at it.
pub(crate) struct Served {
    pub server: CredentialServer,
    pub renewer: Arc<Renewer>,
    pub env: ServedEnv,
}

/// Whether `input` is worth serving: credentials that expire (long-term keys are not:
/// nothing to renew, and botocore requires a token from the container endpoint).
pub(crate) fn servable(input: &ExportInput) -> bool {
    input.credentials.expiration.is_some() && input.credentials.session_token.is_some()
}

/// Starts the credential server for `input` (renewed through `resolver`) and the child
/// environment pointing at it.
pub(crate) async fn start_served(
    env: &Env,
    set: &crate::config::ConfigSet,
    resolver: Arc<crate::resolve::Resolver>,
    input: &ExportInput,
) -> anyhow::Result<Served> {
    let renewer = Arc::new(Renewer::new(resolver, input.clone(), SystemTime::now()));
    let server = CredentialServer::start(renewer.clone()).await?;
    let served_env = crate::serve::child_env::served_env(env, set, input, &server)?;
    Ok(Served {
        server,
        renewer,
        env: served_env,
    })
}

/// The second banner line of a served shell.
pub(crate) fn served_note(served: &Served) -> String {
    let next = served
        .renewer
        .schedule()
        .renew_at
        .map(|t| format!(", next at {}", crate::creds::rfc3339(t)))
        .unwrap_or_default();
    format!(
        "rswitch: credentials renew themselves (served on {}{next}); tools without the AWS container \
         credentials provider see none: use 'rswitch shell --static'",
        served.server.addr()
    )
}

/// The resolver of `shell` and `exec`: it asks for MFA codes on the terminal until the
/// child starts; after that a renewal that needs a code fails with what to run instead.
pub fn gated_resolver(
    set: Arc<crate::config::ConfigSet>,
    env: &Env,
    settings: &Settings,
    profile: &str,
    prompts: Arc<AtomicBool>,
) -> Arc<crate::resolve::Resolver> {
    let advice = if !settings.cache {
        format!("start a new 'rswitch shell {profile}' (with --no-cache the session cannot be handed over)")
    } else {
        format!(
            "run 'rswitch whoami {profile}' in a terminal to type it; the running shell picks the new session up"
        )
    };
    let prompt: crate::resolve::MfaPrompt = Arc::new(move |profile, serial| {
        let allowed = prompts.load(Ordering::SeqCst);
        let advice = advice.clone();
        Box::pin(async move {
            if !allowed {
                return Err(format!(
                    "renewing needs a new MFA code, and rswitch never asks while a shell or command runs: {advice}"
                ));
            }
            super::terminal_mfa_code(profile, serial).await
        })
    });
    super::resolver_with(set, env, settings, prompt)
}
