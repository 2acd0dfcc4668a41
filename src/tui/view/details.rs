//! The details pane of the selected profile: the chain hop by hop with each hop's result,
//! the caller identity, the expiry countdown, the full error text (wrapped, never cut)
//! and the lint findings with file:line.

use super::list::kind_label;
use super::text::{clean, clean_lines};
use super::theme::Theme;
use crate::creds::rfc3339;
use crate::resolve::outcome::{HopKind, HopOutcome, HopStatus, Resolution};
use crate::text::countdown;
use crate::tui::state::{Entry, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

pub(crate) fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme, stacked: bool) {
    let entry = state.selected_entry();
    let title = entry.map_or(" Details ".to_string(), |e| format!(" {} ", clean(&e.row.name)));
    let block = Block::new()
        .title(Line::styled(title, theme.title()))
        .border_set(theme.border())
        .borders(if stacked { Borders::TOP } else { Borders::ALL });
    let lines = entry.map(|e| lines(state, e, theme)).unwrap_or_default();
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((state.detail_scroll, 0));
    frame.render_widget(paragraph, area);
}

fn heading(text: &str, theme: &Theme) -> Line<'static> {
    Line::styled(text.to_string(), theme.heading())
}

fn field(name: &str, value: String, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{name:<8} "), theme.dim()),
        Span::raw(value),
    ])
}

pub(crate) fn lines(state: &State, entry: &Entry, theme: &Theme) -> Vec<Line<'static>> {
    let row = &entry.row;
    let mut out = Vec::new();
    let region = row.region.as_deref().map(clean).unwrap_or_else(|| "-".into());
    out.push(field("Kind", clean(&row.kind), theme));
    out.push(field("Region", region, theme));
    if let Some(serial) = &row.mfa_serial {
        out.push(field("MFA", clean(serial), theme));
    }

    out.push(heading("Chain", theme));
    match entry.resolution.as_deref() {
        Some(r) if !r.hops.is_empty() => {
            for (n, hop) in r.hops.iter().enumerate() {
                out.extend(hop_lines(n, hop, theme));
            }
        }
        _ => {
            let busy = entry.in_flight.is_some();
            for (n, hop) in row.chain.iter().enumerate() {
                let mark = if busy {
                    theme.spinner(state.spinner)
                } else {
                    theme.pending()
                };
                let style = if busy { theme.busy_style() } else { theme.dim() };
                let mut spans = vec![Span::styled(format!("{mark} "), style)];
                if n > 0 {
                    spans.push(Span::raw(format!("{} ", theme.arrow())));
                }
                spans.push(Span::raw(clean(&hop.profile)));
                if hop.label != hop.profile {
                    spans.push(Span::styled(format!(" ({})", clean(&hop.label)), theme.dim()));
                }
                out.push(Line::from(spans));
            }
        }
    }

    if let Some(r) = entry.resolution.as_deref() {
        outcome_lines(state, r, entry.verdict.as_deref(), theme, &mut out);
    }
    if let Some(e) = &row.plan_error {
        out.push(heading("Configuration error", theme));
        out.extend(
            clean_lines(e)
                .into_iter()
                .map(|l| Line::styled(l, theme.fail_style())),
        );
    }
    if !row.findings.is_empty() {
        out.push(heading("Lint", theme));
        for f in &row.findings {
            out.push(Line::from(vec![
                Span::styled(format!("{} ", theme.warn()), theme.warn_style()),
                Span::raw(clean(&f.line())),
            ]));
        }
    }
    out
}

