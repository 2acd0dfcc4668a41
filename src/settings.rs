//! What a command runs with, decided once: the parsed command line (`crate::cli`, the
//! low-level arguments) and the environment turned into the settings the commands read
//! (the high-level ones). `commands::dispatch` builds them before anything else; no
//! command reads a global flag or an environment variable for these itself.

use crate::cli::{Cli, Command};
use crate::env::Env;
use crate::nesting::Nesting;
use crate::resolve::ResolverOptions;
use crate::tui::Look;
use std::time::Duration;

/// Profiles the TUI (and `pick`, `demo`) resolves at once.
const TUI_CONCURRENCY: usize = 16;

/// The settings of one run.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `--timeout` in seconds, as given (a child rswitch gets the same value).
    pub timeout_secs: f64,
    /// Read and write the credential cache (false under `--no-cache`).
    pub cache: bool,
    /// `--ascii`, as given (a child rswitch gets the same flag).
    pub force_ascii: bool,
    /// How the TUI draws: `--ascii` or a non-UTF-8 locale, and `NO_COLOR`.
    pub look: Look,
    /// Profiles resolved at once: `check --concurrency`, the TUI's bound, else one.
    pub concurrency: usize,
    /// The rswitch processes above this one through `credential_process`.
    pub nesting: Nesting,
}

impl Settings {
    pub fn new(cli: &Cli, env: &Env) -> Settings {
        let global = &cli.global;
        let concurrency = match &cli.command {
            Some(Command::Check(args)) => usize::from(args.concurrency),
            None | Some(Command::Pick(_) | Command::Demo(_)) => TUI_CONCURRENCY,
            Some(_) => 1,
        };
        Settings {
            timeout_secs: global.timeout,
            cache: !global.no_cache,
            force_ascii: global.ascii,
            look: crate::tui::look_from_env(env, global.ascii),
            concurrency,
            nesting: Nesting::from_env(env),
        }
    }

    /// `--timeout`: the bound of a whole command.
    pub(crate) fn timeout(&self) -> Duration {
        Duration::from_secs_f64(self.timeout_secs)
    }

    /// The resolver's options: the one place they are made from the command line.
    pub(crate) fn resolver_options(&self, env: &Env) -> ResolverOptions {
        ResolverOptions {
            timeout: self.timeout(),
            concurrency: self.concurrency,
            cache: self.cache.then(|| crate::cache::Cache::for_env(env)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn settings(args: &[&str], vars: &[(&str, &str)]) -> Settings {
        let cli = Cli::try_parse_from(std::iter::once("rswitch").chain(args.iter().copied()))
            .expect("valid arguments");
        Settings::new(&cli, &Env::from_vars(vars.iter().copied(), None))
    }

    #[test]
    fn flags_and_environment_become_one_set_of_settings() {
        let s = settings(
            &["--timeout", "2.5", "--no-cache", "check", "--concurrency", "3"],
            &[("LANG", "en_US.UTF-8"), ("RSWITCH_DEPTH", "2")],
        );
        assert_eq!(s.timeout(), Duration::from_millis(2500));
        assert!(!s.cache);
        assert_eq!(s.concurrency, 3);
        assert!(!s.look.ascii && s.look.color);
        assert_eq!(s.nesting.depth, 2);
    }

    #[test]
    fn defaults_follow_the_command_and_the_locale() {
        let tui = settings(&[], &[("LANG", "C"), ("NO_COLOR", "1")]);
        assert!(tui.cache);
        assert_eq!(tui.concurrency, TUI_CONCURRENCY);
        assert!(tui.look.ascii && !tui.look.color);
        assert_eq!(tui.timeout(), Duration::from_secs(5));
        let whoami = settings(&["--ascii", "whoami", "p"], &[("LANG", "en_US.UTF-8")]);
        assert_eq!(whoami.concurrency, 1);
        assert!(whoami.force_ascii && whoami.look.ascii);
    }
}
