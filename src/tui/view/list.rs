//! The profile list: lint marker, name, kind, region and a live status cell; optional
//! account group headers and the filter line.

use super::text::{clean, fit, truncate, width};
use super::theme::Theme;
use crate::resolve::outcome::{ErrorKind, Resolution};
use crate::tui::state::{Entry, RowStatus, State};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, ListState};

pub(crate) fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme, stacked: bool) {
    let shown = state.visible.len();
    let total = state.entries.len();
    let title = if shown == total {
        format!(" Profiles ({total}) ")
    } else {
        format!(" Profiles ({shown}/{total}) ")
    };
    let mut block = Block::new()
        .title(Line::styled(title, theme.title()))
        .border_set(theme.border());
    block = block.borders(if stacked { Borders::TOP } else { Borders::ALL });
    let mut inner = block.inner(area);
    frame.render_widget(block, area);

    if state.filter_editing || !state.filter.is_empty() {
        let cursor = if state.filter_editing { theme.cursor() } else { "" };
        let line = Line::from(vec![
            Span::styled("/", theme.key()),
            Span::raw(clean(&state.filter)),
            Span::raw(cursor),
        ]);
        frame.render_widget(line, Rect { height: 1, ..inner });
        inner.y += 1;
        inner.height = inner.height.saturating_sub(1);
    }
    if state.visible.is_empty() {
        let text = if total == 0 {
            "no profiles in the AWS config files"
        } else {
            "no profile matches the filter"
        };
        frame.render_widget(Line::styled(text, theme.dim()), inner);
        return;
    }

    let cols = Columns::new(
        state,
        usize::from(inner.width).saturating_sub(width(theme.highlight())),
    );
    let mut items = Vec::new();
    let mut selected_item = None;
    let mut top_item = 0;
    let mut last_group: Option<Option<&str>> = None;
    for (n, &i) in state.visible.iter().enumerate() {
        let entry = &state.entries[i];
        if n == state.list_top {
            top_item = items.len();
        }
        if state.group_by_account {
            let group = entry.account();
            if last_group != Some(group) {
                let label = group.map_or_else(|| "account unknown".to_string(), |a| state.names.label(a));
                items.push(ListItem::new(Line::styled(
                    format!("[{}]", clean(&label)),
                    theme.heading(),
                )));
                last_group = Some(group);
            }
        }
        if state.selected == Some(i) {
            selected_item = Some(items.len());
        }
        items.push(ListItem::new(row_line(state, entry, &cols, theme)));
    }
    let list = List::new(items)
        .highlight_symbol(Line::from(theme.highlight()))
        .highlight_style(theme.selected());
    // The offset comes from the state (so the list does not jump as the selection moves);
    // ratatui still moves it if the selection would be off screen (group headers).
    let mut list_state = ListState::default()
        .with_selected(selected_item)
        .with_offset(top_item);
    frame.render_stateful_widget(list, inner, &mut list_state);
}

/// Column widths for the available room: name and status first, then kind and region
/// when they fit.
struct Columns {
    name: usize,
    kind: Option<usize>,
    region: Option<usize>,
    status: usize,
}

/// The status cell never gets less than this.
const STATUS_MIN: usize = 16;
/// Kind and region are shown only if the status cell keeps this much, enough for
/// `✔ 123456789012 SomeRoleName`.
const STATUS_COMFORT: usize = 28;

impl Columns {
    fn new(state: &State, room: usize) -> Self {
        let longest = |f: &dyn Fn(&Entry) -> usize| state.entries.iter().map(f).max().unwrap_or(0);
        let marker = 2;
        let name = longest(&|e| width(&e.row.name)).clamp(4, 24);
        let name = name.min(room.saturating_sub(marker + 1 + STATUS_MIN).max(8));
        let mut used = marker + name + 1;
        let kind_w = longest(&|e| width(&e.row.kind)).min(12);
        let kind = (used + kind_w + 1 + STATUS_COMFORT <= room).then_some(kind_w);
        used += kind.map_or(0, |k| k + 1);
        let region_w = longest(&|e| e.row.region.as_deref().map_or(1, width)).min(14);
        let region = (used + region_w + 1 + STATUS_COMFORT <= room).then_some(region_w);
        used += region.map_or(0, |r| r + 1);
        Columns {
            name,
            kind,
            region,
            status: room.saturating_sub(used),
        }
    }
}

fn row_line<'a>(state: &State, entry: &Entry, cols: &Columns, theme: &Theme) -> Line<'a> {
    let e = theme.ellipsis();
    let lint = !entry.row.findings.is_empty() || entry.row.plan_error.is_some();
    let mut spans = vec![
        if lint {
            Span::styled(fit(theme.warn(), 2, ""), theme.warn_style())
        } else {
            Span::raw("  ")
        },
        Span::raw(fit(&clean(&entry.row.name), cols.name, e) + " "),
    ];
    if let Some(w) = cols.kind {
        spans.push(Span::styled(
            fit(&clean(&entry.row.kind), w, e) + " ",
            theme.dim(),
        ));
    }
    if let Some(w) = cols.region {
        let region = entry
            .row
            .region
            .as_deref()
            .map(clean)
            .unwrap_or_else(|| "-".into());
        spans.push(Span::styled(fit(&region, w, e) + " ", theme.dim()));
    }
    let (text, style) = status_cell(state, entry, theme);
    spans.push(Span::styled(truncate(&text, cols.status, e), style));
    Line::from(spans)
}

/// `✔ 222222222222 SwitchToRole`, `✖ AccessDenied`, `⚠ lint`, a spinner, …
pub(crate) fn status_cell(state: &State, entry: &Entry, theme: &Theme) -> (String, Style) {
    match entry.status() {
        RowStatus::Resolving => (
            format!("{} resolving", theme.spinner(state.spinner)),
            theme.busy_style(),
        ),
        RowStatus::Pending => (format!("{} not resolved", theme.pending()), theme.dim()),
        RowStatus::NeedsMfa => (format!("{} MFA: press r", theme.pending()), theme.warn_style()),
        RowStatus::Lint => (format!("{} lint", theme.warn()), theme.warn_style()),
        RowStatus::NeedsLogin => (format!("{} login: press l", theme.pending()), theme.warn_style()),
        RowStatus::Ok => {
            let r = entry.resolution.as_deref();
            let who = r.and_then(Resolution::identity).map(|i| {
                format!(
                    "{} {}",
                    clean(&state.names.label(&i.account)),
                    clean(crate::arn::principal_name(&i.arn))
                )
            });
            (
                format!("{} {}", theme.ok(), who.unwrap_or_default()),
                theme.ok_style(),
            )
        }
        RowStatus::Failed => {
            let why = entry
                .resolution
                .as_deref()
                .and_then(Resolution::failure)
                .map(|f| match (&f.error.code, f.error.kind) {
                    (Some(code), _) => clean(code),
                    (None, kind) => kind_label(kind).to_string(),
                })
                .unwrap_or_default();
            (
                format!("{} {}", theme.fail(), truncate(&why, 40, theme.ellipsis())),
                theme.fail_style(),
            )
        }
    }
}

pub(crate) fn kind_label(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Denied => "denied",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Network => "network error",
        ErrorKind::Throttled => "throttled",
        ErrorKind::Credentials => "bad credentials",
        ErrorKind::Config => "config error",
        ErrorKind::Other => "error",
    }
}