fn hop_lines(n: usize, hop: &HopOutcome, theme: &Theme) -> Vec<Line<'static>> {
    let (mark, style) = match hop.status {
        HopStatus::Ok => (theme.ok(), theme.ok_style()),
        HopStatus::Failed => (theme.fail(), theme.fail_style()),
        HopStatus::Skipped => (theme.pending(), theme.dim()),
    };
    let mut spans = vec![Span::styled(format!("{mark} "), style)];
    if n > 0 {
        spans.push(Span::raw(format!("{} ", theme.arrow())));
    }
    spans.push(Span::raw(clean(&hop.profile)));
    let mut notes = Vec::new();
    match hop.kind {
        HopKind::Base => notes.push(hop.source.unwrap_or("base").to_string()),
        HopKind::AssumeRole => {
            // The role's name, when the profile is not simply named after it.
            let role = hop.role_arn.as_deref().map(crate::arn::name_of);
            if let Some(role) = role.filter(|r| *r != hop.profile) {
                notes.push(format!("role {}", clean(role)));
            }
        }
    }
    if hop.cached {
        notes.push("cached".to_string());
    }
    if !notes.is_empty() {
        spans.push(Span::styled(format!(" ({})", notes.join(", ")), theme.dim()));
    }
    if let Some(identity) = &hop.identity {
        spans.push(Span::raw(format!(" {}", clean(&identity.account))));
    }
    if hop.status == HopStatus::Skipped {
        spans.push(Span::styled(" skipped", theme.dim()));
    }
    let mut out = vec![Line::from(spans)];
    if let Some(e) = &hop.error {
        let label = format!("  {}: ", kind_label(e.kind));
        let mut text = clean_lines(&e.summary()).into_iter();
        let first = text.next().unwrap_or_default();
        out.push(Line::from(vec![
            Span::styled(label, theme.fail_style()),
            Span::styled(first, theme.fail_style()),
        ]));
        out.extend(text.map(|l| Line::styled(l, theme.fail_style())));
        if let Some(caller) = &e.caller_arn {
            out.push(Line::styled(
                format!("  called as {}", clean(caller)),
                theme.dim(),
            ));
        }
    }
    out
}

/// What `s` starts for these credentials: a shell that renews itself, and when.
fn shell_note(expiration: Option<std::time::SystemTime>, now: std::time::SystemTime) -> String {
    match expiration {
        Some(t) => {
            let at = crate::serve::renew::renew_at(now, t);
            let when = if at <= now {
                "at once".to_string()
            } else {
                format!("{} ({})", countdown(at, now), rfc3339(at))
            };
            format!("renews itself (s): next renewal {when}")
        }
        None => "gets the keys (s); they do not expire".to_string(),
    }
}

fn outcome_lines(
    state: &State,
    r: &Resolution,
    entry_verdict: Option<&str>,
    theme: &Theme,
    out: &mut Vec<Line<'static>>,
) {
    match &r.outcome {
        Ok(resolved) => {
            out.push(heading("Identity", theme));
            out.push(field(
                "Account",
                clean(&state.names.label(&resolved.identity.account)),
                theme,
            ));
            out.push(field("Arn", clean(&resolved.identity.arn), theme));
            out.push(field("UserId", clean(&resolved.identity.user_id), theme));
            let expires = match resolved.expiration {
                Some(t) => {
                    let left = countdown(t, state.now);
                    let style = if left == "expired" {
                        theme.fail_style()
                    } else {
                        Style::new()
                    };
                    Line::from(vec![
                        Span::styled(format!("{:<8} ", "Expires"), theme.dim()),
                        Span::styled(left, style),
                        Span::styled(format!(" ({})", rfc3339(t)), theme.dim()),
                    ])
                }
                None => field("Expires", "never (long-term keys)".into(), theme),
            };
            out.push(expires);
            out.push(field("Shell", shell_note(resolved.expiration, state.now), theme));
        }
        Err(failure) => {
            if let Some(verdict) = entry_verdict {
                out.push(heading("Diagnosis (d: full report)", theme));
                out.extend(clean_lines(verdict).into_iter().map(Line::raw));
            }
            // A failure outside any hop (planning) is not in the hop list: show it here.
            if failure.hop.is_none() || r.hops.iter().all(|h| h.error.is_none()) {
                out.push(heading("Error", theme));
                out.extend(
                    clean_lines(&failure.error.summary())
                        .into_iter()
                        .map(|l| Line::styled(l, theme.fail_style())),
                );
            }
        }
    }
}
