//! `rswitch sso sync`, the pure part: the profiles one `[sso-session]` offers, written as
//! one clearly marked block of `~/.aws/config`, and the new file text. Everything outside
//! the block stays byte for byte; the block is sorted, so a second run with the same
//! portal answer changes nothing and a new or removed account changes only its lines.

use std::collections::BTreeSet;

/// The default profile name: the account's name (its id when it has none) and the role.
pub(crate) const DEFAULT_TEMPLATE: &str = "{account_name}/{role_name}";

/// One role the portal offers in one account.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Assignment {
    pub account_name: Option<String>,
    pub account_id: String,
    pub role_name: String,
}

/// What goes into the block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Generated {
    pub profile: String,
    pub assignment: Assignment,
}

/// A profile that was not generated because the user already has one by that name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub profile: String,
    pub assignment: Assignment,
}

pub(crate) fn begin_marker(session: &str) -> String {
    format!("# >>> rswitch sso sync: sso-session {session} (generated; edits inside are replaced) >>>")
}

pub(crate) fn end_marker(session: &str) -> String {
    format!("# <<< rswitch sso sync: sso-session {session} <<<")
}

/// `template` with `{account_name}`, `{account_id}`, `{role_name}` and `{session}`
/// filled in, then made a valid profile name: every character outside
/// `[A-Za-z0-9_-/.%@:+]` (spaces, brackets, `#`, `=`…) becomes `-`, runs of `-` shrink to
/// one, and `-` is trimmed from both ends.
pub(crate) fn profile_name(template: &str, session: &str, a: &Assignment) -> String {
    let filled = template
        .replace(
            "{account_name}",
            a.account_name.as_deref().unwrap_or(&a.account_id),
        )
        .replace("{account_id}", &a.account_id)
        .replace("{role_name}", &a.role_name)
        .replace("{session}", session);
    let mut out = String::new();
    for c in filled.chars() {
        let ok = c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c);
        let c = if ok { c } else { '-' };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    out.trim_matches('-').to_string()
}

/// The profile names of `[profile NAME]` headers in `text` outside this session's block.
pub(crate) fn user_profiles(text: &str, session: &str) -> BTreeSet<String> {
    let (before, _, after) = split(text, session);
    [before, after]
        .iter()
        .flat_map(|part| part.lines())
        .filter_map(|line| {
            let inner = line.trim().strip_prefix('[')?.split(']').next()?;
            let mut words = inner.split_whitespace();
            match (words.next(), words.next()) {
                (Some("profile"), Some(name)) => Some(name.to_string()),
                (Some("default"), None) => Some("default".to_string()),
                _ => None,
            }
        })
        .collect()
}

/// Names every assignment, sorted by name; a name the user already uses outside the block
/// is skipped, a name two assignments would share gets the account id appended.
pub(crate) fn plan(
    assignments: &[Assignment],
    template: &str,
    session: &str,
    taken: &BTreeSet<String>,
) -> (Vec<Generated>, Vec<Skipped>) {
    let named: Vec<(String, &Assignment)> = assignments
        .iter()
        .map(|a| (profile_name(template, session, a), a))
        .collect();
    let mut generated = Vec::new();
    let mut skipped = Vec::new();
    let mut used = BTreeSet::new();
    for (name, a) in &named {
        let shared = named.iter().filter(|(n, _)| n == name).count() > 1;
        let name = if shared {
            format!("{name}-{}", a.account_id)
        } else {
            name.clone()
        };
        if taken.contains(&name) || !used.insert(name.clone()) || name.is_empty() {
            skipped.push(Skipped {
                profile: name,
                assignment: (*a).clone(),
            });
        } else {
            generated.push(Generated {
                profile: name,
                assignment: (*a).clone(),
            });
        }
    }
    generated.sort_by(|a, b| a.profile.cmp(&b.profile));
    (generated, skipped)
}

/// The block's text, markers included, ending in a newline.
pub(crate) fn render_block(session: &str, region: Option<&str>, profiles: &[Generated]) -> String {
    let mut out = begin_marker(session);
    out.push('\n');
    for g in profiles {
        let a = &g.assignment;
        out.push_str(&format!(
            "[profile {}]\nsso_session = {session}\nsso_account_id = {}\nsso_role_name = {}\n",
            g.profile, a.account_id, a.role_name
        ));
        if let Some(region) = region {
            out.push_str(&format!("region = {region}\n"));
        }
        out.push('\n');
    }
    out.push_str(&end_marker(session));
    out.push('\n');
    out
}

