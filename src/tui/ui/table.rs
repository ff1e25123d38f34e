//! The table view: order m, coefficient a_m, moment M_m, term a_m·M_m, partial sum R_m and its
//! error against R, at full precision, scrollable; growing terms in the warning colour, the
//! best order k* highlighted.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::widgets::{Cell, Row, Table, Widget};

use crate::tui::app::App;
use crate::tui::format;
use crate::tui::theme::Role;

/// Columns of the order column.
const ORDER_WIDTH: u16 = 5;

/// Columns of each value column in a panel `width` wide with `columns` value columns: the full
/// ten digits where they fit, fewer digits (never a cut number) on narrow screens.
fn value_width(width: u16, columns: u16) -> u16 {
    let room = width.saturating_sub(2 + ORDER_WIDTH + columns) / columns;
    room.min(format::EXACT_WIDTH as u16)
}

/// Draws the view.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let Some(report) = super::report_or_note(app, "Table".to_string(), area, buf) else {
        return;
    };
    let n = report.partial_sums.len();
    let visible = area.height.saturating_sub(3) as usize;
    let first = app.scroll.min(n.saturating_sub(visible));
    let last = (first + visible).min(n);
    let exact = report
        .exact_penalty
        .filter(|_| value_width(area.width, 5) == format::EXACT_WIDTH as u16);
    let best = report.best_order.map(|b| b.order);
    let title = format!(
        "Table: order by order, rows {first}..{} of 0..{} (PgUp/PgDn/Home/End)",
        last.saturating_sub(1),
        n.saturating_sub(1)
    );
    let legend = super::plot::legend(
        theme,
        &[
            (
                Role::Bad,
                theme.text("■", "#"),
                "|term| growing".to_string(),
            ),
            (
                Role::Highlight,
                theme.text("■", "#"),
                "best order k*".to_string(),
            ),
        ],
    );
    let mut header = vec!["m", "a_m", "M_m", "a_m·M_m", "R_m"];
    if exact.is_some() {
        header.push("R_m − R");
    }
    let header = Row::new(header.into_iter().map(|h| {
        h.replace('·', theme.text("·", "*"))
            .replace('−', theme.text("−", "-"))
    }))
    .style(theme.style(Role::Title));
    let columns = if exact.is_some() { 5 } else { 4 };
    let cell_width = value_width(area.width, columns);
    let value = |v: Option<f64>| Cell::from(format::fit(v, cell_width as usize));
    let plus_minus = theme.text("±", "+-");
    let bounded = |v: Option<f64>, bound: Option<f64>| {
        Cell::from(format::bounded(v, bound, cell_width as usize, plus_minus))
    };
    let at = |series: &[Option<f64>], m: usize| series.get(m).copied().flatten();
    let rows = (first..last).map(|m| {
        let term = report.terms.get(m).copied().flatten();
        let previous = m
            .checked_sub(1)
            .and_then(|p| report.terms.get(p).copied().flatten());
        let growing = m >= 3
            && matches!((term, previous), (Some(t), Some(p)) if t != 0.0 && t.abs() > p.abs());
        let rm = report.partial_sums.get(m).copied().flatten();
        let mut cells = vec![
            Cell::from(m.to_string()),
            value(report.coefficients.get(m).copied().flatten()),
            bounded(at(&report.moments, m), at(&report.moment_errors, m)),
            bounded(term, at(&report.term_errors, m)).style(if growing {
                theme.style(Role::Bad)
            } else {
                Style::default()
            }),
            bounded(rm, at(&report.partial_sum_errors, m)),
        ];
        if exact.is_some() {
            let (excess, bound) = report.excess(m);
            cells.push(bounded(excess, bound));
        }
        let row = Row::new(cells);
        if Some(m) == best {
            row.style(theme.style(Role::Highlight))
        } else {
            row
        }
    });
    let widths = std::iter::once(Constraint::Length(ORDER_WIDTH)).chain(std::iter::repeat_n(
        Constraint::Length(cell_width),
        columns.into(),
    ));
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(super::panel(theme, title, Some(legend)))
        .render(area, buf);
}
