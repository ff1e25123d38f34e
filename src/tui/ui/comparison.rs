//! The Data view's comparison panel: the exact-dropout, quadratic-surrogate, closest-L2 and
//! dropout-SGD fits side by side (λ, ‖β‖, train accuracy, Σ R and the fraction diverging at
//! each, the cosine of each β with the exact one, the closest λ and its distance; the full
//! cosine matrix where there is room), and a chart of their coefficients β_j, one row per
//! feature.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

use crate::data::compare::Comparison;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::scale::Axis;
use crate::tui::theme::{Role, Theme};

/// Widest terminal that stacks the tables above the chart.
const NARROW: u16 = 120;
/// Columns of the tables beside the chart.
const TABLES: u16 = 74;

/// How each fit is named, marked and coloured, in the comparison's order.
const FITS: [(&str, &str, Role); 4] = [
    ("exact", "e", Role::Exact),
    ("quadratic", "q", Role::Quadratic),
    ("closest L2", "l", Role::Support),
    ("dropout SGD", "s", Role::MonteCarlo),
];
/// The order the chart draws the fits in (the last on top where two share a cell).
const DRAW_ORDER: [usize; 4] = [2, 1, 3, 0];

/// Draws the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let c = &app.data.comparison;
    let delta = |d: f64| format!("{}={}", theme.text("δ", "delta"), format::param(d));
    let Some(result) = c.result.as_deref() else {
        let block = super::panel(theme, "Fits compared".to_string(), None);
        let inner = block.inner(area);
        block.render(area, buf);
        let (text, role) = match (c.computing, &c.error, c.dropped) {
            (Some(d), _, _) => (
                format!(
                    "{} at {}: exact, quadratic, closest L2, dropout SGD",
                    theme.text("comparing the fits…", "comparing the fits..."),
                    delta(d)
                ),
                Role::Warn,
            ),
            (None, Some(e), _) => (format!("the comparison failed: {e}"), Role::Bad),
            (None, None, Some(old)) => (
                format!(
                    "{} moved from {}: c compares the fits at {}",
                    theme.text("δ", "delta"),
                    format::param(old),
                    delta(app.params.delta)
                ),
                Role::Dim,
            ),
            (None, None, None) => (
                format!(
                    "c compares the exact, quadratic, closest-L2 and dropout-SGD fits at {}",
                    delta(app.params.delta)
                ),
                Role::Dim,
            ),
        };
        super::note(theme, inner, buf, &text, role);
        return;
    };
    let (tables, chart) = if area.width > NARROW {
        let [l, r] =
            Layout::horizontal([Constraint::Length(TABLES), Constraint::Fill(1)]).areas(area);
        (l, r)
    } else {
        let [t, b] = Layout::vertical([Constraint::Length(7), Constraint::Fill(1)]).areas(area);
        (t, b)
    };
    fits(theme, result, tables, buf, area.width > NARROW);
    coefficients(app, result, chart, buf);
}

/// The fits table, the closest λ and (when `wide`) the cosine matrix.
fn fits(theme: &Theme, result: &Comparison, area: Rect, buf: &mut Buffer, wide: bool) {
    let t = |u: &'static str, a: &'static str| theme.text(u, a);
    let title = format!(
        "Fits compared at {}={}",
        t("δ", "delta"),
        format::param(result.delta)
    );
    let closest = Line::from(vec![
        Span::styled(
            format!(" closest L2 {} ", t("λ", "lambda")),
            theme.style(Role::Dim),
        ),
        Span::styled(
            format::num(result.closest_lambda, 4),
            theme.style(Role::Value),
        ),
        Span::styled(
            format!("  {} ", t("‖β_L2 − β_exact‖", "|b_L2 - b_exact|")),
            theme.style(Role::Dim),
        ),
        Span::styled(
            format!("{} ", format::num(result.closest_distance, 4)),
            theme.style(Role::Value),
        ),
    ]);
    let block = super::panel(theme, title, Some(closest));
    let inner = block.inner(area);
    block.render(area, buf);
    let header = Row::new(vec![
        "fit",
        t("λ", "lambda"),
        t("‖β‖", "|beta|"),
        "accuracy",
        t("Σ R", "sum R"),
        "diverging",
        t("cos β_exact", "cos b_exact"),
    ])
    .style(theme.style(Role::Title));
    let rows = result
        .fits
        .iter()
        .zip(FITS)
        .enumerate()
        .map(|(i, (f, (name, mark, role)))| {
            Row::new(vec![
                Cell::from(Line::from(vec![
                    Span::styled(mark, theme.style(role)),
                    Span::raw(format!(" {name}")),
                ])),
                Cell::from(format::num(f.lambda, 4)),
                Cell::from(format::num(f.beta_norm, 4)),
                Cell::from(format::num(f.train_accuracy, 4)),
                Cell::from(format::opt(f.totals.sum_exact, 5)),
                Cell::from(format::num(f.totals.diverging_fraction, 3)),
                Cell::from(format::opt(
                    result
                        .cosines
                        .first()
                        .and_then(|row| row.get(i))
                        .copied()
                        .flatten(),
                    4,
                )),
            ])
        });
    let widths = [
        Constraint::Length(13),
        Constraint::Length(8),
        Constraint::Length(6),
        Constraint::Length(8),
        Constraint::Length(8),
        Constraint::Length(9),
        Constraint::Length(11),
    ];
    let [table_area, rest] =
        Layout::vertical([Constraint::Length(5), Constraint::Fill(1)]).areas(inner);
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .render(table_area, buf);
    if wide && rest.height >= 6 {
        cosines(theme, result, rest, buf);
    }
}

