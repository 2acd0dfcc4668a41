//! `rswitch demo`: the built-in world on loopback, with the real commands run on it.

use super::{Exit, check};
use crate::cli::{CheckArgs, DemoArgs, GlobalArgs};
use crate::env::Env;
use std::io::Write;

pub async fn run(
    env: &Env,
    global: &GlobalArgs,
    _args: &DemoArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let demo = crate::demo::start_with(env).await?;
    eprintln!(
        "rswitch demo: accounts 111111111111 (dev) and 222222222222 (prod), STS at {}, IMDSv2 at {}\n  config: {}\n  credentials: {}\n",
        demo.sts_url(),
        demo.imds_url(),
        demo.config_file().display(),
        demo.credentials_file().display(),
    );
    for p in demo.profiles() {
        eprintln!("  {:<22} {}", p.name, p.story);
    }
    eprintln!();
    let args = CheckArgs {
        profiles: Vec::new(),
        all: true,
        json: false,
        concurrency: 16,
        mfa: false,
    };
    // The demo's world is brand new each run: nothing may come from or go to the real cache.
    let global = GlobalArgs {
        no_cache: true,
        ..global.clone()
    };
    check::run(&demo.env, &global, &args, out).await
}
