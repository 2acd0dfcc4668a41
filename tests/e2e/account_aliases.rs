//! Account names from IAM aliases: `whoami` and `check` ask `iam:ListAccountAliases` with
//! the resolved credentials for an account that has no name yet, show the alias next to
//! the account (text and `identity.account_name`), remember the answer (a denial too)
//! and never ask again while it is fresh. Through the proxy, which counts every call.

use crate::binary::{self, Run};
use crate::support::{self, Home, Proxy, Stack};

const LIST: &str = "ListAccountAliases";

/// A HOME with `dana` (may list aliases) and `erin` (may not), both static keys in
/// 333333333333, every call going through `proxy`.
fn aliased_home(stack: &Stack, proxy: &Proxy) -> Home {
    let w = &stack.world;
    let home = Home::new();
    let endpoint = proxy.url();
    home.config(&format!(
        "[profile dana]\nregion = us-east-1\nendpoint_url = {endpoint}\n\n\
         [profile erin]\nregion = us-east-1\nendpoint_url = {endpoint}\n"
    ));
    home.credentials(&format!(
        "[dana]\naws_access_key_id = {}\naws_secret_access_key = {}\n\n\
         [erin]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        w.dana.access_key_id, w.dana.secret_access_key, w.erin.access_key_id, w.erin.secret_access_key
    ));
    home
}

fn ok(run: Run) -> Run {
    assert_eq!(run.code, 0, "{run}");
    run
}

fn cache_file(home: &Home) -> std::path::PathBuf {
    home.path().join(".cache/rswitch/account-aliases.json")
}

#[test]
fn an_alias_names_the_account_in_whoami_and_check_and_is_asked_once() {
    let stack = support::shared();
    let w = &stack.world;
    let proxy = Proxy::start(stack.endpoint());
    let home = aliased_home(stack, &proxy);
    let label = format!("{} ({})", w.aliased_account, w.alias);

    let first = ok(binary::run(&home, &["whoami", "dana"]));
    assert!(first.stdout.contains(&label), "{first}");
    assert_eq!(first.stderr, "", "{first}");
    assert_eq!(proxy.count(LIST), 1, "{:?}", proxy.counts());
    let cache = cache_file(&home);
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&cache)
        .expect("the alias cache")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // Remembered: the name again, without asking IAM.
    let json = ok(binary::run(&home, &["whoami", "dana", "--json"])).json();
    assert_eq!(json["identity"]["account_name"], w.alias.as_str(), "{json}");
    let check = ok(binary::run(&home, &["check", "dana"]));
    assert!(check.line("OK", "dana").contains(&label), "{check}");
    let json = ok(binary::run(&home, &["check", "dana", "--json"])).json();
    assert_eq!(
        json["results"][0]["identity"]["account_name"],
        w.alias.as_str(),
        "{json}"
    );
    assert_eq!(proxy.count(LIST), 1, "asked again: {:?}", proxy.counts());
}

#[test]
fn check_asks_for_a_fresh_home_too() {
    let stack = support::shared();
    let w = &stack.world;
    let proxy = Proxy::start(stack.endpoint());
    let home = aliased_home(stack, &proxy);
    let json = ok(binary::run(&home, &["check", "dana", "--json"])).json();
    assert_eq!(
        json["results"][0]["identity"]["account_name"],
        w.alias.as_str(),
        "{json}"
    );
    assert_eq!(proxy.count(LIST), 1, "{:?}", proxy.counts());
}

#[test]
fn the_settings_file_wins_and_no_lookup_is_made() {
    let stack = support::shared();
    let w = &stack.world;
    let proxy = Proxy::start(stack.endpoint());
    let home = aliased_home(stack, &proxy);
    let settings = home.path().join(".config/rswitch/accounts.ini");
    std::fs::create_dir_all(settings.parent().expect("dir")).expect("mkdir");
    std::fs::write(&settings, format!("{} = mine\n", w.aliased_account)).expect("write");

    let run = ok(binary::run(&home, &["whoami", "dana"]));
    assert!(
        run.stdout.contains(&format!("{} (mine)", w.aliased_account)),
        "{run}"
    );
    assert!(!run.stdout.contains(&w.alias), "{run}");
    assert_eq!(proxy.count(LIST), 0, "{:?}", proxy.counts());
}

