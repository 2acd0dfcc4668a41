//! Symbols and styles for the two looks: Unicode with colours, or plain ASCII (a locale
//! without UTF-8, `--ascii`) and/or no colours (`NO_COLOR`). Every glyph the views draw
//! comes from here.

use super::super::state::Look;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

const BRAILLE: &[&str] = &["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const ASCII_SPIN: &[&str] = &["|", "/", "-", "\\"];

pub(crate) const ASCII_BORDER: border::Set = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

#[derive(Clone, Copy, Debug)]
pub(crate) struct Theme {
    look: Look,
}

impl Theme {
    pub(crate) fn new(look: Look) -> Self {
        Theme { look }
    }

    fn pick(&self, unicode: &'static str, ascii: &'static str) -> &'static str {
        if self.look.ascii { ascii } else { unicode }
    }

    pub(crate) fn ok(&self) -> &'static str {
        self.pick("✔", "OK")
    }
    pub(crate) fn fail(&self) -> &'static str {
        self.pick("✖", "X")
    }
    pub(crate) fn warn(&self) -> &'static str {
        self.pick("⚠", "!")
    }
    pub(crate) fn pending(&self) -> &'static str {
        self.pick("·", "-")
    }
    pub(crate) fn arrow(&self) -> &'static str {
        self.pick("→", "->")
    }
    pub(crate) fn ellipsis(&self) -> &'static str {
        self.pick("…", "...")
    }
    pub(crate) fn highlight(&self) -> &'static str {
        self.pick("▶ ", "> ")
    }
    pub(crate) fn separator(&self) -> &'static str {
        self.pick(" · ", " | ")
    }
    pub(crate) fn mask(&self) -> &'static str {
        self.pick("•", "*")
    }
    pub(crate) fn cursor(&self) -> &'static str {
        self.pick("▏", "_")
    }
    pub(crate) fn spinner(&self, frame: usize) -> &'static str {
        let frames = if self.look.ascii { ASCII_SPIN } else { BRAILLE };
        frames[frame % frames.len()]
    }
    pub(crate) fn border(&self) -> border::Set<'static> {
        if self.look.ascii {
            ASCII_BORDER
        } else {
            border::ROUNDED
        }
    }

    fn fg(&self, color: Color) -> Style {
        if self.look.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub(crate) fn ok_style(&self) -> Style {
        self.fg(Color::Green)
    }
    pub(crate) fn fail_style(&self) -> Style {
        self.fg(Color::Red)
    }
    pub(crate) fn warn_style(&self) -> Style {
        self.fg(Color::Yellow)
    }
    pub(crate) fn busy_style(&self) -> Style {
        self.fg(Color::Cyan)
    }
    pub(crate) fn dim(&self) -> Style {
        if self.look.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    pub(crate) fn heading(&self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }
    pub(crate) fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    pub(crate) fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub(crate) fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
}
