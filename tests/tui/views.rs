//! Snapshots of `view::render` at the sizes and looks the TUI supports.

use super::fixtures::{self, DENIED_MESSAGE, answer, unicode};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use rswitch::tui::action::Action;
use rswitch::tui::update::{resolve_all, update};
use rswitch::tui::{Look, State, view};

fn draw(state: &mut State, width: u16, height: u16) -> Terminal<TestBackend> {
    let list_rows = view::layout::list_rows((width, height));
    update(
        state,
        Action::Resize {
            width,
            height,
            list_rows,
        },
    );
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal.draw(|f| view::render(state, f)).expect("draw");
    terminal
}

/// Snapshots live in `tests/snapshots/`.
fn snap(name: &str, backend: &TestBackend) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| insta::assert_snapshot!(name, backend));
}

fn screen_text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            out.push_str(buffer[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

fn resolved_state(look: Look) -> State {
    let mut state = fixtures::state(look);
    let effects = resolve_all(&mut state);
    answer(&mut state, effects);
    state
}

fn select(state: &mut State, profile: &str) {
    state.select(profile);
    assert_eq!(state.selected_entry().map(|e| e.row.name.as_str()), Some(profile));
}

#[test]
fn loading() {
    let mut state = fixtures::state(unicode());
    let effects = resolve_all(&mut state);
    assert_eq!(effects.len(), 4, "alice, SwitchFromRole, SwitchToRole, denied");
    let terminal = draw(&mut state, 80, 24);
    snap("loading", terminal.backend());
}

#[test]
fn resolved() {
    let mut state = resolved_state(unicode());
    select(&mut state, "SwitchToRole");
    let terminal = draw(&mut state, 80, 24);
    let text = screen_text(&terminal);
    assert!(text.contains("✔ 333333333333 SwitchToRole"), "{text}");
    assert!(text.contains("in 59m12s"), "{text}");
    snap("resolved", terminal.backend());
}

#[test]
fn countdown_follows_the_clock() {
    let mut state = resolved_state(unicode());
    select(&mut state, "SwitchToRole");
    update(
        &mut state,
        Action::Tick(fixtures::now() + std::time::Duration::from_secs(60)),
    );
    let text = screen_text(&draw(&mut state, 80, 24));
    assert!(text.contains("in 58m12s"), "{text}");
    update(
        &mut state,
        Action::Tick(fixtures::now() + std::time::Duration::from_secs(4000)),
    );
    let text = screen_text(&draw(&mut state, 80, 24));
    assert!(text.contains("expired"), "{text}");
}

#[test]
fn denied_with_long_message_is_wrapped_in_full() {
    let mut state = resolved_state(unicode());
    select(&mut state, "denied");
    let terminal = draw(&mut state, 80, 24);
    let text = screen_text(&terminal);
    // The whole STS message is on screen, in order, across wrapped lines of the details
    // pane (right of column 48, inside its border).
    let details: String = text
        .lines()
        .map(|l| {
            l.chars()
                .skip(48)
                .filter(|c| !c.is_whitespace() && *c != '│')
                .collect::<String>()
        })
        .collect();
    let message: String = DENIED_MESSAGE.split_whitespace().collect();
    assert!(details.contains(&message), "{text}");
    assert!(text.contains("✖ AccessDenied"), "{text}");
    snap("denied", terminal.backend());
}

#[test]
fn lint_and_plan_errors_with_file_and_line() {
    let mut state = resolved_state(unicode());
    select(&mut state, "broken");
    let terminal = draw(&mut state, 80, 24);
    let text = screen_text(&terminal);
    assert!(text.contains("⚠ lint"), "{text}");
    assert!(text.contains("/home/alice/.aws/config:25"), "{text}");
    snap("lint", terminal.backend());
}

#[test]
fn narrow_terminal_stacks_details_under_the_list() {
    let mut state = resolved_state(unicode());
    select(&mut state, "SwitchToRole");
    let terminal = draw(&mut state, 40, 12);
    snap("narrow", terminal.backend());
}

#[test]
fn help_overlay_lists_every_binding() {
    let mut state = resolved_state(unicode());
    update(&mut state, Action::ToggleHelp);
    let terminal = draw(&mut state, 80, 24);
    let text = screen_text(&terminal);
    for (keys, _) in rswitch::tui::keymap::BINDINGS {
        assert!(text.contains(keys), "{keys} missing:\n{text}");
    }
    snap("help", terminal.backend());
}

#[test]
fn mfa_prompt_masks_the_code() {
    let mut state = resolved_state(unicode());
    select(&mut state, "mfa-admin");
    update(&mut state, Action::Resolve);
    for c in "1234".chars() {
        update(&mut state, Action::Input(c));
    }
    let terminal = draw(&mut state, 80, 24);
    let text = screen_text(&terminal);
    assert!(!text.contains("1234"), "{text}");
    snap("mfa", terminal.backend());
}

#[test]
fn no_color_ascii() {
    let look = Look {
        ascii: true,
        color: false,
    };
    let mut state = resolved_state(look);
    update(&mut state, Action::Resolve); // spinner on one row
    select(&mut state, "denied");
    let terminal = draw(&mut state, 80, 24);
    let buffer = terminal.backend().buffer();
    for cell in buffer.content() {
        assert!(cell.symbol().is_ascii(), "non-ASCII {:?}", cell.symbol());
        assert_eq!(cell.fg, Color::Reset, "colour used under NO_COLOR");
        assert_eq!(cell.bg, Color::Reset, "colour used under NO_COLOR");
    }
    snap("ascii_no_color", terminal.backend());
}

#[test]
fn colours_are_used_by_default() {
    let mut state = resolved_state(unicode());
    let terminal = draw(&mut state, 80, 24);
    let buffer = terminal.backend().buffer();
    assert!(buffer.content().iter().any(|c| c.fg == Color::Green));
    assert!(buffer.content().iter().any(|c| c.fg == Color::Red));
}

#[test]
fn grouped_by_account() {
    let mut state = resolved_state(unicode());
    update(&mut state, Action::ToggleGrouping);
    let terminal = draw(&mut state, 80, 24);
    snap("grouped", terminal.backend());
}

#[test]
fn grouped_by_account_with_names() {
    let mut state = resolved_state(unicode());
    state.names = rswitch::sso::names::AccountNames::from_pairs([
        ("111111111111".to_string(), "identity".to_string()),
        ("222222222222".to_string(), "shared-services".to_string()),
    ]);
    update(&mut state, Action::ToggleGrouping);
    let terminal = draw(&mut state, 100, 24);
    snap("grouped_names", terminal.backend());
}

#[test]
fn filtering_shows_the_query() {
    let mut state = resolved_state(unicode());
    update(&mut state, Action::OpenFilter);
    for c in "switch".chars() {
        update(&mut state, Action::Input(c));
    }
    let terminal = draw(&mut state, 80, 24);
    snap("filtering", terminal.backend());
}

#[test]
fn tiny_terminals_do_not_break_drawing() {
    let overlays = [
        None,
        Some(Action::ToggleHelp),
        Some(Action::ShowIdentity),
        Some(Action::OpenFilter),
    ];
    for action in overlays {
        for (w, h) in [(1, 1), (10, 3), (20, 5), (39, 11), (200, 60)] {
            let mut state = resolved_state(unicode());
            select(&mut state, "denied");
            if let Some(a) = action.clone() {
                update(&mut state, a);
            }
            draw(&mut state, w, h);
        }
    }
}
