//! What [`super::update`] asks the runtime to do, and the two seams the caller fills in:
//! [`ResolveProfile`] (runs a profile's chain) and [`TuiHandlers`] (copy, export, subshell,
//! doctor). Both are traits so tests and the CLI can plug in their own.

use super::state::TuiExit;
use crate::creds::Secret;
use crate::resolve::outcome::Resolution;
use futures::future::BoxFuture;
use std::future::Future;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Resolve `profile` in the background and answer with `Action::Resolved`.
    Resolve {
        request_id: u64,
        profile: String,
        mfa_code: Option<Secret>,
    },
    Copy {
        resolution: Box<Resolution>,
    },
    Export {
        resolution: Box<Resolution>,
        format: String,
    },
    /// Suspend the TUI, run a shell with the credentials, resume.
    Subshell {
        resolution: Box<Resolution>,
    },
    Doctor {
        resolution: Box<Resolution>,
    },
    /// Open the console for the profile, or copy its sign-in URL where no browser can open.
    Console {
        resolution: Box<Resolution>,
    },
    /// Leave the TUI (in-flight requests are aborted).
    Exit(TuiExit),
}

/// Resolves one profile, hop by hop, with the MFA code when the chain needs one.
/// Never fails: every failure is inside the [`Resolution`].
pub trait ResolveProfile: Send + Sync {
    fn resolve(&self, profile: String, mfa_code: Option<String>) -> BoxFuture<'static, Resolution>;
}

impl<F, Fut> ResolveProfile for F
where
    F: Fn(String, Option<String>) -> Fut + Send + Sync,
    Fut: Future<Output = Resolution> + Send + 'static,
{
    fn resolve(&self, profile: String, mfa_code: Option<String>) -> BoxFuture<'static, Resolution> {
        Box::pin(self(profile, mfa_code))
    }
}

/// What the caller does with credentials. Each returns the text for the status line
/// (`copied to clipboard via OSC 52`) or an error to show there.
pub trait TuiHandlers: Send + Sync {
    fn copy(&self, resolution: &Resolution) -> anyhow::Result<String>;
    /// Names offered by the export chooser, e.g. `sh`, `fish`, `powershell`, `json`.
    fn export_formats(&self) -> Vec<String>;
    fn export(&self, resolution: &Resolution, format: &str) -> anyhow::Result<String>;
    /// Runs an interactive shell with the credentials and returns when it exits. The
    /// terminal is back in normal mode meanwhile; blocking is fine.
    fn subshell(&self, resolution: &Resolution) -> anyhow::Result<String>;
    /// Opens the AWS console as the profile, or copies the sign-in URL when no browser
    /// can be opened; says which.
    fn console(&self, resolution: &Resolution) -> anyhow::Result<String> {
        let _ = resolution;
        anyhow::bail!("console sign-in is not available in this build")
    }
    /// The doctor report for a resolution (plain text).
    fn doctor(&self, resolution: &Resolution) -> String {
        let _ = resolution;
        "The doctor report is not available in this build.".to_string()
    }
}
