//! Command-line interface: clap definitions only. Turns flags into domain values and never
//! touches AWS; `commands/` does the work.

use clap::{Args, Parser, Subcommand};
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "rswitch",
    version,
    about = "Switch AWS roles fast, visibly and safely",
    long_about = "Switch AWS roles fast, visibly and safely.\n\nWithout a command, opens the TUI: every profile in ~/.aws/config and ~/.aws/credentials with its live identity. Every TUI action is also a command below.",
    after_help = "Files: AWS_CONFIG_FILE (default ~/.aws/config) and AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials).\nExit status: 0 success, 1 a profile failed, 2 usage error."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Give up on an unreachable STS, IMDS or credential endpoint after this many seconds
    #[arg(long, global = true, value_name = "SECS", default_value_t = 5.0, value_parser = parse_timeout)]
    pub timeout: f64,
    /// Draw the TUI with ASCII only (automatic when the locale is not UTF-8, e.g. LANG=C)
    #[arg(long, global = true)]
    pub ascii: bool,
    /// Neither read nor write the credential cache (~/.aws/cli/cache, shared with the AWS CLI)
    #[arg(long, global = true)]
    pub no_cache: bool,
}

fn parse_timeout(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("'{s}' is not a number of seconds"))?;
    if v > 0.0 && v <= 3600.0 {
        Ok(v)
    } else {
        Err(format!("timeout must be between 0 and 3600 seconds, got {v}"))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every profile: kind, chain, region, where it is defined, lint findings (no network)
    List(ListArgs),
    /// Resolve one profile hop by hop and show who it is
    Whoami(WhoamiArgs),
    /// Resolve many profiles in parallel, one line each: OK, DENIED or ERROR
    Check(CheckArgs),
    /// Explain why a profile fails: which policy is missing, the policy JSON and the commands that would fix it
    Doctor(DoctorArgs),
    /// Check the config files for mistakes (no network); exit 1 if any error is found
    Lint(LintArgs),
    /// Pick a profile in the TUI and print its export text: eval "$(rswitch pick)"
    Pick(PickArgs),
    /// Print a profile's credentials for a shell: eval "$(rswitch export prod)"
    Export(ExportArgs),
    /// Run one command with a profile's credentials: rswitch exec prod -- aws s3 ls
    Exec(ExecArgs),
    /// Start a subshell ($SHELL) with a profile's credentials
    Shell(ShellArgs),
    /// Copy a profile's credentials to the clipboard (OSC 52 where there is no display)
    Copy(CopyArgs),
    /// Sign in to the AWS console as a profile: opens the browser, or prints the URL where there is none
    Console(ConsoleArgs),
    /// Print shell integration: an `rsw PROFILE` function that switches the current shell, and completions
    Init(InitArgs),
    /// Log in to IAM Identity Center (device code; works over SSH/SSM without a browser)
    Login(LoginArgs),
    /// IAM Identity Center: generate profiles from what the portal offers
    #[command(subcommand)]
    Sso(SsoCommand),
    /// Manage the credential cache
    #[command(subcommand)]
    Cache(CacheCommand),
    /// Keeps clipboard contents alive after rswitch exits (started by `copy`)
    #[command(name = "__clipboard-keeper", hide = true)]
    ClipboardKeeper,
    /// Run rswitch on a built-in demo world (loopback STS and IMDS; no AWS account needed)
    Demo(DemoArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print JSON instead of a table
    #[arg(long, conflicts_with = "names")]
    pub json: bool,
    /// Print only profile names, one per line (for shell completion)
    #[arg(long)]
    pub names: bool,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Profile name
    pub profile: String,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Profiles to check (default: all of them)
    pub profiles: Vec<String>,
    /// Check every profile
    #[arg(long, conflicts_with = "profiles")]
    pub all: bool,
    /// Print JSON instead of one line per profile
    #[arg(long)]
    pub json: bool,
    /// How many profiles to resolve at once
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: u16,
    /// Also check profiles that need an MFA code (asks on the terminal)
    #[arg(long)]
    pub mfa: bool,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// An SSO profile (or a profile whose chain starts at one); default: AWS_PROFILE, or the only [sso-session]
    #[arg(conflicts_with = "sso_session")]
    pub profile: Option<String>,
    /// Log in to this [sso-session] (one login serves all its profiles)
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
    /// Do not open a browser, only print the URL and code
    #[arg(long)]
    pub no_browser: bool,
    /// Do not copy the URL to the clipboard
    #[arg(long)]
    pub no_copy: bool,
}

#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Add a profile per account and role the portal offers to ~/.aws/config, in a marked block
    Sync(SsoSyncArgs),
}

