//! The log panel (tui-logger): parameter changes, recomputations with their time, worker
//! events and errors. Full screen as a view, or a strip on the dashboard.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;
use tui_logger::{TuiLoggerLevelOutput, TuiLoggerWidget};

use crate::tui::app::App;
use crate::tui::theme::Role;

/// Draws the log into `area`.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    TuiLoggerWidget::default()
        .block(super::panel(theme, "Log".to_string(), None))
        .style_error(theme.style(Role::Bad))
        .style_warn(theme.style(Role::Warn))
        .style_info(theme.style(Role::Text))
        .style_debug(theme.style(Role::Dim))
        .style_trace(theme.style(Role::Dim))
        .output_separator(' ')
        .output_timestamp(Some("%H:%M:%S".to_string()))
        .output_level(Some(TuiLoggerLevelOutput::Abbreviated))
        .output_target(false)
        .output_file(false)
        .output_line(false)
        .render(area, buf);
}
