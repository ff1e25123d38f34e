//! The complex plane at xβ: the singularities of A at ±iπ and ±3iπ, the true disc of
//! convergence (radius √(xβ²+π²), reaching ±iπ), the paper's 2π disc, and the support of x̃β on
//! the real axis (bars by probability for few atoms, the span for many). A support point outside
//! the true disc is a divergent series, at a glance. Circles stay round: both axes get the same
//! units per braille dot.

use std::f64::consts::PI;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use super::plot::{Figure, Plot};
use crate::engine::{PAPER_RADIUS, Support};
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::scale::{Axis, Scale};
use crate::tui::theme::{Glyph, Role, Theme};

/// Draws the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let title = "Complex plane at xβ".replace("xβ", theme.text("xβ", "xb"));
    let Some(computed) = app.current() else {
        let block = super::panel(theme, title, None);
        let inner = block.inner(area);
        block.render(area, buf);
        super::note(theme, inner, buf, super::computing(theme), Role::Warn);
        return;
    };
    let xb = app.params.xb;
    let radius = computed
        .report
        .as_ref()
        .ok()
        .and_then(|r| r.radius.true_radius);
    let support = computed.support.as_ref();
    let (lo, hi, half_height) = extent(xb, radius, support);

    // The linear model's A is a polynomial: no singularities, no disc, nothing for 2π to bound.
    let logistic = app.params.model == crate::params::Model::Logistic;
    let rings = [theme.legend_mark(TRUE_RING), theme.legend_mark(PAPER_RING)];
    let (long, short) = legend_entries(theme, &rings, radius, logistic);
    let legend = super::plot::fit_legend(theme, &long, &short, area.width);
    let block = super::panel(theme, title, super::plot::shown_legend(area, legend));
    let inner = block.inner(area);
    block.render(area, buf);

    let probe = Plot::new(
        flat_axis([lo, hi]),
        ticks_axis(half_height, inner.height),
        theme,
    );
    let graph = probe.graph_area(inner);
    if graph.width < 4 || graph.height < 2 {
        return;
    }
    // Equal units per dot: a dot is as wide as it is tall (braille: 2×4 dots per cell of
    // aspect 1:2; ASCII: one dot per cell).
    let (dots_x, dots_y) = if theme.ascii {
        (f64::from(graph.width), f64::from(graph.height) * 2.0)
    } else {
        (f64::from(graph.width) * 2.0, f64::from(graph.height) * 4.0)
    };
    let unit = ((hi - lo) / dots_x).max(2.0 * half_height / dots_y);
    let centre = (lo + hi) / 2.0;
    let x_bounds = [centre - unit * dots_x / 2.0, centre + unit * dots_x / 2.0];
    let y_half = unit * dots_y / 2.0;
    let mut x = flat_axis(x_bounds);
    x.ticks = real_ticks(x_bounds, graph.width);
    let mut chart = Plot::new(x, ticks_axis(y_half, graph.height), theme);

    chart.layer(Figure::HLine(0.0), Role::Dim, Glyph::mark('─', '-'));
    chart.layer(Figure::VLine(0.0), Role::Dim, Glyph::mark('│', '|'));
    if logistic {
        chart.layer(
            Figure::Ring(xb, 0.0, PAPER_RADIUS),
            Role::PaperRadius,
            PAPER_RING,
        );
    }
    if let Some(r) = radius {
        chart.layer(Figure::Ring(xb, 0.0, r), Role::TrueRadius, TRUE_RING);
    }
    let row_height = 2.0 * y_half / f64::from(graph.height);
    let cell_width = (x_bounds[1] - x_bounds[0]) / f64::from(graph.width);
    draw_support(
        &mut chart,
        support,
        bar_height(y_half, row_height, logistic),
        cell_width,
    );
    let cross = theme.text("×", "x");
    for (k, name) in [(1.0, "iπ"), (-1.0, "-iπ"), (3.0, "3iπ"), (-3.0, "-3iπ")] {
        if !logistic || f64::abs(k) * PI < 1.5 * row_height {
            continue;
        }
        let name = name.replace('π', theme.text("π", "pi"));
        chart.label(0.0, k * PI, format!("{cross}{name}"), Role::Singularity);
    }
    chart.label(xb, 0.0, theme.text("●xβ", "@xb"), Role::Highlight);
    chart.render(inner, buf);
}

