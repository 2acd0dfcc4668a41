//! Headless state tests: keys and replies in, state and effects out.

use super::fixtures::{self, answer, resolution, unicode};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use rswitch::tui::action::Action;
use rswitch::tui::effect::Effect;
use rswitch::tui::state::RowStatus;
use rswitch::tui::update::{handle_key, resolve_all, update};
use rswitch::tui::{ProfileRow, State};

pub fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    handle_key(state, KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn type_text(state: &mut State, text: &str) -> Vec<Effect> {
    text.chars()
        .flat_map(|c| press(state, KeyCode::Char(c)))
        .collect()
}

pub fn selected(state: &State) -> &str {
    state.selected_entry().map(|e| e.row.name.as_str()).unwrap_or("")
}

pub fn visible(state: &State) -> Vec<&str> {
    state
        .visible
        .iter()
        .map(|&i| state.entries[i].row.name.as_str())
        .collect()
}

pub fn status_of(state: &State, profile: &str) -> RowStatus {
    state.entries[state.index_of(profile).expect("profile")].status()
}

pub fn request_id(effect: &Effect) -> u64 {
    match effect {
        Effect::Resolve { request_id, .. } => *request_id,
        other => panic!("not a resolve: {other:?}"),
    }
}

#[test]
fn start_resolves_everything_that_needs_no_input() {
    let mut state = fixtures::state(unicode());
    let effects = resolve_all(&mut state);
    let profiles: Vec<&str> = effects
        .iter()
        .map(|e| match e {
            Effect::Resolve { profile, .. } => profile.as_str(),
            _ => "",
        })
        .collect();
    assert_eq!(profiles, ["SwitchFromRole", "SwitchToRole", "alice", "denied"]);
    assert_eq!(status_of(&state, "mfa-admin"), RowStatus::NeedsMfa);
    assert_eq!(status_of(&state, "broken"), RowStatus::Lint);
    assert_eq!(status_of(&state, "alice"), RowStatus::Resolving);
}

#[test]
fn keys_move_the_selection() {
    let mut state = fixtures::state(unicode());
    assert_eq!(selected(&state), "SwitchFromRole");
    press(&mut state, KeyCode::Char('j'));
    press(&mut state, KeyCode::Down);
    assert_eq!(selected(&state), "alice");
    press(&mut state, KeyCode::Char('k'));
    assert_eq!(selected(&state), "SwitchToRole");
    press(&mut state, KeyCode::Char('G'));
    assert_eq!(selected(&state), "mfa-admin");
    press(&mut state, KeyCode::Down);
    assert_eq!(selected(&state), "mfa-admin", "stays on the last");
    press(&mut state, KeyCode::Char('g'));
    assert_eq!(selected(&state), "SwitchFromRole");
    press(&mut state, KeyCode::PageDown);
    assert_eq!(
        selected(&state),
        "mfa-admin",
        "a page is longer than six profiles"
    );
    press(&mut state, KeyCode::PageUp);
    assert_eq!(selected(&state), "SwitchFromRole");
}

#[test]
fn results_out_of_order_all_land() {
    let mut state = fixtures::state(unicode());
    let mut effects = resolve_all(&mut state);
    effects.reverse();
    answer(&mut state, effects);
    assert_eq!(status_of(&state, "alice"), RowStatus::Ok);
    assert_eq!(status_of(&state, "SwitchToRole"), RowStatus::Ok);
    assert_eq!(status_of(&state, "denied"), RowStatus::Failed);
    assert_eq!(state.resolving_count(), 0);
    assert_eq!(state.tick_interval(), Some(std::time::Duration::from_secs(1)));
}

#[test]
fn stale_replies_are_dropped() {
    let mut state = fixtures::state(unicode());
    state.select("denied");
    let first = press(&mut state, KeyCode::Char('r'));
    let second = press(&mut state, KeyCode::Char('r'));
    assert!(request_id(&second[0]) > request_id(&first[0]));

    // The first request answers late with a success: it must not win.
    let stale = Action::Resolved {
        request_id: request_id(&first[0]),
        profile: "denied".into(),
        resolution: Box::new(resolution("alice")),
        verdict: None,
    };
    update(&mut state, stale.clone());
    assert_eq!(status_of(&state, "denied"), RowStatus::Resolving);
    answer(&mut state, second);
    assert_eq!(status_of(&state, "denied"), RowStatus::Failed);
    update(&mut state, stale);
    assert_eq!(
        status_of(&state, "denied"),
        RowStatus::Failed,
        "still the latest reply"
    );
    // A reply for a profile that does not exist is ignored too.
    let effects = update(
        &mut state,
        Action::Resolved {
            request_id: 999,
            profile: "nope".into(),
            resolution: Box::new(resolution("alice")),
            verdict: None,
        },
    );
    assert!(effects.is_empty());
}

#[test]
fn filter_narrows_incrementally_and_esc_clears() {
    let mut state = fixtures::state(unicode());
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "swto");
    // Fuzzy: both match, the closer one first, and it is selected.
    assert_eq!(visible(&state), ["SwitchToRole", "SwitchFromRole"]);
    assert_eq!(selected(&state), "SwitchToRole");
    for _ in 0..3 {
        press(&mut state, KeyCode::Backspace);
    }
    assert_eq!(state.filter, "s");
    type_text(&mut state, "witchto");
    assert_eq!(visible(&state), ["SwitchToRole"]);
    assert_eq!(
        selected(&state),
        "SwitchToRole",
        "the selection follows what is left"
    );
    for _ in 0..6 {
        press(&mut state, KeyCode::Backspace);
    }
    assert_eq!(state.filter, "sw");
    assert_eq!(visible(&state), ["SwitchFromRole", "SwitchToRole"]);
    assert_eq!(selected(&state), "SwitchFromRole", "the best match again");
    // q is text while filtering, not quit.
    assert!(type_text(&mut state, "q").is_empty());
    assert!(visible(&state).is_empty());
    press(&mut state, KeyCode::Backspace);
    press(&mut state, KeyCode::Enter);
    assert_eq!(state.filter, "sw");
    assert_eq!(visible(&state).len(), 2, "Enter keeps the filter");
    press(&mut state, KeyCode::Esc);
    assert_eq!(visible(&state).len(), 6);
    assert_eq!(selected(&state), "SwitchFromRole");
}

