//! `rswitch sso sync` against the loopback portal (ListAccounts / ListAccountRoles, one
//! item a page): a config full of comments and odd formatting keeps every byte outside
//! the generated block, a second run changes nothing, an account added or removed on the
//! portal changes only its lines, `--dry-run` writes nothing, the file keeps its mode, and
//! the generated profiles resolve.

use crate::binary::{self, Run};
use crate::sso::{ACCOUNT, SESSION, SESSION_URL, Sso, TARGET};
use crate::support::sso_portal::Account;
use std::os::unix::fs::PermissionsExt;

/// A hand-written config: comments of both kinds, odd spacing, no final newline.
fn odd_config() -> String {
    format!(
        "# team config -- do not reorder\n\
         ;  legacy comment\n\
         [sso-session {SESSION}]\n\
         sso_start_url=   {SESSION_URL}\n\
         sso_region = eu-central-1   \n\
         sso_registration_scopes = sso:account:access\n\
         \n\
         [profile   hand-made]  # mine\n\
         sso_session = {SESSION}\n\
         sso_account_id = {ACCOUNT}\n\
         sso_role_name = Developer\n\
         \tregion = eu-west-1\n\
         [profile Production/ReadOnly]\n\
         sso_session = {SESSION}\n\
         sso_account_id = {TARGET}\n\
         sso_role_name = ReadOnly\n\
         # trailing comment, no newline"
    )
}

fn sync(sso: &Sso, extra: &[&str]) -> Run {
    let mut args = vec!["sso", "sync"];
    args.extend_from_slice(extra);
    sso.run(&args)
}

#[test]
fn sync_adds_a_block_and_keeps_everything_else_byte_for_byte() {
    let sso = Sso::new();
    let config = sso.home.config_path();
    std::fs::write(&config, odd_config()).expect("write config");
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    sso.portal.account(Account::new(
        ACCOUNT,
        "Developer Tools",
        &["Developer", "Admin Access"],
    ));
    sso.portal
        .account(Account::new(TARGET, "Production", &["ReadOnly"]));
    sso.portal.page_size(1);

    let not_logged_in = sync(&sso, &[]);
    assert_eq!(not_logged_in.code, 1, "{not_logged_in}");
    assert!(
        not_logged_in.stderr.contains("rswitch login --sso-session corp"),
        "{not_logged_in}"
    );

    let login = sso.run(&["login", "--no-browser"]);
    assert_eq!(login.code, 0, "{}", sso.all(&login));

    let dry = sync(&sso, &["--dry-run"]);
    assert_eq!(dry.code, 0, "{}", sso.all(&dry));
    assert!(
        dry.stdout.contains("+[profile Developer-Tools/Admin-Access]\n"),
        "{dry}"
    );
    assert!(dry.stdout.contains("+sso_account_id = 111111111111\n"), "{dry}");
    assert!(dry.stderr.contains("dry run"), "{dry}");
    // The user already has Production/ReadOnly: not generated again.
    assert!(
        dry.stderr.contains("skipped [profile Production/ReadOnly]"),
        "{dry}"
    );
    assert_eq!(std::fs::read_to_string(&config).expect("read"), odd_config());

    let run = sync(&sso, &[]);
    assert_eq!(run.code, 0, "{}", sso.all(&run));
    let after = std::fs::read_to_string(&config).expect("read");
    let user = odd_config();
    assert!(
        after.starts_with(&format!("{user}\n\n# >>> rswitch sso sync: sso-session corp")),
        "{after}"
    );
    assert!(
        after.ends_with("# <<< rswitch sso sync: sso-session corp <<<\n"),
        "{after}"
    );
    let block = &after[user.len()..];
    assert_eq!(block.matches("[profile ").count(), 2, "{block}");
    assert!(
        block.contains(&format!(
            "[profile Developer-Tools/Developer]\nsso_session = corp\nsso_account_id = {ACCOUNT}\n\
             sso_role_name = Developer\nregion = eu-central-1\n"
        )),
        "{block}"
    );
    assert_eq!(
        std::fs::metadata(&config).expect("meta").permissions().mode() & 0o777,
        0o640
    );
    // Each run read both pages of the first account's roles and the one of the second.
    assert_eq!(sso.portal.calls("/assignment/roles").len(), 2 * 3);

    // A second run changes nothing.
    let again = sync(&sso, &[]);
    assert_eq!((again.code, again.stdout.as_str()), (0, ""), "{again}");
    assert!(again.stderr.contains("is up to date"), "{again}");
    assert_eq!(std::fs::read_to_string(&config).expect("read"), after);

    // The portal drops one account and offers a new one: only their lines change.
    sso.portal.remove_account(TARGET);
    sso.portal
        .account(Account::new("333333333333", "Sandbox", &["Admin"]));
    let changed = sync(&sso, &[]);
    assert_eq!(changed.code, 0, "{}", sso.all(&changed));
    let text = std::fs::read_to_string(&config).expect("read");
    assert!(text.starts_with(&user), "the user's part changed:\n{text}");
    assert!(text.contains("[profile Sandbox/Admin]"), "{text}");
    assert!(!changed.stdout.contains("-[profile Developer"), "{changed}");
    assert!(changed.stdout.contains("+[profile Sandbox/Admin]"), "{changed}");
    assert!(!changed.stderr.contains("skipped"), "{changed}");

    // The generated profiles resolve (STS through the proxy, SSO through the portal).
    let sts = sso.proxy.url();
    let who = binary::run_env(
        &sso.home,
        &["whoami", "--json", "Developer-Tools/Developer"],
        &[
            ("AWS_ENDPOINT_URL_SSO", &sso.portal.url()),
            ("AWS_ENDPOINT_URL_STS", &sts),
        ],
    );
    assert_eq!(who.code, 0, "{}", sso.all(&who));
    assert_eq!(who.json()["identity"]["account_name"], "Developer Tools", "{who}");
}
