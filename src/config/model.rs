//! The parsed, merged view of the AWS config and credentials files.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

/// Which of the two AWS files a section came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FileKind {
    Config,
    Credentials,
}

/// A place in a file: `path:line` (1-based).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// One `key = value` after merging; `location` is where the winning value was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Property {
    pub value: String,
    pub location: Location,
}

/// A profile after merging `[profile NAME]`/`[default]` from the config file with `[NAME]`
/// from the credentials file (credentials-file values win, as in the AWS CLI and SDKs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// Where the profile's section header first appears (config file first).
    pub location: Location,
    /// Every section header that contributed to this profile.
    pub sections: Vec<Location>,
    /// Keys are lower-case, as the SDK normalises them.
    pub properties: BTreeMap<String, Property>,
}

impl Profile {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(|p| p.value.as_str())
    }

    pub(crate) fn property(&self, key: &str) -> Option<&Property> {
        self.properties.get(key)
    }

    /// Where `key` was set, or the profile header when it was not.
    pub fn location_of(&self, key: &str) -> &Location {
        self.properties
            .get(key)
            .map(|p| &p.location)
            .unwrap_or(&self.location)
    }
}

/// A non-profile section such as `[sso-session NAME]` or `[services NAME]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    pub kind: String,
    pub name: String,
    /// Where the section's header first appears.
    pub location: Location,
    /// Keys are lower-case; a nested block (`sts =` + indented lines) is kept as the raw
    /// value `\nendpoint_url = …`.
    pub properties: BTreeMap<String, Property>,
    /// For sections other than `[sso-session]`: every `group.key` sub-property, merged as
    /// the SDK merges them (a later `key` in the same group wins, even across repeated
    /// sections). Keys are `(group, key)`; the group is lower-case, the key as written.
    pub sub_properties: BTreeMap<(String, String), Property>,
}

impl Section {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(|p| p.value.as_str())
    }

    /// A nested setting such as `[services NAME]` / `sts =` / `endpoint_url = …`, looked up
    /// exactly as the SDK does (group lower-case, key case-sensitive).
    pub fn sub_property(&self, group: &str, key: &str) -> Option<&Property> {
        self.sub_properties.get(&(group.to_string(), key.to_string()))
    }
}

/// A key the SDK ignores because its name is not a valid identifier (`in valid = x`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IgnoredKey {
    /// The section header as written, e.g. `[profile dev]`.
    pub section: String,
    pub key: String,
    pub location: Location,
    pub reason: String,
}

/// A section the AWS CLI/SDK ignores (e.g. a bare `[NAME]` in the config file), kept so
/// that lint can say so instead of dropping it silently.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IgnoredSection {
    pub header: String,
    pub location: Location,
    pub kind: IgnoredKind,
    pub reason: String,
}

/// Why a section was ignored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IgnoredKind {
    /// A bare `[NAME]` (not `[default]`) in the config file: needs `[profile NAME]`.
    MissingProfilePrefix,
    /// `[profile NAME]` in the credentials file, which takes bare `[NAME]`.
    ProfilePrefixInCredentials,
    /// Any other `[PREFIX NAME]` in the credentials file (e.g. `[sso-session x]`).
    ConfigOnlySection,
    /// The name is not an identifier (`[A-Za-z0-9_\-/.%@:+]+`), e.g. `[profile a b]`.
    InvalidName,
    /// `[default]` in a file that also has `[profile default]`, which wins.
    ShadowedDefault,
}

/// A line the parser could not read. The SDK rejects the whole file on such a line;
/// rswitch reports it and keeps reading so that one broken line never hides the others.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParseIssue {
    pub location: Location,
    pub message: String,
}

/// Everything read from the two files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConfigSet {
    pub profiles: BTreeMap<String, Profile>,
    /// `[sso-session NAME]`, keyed by name.
    pub sso_sessions: BTreeMap<String, Section>,
    /// `[services NAME]` and other prefixed sections, keyed by `(kind, name)`.
    pub other_sections: BTreeMap<(String, String), Section>,
    pub ignored: Vec<IgnoredSection>,
    pub ignored_keys: Vec<IgnoredKey>,
    pub parse_issues: Vec<ParseIssue>,
    /// The files that were looked for, whether or not they exist.
    pub config_file: PathBuf,
    pub credentials_file: PathBuf,
}

impl ConfigSet {
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }
}
