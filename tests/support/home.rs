//! A temporary HOME holding `~/.aws/config` and `~/.aws/credentials`, and a clean
//! environment for running the real binary against it.
//!
//! The developer's own AWS settings must never leak into a test, so [`Home::cmd`] starts
//! from an empty environment and sets only what the test world needs.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Variables that would change which profile or credentials rswitch uses; [`Home::env`]
/// callers that cannot clear the whole environment must unset these.
pub const CLEARED_VARS: &[&str] = &[
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_EC2_METADATA_DISABLED",
    "AWS_EC2_METADATA_SERVICE_ENDPOINT",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWSUME_PROFILE",
];

pub struct Home {
    dir: tempfile::TempDir,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    pub fn new() -> Home {
        let dir = tempfile::Builder::new()
            .prefix("rswitch-home-")
            .tempdir()
            .expect("cannot create a temp HOME");
        std::fs::create_dir_all(dir.path().join(".aws")).expect("cannot create ~/.aws");
        Home { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn config_path(&self) -> PathBuf {
        self.path().join(".aws/config")
    }

    pub fn credentials_path(&self) -> PathBuf {
        self.path().join(".aws/credentials")
    }

    /// Writes `~/.aws/config` (leading indentation of every line is stripped, so tests can
    /// indent their INI).
    pub fn config(&self, text: &str) -> &Self {
        write_private(&self.config_path(), &dedent(text));
        self
    }

    /// Writes `~/.aws/credentials` (0600), dedented like [`Home::config`].
    pub fn credentials(&self, text: &str) -> &Self {
        write_private(&self.credentials_path(), &dedent(text));
        self
    }

    /// Writes an executable script into HOME and returns its path.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.path().join(name);
        std::fs::write(&path, dedent(body)).expect("cannot write script");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        path
    }

    /// The variables that point rswitch (and the AWS CLI) at this HOME.
    pub fn env(&self) -> Vec<(String, String)> {
        let home = self.path().display().to_string();
        vec![
            ("HOME".into(), home.clone()),
            ("AWS_CONFIG_FILE".into(), self.config_path().display().to_string()),
            (
                "AWS_SHARED_CREDENTIALS_FILE".into(),
                self.credentials_path().display().to_string(),
            ),
            ("XDG_CACHE_HOME".into(), format!("{home}/.cache")),
            ("XDG_CONFIG_HOME".into(), format!("{home}/.config")),
            ("LANG".into(), "C".into()),
            ("TERM".into(), "dumb".into()),
        ]
    }

    /// The real `rswitch` binary with an empty environment plus [`Home::env`] and `PATH`.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("rswitch").expect("the rswitch binary");
        cmd.env_clear();
        for key in ["PATH", "RUST_BACKTRACE", "LLVM_PROFILE_FILE"] {
            if let Some(v) = std::env::var_os(key) {
                cmd.env(key, v);
            }
        }
        cmd.envs(self.env());
        cmd.timeout(std::time::Duration::from_secs(60));
        cmd
    }
}

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
}

/// Strips the indentation of the first non-empty line from every line.
pub fn dedent(text: &str) -> String {
    let indent = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(0);
    let mut out = String::new();
    for line in text.lines().skip_while(|l| l.trim().is_empty()) {
        out.push_str(line.get(indent..).unwrap_or(line.trim_start()));
        out.push('\n');
    }
    out
}
