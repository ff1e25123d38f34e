//! The dashboard with the softmax model selected: the class probabilities p = softmax(b + η0), the
//! partial sums R_m against the exact R (or the Monte Carlo estimate, labelled, where R is
//! n/a), the complex t-plane of the worst mask, the penalty against a scale s of the logits,
//! and the Monte Carlo of real softmax masks. Every number comes from the engine's report, the
//! scale sweep or the worker's statistics.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::plot::{self, Figure, Plot};
use crate::engine::softmax::SoftmaxReport;
use crate::montecarlo::{McStats, WorkerStatus};
use crate::settings::YScale;
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::scale::Axis;
use crate::tui::theme::{Glyph, Role, Theme};

/// The partial sums R_m (and R_k against the scale): the main curve, braille except in ASCII.
const PARTIAL: Glyph = Glyph::curve('*');
/// The exact R (or its Monte Carlo stand-in): braille in colour, `─` in mono, `-` in ASCII.
const EXACT: Glyph = Glyph::mark('─', '-');
/// Wager's R₂ against the scale: braille in colour, `·` in mono, `o` in ASCII.
const QUADRATIC: Glyph = Glyph::mark('·', 'o');

/// Draws the softmax dashboard in `area`.
pub fn dashboard(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let report = match app.current_softmax() {
        Some(Ok(r)) => r,
        other => {
            let block = super::panel(theme, "Softmax".to_string(), None);
            let inner = block.inner(area);
            block.render(area, buf);
            let (text, role) = match other {
                Some(Err(e)) => (e.clone(), Role::Bad),
                _ => (super::computing(theme).to_string(), Role::Warn),
            };
            return super::note(theme, inner, buf, &text, role);
        }
    };
    let [upper, lower] =
        Layout::vertical([Constraint::Percentage(55), Constraint::Fill(1)]).areas(area);
    let [sums, right] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(upper);
    let [bar, plane] = Layout::vertical([Constraint::Length(4), Constraint::Fill(1)]).areas(right);
    let [curve, mc] =
        Layout::horizontal([Constraint::Percentage(55), Constraint::Fill(1)]).areas(lower);
    partial_sums(app, report, sums, buf);
    probabilities(theme, report, bar, buf);
    super::t_plane::render(theme, report, plane, buf);
    scale_chart(app, report, curve, buf);
    monte_carlo(app, report, mc, buf);
}

/// The mark of class k (1-based) in the probability bar: 1–9, then a–z, then `+`.
fn class_mark(k: usize) -> char {
    match k {
        1..=9 => char::from(b'0' + k as u8),
        10..=35 => char::from(b'a' + (k - 10) as u8),
        _ => '+',
    }
}

/// The class-probability bar: one segment per class, as wide as its probability, and the
/// probabilities in order as far as they fit.
fn probabilities(theme: &Theme, r: &SoftmaxReport, area: Rect, buf: &mut Buffer) {
    let title = if area.width >= 44 {
        "Class probabilities p = softmax(η0)"
    } else {
        "p = softmax(η0)"
    };
    let logits = match &r.params.offset {
        Some(b) if b.iter().any(|&v| v != 0.0) => theme.text("b + η0", "b + eta0"),
        _ => theme.text("η0", "eta0"),
    };
    let block = super::panel(theme, title.replace("η0", logits), None);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let width = usize::from(inner.width);
    let mut bar = String::new();
    let mut cumulative = 0.0;
    let mut filled = 0usize;
    for (k, p) in r.probabilities.iter().enumerate() {
        cumulative += p;
        let end = ((cumulative * width as f64).round() as usize).min(width);
        bar.extend(std::iter::repeat_n(
            class_mark(k + 1),
            end.saturating_sub(filled),
        ));
        filled = filled.max(end);
    }
    let roles = [
        Role::Partial,
        Role::Quadratic,
        Role::TrueRadius,
        Role::MonteCarlo,
    ];
    let spans: Vec<Span> = bar
        .chars()
        .map(|c| {
            let k = c.to_digit(36).unwrap_or(0) as usize;
            Span::styled(
                c.to_string(),
                theme
                    .style(roles[k % roles.len()])
                    .add_modifier(ratatui::style::Modifier::REVERSED),
            )
        })
        .collect();
    let mut lines = vec![Line::from(spans)];
    if inner.height > 1 {
        let items: Vec<String> = r
            .probabilities
            .iter()
            .enumerate()
            .map(|(k, p)| format!("p{}={}", k + 1, format::num(*p, 3)))
            .collect();
        // Whole items only: the ones that do not fit give way to a mark, never a cut number.
        let mark = theme.text("…", "...");
        let mut shown = items.len();
        let text = loop {
            let mut t = items[..shown].join("  ");
            if shown < items.len() {
                t.push_str(if shown > 0 { "  " } else { "" });
                t.push_str(mark);
            }
            if t.chars().count() <= width || shown == 0 {
                break t;
            }
            shown -= 1;
        };
        lines.push(Line::styled(text, theme.style(Role::Text)));
    }
    Paragraph::new(lines).render(inner, buf);
}

