//! rswitch's reader against the AWS SDK: the cross-SDK JSON suite, then generated files.

use super::sdk;
use aws_config::profile::ProfileSet;
use aws_runtime::env_config::property::PropertiesKey;
use proptest::prelude::*;
use rswitch::config::{ConfigSet, parse_str};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn ours(config: Option<&str>, credentials: Option<&str>) -> ConfigSet {
    parse_str(
        config.map(|c| (Path::new(sdk::CONFIG), c)),
        credentials.map(|c| (Path::new(sdk::CREDENTIALS), c)),
    )
}

type Sections = BTreeMap<String, BTreeMap<String, String>>;

fn profiles_of(set: &ConfigSet) -> Sections {
    set.profiles
        .iter()
        .map(|(name, p)| {
            let props = p.properties.iter().map(|(k, v)| (k.clone(), v.value.clone()));
            (name.clone(), props.collect())
        })
        .collect()
}

fn sso_sessions_of(set: &ConfigSet) -> Sections {
    set.sso_sessions
        .iter()
        .map(|(name, s)| {
            let props = s.properties.iter().map(|(k, v)| (k.clone(), v.value.clone()));
            (name.clone(), props.collect())
        })
        .collect()
}

fn expected_sections(output: &Value, key: &str) -> Sections {
    let Some(map) = output.get(key).and_then(Value::as_object) else {
        return Sections::new();
    };
    map.iter()
        .map(|(name, props)| {
            let props = props.as_object().expect("properties object");
            let props = props
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().expect("string value").to_string()));
            (name.clone(), props.collect())
        })
        .collect()
}

/// Every case of the suite the SDKs share: same profiles and sso-sessions, or an issue with
/// the SDK's message where the SDK rejects the file.
#[test]
fn cross_sdk_parser_suite() {
    let text = include_str!("../fixtures/profile-parser-tests.json");
    let suite: Value = serde_json::from_str(text).expect("suite is JSON");
    let cases = suite["tests"].as_array().expect("tests array");
    assert!(cases.len() > 60);
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let config = case["input"].get("configFile").and_then(Value::as_str);
        let credentials = case["input"].get("credentialsFile").and_then(Value::as_str);
        let set = ours(config, credentials);
        let sdk = sdk::load(config, credentials);
        if let Some(expected) = case["output"].get("errorContaining").and_then(Value::as_str) {
            let (_, line, _) = sdk.expect_err(name);
            let first = set
                .parse_issues
                .first()
                .unwrap_or_else(|| panic!("{name}: no issue"));
            assert!(first.message.contains(expected), "{name}: {first:?}");
            assert_eq!(first.location.line, line, "{name}");
        } else {
            let output = &case["output"]["config"];
            assert_eq!(set.parse_issues, vec![], "{name}");
            assert_eq!(profiles_of(&set), expected_sections(output, "profiles"), "{name}");
            assert_eq!(
                sso_sessions_of(&set),
                expected_sections(output, "sso_sessions"),
                "{name}"
            );
            let sdk = sdk.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            let names: BTreeSet<&str> = sdk.profiles().collect();
            assert_eq!(names, set.names().collect(), "{name}");
        }
    }
}

// ---- generated files ----

const NAMES: &[&str] = &["default", "a", "B-2", "x.y@z:1+%/_", "dev", "a b", "foo!bar"];
const KEYS: &[&str] = &[
    "region",
    "Region",
    "ROLE_ARN",
    "role_arn",
    "s3",
    "sts",
    "k-1/x.y@z:+%",
    "output",
    "in valid",
];
const SUB_KEYS: &[&str] = &["endpoint_url", "Endpoint_URL", "addressing_style", "x"];

