//! Everything the TUI shows, as plain data. Only [`super::update`] changes it; views read it.

use super::filter;
use super::rows::ProfileRow;
use crate::export::Format;
use crate::resolve::outcome::Resolution;
use std::fmt;
use std::time::{Duration, SystemTime};

/// How the screen is drawn: decided once from the environment and flags.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Look {
    /// Plain ASCII only: no ✔✖⚠, no box drawing, no braille spinner.
    pub ascii: bool,
    /// Colours allowed (false under `NO_COLOR`); bold and reverse video stay.
    pub color: bool,
}

impl Default for Look {
    fn default() -> Self {
        Look {
            ascii: false,
            color: true,
        }
    }
}

/// One profile and what is known about it so far.
#[derive(Clone, Debug)]
pub struct Entry {
    pub row: ProfileRow,
    /// The latest accepted result (kept while a new request runs).
    pub resolution: Option<Box<Resolution>>,
    /// The request whose reply is awaited; replies to any other id are stale.
    pub in_flight: Option<u64>,
    /// Enter was pressed before the result was known: pick it once it resolves.
    pub pick_when_resolved: bool,
    /// The doctor's short verdict on a failed resolution (computed once, when it arrives).
    pub verdict: Option<String>,
}

/// What the status cell says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowStatus {
    /// Not resolved yet and not being resolved.
    Pending,
    /// Waits for an MFA code (press `r`).
    NeedsMfa,
    Resolving,
    Ok,
    Failed,
    /// No plan could be made: only the lint and plan errors are shown.
    Lint,
    /// The IAM Identity Center login is missing or expired (press `l`).
    NeedsLogin,
}

impl Entry {
    pub(crate) fn new(row: ProfileRow) -> Self {
        Entry {
            row,
            resolution: None,
            in_flight: None,
            pick_when_resolved: false,
            verdict: None,
        }
    }

    pub fn status(&self) -> RowStatus {
        if self.in_flight.is_some() {
            return RowStatus::Resolving;
        }
        match &self.resolution {
            Some(r) if r.outcome.is_ok() => RowStatus::Ok,
            Some(_) if self.needs_login() => RowStatus::NeedsLogin,
            Some(_) => RowStatus::Failed,
            None if self.row.plan_error.is_some() => RowStatus::Lint,
            None if self.row.mfa_serial.is_some() => RowStatus::NeedsMfa,
            None => RowStatus::Pending,
        }
    }

    /// The account to group by: the live identity's, else the configured one.
    pub(crate) fn account(&self) -> Option<&str> {
        self.resolution
            .as_ref()
            .and_then(|r| r.identity())
            .map(|i| i.account.as_str())
            .or(self.row.account.as_deref())
    }

    /// `111111111111 (dev)`: the account with its name when one is known.
    pub fn account_label(&self, names: &crate::sso::names::AccountNames) -> Option<String> {
        self.account().map(|a| names.label(a))
    }

    /// The chain failed at its SSO base for want of a usable login (none cached, expired,
    /// refused): what `l` fixes. Those errors, and only those, end with the login command
    /// (`resolve::sso_login`); a role the portal does not grant is not one of them.
    pub(crate) fn needs_login(&self) -> bool {
        let Some(r) = self.resolution.as_deref() else {
            return false;
        };
        r.failure().is_some_and(|f| {
            f.hop == Some(0)
                && f.error.kind == crate::resolve::ErrorKind::Credentials
                && r.hops.first().is_some_and(|h| h.source == Some("sso"))
                && f.error.message.contains("`rswitch login ")
        })
    }

    /// The resolution if it succeeded.
    pub(crate) fn resolved(&self) -> Option<&Resolution> {
        self.resolution.as_deref().filter(|r| r.outcome.is_ok())
    }
}

/// Typed text that must not show up in logs or `Debug` output (an MFA code).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MaskedInput(String);

impl MaskedInput {
    pub(crate) fn push(&mut self, c: char) {
        self.0.push(c);
    }
    pub(crate) fn pop(&mut self) {
        self.0.pop();
    }
    /// How many digits have been typed.
    pub fn typed(&self) -> usize {
        self.0.chars().count()
    }
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for MaskedInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MaskedInput(<{} chars>)", self.typed())
    }
}

/// A window over the list and details.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Overlay {
    Help {
        scroll: u16,
    },
    /// Read-only text: the identity JSON or the doctor report.
    Text {
        title: String,
        body: String,
        scroll: u16,
    },
    /// Choose the format `profile`'s credentials are copied in.
    CopyFormat {
        profile: String,
        formats: Vec<Format>,
        selected: usize,
    },
    /// Ask for the MFA code of `profile`'s chain.
    Mfa {
        profile: String,
        serial: String,
        code: MaskedInput,
        /// Pick the profile once it resolves (Enter was the trigger).
        then_pick: bool,
        error: Option<String>,
    },
    /// The IAM Identity Center login of `profile`, running.
    Login {
        profile: String,
        /// What the user must do, once the portal said.
        shown: Option<super::effect::LoginShown>,
    },
}

/// Which keys mean what right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    Filter,
    Help,
    Text,
    CopyFormat,
    Mfa,
    Login,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusMessage {
    pub text: String,
    pub error: bool,
}

/// How the TUI ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TuiExit {
    /// `q`, Ctrl-C or Esc: nothing chosen.
    Quit,
    /// Enter on a profile. `resolution` is the successful result the TUI holds, if any,
    /// so the caller need not resolve again (nor ask for another MFA code).
    Pick {
        profile: String,
        resolution: Option<Box<Resolution>>,
    },
    /// SIGTERM, SIGINT or SIGHUP arrived; the number is the signal.
    Signal(i32),
}

