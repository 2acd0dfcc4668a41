//! IAM Identity Center without the AWS CLI: the login itself (the OIDC device
//! authorization flow, [`device`]), the token cache shared bit for bit with the AWS CLI
//! and the SDKs ([`token_cache`]), and which login a profile needs ([`session`]).
//! Resolving SSO profiles with a cached login stays with `resolve` (aws-config's SSO
//! provider); this module only produces and reads the login.

pub(crate) mod aliases;
pub(crate) mod browser;
pub(crate) mod client;
pub(crate) mod device;
pub mod names;
pub(crate) mod portal;
pub(crate) mod session;
pub(crate) mod sync;
pub mod token_cache;

pub use session::SsoSession;

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub(crate) enum SsoError {
    /// The configuration names no usable session; the message names profile or session.
    #[error("{0}")]
    Config(String),
    #[error("{service}: {message}")]
    Service { service: String, message: String },
    #[error("the device code expired before the login was approved; log in again")]
    Expired,
    #[error("the login was denied in the browser (AccessDeniedException)")]
    Denied,
    #[error("cannot write the SSO token cache {}: {error}", path.display())]
    Cache { path: PathBuf, error: std::io::Error },
}
