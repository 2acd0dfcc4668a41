//! Pure rendering: `render(&State, &mut Frame)`. No I/O, no locks, no await; everything
//! drawn comes from the state (even the clock, for countdowns).

pub mod details;
pub mod layout;
pub mod list;
pub mod overlay;
pub mod text;
pub mod theme;

use super::keymap::HINTS;
use super::state::{Mode, State};
use ratatui::Frame;
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
        Mode::Export => &[("Enter", "export"), ("j/k", "choose"), ("Esc", "cancel")],
        Mode::Mfa => &[("0-9", "code"), ("Enter", "submit"), ("Esc", "cancel")],
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