/// The reference the partial sums are measured against: the exact R, else the Monte Carlo
/// estimate (labelled), else none.
fn reference(app: &App, r: &SoftmaxReport) -> Option<(f64, &'static str)> {
    match r.exact_penalty {
        Some(v) => Some((v, "R")),
        None => app
            .current_monte_carlo()
            .and_then(shown_mean)
            .map(|m| (m, "R^ (MC)")),
    }
}

/// The Monte Carlo mean when it may be shown (finite, not subnormal).
fn shown_mean(m: &McStats) -> Option<f64> {
    let v = m.mean;
    (v.is_finite() && (v == 0.0 || v.abs() >= f64::MIN_POSITIVE)).then_some(v)
}

/// Partial sums R_k against the order k, with R (or the Monte Carlo estimate) and R₂.
fn partial_sums(app: &App, r: &SoftmaxReport, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let scale = app.y_scale.name();
    let title = super::fit_title(
        area.width,
        &[
            format!("Partial sums R_k against order k ({scale} y)"),
            format!("Partial sums R_k ({scale})"),
            "Partial sums R_k".to_string(),
        ],
    );
    let k = r.params.order;
    let reference = reference(app, r);
    let mut values: Vec<f64> = r.partial_sums.iter().skip(2).flatten().copied().collect();
    values.extend(reference.map(|(v, _)| v));
    values.extend(r.quadratic);
    let sub2 = theme.text("R₂", "R_2");
    let rk = r.partial_sums.get(k).copied().flatten();
    let (partial_mark, exact_mark) = (theme.legend_mark(PARTIAL), theme.legend_mark(EXACT));
    let mut long = vec![(
        Role::Partial,
        partial_mark.as_str(),
        format!(
            "R_{k} = {}",
            rk.map_or_else(
                || format::opt(None, 4),
                |v| format::bounded_num(
                    v,
                    r.partial_sum_errors.get(k).copied().flatten(),
                    4,
                    theme.text("±", "+-")
                )
            )
        ),
    )];
    let mut short = vec![(Role::Partial, partial_mark.as_str(), "R_k".to_string())];
    match reference {
        Some((v, name)) => {
            long.push((
                Role::Exact,
                exact_mark.as_str(),
                format!("{name} = {}", format::num(v, 5)),
            ));
            short.push((Role::Exact, exact_mark.as_str(), name.to_string()));
        }
        None => long.push((
            Role::Dim,
            "",
            "R = n/a (no exact method; MC pending)".to_string(),
        )),
    }
    long.push((
        Role::Quadratic,
        theme.text("◆", "o"),
        format!("{sub2} = {}", format::opt(r.quadratic, 4)),
    ));
    short.push((Role::Quadratic, theme.text("◆", "o"), sub2.to_string()));
    if let Some(b) = r.best_order {
        long.push((
            Role::Highlight,
            theme.text("▲", "^"),
            format!("k* = {}", b.order),
        ));
        short.push((Role::Highlight, theme.text("▲", "^"), "k*".to_string()));
    }
    let legend = plot::fit_legend(theme, &long, &short, area.width);
    let block = super::panel(theme, title, super::plot::shown_legend(area, legend));
    let inner = block.inner(area);
    block.render(area, buf);
    if values.is_empty() {
        return super::note(
            theme,
            inner,
            buf,
            "no terms beyond the quadratic are known here",
            Role::Dim,
        );
    }
    let rows = inner.height.saturating_sub(1) as usize;
    let y = match app.y_scale {
        YScale::SymLog => Axis::symlog(
            values,
            reference.map(|(v, _)| v).or(r.quadratic),
            rows / 2 + 1,
        ),
        YScale::Linear => Axis::linear(values, rows / 2 + 1),
    };
    let mut x = Axis::linear([0.0, k.max(2) as f64], (inner.width / 8).max(2) as usize);
    x.ticks.retain(|(t, _)| t.fract() == 0.0);
    for (t, label) in &mut x.ticks {
        *label = format!("{}", *t as i64);
    }
    let mut chart = Plot::new(x, y, theme);
    if let Some((v, _)) = reference {
        let y = chart.y.map(v);
        chart.layer(Figure::HLine(y), Role::Exact, EXACT);
    }
    let series = plot::runs(
        r.partial_sums
            .iter()
            .enumerate()
            .skip(2)
            .map(|(m, v)| (m as f64, *v)),
        &chart.y,
    );
    chart.layer(series, Role::Partial, PARTIAL);
    if let Some(q) = r.quadratic {
        let y = chart.y.map(q);
        chart.label(2.0, y, theme.text("◆", "o"), Role::Quadratic);
    }
    if let Some(b) = r.best_order
        && let Some(Some(v)) = r.partial_sums.get(b.order)
    {
        let y = chart.y.map(*v);
        chart.label(b.order as f64, y, theme.text("▲", "^"), Role::Highlight);
    }
    chart.render(inner, buf);
}

