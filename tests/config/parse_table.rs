//! Table tests of the reader over inline INI: every rule, with exact lines.

use rswitch::config::{ConfigError, ConfigSet, IgnoredKind, Location, load, parse_str};
use rswitch::env::Env;
use std::path::{Path, PathBuf};

const CONFIG: &str = "/h/.aws/config";
const CREDENTIALS: &str = "/h/.aws/credentials";

fn read(config: &str, credentials: &str) -> ConfigSet {
    parse_str(
        Some((Path::new(CONFIG), config)),
        Some((Path::new(CREDENTIALS), credentials)),
    )
}

fn config(text: &str) -> ConfigSet {
    read(text, "")
}

fn at(file: &str, line: usize) -> Location {
    Location {
        file: PathBuf::from(file),
        line,
    }
}

fn get<'a>(set: &'a ConfigSet, profile: &str, key: &str) -> Option<&'a str> {
    set.profile(profile)?.get(key)
}

#[test]
fn comments_and_whitespace() {
    let set = config(
        "# top\n; top\n[profile a] # header comment\nk1 = v # comment\nk2 = v#kept\nk3 = v\t;c\n\
         k4 = v;kept\n  \t\n[profile b]#adjacent\n[profile c];adjacent\n",
    );
    assert_eq!(set.names().collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!(get(&set, "a", "k1"), Some("v"));
    assert_eq!(get(&set, "a", "k2"), Some("v#kept"));
    assert_eq!(get(&set, "a", "k3"), Some("v"));
    assert_eq!(get(&set, "a", "k4"), Some("v;kept"));
    assert!(set.parse_issues.is_empty());
}

#[test]
fn keys_are_lower_cased_and_trimmed() {
    let set = config("[profile a]\nRole_ARN \t=\t x \t\nREGION=eu-west-1\n");
    assert_eq!(get(&set, "a", "role_arn"), Some("x"));
    assert_eq!(get(&set, "a", "region"), Some("eu-west-1"));
    assert_eq!(set.profile("a").unwrap().location_of("region"), &at(CONFIG, 3));
}

#[test]
fn continuation_and_nested_lines() {
    let set = config(
        "[profile a]\nk = first\n  second # kept\n\tthird\ns3 =\n  addressing_style = path\n  \n  max = 2\n",
    );
    assert_eq!(get(&set, "a", "k"), Some("first\nsecond # kept\nthird"));
    assert_eq!(get(&set, "a", "s3"), Some("\naddressing_style = path\nmax = 2"));
    assert_eq!(set.profile("a").unwrap().location_of("s3"), &at(CONFIG, 5));
}

#[test]
fn indented_comment_is_a_continuation() {
    // Only column-0 `#`/`;` start a comment; an indented one continues the value.
    let set = config("[profile a]\nk = v\n  # not a comment\n");
    assert_eq!(get(&set, "a", "k"), Some("v\n# not a comment"));
    // Under a nested key it must be `key = value`, so it is an issue.
    let set = config("[profile a]\ns3 =\n  # no equals\n  x = 1\n");
    assert_eq!(get(&set, "a", "s3"), Some("\nx = 1"));
    assert_eq!(set.parse_issues.len(), 1);
    assert_eq!(set.parse_issues[0].location, at(CONFIG, 3));
    assert!(set.parse_issues[0].message.contains("sub-property"));
}

#[test]
fn profile_default_wins_over_default_in_the_same_file() {
    let set = read(
        "[default]\nregion = a\nonly_bare = 1\n[profile default]\nregion = b\n",
        "[default]\naws_access_key_id = AKIA\n",
    );
    let default = set.profile("default").unwrap();
    assert_eq!(default.get("region"), Some("b"));
    assert_eq!(default.get("only_bare"), None);
    assert_eq!(default.get("aws_access_key_id"), Some("AKIA"));
    assert_eq!(default.location, at(CONFIG, 4));
    assert_eq!(default.sections, [at(CONFIG, 4), at(CREDENTIALS, 1)]);
    assert_eq!(set.ignored.len(), 1);
    assert_eq!(set.ignored[0].kind, IgnoredKind::ShadowedDefault);
    assert_eq!(set.ignored[0].location, at(CONFIG, 1));
}

#[test]
fn bare_default_alone_is_the_default_profile() {
    let set = config("[default]\nregion = a\n");
    assert_eq!(get(&set, "default", "region"), Some("a"));
}

#[test]
fn identifiers() {
    let set = read(
        "[profile a-b_c/d.e%f@g:h+i]\nk-1/x.y@z:+% = v\nin valid = x\n[profile a b]\nk = v\n[profile foo!bar]\n",
        "[ok.name]\n[bad name]\n[bad!name]\n",
    );
    assert_eq!(set.names().collect::<Vec<_>>(), ["a-b_c/d.e%f@g:h+i", "ok.name"]);
    assert_eq!(get(&set, "a-b_c/d.e%f@g:h+i", "k-1/x.y@z:+%"), Some("v"));
    assert_eq!(set.ignored_keys.len(), 1);
    assert_eq!(set.ignored_keys[0].key, "in valid");
    assert_eq!(set.ignored_keys[0].location, at(CONFIG, 3));
    let ignored: Vec<_> = set.ignored.iter().map(|i| (i.kind, i.location.line)).collect();
    assert_eq!(
        ignored,
        [
            (IgnoredKind::InvalidName, 4),
            (IgnoredKind::InvalidName, 6),
            // `[bad name]` in credentials has a prefix (`bad`): not a profile there.
            (IgnoredKind::ConfigOnlySection, 2),
            (IgnoredKind::InvalidName, 3),
        ]
    );
}

#[test]
fn header_whitespace_and_tabs() {
    let set = read("[ profile \t a \t]\n[profile\tb]\n", "[  c  ]\n");
    assert_eq!(set.names().collect::<Vec<_>>(), ["a", "b", "c"]);
}

#[test]
fn sso_sessions_and_services_sections() {
    let set = config(
        "[profile a]\nsso_session = corp\nservices = local\n[sso-session corp]\nsso_start_url = https://x\n\
         sso_region = eu-west-1\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n\
         [sso-sesion typo]\nk = v\n",
    );
    let corp = &set.sso_sessions["corp"];
    assert_eq!(corp.get("sso_region"), Some("eu-west-1"));
    assert_eq!(corp.location, at(CONFIG, 4));
    let local = &set.other_sections[&("services".to_string(), "local".to_string())];
    let endpoint = local.sub_property("sts", "endpoint_url").unwrap();
    assert_eq!(endpoint.value, "http://127.0.0.1:1");
    assert_eq!(endpoint.location, at(CONFIG, 9));
    assert!(
        set.other_sections
            .contains_key(&("sso-sesion".to_string(), "typo".to_string()))
    );
}

#[test]
fn duplicates_merge_later_wins() {
    let set = config("[profile a]\nk = 1\nj = 1\n[profile b]\n[profile a]\nk = 2\nk = 3\n");
    let a = set.profile("a").unwrap();
    assert_eq!(a.get("k"), Some("3"));
    assert_eq!(a.get("j"), Some("1"));
    assert_eq!(a.location_of("k"), &at(CONFIG, 7));
    assert_eq!(a.location, at(CONFIG, 1));
    assert_eq!(a.sections, [at(CONFIG, 1), at(CONFIG, 5)]);
}

#[test]
fn different_spellings_of_one_header_merge_in_file_order() {
    // The SDK's winner here depends on hash-map order; rswitch takes the later line.
    let set = config("[profile a]\nk = 1\n[profile  a]\nk = 2\n");
    assert_eq!(get(&set, "a", "k"), Some("2"));
}

#[test]
fn credentials_values_win() {
    let set = read(
        "[profile a]\nregion = eu-west-1\naws_access_key_id = FROM_CONFIG\n",
        "[a]\naws_access_key_id = FROM_CREDENTIALS\n",
    );
    let a = set.profile("a").unwrap();
    assert_eq!(a.get("aws_access_key_id"), Some("FROM_CREDENTIALS"));
    assert_eq!(a.location_of("aws_access_key_id"), &at(CREDENTIALS, 2));
    assert_eq!(a.location_of("region"), &at(CONFIG, 2));
    assert_eq!(a.location, at(CONFIG, 1));
}

#[test]
fn ignored_sections_are_listed_with_their_line() {
    let set = read(
        "[default]\n\n[prod]\nregion = x\n",
        "[profile dev]\n[sso-session s]\n",
    );
    let got: Vec<_> = set
        .ignored
        .iter()
        .map(|i| (i.header.as_str(), i.kind, i.location.clone()))
        .collect();
    assert_eq!(
        got,
        [
            ("[prod]", IgnoredKind::MissingProfilePrefix, at(CONFIG, 3)),
            (
                "[profile dev]",
                IgnoredKind::ProfilePrefixInCredentials,
                at(CREDENTIALS, 1)
            ),
            (
                "[sso-session s]",
                IgnoredKind::ConfigOnlySection,
                at(CREDENTIALS, 2)
            ),
        ]
    );
    assert!(set.ignored[0].reason.contains("[profile prod]"));
    assert_eq!(set.names().collect::<Vec<_>>(), ["default"]);
}

#[test]
fn broken_lines_are_issues_and_never_hide_other_profiles() {
    let set = read(
        "orphan = 1\n  orphan-continuation\n[profile a]\nno equals here\n  belongs-to-broken\n= v\n\
         k = ok\n[profile b\nlost = 1\n[profile c]\n  continuation-without-property\nk = 3\n",
        "[d]\nk = 4\n",
    );
    let issues: Vec<_> = set
        .parse_issues
        .iter()
        .map(|i| (i.location.line, i.message.as_str()))
        .collect();
    assert_eq!(issues.len(), 5, "{issues:?}");
    assert_eq!(issues[0].0, 1);
    assert!(issues[0].1.starts_with("Expected a profile definition"));
    assert_eq!(issues[1], (4, "Expected an '=' sign defining a property"));
    assert_eq!(issues[2], (6, "Property did not have a name"));
    assert_eq!(issues[3].0, 8);
    assert!(issues[3].1.contains("must end with ']'"));
    assert_eq!(
        issues[4],
        (11, "Expected a property definition, found continuation")
    );
    assert_eq!(set.names().collect::<Vec<_>>(), ["a", "c", "d"]);
    assert_eq!(get(&set, "a", "k"), Some("ok"));
    assert_eq!(get(&set, "a", "lost"), None);
    assert_eq!(get(&set, "c", "k"), Some("3"));
    assert_eq!(get(&set, "d", "k"), Some("4"));
}

#[test]
fn windows_line_endings() {
    let set = config("[profile a]\r\nk = v\r\n");
    assert_eq!(get(&set, "a", "k"), Some("v"));
}

#[test]
fn load_reads_the_files_the_environment_names() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("cfg");
    std::fs::write(&config_path, "[profile a]\nregion = x\n").unwrap();
    let env = Env::from_vars(
        [
            ("AWS_CONFIG_FILE", config_path.to_str().unwrap()),
            (
                "AWS_SHARED_CREDENTIALS_FILE",
                dir.path().join("missing").to_str().unwrap(),
            ),
        ],
        Some(dir.path().to_path_buf()),
    );
    let set = load(&env).unwrap();
    assert_eq!(set.config_file, config_path);
    assert_eq!(set.credentials_file, dir.path().join("missing"));
    assert_eq!(get(&set, "a", "region"), Some("x"));
    assert_eq!(
        set.profile("a").unwrap().location_of("region"),
        &Location {
            file: config_path,
            line: 2
        }
    );
}

