//! A fake AWS on loopback, for `rswitch demo` and the tests: it needs no AWS account and
//! no Python, and leaves nothing behind. An STS-compatible endpoint (`sts.rs`) over a
//! small IAM world (`world.rs`, `policy.rs`) with real SigV4 checks, the sign-in federation
//! endpoint beside it (`federation.rs`, for `rswitch console`), an IAM Identity Center
//! portal (`sso.rs`), an IMDSv2 (`imds.rs`) serving the instance role, all on the tiny
//! HTTP server in `loopback.rs`; and an AWS config + credentials pair in a temporary
//! directory that exercises every outcome. Nothing here is used when talking to real AWS
//! (the real STS client is `crate::sts`).
//!
//! Everything is removed when the [`Demo`] is dropped. Nothing here touches the user's own
//! `~/.aws`.
//!
//! Running `rswitch check --all` against it: start the demo, then run exactly what
//! `check --all` runs, with `demo.env` in place of `Env::real()` (every profile's STS endpoint
//! and the instance profile's IMDS endpoint are in the config file, so nothing else changes).
//! Keep the [`Demo`] alive until the output is done. `rswitch demo` may equally start a shell
//! with `demo.env` applied, in which `rswitch check --all` and the AWS CLI
//! (`aws sts get-caller-identity --profile prod`) both work until the shell exits.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let demo = rswitch::fake_aws::start().await?;
//! for p in demo.profiles() {
//!     // resolve profile `p.name` with `&demo.env`; `p.story` says what it demonstrates
//!     # let _ = p;
//! }
//! # Ok(()) }
//! ```
//!
//! What each profile shows (see `assets/demo/config`): `alice` (static keys), `dev-admin`
//! (same account, trust alone), `dev-audit` (explicit deny), `prod` (cross-account),
//! `prod-from-instance` (IMDSv2 instance role), `prod-deploy` (role chaining),
//! `prod-denied-trust` / `prod-denied-identity` (AccessDenied by either side), `partner`
//! (external id), `prod-mfa` (MFA; the demo device accepts `123456`), `broken-arn`
//! (ValidationError), `sso-dev` / `sso-prod` (IAM Identity Center through the demo portal,
//! `sso.rs`, after `rswitch login` or `l` in the TUI).

pub mod federation;
pub mod imds;
pub mod loopback;
mod params;
pub(crate) mod policy;
mod session;
mod sigv4;
pub(crate) mod sso;
pub(crate) mod sts;
pub(crate) mod world;
mod xml;

use crate::env::Env;
use crate::fake_aws::loopback::Server;
use ini::{EscapePolicy, Ini, LineSeparator, WriteOption};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;
use tempfile::TempDir;
use world::World;

/// How long the demo portal takes to approve a device code "in the browser".
pub(crate) const SSO_APPROVAL: std::time::Duration = std::time::Duration::from_secs(3);

/// The config template; `{sts}` and `{imds}` become the loopback endpoints.
pub(crate) const CONFIG_TEMPLATE: &str = include_str!("../../assets/demo/config");

/// A running demo: servers on loopback and the files that point at them.
pub struct Demo {
    /// Holds `.aws/config` and `.aws/credentials`; deleted on drop.
    pub dir: TempDir,
    /// An environment whose `HOME`, `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE` point
    /// into `dir`, with every other `AWS_*` variable removed so nothing leaks in.
    pub env: Env,
    pub world: Arc<World>,
    sts_state: Arc<sts::DemoSts>,
    sts: Server,
    imds: Server,
    sso: Server,
}

/// One profile of the demo config and what it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoProfile {
    pub name: String,
    /// The comment above the profile in the template.
    pub story: String,
}

/// Starts the demo based on the real process environment.
pub async fn start() -> io::Result<Demo> {
    start_with(&Env::real()).await
}

/// Starts the demo; `base` supplies the non-AWS variables (`PATH`, `USER`, `TERM`, …).
pub async fn start_with(base: &Env) -> io::Result<Demo> {
    let world = Arc::new(World::demo().map_err(io::Error::other)?);
    let (sts_state, sts) = sts::start(world.clone()).await?;
    let instance = sts_state
        .instance_credentials(SystemTime::now())
        .ok_or_else(|| io::Error::other("demo world: the instance role does not exist"))?;
    let role_name = world
        .instance
        .role
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let imds = imds::start(&role_name, instance).await?;
    let sso = sso::start(sts_state.clone(), SSO_APPROVAL).await?;

    let dir = tempfile::Builder::new().prefix("rswitch-demo-").tempdir()?;
    let aws = dir.path().join(".aws");
    std::fs::create_dir_all(&aws)?;
    let (config, credentials) = (aws.join("config"), aws.join("credentials"));
    crate::platform::write_private_atomically(&config, &render_config(&sts.url(), &imds.url())?)?;
    crate::platform::write_private_atomically(&credentials, &render_credentials(&world)?)?;

    let mut env = Env::from_vars(
        base.vars().filter(|(k, _)| !k.starts_with("AWS_")),
        Some(dir.path().to_path_buf()),
    );
    env.set("HOME", path_str(dir.path()));
    env.set("AWS_CONFIG_FILE", path_str(&config));
    env.set("AWS_SHARED_CREDENTIALS_FILE", path_str(&credentials));
    // The SSO login, its token cache and the account names stay in the demo's directory.
    env.set("AWS_ENDPOINT_URL_SSO", sso.url());
    env.set("AWS_ENDPOINT_URL_SSO_OIDC", sso.url());
    env.set("XDG_CONFIG_HOME", path_str(&dir.path().join(".config")));
    env.set("XDG_CACHE_HOME", path_str(&dir.path().join(".cache")));
    // Exported credentials carry no endpoint: without this the AWS CLI would take them
    // to the real STS.
    env.set("AWS_ENDPOINT_URL_STS", sts.url());
    Ok(Demo {
        dir,
        env,
        world,
        sts_state,
        sts,
        imds,
        sso,
    })
}

