//! The Theorem 1 view: the triangle T(n, j) = j!·S2(n, j) (OEIS A019538) and σ^(n)(xβ) by
//! Theorem 1's alternating sum in f64 beside the stable recurrence, with their relative
//! disagreement per n: the theorem holds, and its f64 evaluation falls apart at high order.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

use crate::engine::theorem1::MAX_ROWS;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::theme::Role;

/// Width of the σ^(n) table: n, two values, the error, spacing and borders.
const TABLE_WIDTH: u16 = 4 + 2 * format::EXACT_WIDTH as u16 + 10 + 3 + 2;

/// Draws the view.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let Some(report) = super::report_or_note(app, "Theorem 1".to_string(), area, buf) else {
        return;
    };
    let sigma = theme.text("σ", "s");
    let formula = if theme.ascii {
        [
            "s^(n) = s'*sum_j (-1)^(j-1) s^(j-1) T(n,j),",
            "T(n,j) = j! S2(n,j)",
            "(OEIS A019538)",
        ]
    } else {
        [
            "σ^(n) = σ′·Σ_j (−1)^(j−1) σ^(j−1) T(n,j),",
            "T(n,j) = j!·S2(n,j)",
            "(OEIS A019538)",
        ]
    };
    let [top, body] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    // The formula's parts whole on the one row, from the left; a part that does not fit is
    // left out with those after it, never cut.
    let mut line = vec![Span::raw(" ")];
    let mut used = 1;
    for part in formula {
        let w = part.chars().count() + if used > 1 { 2 } else { 0 };
        if used + w > top.width as usize {
            break;
        }
        if used > 1 {
            line.push(Span::raw("  "));
        }
        line.push(Span::styled(part, theme.style(Role::Dim)));
        used += w;
    }
    Paragraph::new(Line::from(line)).render(top, buf);
    let [left, right] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(TABLE_WIDTH)]).areas(body);

    let rows = &report.theorem1;
    let visible = right.height.saturating_sub(3) as usize;
    let first = app.scroll.min(rows.len().saturating_sub(visible));
    let last = (first + visible).min(rows.len());

    let triangle_block = super::panel(theme, "T(n, j), j = 1..n".to_string(), None);
    let inner = triangle_block.inner(left);
    triangle_block.render(left, buf);
    let width = inner.width as usize;
    let lines: Vec<Line> = rows[first..last]
        .iter()
        .map(|row| {
            let text = match &row.triangle {
                Some(t) => t.iter().map(u128::to_string).collect::<Vec<_>>().join(" "),
                None => "beyond u128".to_string(),
            };
            let text = format!("{:>3}: {text}", row.n);
            let text = if text.chars().count() > width {
                let cut: String = text.chars().take(width.saturating_sub(1)).collect();
                format!("{cut}{}", theme.text("…", "~"))
            } else {
                text
            };
            Line::raw(text)
        })
        .collect();
    Paragraph::new(lines).render(
        Rect {
            y: inner.y + 1,
            height: inner.height.saturating_sub(1),
            ..inner
        },
        buf,
    );

    let header = Row::new([
        "n".to_string(),
        format!("{sigma}^(n) stable"),
        format!("{sigma}^(n) Thm 1"),
        "rel. error".to_string(),
    ])
    .style(theme.style(Role::Title));
    let table_rows = rows[first..last].iter().map(|row| {
        let role = match row.relative_error {
            Some(e) if e < 1e-12 => Role::Good,
            Some(e) if e < 1e-6 => Role::Warn,
            _ => Role::Bad,
        };
        Row::new([
            Cell::from(row.n.to_string()),
            Cell::from(format::exact(row.stable)),
            Cell::from(format::exact(row.theorem1)),
            Cell::from(format::opt(row.relative_error, 3)).style(theme.style(role)),
        ])
    });
    let legend = super::plot::legend(
        theme,
        &[
            (Role::Good, theme.text("■", "#"), "< 1e-12".to_string()),
            (Role::Warn, theme.text("■", "#"), "< 1e-6".to_string()),
            (Role::Bad, theme.text("■", "#"), "digits lost".to_string()),
        ],
    );
    Table::new(
        table_rows,
        [
            Constraint::Length(4),
            Constraint::Length(format::EXACT_WIDTH as u16),
            Constraint::Length(format::EXACT_WIDTH as u16),
            Constraint::Length(10),
        ],
    )
    .header(header)
    .style(Style::default())
    .block(super::panel(
        theme,
        if report.params.order > MAX_ROWS {
            // Rows stop where T(n, n) = n! leaves f64; the title says so in place of (xβ).
            format!(
                "{sigma}^(n) two ways, n = {}..{} of {MAX_ROWS} ({}! > f64)",
                rows.get(first).map_or(0, |r| r.n),
                rows.get(last.saturating_sub(1)).map_or(0, |r| r.n),
                MAX_ROWS + 1
            )
        } else {
            format!(
                "{sigma}^(n)({}) two ways, n = {}..{} of {}",
                theme.text("xβ", "xb"),
                rows.get(first).map_or(0, |r| r.n),
                rows.get(last.saturating_sub(1)).map_or(0, |r| r.n),
                rows.len()
            )
        },
        Some(legend),
    ))
    .render(right, buf);
}
