//! The process environment as a value, so tests can build a whole world in a temp dir.
//!
//! Everything that reads an environment variable or the home directory goes through
//! [`Env`]; nothing else in the library calls `std::env::var`.

use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Clone, Debug, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
    home: Option<PathBuf>,
}

impl Env {
    /// The real process environment; home from `dirs`.
    pub fn real() -> Self {
        Env {
            vars: std::env::vars_os()
                .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
                .collect(),
            home: dirs::home_dir(),
        }
    }

    /// A synthetic environment (tests, demo).
    pub fn from_vars<K: Into<String>, V: Into<String>>(
        vars: impl IntoIterator<Item = (K, V)>,
        home: Option<PathBuf>,
    ) -> Self {
        Env {
            vars: vars.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
            home,
        }
    }

    /// A variable's value; empty values count as unset, as in the AWS CLI.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars.get(key).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub(crate) fn set(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(key.into(), value.into());
    }

    pub fn vars(&self) -> impl Iterator<Item = (&str, &str)> {
        self.vars.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    fn expand_home(&self, path: &str) -> PathBuf {
        match (path.strip_prefix("~/"), &self.home) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        }
    }

    fn aws_dir(&self) -> PathBuf {
        self.home
            .clone()
            .unwrap_or_else(|| PathBuf::from("."))
            .join(".aws")
    }

    /// `AWS_CONFIG_FILE`, default `~/.aws/config`.
    pub(crate) fn config_file(&self) -> PathBuf {
        self.get("AWS_CONFIG_FILE")
            .map(|p| self.expand_home(p))
            .unwrap_or_else(|| self.aws_dir().join("config"))
    }

    /// `AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`.
    pub(crate) fn credentials_file(&self) -> PathBuf {
        self.get("AWS_SHARED_CREDENTIALS_FILE")
            .map(|p| self.expand_home(p))
            .unwrap_or_else(|| self.aws_dir().join("credentials"))
    }

    /// The AWS CLI's assume-role cache directory, `~/.aws/cli/cache`.
    pub(crate) fn cli_cache_dir(&self) -> PathBuf {
        self.aws_dir().join("cli").join("cache")
    }

    /// The SSO token cache directory that `aws sso login` writes, `~/.aws/sso/cache`.
    pub(crate) fn sso_cache_dir(&self) -> PathBuf {
        self.aws_dir().join("sso").join("cache")
    }

    /// The local user name, for default role session names.
    pub(crate) fn user_name(&self) -> String {
        self.get("USER")
            .or_else(|| self.get("LOGNAME"))
            .or_else(|| self.get("USERNAME"))
            .map(str::to_string)
            .unwrap_or_else(whoami::username)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_locations_follow_aws_env_vars() {
        let home = PathBuf::from("/home/u");
        let env = Env::from_vars([("AWS_CONFIG_FILE", "~/custom/config")], Some(home.clone()));
        assert_eq!(env.config_file(), home.join("custom/config"));
        assert_eq!(env.credentials_file(), home.join(".aws/credentials"));
        let env = Env::from_vars([("AWS_CONFIG_FILE", "")], Some(home.clone()));
        assert_eq!(env.config_file(), home.join(".aws/config"));
    }
}
