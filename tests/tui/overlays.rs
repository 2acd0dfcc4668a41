//! Overlays and commands on the selected profile, headless: MFA prompt, pick, copy/subshell,
//! identity and doctor overlays.

use super::fixtures::{self, answer, resolution, unicode};
use super::state::{press, status_of, type_text};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rswitch::creds::Secret;
use rswitch::export::Format;
use rswitch::tui::TuiExit;
use rswitch::tui::action::Action;
use rswitch::tui::effect::Effect;
use rswitch::tui::state::{Overlay, RowStatus};
use rswitch::tui::update::{handle_key, resolve_all, update};

#[test]
fn mfa_prompt_then_resolve_with_the_code() {
    let mut state = fixtures::state(unicode());
    state.select("mfa-admin");
    assert!(press(&mut state, KeyCode::Char('r')).is_empty());
    assert!(matches!(state.overlay, Some(Overlay::Mfa { .. })));
    type_text(&mut state, "12x");
    match &state.overlay {
        Some(Overlay::Mfa { code, error, .. }) => {
            assert_eq!(code.typed(), 2);
            assert!(error.is_some(), "letters are refused");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        press(&mut state, KeyCode::Enter).is_empty(),
        "two digits are not a code"
    );
    type_text(&mut state, "3456");
    assert!(
        !format!("{state:?}").contains("123456"),
        "the code never shows in Debug"
    );
    let effects = press(&mut state, KeyCode::Enter);
    assert_eq!(effects.len(), 1);
    match &effects[0] {
        Effect::Resolve { profile, mfa, .. } => {
            assert_eq!(profile, "mfa-admin");
            let mfa = mfa.as_ref().expect("a code");
            assert_eq!(mfa.code, Secret::new("123456"));
            assert_eq!(
                mfa.serial, "arn:aws:iam::111111111111:mfa/alice",
                "the chain's device"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(state.overlay.is_none());
    assert_eq!(status_of(&state, "mfa-admin"), RowStatus::Resolving);
    assert!(answer(&mut state, effects).is_empty(), "r does not pick");
    assert_eq!(status_of(&state, "mfa-admin"), RowStatus::Ok);
}

#[test]
fn mfa_prompt_cancel_resolves_nothing() {
    let mut state = fixtures::state(unicode());
    state.select("mfa-admin");
    press(&mut state, KeyCode::Char('r'));
    type_text(&mut state, "123");
    assert!(press(&mut state, KeyCode::Esc).is_empty());
    assert!(state.overlay.is_none());
    assert_eq!(status_of(&state, "mfa-admin"), RowStatus::NeedsMfa);
}

#[test]
fn enter_on_an_mfa_profile_asks_then_picks() {
    let mut state = fixtures::state(unicode());
    state.select("mfa-admin");
    press(&mut state, KeyCode::Enter);
    type_text(&mut state, "654321");
    let effects = press(&mut state, KeyCode::Enter);
    let after = answer(&mut state, effects);
    match after.as_slice() {
        [Effect::Exit(TuiExit::Pick { profile, resolution })] => {
            assert_eq!(profile, "mfa-admin");
            assert!(resolution.as_ref().is_some_and(|r| r.outcome.is_ok()));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pick_returns_the_profile() {
    let mut state = fixtures::state(unicode());
    let effects = resolve_all(&mut state);
    answer(&mut state, effects);
    state.select("SwitchToRole");
    let effects = press(&mut state, KeyCode::Enter);
    match effects.as_slice() {
        [Effect::Exit(TuiExit::Pick { profile, resolution })] => {
            assert_eq!(profile, "SwitchToRole");
            assert_eq!(resolution.as_deref(), Some(&resolution_of("SwitchToRole")));
        }
        other => panic!("{other:?}"),
    }
}

fn resolution_of(profile: &str) -> rswitch::resolve::outcome::Resolution {
    resolution(profile)
}

#[test]
fn pick_waits_for_a_profile_still_resolving() {
    let mut state = fixtures::state(unicode());
    let effects = resolve_all(&mut state);
    state.select("alice");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let after = answer(&mut state, effects);
    assert!(matches!(after.as_slice(), [Effect::Exit(TuiExit::Pick { profile, .. })] if profile == "alice"));
}

#[test]
fn pick_refuses_a_failed_profile() {
    let mut state = fixtures::state(unicode());
    let effects = resolve_all(&mut state);
    answer(&mut state, effects);
    state.select("denied");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    let status = state.status.clone().expect("a message");
    assert!(status.error);
    assert!(status.text.contains("AccessDenied"), "{}", status.text);
    state.select("broken");
    assert!(press(&mut state, KeyCode::Enter).is_empty());
    assert!(
        state
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("cannot resolve"))
    );
}

#[test]
fn quit_from_any_mode() {
    let mut state = fixtures::state(unicode());
    assert_eq!(
        press(&mut state, KeyCode::Char('q')),
        [Effect::Exit(TuiExit::Quit)]
    );
    press(&mut state, KeyCode::Char('/'));
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(handle_key(&mut state, ctrl_c), [Effect::Exit(TuiExit::Quit)]);
}

#[test]
fn commands_need_a_resolved_profile() {
    let mut state = fixtures::state(unicode());
    let effects = resolve_all(&mut state);
    state.select("alice");
    assert!(press(&mut state, KeyCode::Char('c')).is_empty());
    assert!(
        state
            .status
            .as_ref()
            .is_some_and(|s| s.text.contains("still resolving"))
    );
    answer(&mut state, effects);
    assert!(matches!(
        press(&mut state, KeyCode::Char('c')).as_slice(),
        [Effect::Copy { .. }]
    ));
    assert!(matches!(
        press(&mut state, KeyCode::Char('s')).as_slice(),
        [Effect::Subshell { .. }]
    ));
    update(
        &mut state,
        Action::HandlerDone {
            message: "copied to clipboard via OSC 52".into(),
            error: false,
        },
    );
    assert_eq!(
        state.status.as_ref().map(|s| s.text.as_str()),
        Some("copied to clipboard via OSC 52")
    );
    press(&mut state, KeyCode::Char('j'));
    assert!(state.status.is_none(), "a key clears the message");
}

#[test]
fn copy_format_chooser_picks_a_format() {
    let mut state = fixtures::state(unicode());
    state.copy_formats = vec![Format::Env, Format::Fish, Format::Json];
    let effects = resolve_all(&mut state);
    answer(&mut state, effects);
    state.select("SwitchToRole");
    press(&mut state, KeyCode::Char('e'));
    press(&mut state, KeyCode::Char('j'));
    let effects = press(&mut state, KeyCode::Enter);
    match effects.as_slice() {
        [Effect::CopyAs { resolution, format }] => {
            assert_eq!(*format, Format::Fish);
            assert_eq!(resolution.profile, "SwitchToRole");
        }
        other => panic!("{other:?}"),
    }
    assert!(state.overlay.is_none());
}

#[test]
fn identity_and_doctor_overlays() {
    let mut state = fixtures::state(unicode());
    let effects = resolve_all(&mut state);
    answer(&mut state, effects);
    state.select("denied");
    press(&mut state, KeyCode::Char('i'));
    match &state.overlay {
        Some(Overlay::Text { body, .. }) => {
            assert!(body.contains("\"status\": \"denied\""), "{body}");
            assert!(!body.contains("secret-never-shown"));
        }
        other => panic!("{other:?}"),
    }
    press(&mut state, KeyCode::Esc);
    assert!(state.overlay.is_none());
    assert!(matches!(
        press(&mut state, KeyCode::Char('d')).as_slice(),
        [Effect::Doctor { .. }]
    ));
    update(
        &mut state,
        Action::DoctorReport {
            profile: "denied".into(),
            text: "report".into(),
        },
    );
    assert!(matches!(&state.overlay, Some(Overlay::Text { title, .. }) if title == "doctor: denied"));
}
