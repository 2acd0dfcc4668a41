//! `rswitch demo`: the built-in world on loopback, with the real commands run on it: the
//! TUI when there is a terminal, `check --all` otherwise (or with `--check`).

use super::{Exit, check};
use crate::cli::{CheckArgs, DemoArgs, GlobalArgs};
use crate::env::Env;
use std::io::Write;

pub async fn run(
    env: &Env,
    global: &GlobalArgs,
    args: &DemoArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let demo = crate::demo::start_with(env).await?;
    demo.sts()
        .set_role_session_cap(args.session_seconds.map(std::time::Duration::from_secs));
    // The demo's world is brand new each run: nothing may come from or go to the real cache.
    let global = GlobalArgs {
        no_cache: true,
        ..global.clone()
    };
    if let Some((program, rest)) = args.command.split_first() {
        let mut cmd = std::process::Command::new(program);
        cmd.args(rest).env_clear().envs(demo.env.vars());
        if let Some(path) = path_with_rswitch(&demo.env) {
            cmd.env("PATH", path);
        }
        let status = tokio::task::block_in_place(|| cmd.status())
            .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", program.to_string_lossy()))?;
        return Ok(u8::try_from(crate::shell::exit_code(status)).unwrap_or(1));
    }
    if !args.check && super::tui::terminal_available() {
        return super::tui::run(&demo.env, &global, crate::export::Format::Env, false, out).await;
    }
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
    check::run(&demo.env, &global, &args, out).await
}

/// `PATH` with the directory of the running rswitch first, so `rswitch` inside the demo is
/// this one, installed or not.
fn path_with_rswitch(env: &Env) -> Option<std::ffi::OsString> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.to_path_buf();
    let rest = env.get("PATH").map(std::env::split_paths).into_iter().flatten();
    std::env::join_paths(std::iter::once(dir).chain(rest)).ok()
}
