//! The overlays' side of [`super::update`]: help and text windows, the export chooser and
//! the MFA prompt, plus the commands that open them or act on the selected profile.

use super::action::Action;
use super::effect::Effect;
use super::state::{MaskedInput, Overlay, State};
use super::update::{one_line, set_status, start_resolve};
use crate::creds::Secret;

/// Length of an MFA code (TOTP), as STS requires.
use crate::prompt::{MFA_CODE_LEN, MFA_CODE_RULE, is_mfa_code};

pub(super) fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(overlay) = state.overlay.take() else {
        return Vec::new();
    };
    let (overlay, effects) = match overlay {
        Overlay::Help { scroll } => (scroll_or_close(Overlay::Help { scroll }, &action), Vec::new()),
        text @ Overlay::Text { .. } => (scroll_or_close(text, &action), Vec::new()),
        Overlay::Export {
            profile,
            formats,
            selected,
        } => export(state, profile, formats, selected, action),
        Overlay::Mfa {
            profile,
            serial,
            code,
            then_pick,
            error,
        } => mfa(state, profile, serial, code, then_pick, error, action),
        login @ Overlay::Login { .. } => super::login::overlay(login, action),
    };
    state.overlay = overlay;
    effects
}

/// The MFA prompt: digits in, Enter resolves with the code, Esc cancels.
fn mfa(
    state: &mut State,
    profile: String,
    serial: String,
    mut code: MaskedInput,
    then_pick: bool,
    error: Option<String>,
    action: Action,
) -> (Option<Overlay>, Vec<Effect>) {
    let wrong_length = || Some(MFA_CODE_RULE.to_string());
    let error = match action {
        Action::Input(c) if c.is_ascii_digit() && code.len() < MFA_CODE_LEN => {
            code.push(c);
            None
        }
        Action::Input(_) => wrong_length(),
        Action::Backspace => {
            code.pop();
            error
        }
        Action::Confirm if is_mfa_code(code.expose()) => {
            let Some(i) = state.index_of(&profile) else {
                return (None, Vec::new());
            };
            state.entries[i].pick_when_resolved = then_pick;
            let effect = start_resolve(state, i, Some(Secret::new(code.expose())));
            return (None, vec![effect]);
        }
        Action::Confirm => wrong_length(),
        Action::Cancel => {
            set_status(state, format!("{profile}: MFA cancelled, not resolved"), false);
            return (None, Vec::new());
        }
        _ => error,
    };
    let overlay = Overlay::Mfa {
        profile,
        serial,
        code,
        then_pick,
        error,
    };
    (Some(overlay), Vec::new())
}

fn scroll_or_close(mut overlay: Overlay, action: &Action) -> Option<Overlay> {
    let scroll = match &mut overlay {
        Overlay::Help { scroll } | Overlay::Text { scroll, .. } => scroll,
        _ => return Some(overlay),
    };
    match action {
        Action::Cancel | Action::Confirm | Action::ToggleHelp => return None,
        Action::Down => *scroll = scroll.saturating_add(1),
        Action::Up => *scroll = scroll.saturating_sub(1),
        Action::PageDown => *scroll = scroll.saturating_add(10),
        Action::PageUp => *scroll = scroll.saturating_sub(10),
        Action::Top => *scroll = 0,
        _ => {}
    }
    Some(overlay)
}

fn export(
    state: &mut State,
    profile: String,
    formats: Vec<String>,
    selected: usize,
    action: Action,
) -> (Option<Overlay>, Vec<Effect>) {
    let last = formats.len().saturating_sub(1);
    let selected = match action {
        Action::Cancel => return (None, Vec::new()),
        Action::Confirm => {
            let resolution = state
                .index_of(&profile)
                .and_then(|i| state.entries[i].resolved())
                .cloned();
            return match (resolution, formats.get(selected)) {
                (Some(r), Some(format)) => (
                    None,
                    vec![Effect::Export {
                        resolution: Box::new(r),
                        format: format.clone(),
                    }],
                ),
                _ => (None, Vec::new()),
            };
        }
        Action::Up => selected.saturating_sub(1),
        Action::Down => (selected + 1).min(last),
        Action::Top | Action::PageUp => 0,
        Action::Bottom | Action::PageDown => last,
        _ => selected,
    };
    let overlay = Overlay::Export {
        profile,
        formats,
        selected,
    };
    (Some(overlay), Vec::new())
}

/// `c`, `s`, `e`, `i`, `d` on the selected profile.
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
        Action::OpenExport => match ok {
            Some(_) if state.export_formats.is_empty() => {
                set_status(state, "no export formats available", true);
                Vec::new()
            }
            Some(_) => {
                state.overlay = Some(Overlay::Export {
                    profile: name,
                    formats: state.export_formats.clone(),
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
