//! The list: moving the cursor, grouping, help, and the commands on the selected profile
//! (in `selected`).

use super::selected::{on_selected, pick, resolve_selected};
use super::{login, resolve_all, set_status};
use crate::tui::action::Action;
use crate::tui::effect::Effect;
use crate::tui::state::{Overlay, State};

pub(super) fn update(state: &mut State, action: Action) -> Vec<Effect> {
    if move_cursor(state, &action) {
        return Vec::new();
    }
    match action {
        Action::Login => return login::start(state),
        Action::DetailsDown => state.detail_scroll = state.detail_scroll.saturating_add(1),
        Action::DetailsUp => state.detail_scroll = state.detail_scroll.saturating_sub(1),
        Action::OpenFilter => {
            state.filter_editing = true;
            state.scroll_to_cursor();
        }
        Action::Cancel => {
            let pending = state.entries.iter_mut().filter(|e| e.pick_when_resolved);
            if pending.map(|e| e.pick_when_resolved = false).count() > 0 {
                set_status(state, "pick cancelled", false);
            } else if !state.filter.is_empty() {
                state.filter.clear();
                state.refresh_visible();
            }
        }
        Action::ToggleGrouping => {
            state.group_by_account = !state.group_by_account;
            state.refresh_visible();
            let text = if state.group_by_account {
                "grouped by account"
            } else {
                "sorted by name"
            };
            set_status(state, text, false);
        }
        Action::ToggleHelp => state.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Resolve => return resolve_selected(state, false),
        Action::ResolveAll => {
            let effects = resolve_all(state);
            let waiting = state
                .entries
                .iter()
                .filter(|e| e.row.plan_error.is_none() && e.row.mfa_serial.is_some())
                .count();
            let mut text = format!("resolving {} profiles", effects.len());
            if waiting > 0 {
                text.push_str(&format!("; {waiting} need an MFA code (press r on each)"));
            }
            set_status(state, text, false);
            return effects;
        }
        Action::Pick => return pick(state),
        Action::Copy
        | Action::Subshell
        | Action::Console
        | Action::CopyAs
        | Action::ShowIdentity
        | Action::ShowDoctor => {
            return on_selected(state, action);
        }
        _ => {}
    }
    Vec::new()
}

pub(super) fn move_cursor(state: &mut State, action: &Action) -> bool {
    let len = state.visible.len();
    if len == 0 {
        return matches!(
            action,
            Action::Up | Action::Down | Action::Top | Action::Bottom | Action::PageUp | Action::PageDown
        );
    }
    let cur = state.cursor().unwrap_or(0);
    let page = state.list_rows.max(1);
    let next = match action {
        Action::Up => cur.saturating_sub(1),
        Action::Down => (cur + 1).min(len - 1),
        Action::Top => 0,
        Action::Bottom => len - 1,
        Action::PageUp => cur.saturating_sub(page),
        Action::PageDown => (cur + page).min(len - 1),
        _ => return false,
    };
    if state.cursor() != Some(next) {
        state.detail_scroll = 0;
    }
    state.selected = Some(state.visible[next]);
    state.scroll_to_cursor();
    true
}
