//! The `?` overlay: every key of the key table that applies on screen and, while exploring,
//! every `:` command; in two columns where they fit side by side, else one after the other,
//! wrapped to the screen and scrolled with ↑↓ PgUp PgDn Home End.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use crate::tui::app::App;
use crate::tui::command::COMMANDS;
use crate::tui::keys;
use crate::tui::theme::{Role, Theme};

/// Draws the overlay centred over `area`, from line `app.help_scroll` on.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let lines = lines(app, area.width.saturating_sub(2));
    let width = lines
        .iter()
        .map(Line::width)
        .max()
        .unwrap_or(0)
        .min(area.width.saturating_sub(2) as usize) as u16
        + 2;
    let height = (lines.len() as u16 + 2).min(area.height);
    let visible = height.saturating_sub(2) as usize;
    let first = first_line(app.help_scroll, lines.len(), visible);
    let popup = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    };
    Clear.render(popup, buf);
    let title = if lines.len() > visible {
        format!(
            "Help: Esc closes, {} scroll, lines {}-{} of {}",
            theme.text("↑↓", "up/down"),
            first + 1,
            first + visible,
            lines.len(),
        )
    } else {
        "Help: Esc closes".to_string()
    };
    let block = super::panel(theme, title, None);
    let inner = block.inner(popup);
    block.render(popup, buf);
    Paragraph::new(lines[first..(first + visible).min(lines.len())].to_vec()).render(inner, buf);
}

/// The first line shown for a wanted scroll position: never past the last full page.
fn first_line(scroll: usize, lines: usize, visible: usize) -> usize {
    scroll.min(lines.saturating_sub(visible))
}

/// The largest useful scroll position of the overlay on a screen of this size.
pub fn last_scroll(app: &App, screen: Rect) -> usize {
    let lines = lines(app, screen.width.saturating_sub(2)).len();
    lines.saturating_sub(screen.height.saturating_sub(2) as usize)
}

/// Every line of the overlay for a popup `width` columns wide inside its border.
fn lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let scope = app.scope();
    let keys = entries(
        theme,
        keys::help_rows(theme.ascii, scope)
            .into_iter()
            .map(|(k, t)| (k, t.to_string()))
            .collect(),
    );
    let commands = if scope == keys::Scope::Explore {
        let mut c = vec![Line::styled(
            "Commands: type :, then Enter",
            theme.style(Role::Title),
        )];
        c.extend(entries(
            theme,
            COMMANDS
                .iter()
                .map(|(c, t)| (c.to_string(), t.to_string()))
                .collect(),
        ));
        c
    } else {
        Vec::new()
    };
    let width = width as usize;
    let left = keys.iter().map(Line::width).max().unwrap_or(0) + 2;
    let right = commands.iter().map(Line::width).max().unwrap_or(0);
    if left + right <= width {
        side_by_side(keys, commands, left)
    } else {
        let mut all = wrap_all(keys, width);
        if !commands.is_empty() {
            all.push(Line::raw(""));
            all.extend(wrap_all(commands, width));
        }
        all
    }
}

/// `(name, text)` rows as lines with the names in one padded column.
fn entries(theme: &Theme, rows: Vec<(String, String)>) -> Vec<Line<'static>> {
    let name_width = rows
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    rows.into_iter()
        .map(|(k, text)| {
            Line::from(vec![
                Span::styled(format!("{k:<name_width$}  "), theme.style(Role::Value)),
                Span::raw(ascii_text(theme.ascii, &text)),
            ])
        })
        .collect()
}

/// Two columns, the right one starting `left` columns in.
fn side_by_side(
    keys: Vec<Line<'static>>,
    commands: Vec<Line<'static>>,
    left: usize,
) -> Vec<Line<'static>> {
    let rows = keys.len().max(commands.len());
    let mut keys = keys.into_iter();
    let mut commands = commands.into_iter();
    (0..rows)
        .map(|_| {
            let mut spans = Vec::new();
            let key = keys.next().unwrap_or_default();
            let pad = left - key.width();
            spans.extend(key.spans);
            spans.push(Span::raw(" ".repeat(pad)));
            spans.extend(commands.next().unwrap_or_default().spans);
            Line::from(spans)
        })
        .collect()
}

/// Lines wider than `width` broken at spaces, continuations indented by two.
fn wrap_all(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        let style = line.spans.first().map(|s| s.style).unwrap_or_default();
        let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
        let mut current = String::new();
        for word in text.split(' ') {
            let used = current.chars().count();
            if used > 0 && used + 1 + word.chars().count() > width {
                out.push(Line::styled(std::mem::take(&mut current), style));
                current.push_str("  ");
            } else if used > 0 {
                current.push(' ');
            }
            current.push_str(word);
        }
        out.push(Line::styled(current, style));
    }
    out
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
