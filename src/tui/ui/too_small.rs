//! The screen shown when the terminal is smaller than the app can draw in.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use super::{MIN_HEIGHT, MIN_WIDTH};
use crate::tui::theme::{Role, Theme};

/// Says how big the terminal must be, and how big it is.
pub fn render(theme: &Theme, area: Rect, buf: &mut Buffer) {
    let times = theme.text("×", "x");
    let lines = vec![
        Line::styled(
            format!("dropscope needs at least {MIN_WIDTH}{times}{MIN_HEIGHT}"),
            theme.style(Role::Bad),
        ),
        Line::raw(format!(
            "this terminal is {}{times}{}",
            area.width, area.height
        )),
        Line::styled("enlarge it, or press q to quit", theme.style(Role::Dim)),
    ];
    let y = area.y + area.height.saturating_sub(3) / 2;
    Paragraph::new(lines)
        .centered()
        .wrap(Wrap { trim: true })
        .render(
            Rect::new(area.x, y, area.width, area.height - (y - area.y)),
            buf,
        );
}