/// R, R₂ and R_k against the scale s of the logits (η0 → s·η0), with the current s = 1.
fn scale_chart(app: &App, r: &SoftmaxReport, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let map = theme.text("η0 → s·η0", "eta0 -> s*eta0");
    let title = super::fit_title(
        area.width,
        &[
            format!(
                "Penalty against the scale s of the logits {map} ({} y)",
                app.y_scale.name()
            ),
            format!("Penalty against s: {map}"),
            "Penalty against s".to_string(),
        ],
    );
    let k = r.params.order;
    let sub2 = theme.text("R₂", "R_2");
    let curve = app.current_curve().filter(|c| !c.scale.is_empty());
    let diverges_from = curve
        .and_then(|c| c.scale.iter().find(|p| p.converges == Some(false)))
        .map(|p| p.scale);
    let marks = [EXACT, QUADRATIC, PARTIAL].map(|g| theme.legend_mark(g));
    let mut long = vec![
        (Role::Exact, marks[0].as_str(), "R".to_string()),
        (Role::Quadratic, marks[1].as_str(), sub2.to_string()),
        (Role::Partial, marks[2].as_str(), format!("R_{k}")),
    ];
    let short = long.clone();
    if let Some(s) = diverges_from {
        long.push((
            Role::Bad,
            "",
            format!("diverges at s = {}", format::num(s, 3)),
        ));
    }
    let legend = plot::fit_legend(theme, &long, &short, area.width);
    let block = super::panel(theme, title, super::plot::shown_legend(area, legend));
    let inner = block.inner(area);
    block.render(area, buf);
    let Some(curve) = curve else {
        let text = match app.current_curve().and_then(|c| c.error.clone()) {
            Some(e) => e,
            None => super::computing(theme).to_string(),
        };
        return super::note(theme, inner, buf, &text, Role::Warn);
    };
    let values: Vec<f64> = curve
        .scale
        .iter()
        .flat_map(|p| [p.exact, p.quadratic])
        .flatten()
        .collect();
    let rows = inner.height.saturating_sub(1) as usize;
    let top = values.iter().fold(0.0f64, |m, v| m.max(v.abs())) * 4.0;
    let y = match app.y_scale {
        YScale::SymLog => Axis::symlog(values, r.exact_penalty.or(r.quadratic), rows / 2 + 1),
        YScale::Linear => Axis::linear(values, rows / 2 + 1),
    };
    let x = Axis::linear(
        [0.0, crate::tui::compute::SCALE_MAX],
        (inner.width / 8).max(3) as usize,
    );
    let mut chart = Plot::new(x, y, theme);
    chart.layer(Figure::VLine(1.0), Role::Dim, Glyph::mark('┊', ':'));
    let line = |f: &dyn Fn(&crate::engine::softmax::ScalePoint) -> Option<f64>, y: &Axis| {
        plot::runs(curve.scale.iter().map(|p| (p.scale, f(p))), y)
    };
    // R_k is drawn only within four times the largest R and R₂ (a diverging R_k leaves it).
    let partial = line(&|p| p.partial.filter(|v| v.abs() <= top), &chart.y);
    let quadratic = line(&|p| p.quadratic, &chart.y);
    let exact = line(&|p| p.exact, &chart.y);
    chart.layer(partial, Role::Partial, PARTIAL);
    chart.layer(quadratic, Role::Quadratic, QUADRATIC);
    chart.layer(exact, Role::Exact, EXACT);
    chart.label(1.0, chart.y.bounds[1], "s=1", Role::Highlight);
    chart.render(inner, buf);
}

