//! The complex t-plane of the softmax model: the zeros of Σ_k p_k e^{t ε_k} for the worst mask
//! (those nearest the origin, from the engine's report) and the unit circle |t| = 1, the
//! convergence boundary: the expected series at t = 1 converges when no mask has a zero inside
//! it. Circles stay round: both axes get the same units per dot.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::plot::{Figure, Plot};
use crate::engine::softmax::SoftmaxReport;
use crate::tui::format;
use crate::tui::scale::{Axis, Scale};
use crate::tui::theme::{Glyph, Role, Theme};

/// The unit circle's ring.
const UNIT_RING: Glyph = Glyph::mark('∘', 'o');

/// Draws the panel for a softmax report.
pub fn render(theme: &Theme, report: &SoftmaxReport, area: Rect, buf: &mut Buffer) {
    let zero = theme.text("×", "x");
    let title = if area.width >= 46 {
        "t-plane: zeros of Σ p e^(tε), worst mask"
    } else {
        "t-plane, worst mask"
    };
    let title = title
        .replace('Σ', theme.text("Σ", "sum"))
        .replace('ε', theme.text("ε", "eps"));
    let zeros = report.worst_zeros.as_ref();
    let nearest = zeros
        .and_then(|z| z.points.first())
        .map(|t| t[0].hypot(t[1]));
    let ring = theme.legend_mark(UNIT_RING);
    let long = vec![
        (Role::TrueRadius, ring.as_str(), "|t| = 1".to_string()),
        (
            Role::Singularity,
            zero,
            match nearest {
                Some(r) => format!("zeros, nearest |t| = {}", format::num(r, 5)),
                None => "no zeros".to_string(),
            },
        ),
    ];
    let short = vec![
        (Role::TrueRadius, long[0].1, "|t|=1".to_string()),
        (Role::Singularity, zero, "zeros".to_string()),
    ];
    let legend = super::plot::fit_legend(theme, &long, &short, area.width);
    let block = super::panel(theme, title, Some(legend));
    let inner = block.inner(area);
    block.render(area, buf);
    let reach = zeros.map_or(1.5, |z| z.radius.clamp(1.2, f64::MAX)) * 1.05;
    let probe = Plot::new(flat([-reach, reach]), flat([-reach, reach]), theme);
    let graph = probe.graph_area(inner);
    if graph.width < 4 || graph.height < 2 {
        return;
    }
    let (dots_x, dots_y) = if theme.ascii {
        (f64::from(graph.width), f64::from(graph.height) * 2.0)
    } else {
        (f64::from(graph.width) * 2.0, f64::from(graph.height) * 4.0)
    };
    let unit = (2.0 * reach / dots_x).max(2.0 * reach / dots_y);
    let (x_half, y_half) = (unit * dots_x / 2.0, unit * dots_y / 2.0);
    let mut x = flat([-x_half, x_half]);
    x.ticks = ticks([-x_half, x_half], (graph.width / 8).max(3) as usize);
    let mut y = flat([-y_half, y_half]);
    y.ticks = ticks([-y_half, y_half], (graph.height / 2).max(2) as usize);
    let mut chart = Plot::new(x, y, theme);
    chart.layer(Figure::HLine(0.0), Role::Dim, Glyph::mark('─', '-'));
    chart.layer(Figure::VLine(0.0), Role::Dim, Glyph::mark('│', '|'));
    chart.layer(Figure::Ring(0.0, 0.0, 1.0), Role::TrueRadius, UNIT_RING);
    match zeros {
        Some(z) => {
            for t in &z.points {
                if t[0].abs() <= x_half && t[1].abs() <= y_half {
                    chart.label(t[0], t[1], zero, Role::Singularity);
                }
            }
        }
        None => {
            let why = if report.worst_noise.is_none() {
                "no mask moves two classes differently"
            } else {
                "zeros not isolated"
            };
            chart.label(-x_half, y_half, why, Role::Dim);
        }
    }
    chart.render(inner, buf);
}

fn flat(bounds: [f64; 2]) -> Axis {
    Axis {
        scale: Scale::Linear,
        bounds,
        ticks: Vec::new(),
    }
}

fn ticks(bounds: [f64; 2], n: usize) -> Vec<(f64, String)> {
    Axis::linear(bounds, n)
        .ticks
        .into_iter()
        .filter(|(t, _)| *t >= bounds[0] && *t <= bounds[1])
        .collect()
}
