//! `rswitch console PROFILE`: a console sign-in URL, printed, copied or opened.

use super::{Exit, FAILURE, SUCCESS, load_config, resolver};
use crate::cli::ConsoleArgs;
use crate::clipboard::{self, CopyOptions, Keeper};
use crate::console::{self, ConsoleError, ConsoleRequest, SignIn, open};
use crate::env::Env;
use crate::report;
use crate::settings::Settings;
use crate::text;
use std::io::Write;
use std::time::{Duration, SystemTime};

/// Where the URL goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delivery {
    Print,
    Copy(CopyChoice),
    Open,
}

/// How `--copy` copies: `--clear-after`, `--osc52`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct CopyChoice {
    pub clear_after: Option<Duration>,
    pub osc52: bool,
}

/// `--print`/`--copy`/`--open`, or the default: open where a browser can be opened,
/// print where it cannot (with the reason, on stderr).
pub(crate) fn delivery(args: &ConsoleArgs, env: &Env) -> (Delivery, Option<&'static str>) {
    if args.print {
        (Delivery::Print, None)
    } else if args.copy {
        let choice = CopyChoice {
            clear_after: args.clear_after.map(Duration::from_secs),
            osc52: args.osc52,
        };
        (Delivery::Copy(choice), None)
    } else if args.open {
        (Delivery::Open, None)
    } else {
        match open::headless(env) {
            Some(reason) => (Delivery::Print, Some(reason)),
            None => (Delivery::Open, None),
        }
    }
}

pub(crate) async fn run(
    env: &Env,
    settings: &Settings,
    args: &ConsoleArgs,
    out: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let (how, headless) = delivery(args, env);
    if how == Delivery::Open
        && let Some(reason) = open::headless(env)
    {
        text::eprintln(format_args!("rswitch: {}", open::OpenError::Headless(reason)));
        return Ok(FAILURE);
    }
    let set = match load_config(env) {
        Ok(set) => set,
        Err(e) => {
            text::eprintln(format_args!("rswitch: error: {e:#}"));
            return Ok(FAILURE);
        }
    };
    let request = ConsoleRequest {
        destination: args.destination.clone(),
        region: args.region.clone(),
        duration: args.duration,
    };
    let resolver = resolver(set, env, settings);
    let signin = match console::sign_in(&resolver, &args.profile, &request, settings.timeout()).await {
        Ok(signin) => signin,
        Err(e) => {
            report_error(&e, env);
            return Ok(FAILURE);
        }
    };
    match deliver(&signin, how, env, out) {
        Ok(said) => {
            if let Some(reason) = headless {
                text::eprintln(format_args!(
                    "rswitch: no browser here ({reason}): printed the sign-in URL; --copy puts it on the clipboard"
                ));
            }
            text::eprintln(format_args!("{said}"));
            Ok(SUCCESS)
        }
        Err(e) => {
            text::eprintln(format_args!("rswitch: {e:#}"));
            Ok(FAILURE)
        }
    }
}

/// Sends the URL where asked; returns what to tell the user (never the URL).
pub(crate) fn deliver(
    signin: &SignIn,
    how: Delivery,
    env: &Env,
    out: &mut dyn Write,
) -> anyhow::Result<String> {
    let what = signin.describe();
    match how {
        Delivery::Print => {
            out.write_all(signin.url.expose().as_bytes())?;
            out.write_all(b"\n")?;
            out.flush()?;
            Ok(format!(
                "console sign-in URL for {what}; it signs in whoever holds it within 15 minutes"
            ))
        }
        Delivery::Copy(choice) => {
            let opts = CopyOptions {
                clear_after: choice.clear_after,
                force_osc52: choice.osc52,
                keeper: Keeper::current_exe(&["__clipboard-keeper"]).ok(),
            };
            let path = tokio::task::block_in_place(|| clipboard::copy(signin.url.expose(), &opts, env))?;
            Ok(format!("console sign-in URL {} for {what}", path))
        }
        Delivery::Open => {
            tokio::task::block_in_place(|| open::open_url(&signin.url, env))?;
            Ok(format!("opened the AWS console in the browser for {what}"))
        }
    }
}

fn report_error(e: &ConsoleError, env: &Env) {
    match e {
        ConsoleError::Resolve(resolution) => {
            text::eprint(&report::whoami_text(
                resolution,
                &crate::sso::names::AccountNames::load(env),
                SystemTime::now(),
            ));
        }
        other => text::eprintln(format_args!("rswitch: {other}")),
    }
}
