//! Placeholder: the line-aware parser is being written (see config helper).
use super::model::*;
use crate::env::Env;
use std::path::Path;

/// Errors reading the files (a missing file is not an error).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

/// Reads and merges `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`.
pub fn load(env: &Env) -> Result<ConfigSet, ConfigError> {
    let _ = env;
    todo!()
}

/// Parses file contents given in memory.
pub fn parse_str(config: Option<(&Path, &str)>, credentials: Option<(&Path, &str)>) -> ConfigSet {
    let _ = (config, credentials);
    todo!()
}