/// The Monte Carlo of real softmax masks: status, N, seed, rate (or `paused`), R^ ± se and its
/// agreement with R in standard errors, wrapped to the panel: the seed is elided with `…`, and
/// a group wider than the panel is left out, so no number is cut.
fn monte_carlo(app: &App, r: &SoftmaxReport, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let status = match &app.worker {
        None => "off",
        Some(WorkerStatus::Idle) => "idle",
        Some(WorkerStatus::Running) => "running",
        Some(WorkerStatus::Paused) => "paused",
        Some(WorkerStatus::Failed(_)) => "failed",
    };
    let masks = r.params.masks.name();
    let title = if area.width >= 40 {
        format!("Monte Carlo, {masks} masks ({status})")
    } else {
        format!("MC, {masks} ({status})")
    };
    let block = super::panel(theme, title, None);
    let inner = block.inner(area);
    block.render(area, buf);
    let stats = match (&app.worker, app.current_monte_carlo()) {
        (None, _) => {
            return super::note(theme, inner, buf, "not running in this session", Role::Dim);
        }
        (Some(WorkerStatus::Failed(why)), _) => {
            return super::note(theme, inner, buf, &format!("{why} (r restarts)"), Role::Bad);
        }
        (_, None) => {
            let text = theme.text("sampling…", "sampling...");
            return super::note(theme, inner, buf, text, Role::Warn);
        }
        (_, Some(s)) => s,
    };
    let dim = |s: &str| Span::styled(s.to_string(), theme.style(Role::Dim));
    let value = |s: String| Span::styled(s, theme.style(Role::Value));
    let hat = "R^";
    let pm = theme.text("±", "+-");
    let mean = shown_mean(stats);
    let se = stats.std_error;
    let width = inner.width as usize;
    let mut groups = vec![vec![dim("N = "), value(format::count(stats.samples))]];
    let label = "seed ";
    let mark = theme.text("…", "...");
    if let Some(seed) = format::elide(
        &stats.seed.to_string(),
        width.saturating_sub(label.len()),
        mark,
    ) {
        groups.push(vec![dim(label), value(seed)]);
    }
    if app.monte_carlo_paused {
        groups.push(vec![Span::styled(
            "paused (Space resumes)",
            theme.style(Role::Warn),
        )]);
    } else if let Some(rate) = Some(stats.samples_per_second).filter(|v| v.is_finite()) {
        groups.push(vec![
            dim("rate "),
            value(format!("{} samples/s", format::num(rate, 3))),
        ]);
    }
    groups.push(match mean {
        Some(m) => vec![
            dim(&format!("{hat} = ")),
            value(format::num(m, 6)),
            dim(&format!(" {pm} ")),
            value(format::opt(Some(se).filter(|v| v.is_finite()), 2)),
            dim(" (se)"),
        ],
        None => vec![dim(&format!("{hat} = n/a (the samples underflow f64)"))],
    });
    match (r.exact_penalty, mean) {
        (Some(exact), Some(m)) if se.is_finite() && se > 0.0 => {
            let z = (m - exact).abs() / se;
            let role = if z <= 3.0 { Role::Good } else { Role::Bad };
            groups.push(vec![dim("R = "), value(format::num(exact, 6))]);
            groups.push(vec![
                dim(&format!("|{hat} - R| = ")),
                Span::styled(format!("{} se", format::num(z, 2)), theme.style(role)),
            ]);
        }
        (Some(exact), _) => groups.push(vec![dim("R = "), value(format::num(exact, 6))]),
        (None, _) => groups.push(vec![dim(&format!(
            "R = n/a: no exact method here, {hat} stands in"
        ))]),
    }
    groups.retain(|g| g.iter().map(Span::width).sum::<usize>() <= width);
    Paragraph::new(super::header::wrap(groups, inner.width, 2)).render(inner, buf);
}

#[cfg(test)]
mod tests {
    use crate::params::Params;
    use crate::settings::ThemeName;
    use crate::softmax_settings::SoftmaxSettings;
    use crate::tui::theme::Theme;
    use ratatui::buffer::Buffer;
    use ratatui::layout::Rect;

