//! `rswitch init SHELL`: the shell integration script and the shell's completions.

use super::{Exit, SUCCESS};
use crate::cli::InitArgs;
use crate::shell;
use std::io::Write;

pub(crate) fn run(args: &InitArgs, out: &mut dyn Write) -> anyhow::Result<Exit> {
    use clap::CommandFactory;
    out.write_all(shell::init_script(args.shell).as_bytes())?;
    let mut completions = Vec::new();
    let mut cmd = crate::cli::Cli::command();
    match args.shell {
        shell::InitShell::Bash => {
            clap_complete::generate(clap_complete::Shell::Bash, &mut cmd, "rswitch", &mut completions)
        }
        shell::InitShell::Zsh => {
            clap_complete::generate(clap_complete::Shell::Zsh, &mut cmd, "rswitch", &mut completions)
        }
        shell::InitShell::Fish => {
            clap_complete::generate(clap_complete::Shell::Fish, &mut cmd, "rswitch", &mut completions)
        }
        shell::InitShell::Powershell => clap_complete::generate(
            clap_complete::Shell::PowerShell,
            &mut cmd,
            "rswitch",
            &mut completions,
        ),
        // clap_complete has no nushell or tcsh generator: `rsw` completes profile names.
        shell::InitShell::Nu | shell::InitShell::Tcsh => {}
    }
    out.write_all(b"\n")?;
    out.write_all(&completions)?;
    Ok(SUCCESS)
}
