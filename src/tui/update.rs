//! The only place that changes [`State`]: `update(state, action) -> effects`. Pure apart
//! from mutating the state it is given; everything with side effects is returned as an
//! [`Effect`] for the runtime to perform.

use super::action::Action;
use super::effect::Effect;
use super::keymap::map_key;
use super::modal;
use super::state::{Mode, Overlay, State, StatusMessage, TuiExit};
use super::view::layout::list_rows;
use crate::creds::Secret;
use crossterm::event::KeyEvent;

/// Maps a key for the current mode and applies it.
pub fn handle_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match map_key(state.mode(), key) {
        Some(action) => update(state, action),
        None => Vec::new(),
    }
}

pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    if action.is_user() {
        state.status = None;
    }
    match action {
        Action::Quit => vec![Effect::Exit(TuiExit::Quit)],
        Action::Tick(now) => {
            state.now = now;
            if state.resolving_count() > 0 {
                state.spinner = state.spinner.wrapping_add(1);
            }
            Vec::new()
        }
        Action::Resize { width, height } => {
            state.size = (width, height);
            state.scroll_to_cursor();
            Vec::new()
        }
        Action::Resolved {
            request_id,
            profile,
            resolution,
        } => resolved(state, request_id, &profile, resolution),
        Action::MfaRequired { profile, serial } => {
            state.overlay = Some(Overlay::Mfa {
                profile,
                serial,
                code: Default::default(),
                then_pick: false,
                error: None,
            });
            Vec::new()
        }
        Action::HandlerDone { message, error } => {
            set_status(state, message, error);
            Vec::new()
        }
        Action::DoctorReport { profile, text } => {
            state.overlay = Some(Overlay::Text {
                title: format!("doctor: {profile}"),
                body: text,
                scroll: 0,
            });
            Vec::new()
        }
        Action::LoginPrompt(shown) => super::login::prompt(state, shown),
        Action::LoginDone(result) => super::login::done(state, result),
        Action::AccountNames(names) => {
            state.names = names;
            state.refresh_visible();
            Vec::new()
        }
        action => match state.mode() {
            Mode::Normal => normal(state, action),
            Mode::Filter => filter(state, action),
            _ => modal::update(state, action),
        },
    }
}

pub(super) fn set_status(state: &mut State, text: impl Into<String>, error: bool) {
    state.status = Some(StatusMessage {
        text: text.into(),
        error,
    });
}

fn resolved(
    state: &mut State,
    request_id: u64,
    profile: &str,
    resolution: Box<crate::resolve::outcome::Resolution>,
) -> Vec<Effect> {
    let Some(i) = state.index_of(profile) else {
        return Vec::new();
    };
    let entry = &mut state.entries[i];
    if entry.in_flight != Some(request_id) {
        // A reply to a request that was superseded (or never made): drop it.
        return Vec::new();
    }
    entry.in_flight = None;
    entry.verdict = resolution
        .outcome
        .is_err()
        .then(|| crate::doctor::diagnose(None, &resolution).short_verdict());
    entry.resolution = Some(resolution);
    let pick = std::mem::take(&mut entry.pick_when_resolved);
    let mut effects = Vec::new();
    if pick {
        match entry.resolved() {
            Some(r) => effects.push(Effect::Exit(TuiExit::Pick {
                profile: profile.to_string(),
                resolution: Some(Box::new(r.clone())),
            })),
            None => {
                let why = entry
                    .resolution
                    .as_ref()
                    .and_then(|r| r.failure())
                    .map(|f| f.error.summary())
                    .unwrap_or_default();
                set_status(state, format!("{profile}: not picked: {}", one_line(&why)), true);
            }
        }
    }
    if state.group_by_account || !state.filter.is_empty() {
        state.refresh_visible();
    }
    effects
}

/// Starts resolving entry `i`; a reply to any earlier request becomes stale.
pub(super) fn start_resolve(state: &mut State, i: usize, mfa_code: Option<Secret>) -> Effect {
    let request_id = state.next_request_id;
    state.next_request_id += 1;
    let entry = &mut state.entries[i];
    entry.in_flight = Some(request_id);
    Effect::Resolve {
        request_id,
        profile: entry.row.name.clone(),
        mfa_code,
    }
}

/// Resolves at start (and on `R`): every profile that needs no input.
pub fn resolve_all(state: &mut State) -> Vec<Effect> {
    let indices: Vec<usize> = (0..state.entries.len())
        .filter(|&i| state.entries[i].row.resolvable_unattended())
        .collect();
    indices
        .into_iter()
        .map(|i| start_resolve(state, i, None))
        .collect()
}

fn move_cursor(state: &mut State, action: &Action) -> bool {
    let len = state.visible.len();
    if len == 0 {
        return matches!(
            action,
            Action::Up | Action::Down | Action::Top | Action::Bottom | Action::PageUp | Action::PageDown
        );
    }
    let cur = state.cursor().unwrap_or(0);
    let page = list_rows(state.size).max(1);
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

fn filter(state: &mut State, action: Action) -> Vec<Effect> {
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

fn normal(state: &mut State, action: Action) -> Vec<Effect> {
    if move_cursor(state, &action) {
        return Vec::new();
    }
    match action {
        Action::Login => return super::login::start(state),
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
        | Action::OpenExport
        | Action::ShowIdentity
        | Action::ShowDoctor => {
            return modal::on_selected(state, action);
        }
        _ => {}
    }
    Vec::new()
}

fn resolve_selected(state: &mut State, then_pick: bool) -> Vec<Effect> {
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

fn pick(state: &mut State) -> Vec<Effect> {
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

/// Text for a one-line status message: control characters escaped, lines joined.
pub(super) fn one_line(text: &str) -> String {
    crate::text::line(text)
        .as_str()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
