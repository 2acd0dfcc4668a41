//! Keys to [`Action`]s, depending on the mode, and the list of bindings that the help
//! overlay and the hint line show (one table, so they cannot drift apart).

use super::action::Action;
use super::state::Mode;
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// Every binding of the normal mode, as the help overlay lists it.
pub const BINDINGS: &[(&str, &str)] = &[
    ("j/k Dn/Up", "next / previous profile"),
    ("g/G Home/End", "first / last profile"),
    ("PgDn / PgUp", "page down / up"),
    ("J / K", "scroll the details"),
    ("/", "filter (fuzzy); Enter keeps it, Esc clears it"),
    ("Esc", "clear the filter / close a window"),
    ("a", "group by account / sort by name"),
    ("r", "resolve the selected profile again"),
    ("R", "resolve all profiles again"),
    ("Enter", "pick: quit and hand the profile to the shell"),
    ("c", "copy the credentials"),
    ("e", "copy in a chosen format"),
    ("s", "start a subshell with the credentials"),
    ("o", "AWS console: open it, or copy its URL if headless"),
    ("i", "identity as JSON"),
    ("d", "doctor report"),
    ("l", "log in to IAM Identity Center (SSO profiles)"),
    ("?", "this help"),
    ("q / Ctrl-C", "quit"),
];

/// The short hint line: the most used keys only.
pub(crate) const HINTS: &[(&str, &str)] = &[
    ("Enter", "pick"),
    ("/", "filter"),
    ("r", "retry"),
    ("c", "copy"),
    ("e", "copy as"),
    ("s", "shell"),
    ("a", "group"),
    ("?", "help"),
    ("q", "quit"),
];

/// The action a key means in `mode`, if any. Key releases are ignored.
pub(crate) fn map_key(mode: Mode, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Quit);
    }
    let common = match key.code {
        KeyCode::Up => Some(Action::Up),
        KeyCode::Down => Some(Action::Down),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::Home => Some(Action::Top),
        KeyCode::End => Some(Action::Bottom),
        KeyCode::Enter => Some(Action::Confirm),
        KeyCode::Esc => Some(Action::Cancel),
        KeyCode::Backspace => Some(Action::Backspace),
        KeyCode::Char('p') if ctrl => Some(Action::Up),
        KeyCode::Char('n') if ctrl => Some(Action::Down),
        _ => None,
    };
    if common.is_some() {
        // Enter means "pick" only in the list itself.
        if mode == Mode::Normal && key.code == KeyCode::Enter {
            return Some(Action::Pick);
        }
        return common;
    }
    let KeyCode::Char(c) = key.code else {
        return None;
    };
    if ctrl {
        return None;
    }
    match mode {
        Mode::Filter | Mode::Mfa => Some(Action::Input(c)),
        Mode::Login => (c == 'q').then_some(Action::Cancel),
        Mode::Help | Mode::Text | Mode::CopyFormat => match c {
            'j' => Some(Action::Down),
            'k' => Some(Action::Up),
            'g' => Some(Action::Top),
            'G' => Some(Action::Bottom),
            'q' | '?' | 'i' | 'd' | 'e' => Some(Action::Cancel),
            _ => None,
        },
        Mode::Normal => normal(c),
    }
}

fn normal(c: char) -> Option<Action> {
    Some(match c {
        'j' => Action::Down,
        'k' => Action::Up,
        'g' => Action::Top,
        'G' => Action::Bottom,
        'J' => Action::DetailsDown,
        'K' => Action::DetailsUp,
        '/' => Action::OpenFilter,
        'a' => Action::ToggleGrouping,
        'r' => Action::Resolve,
        'R' => Action::ResolveAll,
        'c' => Action::Copy,
        'e' => Action::CopyAs,
        's' => Action::Subshell,
        'o' => Action::Console,
        'i' => Action::ShowIdentity,
        'd' => Action::ShowDoctor,
        'l' => Action::Login,
        '?' => Action::ToggleHelp,
        'q' => Action::Quit,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn letters_are_text_while_typing() {
        assert_eq!(map_key(Mode::Normal, key(KeyCode::Char('q'))), Some(Action::Quit));
        assert_eq!(
            map_key(Mode::Filter, key(KeyCode::Char('q'))),
            Some(Action::Input('q'))
        );
        assert_eq!(
            map_key(Mode::Mfa, key(KeyCode::Char('1'))),
            Some(Action::Input('1'))
        );
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(map_key(Mode::Mfa, ctrl_c), Some(Action::Quit));
    }

    #[test]
    fn enter_picks_only_in_the_list() {
        assert_eq!(map_key(Mode::Normal, key(KeyCode::Enter)), Some(Action::Pick));
        assert_eq!(map_key(Mode::Filter, key(KeyCode::Enter)), Some(Action::Confirm));
        assert_eq!(
            map_key(Mode::CopyFormat, key(KeyCode::Enter)),
            Some(Action::Confirm)
        );
    }
}
