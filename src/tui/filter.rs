//! Which profiles the list shows and in what order: the incremental fuzzy filter
//! (nucleo-matcher, smart case) and the by-account grouping.

use super::state::Entry;
use crate::sso::names::AccountNames;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

/// Indices of `entries` to show, in display order. Without a filter the order is the
/// entries' own (name order); with one, the best matches come first. Grouping by account
/// puts accounts in order first, profiles with no known account last.
pub(crate) fn visible(
    entries: &[Entry],
    names: &AccountNames,
    query: &str,
    group_by_account: bool,
) -> Vec<usize> {
    let query = query.trim();
    let mut shown: Vec<(usize, u32)> = if query.is_empty() {
        (0..entries.len()).map(|i| (i, 0)).collect()
    } else {
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let mut matcher = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| {
                let haystack = haystack(e, names);
                let score = pattern.score(Utf32Str::new(&haystack, &mut buf), &mut matcher)?;
                Some((i, score))
            })
            .collect()
    };
    shown.sort_by(|(a, sa), (b, sb)| {
        let group = |i: usize| {
            let account = entries[i].account();
            (account.is_none(), account.unwrap_or_default().to_string())
        };
        let by_group = if group_by_account {
            group(*a).cmp(&group(*b))
        } else {
            std::cmp::Ordering::Equal
        };
        by_group.then(sb.cmp(sa)).then(a.cmp(b))
    });
    shown.into_iter().map(|(i, _)| i).collect()
}

/// What the filter matches against: the name first, then the account (with its name) and
/// the kind, so that typing an account id, an account name or `sso` narrows too.
fn haystack(e: &Entry, names: &AccountNames) -> String {
    let mut s = e.row.name.clone();
    if let Some(account) = e.account_label(names) {
        s.push(' ');
        s.push_str(&account);
    }
    s.push(' ');
    s.push_str(&e.row.kind);
    s
}