#[derive(Debug, Args)]
pub struct SsoSyncArgs {
    /// The [sso-session] to sync (default: the only one)
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
    /// Print the change as a diff and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Profile names: {account_name}, {account_id}, {role_name}, {session}; unsafe characters become '-'
    #[arg(long, value_name = "TEMPLATE", env = "RSWITCH_SSO_PROFILE_TEMPLATE", default_value = crate::sso::sync::DEFAULT_TEMPLATE)]
    pub template: String,
    /// `region` of the generated profiles (default: the session's sso_region)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Print `check --all` results instead of opening the TUI (also when there is no terminal)
    #[arg(long)]
    pub check: bool,
    /// Role sessions last this many seconds (default: as requested, 1 hour), so a shell
    /// can be watched renewing its credentials: `rswitch demo --session-seconds 60 -- bash`
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(5..=43200))]
    pub session_seconds: Option<u64>,
    /// Run this command inside the demo world instead (HOME and the AWS files point at it,
    /// rswitch itself is on PATH), e.g. `rswitch demo -- rswitch doctor prod-denied-trust`
    /// or `rswitch demo -- bash`
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct PickArgs {
    /// Format of the text printed for the picked profile
    #[arg(long, short, value_enum, default_value_t = crate::export::Format::Env)]
    pub format: crate::export::Format,
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Print JSON instead of one line per finding
    #[arg(long)]
    pub json: bool,
    /// Also exit 1 on warnings
    #[arg(long)]
    pub strict: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Profile name
    pub profile: String,
    /// Output format (names as in `aws configure export-credentials`, plus json and dotenv)
    #[arg(long, short, value_enum, default_value_t = crate::export::Format::Env)]
    pub format: crate::export::Format,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Profile name
    pub profile: String,
    /// Put a one-shot copy of the credentials in AWS_* variables instead of serving them
    /// renewed on loopback (for tools without the container credentials provider)
    #[arg(long = "static")]
    pub static_copy: bool,
    /// The command and its arguments (after `--`)
    #[arg(last = true, required = true, num_args = 1.., value_name = "CMD")]
    pub command: Vec<std::ffi::OsString>,
}

#[derive(Debug, Args)]
pub struct ShellArgs {
    /// Profile name
    pub profile: String,
    /// Allow starting inside another rswitch shell
    #[arg(long)]
    pub nested: bool,
    /// Put a one-shot copy of the credentials in AWS_* variables instead of serving them
    /// renewed on loopback (for tools without the container credentials provider)
    #[arg(long = "static")]
    pub static_copy: bool,
}

#[derive(Debug, Args)]
pub struct CopyArgs {
    /// Profile name
    pub profile: String,
    /// What to copy
    #[arg(long, short, value_enum, default_value_t = crate::export::Format::Env)]
    pub format: crate::export::Format,
    /// Clear the clipboard again after this many seconds
    #[arg(long, value_name = "SECS")]
    pub clear_after: Option<u64>,
    /// Use the terminal's OSC 52 clipboard even when a display server is reachable
    #[arg(long)]
    pub osc52: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("deliver").args(["print", "copy", "open"])))]
pub struct ConsoleArgs {
    /// Profile name
    pub profile: String,
    /// Where the console opens: a service name (s3, ec2, …) or a console URL
    #[arg(long, short, value_name = "URL|SERVICE")]
    pub destination: Option<String>,
    /// Region the console opens in (default: the profile's region)
    #[arg(long, short)]
    pub region: Option<String>,
    /// Console session length, e.g. 1h, 45m, 3600 (limits depend on the session kind)
    #[arg(long, value_name = "D", value_parser = crate::console::session::parse_duration)]
    pub duration: Option<Duration>,
    /// Print the sign-in URL to stdout (the default where no browser can be opened)
    #[arg(long)]
    pub print: bool,
    /// Copy the sign-in URL to the clipboard (OSC 52 where there is no display)
    #[arg(long)]
    pub copy: bool,
    /// With --copy: clear the clipboard again after this many seconds
    #[arg(long, value_name = "SECS", requires = "copy")]
    pub clear_after: Option<u64>,
    /// With --copy: use the terminal's OSC 52 clipboard even when a display server is reachable
    #[arg(long, requires = "copy")]
    pub osc52: bool,
    /// Open the browser: $BROWSER, else the system's on a local desktop (the default there)
    #[arg(long)]
    pub open: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Shell to integrate with
    #[arg(value_enum)]
    pub shell: crate::shell::InitShell,
}

#[derive(Debug, Subcommand)]
pub enum CacheCommand {
    /// Remove cached credentials: a profile's hops, or everything rswitch and the AWS CLI cached
    Clear {
        /// Only this profile's hops
        profile: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Profile name
    pub profile: String,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

impl Command {
    /// The profile a command resolves, if any (for the credential_process loop guard).
    pub(crate) fn profile(&self) -> Option<&str> {
        match self {
            Command::Whoami(a) => Some(&a.profile),
            Command::Export(a) => Some(&a.profile),
            Command::Exec(a) => Some(&a.profile),
            Command::Shell(a) => Some(&a.profile),
            Command::Copy(a) => Some(&a.profile),
            Command::Console(a) => Some(&a.profile),
            Command::Doctor(a) => Some(&a.profile),
            _ => None,
        }
    }
}
