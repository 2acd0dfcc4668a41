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
}

impl GlobalArgs {
    pub fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout)
    }
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
    /// Check the config files for mistakes (no network); exit 1 if any error is found
    Lint(LintArgs),
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
pub struct DemoArgs {
    /// Print the demo's check results instead of opening the TUI
    #[arg(long)]
    pub check: bool,
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
