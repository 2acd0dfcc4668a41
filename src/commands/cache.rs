//! `rswitch cache clear [PROFILE]`: removes cached credentials (all, or one profile's chain).

use super::{Exit, SUCCESS, load_config};
use crate::env::Env;
use crate::text;

pub(crate) fn clear(env: &Env, profile: Option<&str>) -> anyhow::Result<Exit> {
    let cache = crate::cache::Cache::for_env(env);
    let removed = match profile {
        None => cache.clear_all()?,
        Some(name) => {
            let set = load_config(env)?;
            let plan = crate::resolve::Catalog::build(set, env).planned(name)?;
            let keys: Vec<_> = plan.hops.iter().map(crate::resolve::cache_key).collect();
            cache.clear(keys.iter())?
        }
    };
    text::eprintln(format_args!(
        "removed {removed} cached credential file(s) from {}",
        cache.dir().display()
    ));
    Ok(SUCCESS)
}
