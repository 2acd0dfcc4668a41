//! The AWS SDK for Rust's own profile loader, as the reference the reader is checked against.

use aws_config::profile::ProfileSet;
use aws_runtime::env_config::file::EnvConfigFiles as ProfileFiles;
use aws_types::os_shim_internal::{Env, Fs};
use std::collections::HashMap;
use std::error::Error;

pub const CONFIG: &str = "/home/u/.aws/config";
pub const CREDENTIALS: &str = "/home/u/.aws/credentials";

/// Where the SDK stopped: `(path, line, message)`.
pub type SdkError = (String, usize, String);

/// Loads both files with `aws_config::profile::load` on an in-memory file system.
pub fn load(config: Option<&str>, credentials: Option<&str>) -> Result<ProfileSet, SdkError> {
    let mut files = HashMap::new();
    if let Some(text) = config {
        files.insert(CONFIG.to_string(), text.as_bytes().to_vec());
    }
    if let Some(text) = credentials {
        files.insert(CREDENTIALS.to_string(), text.as_bytes().to_vec());
    }
    let fs = Fs::from_map(files);
    let env = Env::from_slice(&[
        ("AWS_CONFIG_FILE", CONFIG),
        ("AWS_SHARED_CREDENTIALS_FILE", CREDENTIALS),
        ("HOME", "/home/u"),
    ]);
    let loaded = futures::executor::block_on(aws_config::profile::load(
        &fs,
        &env,
        &ProfileFiles::default(),
        None,
    ));
    loaded.map_err(|err| {
        // The parse error's Display is "error parsing PATH on line N:\n  MESSAGE".
        let text = err
            .source()
            .map(|s| s.to_string())
            .unwrap_or_else(|| err.to_string());
        let rest = text.strip_prefix("error parsing ").unwrap_or(&text);
        let (path, rest) = rest.split_once(" on line ").unwrap_or(("", rest));
        let (line, message) = rest.split_once(":\n").unwrap_or((rest, ""));
        (
            path.to_string(),
            line.trim().parse().unwrap_or(0),
            message.trim().to_string(),
        )
    })
}
