//! The complex t-plane of the softmax model: the zeros of Σ_k p_k e^{t ε_k} for the worst mask
//! (those nearest the origin, from the engine's report) and the unit circle |t| = 1, the
//! convergence boundary: the expected series at t = 1 converges when no mask has a zero inside
//! it. The window holds the unit circle and the zeros with |t| ≤ 1.5·ρ (ρ the nearest zero's
//! modulus, the mask radius); circles stay round: both axes get the same units per dot.

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
/// The window holds every zero within this multiple of the nearest zero's modulus.
const FIT_REACH: f64 = 1.5;
/// Room left around what the window must hold, as a fraction of its half-extent.
const MARGIN: f64 = 0.08;

/// The visible part of the t-plane: |Re t| ≤ `x_half`, |Im t| ≤ `y_half` (units of t).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Window {
    /// Half the width, in units of t (> 0).
    x_half: f64,
    /// Half the height, in units of t (> 0).
    y_half: f64,
    /// How many of the zeros fall outside the window.
    outside: usize,
}

impl Window {
    /// Whether t = re + i·im lies inside the window.
    fn holds(&self, t: [f64; 2]) -> bool {
        t[0].abs() <= self.x_half && t[1].abs() <= self.y_half
    }
}

/// The window centred on t = 0 that holds the unit circle and every zero t with
/// |t| ≤ 1.5·ρ_min (ρ_min the smallest |t| among `zeros`), widened along one axis so that a
/// canvas of `dots` = (columns, rows) of equal-sized dots gets the same units of t per dot on
/// both axes (a canvas under one dot counts as one), and counting the zeros left outside.
fn window(zeros: &[[f64; 2]], dots: (f64, f64)) -> Window {
    let dots = (dots.0.max(1.0), dots.1.max(1.0));
    let modulus = |t: &[f64; 2]| t[0].hypot(t[1]);
    let nearest = zeros.iter().map(modulus).fold(f64::INFINITY, f64::min);
    let (mut x_need, mut y_need) = (1.0f64, 1.0f64);
    for t in zeros.iter().filter(|t| modulus(t) <= FIT_REACH * nearest) {
        x_need = x_need.max(t[0].abs());
        y_need = y_need.max(t[1].abs());
    }
    let (x_need, y_need) = (x_need * (1.0 + MARGIN), y_need * (1.0 + MARGIN));
    let unit = (2.0 * x_need / dots.0).max(2.0 * y_need / dots.1);
    let mut w = Window {
        x_half: unit * dots.0 / 2.0,
        y_half: unit * dots.1 / 2.0,
        outside: 0,
    };
    w.outside = zeros.iter().filter(|t| !w.holds(**t)).count();
    w
}

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
    let points = zeros.map_or(&[][..], |z| z.points.as_slice());
    let nearest = points.first().map(|t| t[0].hypot(t[1]));
    // The legend counts the zeros the window leaves out, so the window comes first; it
    // depends only on the plot's area inside the border, which the legend does not change.
    let inner = super::panel(theme, String::new(), None).inner(area);
    let (view, x, y) = fit(theme, inner, points);
    let outside = match view.outside {
        0 => String::new(),
        n => format!(", {n} outside"),
    };
    let ring = theme.legend_mark(UNIT_RING);
    let long = vec![
        (Role::TrueRadius, ring.as_str(), "|t| = 1".to_string()),
        (
            Role::Singularity,
            zero,
            match nearest {
                Some(r) => format!("zeros, nearest |t| = {}{outside}", format::num(r, 5)),
                None => "no zeros".to_string(),
            },
        ),
    ];
    let short = vec![
        (Role::TrueRadius, long[0].1, "|t|=1".to_string()),
        (Role::Singularity, zero, format!("zeros{outside}")),
    ];
    let legend = super::plot::fit_legend(theme, &long, &short, area.width);
    let block = super::panel(theme, title, super::plot::shown_legend(area, legend));
    block.render(area, buf);
    let (x_half, y_half) = (view.x_half, view.y_half);
    let mut chart = Plot::new(x, y, theme);
    chart.layer(Figure::HLine(0.0), Role::Dim, Glyph::mark('─', '-'));
    chart.layer(Figure::VLine(0.0), Role::Dim, Glyph::mark('│', '|'));
    chart.layer(Figure::Ring(0.0, 0.0, 1.0), Role::TrueRadius, UNIT_RING);
    match zeros {
        Some(z) => {
            for t in z.points.iter().filter(|t| view.holds(**t)) {
                chart.label(t[0], t[1], zero, Role::Singularity);
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

/// The window for `points` on a plot filling `inner`, and its axes with ticks. The y tick
/// labels narrow the plot the window was fitted to, so it is fitted again to the plot they
/// leave (the labels rarely change width in between).
fn fit(theme: &Theme, inner: Rect, points: &[[f64; 2]]) -> (Window, Axis, Axis) {
    // ASCII cells are one dot each; a cell is about twice as tall as it is wide.
    let dots = |graph: Rect| {
        if theme.ascii {
            (f64::from(graph.width), f64::from(graph.height) * 2.0)
        } else {
            (f64::from(graph.width) * 2.0, f64::from(graph.height) * 4.0)
        }
    };
    let axes = |view: &Window, graph: Rect| {
        let (xh, yh) = (view.x_half, view.y_half);
        let mut x = flat([-xh, xh]);
        x.ticks = ticks([-xh, xh], (graph.width / 8).max(3) as usize);
        let mut y = flat([-yh, yh]);
        y.ticks = ticks([-yh, yh], (graph.height / 2).max(2) as usize);
        (x, y)
    };
    let mut graph = Plot::new(flat([-1.0, 1.0]), flat([-1.0, 1.0]), theme).graph_area(inner);
    let mut view = window(points, dots(graph));
    let (mut x, mut y) = axes(&view, graph);
    for _ in 0..2 {
        let narrowed = Plot::new(x.clone(), y.clone(), theme).graph_area(inner);
        if narrowed == graph || narrowed.width == 0 || narrowed.height == 0 {
            break;
        }
        graph = narrowed;
        view = window(points, dots(graph));
        (x, y) = axes(&view, graph);
    }
    (view, x, y)
}

fn flat(bounds: [f64; 2]) -> Axis {
    Axis {
        scale: Scale::Linear,
        bounds,
        ticks: Vec::new(),
    }
}

/// At least `n` tick positions are asked for; more (up to n + 6) when fewer than three of the
/// nice steps land inside `bounds`.
fn ticks(bounds: [f64; 2], n: usize) -> Vec<(f64, String)> {
    let inside = |m: usize| -> Vec<(f64, String)> {
        Axis::linear(bounds, m)
            .ticks
            .into_iter()
            .filter(|(t, _)| *t >= bounds[0] && *t <= bounds[1])
            .collect()
    };
    (n..=n + 6)
        .map(inside)
        .find(|t| t.len() >= 3)
        .unwrap_or_else(|| inside(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::softmax::{SoftmaxParams, evaluate_softmax};
    use crate::settings::ThemeName;
    use crate::softmax_settings::SoftmaxSettings;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    /// The checks every window must pass: it holds the unit circle and every zero within
    /// 1.5·ρ_min, has the canvas's aspect, is no larger than it needs to be, and counts the
    /// zeros it leaves out.
    fn check(zeros: &[[f64; 2]], dots: (f64, f64)) -> Window {
        let w = window(zeros, dots);
        let modulus = |t: &[f64; 2]| t[0].hypot(t[1]);
        let nearest = zeros.iter().map(modulus).fold(f64::INFINITY, f64::min);
        assert!(w.x_half >= 1.0 && w.y_half >= 1.0, "{w:?}");
        for t in zeros.iter().filter(|t| modulus(t) <= 1.5 * nearest) {
            assert!(w.holds(*t), "{t:?} in {w:?}");
        }
        let aspect = (w.x_half / w.y_half) / (dots.0 / dots.1);
        assert!((aspect - 1.0).abs() < 1e-12, "{w:?} on {dots:?}");
        let need_x = zeros
            .iter()
            .filter(|t| modulus(t) <= 1.5 * nearest)
            .fold(1.0f64, |m, t| m.max(t[0].abs()));
        let need_y = zeros
            .iter()
            .filter(|t| modulus(t) <= 1.5 * nearest)
            .fold(1.0f64, |m, t| m.max(t[1].abs()));
        let snug = (w.x_half / need_x).min(w.y_half / need_y);
        assert!((snug - 1.0 - MARGIN).abs() < 1e-12, "{w:?} is snug");
        let left_out = zeros.iter().filter(|t| !w.holds(**t)).count();
        assert_eq!(w.outside, left_out);
        w
    }

    #[test]
    fn the_window_holds_the_unit_circle_and_the_near_zeros() {
        let none = check(&[], (100.0, 100.0));
        assert_eq!((none.x_half, none.y_half, none.outside), (1.08, 1.08, 0));
        // Every zero within 1.5·|0.5 ± 2i| ≈ 3.09 of the origin: all four fit.
        let near = [[0.5, 2.0], [0.5, -2.0], [3.0, 0.1], [3.0, -0.1]];
        let w = check(&near, (100.0, 100.0));
        assert!((w.x_half - 3.24).abs() < 1e-12 && w.outside == 0, "{w:?}");
        // ρ_min = 0.5: only the unit circle must fit; the aspect widens x to 2.16, which
        // still shows 1.5 + 0.2i, while 5i is left out and counted.
        let far = [[0.3, 0.4], [0.3, -0.4], [1.5, 0.2], [1.5, -0.2], [0.0, 5.0]];
        let w = check(&far, (200.0, 100.0));
        assert!((w.x_half - 2.16).abs() < 1e-12, "{w:?}");
        assert!(w.holds([1.5, 0.2]) && !w.holds([0.0, 5.0]));
        assert_eq!(w.outside, 1);
        // A canvas with no dots yields a finite window.
        let w = window(&near, (0.0, 0.0));
        assert!(w.x_half.is_finite() && w.y_half.is_finite());
    }

    /// The t-plane panel for logits η0 = (0, 1, 3, −2) (shared masks over 10 features) at
    /// dropout rate `delta`, `w`×`h`.
    fn panel(delta: f64, theme: Theme, w: u16, h: u16) -> (String, SoftmaxReport) {
        let settings = SoftmaxSettings::default().with_logits(vec![0.0, 1.0, 3.0, -2.0]);
        let params = SoftmaxParams::from_settings(&settings, delta, 12, 10);
        let report = evaluate_softmax(&params).expect("a valid case");
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("a test terminal");
        terminal
            .draw(|f| render(&theme, &report, f.area(), f.buffer_mut()))
            .expect("drawn");
        (crate::tui::buffer_text(terminal.backend().buffer()), report)
    }

    #[test]
    fn the_t_plane_fits_its_zeros_and_counts_the_ones_left_out() {
        let dark = Theme::new(ThemeName::Dark, false);
        // ρ ≈ 1.448: every listed zero is within 1.5·ρ, all drawn.
        let (frame, report) = panel(0.5, dark, 70, 22);
        let zeros = report.worst_zeros.as_ref().expect("zeros").points.len();
        assert_eq!(frame.matches('×').count(), zeros + 1, "{frame}");
        assert!(!frame.contains("outside"), "{frame}");
        insta::assert_snapshot!("t_plane_converging_70x22", frame);
        // δ = 0.7: ρ ≈ 0.62 < 1 (the series diverges); the window fits the unit circle, and
        // zeros out to |t| = 1.5 are listed, some beyond it.
        let (frame, report) = panel(0.7, dark, 70, 22);
        let z = report.worst_zeros.as_ref().expect("zeros");
        let nearest = z.points[0][0].hypot(z.points[0][1]);
        assert!(nearest < 1.0, "{nearest}");
        let inner = Rect::new(1, 1, 68, 20);
        let (view, _, _) = fit(&dark, inner, &z.points);
        assert!(view.outside > 0, "{view:?}");
        let legend = format!("{} outside", view.outside);
        assert!(frame.contains(&legend), "{legend}\n{frame}");
        assert_eq!(
            frame.matches('×').count(),
            z.points.len() - view.outside + 1,
            "{frame}"
        );
        insta::assert_snapshot!("t_plane_diverging_70x22", frame);
        let ascii = Theme::new(ThemeName::Mono, true);
        let (frame, _) = panel(0.7, ascii, 40, 12);
        // The border is made ASCII for the whole screen later; the plot itself is already.
        let rows: Vec<&str> = frame.lines().collect();
        let plot: String = rows[1..rows.len() - 1]
            .iter()
            .map(|l| &l['│'.len_utf8()..l.len() - '│'.len_utf8()])
            .collect();
        assert!(
            plot.is_ascii() && frame.contains("zeros, 2 outside"),
            "{frame}"
        );
        insta::assert_snapshot!("t_plane_diverging_ascii_40x12", frame);
    }
}
