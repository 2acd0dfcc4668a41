//! Keys while an overlay is open: help and text windows scroll or close, the copy-format
//! chooser chooses, the MFA prompt takes digits, the login can be cancelled.

use super::{login, set_status, start_resolve};
use crate::creds::Secret;
use crate::export::Format;
use crate::tui::action::Action;
use crate::tui::effect::{Effect, MfaCode};
use crate::tui::state::{MaskedInput, Overlay, State};

/// Length of an MFA code (TOTP), as STS requires.
use crate::prompt::{MFA_CODE_LEN, MFA_CODE_RULE, is_mfa_code};

pub(super) fn update(state: &mut State, action: Action) -> Vec<Effect> {
    let Some(overlay) = state.overlay.take() else {
        return Vec::new();
    };
    let (overlay, effects) = match overlay {
        Overlay::Help { scroll } => (scroll_or_close(Overlay::Help { scroll }, &action), Vec::new()),
        text @ Overlay::Text { .. } => (scroll_or_close(text, &action), Vec::new()),
        Overlay::CopyFormat {
            profile,
            formats,
            selected,
        } => copy_format(state, profile, formats, selected, action),
        Overlay::Mfa {
            profile,
            serial,
            code,
            then_pick,
            error,
        } => mfa(state, profile, serial, code, then_pick, error, action),
        login @ Overlay::Login { .. } => login::overlay(login, action),
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
        Action::Input(c) if c.is_ascii_digit() && code.typed() < MFA_CODE_LEN => {
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
            let mfa = MfaCode {
                serial,
                code: Secret::new(code.expose()),
            };
            let effect = start_resolve(state, i, Some(mfa));
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

/// The copy-format chooser: j/k choose, Enter copies, Esc cancels.
fn copy_format(
    state: &mut State,
    profile: String,
    formats: Vec<Format>,
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
                    vec![Effect::CopyAs {
                        resolution: Box::new(r),
                        format: *format,
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
    let overlay = Overlay::CopyFormat {
        profile,
        formats,
        selected,
    };
    (Some(overlay), Vec::new())
}