#[test]
fn a_caller_without_the_permission_gets_no_name_no_error_and_is_not_asked_again_but_others_are() {
    let stack = support::shared();
    let w = &stack.world;
    let proxy = Proxy::start(stack.endpoint());
    let home = aliased_home(stack, &proxy);

    let run = ok(binary::run(&home, &["whoami", "erin"]));
    assert!(run.stdout.contains(&w.aliased_account), "{run}");
    assert!(!run.stdout.contains(&w.alias), "{run}");
    assert!(!run.stdout.contains(&format!("{} (", w.aliased_account)), "{run}");
    assert_eq!(run.stderr, "", "{run}");
    assert_eq!(proxy.count(LIST), 1, "{:?}", proxy.counts());
    let cached = std::fs::read_to_string(cache_file(&home)).expect("the denial is remembered");
    assert!(
        cached.contains(&w.aliased_account) && !cached.contains(&w.alias),
        "{cached}"
    );
    // A denial is an answer (kept a day), not a failure to reach IAM (kept an hour).
    assert!(!cached.contains("failed"), "{cached}");

    let json = ok(binary::run(&home, &["check", "erin", "--json"])).json();
    assert_eq!(json["results"][0]["identity"].get("account_name"), None, "{json}");
    assert_eq!(proxy.count(LIST), 1, "asked again: {:?}", proxy.counts());

    // The denial was erin's: dana, in the same account, still asks and gets the name.
    let run = ok(binary::run(&home, &["whoami", "dana"]));
    assert!(
        run.stdout
            .contains(&format!("{} ({})", w.aliased_account, w.alias)),
        "{run}"
    );
    assert_eq!(proxy.count(LIST), 2, "{:?}", proxy.counts());
}

#[test]
fn the_tui_shows_the_alias_once_the_profile_resolved() {
    let stack = support::shared();
    let w = &stack.world;
    let proxy = Proxy::start(stack.endpoint());
    let home = aliased_home(stack, &proxy);
    let tui = crate::tui::Tui::start(&home, "C.UTF-8", false, (200, 30));
    let label = format!("{} ({})", w.aliased_account, w.alias);
    tui.tmux
        .wait_for("the alias next to dana's account", |s| s.contains(&label));
    tui.tmux.keys(&["q"]);
    tui.finished();
    // Once per caller at most: erin (refused) may have asked first, or not at all.
    let by = |key: &str| {
        let seen = proxy.seen();
        seen.iter()
            .filter(|r| r.action == LIST && r.access_key.as_deref() == Some(key))
            .count()
    };
    assert_eq!(by(&w.dana.access_key_id), 1, "{:?}", proxy.seen());
    assert!(by(&w.erin.access_key_id) <= 1, "{:?}", proxy.seen());
    let cached = std::fs::read_to_string(cache_file(&home)).expect("the alias is remembered");
    assert!(cached.contains(&w.alias), "{cached}");
}

#[test]
fn an_iam_that_does_not_answer_costs_no_more_than_the_timeout_and_no_error() {
    let stack = support::shared();
    let w = &stack.world;
    let proxy = Proxy::start(stack.endpoint());
    let home = aliased_home(stack, &proxy);
    proxy.fail_next_action(LIST, 1, crate::support::Fault::Hang);
    let run = ok(binary::run(&home, &["--timeout", "3", "whoami", "dana"]));
    assert!(run.stdout.contains(&w.aliased_account), "{run}");
    assert!(!run.stdout.contains(&w.alias), "{run}");
    assert_eq!(run.stderr, "", "{run}");
    assert!(run.elapsed < std::time::Duration::from_secs(10), "{run}");
    assert_eq!(proxy.count(LIST), 1, "{:?}", proxy.counts());
    let cached = std::fs::read_to_string(cache_file(&home)).expect("the failure is remembered");
    assert!(cached.contains("\"failed\": true"), "{cached}");

    // Remembered for an hour: the next run does not wait again.
    ok(binary::run(&home, &["whoami", "dana"]));
    assert_eq!(proxy.count(LIST), 1, "{:?}", proxy.counts());
}
