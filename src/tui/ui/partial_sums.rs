//! Partial sums R_k against the order k, with the exact penalty R, Wager's quadratic R_2, the
//! best order k*, the current R_k and the Monte Carlo ±2 se band where it has rows of its own
//! and the estimate can be shown (not underflowed).
//! Symmetric-log y axis by default.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line as TextLine;
use ratatui::widgets::Widget;

use super::plot::{self, Figure, Plot};
use crate::engine::Report;
use crate::settings::YScale;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::scale::Axis;
use crate::tui::theme::{Glyph, Role, Theme};

/// Draws the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let title = format!(
        "Partial sums R_k against order k ({} y)",
        app.y_scale.name()
    );
    let Some(report) = super::report_or_note(app, title.clone(), area, buf) else {
        return;
    };
    let k = report.params.order;
    let exact = report.exact_penalty;
    let band = app
        .current_monte_carlo()
        .and_then(|m| super::montecarlo::shown_estimate(m, exact))
        .filter(|(_, se)| se.is_finite())
        .map(|(mean, se)| (mean - 2.0 * se, mean + 2.0 * se));
    let mut values: Vec<f64> = report
        .partial_sums
        .iter()
        .skip(2)
        .flatten()
        .copied()
        .collect();
    values.extend(exact);
    values.extend(report.quadratic);
    if values.is_empty() {
        // Every value underflowed or overflowed: say so instead of drawing empty axes.
        let block = super::panel(theme, title, None);
        let inner = block.inner(area);
        block.render(area, buf);
        let sub2 = theme.text("R₂", "R_2");
        let text =
            format!("nothing to draw: no partial sum R_m, no R and no {sub2} fits in f64 here");
        return super::note(theme, inner, buf, &text, Role::Warn);
    }
    if let Some((lo, hi)) = band {
        values.extend([lo, hi]);
    }
    let inner = super::panel(theme, String::new(), None).inner(area);
    let rows = inner.height.saturating_sub(1) as usize;
    let y = match app.y_scale {
        YScale::SymLog => Axis::symlog(values, exact.or(report.quadratic), rows / 2 + 1),
        YScale::Linear => Axis::linear(values, rows / 2 + 1),
    };
    let mut x = Axis::linear([0.0, k.max(2) as f64], (inner.width / 8).max(2) as usize);
    // Orders are whole numbers: keep the whole ticks, labelled without decimals.
    x.ticks.retain(|(t, _)| t.fract() == 0.0);
    for (t, label) in &mut x.ticks {
        *label = format!("{}", *t as i64);
    }

    let mut chart = Plot::new(x, y, theme);
    let band = band.filter(|band| band_is_seen(&chart, inner, *band, exact));
    if let Some((lo, hi)) = band {
        let y = &chart.y;
        let (lo, hi) = (y.map(lo), y.map(hi));
        chart.layer(Figure::HLine(lo), Role::MonteCarlo, Glyph::mark('┈', '='));
        chart.layer(Figure::HLine(hi), Role::MonteCarlo, Glyph::mark('┈', '='));
    }
    if let Some(r) = exact {
        let y = chart.y.map(r);
        chart.layer(Figure::HLine(y), Role::Exact, Glyph::mark('─', '-'));
    }
    let series = plot::runs(
        report
            .partial_sums
            .iter()
            .enumerate()
            .skip(2)
            .map(|(m, v)| (m as f64, *v)),
        &chart.y,
    );
    chart.layer(series, Role::Partial, Glyph::curve('*'));
    let (r2_mark, best_mark, now_mark) = marks(theme);
    if let Some(r2) = report.quadratic {
        let y = chart.y.map(r2);
        chart.label(2.0, y, r2_mark, Role::Quadratic);
    }
    if let Some(best) = report.best_order
        && let Some(Some(v)) = report.partial_sums.get(best.order)
    {
        let y = chart.y.map(*v);
        chart.label(best.order as f64, y, best_mark, Role::Highlight);
    }
    if let Some(Some(v)) = report.partial_sums.get(k) {
        let y = chart.y.map(*v);
        chart.label(k as f64, y, now_mark, Role::Highlight);
    }

    let legend = legend(theme, report, band.is_some(), area.width);
    let block = super::panel(theme, title, super::plot::shown_legend(area, legend));
    let inner = block.inner(area);
    block.render(area, buf);
    chart.render(inner, buf);
}

/// Whether the Monte Carlo band [lo, hi] shows on its own rows: with the exact R drawn, both of
/// its lines must land on rows other than R's (on the symlog axis a band of a few standard
/// errors usually lies within R's row, hidden under it, and is then neither drawn nor listed).
fn band_is_seen(chart: &Plot, area: Rect, (lo, hi): (f64, f64), exact: Option<f64>) -> bool {
    let row = |v: f64| chart.cell_row(area, chart.y.map(v));
    exact.is_none_or(|r| row(lo) != row(r) && row(hi) != row(r))
}