#[test]
fn filter_matches_accounts_once_known() {
    let mut state = fixtures::state(unicode());
    let effects = resolve_all(&mut state);
    answer(&mut state, effects);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "333333333333");
    assert_eq!(visible(&state), ["SwitchToRole"]);
}

#[test]
fn grouping_orders_by_account() {
    let mut state = fixtures::state(unicode());
    let effects = resolve_all(&mut state);
    answer(&mut state, effects);
    press(&mut state, KeyCode::Char('a'));
    assert_eq!(
        visible(&state),
        [
            "alice",
            "SwitchFromRole",
            "mfa-admin",
            "SwitchToRole",
            "denied",
            "broken"
        ]
    );
    press(&mut state, KeyCode::Char('a'));
    assert_eq!(visible(&state)[0], "SwitchFromRole");
}

#[test]
fn the_list_scrolls_only_as_needed() {
    let rows = (0..40)
        .map(|n| ProfileRow {
            name: format!("p{n:02}"),
            kind: "static".into(),
            ..ProfileRow::default()
        })
        .collect();
    let mut state = State::new(rows, unicode(), fixtures::now());
    update(
        &mut state,
        Action::Resize {
            width: 80,
            height: 12,
            list_rows: rswitch::tui::view::layout::list_rows((80, 12)),
        },
    );
    let rows_shown = rswitch::tui::view::layout::list_rows(state.size);
    assert_eq!(rows_shown, 9);
    for _ in 0..12 {
        press(&mut state, KeyCode::Down);
    }
    assert_eq!(selected(&state), "p12");
    assert_eq!(state.list_top, 4, "the selection is on the last row shown");
    press(&mut state, KeyCode::Up);
    assert_eq!(state.list_top, 4, "moving up inside the window does not scroll");
    press(&mut state, KeyCode::Char('G'));
    assert_eq!(state.list_top, 31);
    press(&mut state, KeyCode::Char('g'));
    assert_eq!(state.list_top, 0);
}

