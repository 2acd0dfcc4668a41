//! Profile -> plan of hops (pure, loop-checked) -> credentials (runs the plan).

mod assume;
mod base;
pub mod catalog;
pub(crate) mod deadline;
pub(crate) mod login;
mod memo;
mod mfa;
pub mod outcome;
pub mod plan;
mod plan_base;
mod plan_error;
mod plan_sso;
mod planner;
pub mod process;
mod resolver;
pub(crate) mod row;
mod run;
pub(crate) mod session_name;
pub mod sso_login;
mod sso_refresh;

pub use assume::cache_key;
pub use catalog::Catalog;
pub(crate) use deadline::Deadline;
pub use mfa::MfaPrompt;
pub use outcome::{ErrorKind, HopError, Resolution, Status};
pub use plan::{BaseSource, Plan, PlanError, plan};
pub use resolver::{Resolver, ResolverOptions};