/// The cosine matrix of the fits' β.
fn cosines(theme: &Theme, result: &Comparison, area: Rect, buf: &mut Buffer) {
    let mut lines = vec![Line::raw(""), {
        let mut spans = vec![Span::styled(
            format!("{:<13}", theme.text("cos(β_a, β_b)", "cos(b_a, b_b)")),
            theme.style(Role::Title),
        )];
        for (_, mark, role) in FITS {
            spans.push(Span::styled(format!("{mark:>8}"), theme.style(role)));
        }
        Line::from(spans)
    }];
    for (row, (name, mark, role)) in result.cosines.iter().zip(FITS) {
        let mut spans = vec![
            Span::styled(mark, theme.style(role)),
            Span::raw(format!(" {name:<11}")),
        ];
        for v in row {
            spans.push(Span::raw(format!("{:>8}", format::opt(*v, 4))));
        }
        lines.push(Line::from(spans));
    }
    Paragraph::new(lines).render(area, buf);
}

/// The coefficients β_j of the four fits, one row per feature from the scroll position, on
/// one shared axis with its zero marked.
fn coefficients(app: &App, result: &Comparison, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let names = app
        .data
        .model
        .as_ref()
        .map(|m| m.feature_names.clone())
        .unwrap_or_default();
    let d = result.fits.first().map_or(0, |f| f.model.beta.len());
    let legend = Line::from(
        FITS.iter()
            .flat_map(|(name, mark, role)| {
                [
                    Span::styled(format!(" {mark}"), theme.style(*role)),
                    Span::styled(format!(" {name} "), theme.style(Role::Dim)),
                ]
            })
            .collect::<Vec<_>>(),
    );
    let probe = super::panel(theme, String::new(), None).inner(area);
    let rows = usize::from(probe.height.saturating_sub(1)).max(1);
    let first = app.data.feature_scroll.min(d.saturating_sub(rows));
    let last = (first + rows).min(d);
    let title = format!(
        "Coefficients {} of the fits: features {}..{last} of {d} ({} scroll)",
        theme.text("β_j", "b_j"),
        (first + 1).min(last),
        theme.text("↑↓", "j/k"),
    );
    let block = super::panel(theme, title, Some(legend));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height < 2 || inner.width < 20 || d == 0 {
        return;
    }
    let longest = names.iter().map(|n| n.chars().count()).max().unwrap_or(1);
    let name_width = longest.min(usize::from(inner.width) / 3).max(3) as u16;
    let plot_x = inner.x + name_width + 1;
    let width = inner.right().saturating_sub(plot_x);
    if width < 8 {
        return;
    }
    let values = result
        .fits
        .iter()
        .flat_map(|f| f.model.beta.iter().copied())
        .chain([0.0]);
    let axis = Axis::linear(values, usize::from(width / 10).max(2));
    let [lo, hi] = axis.bounds;
    let column = |v: f64| {
        let t = ((v - lo) / (hi - lo)).clamp(0.0, 1.0);
        plot_x + (t * f64::from(width - 1)).round() as u16
    };
    let dim = theme.style(Role::Dim);
    let zero = column(0.0);
    for (row, j) in (first..last).enumerate() {
        let y = inner.y + row as u16;
        let name = names
            .get(j)
            .cloned()
            .unwrap_or_else(|| format!("x{}", j + 1));
        let name =
            format::elide(&name, usize::from(name_width), theme.text("…", ".")).unwrap_or_default();
        buf.set_string(
            inner.x,
            y,
            format!("{name:>w$}", w = usize::from(name_width)),
            dim,
        );
        buf.set_string(zero, y, theme.text("│", "|"), dim);
        for i in DRAW_ORDER {
            let (Some(fit), (_, mark, role)) = (result.fits.get(i), FITS[i]) else {
                continue;
            };
            if let Some(&b) = fit.model.beta.get(j).filter(|b| b.is_finite()) {
                buf.set_string(column(b), y, mark, theme.style(role));
            }
        }
    }
    let axis_row = inner.y + (last - first) as u16;
    if axis_row < inner.bottom() {
        let mut free = plot_x;
        for (t, label) in &axis.ticks {
            let len = label.chars().count() as u16;
            let start = column(*t).saturating_sub(len / 2).max(free);
            if start + len <= inner.right() {
                buf.set_string(start, axis_row, label, dim);
                free = start + len + 1;
            }
        }
    }
}