#[test]
fn rows_come_from_config_plan_and_lint() {
    let rows = fixtures::rows();
    let row = |name: &str| rows.iter().find(|r| r.name == name).expect("row");
    let to = row("SwitchToRole");
    assert_eq!(to.kind, "role");
    assert_eq!(to.account.as_deref(), Some("333333333333"));
    assert_eq!(to.region.as_deref(), Some("eu-central-1"));
    let chain: Vec<&str> = to.chain.iter().map(|h| h.profile.as_str()).collect();
    assert_eq!(chain, ["alice", "SwitchFromRole", "SwitchToRole"]);
    assert_eq!(to.chain[0].label, "static");
    assert!(to.resolvable_unattended());
    let mfa = row("mfa-admin");
    assert_eq!(
        mfa.mfa_serial.as_deref(),
        Some("arn:aws:iam::111111111111:mfa/alice")
    );
    assert!(!mfa.resolvable_unattended());
    let broken = row("broken");
    assert_eq!(broken.kind, "invalid");
    assert!(
        broken
            .plan_error
            .as_deref()
            .is_some_and(|e| e.contains("config:25"))
    );
    assert!(
        broken
            .plan_error
            .as_deref()
            .is_some_and(|e| e.starts_with("error[role-without-source]")),
        "the plan error is the lint finding, in its words"
    );
    assert_eq!(broken.findings, vec![], "and it is not repeated as a finding");
    assert!(
        row("alice").findings.is_empty(),
        "findings go to the profile they name"
    );
}

#[test]
fn account_names_are_matched_by_the_filter_and_label_the_groups() {
    let mut state = fixtures::state(unicode());
    state.names = rswitch::sso::names::AccountNames::from_pairs([
        ("333333333333".to_string(), "payments-prod".to_string()),
        ("111111111111".to_string(), "identity".to_string()),
    ]);
    let effects = resolve_all(&mut state);
    answer(&mut state, effects);
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "payments");
    assert_eq!(visible(&state), ["SwitchToRole"]);
    press(&mut state, KeyCode::Esc);
    let entry = &state.entries[state.index_of("alice").expect("alice")];
    assert_eq!(
        entry.account_label(&state.names).as_deref(),
        Some("111111111111 (identity)")
    );
    let entry = &state.entries[state.index_of("SwitchFromRole").expect("row")];
    assert_eq!(entry.account_label(&state.names).as_deref(), Some("222222222222"));
}