/// The real range [lo, hi] and the half height to show: both discs, 0, the support (the
/// Gaussian's to ±3σ), with a margin.
fn extent(xb: f64, radius: Option<f64>, support: Option<&Support>) -> (f64, f64, f64) {
    let (mut lo, mut hi) = (xb - PAPER_RADIUS, xb + PAPER_RADIUS);
    let mut half_height = PAPER_RADIUS.max(PI);
    if let Some(r) = radius {
        lo = lo.min(xb - r);
        hi = hi.max(xb + r);
        half_height = half_height.max(r);
    }
    lo = lo.min(0.0);
    hi = hi.max(0.0);
    match support {
        Some(Support::Atoms(atoms)) => {
            for (s, _) in atoms {
                lo = lo.min(*s);
                hi = hi.max(*s);
            }
        }
        Some(Support::Range { min, max, .. }) => {
            lo = lo.min(*min);
            hi = hi.max(*max);
        }
        Some(Support::Unbounded { mean, sd }) => {
            lo = lo.min(mean - 3.0 * sd);
            hi = hi.max(mean + 3.0 * sd);
        }
        None => {}
    }
    let margin = 0.05 * (hi - lo);
    let (lo, hi) = (lo - margin, hi + margin);
    let half_height = half_height * 1.08;
    (lo, hi, half_height)
}

/// The true disc's ring: braille in colour, `∘` in mono, `o` in ASCII.
const TRUE_RING: Glyph = Glyph::mark('∘', 'o');
/// The paper's 2π ring: braille in colour, `·` in mono, `.` in ASCII.
const PAPER_RING: Glyph = Glyph::mark('·', '.');

/// One legend entry: role, glyph, text.
type LegendEntry<'a> = (Role, &'a str, String);

/// The legend, long and short, with the `rings`' legend marks (true, 2π); the rings and
/// singularities only for the logistic model.
fn legend_entries<'a>(
    theme: &'a Theme,
    rings: &'a [String; 2],
    radius: Option<f64>,
    logistic: bool,
) -> (Vec<LegendEntry<'a>>, Vec<LegendEntry<'a>>) {
    let [true_ring, paper_ring] = rings.each_ref().map(String::as_str);
    let r_text = radius.map_or_else(|| theme.text("∞", "inf").to_string(), |r| format::num(r, 3));
    let pi2 = theme.text("2π", "2pi").to_string();
    let support = theme.text("┃", "|");
    let cross = theme.text("×", "x");
    let mut long = vec![(Role::Support, support, "support".to_string())];
    let mut short = vec![(Role::Support, support, "S".to_string())];
    if logistic {
        long.splice(
            0..0,
            [
                (Role::TrueRadius, true_ring, format!("true r = {r_text}")),
                (Role::PaperRadius, paper_ring, pi2.clone()),
            ],
        );
        long.push((Role::Singularity, cross, "singular".to_string()));
        short.splice(
            0..0,
            [
                (Role::TrueRadius, true_ring, format!("r={r_text}")),
                (Role::PaperRadius, paper_ring, pi2),
            ],
        );
        short.push((Role::Singularity, cross, "A sing.".to_string()));
    }
    (long, short)
}

/// The tallest support bar: 0.4 of the half height, and for the logistic model two
/// and a half rows (of `row_height`) below iπ, so the bars never reach the singularity's row.
fn bar_height(y_half: f64, row_height: f64, logistic: bool) -> f64 {
    let tallest = 0.4 * y_half;
    if logistic {
        tallest.min((PI - 2.5 * row_height).max(0.5 * row_height))
    } else {
        tallest
    }
}

/// Atoms summed per terminal column of width `cell_width` (each column's mass at the column's
/// first atom), so more atoms than columns draw one bar a column instead of a solid block.
fn per_column(atoms: &[(f64, f64)], cell_width: f64) -> Vec<(f64, f64)> {
    let mut columns: Vec<(f64, f64)> = Vec::new();
    for &(s, p) in atoms {
        match columns.last_mut() {
            Some(last) if s - last.0 < cell_width => last.1 += p,
            _ => columns.push((s, p)),
        }
    }
    columns
}

/// The support of x̃β on the real axis: bars by probability for atoms (summed per column where
/// they are denser than the columns of `cell_width`), the span with ±sd marks for many atoms,
/// ±2σ marks for Gaussian noise; `bar_height` is the tallest bar.
fn draw_support(chart: &mut Plot, support: Option<&Support>, bar_height: f64, cell_width: f64) {
    match support {
        Some(Support::Atoms(atoms)) => {
            let atoms = per_column(atoms, cell_width);
            let top = atoms.iter().map(|a| a.1).fold(0.0f64, f64::max);
            let tops = atoms
                .iter()
                .filter(|(_, p)| *p > 0.0)
                .map(|(s, p)| (*s, bar_height * (p / top).sqrt().max(0.08)))
                .collect();
            chart.layer(
                Figure::Bars { base: 0.0, tops },
                Role::Support,
                Glyph::mark('┃', '|'),
            );
        }
        Some(Support::Range { min, max, mean, sd }) => {
            let tops = vec![
                (*min, bar_height * 0.3),
                (*max, bar_height * 0.3),
                (mean - sd, bar_height),
                (mean + sd, bar_height),
            ];
            chart.layer(
                Figure::Lines(vec![vec![(*min, 0.0), (*max, 0.0)]]),
                Role::Support,
                Glyph::mark('━', '='),
            );
            chart.layer(
                Figure::Bars { base: 0.0, tops },
                Role::Support,
                Glyph::mark('┃', '|'),
            );
        }
        Some(Support::Unbounded { mean, sd }) => {
            chart.layer(Figure::HLine(0.0), Role::Support, Glyph::mark('━', '='));
            let tops = vec![(mean - 2.0 * sd, bar_height), (mean + 2.0 * sd, bar_height)];
            chart.layer(
                Figure::Bars { base: 0.0, tops },
                Role::Support,
                Glyph::mark('┃', '|'),
            );
        }
        None => {}
    }
}

