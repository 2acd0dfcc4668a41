//! Profile discovery: find the AWS config and credentials files, parse them with the AWS
//! SDK's exact rules while keeping file and line for every section and key, merge them,
//! and lint the result. Pure: no network, and only the two files are read.

pub mod lint;
mod model;
mod parse;

pub use model::*;
pub use parse::{ConfigError, load, parse_str};
