//! The environment of a child in server mode: what makes every SDK take the server's
//! credentials, whatever the parent environment and the AWS files hold.
//!
//! Credential chains look at the container endpoint late. Before it, botocore (the AWS
//! CLI) tries the environment keys, then the *profile* (`AWS_PROFILE`, else `default`):
//! its `role_arn`, web identity, SSO, keys in `~/.aws/credentials`, `credential_process`,
//! keys in `~/.aws/config`. `aws-config` (Rust) and the other SDKs do the same in their
//! own order. So the child gets:
//! - no `AWS_ACCESS_KEY_ID`/`SECRET`/`SESSION_TOKEN`/`SECURITY_TOKEN`/`CREDENTIAL_EXPIRATION`,
//!   no `AWS_DEFAULT_PROFILE`, no web identity (`AWS_ROLE_ARN`, `AWS_WEB_IDENTITY_TOKEN_FILE`),
//!   no `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (botocore prefers it to the full URI) and no
//!   `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` (preferred to the token variable);
//! - `AWS_PROFILE` naming a profile that holds no credentials at all (`rswitch-served`),
//!   so no `[default]` with keys, no `credential_process` and no SSO can win; botocore and
//!   aws-config both fall through such a profile to the container endpoint;
//! - `AWS_CONFIG_FILE` pointing at a private copy of the user's config with that profile
//!   appended (a profile must exist in the config for botocore to accept `AWS_PROFILE`):
//!   every other profile keeps working with `--profile`. The copy (0600, in a 0700
//!   directory) is removed when the child ends.

use super::CredentialServer;
use crate::config::ConfigSet;
use crate::env::Env;
use crate::export::ExportInput;
use std::io::{self, Write};

/// The variables removed from a served child's environment (see the module docs).
pub(crate) const UNSET: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_ROLE_SESSION_NAME",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
    "RSWITCH_RENEW_AT",
    "RSWITCH_RESOLVING",
];

/// The name of the credential-free profile the child's `AWS_PROFILE` names.
pub(crate) const PROFILE: &str = "rswitch-served";

/// A served child's environment and the private config copy it points at.
pub(crate) struct ServedEnv {
    /// Removed (with the copy) when dropped.
    _dir: tempfile::TempDir,
    /// Variables to set (`Some`) and unset (`None`).
    pub pairs: Vec<(String, Option<String>)>,
}

/// Builds the environment a child needs to use `server` for `input`'s profile.
pub(crate) fn served_env(
    env: &Env,
    set: &ConfigSet,
    input: &ExportInput,
    server: &CredentialServer,
) -> io::Result<ServedEnv> {
    let profile = free_name(set);
    let dir = crate::platform::private_temp_dir("rswitch-serve-")?;
    let config_file = dir.path().join("config");
    let original = crate::config::read_bytes(&env.config_file())
        .map_err(io::Error::other)?
        .unwrap_or_default();
    let settings = carried_settings(set, &input.profile);
    write_private(&config_file, &config_copy(&original, &profile, input, &settings))?;

    let mut pairs: Vec<(String, Option<String>)> = UNSET.iter().map(|k| (k.to_string(), None)).collect();
    let mut put = |k: &str, v: String| pairs.push((k.to_string(), Some(v)));
    put("AWS_CONTAINER_CREDENTIALS_FULL_URI", server.url());
    put(
        "AWS_CONTAINER_AUTHORIZATION_TOKEN",
        server.token().expose().to_string(),
    );
    put("AWS_CONFIG_FILE", config_file.to_string_lossy().into_owned());
    put("AWS_PROFILE", profile.clone());
    if let Some(region) = &input.region {
        put("AWS_REGION", region.clone());
        put("AWS_DEFAULT_REGION", region.clone());
    }
    put("RSWITCH_PROFILE", input.profile.clone());
    put("RSWITCH_SERVED", "1".to_string());
    Ok(ServedEnv { _dir: dir, pairs })
}

