//! The TUI's side of `rswitch login`: `l` opens the login overlay and asks the runtime to
//! run the device flow; the prompt (URL, code, countdown, where the URL was copied) shows
//! up when the portal answers; a finished login closes the overlay and resolves again
//! every profile that uses it. Esc stops the login.

use super::{set_status, start_resolve};
use crate::text::one_line;
use crate::tui::action::Action;
use crate::tui::effect::{Effect, LoggedIn, LoginShown};
use crate::tui::state::{Overlay, State};

/// `l`: log in for the selected profile.
pub(crate) fn start(state: &mut State) -> Vec<Effect> {
    let Some(entry) = state.selected_entry() else {
        return Vec::new();
    };
    let profile = entry.row.name.clone();
    state.overlay = Some(Overlay::Login {
        profile: profile.clone(),
        shown: None,
    });
    vec![Effect::Login { profile }]
}

/// Keys while the overlay is open: only cancelling.
pub(super) fn overlay(login: Overlay, action: Action) -> (Option<Overlay>, Vec<Effect>) {
    match action {
        Action::Cancel => (None, vec![Effect::CancelLogin]),
        _ => (Some(login), Vec::new()),
    }
}

pub(crate) fn prompt(state: &mut State, shown: LoginShown) -> Vec<Effect> {
    if let Some(Overlay::Login { shown: slot, .. }) = &mut state.overlay {
        *slot = Some(shown);
    }
    Vec::new()
}

pub(crate) fn done(state: &mut State, result: Result<LoggedIn, String>) -> Vec<Effect> {
    if matches!(state.overlay, Some(Overlay::Login { .. })) {
        state.overlay = None;
    }
    match result {
        Ok(logged_in) => {
            set_status(state, one_line(&logged_in.message), false);
            state.names = logged_in.names;
            state.refresh_visible();
            let indices: Vec<usize> = logged_in
                .profiles
                .iter()
                .filter_map(|p| state.index_of(p))
                .collect();
            indices
                .into_iter()
                .map(|i| start_resolve(state, i, None))
                .collect()
        }
        Err(e) => {
            set_status(state, format!("login failed: {}", one_line(&e)), true);
            Vec::new()
        }
    }
}