#[derive(Clone, Debug)]
enum Header {
    Profile(usize),
    Bare(usize),
    SsoSession(usize),
    Services(usize),
    /// A prefix the SDK keeps as an "other" section (`[Profile a]`, a typo of sso-session).
    Other(&'static str, usize),
    /// `[profile NAME` without `]`.
    Unclosed(usize),
}

#[derive(Clone, Debug)]
enum Line {
    Property {
        key: usize,
        eq: &'static str,
        value: String,
        comment: &'static str,
        continuations: Vec<(&'static str, String)>,
    },
    Nested {
        key: usize,
        subs: Vec<(&'static str, usize, String)>,
    },
    Comment(&'static str),
    Blank(&'static str),
    /// Lines the SDK rejects.
    Bad(&'static str),
}

#[derive(Clone, Debug)]
struct GenFile {
    crlf: bool,
    spelling: usize,
    preamble: Vec<Line>,
    sections: Vec<(Header, &'static str, Vec<Line>)>,
}

fn value() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 \t#;=:/._é\u{a0}-]{0,12}").expect("regex")
}

fn line(bad: u32) -> impl Strategy<Value = Line> {
    let continuation = (
        prop::sample::select(vec![" ", "\t", "   "]),
        // Free text only when rejections are wanted: after an empty value (`s3 =`) the SDK
        // requires each continuation to be `key = value`.
        if bad > 0 {
            proptest::string::string_regex("[a-z0-9#;= -]{1,10}")
        } else {
            proptest::string::string_regex("[a-zA-Z0-9_#;]{1,4}[ \t]?=[ \t]?[a-z0-9#; -]{0,6}")
        }
        .expect("regex"),
    );
    prop_oneof![
        6 => (
            0..KEYS.len(),
            prop::sample::select(vec![" = ", "=", "\t=\t", " =  "]),
            value(),
            prop::sample::select(vec!["", " # note", "\t; note", "#adjacent", ";adj", " #", " ;"]),
            prop::collection::vec(continuation, 0..3),
        )
            .prop_map(|(key, eq, value, comment, continuations)| Line::Property {
                key,
                eq,
                value,
                comment,
                continuations,
            }),
        2 => (
            0..KEYS.len(),
            prop::collection::vec(
                (prop::sample::select(vec![" ", "\t", "  "]), 0..SUB_KEYS.len(), value()),
                1..4
            )
        )
            .prop_map(|(key, subs)| Line::Nested { key, subs }),
        1 => prop::sample::select(vec!["# full", "; full", "#", ";;", "#[profile x]"]).prop_map(Line::Comment),
        1 => prop::sample::select(vec!["", " ", "\t \t"]).prop_map(Line::Blank),
        bad => prop::sample::select(vec![
            "novalue",
            "= v",
            " orphan-continuation",
            "key : value",
            "  # indented comment",
        ])
        .prop_map(Line::Bad),
    ]
}

fn header(bad: u32) -> impl Strategy<Value = Header> {
    prop_oneof![
        6 => (0..NAMES.len()).prop_map(Header::Profile),
        3 => (0..NAMES.len()).prop_map(Header::Bare),
        1 => (0..NAMES.len()).prop_map(Header::SsoSession),
        1 => (0..NAMES.len()).prop_map(Header::Services),
        1 => (prop::sample::select(vec!["Profile", "sso-sesion"]), 0..NAMES.len())
            .prop_map(|(p, n)| Header::Other(p, n)),
        bad => (0..NAMES.len()).prop_map(Header::Unclosed),
    ]
}

/// A file; `bad` weighs lines and headers the SDK rejects (0: none).
fn file(bad: u32) -> impl Strategy<Value = GenFile> {
    let body = move |max| prop::collection::vec(line(bad), 0..max);
    let preamble = prop::collection::vec(
        prop_oneof![
            4 => prop::sample::select(vec!["# top", "; top", ""]).prop_map(Line::Comment),
            bad => line(bad),
        ],
        0..3,
    );
    (
        any::<bool>(),
        0..4usize,
        preamble,
        prop::collection::vec(
            (
                header(bad),
                prop::sample::select(vec!["", "", " # c", ";c", "#c", "\t; c"]),
                body(6),
            ),
            0..7,
        ),
    )
        .prop_map(|(crlf, spelling, preamble, sections)| GenFile {
            crlf,
            spelling,
            preamble,
            sections,
        })
}

/// One spelling per header and file, so that no two spellings of one name meet in a file:
/// the SDK merges those in hash-map order, which no other parser can reproduce.
fn spell(prefix: &str, name: &str, variant: usize) -> String {
    match (prefix.is_empty(), variant % 4) {
        (true, 0) | (true, 3) => format!("[{name}]"),
        (true, 1) => format!("[ {name} ]"),
        (true, _) => format!("[\t{name}]"),
        (false, 0) => format!("[{prefix} {name}]"),
        (false, 1) => format!("[{prefix}\t{name}]"),
        (false, 2) => format!("[ {prefix}  {name} ]"),
        (false, _) => format!("[\t{prefix} \t{name}\t]"),
    }
}

fn render_line(line: &Line, out: &mut Vec<String>) {
    match line {
        Line::Property {
            key,
            eq,
            value,
            comment,
            continuations,
        } => {
            out.push(format!("{}{eq}{value}{comment}", KEYS[*key]));
            for (indent, text) in continuations {
                out.push(format!("{indent}{text}"));
            }
        }
        Line::Nested { key, subs } => {
            out.push(format!("{} =", KEYS[*key]));
            for (indent, sub, value) in subs {
                out.push(format!("{indent}{} = {value}", SUB_KEYS[*sub]));
            }
        }
        Line::Comment(text) | Line::Blank(text) | Line::Bad(text) => out.push(text.to_string()),
    }
}

fn render(file: &GenFile) -> String {
    let mut out = Vec::new();
    for line in &file.preamble {
        render_line(line, &mut out);
    }
    for (header, comment, body) in &file.sections {
        let variant = |n: usize, k: usize| file.spelling + n * 7 + k;
        let text = match header {
            Header::Profile(n) => spell("profile", NAMES[*n], variant(*n, 0)),
            Header::Bare(n) => spell("", NAMES[*n], variant(*n, 1)),
            Header::SsoSession(n) => spell("sso-session", NAMES[*n], variant(*n, 2)),
            Header::Services(n) => spell("services", NAMES[*n], variant(*n, 3)),
            Header::Other(prefix, n) => spell(prefix, NAMES[*n], variant(*n, 4)),
            Header::Unclosed(n) => format!("[profile {}", NAMES[*n]),
        };
        out.push(format!("{text}{comment}"));
        for line in body {
            render_line(line, &mut out);
        }
    }
    out.join(if file.crlf { "\r\n" } else { "\n" })
}

fn compare(config: &str, credentials: &str) -> Result<(), TestCaseError> {
    let set = ours(Some(config), Some(credentials));
    let sdk = match sdk::load(Some(config), Some(credentials)) {
        Err((path, line, message)) => {
            // Both reject: the first issue is where the SDK stopped.
            let first = set.parse_issues.first();
            prop_assert!(first.is_some(), "SDK rejected ({message}), rswitch did not");
            let first = first.expect("checked");
            prop_assert_eq!(first.location.file.to_str(), Some(path.as_str()));
            prop_assert_eq!(
                first.location.line,
                line,
                "SDK: {}; rswitch: {:?}",
                message,
                first
            );
            return Ok(());
        }
        Ok(sdk) => sdk,
    };
    prop_assert_eq!(&set.parse_issues, &vec![]);
    let names: BTreeSet<&str> = sdk.profiles().collect();
    prop_assert_eq!(&names, &set.names().collect::<BTreeSet<_>>());
    for name in names {
        let (theirs, mine) = (sdk.get_profile(name).expect("listed"), &set.profiles[name]);
        for key in KEYS {
            prop_assert_eq!(
                theirs.get(key),
                mine.get(&key.to_ascii_lowercase()),
                "[{}] {}",
                name,
                key
            );
        }
    }
    let sessions: BTreeSet<&str> = sdk.sso_sessions().collect();
    prop_assert_eq!(&sessions, &set.sso_sessions.keys().map(String::as_str).collect());
    for name in sessions {
        let (theirs, mine) = (sdk.sso_session(name).expect("listed"), &set.sso_sessions[name]);
        for key in KEYS {
            prop_assert_eq!(theirs.get(key), mine.get(&key.to_ascii_lowercase()));
        }
    }
    compare_other_sections(&sdk, &set)
}

fn compare_other_sections(sdk: &ProfileSet, set: &ConfigSet) -> Result<(), TestCaseError> {
    let mut prefixes = vec!["services", "Profile", "sso-sesion"];
    prefixes.extend(NAMES.iter().filter_map(|n| n.split_once(' ').map(|(p, _)| p)));
    for prefix in prefixes {
        for name in NAMES {
            for group in KEYS {
                let group = group.to_ascii_lowercase();
                for sub in SUB_KEYS {
                    let key = PropertiesKey::builder()
                        .section_key(prefix)
                        .section_name(*name)
                        .property_name(&group)
                        .sub_property_name(*sub)
                        .build()
                        .expect("complete key");
                    let mine = set
                        .other_sections
                        .get(&(prefix.to_string(), name.to_string()))
                        .and_then(|s| s.sub_property(&group, sub))
                        .map(|p| p.value.as_str());
                    prop_assert_eq!(
                        sdk.other_sections().get(&key).map(String::as_str),
                        mine,
                        "{}",
                        key
                    );
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    #[test]
    fn agrees_with_the_sdk(
        config in prop_oneof![3 => file(0), 1 => file(1)],
        credentials in prop_oneof![3 => file(0), 1 => file(1)],
    ) {
        compare(&render(&config), &render(&credentials))?;
    }
}