#[test]
fn l_runs_the_login_in_an_overlay_and_resolves_its_profiles_after() {
    use rswitch::tui::effect::{LoggedIn, LoginShown};
    use rswitch::tui::state::{Mode, Overlay};
    let mut state = fixtures::state(unicode());
    state.select("alice");
    assert_eq!(
        press(&mut state, KeyCode::Char('l')),
        [Effect::Login {
            profile: "alice".into()
        }]
    );
    assert_eq!(state.mode(), Mode::Login);
    // Letters do nothing while it runs; the prompt arrives from the runtime.
    assert!(type_text(&mut state, "jkr").is_empty());
    let shown = LoginShown {
        url: "https://device.sso.eu-central-1.amazonaws.com/?user_code=ABCD-EFGH".into(),
        code: "ABCD-EFGH".into(),
        expires_at: fixtures::now() + std::time::Duration::from_secs(600),
        copied: "The URL was copied.".into(),
    };
    update(&mut state, Action::LoginPrompt(shown.clone()));
    assert!(matches!(&state.overlay, Some(Overlay::Login { shown: Some(s), .. }) if *s == shown));
    assert_eq!(state.tick_interval(), Some(std::time::Duration::from_secs(1)));
    let effects = update(
        &mut state,
        Action::LoginDone(Ok(LoggedIn {
            message: "logged in to sso-session 'corp'".into(),
            profiles: vec!["alice".into(), "SwitchToRole".into(), "gone".into()],
            names: rswitch::sso::names::AccountNames::from_pairs([(
                "111111111111".to_string(),
                "identity".to_string(),
            )]),
        })),
    );
    assert_eq!(state.mode(), Mode::Normal);
    let resolved: Vec<_> = effects
        .iter()
        .map(|e| match e {
            Effect::Resolve { profile, .. } => profile.as_str(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(resolved, ["alice", "SwitchToRole"]);
    assert_eq!(state.names.get("111111111111"), Some("identity"));
    assert_eq!(status_of(&state, "alice"), RowStatus::Resolving);

    // Esc stops a login; a failed one says why on the status line.
    press(&mut state, KeyCode::Char('l'));
    assert_eq!(press(&mut state, KeyCode::Esc), [Effect::CancelLogin]);
    assert_eq!(state.overlay, None);
    update(
        &mut state,
        Action::LoginDone(Err("sso-session 'corp': denied".into())),
    );
    let status = state.status.as_ref().expect("status");
    assert!(status.error && status.text.contains("login failed: sso-session 'corp': denied"));
}

#[test]
fn only_a_missing_or_expired_login_asks_for_l() {
    use rswitch::resolve::outcome::{Failure, HopKind, HopOutcome, HopStatus, Resolution};
    use rswitch::resolve::{ErrorKind, HopError};
    let failed = |message: &str| Resolution {
        profile: "alice".into(),
        chain: vec!["alice".into()],
        region: None,
        hops: vec![HopOutcome {
            profile: "alice".into(),
            kind: HopKind::Base,
            source: Some("sso"),
            role_arn: None,
            status: HopStatus::Failed,
            cached: false,
            identity: None,
            expiration: None,
            error: None,
            endpoint: None,
        }],
        outcome: Err(Failure {
            hop: Some(0),
            error: HopError::new(ErrorKind::Credentials, None, message),
        }),
    };
    let mut state = fixtures::state(unicode());
    let i = state.index_of("alice").expect("alice");
    state.entries[i].resolution = Some(Box::new(failed(
        "sso credentials: profile 'alice' is not logged in to IAM Identity Center: no cached token; run `rswitch login --sso-session corp`",
    )));
    assert_eq!(status_of(&state, "alice"), RowStatus::NeedsLogin);
    state.entries[i].resolution = Some(Box::new(failed(
        "sso credentials: profile 'alice': service error: ForbiddenException: No access",
    )));
    assert_eq!(status_of(&state, "alice"), RowStatus::Failed);
}

#[test]
fn names_learned_after_a_resolution_label_the_row_and_match_the_filter() {
    let mut state = fixtures::state(unicode());
    let effects = resolve_all(&mut state);
    answer(&mut state, effects);
    let label = |state: &State| {
        let entry = &state.entries[state.index_of("alice").expect("alice")];
        entry.account_label(&state.names)
    };
    assert_eq!(label(&state).as_deref(), Some("111111111111"));
    // The filter is open when the names arrive: the list follows at once.
    press(&mut state, KeyCode::Char('/'));
    type_text(&mut state, "identity-alias");
    assert!(visible(&state).is_empty(), "{:?}", visible(&state));
    let effects = update(
        &mut state,
        Action::AccountNames(rswitch::sso::names::AccountNames::from_pairs([(
            "111111111111".to_string(),
            "identity-alias".to_string(),
        )])),
    );
    assert!(effects.is_empty(), "{effects:?}");
    assert_eq!(label(&state).as_deref(), Some("111111111111 (identity-alias)"));
    assert!(visible(&state).contains(&"alice"), "{:?}", visible(&state));
}

#[test]
fn an_account_name_is_looked_up_once_per_account_and_caller_in_a_run() {
    let mut state = fixtures::state(unicode());
    let identified = |profile: &str| Action::Identified(Box::new(resolution(profile)));
    let looked_up = |effects: &[Effect]| match effects {
        [Effect::LookUpAlias { resolution }] => resolution.profile.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(looked_up(&update(&mut state, identified("alice"))), "alice");
    let again = update(&mut state, identified("alice"));
    assert!(again.is_empty(), "asked twice: {again:?}");
    // Another caller in another account is asked; the same role reached again is not.
    assert_eq!(
        looked_up(&update(&mut state, identified("SwitchFromRole"))),
        "SwitchFromRole"
    );
    assert!(update(&mut state, identified("SwitchFromRole")).is_empty());
    // Another caller in an account asked already is asked too (it may be allowed).
    assert_eq!(
        looked_up(&update(&mut state, identified("mfa-admin"))),
        "mfa-admin"
    );
    // A failure names no account.
    assert!(update(&mut state, identified("denied")).is_empty());
}
