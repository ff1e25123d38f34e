//! The `?` overlay: every key of the key table that applies on screen and, while exploring,
//! every `:` command, in two columns that fit 80×24.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use crate::tui::app::App;
use crate::tui::command::COMMANDS;
use crate::tui::keys;
use crate::tui::theme::Role;

/// Width from which commands are listed with their descriptions.
const WIDE: u16 = 120;

/// Draws the overlay centred over `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let scope = app.scope();
    let rows = keys::help_rows(theme.ascii, scope);
    let key_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    let key_lines: Vec<Line> = rows
        .iter()
        .map(|(k, text)| {
            Line::from(vec![
                Span::styled(format!("{k:<key_width$}  "), theme.style(Role::Value)),
                Span::raw(ascii_text(theme.ascii, text)),
            ])
        })
        .collect();
    let wide = area.width >= WIDE;
    let syntax_width = COMMANDS.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    let mut command_lines = Vec::new();
    if scope == keys::Scope::Explore {
        command_lines.push(Line::styled(
            "Commands: type :, then Enter",
            theme.style(Role::Title),
        ));
    }
    let commands = if scope == keys::Scope::Explore {
        COMMANDS
    } else {
        &[]
    };
    command_lines.extend(commands.iter().map(|(c, text)| {
        let mut spans = vec![Span::styled(
            format!("{c:<syntax_width$}  "),
            theme.style(Role::Value),
        )];
        if wide {
            spans.push(Span::raw(ascii_text(theme.ascii, text)));
        }
        Line::from(spans)
    }));
    let left_width = key_lines.iter().map(Line::width).max().unwrap_or(0) as u16 + 2;
    let right_width = command_lines.iter().map(Line::width).max().unwrap_or(0) as u16;
    let width = (left_width + right_width + 2).min(area.width);
    let height = (key_lines.len().max(command_lines.len()) as u16 + 2).min(area.height);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(popup, buf);
    let block = super::panel(theme, "Help: any key closes".to_string(), None);
    let inner = block.inner(popup);
    block.render(popup, buf);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_width), Constraint::Fill(1)]).areas(inner);
    Paragraph::new(key_lines).render(left, buf);
    Paragraph::new(command_lines).render(right, buf);
}

/// Greek letters spelt out in ASCII mode.
fn ascii_text(ascii: bool, text: &str) -> String {
    if ascii {
        text.replace("xβ", "xb")
            .replace('δ', "delta")
            .replace('σ', "sigma")
            .replace('−', "-")
    } else {
        text.to_string()
    }
}
