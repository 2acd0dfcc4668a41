//! Section level of the profile-file reader: classifies raw sections and merges them into
//! a [`ConfigSet`], following `aws-runtime`'s `env_config::normalize`:
//!
//! - a header is split at its first space or tab into prefix and name (`[profile  a ]` is
//!   prefix `profile`, name `a`); prefixes are case-sensitive (`[Profile a]` is not a profile);
//! - config file: `[profile NAME]`, `[default]`, `[sso-session NAME]` and any other
//!   `[PREFIX NAME]` (e.g. `[services NAME]`) are read; a bare `[NAME]` other than `[default]`
//!   is ignored (the CLI ignores it too);
//! - credentials file: only bare `[NAME]`; anything with a prefix is ignored;
//! - names and keys must match `[A-Za-z0-9_\-/.%@:+]+`; sections and keys that do not are
//!   ignored (a bare `[default]` in the config file is never checked);
//! - in a file that has `[profile default]`, every `[default]` of that file is ignored;
//! - repeated sections merge key by key, the later value winning; the credentials file is
//!   merged after the config file, so its values win.
//!
//! Ignored sections and keys are kept in [`ConfigSet::ignored`] / [`ConfigSet::ignored_keys`]
//! for lint. Where the SDK's result depends on hash-map order (two spellings of one header
//! in one file, such as `[profile a]` and `[profile  a]`, both setting a key), file order
//! decides here: the later value wins.

use super::model::*;
use super::parse::{RawFile, RawProperty, RawSection, WHITESPACE};
use std::collections::BTreeMap;
use std::path::Path;

const DEFAULT: &str = "default";
const PROFILE_PREFIX: &str = "profile";
const SSO_SESSION_PREFIX: &str = "sso-session";

/// `[prefix suffix]` or `[suffix]`.
struct SectionPair<'a> {
    prefix: Option<&'a str>,
    suffix: &'a str,
}

impl<'a> SectionPair<'a> {
    fn parse(inner: &'a str) -> Self {
        let inner = inner.trim_matches(WHITESPACE);
        // The SDK trims the halves with `str::trim` (Unicode whitespace); kept as is.
        match inner.split_once(WHITESPACE) {
            Some((prefix, suffix)) => SectionPair {
                prefix: Some(prefix.trim()),
                suffix: suffix.trim(),
            },
            None => SectionPair {
                prefix: None,
                suffix: inner.trim(),
            },
        }
    }

    fn is_unprefixed_default(&self) -> bool {
        self.prefix.is_none() && self.suffix == DEFAULT
    }

    fn is_prefixed_default(&self) -> bool {
        self.prefix == Some(PROFILE_PREFIX) && self.suffix == DEFAULT
    }

    /// `Err((kind, reason))` when the SDK ignores this section in a file of `kind`.
    fn check(&self, file: FileKind) -> Result<(), (IgnoredKind, String)> {
        let name = self.suffix;
        match (file, self.prefix) {
            (FileKind::Config, Some(prefix)) if !is_identifier(name) => Err((
                IgnoredKind::InvalidName,
                format!(
                    "'{name}' in [{prefix} {name}] is not a valid name (allowed: A-Z a-z 0-9 _ - / . % @ : +)"
                ),
            )),
            (FileKind::Config, None) if !self.is_unprefixed_default() => Err((
                IgnoredKind::MissingProfilePrefix,
                format!(
                    "sections in the config file other than [default] need a prefix: did you mean [profile {name}]?"
                ),
            )),
            (FileKind::Credentials, Some(PROFILE_PREFIX)) => Err((
                IgnoredKind::ProfilePrefixInCredentials,
                format!("profiles in the credentials file are written [{name}], without 'profile'"),
            )),
            (FileKind::Credentials, Some(prefix)) => Err((
                IgnoredKind::ConfigOnlySection,
                format!("[{prefix} {name}] belongs in the config file, not the credentials file"),
            )),
            (FileKind::Credentials, None) if !is_identifier(name) => Err((
                IgnoredKind::InvalidName,
                format!("'{name}' is not a valid profile name (allowed: A-Z a-z 0-9 _ - / . % @ : +)"),
            )),
            _ => Ok(()),
        }
    }
}