/// A linear axis with given bounds and no ticks yet.
fn flat_axis(bounds: [f64; 2]) -> Axis {
    Axis {
        scale: Scale::Linear,
        bounds,
        ticks: Vec::new(),
    }
}

/// The imaginary axis: ±half, ticks at multiples of π while a few fit, round values beyond.
fn ticks_axis(half: f64, rows: u16) -> Axis {
    let multiples = (half / PI).floor() as u16;
    let room = (rows / 2).max(1);
    let ticks = if multiples <= room.min(3) {
        let mut ticks = vec![(0.0, "0".to_string())];
        for i in 1..=multiples {
            let v = f64::from(i) * PI;
            ticks.push((v, format::num(v, 3)));
            ticks.push((-v, format::num(-v, 3)));
        }
        ticks
    } else {
        Axis::linear([-half, half], usize::from(room) + 1)
            .ticks
            .into_iter()
            .filter(|(t, _)| t.abs() <= half)
            .collect()
    };
    Axis {
        scale: Scale::Linear,
        bounds: [-half, half],
        ticks,
    }
}

/// Round ticks along the real axis, about one per 10 columns.
fn real_ticks(bounds: [f64; 2], width: u16) -> Vec<(f64, String)> {
    Axis::linear(bounds, (width / 8).max(4) as usize)
        .ticks
        .into_iter()
        .filter(|(t, _)| *t >= bounds[0] && *t <= bounds[1])
        .collect()
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    use crate::params::Params;
    use crate::settings::{ProfileKind, ThemeName, View};
    use crate::tui::profile::Profile;
    use crate::tui::theme::Theme;

    /// The complex-plane panel in mono (support bars drawn `┃`) for the random profile.
    fn random_panel(d: u64, width: u16, height: u16) -> String {
        let profile = Profile {
            kind: ProfileKind::Random,
            ..Profile::new(1_796_189_498_082_206_182)
        };
        let params = profile.apply(&Params {
            dimension: d,
            ..Params::default()
        });
        let theme = Theme::new(ThemeName::Mono, false);
        let app = crate::tui::computed_app(&params, View::Dashboard, theme);
        let area = Rect::new(0, 0, width, height);
        let mut buf = Buffer::empty(area);
        super::render(&app, area, &mut buf);
        crate::tui::buffer_text(&buf)
    }

    #[test]
    fn the_random_support_stays_below_the_singularity() {
        for d in [10, 12] {
            for (w, h) in [(64, 22), (40, 12), (100, 40)] {
                let text = random_panel(d, w, h);
                let lines: Vec<&str> = text.lines().collect();
                let at = lines
                    .iter()
                    .position(|l| l.contains("×iπ"))
                    .unwrap_or_else(|| panic!("d={d} {w}x{h}: no ×iπ\n{text}"));
                for line in &lines[at..=at + 1] {
                    assert!(!line.contains('┃'), "d={d} {w}x{h}: {line}\n{text}");
                }
                assert!(
                    lines[at + 2..].iter().any(|l| l.contains('┃')),
                    "d={d} {w}x{h}: no support drawn\n{text}"
                );
            }
        }
    }

    #[test]
    fn dense_atoms_are_summed_per_column() {
        let atoms: Vec<(f64, f64)> = (0..40).map(|i| (f64::from(i) * 0.25, 0.025)).collect();
        let columns = super::per_column(&atoms, 1.0);
        assert_eq!(columns.len(), 10, "{columns:?}");
        for (i, (s, p)) in columns.iter().enumerate() {
            assert_eq!(*s, i as f64, "{columns:?}");
            assert!((p - 0.1).abs() < 1e-12, "{columns:?}");
        }
        let mass: f64 = columns.iter().map(|c| c.1).sum();
        assert!((mass - 1.0).abs() < 1e-12);
        let sparse = [(0.0, 0.5), (1.0, 0.5)];
        assert_eq!(super::per_column(&sparse, 0.5), sparse);
    }
}
