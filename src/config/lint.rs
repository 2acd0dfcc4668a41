//! Placeholder: lint rules are being written (see config helper).
use super::model::*;
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One lint finding, always with a place in a file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// Stable short id, e.g. `malformed-role-arn`.
    pub code: &'static str,
    pub profile: Option<String>,
    pub location: Location,
    pub message: String,
}

pub fn lint(set: &ConfigSet) -> Vec<Finding> {
    let _ = set;
    Vec::new()
}