impl Demo {
    /// `http://127.0.0.1:PORT` of the demo STS.
    pub fn sts_url(&self) -> String {
        self.sts.url()
    }

    /// `http://127.0.0.1:PORT` of the demo IAM Identity Center portal (SSO and SSO OIDC).
    pub fn sso_url(&self) -> String {
        self.sso.url()
    }

    /// `http://127.0.0.1:PORT` of the demo IMDS.
    pub fn imds_url(&self) -> String {
        self.imds.url()
    }

    pub fn config_file(&self) -> PathBuf {
        self.env.config_file()
    }

    pub fn credentials_file(&self) -> PathBuf {
        self.env.credentials_file()
    }

    /// The demo STS itself (for tests that inspect or drive it directly).
    pub fn sts(&self) -> &Arc<sts::DemoSts> {
        &self.sts_state
    }

    /// The profiles of the demo config, in file order, with what each one shows.
    pub fn profiles(&self) -> Vec<DemoProfile> {
        profiles()
    }
}

/// The profiles of the demo config template, in order, with their comments.
pub(crate) fn profiles() -> Vec<DemoProfile> {
    let mut out = Vec::new();
    let mut story: Vec<&str> = Vec::new();
    for line in CONFIG_TEMPLATE.lines().map(str::trim) {
        if let Some(comment) = line.strip_prefix('#') {
            story.push(comment.trim());
        } else if let Some(name) = line.strip_prefix("[profile ").and_then(|l| l.strip_suffix(']')) {
            out.push(DemoProfile {
                name: name.trim().to_string(),
                story: story.join(" "),
            });
            story.clear();
        } else if line.is_empty() {
            story.clear();
        }
    }
    out
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn write_option() -> WriteOption {
    WriteOption {
        // The AWS parsers take values verbatim: write them verbatim.
        escape_policy: EscapePolicy::Nothing,
        line_separator: LineSeparator::CR,
        kv_separator: " = ",
    }
}

/// The config file: the template with its endpoints filled in, written section by section
/// so each profile keeps its comment.
fn render_config(sts_url: &str, imds_url: &str) -> io::Result<Vec<u8>> {
    let template = Ini::load_from_str_noescape(CONFIG_TEMPLATE).map_err(io::Error::other)?;
    let stories = profiles();
    let mut out = b"# Written by `rswitch demo`; removed when the demo ends.\n".to_vec();
    for (section, props) in template.iter() {
        let Some(section) = section else { continue };
        let name = section.strip_prefix("profile ").unwrap_or(section);
        if let Some(p) = stories
            .iter()
            .find(|p| p.name == name)
            .filter(|p| !p.story.is_empty())
        {
            writeln!(out, "\n# {}", p.story)?;
        }
        let mut one = Ini::new();
        for (k, v) in props.iter() {
            let v = v.replace("{sts}", sts_url).replace("{imds}", imds_url);
            one.with_section(Some(section)).set(k, v);
        }
        one.write_to_opt(&mut out, write_option())?;
    }
    Ok(out)
}

/// The credentials file: every user's first access key, under the user's name.
fn render_credentials(world: &World) -> io::Result<Vec<u8>> {
    let mut ini = Ini::new();
    for user in &world.users {
        if let Some(key) = user.access_keys.first() {
            ini.with_section(Some(user.name.as_str()))
                .set("aws_access_key_id", key.access_key_id.as_str())
                .set("aws_secret_access_key", key.secret_access_key.expose());
        }
    }
    let mut out = Vec::new();
    ini.write_to_opt(&mut out, write_option())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_profiles_and_stories() {
        let names: Vec<String> = profiles().into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                "alice",
                "dev-admin",
                "dev-audit",
                "prod",
                "prod-from-instance",
                "prod-deploy",
                "prod-denied-trust",
                "prod-denied-identity",
                "partner",
                "prod-mfa",
                "broken-arn",
                "sso-dev",
                "sso-prod",
            ]
        );
        assert!(profiles().iter().all(|p| !p.story.is_empty()));
        let deploy = profiles()
            .into_iter()
            .find(|p| p.name == "prod-deploy")
            .expect("prod-deploy");
        assert!(deploy.story.contains("chaining"), "{}", deploy.story);
    }

    #[test]
    fn rendered_config_fills_endpoints_and_keeps_values_verbatim() {
        let text =
            String::from_utf8(render_config("http://127.0.0.1:1", "http://127.0.0.1:2").expect("render"))
                .expect("utf8");
        assert!(!text.contains("{sts}") && !text.contains("{imds}"), "{text}");
        assert!(text.contains("endpoint_url = http://127.0.0.1:1\n"), "{text}");
        assert!(
            text.contains("ec2_metadata_service_endpoint = http://127.0.0.1:2\n"),
            "{text}"
        );
        assert!(
            text.contains("role_arn = arn:aws:iam::222222222222/SwitchToRole\n"),
            "{text}"
        );
        assert!(text.contains("\n# A slash where \":role/\" belongs"), "{text}");
        let parsed = Ini::load_from_str_noescape(&text).expect("parses back");
        assert_eq!(
            parsed.get_from(Some("profile partner"), "external_id"),
            Some("demo-partner-7f3a")
        );
    }
}
