//! The guard against rswitch calling itself forever through `credential_process`.
//!
//! A profile whose `credential_process` runs `rswitch export …` for a profile that leads
//! back to it would start rswitch after rswitch. Every `credential_process` rswitch runs
//! gets two variables ([`child_vars`]): [`DEPTH_VAR`], how many rswitch processes are
//! above it, and [`RESOLVING_VAR`], the profiles they were resolving (a JSON array, so a
//! profile named `""` or `a,b` is one name). Every command checks them first
//! ([`Nesting::check`]), whatever it does and whatever the names: more than [`MAX_DEPTH`] nested
//! rswitch processes, or a profile already on the chain, stop with an error naming the
//! chain. Commands the user runs (`exec`, `shell`) do not inherit either variable.

use crate::env::Env;

/// How many rswitch processes are above this one through `credential_process`.
pub const DEPTH_VAR: &str = "RSWITCH_DEPTH";
/// The profiles being resolved by the rswitch processes above this one (JSON array).
pub(crate) const RESOLVING_VAR: &str = "RSWITCH_RESOLVING";
/// More nested rswitch processes than this is a loop, whatever the names.
pub(crate) const MAX_DEPTH: usize = 8;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum NestingError {
    #[error(
        "profile '{name}': credential_process loop: rswitch is resolving {} -> {again} (a credential_process runs rswitch for a profile that leads back here)",
        show(chain),
        name = crate::text::printable(profile),
        again = show_one(profile)
    )]
    Loop { profile: String, chain: Vec<String> },
    #[error(
        "credential_process loop: rswitch is nested {depth} deep ({}); a credential_process runs rswitch for a profile that leads back here",
        show(chain)
    )]
    TooDeep { depth: usize, chain: Vec<String> },
}

/// The nesting recorded in `env` by the rswitch processes above this one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Nesting {
    pub depth: usize,
    pub chain: Vec<String>,
}

impl Nesting {
    pub(crate) fn from_env(env: &Env) -> Nesting {
        let chain: Vec<String> = env
            .get(RESOLVING_VAR)
            .and_then(|v| serde_json::from_str(v).ok())
            .unwrap_or_default();
        // A depth lost on the way (a helper that cleans its environment but keeps the
        // chain) is at least the chain's length.
        let depth = env
            .get(DEPTH_VAR)
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0)
            .max(chain.len());
        Nesting { depth, chain }
    }
}

impl Nesting {
    /// Refuses to run when this process is nested too deep, or resolves `profile` (the
    /// one the command names, if any) for a process above it.
    pub(crate) fn check(&self, profile: Option<&str>) -> Result<(), NestingError> {
        let Nesting { depth, chain } = self;
        if let Some(profile) = profile
            && chain.iter().any(|p| p == profile)
        {
            return Err(NestingError::Loop {
                profile: profile.to_string(),
                chain: chain.clone(),
            });
        }
        if *depth >= MAX_DEPTH {
            return Err(NestingError::TooDeep {
                depth: *depth,
                chain: chain.clone(),
            });
        }
        Ok(())
    }
}

/// The variables a `credential_process` run while resolving `profile` gets.
pub(crate) fn child_vars(env: &Env, profile: &str) -> [(&'static str, String); 2] {
    let Nesting { depth, mut chain } = Nesting::from_env(env);
    chain.push(profile.to_string());
    [
        (DEPTH_VAR, (depth + 1).to_string()),
        (RESOLVING_VAR, serde_json::to_string(&chain).unwrap_or_default()),
    ]
}

/// A profile name, printable; `''` for the empty one.
fn show_one(profile: &str) -> String {
    match profile {
        "" => "''".to_string(),
        p => crate::text::printable(p),
    }
}

/// `a -> b -> ''`, each name made printable.
fn show(chain: &[String]) -> String {
    if chain.is_empty() {
        return "(no profile names)".to_string();
    }
    chain.iter().map(|p| show_one(p)).collect::<Vec<_>>().join(" -> ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        Env::from_vars(vars.iter().copied(), None)
    }

    fn check(env: &Env, profile: Option<&str>) -> Result<(), NestingError> {
        Nesting::from_env(env).check(profile)
    }

    #[test]
    fn every_level_counts_whatever_the_names() {
        let mut e = env(&[]);
        for level in 0..MAX_DEPTH {
            // `check`, `list` and the TUI name no profile: only the depth counts.
            assert_eq!(check(&e, None), Ok(()), "level {level}");
            for (k, v) in child_vars(&e, "") {
                e.set(k, v);
            }
            // The same empty name again is a loop at once.
            assert!(matches!(check(&e, Some("")), Err(NestingError::Loop { .. })));
        }
        let err = check(&e, None).unwrap_err();
        assert!(
            matches!(err, NestingError::TooDeep { depth: MAX_DEPTH, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("'' -> '' ->"), "{err}");
    }

    #[test]
    fn names_with_commas_stay_whole() {
        let mut e = env(&[]);
        for (k, v) in child_vars(&e, "a,b") {
            e.set(k, v);
        }
        assert_eq!(check(&e, Some("a")), Ok(()));
        let err = check(&e, Some("a,b")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "profile 'a,b': credential_process loop: rswitch is resolving a,b -> a,b (a credential_process runs rswitch for a profile that leads back here)"
        );
    }

    #[test]
    fn a_lost_depth_is_at_least_the_chain() {
        let e = env(&[(RESOLVING_VAR, r#"["a","b","c","d","e","f","g","h"]"#)]);
        assert!(matches!(
            check(&e, Some("x")),
            Err(NestingError::TooDeep { depth: 8, .. })
        ));
    }
}
