//! `rswitch` (no command), `rswitch pick` and the demo's TUI: wires the TUI to the real
//! resolver and to the hand-over actions, and prints the picked profile's export text on
//! stdout only after the terminal is restored.

use super::served::{child_pairs, gated_resolver, servable, served_note, start_served};
use super::{Exit, FAILURE, SUCCESS, load_config};
use crate::clipboard::{self, CopyOptions, Keeper};
use crate::env::Env;
use crate::export::{self, Format};
use crate::resolve::{Catalog, Resolution};
use crate::settings::Settings;
use crate::tui::{TuiExit, TuiHandlers, TuiOptions, TuiResolver};
use clap::ValueEnum;
use std::io::Write;
use std::sync::Arc;

/// True when the TUI has a terminal to draw on.
pub(crate) fn terminal_available() -> bool {
    crate::tty::available()
}

pub(crate) async fn run(
    env: &Env,
    settings: &Settings,
    format: Format,
    pick: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    if !terminal_available() {
        anyhow::bail!(
            "no terminal to draw the TUI on; use `rswitch list`, `rswitch check --all` or `rswitch export PROFILE`"
        );
    }
    let set = load_config(env)?;
    let catalog = Arc::new(Catalog::build(set, env));
    let rows = crate::tui::profile_rows(&catalog);
    let resolver = Arc::new(TuiResolver::with_catalog(
        catalog.clone(),
        settings.resolver_options(env),
    ));
    let handlers = Arc::new(Handlers {
        env: env.clone(),
        catalog,
        timeout: settings.timeout(),
        // A hand-over resolves one profile, as `shell` and `exec` do.
        settings: Settings {
            concurrency: 1,
            ..settings.clone()
        },
    });
    let options = TuiOptions {
        concurrency: settings.concurrency,
        look: settings.look,
        ..TuiOptions::from_env(env, settings.force_ascii)
    };
    let exit = crate::tui::run(options, rows, resolver, handlers).await?;
    match exit {
        TuiExit::Quit => Ok(if pick { FAILURE } else { SUCCESS }),
        TuiExit::Signal(n) => Ok(u8::try_from(128 + n).unwrap_or(FAILURE)),
        TuiExit::Pick { profile, resolution } => {
            let input = match resolution.as_deref().and_then(Resolution::handover) {
                Some(input) => input,
                None => {
                    crate::text::eprintln(format_args!(
                        "rswitch: profile '{profile}' has no credentials to export"
                    ));
                    return Ok(FAILURE);
                }
            };
            out.write_all(export::render(&input, format)?.as_bytes())?;
            out.flush()?;
            Ok(SUCCESS)
        }
    }
}

struct Handlers {
    env: Env,
    catalog: Arc<Catalog>,
    timeout: std::time::Duration,
    /// For the resolver that renews a shell's credentials.
    settings: Settings,
}

impl TuiHandlers for Handlers {
    fn copy_as(&self, resolution: &Resolution, format: Format) -> anyhow::Result<String> {
        let input = resolution
            .handover()
            .ok_or_else(|| anyhow::anyhow!("no credentials to copy"))?;
        let text = export::render(&input, format)?;
        let opts = CopyOptions {
            keeper: Keeper::current_exe(&["__clipboard-keeper"]).ok(),
            ..CopyOptions::default()
        };
        let path = clipboard::copy(&text, &opts, &self.env)?;
        Ok(format!("{} ({}, profile {})", path, format.name(), input.profile))
    }

    fn copy(&self, resolution: &Resolution) -> anyhow::Result<String> {
        self.copy_as(resolution, Format::Env)
    }

    fn copy_formats(&self) -> Vec<Format> {
        Format::value_variants().to_vec()
    }

    fn subshell(&self, resolution: &Resolution) -> anyhow::Result<String> {
        let input = resolution
            .handover()
            .ok_or_else(|| anyhow::anyhow!("no credentials for a shell"))?;
        // The same guard as `rswitch shell`: no shell inside an rswitch shell, checked
        // before a server is started for nothing.
        crate::shell::refuse_nesting(&self.env, false)?;
        // Served like `rswitch shell`: the shell's credentials renew themselves. The
        // renewing resolver never prompts (the shell owns the terminal).
        let served = if servable(&input) {
            let prompts = Arc::new(std::sync::atomic::AtomicBool::new(false));
            let set = self.catalog.set().clone();
            let resolver = gated_resolver(set.clone(), &self.env, &self.settings, &input.profile, prompts);
            let start = start_served(&self.env, &set, resolver, &input);
            Some(tokio::runtime::Handle::current().block_on(start)?)
        } else {
            None
        };
        let pairs = match &served {
            Some(served) => served.env.pairs.clone(),
            None => child_pairs(&input),
        };
        let mut cmd = crate::shell::subshell_command(&self.env, &pairs, false)?;
        // Under `eval "$(rswitch)"` stdout is a pipe: the shell talks to the terminal.
        let tty = crate::tty::open;
        cmd.stdin(tty()?).stdout(tty()?).stderr(tty()?);
        let mut banner = tty()?;
        let _ = crate::text::put_line(&mut banner, &crate::shell::banner(&input));
        if let Some(served) = &served {
            let _ = crate::text::put_line(&mut banner, &crate::text::line(&served_note(served)));
        }
        let status = cmd.status()?;
        drop(served);
        Ok(format!(
            "shell for {} exited with status {}",
            input.profile,
            crate::shell::exit_code(status)
        ))
    }

    fn console(&self, resolution: &Resolution) -> anyhow::Result<String> {
        let headless = crate::console::open::headless(&self.env);
        let how = match headless {
            Some(_) => super::console::Delivery::Copy(Default::default()),
            None => super::console::Delivery::Open,
        };
        let request = crate::console::ConsoleRequest::default();
        let signin = tokio::runtime::Handle::current()
            .block_on(crate::console::sign_in_resolved(
                resolution,
                self.catalog.set(),
                &self.env,
                &request,
                self.timeout,
            ))
            .map_err(|e| anyhow::anyhow!(crate::text::printable(&e.to_string())))?;
        let said = super::console::deliver(&signin, how, &self.env, &mut std::io::sink())?;
        Ok(match headless {
            Some(reason) => format!("no browser here ({reason}): {said}"),
            None => said,
        })
    }

    fn doctor(&self, resolution: &Resolution) -> String {
        let plan = self.catalog.planned(&resolution.profile).ok();
        crate::doctor::diagnose(plan.as_ref(), resolution).to_text()
    }

    fn login(
        &self,
        profile: &str,
        prompt: crate::tui::effect::LoginPromptFn,
    ) -> futures::future::BoxFuture<'static, anyhow::Result<crate::tui::effect::LoggedIn>> {
        let (env, set, profile, timeout) = (
            self.env.clone(),
            self.catalog.set().clone(),
            profile.to_string(),
            self.timeout,
        );
        Box::pin(async move { super::login::for_tui(&env, &set, &profile, timeout, prompt).await })
    }
}