/// `rswitch-served`, or `rswitch-served-N` when the user's files already use that name.
fn free_name(set: &ConfigSet) -> String {
    std::iter::once(PROFILE.to_string())
        .chain((2..).map(|n| format!("{PROFILE}-{n}")))
        .find(|name| set.profile(name).is_none())
        .unwrap_or_else(|| PROFILE.to_string())
}

/// Settings of a profile that say how to obtain credentials; everything else (`output`,
/// `endpoint_url`, `ca_bundle`, retries, …) is carried over to the served profile.
const CREDENTIAL_KEYS: &[&str] = &[
    "region",
    "role_arn",
    "source_profile",
    "credential_source",
    "credential_process",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "aws_security_token",
    "aws_credential_expiration",
    "web_identity_token_file",
    "role_session_name",
    "external_id",
    "mfa_serial",
    "duration_seconds",
    "sso_session",
    "sso_start_url",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "sso_registration_scopes",
    "login_session",
];

/// The profile's own settings that are not about credentials, as `key = value` pairs.
fn carried_settings(set: &ConfigSet, name: &str) -> Vec<(String, String)> {
    let Some(profile) = set.profile(name) else {
        return Vec::new();
    };
    profile
        .properties
        .iter()
        .filter(|(k, _)| !CREDENTIAL_KEYS.contains(&k.to_ascii_lowercase().as_str()))
        .filter(|(k, p)| is_key(k) && !p.value.contains(['\n', '\r']))
        .map(|(k, p)| (k.clone(), p.value.clone()))
        .collect()
}

fn is_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// The user's config, then the served profile: the resolved region and the profile's
/// other `settings`, no credentials.
fn config_copy(
    original: &[u8],
    profile: &str,
    input: &ExportInput,
    settings: &[(String, String)],
) -> Vec<u8> {
    let mut out = original.to_vec();
    if !out.is_empty() && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(
        b"\n# Added by rswitch for the credentials it serves; removed when the shell or command ends.\n",
    );
    out.extend_from_slice(format!("[profile {profile}]\n").as_bytes());
    if let Some(region) = input.region.as_deref().filter(|r| is_plain(r)) {
        out.extend_from_slice(format!("region = {region}\n").as_bytes());
    }
    for (key, value) in settings {
        out.extend_from_slice(format!("{key} = {value}\n").as_bytes());
    }
    out
}

/// A region name that cannot break an INI line.
fn is_plain(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> io::Result<()> {
    let mut file = crate::platform::private_new_file().open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::{Credentials, Secret};

    fn input(region: Option<&str>) -> ExportInput {
        ExportInput {
            profile: "prod".into(),
            credentials: Credentials {
                access_key_id: "ASIAEXAMPLE".into(),
                secret_access_key: Secret::new("s"),
                session_token: Some(Secret::new("t")),
                expiration: None,
            },
            identity: None,
            region: region.map(str::to_string),
        }
    }

    #[test]
    fn the_copy_keeps_the_config_and_adds_a_profile_without_credentials() {
        let settings = [("output".to_string(), "table".to_string())];
        let copy = config_copy(
            b"[default]\nregion = us-east-1",
            "rswitch-served",
            &input(Some("eu-west-1")),
            &settings,
        );
        let text = String::from_utf8(copy).unwrap();
        assert!(
            text.starts_with("[default]\nregion = us-east-1\n\n# Added by rswitch"),
            "{text}"
        );
        assert!(
            text.ends_with("[profile rswitch-served]\nregion = eu-west-1\noutput = table\n"),
            "{text}"
        );
        let hostile = config_copy(b"", "rswitch-served", &input(Some("eu\n[x]")), &[]);
        let hostile = String::from_utf8(hostile).unwrap();
        assert!(hostile.ends_with("[profile rswitch-served]\n"), "{hostile}");
    }
}
