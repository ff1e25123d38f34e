//! The Theorem 2 view: the root-test estimate |a_n|^(-1/n) of the radius against n, with lines
//! at the true radius √(xβ²+π²) and at the paper's 2π.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Paragraph, Widget};

use super::plot::{self, Figure, Plot};
use crate::engine::{PAPER_RADIUS, Report};
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::scale::Axis;
use crate::tui::theme::{Glyph, Role, Theme};

/// The root test |a_n|^(-1/n): the main curve, braille except in ASCII.
const ROOT_TEST: Glyph = Glyph::curve('*');
/// The true radius: braille in colour, `─` in mono, `-` in ASCII.
const TRUE_LINE: Glyph = Glyph::mark('─', '-');
/// The paper's 2π: braille in colour, `┄` in mono, `=` in ASCII.
const PAPER_LINE: Glyph = Glyph::mark('┄', '=');

/// Draws the view.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let pi2 = theme.text("2π", "2pi");
    let title = format!("Theorem 2: root test |a_n|^(-1/n) against n, true radius and {pi2}");
    let Some(computed) = app.current().filter(|c| c.report.is_ok()) else {
        let block = super::panel(theme, title, None);
        let inner = block.inner(area);
        block.render(area, buf);
        let (text, role) = match app.current().map(|c| &c.report) {
            Some(Err(e)) => (e.clone(), Role::Bad),
            _ => (super::computing(theme).to_string(), Role::Warn),
        };
        return super::note(theme, inner, buf, &text, role);
    };
    let Ok(report) = &computed.report else {
        return;
    };
    let marks = [ROOT_TEST, TRUE_LINE, PAPER_LINE].map(|g| theme.legend_mark(g));
    let legend = plot::legend(
        theme,
        &[
            (Role::Partial, &marks[0], "|a_n|^(-1/n)".to_string()),
            (Role::TrueRadius, &marks[1], "true r".to_string()),
            (Role::PaperRadius, &marks[2], pi2.to_string()),
        ],
    );
    let block = super::panel(theme, title, super::plot::shown_legend(area, legend));
    let inner = block.inner(area);
    block.render(area, buf);
    let [top, body] = Layout::vertical([Constraint::Length(2), Constraint::Fill(1)]).areas(inner);
    let mut groups = summary(theme, report);
    groups.retain(|g| g.iter().map(Span::width).sum::<usize>() <= top.width as usize);
    Paragraph::new(super::header::wrap(groups, top.width, 3)).render(top, buf);
    draw_root_test(theme, report, body, buf);
}

/// The radii in words, one group each (wrapped whole, never cut): the true radius, the paper's
/// 2π, the root-test estimate and which of the two radii is wrong here.
fn summary(theme: &Theme, report: &Report) -> Vec<Vec<Span<'static>>> {
    let pi2 = theme.text("2π", "2pi");
    let radius = report.radius;
    let true_text = radius.true_radius.map_or_else(
        || {
            format!(
                "true radius {} (linear model: a polynomial)",
                theme.text("∞", "inf")
            )
        },
        |r| {
            format!(
                "true r = {}({}{}+{}{}) = {}",
                theme.text("√", "sqrt"),
                theme.text("xβ", "xb"),
                theme.text("²", "^2"),
                theme.text("π", "pi"),
                theme.text("²", "^2"),
                format::num(r, 5)
            )
        },
    );
    let estimate = radius.root_test.map_or_else(
        || "root test: n/a".to_string(),
        |e| {
            format!(
                "root test at n = {}: {}",
                report.params.order,
                format::num(e, 5)
            )
        },
    );
    let sqrt3 = theme.text("√3·π", "sqrt(3)*pi");
    let xb = theme.text("xβ", "xb");
    let verdict = match radius.true_radius {
        Some(r) if r < PAPER_RADIUS => format!("{pi2} is too large here (|{xb}| < {sqrt3})"),
        Some(r) if r > PAPER_RADIUS => format!("{pi2} is too small here (|{xb}| > {sqrt3})"),
        _ => String::new(),
    };
    let mut groups = vec![
        vec![Span::styled(true_text, theme.style(Role::TrueRadius))],
        vec![Span::styled(
            format!("paper: {pi2} = {}", format::num(PAPER_RADIUS, 5)),
            theme.style(Role::PaperRadius),
        )],
        vec![Span::styled(estimate, theme.style(Role::Partial))],
    ];
    if !verdict.is_empty() {
        groups.push(vec![Span::styled(verdict, theme.style(Role::Warn))]);
    }
    groups
}

/// The root-test estimates against n with lines at the true radius and at 2π.
fn draw_root_test(theme: &Theme, report: &Report, body: Rect, buf: &mut Buffer) {
    let pi2 = theme.text("2π", "2pi");
    let radius = report.radius;
    let root_test: Vec<(f64, f64)> = report
        .root_test_series
        .iter()
        .enumerate()
        .filter_map(|(n, r)| r.map(|r| (n as f64, r)))
        .collect();
    if root_test.is_empty() {
        return super::note(
            theme,
            body,
            buf,
            "no coefficients to test (k < 2)",
            Role::Dim,
        );
    }
    // The first few estimates are far off; clip at twice the larger radius so the lines the
    // estimates approach stay readable.
    let ceiling = 2.0 * radius.true_radius.unwrap_or(0.0).max(PAPER_RADIUS);
    let mut values: Vec<f64> = root_test.iter().map(|p| p.1.min(ceiling)).collect();
    values.push(PAPER_RADIUS);
    values.extend(radius.true_radius);
    values.push(0.0);
    let rows = body.height.saturating_sub(1) as usize;
    let y = Axis::linear(values, rows / 2 + 1);
    let k = report.params.order.max(2) as f64;
    let mut x = Axis::linear([0.0, k], (body.width / 8).max(2) as usize);
    x.ticks.retain(|(t, _)| t.fract() == 0.0);
    let mut chart = Plot::new(x, y, theme);
    if let Some(r) = radius.true_radius {
        chart.layer(Figure::HLine(r), Role::TrueRadius, TRUE_LINE);
        chart.label(k * 0.75, r, "true r", Role::TrueRadius);
    }
    chart.layer(Figure::HLine(PAPER_RADIUS), Role::PaperRadius, PAPER_LINE);
    chart.label(k * 0.5, PAPER_RADIUS, pi2, Role::PaperRadius);
    let series = plot::runs(root_test.iter().map(|(n, r)| (*n, Some(*r))), &chart.y);
    chart.layer(series, Role::Partial, ROOT_TEST);
    chart.render(body, buf);
}
