//! The only place that changes [`State`]: `update(state, action) -> effects`. Pure apart
//! from mutating the state it is given; everything with side effects is returned as an
//! [`Effect`] for the runtime to perform. It reads nothing but the state and the action:
//! the runtime brings what it learnt from the outside (the list's height with `Resize`,
//! the doctor's verdict with `Resolved`).
//!
//! One file per mode: `normal` (the list, and the commands on the selected profile in
//! `selected`), `filter` (typing a filter), `overlay` (help, text, the copy-format
//! chooser, the MFA prompt) and `login` (the IAM Identity Center login). What they share
//! (the status line, starting a resolution) lives here.

mod filter;
mod login;
mod normal;
mod overlay;
mod selected;

use super::action::Action;
use super::effect::{Effect, MfaCode};
use super::keymap::map_key;
use super::state::{Mode, Overlay, State, StatusMessage, TuiExit};
use crate::resolve::outcome::Resolution;
use crate::sso::aliases::caller_key;
use crate::text::one_line;
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
        Action::Resize {
            width,
            height,
            list_rows,
        } => {
            state.size = (width, height);
            state.list_rows = list_rows;
            state.scroll_to_cursor();
            Vec::new()
        }
        Action::Resolved {
            request_id,
            profile,
            resolution,
            verdict,
        } => resolved(state, request_id, &profile, resolution, verdict),
        Action::Identified(resolution) => look_up_alias(state, resolution),
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
        Action::LoginPrompt(shown) => login::prompt(state, shown),
        Action::LoginDone(result) => login::done(state, result),
        Action::AccountNames(names) => {
            state.names = names;
            state.refresh_visible();
            Vec::new()
        }
        action => match state.mode() {
            Mode::Normal => normal::update(state, action),
            Mode::Filter => filter::update(state, action),
            _ => overlay::update(state, action),
        },
    }
}

fn set_status(state: &mut State, text: impl Into<String>, error: bool) {
    state.status = Some(StatusMessage {
        text: text.into(),
        error,
    });
}

fn resolved(
    state: &mut State,
    request_id: u64,
    profile: &str,
    resolution: Box<Resolution>,
    verdict: Option<String>,
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
    entry.verdict = verdict;
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

/// The alias of the account a resolution reached is looked up once per account and
/// caller in a run (what is remembered on disk decides whether IAM is asked at all).
fn look_up_alias(state: &mut State, resolution: Box<Resolution>) -> Vec<Effect> {
    let Ok(resolved) = &resolution.outcome else {
        return Vec::new();
    };
    let identity = &resolved.identity;
    let asked = (identity.account.clone(), caller_key(&identity.arn));
    if state.names_asked.insert(asked) {
        vec![Effect::LookUpAlias { resolution }]
    } else {
        Vec::new()
    }
}

/// Starts resolving entry `i`; a reply to any earlier request becomes stale.
fn start_resolve(state: &mut State, i: usize, mfa: Option<MfaCode>) -> Effect {
    let request_id = state.next_request_id;
    state.next_request_id += 1;
    let entry = &mut state.entries[i];
    let again = entry.in_flight.is_some() || entry.resolution.is_some();
    entry.in_flight = Some(request_id);
    Effect::Resolve {
        request_id,
        profile: entry.row.name.clone(),
        mfa,
        again,
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