/// The whole state of the TUI.
#[derive(Clone, Debug)]
pub struct State {
    pub entries: Vec<Entry>,
    /// Indices into `entries`, in display order, after filtering and sorting.
    pub visible: Vec<usize>,
    /// Index into `entries` of the selected profile (stays on it when the list changes).
    pub selected: Option<usize>,
    /// Position in `visible` of the first row shown (the list's scroll offset).
    pub list_top: usize,
    pub filter: String,
    pub filter_editing: bool,
    pub group_by_account: bool,
    pub overlay: Option<Overlay>,
    pub status: Option<StatusMessage>,
    /// Formats offered by `e` (copy in a chosen format).
    pub copy_formats: Vec<Format>,
    /// Clock used for countdowns; advanced by ticks so that views stay pure.
    pub now: SystemTime,
    /// Spinner frame counter.
    pub spinner: usize,
    /// Terminal size.
    pub size: (u16, u16),
    /// Profile rows the list shows at once (filter line included), as the runtime last
    /// laid it out: the page for PageUp/PageDown and the window the cursor stays in.
    pub list_rows: usize,
    /// Lines scrolled in the details pane.
    pub detail_scroll: u16,
    pub look: Look,
    pub next_request_id: u64,
    /// Names shown next to account IDs.
    pub names: crate::sso::names::AccountNames,
    /// The (account, caller) pairs whose name was looked up already: once per run.
    pub(crate) names_asked: std::collections::HashSet<(String, String)>,
}

impl State {
    pub fn new(rows: Vec<ProfileRow>, look: Look, now: SystemTime) -> Self {
        let mut state = State {
            entries: rows.into_iter().map(Entry::new).collect(),
            visible: Vec::new(),
            selected: None,
            list_top: 0,
            filter: String::new(),
            filter_editing: false,
            group_by_account: false,
            overlay: None,
            status: None,
            copy_formats: Vec::new(),
            now,
            spinner: 0,
            size: (80, 24),
            // What the list shows in an 80x24 terminal, until the runtime says otherwise.
            list_rows: 21,
            detail_scroll: 0,
            look,
            next_request_id: 1,
            names: Default::default(),
            names_asked: Default::default(),
        };
        state.refresh_visible();
        state
    }

    pub fn mode(&self) -> Mode {
        match &self.overlay {
            Some(Overlay::Help { .. }) => Mode::Help,
            Some(Overlay::Text { .. }) => Mode::Text,
            Some(Overlay::CopyFormat { .. }) => Mode::CopyFormat,
            Some(Overlay::Mfa { .. }) => Mode::Mfa,
            Some(Overlay::Login { .. }) => Mode::Login,
            None if self.filter_editing => Mode::Filter,
            None => Mode::Normal,
        }
    }

    pub fn index_of(&self, profile: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.row.name == profile)
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        self.selected.and_then(|i| self.entries.get(i))
    }

    /// Position of the selection within `visible`.
    pub(crate) fn cursor(&self) -> Option<usize> {
        let selected = self.selected?;
        self.visible.iter().position(|&i| i == selected)
    }

    /// Selects a profile by name (used for the current `AWS_PROFILE` at start).
    pub fn select(&mut self, profile: &str) {
        if let Some(i) = self.index_of(profile)
            && self.visible.contains(&i)
        {
            self.selected = Some(i);
        }
    }

    /// Recomputes the visible order after the filter, grouping or accounts changed,
    /// keeping the selection on the same profile when it is still shown.
    pub(crate) fn refresh_visible(&mut self) {
        self.visible = filter::visible(&self.entries, &self.names, &self.filter, self.group_by_account);
        let keep = self.selected.filter(|s| self.visible.contains(s));
        if keep != self.selected {
            self.detail_scroll = 0;
        }
        self.selected = keep.or_else(|| self.visible.first().copied());
        self.scroll_to_cursor();
    }

    /// Selects the first visible profile (the best filter match).
    pub(crate) fn select_first(&mut self) {
        if let Some(&first) = self.visible.first()
            && self.selected != Some(first)
        {
            self.selected = Some(first);
            self.detail_scroll = 0;
            self.scroll_to_cursor();
        }
    }

    /// Moves the list's scroll offset just enough to show the selection.
    pub(crate) fn scroll_to_cursor(&mut self) {
        let filter_line = usize::from(self.filter_editing || !self.filter.is_empty());
        let rows = self.list_rows.saturating_sub(filter_line).max(1);
        let cursor = self.cursor().unwrap_or(0);
        let last_top = self.visible.len().saturating_sub(rows);
        if cursor < self.list_top {
            self.list_top = cursor;
        } else if cursor >= self.list_top + rows {
            self.list_top = cursor + 1 - rows;
        }
        self.list_top = self.list_top.min(last_top);
    }

    pub fn resolving_count(&self) -> usize {
        self.entries.iter().filter(|e| e.in_flight.is_some()).count()
    }

    /// How long the runtime may sleep before the next tick: fast while a spinner turns,
    /// once a second while a countdown is shown, never when nothing moves.
    pub fn tick_interval(&self) -> Option<Duration> {
        if self.resolving_count() > 0 {
            return Some(Duration::from_millis(100));
        }
        if matches!(self.overlay, Some(Overlay::Login { shown: Some(_), .. })) {
            // The login's countdown.
            return Some(Duration::from_secs(1));
        }
        let counting = self.entries.iter().any(|e| {
            e.resolved()
                .and_then(|r| r.outcome.as_ref().ok())
                .is_some_and(|r| r.expiration.is_some())
        });
        counting.then_some(Duration::from_secs(1))
    }
}
