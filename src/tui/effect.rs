//! What [`super::update`] asks the runtime to do, and the two seams the caller fills in:
//! [`ResolveProfile`] (runs a profile's chain) and [`TuiHandlers`] (copy, copy as, subshell,
//! doctor). Both are traits so tests and the CLI can plug in their own.

use super::state::TuiExit;
use crate::creds::Secret;
use crate::export::Format;
use crate::resolve::outcome::Resolution;
use futures::future::BoxFuture;
use std::future::Future;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Resolve `profile` in the background and answer with `Action::Resolved`.
    Resolve {
        request_id: u64,
        profile: String,
        /// The code typed for the chain's MFA device, good for this one call.
        mfa: Option<MfaCode>,
        /// The profile was asked for before: the answer must come from STS again, not
        /// from what the resolver remembers of earlier calls.
        again: bool,
    },
    Copy {
        resolution: Box<Resolution>,
    },
    /// Copy the credentials in `format`.
    CopyAs {
        resolution: Box<Resolution>,
        format: Format,
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
    /// Look up the IAM alias of the account `resolution` reached, in the background, and
    /// answer with `Action::AccountNames` when a name was learned.
    LookUpAlias {
        resolution: Box<Resolution>,
    },
    /// Run the IAM Identity Center login `profile` needs, in the background.
    Login {
        profile: String,
    },
    /// Stop the login in progress.
    CancelLogin,
    /// Leave the TUI (in-flight requests are aborted).
    Exit(TuiExit),
}

/// An MFA code typed in the TUI, for the device that asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaCode {
    /// The device (`mfa_serial`) the code belongs to.
    pub serial: String,
    pub code: Secret,
}

/// Resolves one profile, hop by hop, with the MFA code when the chain needs one; `again`
/// when the profile was asked for before (what was remembered of it must be dropped).
/// Never fails: every failure is inside the [`Resolution`].
pub trait ResolveProfile: Send + Sync {
    fn resolve(&self, profile: String, mfa: Option<MfaCode>, again: bool) -> BoxFuture<'static, Resolution>;
    /// For a successful `resolution`: a lookup of the account's name (its IAM alias), run
    /// in the background, answering with every name known then, or `None` when nothing
    /// new was learned. `None` here when this resolver cannot look names up.
    fn account_names(
        &self,
        resolution: Resolution,
    ) -> Option<BoxFuture<'static, Option<crate::sso::names::AccountNames>>> {
        let _ = resolution;
        None
    }
}

impl<F, Fut> ResolveProfile for F
where
    F: Fn(String, Option<MfaCode>, bool) -> Fut + Send + Sync,
    Fut: Future<Output = Resolution> + Send + 'static,
{
    fn resolve(&self, profile: String, mfa: Option<MfaCode>, again: bool) -> BoxFuture<'static, Resolution> {
        Box::pin(self(profile, mfa, again))
    }
}

/// What the login asks the user to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginShown {
    pub url: String,
    pub code: String,
    pub expires_at: std::time::SystemTime,
    /// Where the URL was copied to, or why it was not.
    pub copied: String,
}

/// A finished login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedIn {
    /// For the status line.
    pub message: String,
    /// Every profile that uses this login.
    pub profiles: Vec<String>,
    /// The account names known now (the portal's list included).
    pub names: crate::sso::names::AccountNames,
}

/// Called once when the login needs the user.
pub(crate) type LoginPromptFn = Box<dyn FnOnce(LoginShown) + Send>;

/// What the caller does with credentials. Each returns the text for the status line
/// (`copied to clipboard via OSC 52`) or an error to show there.
pub trait TuiHandlers: Send + Sync {
    fn copy(&self, resolution: &Resolution) -> anyhow::Result<String>;
    /// Formats offered by the copy-format chooser (`e`).
    fn copy_formats(&self) -> Vec<Format>;
    /// Copies the credentials rendered in `format`.
    fn copy_as(&self, resolution: &Resolution, format: Format) -> anyhow::Result<String>;
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
    /// Logs in to IAM Identity Center for `profile` (the device flow), calling `prompt`
    /// when the user has to act.
    fn login(&self, profile: &str, prompt: LoginPromptFn) -> BoxFuture<'static, anyhow::Result<LoggedIn>> {
        let _ = (profile, prompt);
        Box::pin(async { Err(anyhow::anyhow!("logging in is not available here")) })
    }
}
