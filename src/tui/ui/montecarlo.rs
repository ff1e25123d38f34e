//! The Monte Carlo panel: N, samples/s, seed and status; the estimate R^ ± se against the exact
//! penalty with the agreement in standard errors; the histogram of x̃β with the true convergence
//! interval [xβ − r, xβ + r] and the 2π interval; and the estimate over samples with its ±2 se
//! band and the exact R.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::plot::{self, Figure, Plot};
use crate::engine::PAPER_RADIUS;
use crate::montecarlo::{McStats, WorkerStatus};
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::scale::{Axis, extent};
use crate::tui::theme::{Glyph, Role, Theme};

/// Draws the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let status = match &app.worker {
        None => "off",
        Some(WorkerStatus::Idle) => "idle",
        Some(WorkerStatus::Running) => "running",
        Some(WorkerStatus::Paused) => "paused",
        Some(WorkerStatus::Failed(_)) => "failed",
    };
    let block = super::panel(theme, format!("Monte Carlo ({status})"), None);
    let inner = block.inner(area);
    block.render(area, buf);
    let stats = match (&app.worker, app.current_monte_carlo()) {
        (None, _) => {
            let text = "not running in this session";
            return super::note(theme, inner, buf, text, Role::Dim);
        }
        (Some(WorkerStatus::Failed(why)), _) => {
            return super::note(theme, inner, buf, &format!("{why} (r restarts)"), Role::Bad);
        }
        (_, None) => {
            let text = theme.text("sampling…", "sampling...");
            return super::note(theme, inner, buf, text, Role::Warn);
        }
        (_, Some(stats)) => stats,
    };
    let exact = app
        .current()
        .and_then(|c| c.report.as_ref().ok())
        .and_then(|r| r.exact_penalty);
    let estimate = shown_estimate(stats, exact);
    let missing = format::missing_exact(&app.params);
    let text = summary(
        theme,
        stats,
        exact,
        missing,
        app.monte_carlo_paused,
        inner.width,
    );
    let [top, charts] =
        Layout::vertical([Constraint::Length(text.len() as u16), Constraint::Fill(1)]).areas(inner);
    Paragraph::new(text).render(top, buf);
    if charts.height < 3 {
        return;
    }
    if charts.width >= 50 && estimate.is_some() {
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Fill(1)]).areas(charts);
        histogram(app, stats, left, buf);
        trace(theme, stats, exact, right, buf);
    } else {
        histogram(app, stats, charts, buf);
    }
}

/// The estimate and its standard error as they may be shown: `None` when the mean is non-zero
/// but below the smallest normal f64, or exactly 0 while the exact R is missing (then the
/// samples underflowed and a 0 would not be a true zero).
pub(super) fn shown_estimate(m: &McStats, exact: Option<f64>) -> Option<(f64, f64)> {
    let subnormal = |v: f64| v != 0.0 && v.abs() < f64::MIN_POSITIVE;
    let underflowed = m.mean == 0.0 && exact.is_none();
    (!subnormal(m.mean) && !subnormal(m.std_error) && !underflowed).then_some((m.mean, m.std_error))
}

