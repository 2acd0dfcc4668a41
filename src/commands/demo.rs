//! `rswitch demo`: the built-in world on loopback, with the real commands run on it: the
//! TUI when there is a terminal, `check --all` otherwise (or with `--check`). They run as
//! a child process with the demo's environment: aws-config's SSO provider reads the
//! process environment (HOME for the token cache, `AWS_ENDPOINT_URL_SSO`), not rswitch's.

use super::Exit;
use crate::cli::DemoArgs;
use crate::env::Env;
use crate::settings::Settings;
use crate::text;
use std::ffi::OsString;
use std::io::Write;

pub(crate) async fn run(
    env: &Env,
    settings: &Settings,
    args: &DemoArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let demo = crate::fake_aws::start_with(env).await?;
    demo.sts()
        .set_role_session_cap(args.session_seconds.map(std::time::Duration::from_secs));
    let run = |program: &OsString, rest: &[OsString]| -> anyhow::Result<Exit> {
        let mut cmd = std::process::Command::new(program);
        cmd.args(rest).env_clear().envs(demo.env.vars());
        if let Some(path) = path_with_rswitch(&demo.env) {
            cmd.env("PATH", path);
        }
        let status = tokio::task::block_in_place(|| cmd.status())
            .map_err(|e| anyhow::anyhow!("cannot run {}: {e}", program.to_string_lossy()))?;
        Ok(u8::try_from(crate::shell::exit_code(status)).unwrap_or(1))
    };
    if let Some((program, rest)) = args.command.split_first() {
        return run(program, rest);
    }
    out.flush()?;
    // The demo's world is brand new each run: nothing may come from or go to the real cache.
    let exe = std::env::current_exe()?.into_os_string();
    let mut own: Vec<OsString> = vec![
        "--no-cache".into(),
        "--timeout".into(),
        settings.timeout_secs.to_string().into(),
    ];
    if settings.force_ascii {
        own.push("--ascii".into());
    }
    if !args.check && super::tui::terminal_available() {
        return run(&exe, &own);
    }
    text::eprintln(format_args!(
        "rswitch demo: accounts 111111111111 (dev) and 222222222222 (prod), STS at {}, IMDSv2 at {}, IAM Identity Center at {}\n  config: {}\n  credentials: {}\n",
        demo.sts_url(),
        demo.imds_url(),
        demo.sso_url(),
        demo.config_file().display(),
        demo.credentials_file().display(),
    ));
    for p in demo.profiles() {
        text::eprintln(format_args!("  {:<22} {}", p.name, p.story));
    }
    text::eprintln(format_args!(""));
    own.extend(["check".into(), "--all".into()]);
    run(&exe, &own)
}

/// `PATH` with the directory of the running rswitch first, so `rswitch` inside the demo is
/// this one, installed or not.
fn path_with_rswitch(env: &Env) -> Option<std::ffi::OsString> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.to_path_buf();
    let rest = env.get("PATH").map(std::env::split_paths).into_iter().flatten();
    std::env::join_paths(std::iter::once(dir).chain(rest)).ok()
}
