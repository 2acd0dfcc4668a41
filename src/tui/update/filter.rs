//! Typing a filter: each keystroke narrows the list and selects the best match; the
//! cursor keys still move.

use super::normal::move_cursor;
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::state::State;

pub(super) fn update(state: &mut State, action: Action) -> Vec<Effect> {
    if move_cursor(state, &action) {
        return Vec::new();
    }
    match action {
        // As in fzf, each keystroke selects the best match, so that typing a full name
        // and pressing Enter picks that profile.
        Action::Input(c) => {
            state.filter.push(c);
            state.refresh_visible();
            state.select_first();
        }
        Action::Backspace => {
            state.filter.pop();
            state.refresh_visible();
            state.select_first();
        }
        Action::Confirm => state.filter_editing = false,
        Action::Cancel => {
            state.filter.clear();
            state.filter_editing = false;
            state.refresh_visible();
        }
        _ => {}
    }
    Vec::new()
}
