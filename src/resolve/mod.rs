//! Profile -> plan of hops (pure, loop-checked) -> credentials (runs the plan).

mod assume;
mod base;
pub mod catalog;
pub mod deadline;
pub mod login;
mod memo;
mod mfa;
pub mod outcome;
pub mod plan;
mod plan_base;
mod plan_error;
mod plan_sso;
mod planner;
pub mod process;
pub mod row;
pub mod run;
pub mod session_name;
pub mod sso_login;
mod sso_refresh;

pub use assume::cache_key;
pub use catalog::Catalog;
pub use deadline::Deadline;
pub use outcome::{ErrorKind, HopError, Resolution, Status};
pub use plan::{BaseSource, Plan, PlanError, RoleHop, plan};
pub use run::{MfaPrompt, Resolver, ResolverOptions};
