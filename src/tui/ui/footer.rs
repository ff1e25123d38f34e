//! The footer: key hints from the key table (for the scope on screen: exploring, the tour or
//! the snapshot browser), or the `:` command line with its inline error, or the note prompt of
//! `s`, or a one-line note.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::tui::app::{App, Mode, NextRun};
use crate::tui::keys::{self, Scope};
use crate::tui::theme::Role;

/// The most rows a footer message wraps to.
const MESSAGE_ROWS: usize = 3;

/// Rows the footer needs on the last screen drawn: the message wrapped to the width (at most
/// three rows), plus the command line while it is open.
pub fn height(app: &App) -> u16 {
    let width = app.screen.get().width.max(1) as usize;
    let message = app.message.as_ref().map_or(0, |m| {
        (m.text.chars().count() + 2)
            .div_ceil(width)
            .min(MESSAGE_ROWS)
    });
    let line = match app.mode {
        Mode::Command(_) | Mode::Note(_) => 1,
        Mode::Normal => 0,
    };
    (message + line).max(1) as u16
}

/// Draws the footer.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let mut lines = Vec::new();
    if let Some(m) = &app.message {
        let role = if m.error { Role::Bad } else { Role::Warn };
        let mark = if m.error {
            theme.text("✗ ", "! ")
        } else {
            ""
        };
        lines.push(Line::styled(format!("{mark}{}", m.text), theme.style(role)));
    }
    match &app.mode {
        Mode::Command(input) => {
            lines.push(Line::from(vec![
                Span::styled(":", theme.style(Role::Value)),
                Span::raw(input.clone()),
                Span::styled(theme.text("█", "_"), theme.style(Role::Value)),
                Span::styled("   Enter applies, Esc cancels", theme.style(Role::Dim)),
            ]));
        }
        Mode::Note(input) => {
            lines.push(Line::from(vec![
                Span::styled("note (optional): ", theme.style(Role::Value)),
                Span::raw(input.clone()),
                Span::styled(theme.text("█", "_"), theme.style(Role::Value)),
                Span::styled("   Enter saves, Esc cancels", theme.style(Role::Dim)),
            ]));
        }
        Mode::Normal if lines.is_empty() => lines.push(hints(app, area.width)),
        Mode::Normal => {}
    }
    Paragraph::new(lines)
        .wrap(ratatui::widgets::Wrap { trim: false })
        .render(area, buf);
}

/// Key hints that fit the width, in table order; the help entry always shows (the entries
/// before it give way first).
fn hints(app: &App, width: u16) -> Line<'static> {
    let theme = &app.theme;
    let train = match app.data.training.next(app.params.delta) {
        NextRun::Stop => "stop training",
        NextRun::Continue(_) => "continue training",
        NextRun::Restart if app.data.training.points.is_empty() => "train",
        NextRun::Restart => "restart training",
    };
    let mut entries: Vec<(&str, &str)> = keys::footer(theme.ascii, app.scope())
        .into_iter()
        .map(|(key, text)| (key, if text == "train" { train } else { text }))
        .collect();
    let no_data = app.data.model.is_none() && app.data.softmax.is_none();
    if app.scope() == Scope::Data && no_data {
        // Without a data set only the explorer's own keys do anything.
        let explore = keys::footer(theme.ascii, Scope::Explore);
        entries.retain(|entry| explore.contains(entry));
    }
    if app.data.softmax.is_some() {
        // The fits' comparison is of logistic models.
        entries.retain(|(_, text)| *text != "compare");
    }
    if app.softmax_selected {
        // xβ, the profile, the noise and the paper's moments belong to the binary models.
        entries.retain(|(_, text)| !["xβ", "xb", "weights", "noise", "paper"].contains(text));
    }
    let cost = |(key, text): &(&str, &str)| key.chars().count() + text.chars().count() + 3;
    let help = entries.iter().find(|(_, text)| *text == "help");
    let mut room = (width as usize).saturating_sub(help.map_or(0, cost));
    let mut full = false;
    let mut shown = Vec::new();
    for entry in &entries {
        if Some(entry) == help {
            shown.push(entry);
        } else if full || cost(entry) > room {
            full = true;
        } else {
            room -= cost(entry);
            shown.push(entry);
        }
    }
    let mut spans = Vec::new();
    for (key, text) in shown {
        spans.push(Span::styled(key.to_string(), theme.style(Role::Value)));
        spans.push(Span::styled(format!(" {text}  "), theme.style(Role::Dim)));
    }
    Line::from(spans)
}
