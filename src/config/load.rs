//! Finds and reads the two AWS files and merges them: the config file first, then the
//! credentials file, whose values win.

use super::merge::merge_file;
use super::model::{ConfigSet, FileKind};
use super::parse::read_file;
use crate::env::Env;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

/// The largest AWS file read: far above any real one (20 000 profiles take about 2 MB),
/// so a file that keeps growing, or a path set to a device, cannot use up the memory.
pub(crate) const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// Errors reading the files (a missing file is not an error).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot read {path}: the file is not UTF-8 text (byte {valid_up_to} is not valid)")]
    NotUtf8 { path: PathBuf, valid_up_to: usize },
    #[error("cannot read {path}: the file is larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024))]
    TooLarge { path: PathBuf },
}

/// Reads and merges `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` (defaults
/// `~/.aws/config` and `~/.aws/credentials`). A file that does not exist counts as empty;
/// one that exists but cannot be read (permissions, a directory, not UTF-8) is an error.
pub fn load(env: &Env) -> Result<ConfigSet, ConfigError> {
    let config_file = env.config_file();
    let credentials_file = env.credentials_file();
    let config = read_optional(&config_file)?;
    let credentials = read_optional(&credentials_file)?;
    let mut set = parse_str(
        config.as_deref().map(|text| (config_file.as_path(), text)),
        credentials
            .as_deref()
            .map(|text| (credentials_file.as_path(), text)),
    );
    set.config_file = config_file;
    set.credentials_file = credentials_file;
    Ok(set)
}

fn read_optional(path: &Path) -> Result<Option<String>, ConfigError> {
    let Some(bytes) = read_bytes(path)? else {
        return Ok(None);
    };
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|err| ConfigError::NotUtf8 {
            path: path.to_path_buf(),
            valid_up_to: err.utf8_error().valid_up_to(),
        })
}

/// The bytes of one AWS file, `None` when it does not exist, at most [`MAX_FILE_BYTES`].
pub(crate) fn read_bytes(path: &Path) -> Result<Option<Vec<u8>>, ConfigError> {
    let read = |path: &Path| -> std::io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        std::fs::File::open(path)?
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    match read(path) {
        Ok(bytes) if bytes.len() as u64 > MAX_FILE_BYTES => Err(ConfigError::TooLarge {
            path: path.to_path_buf(),
        }),
        Ok(bytes) => Ok(Some(bytes)),
        Err(err) if err.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Parses file contents given in memory (`(path, text)`; the path only labels locations).
pub fn parse_str(config: Option<(&Path, &str)>, credentials: Option<(&Path, &str)>) -> ConfigSet {
    let mut set = ConfigSet::default();
    if let Some((path, text)) = config {
        set.config_file = path.to_path_buf();
        merge_file(&mut set, path, FileKind::Config, read_file(path, text));
    }
    if let Some((path, text)) = credentials {
        set.credentials_file = path.to_path_buf();
        merge_file(&mut set, path, FileKind::Credentials, read_file(path, text));
    }
    set
}