/// `[A-Za-z0-9_\-/.%@:+]*`: the SDK accepts the empty string too (`[]` in credentials).
pub(crate) fn is_identifier(input: &str) -> bool {
    input
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// Merges one file's raw sections into `set`.
pub(crate) fn merge_file(set: &mut ConfigSet, path: &Path, kind: FileKind, raw: RawFile) {
    set.parse_issues.extend(raw.issues);
    let at = |line| Location {
        file: path.to_path_buf(),
        line,
    };
    let checked: Vec<_> = raw
        .sections
        .iter()
        .map(|section| {
            let pair = SectionPair::parse(&section.inner);
            let check = pair.check(kind);
            (section, pair, check)
        })
        .collect();
    let has_prefixed_default = checked
        .iter()
        .any(|(_, pair, check)| check.is_ok() && pair.is_prefixed_default());

    // Sub-properties of `[PREFIX NAME]` sections, as the SDK derives them: from the final
    // value of each key per identical header text (a repeated key replaces the whole block),
    // then merged key by key into the section.
    let mut nested: NestedGroups = Vec::new();
    for (section, pair, check) in &checked {
        let header = format!("[{}]", section.inner.trim_matches(WHITESPACE));
        let ignore = match check {
            Err((why, reason)) => Some((*why, reason.clone())),
            Ok(()) if has_prefixed_default && pair.is_unprefixed_default() => Some((
                IgnoredKind::ShadowedDefault,
                "[profile default] in the same file takes priority over [default]".to_string(),
            )),
            Ok(()) => None,
        };
        if let Some((kind, reason)) = ignore {
            set.ignored.push(IgnoredSection {
                header,
                location: at(section.line),
                kind,
                reason,
            });
            continue;
        }
        let name = pair.suffix.to_string();
        let properties = match pair.prefix {
            None | Some(PROFILE_PREFIX) => {
                let profile = set.profiles.entry(name.clone()).or_insert_with(|| Profile {
                    name,
                    location: at(section.line),
                    sections: Vec::new(),
                    properties: Default::default(),
                });
                profile.sections.push(at(section.line));
                &mut profile.properties
            }
            Some(prefix) => {
                let new_section = || Section {
                    kind: prefix.to_string(),
                    name: name.clone(),
                    location: at(section.line),
                    properties: Default::default(),
                    sub_properties: Default::default(),
                };
                let target = if prefix == SSO_SESSION_PREFIX {
                    set.sso_sessions.entry(name.clone()).or_insert_with(new_section)
                } else {
                    let key = (prefix.to_string(), name.clone());
                    let values = group(&mut nested, &section.inner, &key);
                    for property in &section.properties {
                        values.insert(&property.key, property);
                    }
                    set.other_sections.entry(key).or_insert_with(new_section)
                };
                &mut target.properties
            }
        };
        insert_properties(properties, &mut set.ignored_keys, section, &header, path);
    }
    merge_nested(set, nested, path);
}

/// Merges each `[PREFIX NAME]` section's sub-properties, derived per header text.
fn merge_nested(set: &mut ConfigSet, nested: NestedGroups, path: &Path) {
    for (_, key, properties) in nested {
        if let Some(target) = set.other_sections.get_mut(&key) {
            for property in properties.values().filter(|p| is_identifier(&p.key)) {
                merge_sub_properties(&mut target.sub_properties, path, property);
            }
        }
    }
}

/// Adds a section's properties to what its profile or section holds (a later value of a
/// key wins); a key that is not a valid name is set aside with the reason.
fn insert_properties(
    properties: &mut BTreeMap<String, Property>,
    ignored_keys: &mut Vec<IgnoredKey>,
    section: &RawSection,
    header: &str,
    path: &Path,
) {
    let at = |line| Location {
        file: path.to_path_buf(),
        line,
    };
    for property in &section.properties {
        if !is_identifier(&property.key) {
            ignored_keys.push(IgnoredKey {
                section: header.to_string(),
                key: property.key.clone(),
                location: at(property.line),
                reason: format!(
                    "'{}' is not a valid key name (allowed: A-Z a-z 0-9 _ - / . % @ : +)",
                    property.key
                ),
            });
            continue;
        }
        properties.insert(
            property.key.clone(),
            Property {
                value: property.value.clone(),
                location: at(property.line),
            },
        );
    }
}

/// Per header text, in order of first appearance: the section it feeds and each key's
/// last raw property.
type NestedGroups<'a> = Vec<(&'a str, (String, String), BTreeMap<&'a str, &'a RawProperty>)>;

fn group<'g, 'a>(
    groups: &'g mut NestedGroups<'a>,
    inner: &'a str,
    key: &(String, String),
) -> &'g mut BTreeMap<&'a str, &'a RawProperty> {
    let index = match groups.iter().position(|(i, _, _)| *i == inner) {
        Some(index) => index,
        None => {
            groups.push((inner, key.clone(), BTreeMap::new()));
            groups.len() - 1
        }
    };
    &mut groups[index].2
}

/// The SDK's `parse_sub_properties`: every non-empty `\n` segment with an `=` is a
/// sub-property (trimmed, key case kept); others are dropped.
fn merge_sub_properties(
    target: &mut BTreeMap<(String, String), Property>,
    path: &Path,
    property: &RawProperty,
) {
    for (segment, line) in property.value.split('\n').zip(&property.segment_lines) {
        let Some((key, value)) = segment.split_once('=') else {
            continue;
        };
        target.insert(
            (property.key.clone(), key.trim_matches(WHITESPACE).to_string()),
            Property {
                value: value.trim_matches(WHITESPACE).to_string(),
                location: Location {
                    file: path.to_path_buf(),
                    line: *line,
                },
            },
        );
    }
}
