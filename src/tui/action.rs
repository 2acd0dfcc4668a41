//! Everything that can happen to the TUI, as one enum: user intents (already mapped from
//! keys by [`super::keymap`]), the clock, the terminal, and replies from background work.

use crate::resolve::outcome::Resolution;
use std::time::SystemTime;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    // Moving around (in overlays: scrolling or choosing).
    Up,
    Down,
    Top,
    Bottom,
    PageUp,
    PageDown,
    DetailsUp,
    DetailsDown,

    // Text entry in the filter and the MFA prompt; Confirm/Cancel also answer overlays.
    OpenFilter,
    Input(char),
    Backspace,
    Confirm,
    Cancel,

    // Commands on the selected profile (or all).
    Resolve,
    ResolveAll,
    Pick,
    Copy,
    /// Choose a format and copy the credentials in it.
    CopyAs,
    Subshell,
    /// Open (or, headless, copy) a console sign-in for the selected profile.
    Console,
    ShowIdentity,
    ShowDoctor,
    ToggleGrouping,
    ToggleHelp,
    /// Log in to IAM Identity Center for the selected (SSO) profile.
    Login,
    Quit,

    // The outside world.
    /// The clock moved (spinner frame, countdowns).
    Tick(SystemTime),
    /// The terminal's new size, and how many profile rows the list shows at that size
    /// (the runtime asks the view's layout, so that paging never has to).
    Resize {
        width: u16,
        height: u16,
        list_rows: usize,
    },
    /// A resolution finished; dropped unless `request_id` is the latest for `profile`.
    Resolved {
        request_id: u64,
        profile: String,
        resolution: Box<Resolution>,
        /// The doctor's short verdict when it failed, made with the result (off the loop).
        verdict: Option<String>,
    },
    /// A resolution succeeded (sent right after its `Resolved`): its account may want a
    /// name looked up.
    Identified(Box<Resolution>),
    /// A copy or subshell handler finished; the text goes to the status line.
    HandlerDone {
        message: String,
        error: bool,
    },
    /// The doctor report for `profile` is ready.
    DoctorReport {
        profile: String,
        text: String,
    },
    /// The login is waiting for the user: open the URL and confirm the code.
    LoginPrompt(crate::tui::effect::LoginShown),
    /// The login ended: on success, the profiles that use it (to resolve again).
    LoginDone(Result<crate::tui::effect::LoggedIn, String>),
    /// Account names known now (a lookup after a resolution learned one).
    AccountNames(crate::sso::names::AccountNames),
}

impl Action {
    /// True for what the user did (as opposed to replies and the clock); a user action
    /// clears the status line.
    pub(crate) fn is_user(&self) -> bool {
        !matches!(
            self,
            Action::Tick(_)
                | Action::Resize { .. }
                | Action::Resolved { .. }
                | Action::Identified(_)
                | Action::HandlerDone { .. }
                | Action::DoctorReport { .. }
                | Action::LoginPrompt(_)
                | Action::LoginDone(_)
                | Action::AccountNames(_)
        )
    }
}
