//! Windows drawn over the list: help, read-only text (identity JSON, doctor report), the
//! copy-format chooser and the masked MFA prompt.

use super::text::{clean, clean_lines};
use super::theme::Theme;
use crate::tui::keymap::BINDINGS;
use crate::tui::state::{Overlay, State};
use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

pub(crate) fn render(state: &State, frame: &mut Frame, theme: &Theme) {
    let Some(overlay) = &state.overlay else {
        return;
    };
    let screen = frame.area();
    match overlay {
        Overlay::Help { scroll } => help(frame, screen, *scroll, theme),
        Overlay::Text { title, body, scroll } => {
            let lines: Vec<Line> = clean_lines(body).into_iter().map(Line::from).collect();
            let area = centered(screen, 100, screen.height.saturating_sub(2));
            let title = format!(" {} (Esc closes) ", clean(title));
            text_window(frame, area, &title, lines, *scroll, theme);
        }
        Overlay::CopyFormat {
            profile,
            formats,
            selected,
        } => {
            let area = centered(screen, 40, formats.len() as u16 + 2);
            frame.render_widget(Clear, area);
            let block = window(&format!(" Copy {} as ", clean(profile)), theme);
            let items: Vec<ListItem> = formats.iter().map(|f| ListItem::new(f.name())).collect();
            let list = List::new(items)
                .block(block)
                .highlight_symbol(Line::from(theme.highlight()))
                .highlight_style(theme.selected());
            let mut list_state = ListState::default().with_selected(Some(*selected));
            frame.render_stateful_widget(list, area, &mut list_state);
        }
        Overlay::Mfa {
            profile,
            serial,
            code,
            error,
            ..
        } => {
            let lines = mfa_lines(profile, serial, code, error.as_deref(), theme);
            paragraph_window(frame, screen, 56, " MFA code ", lines, theme);
        }
        Overlay::Login { profile, shown } => {
            let lines = login_lines(state, profile, shown.as_ref(), theme);
            paragraph_window(frame, screen, 72, " IAM Identity Center login ", lines, theme);
        }
    }
}

/// The key bindings, as wide as the longest line.
fn help(frame: &mut Frame, screen: Rect, scroll: u16, theme: &Theme) {
    let key_w = BINDINGS.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let lines: Vec<Line> = BINDINGS
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!("{k:<key_w$}  "), theme.key()),
                Span::raw(*what),
            ])
        })
        .collect();
    let text_w = BINDINGS.iter().map(|(_, w)| w.len()).max().unwrap_or(0);
    let width = u16::try_from(key_w + 2 + text_w + 2).unwrap_or(u16::MAX);
    let area = centered(screen, width, lines.len() as u16 + 2);
    text_window(frame, area, " Keys (Esc closes) ", lines, scroll, theme);
}

/// The MFA prompt: profile, device, the code masked, the rule broken if any.
fn mfa_lines<'a>(
    profile: &str,
    serial: &str,
    code: &crate::tui::state::MaskedInput,
    error: Option<&str>,
    theme: &Theme,
) -> Vec<Line<'a>> {
    let masked = theme.mask().repeat(code.typed());
    let blanks = "_".repeat(6usize.saturating_sub(code.typed()));
    let mut lines = vec![
        Line::from(format!("Profile {}", clean(profile))),
        Line::from(format!("Device  {}", clean(serial))),
        Line::from(""),
        Line::from(vec![
            Span::styled("Code    ", theme.key()),
            Span::raw(masked),
            Span::styled(blanks, theme.dim()),
        ]),
    ];
    if let Some(e) = error {
        lines.push(Line::styled(e.to_string(), theme.fail_style()));
    }
    lines.push(Line::styled("Enter submits, Esc cancels", theme.dim()));
    lines
}

/// `lines` in a window `width` wide, as tall as they are, over the middle of the screen.
fn paragraph_window(
    frame: &mut Frame,
    screen: Rect,
    width: u16,
    title: &str,
    lines: Vec<Line>,
    theme: &Theme,
) {
    let area = centered(screen, width, lines.len() as u16 + 2);
    frame.render_widget(Clear, area);
    let paragraph = Paragraph::new(lines)
        .block(window(title, theme))
        .wrap(Wrap { trim: false });
    frame.render_widget(paragraph, area);
}

fn login_lines(
    state: &State,
    profile: &str,
    shown: Option<&crate::tui::effect::LoginShown>,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(format!("Profile {}", clean(profile))), Line::from("")];
    match shown {
        None => lines.push(Line::styled("Asking the portal for a code…", theme.dim())),
        Some(s) => {
            lines.push(Line::from("Open this URL and confirm the code:"));
            lines.push(Line::styled(clean(&s.url), theme.key()));
            lines.push(Line::from(vec![
                Span::styled("Code    ", theme.key()),
                Span::raw(clean(&s.code)),
            ]));
            lines.push(Line::from(format!(
                "Expires {}",
                crate::text::countdown(s.expires_at, state.now)
            )));
            lines.push(Line::styled(clean(&s.copied), theme.dim()));
            lines.push(Line::from(""));
            lines.push(Line::styled("Waiting for the approval…", theme.dim()));
        }
    }
    lines.push(Line::styled("Esc cancels", theme.dim()));
    lines
}

fn window<'a>(title: &str, theme: &Theme) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_set(theme.border())
        .title(Line::styled(title.to_string(), theme.title()))
}

fn text_window(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, scroll: u16, theme: &Theme) {
    frame.render_widget(Clear, area);
    let paragraph = Paragraph::new(lines)
        .block(window(title, theme))
        .wrap(Wrap { trim: false })
        .scroll((scroll, 0));
    frame.render_widget(paragraph, area);
}

/// A box of at most `width` x `height` in the middle of `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [row] = Layout::vertical([Constraint::Length(height.min(area.height))])
        .flex(Flex::Center)
        .areas(area);
    let [cell] = Layout::horizontal([Constraint::Length(width.min(area.width))])
        .flex(Flex::Center)
        .areas(row);
    cell
}
