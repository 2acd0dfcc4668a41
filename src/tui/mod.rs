//! The interactive picker (`rswitch` with no arguments), in The Elm Architecture:
//!
//! - [`action`]: one enum for everything that happens (keys mapped by [`keymap`], the
//!   clock, resizes, resolution results);
//! - [`state`]: plain data; [`update`] is the only code that changes it and returns
//!   [`effect::Effect`]s instead of doing anything itself. Both depend on nothing but
//!   their own data: no view, no doctor;
//! - [`view`]: pure `render(&State, &mut Frame)`;
//! - `app` (the runtime): runs effects on tokio with bounded concurrency, feeds results
//!   back as actions (with what `update` must not compute itself: the list's height from
//!   the view's layout, the doctor's verdict on a failure), draws on `/dev/tty` (never
//!   stdout) and restores the terminal on every way out.
//!
//! Resolution and the credential hand-overs are the caller's: [`ResolveProfile`] and
//! [`TuiHandlers`]. This module never talks to STS, the clipboard or a shell itself.

pub mod action;
mod app;
pub mod effect;
pub(crate) mod filter;
pub mod keymap;
mod resolver;
pub(crate) mod rows;
pub mod state;
mod terminal;
pub mod update;
pub mod view;

pub use app::{Screen, run, run_on};
pub use effect::{Effect, MfaCode, ResolveProfile, TuiHandlers};
pub use resolver::TuiResolver;
pub use rows::{ProfileRow, profile_rows};
pub use state::{Look, State, TuiExit};

use crate::env::Env;

/// How the TUI starts and looks.
#[derive(Clone, Debug)]
pub struct TuiOptions {
    pub look: Look,
    /// Profiles resolved at once.
    pub concurrency: usize,
    /// Resolve every profile that needs no input as soon as the TUI opens.
    pub resolve_on_start: bool,
    /// Profile selected at start (e.g. the current `AWS_PROFILE`).
    pub select: Option<String>,
    /// Names shown next to account IDs (and matched by the filter).
    pub names: crate::sso::names::AccountNames,
}

impl Default for TuiOptions {
    fn default() -> Self {
        TuiOptions {
            look: Look::default(),
            concurrency: 8,
            resolve_on_start: true,
            select: None,
            names: Default::default(),
        }
    }
}

impl TuiOptions {
    /// Options from the environment: `NO_COLOR`, the locale, `AWS_PROFILE`; `ascii` is the
    /// `--ascii` flag.
    pub(crate) fn from_env(env: &Env, ascii: bool) -> Self {
        TuiOptions {
            look: look_from_env(env, ascii),
            select: env.get("AWS_PROFILE").map(str::to_string),
            names: crate::sso::names::AccountNames::load(env),
            ..TuiOptions::default()
        }
    }
}

/// The look the environment asks for: ASCII unless the locale is UTF-8 (or when forced),
/// no colours when `NO_COLOR` is set to anything non-empty.
pub(crate) fn look_from_env(env: &Env, force_ascii: bool) -> Look {
    Look {
        ascii: force_ascii || !utf8_locale(env),
        color: env.get("NO_COLOR").is_none(),
    }
}

/// POSIX precedence: the first of `LC_ALL`, `LC_CTYPE`, `LANG` that is set decides;
/// none set means the C locale, which is not UTF-8 (as in SSM sessions).
pub(crate) fn utf8_locale(env: &Env) -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| env.get(k))
        .is_some_and(|v| {
            let v = v.to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().copied(), None)
    }

    #[test]
    fn locale_decides_ascii() {
        assert!(utf8_locale(&env(&[("LANG", "en_US.UTF-8")])));
        assert!(utf8_locale(&env(&[("LC_CTYPE", "C.utf8"), ("LANG", "C")])));
        assert!(!utf8_locale(&env(&[("LANG", "C")])));
        assert!(!utf8_locale(&env(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])));
        assert!(!utf8_locale(&env(&[])));
        assert!(look_from_env(&env(&[("LANG", "en_US.UTF-8")]), true).ascii);
    }

    #[test]
    fn no_color_needs_a_value() {
        assert!(!look_from_env(&env(&[("NO_COLOR", "1")]), false).color);
        assert!(look_from_env(&env(&[("NO_COLOR", "")]), false).color);
    }
}
