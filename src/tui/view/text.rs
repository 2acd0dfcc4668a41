//! Text helpers for the views: make outside text safe for the terminal and fit it into
//! columns by display width.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// One line of outside text (a config value, an STS message) safe to draw: control
/// characters escaped, line breaks and tabs turned into spaces.
pub(crate) fn clean(text: &str) -> String {
    crate::text::line(text).into_string()
}

/// Multi-line outside text, as safe lines.
pub(crate) fn clean_lines(text: &str) -> Vec<String> {
    crate::text::lines(text)
        .as_str()
        .lines()
        .map(|l| l.replace('\t', "    "))
        .collect()
}

pub(crate) fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to `max` columns, ending in `ellipsis` when cut.
pub(crate) fn truncate(text: &str, max: usize, ellipsis: &str) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let room = max.saturating_sub(width(ellipsis));
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            break;
        }
        used += w;
        out.push(c);
    }
    if max >= width(ellipsis) {
        out.push_str(ellipsis);
    }
    out
}

/// `text` cut or padded with spaces to exactly `cols` columns.
pub(crate) fn fit(text: &str, cols: usize, ellipsis: &str) -> String {
    let mut out = truncate(text, cols, ellipsis);
    let w = width(&out);
    out.extend(std::iter::repeat_n(' ', cols.saturating_sub(w)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_by_display_width() {
        assert_eq!(fit("abc", 5, "…"), "abc  ");
        assert_eq!(fit("abcdef", 4, "…"), "abc…");
        assert_eq!(fit("abcdef", 4, "..."), "a...");
        assert_eq!(truncate("日本語", 4, "…"), "日…");
    }

    #[test]
    fn escapes_control_characters() {
        let s = clean("evil\u{1b}[2Jname\nnext");
        assert!(!s.contains('\u{1b}'), "{s}");
        assert!(!s.contains('\n'));
    }
}
