//! Where things go: list and details side by side from 72 columns, stacked below that
//! (down to 40x12), and the hint line at the bottom.

use ratatui::layout::{Constraint, Layout, Rect};

/// Narrower than this, the details stack under the list.
pub(crate) const SIDE_BY_SIDE_MIN_WIDTH: u16 = 72;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Areas {
    pub list: Rect,
    pub details: Rect,
    pub footer: Rect,
    /// Details under the list; panes then have only a top border, to save space.
    pub stacked: bool,
}

pub(crate) fn areas(area: Rect) -> Areas {
    let [main, footer] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(area);
    let stacked = area.width < SIDE_BY_SIDE_MIN_WIDTH;
    let [list, details] = if stacked {
        Layout::vertical([Constraint::Percentage(50), Constraint::Fill(1)]).areas(main)
    } else {
        let share = if area.width >= 120 { 50 } else { 60 };
        Layout::horizontal([Constraint::Percentage(share), Constraint::Fill(1)]).areas(main)
    };
    Areas {
        list,
        details,
        footer,
        stacked,
    }
}

/// Rows of profiles visible at once in a terminal of `size` (for paging).
pub fn list_rows(size: (u16, u16)) -> usize {
    let a = areas(Rect::new(0, 0, size.0, size.1));
    let borders = if a.stacked { 1 } else { 2 };
    usize::from(a.list.height.saturating_sub(borders))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::state::{Look, State};

    #[test]
    fn a_new_state_pages_as_an_80x24_terminal_shows() {
        let state = State::new(Vec::new(), Look::default(), std::time::SystemTime::UNIX_EPOCH);
        assert_eq!((state.size, state.list_rows), ((80, 24), list_rows((80, 24))));
    }
}
