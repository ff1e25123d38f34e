//! The penalty against xβ around the current point: exact R(xβ), Wager's R_2(xβ) and R_k(xβ),
//! with vertical lines where the series stops converging (true radius) and where the paper says
//! it does (2π), each labelled, and the current xβ marked.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::plot::{self, Figure, Plot};
use crate::params::{Model, Noise};
use crate::settings::YScale;
use crate::tui::app::App;
use crate::tui::scale::Axis;
use crate::tui::theme::{Glyph, Role};

/// The exact R: braille in colour, `─` in mono, `-` in ASCII.
const EXACT: Glyph = Glyph::mark('─', '-');
/// Wager's R₂: braille in colour, `·` in mono, `o` in ASCII.
const QUADRATIC: Glyph = Glyph::mark('·', 'o');
/// R_k: the main curve, braille except in ASCII.
const PARTIAL: Glyph = Glyph::curve('*');
/// The true radius's boundaries: braille in colour, `│` in mono, `|` in ASCII.
const TRUE_LINE: Glyph = Glyph::mark('│', '|');
/// The paper's 2π boundaries: braille in colour, `┆` in mono, `:` in ASCII.
const PAPER_LINE: Glyph = Glyph::mark('┆', ':');
/// The current xβ: braille in colour, `┊` in mono, `!` in ASCII.
const NOW: Glyph = Glyph::mark('┊', '!');

/// Draws the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let xb = theme.text("xβ", "xb");
    let sub2 = theme.text("R₂", "R_2");
    let k = app.params.order;
    let Some(curve) = app.current_curve().filter(|c| !c.points.is_empty()) else {
        let block = super::panel(theme, format!("Penalty against {xb}"), None);
        let inner = block.inner(area);
        block.render(area, buf);
        match app.current_curve().and_then(|c| c.error.as_ref()) {
            Some(e) => super::note(theme, inner, buf, e, Role::Bad),
            None => super::note(theme, inner, buf, super::computing(theme), Role::Warn),
        }
        return;
    };
    let varied = match app.params.weights() {
        Some(_) => " (list fixed, b varied)",
        None => theme.text(" (w_j = (xβ−b)/d)", " (w_j = (xb-b)/d)"),
    };
    let coarse = if curve.complete {
        ""
    } else {
        theme.text(" (coarse, refining…)", " (coarse, refining...)")
    };
    let title = super::fit_title(
        area.width,
        &[
            format!("Penalty against {xb}{varied}{coarse}"),
            format!("Penalty against {xb}{coarse}"),
            format!("Penalty against {xb}"),
        ],
    );
    // Radius boundaries exist only where the series has a radius and the noise a bounded
    // support: not for the linear model (A is a polynomial) nor for Gaussian noise.
    let bounded = app.params.model == Model::Logistic && app.params.noise == Noise::Dropout;
    let (true_lines, paper_lines) = if bounded {
        (
            curve.boundaries.true_radius.as_slice(),
            curve.boundaries.paper_radius.as_slice(),
        )
    } else {
        (&[][..], &[][..])
    };
    let marks =
        [EXACT, QUADRATIC, PARTIAL, TRUE_LINE, PAPER_LINE, NOW].map(|g| theme.legend_mark(g));
    let mut items = vec![
        (Role::Exact, marks[0].as_str(), "R".to_string()),
        (Role::Quadratic, marks[1].as_str(), sub2.to_string()),
        (Role::Partial, marks[2].as_str(), format!("R_{k}")),
    ];
    if !true_lines.is_empty() {
        items.push((Role::TrueRadius, marks[3].as_str(), "true".to_string()));
    }
    if !paper_lines.is_empty() {
        items.push((
            Role::PaperRadius,
            marks[4].as_str(),
            theme.text("2π", "2pi").to_string(),
        ));
    }
    items.push((Role::Highlight, marks[5].as_str(), xb.to_string()));
    let legend = plot::legend(theme, &items);
    let block = super::panel(theme, title, super::plot::shown_legend(area, legend));
    let inner = block.inner(area);
    block.render(area, buf);

    let values = curve
        .points
        .iter()
        .flat_map(|p| [p.exact, p.quadratic, p.partial])
        .flatten();
    let reference = curve
        .points
        .iter()
        .filter_map(|p| p.exact.or(p.quadratic))
        .fold(0.0f64, f64::max);
    let rows = inner.height.saturating_sub(1) as usize;
    let y = match app.y_scale {
        YScale::SymLog => Axis::symlog(values, Some(reference), rows / 2 + 1),
        YScale::Linear => Axis::linear(values, rows / 2 + 1),
    };
    let mut x = Axis::linear(
        [curve.range.0, curve.range.1],
        (inner.width / 9).max(2) as usize,
    );
    x.bounds = [curve.range.0, curve.range.1];
    x.ticks
        .retain(|(t, _)| *t >= curve.range.0 && *t <= curve.range.1);
    let mut chart = Plot::new(x, y, theme);
    let top = chart.y.bounds[1];
    // The 2π labels sit one row below the true ones, so close boundaries stay readable.
    let below = top - (top - chart.y.bounds[0]) / rows.max(1) as f64;

    chart.layer(Figure::VLine(app.params.xb), Role::Highlight, NOW);
    for b in paper_lines {
        chart.layer(Figure::VLine(*b), Role::PaperRadius, PAPER_LINE);
        chart.label(*b, below, theme.text("2π", "2pi"), Role::PaperRadius);
    }
    for b in true_lines {
        chart.layer(Figure::VLine(*b), Role::TrueRadius, TRUE_LINE);
        chart.label(*b, top, "true", Role::TrueRadius);
    }
    let series = |f: fn(&crate::engine::CurvePoint) -> Option<f64>| {
        plot::runs(curve.points.iter().map(|p| (p.xb, f(p))), &chart.y)
    };
    let exact = series(|p| p.exact);
    let quadratic = series(|p| p.quadratic);
    let partial = series(|p| p.partial);
    chart.layer(quadratic, Role::Quadratic, QUADRATIC);
    chart.layer(exact, Role::Exact, EXACT);
    chart.layer(partial, Role::Partial, PARTIAL);
    let bottom = chart.y.bounds[0];
    chart.label(app.params.xb, bottom, xb, Role::Highlight);
    chart.render(inner, buf);
}
