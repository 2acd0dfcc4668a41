//! Profile discovery: find the AWS config and credentials files, parse them with the AWS
//! SDK's exact rules while keeping file and line for every section and key, merge them,
//! and lint the result. Pure: no network, and only the two files are read.
//!
//! Layers: `parse` reads lines into raw sections, `merge` classifies and merges them,
//! `load` reads the files, [`lint`] checks the result.

pub mod arn;
pub mod lint;
mod lint_profile;
mod lint_sections;
mod load;
mod merge;
mod model;
mod parse;

pub(crate) use lint_sections::edit_distance;
pub(crate) use load::read_bytes;
pub use load::{ConfigError, load, parse_str};
pub use model::*;