/// `text` with this session's block replaced by `block`, or `block` appended (after a
/// blank line) when there is none yet.
pub(crate) fn apply(text: &str, session: &str, block: &str) -> String {
    let (before, existing, after) = split(text, session);
    if existing.is_some() {
        return format!("{before}{block}{after}");
    }
    let mut out = text.to_string();
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(block);
    out
}

/// Splits `text` around this session's block: before, the block (markers included, with
/// its end marker's newline), after. Without a complete block, everything is `before`.
fn split<'a>(text: &'a str, session: &str) -> (&'a str, Option<&'a str>, &'a str) {
    let (begin, end) = (begin_marker(session), end_marker(session));
    let mut offset = 0;
    let mut start = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_end_matches(['\n', '\r']);
        if start.is_none() && trimmed == begin {
            start = Some(offset);
        } else if let Some(s) = start
            && trimmed == end
        {
            let stop = offset + line.len();
            return (&text[..s], Some(&text[s..stop]), &text[stop..]);
        }
        offset += line.len();
    }
    (text, None, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(name: Option<&str>, id: &str, role: &str) -> Assignment {
        Assignment {
            account_name: name.map(str::to_string),
            account_id: id.into(),
            role_name: role.into(),
        }
    }

    #[test]
    fn names_are_made_safe() {
        let x = a(Some("Payments [EU] #1"), "111111111111", "Admin Access");
        assert_eq!(
            profile_name(DEFAULT_TEMPLATE, "corp", &x),
            "Payments-EU-1/Admin-Access"
        );
        assert_eq!(
            profile_name("{session}-{account_id}.{role_name}", "corp", &x),
            "corp-111111111111.Admin-Access"
        );
        assert_eq!(
            profile_name(DEFAULT_TEMPLATE, "corp", &a(None, "222222222222", "ReadOnly")),
            "222222222222/ReadOnly"
        );
    }

    #[test]
    fn clashes_are_skipped_or_told_apart() {
        let list = [
            a(Some("dev"), "111111111111", "Admin"),
            a(Some("dev"), "222222222222", "Admin"),
            a(Some("prod"), "333333333333", "Admin"),
        ];
        let taken = BTreeSet::from(["prod/Admin".to_string()]);
        let (generated, skipped) = plan(&list, DEFAULT_TEMPLATE, "corp", &taken);
        let names: Vec<&str> = generated.iter().map(|g| g.profile.as_str()).collect();
        assert_eq!(names, ["dev/Admin-111111111111", "dev/Admin-222222222222"]);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].profile, "prod/Admin");
    }

    #[test]
    fn the_block_is_appended_once_then_replaced_in_place() {
        let user = "# mine\n[profile x]   ; odd\nregion=eu-west-1";
        let g = |name: &str, id: &str| Generated {
            profile: name.into(),
            assignment: a(Some(name), id, "R"),
        };
        let block = render_block("corp", Some("eu-west-1"), &[g("a", "1")]);
        let once = apply(user, "corp", &block);
        assert!(once.starts_with("# mine\n[profile x]   ; odd\nregion=eu-west-1\n\n# >>> rswitch sso sync"));
        assert_eq!(apply(&once, "corp", &block), once, "idempotent");
        let more = format!("{once}[profile after]\nregion = us-east-1\n");
        let block2 = render_block("corp", Some("eu-west-1"), &[g("a", "1"), g("b", "2")]);
        let twice = apply(&more, "corp", &block2);
        assert!(twice.ends_with("[profile after]\nregion = us-east-1\n"));
        assert!(twice.contains("[profile b]\nsso_session = corp\nsso_account_id = 2\n"));
        assert_eq!(
            user_profiles(&twice, "corp"),
            BTreeSet::from(["x".to_string(), "after".to_string()])
        );
        // Another session's block is left alone.
        let other = apply(&twice, "other", &render_block("other", None, &[g("c", "3")]));
        assert!(other.starts_with(&twice));
    }
}