/// The legend (long, or short where the panel is narrow), naming only what is drawn.
fn legend(theme: &Theme, report: &Report, has_band: bool, width: u16) -> TextLine<'static> {
    let k = report.params.order;
    let exact = report.exact_penalty;
    let (r2_mark, best_mark, _) = marks(theme);
    let sub2 = theme.text("R₂", "R_2");
    let rk = report.partial_sums.get(k).copied().flatten();
    // The R_m curve and the mark at its end, R_k.
    let long = [
        (
            Role::Partial,
            theme.text("⣀●", "*@"),
            format!("R_{k} = {}", format::opt(rk, 4)),
        ),
        (
            Role::Exact,
            theme.text("─", "-"),
            format!("R = {}", exact_text(report)),
        ),
        (
            Role::Quadratic,
            r2_mark,
            format!("{sub2} = {} (Wager)", format::opt(report.quadratic, 4)),
        ),
        (Role::Highlight, best_mark, best_text(report, theme)),
        (
            Role::MonteCarlo,
            theme.text("┈", "="),
            "MC ±2se".to_string(),
        ),
    ];
    let short = [
        (Role::Partial, long[0].1, "R_k".to_string()),
        (Role::Exact, long[1].1, "R".to_string()),
        (Role::Quadratic, r2_mark, sub2.to_string()),
        (Role::Highlight, best_mark, "k*".to_string()),
        (Role::MonteCarlo, long[4].1, "MC".to_string()),
    ];
    let shown = [true, exact.is_some(), report.best_order.is_some(), has_band];
    let keep = |items: &[(Role, &'static str, String)]| -> Vec<(Role, &'static str, String)> {
        items
            .iter()
            .zip([true, shown[1], true, shown[2], shown[3]])
            .filter(|(_, show)| *show)
            .map(|(item, _)| item.clone())
            .collect()
    };
    plot::fit_legend(theme, &keep(&long), &keep(&short), width)
}

/// The marks for R_2, k* and the current R_k.
fn marks(theme: &Theme) -> (&'static str, &'static str, &'static str) {
    (
        theme.text("◆", "o"),
        theme.text("▲", "^"),
        theme.text("●", "@"),
    )
}

fn exact_text(report: &Report) -> String {
    report.exact_penalty.map_or_else(
        || format!("n/a, {}", format::missing_exact(&report.params)),
        |r| format::num(r, 5),
    )
}

/// k* and |R_k* − R| with only the digits its bound leaves (`0±…` when the bound reaches it).
fn best_text(report: &Report, theme: &Theme) -> String {
    report.best_order.map_or_else(String::new, |b| {
        let error = format::bounded_num(b.error, b.error_bound, 2, theme.text("±", "+-"));
        format!("k* = {} (error {error})", b.order)
    })
}

#[cfg(test)]
mod tests {
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    use crate::montecarlo::{Histogram, McStats};
    use crate::params::Params;
    use crate::settings::{ThemeName, View, YScale};
    use crate::tui::theme::Theme;

    /// The partial-sums panel in mono (the band drawn `┈`) with a Monte Carlo of this mean and
    /// standard error: the chart's rows and the legend on the bottom border.
    fn panel(mean_over_r: f64, se_over_r: f64, y_scale: YScale) -> (String, String) {
        let params = Params::default();
        let mut app =
            crate::tui::computed_app(&params, View::Dashboard, Theme::new(ThemeName::Mono, false));
        app.y_scale = y_scale;
        let r = app
            .current()
            .unwrap()
            .report
            .as_ref()
            .unwrap()
            .exact_penalty;
        let r = r.expect("the default parameters have an exact R");
        app.monte_carlo = Some(Box::new(McStats {
            generation: app.generation,
            samples: 1 << 20,
            mean: mean_over_r * r,
            std_error: se_over_r * r,
            ci95: (0.0, 0.0),
            samples_per_second: 1e7,
            seed: 1,
            histogram: Histogram::for_params(&params),
            trace: Vec::new(),
        }));
        let area = Rect::new(0, 0, 100, 20);
        let mut buf = Buffer::empty(area);
        super::render(&app, area, &mut buf);
        let text = crate::tui::buffer_text(&buf);
        let (chart, legend) = text.rsplit_once('\n').unwrap();
        (chart.to_string(), legend.to_string())
    }

    #[test]
    fn an_underflowed_estimate_draws_no_band() {
        let params = Params {
            xb: 800.0,
            delta: 0.999999,
            dimension: 1_000_000_000_000,
            ..Params::default()
        };
        let mut app =
            crate::tui::computed_app(&params, View::Dashboard, Theme::new(ThemeName::Mono, false));
        let report = app.current().unwrap().report.as_ref().unwrap();
        assert_eq!(report.exact_penalty, None, "R underflows here");
        app.monte_carlo = Some(Box::new(McStats {
            generation: app.generation,
            samples: 1 << 20,
            mean: 0.0,
            std_error: 0.0,
            ci95: (0.0, 0.0),
            samples_per_second: 1e7,
            seed: 1,
            histogram: Histogram::for_params(&params),
            trace: Vec::new(),
        }));
        let area = Rect::new(0, 0, 100, 20);
        let mut buf = Buffer::empty(area);
        super::render(&app, area, &mut buf);
        let text = crate::tui::buffer_text(&buf);
        assert!(!text.contains("MC"), "{text}");
        assert!(!text.contains('┈'), "{text}");
        // Nothing else fits in f64 either: the panel says so rather than drawing bare axes.
        assert!(text.contains("nothing to draw"), "{text}");
        assert!(!text.contains('┤'), "{text}");
    }

    #[test]
    fn the_band_is_listed_exactly_when_it_is_drawn() {
        for scale in [YScale::SymLog, YScale::Linear] {
            // A band of ±2e-6 R lies inside R's row: neither drawn nor listed.
            let (chart, legend) = panel(1.0, 1e-6, scale);
            assert!(legend.contains("─ R = "), "{scale:?}: {legend}");
            assert!(!legend.contains("MC"), "{scale:?}: {legend}");
            assert!(!chart.contains('┈'), "{scale:?}:\n{chart}");
            // A band from 3 R to 7 R has rows of its own on either scale: drawn and listed.
            let (chart, legend) = panel(5.0, 1.0, scale);
            assert!(legend.contains("┈ MC ±2se"), "{scale:?}: {legend}");
            let rows = chart.lines().filter(|l| l.contains("┈┈┈┈")).count();
            assert_eq!(rows, 2, "{scale:?}: two band lines\n{chart}");
        }
    }
}
