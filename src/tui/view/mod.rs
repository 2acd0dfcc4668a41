//! Pure rendering: `render(&State, &mut Frame)`. No I/O, no locks, no await; everything
//! drawn comes from the state (even the clock, for countdowns).

pub(crate) mod details;
pub mod layout;
pub(crate) mod list;
pub(crate) mod overlay;
pub(crate) mod text;
pub(crate) mod theme;

use super::keymap::HINTS;
use super::state::{Mode, State};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use text::clean;
use theme::Theme;

pub fn render(state: &State, frame: &mut Frame) {
    let theme = Theme::new(state.look);
    let areas = layout::areas(frame.area());
    list::render(state, frame, areas.list, &theme, areas.stacked);
    details::render(state, frame, areas.details, &theme, areas.stacked);
    footer(state, frame, areas.footer, &theme);
    overlay::render(state, frame, &theme);
    if state.look.ascii {
        fold_to_ascii(frame.buffer_mut());
    }
}

/// The ASCII look promises nothing but ASCII on screen (a C-locale terminal shows other
/// bytes as garbage), yet text from elsewhere — the doctor's prose, STS messages, profile
/// names — may hold any character. Folds whatever was drawn: common punctuation to its
/// ASCII look-alike, anything else to `?` (a wide character leaves a blank after it).
fn fold_to_ascii(buf: &mut Buffer) {
    let mut covered = 0;
    for cell in &mut buf.content {
        if covered > 0 {
            covered -= 1;
            cell.set_symbol(" ");
            continue;
        }
        let symbol = cell.symbol();
        if symbol.is_ascii() {
            continue;
        }
        covered = text::width(symbol).saturating_sub(1);
        let folded = match symbol.chars().next() {
            Some('—' | '–' | '‐' | '−' | '─' | '━') => "-",
            Some('…' | '·') => ".",
            Some('→' | '▶') => ">",
            Some('←') => "<",
            Some('‘' | '’' | '′') => "'",
            Some('“' | '”' | '″') => "\"",
            Some('•') => "*",
            Some('│' | '┃') => "|",
            _ => "?",
        };
        cell.set_symbol(folded);
    }
}

/// The status message if there is one, else the keys that matter in this mode.
fn footer(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    if let Some(status) = &state.status {
        let style = if status.error {
            theme.fail_style()
        } else {
            theme.ok_style()
        };
        frame.render_widget(Line::styled(clean(&status.text), style), area);
        return;
    }
    let hints: &[(&str, &str)] = match state.mode() {
        Mode::Normal => HINTS,
        Mode::Filter => &[("Enter", "keep filter"), ("Esc", "clear"), ("Up/Down", "move")],
        Mode::Help | Mode::Text => &[("j/k", "scroll"), ("Esc", "close")],
        Mode::CopyFormat => &[("Enter", "copy"), ("j/k", "choose"), ("Esc", "cancel")],
        Mode::Mfa => &[("0-9", "code"), ("Enter", "submit"), ("Esc", "cancel")],
        Mode::Login => &[("Esc", "cancel the login")],
    };
    let mut spans = Vec::new();
    let resolving = state.resolving_count();
    if resolving > 0 {
        spans.push(Span::styled(
            format!("{} {resolving} resolving", theme.spinner(state.spinner)),
            theme.busy_style(),
        ));
        spans.push(Span::raw(theme.separator()));
    }
    let mut used: usize = spans.iter().map(Span::width).sum();
    for (n, (key, what)) in hints.iter().enumerate() {
        let sep = if n == 0 { "" } else { " " };
        let w = sep.len() + text::width(key) + 1 + what.len();
        if used + w > usize::from(area.width) {
            break;
        }
        used += w;
        spans.push(Span::raw(sep));
        spans.push(Span::styled(*key, theme.key()));
        spans.push(Span::styled(format!(" {what}"), theme.dim()));
    }
    frame.render_widget(Line::from(spans), area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;

    #[test]
    fn folds_outside_text_to_ascii() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 1));
        buf.set_string(0, 0, "a — b 日x é…", ratatui::style::Style::default());
        fold_to_ascii(&mut buf);
        let line: String = buf.content.iter().map(|c| c.symbol()).collect();
        assert_eq!(line, "a - b ? x ?.");
    }
}