/// Two or three lines: N, rate (or `paused`), seed; the estimate (or `n/a` and `missing`, why
/// it cannot be shown); its agreement with R.
fn summary(
    theme: &Theme,
    m: &McStats,
    exact: Option<f64>,
    missing: &str,
    paused: bool,
    width: u16,
) -> Vec<Line<'static>> {
    let dim = theme.style(Role::Dim);
    let value = theme.style(Role::Value);
    let hat = "R^";
    let mut groups = vec![
        vec![
            Span::styled("N=", dim),
            Span::styled(format::count(m.samples), value),
        ],
        if paused {
            vec![Span::styled("paused", theme.style(Role::Warn))]
        } else {
            vec![
                Span::styled(format::num(m.samples_per_second, 3), value),
                Span::styled("/s", dim),
            ]
        },
    ];
    let label = "seed ";
    let mark = theme.text("…", "...");
    if let Some(seed) = format::elide(
        &m.seed.to_string(),
        (width as usize).saturating_sub(label.len()),
        mark,
    ) {
        groups.push(vec![Span::styled(label, dim), Span::styled(seed, value)]);
    }
    let Some((mean, std_error)) = shown_estimate(m, exact) else {
        groups.push(vec![
            Span::styled(format!("{hat} = "), dim),
            Span::styled(format::MISSING, theme.style(Role::Warn)),
            Span::styled(format!(" ({missing})"), dim),
        ]);
        return fitted(groups, width);
    };
    groups.push(vec![
        Span::styled(format!("{hat} = "), dim),
        Span::styled(format::num(mean, 5), theme.style(Role::MonteCarlo)),
        Span::styled(
            format!(" {} {}", theme.text("±", "+-"), format::num(std_error, 2)),
            dim,
        ),
    ]);
    if let Some(r) = exact {
        let z = (m.mean - r).abs() / m.std_error;
        let role = if !z.is_finite() || z > 5.0 {
            Role::Bad
        } else if z > 3.0 {
            Role::Warn
        } else {
            Role::Good
        };
        let text = if z.is_finite() {
            format!("|{hat}-R| = {} se", format::num(z, 2))
        } else {
            format!("|{hat}-R| = {}", format::num((m.mean - r).abs(), 2))
        };
        groups.push(vec![Span::styled(text, theme.style(role))]);
    } else {
        groups.push(vec![Span::styled("no exact R to compare", dim)]);
    }
    fitted(groups, width)
}