#[test]
fn load_with_no_files_is_empty() {
    let dir = tempfile::tempdir().unwrap();
    let set = load(&Env::from_vars([("X", "")], Some(dir.path().to_path_buf()))).unwrap();
    assert!(set.profiles.is_empty());
    assert_eq!(set.config_file, dir.path().join(".aws/config"));
}

#[test]
fn unreadable_files_are_errors_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let as_dir = dir.path().join("dir");
    std::fs::create_dir(&as_dir).unwrap();
    let env = Env::from_vars([("AWS_CONFIG_FILE", as_dir.to_str().unwrap())], None);
    let err = load(&env).unwrap_err();
    assert!(matches!(err, ConfigError::Read { .. }));
    assert!(err.to_string().contains(as_dir.to_str().unwrap()), "{err}");

    let latin1 = dir.path().join("latin1");
    std::fs::write(&latin1, b"[profile caf\xe9]\n").unwrap();
    let env = Env::from_vars([("AWS_SHARED_CREDENTIALS_FILE", latin1.to_str().unwrap())], None);
    let err = load(&env).unwrap_err();
    assert!(matches!(err, ConfigError::NotUtf8 { .. }));
    assert!(err.to_string().contains(latin1.to_str().unwrap()), "{err}");
}

#[test]
fn a_file_past_the_size_cap_is_an_error_naming_the_path_not_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: 40 MiB of size, no 40 MiB of disk.
    let huge = dir.path().join("config");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(40 * 1024 * 1024)
        .unwrap();
    let env = Env::from_vars([("AWS_CONFIG_FILE", huge.to_str().unwrap())], None);
    let err = load(&env).unwrap_err();
    assert!(matches!(err, ConfigError::TooLarge { .. }), "{err:?}");
    assert!(err.to_string().contains(huge.to_str().unwrap()), "{err}");
    assert!(err.to_string().contains("larger than 32 MiB"), "{err}");
    // A device that never ends is cut at the cap too.
    let env = Env::from_vars([("AWS_SHARED_CREDENTIALS_FILE", "/dev/zero")], None);
    assert!(matches!(load(&env).unwrap_err(), ConfigError::TooLarge { .. }));
    // /dev/null, a common way to say "no file", is an empty file.
    let env = Env::from_vars([("AWS_CONFIG_FILE", "/dev/null")], None);
    assert!(load(&env).is_ok());
}

#[cfg(unix)]
#[test]
fn unreadable_permissions_are_errors() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config");
    std::fs::write(&path, "[default]\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::read(&path).is_ok() {
        // Running as root: permissions do not stop reads, nothing to check.
        return;
    }
    let env = Env::from_vars([("AWS_CONFIG_FILE", path.to_str().unwrap())], None);
    let err = load(&env).unwrap_err();
    assert!(err.to_string().contains(path.to_str().unwrap()), "{err}");
}