    /// The scale chart's panel of a `w`×`h` softmax dashboard in `theme` at order k = 4 (so
    /// R_k, R₂ and R part visibly): its legend row and the rows inside its border.
    fn scale_panel(theme: Theme, w: u16, h: u16) -> (String, Vec<String>) {
        let s = SoftmaxSettings::default().with_logits(vec![0.0, 1.0, 3.0, -2.0]);
        let params = Params {
            order: 4,
            ..Params::default()
        };
        let app = crate::tui::softmax_app(&params, &s, 0, theme);
        let area = Rect::new(0, 0, w, h);
        let mut buf = Buffer::empty(area);
        super::super::render(&app, area, &mut buf);
        let rows: Vec<Vec<char>> = crate::tui::buffer_text(&buf)
            .lines()
            .map(|l| l.chars().collect())
            .collect();
        let top = rows
            .iter()
            .position(|r| r.iter().collect::<String>().contains("Penalty against"))
            .expect("the scale chart is drawn");
        let corner = if theme.ascii { '+' } else { '┐' };
        let right = 1 + rows[top][1..]
            .iter()
            .position(|c| *c == corner)
            .expect("a corner");
        let cut = |r: &Vec<char>| r.iter().take(right + 1).collect::<String>();
        let bottom = (top + 1..rows.len())
            .find(|&i| rows[i].first() == Some(&if theme.ascii { '+' } else { '└' }))
            .expect("the panel's bottom border");
        let inside = rows[top + 1..bottom]
            .iter()
            .map(|r| cut(r).chars().skip(1).take(right - 1).collect())
            .collect();
        (cut(&rows[bottom]), inside)
    }

    #[test]
    fn the_scale_chart_draws_each_curve_with_the_mark_its_legend_shows() {
        for theme in [
            Theme::new(ThemeName::Mono, false),
            Theme::new(ThemeName::Mono, true),
            Theme::new(ThemeName::Dark, true),
        ] {
            let (legend, inside) = scale_panel(theme, 160, 48);
            let marks: Vec<char> = [" R ", " R_2 ", " R₂ ", " R_4"]
                .iter()
                .filter_map(|name| legend.find(name))
                .map(|i| legend[..i].chars().last().expect("a mark before the name"))
                .collect();
            assert_eq!(marks.len(), 3, "{legend}");
            assert!(
                marks[0] != marks[1] && marks[1] != marks[2] && marks[0] != marks[2],
                "R, R₂ and R_k each have their own mark: {legend}"
            );
            for mark in marks {
                let drawn = inside.iter().any(|r| {
                    r.chars().skip(6).any(|c| {
                        c == mark || (mark == '⣀' && ('\u{2801}'..='\u{28ff}').contains(&c))
                    })
                });
                assert!(drawn, "{mark} of {legend} is drawn:\n{}", inside.join("\n"));
            }
        }
    }

    #[test]
    fn the_monte_carlo_panel_elides_the_seed_and_cuts_no_number() {
        let params = Params::default();
        let settings = SoftmaxSettings::default();
        for theme in [
            Theme::new(ThemeName::Dark, false),
            Theme::new(ThemeName::Mono, true),
        ] {
            let mut app = crate::tui::softmax_app(&params, &settings, 2000, theme);
            let stats = app.monte_carlo.as_mut().expect("a Monte Carlo run");
            stats.seed = u64::MAX;
            let full = u64::MAX.to_string();
            for (w, h) in [(60, 16), (80, 24), (160, 48)] {
                let area = Rect::new(0, 0, w, h);
                let mut buf = Buffer::empty(area);
                super::super::render(&app, area, &mut buf);
                let text = crate::tui::buffer_text(&buf);
                let (_, rest) = text
                    .split_once("seed ")
                    .unwrap_or_else(|| panic!("{w}x{h}: no seed\n{text}"));
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let after = &rest[digits.len()..];
                assert!(
                    digits == full || after.starts_with('…') || after.starts_with("..."),
                    "{w}x{h}: seed {digits} cut\n{text}"
                );
                assert!(!text.contains("samples/s"), "{w}x{h}: paused\n{text}");
                if let Some((_, estimate)) = text.split_once("R^ = ") {
                    let line = estimate.lines().next().unwrap_or_default();
                    assert!(line.contains("(se)"), "{w}x{h}: {line}");
                }
            }
            if !app.theme.ascii {
                let area = Rect::new(0, 0, 160, 48);
                let mut buf = Buffer::empty(area);
                super::super::render(&app, area, &mut buf);
                let text = crate::tui::buffer_text(&buf);
                assert!(text.contains(&format!("seed {full}")), "{text}");
                assert!(text.contains("paused (Space resumes)"), "{text}");
            }
        }
    }

    #[test]
    fn the_best_order_drawn_is_in_the_legend_at_every_size() {
        let params = Params::default();
        let settings = SoftmaxSettings::default();
        let app =
            crate::tui::softmax_app(&params, &settings, 0, Theme::new(ThemeName::Dark, false));
        for (w, h) in [(60, 16), (80, 24), (120, 40), (160, 48)] {
            let area = Rect::new(0, 0, w, h);
            let mut buf = Buffer::empty(area);
            super::super::render(&app, area, &mut buf);
            let text = crate::tui::buffer_text(&buf);
            if text.contains('▲') {
                assert!(text.contains("▲ k*"), "{w}x{h}:\n{text}");
            }
        }
    }
}