/// The groups wrapped into lines of `width`; a group wider than a line is left out rather than
/// cut (the seed is elided before this, and so always fits).
fn fitted(mut groups: Vec<Vec<Span<'static>>>, width: u16) -> Vec<Line<'static>> {
    groups.retain(|g| g.iter().map(Span::width).sum::<usize>() <= width as usize);
    super::header::wrap(groups, width, 2)
}

/// The true interval's line: braille in colour, `│` in mono, `|` in ASCII.
const TRUE_LINE: Glyph = Glyph::mark('│', '|');
/// The 2π interval's line: braille in colour, `┆` in mono, `:` in ASCII.
const PAPER_LINE: Glyph = Glyph::mark('┆', ':');

/// Histogram of x̃β with the true convergence interval (where the series has a radius) and, for
/// the logistic model, the 2π interval around xβ; a key line above names the bin and the lines.
fn histogram(app: &App, m: &McStats, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let h = &m.histogram;
    let xb = app.params.xb;
    let radius = app
        .current()
        .and_then(|c| c.report.as_ref().ok())
        .and_then(|r| r.radius.true_radius);
    let logistic = app.params.model == crate::params::Model::Logistic;
    let mut marks = Vec::new();
    if logistic {
        marks.push((xb - PAPER_RADIUS, Role::PaperRadius));
        marks.push((xb + PAPER_RADIUS, Role::PaperRadius));
    }
    if let Some(r) = radius {
        marks.push((xb - r, Role::TrueRadius));
        marks.push((xb + r, Role::TrueRadius));
    }
    let [key_row, area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let key = histogram_key(theme, h.bin_width(), radius.is_some(), logistic, area.width);
    Paragraph::new(key).render(key_row, buf);
    let span = h.hi - h.lo;
    let mut edges = vec![h.lo, h.hi];
    edges.extend(
        marks
            .iter()
            .map(|(x, _)| *x)
            .filter(|x| *x > h.lo - 1.5 * span && *x < h.hi + 1.5 * span),
    );
    let (lo, hi) = extent(edges).unwrap_or((h.lo, h.hi));
    let top = h.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let mut x = Axis::linear([lo, hi], (area.width / 8).max(2) as usize);
    x.bounds = [lo, hi];
    x.ticks.retain(|(t, _)| *t >= lo && *t <= hi);
    let y = Axis {
        scale: crate::tui::scale::Scale::Linear,
        bounds: [0.0, 1.0],
        ticks: Vec::new(),
    };
    let mut chart = Plot::new(x, y, theme);
    let tops = h
        .counts
        .iter()
        .enumerate()
        .filter(|(_, c)| **c > 0)
        .map(|(i, c)| (h.bin_center(i), *c as f64 / top))
        .collect();
    for (x, role) in &marks {
        let glyph = if *role == Role::TrueRadius {
            TRUE_LINE
        } else {
            PAPER_LINE
        };
        chart.layer(Figure::VLine(*x), *role, glyph);
    }
    chart.layer(
        Figure::Bars { base: 0.0, tops },
        Role::Support,
        Glyph::mark('┃', '#'),
    );
    chart.label(xb, 1.0, theme.text("xβ", "xb"), Role::Highlight);
    chart.render(area, buf);
}

/// The histogram's key: its name and bin width, then the interval lines drawn (`true r` where
/// there is a radius, `2π` for the logistic model), in the longest form that fits `width`.
fn histogram_key(
    theme: &Theme,
    bin: f64,
    has_radius: bool,
    logistic: bool,
    width: u16,
) -> Line<'static> {
    let name = theme.text("x̃β", "S");
    let bin = format::num(bin, 2);
    let pi2 = theme.text("2π", "2pi");
    let forms = [
        (format!("{name} histogram, bin {bin}"), "true r"),
        (format!("{name}, bin {bin}"), "r"),
        (format!("bin {bin}"), "r"),
    ];
    let line = |(title, true_name): &(String, &str)| {
        let mut spans = vec![Span::styled(title.clone(), theme.style(Role::Dim))];
        let entries = [
            (has_radius, Role::TrueRadius, TRUE_LINE, *true_name),
            (logistic, Role::PaperRadius, PAPER_LINE, pi2),
        ];
        for (shown, role, glyph, text) in entries {
            if shown {
                spans.push(Span::raw("  "));
                spans.push(Span::styled(theme.legend_mark(glyph), theme.style(role)));
                spans.push(Span::raw(format!(" {text}")));
            }
        }
        Line::from(spans)
    };
    forms
        .iter()
        .map(line)
        .find(|l| l.width() <= usize::from(width))
        .unwrap_or_else(|| line(&forms[2]))
}

/// The running estimate over samples with its ±2 se band and the exact R.
fn trace(theme: &Theme, m: &McStats, exact: Option<f64>, area: Rect, buf: &mut Buffer) {
    if m.trace.len() < 2 {
        return;
    }
    let band = |sign: f64| {
        Figure::Lines(vec![
            m.trace
                .iter()
                .filter(|t| t.2.is_finite())
                .map(|t| (t.0 as f64, t.1 + sign * 2.0 * t.2))
                .collect(),
        ])
    };
    let mut values: Vec<f64> = m
        .trace
        .iter()
        .filter(|t| t.2.is_finite())
        .flat_map(|t| [t.1 - 2.0 * t.2, t.1 + 2.0 * t.2])
        .collect();
    values.extend(m.trace.iter().map(|t| t.1));
    values.extend(exact);
    let rows = area.height.saturating_sub(1) as usize;
    let mut y = Axis::linear(values, rows / 2 + 1);
    distinct_ticks(&mut y);
    let first = m.trace[0].0 as f64;
    let last = m.trace[m.trace.len() - 1].0 as f64;
    let mut x = Axis::linear([first, last], (area.width / 9).max(2) as usize);
    x.bounds = [first, last.max(first + 1.0)];
    x.ticks.retain(|(t, _)| *t >= first && *t <= last);
    for tick in &mut x.ticks {
        tick.1 = format::num(tick.0, 2);
    }
    let mut chart = Plot::new(x, y, theme);
    if let Some(r) = exact {
        chart.layer(Figure::HLine(r), Role::Exact, Glyph::mark('─', '-'));
    }
    chart.layer(band(-1.0), Role::MonteCarlo, Glyph::mark('┈', '='));
    chart.layer(band(1.0), Role::MonteCarlo, Glyph::mark('┈', '='));
    let mean = plot::runs(m.trace.iter().map(|t| (t.0 as f64, Some(t.1))), &chart.y);
    chart.layer(mean, Role::MonteCarlo, Glyph::curve('*'));
    let top = chart.y.bounds[1];
    let key = match exact {
        Some(_) => format!(
            "R^ over N  {} R  {}2se",
            theme.text("─", "-"),
            theme.text("┈ ±", "= +-")
        ),
        None => format!("R^ over N  {}2se", theme.text("┈ ±", "= +-")),
    };
    chart.label(first, top, key, Role::Dim);
    chart.render(area, buf);
}

/// Tick labels with the fewest significant digits (from 3) that tell every tick apart.
fn distinct_ticks(axis: &mut Axis) {
    for sig in 3..=12 {
        let labels: Vec<String> = axis.ticks.iter().map(|t| format::num(t.0, sig)).collect();
        let mut sorted = labels.clone();
        sorted.sort();
        sorted.dedup();
        if sorted.len() == labels.len() || sig == 12 {
            for (tick, label) in axis.ticks.iter_mut().zip(labels) {
                tick.1 = label;
            }
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::Histogram;
    use crate::params::Params;
    use crate::settings::ThemeName;

    fn stats() -> McStats {
        McStats {
            generation: 1,
            samples: 1000,
            mean: 0.3,
            std_error: 1e-3,
            ci95: (0.298, 0.302),
            samples_per_second: 5e7,
            seed: 9,
            histogram: Histogram::for_params(&Params::default()),
            trace: Vec::new(),
        }
    }

    fn text(lines: &[Line]) -> String {
        lines
            .iter()
            .flat_map(|l| l.spans.iter().map(|s| s.content.to_string()))
            .collect()
    }

    /// The Monte Carlo panel alone, with the stand-in statistics, in `theme`.
    fn panel(params: &Params, theme: Theme, width: u16, height: u16) -> String {
        use crate::settings::View;
        let mut app = crate::tui::computed_app(params, View::Dashboard, theme);
        app.worker = Some(WorkerStatus::Running);
        app.monte_carlo = Some(Box::new(crate::tui::stand_in_stats(params, app.generation)));
        let area = Rect::new(0, 0, width, height);
        let mut buf = Buffer::empty(area);
        render(&app, area, &mut buf);
        crate::tui::buffer_text(&buf)
    }

    #[test]
    fn the_histogram_key_names_the_lines_it_draws() {
        let linear = Params {
            model: crate::params::Model::Linear,
            ..Params::default()
        };
        for (ascii, true_mark, paper_mark) in [(false, '│', '┆'), (true, '|', ':')] {
            let theme = Theme::new(ThemeName::Mono, ascii);
            for width in [62u16, 100] {
                let text = panel(&Params::default(), theme, width, 22);
                let (key_at, key) = text
                    .lines()
                    .enumerate()
                    .find(|(_, l)| l.contains("bin "))
                    .unwrap_or_else(|| panic!("no histogram key\n{text}"));
                let pi2 = if ascii { "2pi" } else { "2π" };
                assert!(key.contains(&format!("{paper_mark} {pi2}")), "{key}");
                assert!(key.contains(&format!("{true_mark} ")), "{key}");
                // The histogram is the left half: its rows below the key hold both lines.
                let half = usize::from(width) / 2;
                let chart: String = text
                    .lines()
                    .skip(key_at + 1)
                    .map(|l| l.chars().skip(2).take(half - 4).collect::<String>())
                    .collect();
                assert!(chart.contains(paper_mark), "ascii={ascii}\n{text}");
                assert!(chart.contains(true_mark), "ascii={ascii}\n{text}");
            }
            let text = panel(&linear, theme, 100, 22);
            let key = text.lines().find(|l| l.contains("bin ")).unwrap();
            assert!(!key.contains("2p") && !key.contains("true"), "{key}");
            assert!(
                !text.contains(paper_mark),
                "linear draws no 2π line\n{text}"
            );
        }
    }

    #[test]
    fn the_histogram_key_fits_its_width() {
        let theme = Theme::new(ThemeName::Mono, false);
        for width in [20u16, 26, 31, 60] {
            let key = histogram_key(&theme, 0.33, true, true, width);
            assert!(key.width() <= usize::from(width), "{width}: {key:?}");
            let text: String = key.spans.iter().map(|s| s.content.to_string()).collect();
            assert!(text.contains("bin 0.33"), "{text}");
            assert!(text.contains("│ ") && text.contains("┆ 2π"), "{text}");
        }
        let wide = histogram_key(&theme, 0.33, true, true, 60);
        let text: String = wide.spans.iter().map(|s| s.content.to_string()).collect();
        assert_eq!(text, "x̃β histogram, bin 0.33  │ true r  ┆ 2π");
    }

    #[test]
    fn trace_ticks_are_told_apart() {
        let mut axis = Axis::linear([0.010_301, 0.010_309], 5);
        distinct_ticks(&mut axis);
        let mut labels: Vec<&str> = axis.ticks.iter().map(|t| t.1.as_str()).collect();
        let n = labels.len();
        assert!(n >= 3, "{labels:?}");
        labels.dedup();
        assert_eq!(labels.len(), n, "{:?}", axis.ticks);
        for (v, label) in &axis.ticks {
            let shown: f64 = label.parse().unwrap();
            assert!((shown - v).abs() <= 1e-9, "{v} reads {label}");
        }
    }

    #[test]
    fn a_paused_run_shows_no_rate() {
        let theme = Theme::new(ThemeName::Dark, false);
        let running = text(&summary(&theme, &stats(), Some(0.3), "why", false, 80));
        assert!(running.contains("5e7/s"), "{running}");
        let paused = text(&summary(&theme, &stats(), Some(0.3), "why", true, 80));
        assert!(
            paused.contains("paused") && !paused.contains("/s"),
            "{paused}"
        );
    }

    #[test]
    fn an_underflowed_estimate_is_not_shown_as_zero() {
        let theme = Theme::new(ThemeName::Dark, false);
        let why = "below the smallest f64";
        let zero = McStats {
            mean: 0.0,
            std_error: 0.0,
            ..stats()
        };
        let shown = text(&summary(&theme, &zero, None, why, false, 80));
        assert!(
            shown.contains("R^ = n/a (below the smallest f64)"),
            "{shown}"
        );
        assert!(!shown.contains("= 0"), "{shown}");
        let subnormal = McStats {
            mean: 3e-310,
            std_error: 1e-311,
            ..stats()
        };
        let shown = text(&summary(&theme, &subnormal, Some(3e-310), why, false, 80));
        assert!(shown.contains("R^ = n/a"), "{shown}");
        let tiny_error = McStats {
            std_error: 1e-320,
            ..stats()
        };
        assert_eq!(shown_estimate(&tiny_error, Some(0.3)), None);
        // A true zero (the exact R is 0 too) and a normal value still read as numbers.
        assert_eq!(shown_estimate(&zero, Some(0.0)), Some((0.0, 0.0)));
        let normal = text(&summary(&theme, &stats(), Some(0.3), why, false, 80));
        assert!(normal.contains("R^ = 0.3"), "{normal}");
    }

    #[test]
    fn a_narrow_panel_elides_the_seed_and_cuts_no_number() {
        let theme = Theme::new(ThemeName::Dark, false);
        let m = McStats {
            seed: u64::MAX,
            ..stats()
        };
        let full = u64::MAX.to_string();
        for width in [8u16, 12, 22, 25, 30] {
            let lines = summary(&theme, &m, Some(0.3), "why", false, width);
            for line in &lines {
                assert!(line.width() <= width as usize, "{width}: {line:?}");
            }
            let shown = text(&lines);
            if width >= 25 {
                assert!(shown.contains(&format!("seed {full}")), "{width}: {shown}");
            } else if let Some((_, rest)) = shown.split_once("seed ") {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                assert!(full.starts_with(&digits) && !digits.is_empty(), "{shown}");
                assert!(rest[digits.len()..].starts_with('…'), "{width}: {shown}");
            }
        }
        let at_22 = text(&summary(&theme, &m, Some(0.3), "why", false, 22));
        assert!(at_22.contains("seed 1844674407370955…"), "{at_22}");
    }
}
