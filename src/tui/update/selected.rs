//! Commands on the selected profile: resolve (asking for an MFA code first when the chain
//! needs one), pick, and `c`, `s`, `o`, `e`, `i`, `d`.

use super::{set_status, start_resolve};
use crate::text::one_line;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::state::{Overlay, State, TuiExit};

pub(super) fn resolve_selected(state: &mut State, then_pick: bool) -> Vec<Effect> {
    let Some(i) = state.selected else {
        return Vec::new();
    };
    let row = &state.entries[i].row;
    if let Some(e) = &row.plan_error {
        let text = format!("{}: cannot resolve: {}", row.name, one_line(e));
        set_status(state, text, true);
        return Vec::new();
    }
    if let Some(serial) = &row.mfa_serial {
        state.overlay = Some(Overlay::Mfa {
            profile: row.name.clone(),
            serial: serial.clone(),
            code: Default::default(),
            then_pick,
            error: None,
        });
        return Vec::new();
    }
    state.entries[i].pick_when_resolved = then_pick;
    vec![start_resolve(state, i, None)]
}

pub(super) fn pick(state: &mut State) -> Vec<Effect> {
    let Some(entry) = state.selected_entry() else {
        return Vec::new();
    };
    let profile = entry.row.name.clone();
    if let Some(r) = entry.resolved() {
        return vec![Effect::Exit(TuiExit::Pick {
            profile,
            resolution: Some(Box::new(r.clone())),
        })];
    }
    if entry.in_flight.is_some() {
        if let Some(i) = state.selected {
            state.entries[i].pick_when_resolved = true;
        }
        set_status(
            state,
            format!("{profile}: picking it once resolved (Esc cancels)"),
            false,
        );
        return Vec::new();
    }
    if let Some(f) = entry.resolution.as_ref().and_then(|r| r.failure()) {
        let text = format!(
            "{profile} did not resolve ({}); r retries",
            one_line(&f.error.summary())
        );
        set_status(state, text, true);
        return Vec::new();
    }
    resolve_selected(state, true)
}

/// `c`, `s`, `o`, `e`, `i`, `d` on the selected profile.
pub(super) fn on_selected(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(entry) = state.selected_entry() else {
        return Vec::new();
    };
    let name = entry.row.name.clone();
    let any = entry.resolution.clone();
    let ok = entry.resolved().cloned().map(Box::new);
    let busy = entry.in_flight.is_some();
    let not_yet = |state: &mut State| {
        let why = match &any {
            _ if busy => "is still resolving".to_string(),
            Some(r) => match r.failure() {
                Some(f) => format!("did not resolve ({})", one_line(&f.error.summary())),
                None => "did not resolve".to_string(),
            },
            None => "is not resolved yet (press r)".to_string(),
        };
        set_status(state, format!("{name} {why}"), true);
        Vec::new()
    };
    match action {
        Action::Copy => match ok {
            Some(resolution) => vec![Effect::Copy { resolution }],
            None => not_yet(state),
        },
        Action::Console => match ok {
            Some(resolution) => {
                set_status(state, format!("signing in to the AWS console as {name}…"), false);
                vec![Effect::Console { resolution }]
            }
            None => not_yet(state),
        },
        Action::Subshell => match ok {
            Some(resolution) => vec![Effect::Subshell { resolution }],
            None => not_yet(state),
        },
        Action::CopyAs => match ok {
            Some(_) if state.copy_formats.is_empty() => {
                set_status(state, "no formats to copy in", true);
                Vec::new()
            }
            Some(_) => {
                state.overlay = Some(Overlay::CopyFormat {
                    profile: name,
                    formats: state.copy_formats.clone(),
                    selected: 0,
                });
                Vec::new()
            }
            None => not_yet(state),
        },
        Action::ShowIdentity => match any {
            Some(r) => {
                let body = serde_json::to_string_pretty(&r.to_json()).unwrap_or_default();
                state.overlay = Some(Overlay::Text {
                    title: format!("identity: {name}"),
                    body,
                    scroll: 0,
                });
                Vec::new()
            }
            None => not_yet(state),
        },
        // The doctor explains failures too, so any result will do.
        Action::ShowDoctor => match any {
            Some(resolution) => vec![Effect::Doctor { resolution }],
            None => not_yet(state),
        },
        _ => Vec::new(),
    }
}
