//! Profile -> plan of hops (pure, loop-checked) -> credentials (runs the plan).

pub mod outcome;
pub mod plan;
pub mod session_name;

pub use plan::{BaseSource, Plan, PlanError, RoleHop, plan};
