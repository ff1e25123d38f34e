//! The Data view's training panel: dropout training epoch by epoch (docs/math.md §4, §9,
//! §10). Four charts against the epoch: ‖β‖ (softmax: ‖B‖); max |xβ| with the paper's 2π and
//! π, the true radius √(xβ²+π²) at xβ = 0 (softmax: the max logit spread, no reference
//! lines: its radii are the masks'); the fraction of examples diverging (softmax: with the
//! undecided share named); Σ R against Σ R₂ (with Σ R's Monte Carlo standard error). The
//! border names the epoch, the state and what `t` does next.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::plot::{self, Figure, Plot};
use crate::tui::app::{App, NextRun, TrainState, Training};
use crate::tui::format;
use crate::tui::scale::Axis;
use crate::tui::theme::{Glyph, Role, Theme};
use crate::tui::training::EpochPoint;

/// The glyph of the first series of a chart.
const FIRST: Glyph = Glyph::curve('*');
/// The glyph of Σ R₂, told apart from Σ R without colour.
const SECOND: Glyph = Glyph::mark('•', 'o');
/// The glyph of the reference lines (2π, π).
const REFERENCE: Glyph = Glyph::mark('─', '-');
/// Rows a chart needs before π gets a line of its own below 2π.
const MIN_ROWS_FOR_PI: u16 = 10;

/// Draws the panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let t = &app.data.training;
    let softmax = app.data.softmax.is_some();
    let block = super::panel(
        theme,
        title(theme, t, area.width.saturating_sub(4)),
        Some(next_line(app)),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    if t.points.is_empty() {
        let text = match &t.state {
            TrainState::Running => format!(
                "{} epoch 1 of {}",
                theme.text("training… waiting for", "training... waiting for"),
                t.epochs
            ),
            TrainState::Failed(why) => format!("training failed: {why}"),
            _ => {
                let start = format!(
                    "t starts dropout training at {}={}: {} epochs of Adam, learning rate {}",
                    theme.text("δ", "delta"),
                    format::param(app.params.delta),
                    t.epochs,
                    t.learning_rate,
                );
                let seeded = format!("{start}, seed {}", t.seed);
                if seeded.chars().count() <= usize::from(inner.width) {
                    seeded
                } else {
                    start
                }
            }
        };
        super::note(theme, inner, buf, &text, Role::Dim);
        return;
    }
    let [upper, lower] = Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner);
    let [a, b] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(upper);
    let [c, d] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(lower);
    let epochs = t.run.map_or(t.epochs, |r| r.epochs);
    let last = t.points.last().expect("points is not empty");
    let x = |p: &EpochPoint| p.epoch as f64;
    let norm = Chart::new(
        theme,
        epochs,
        t.points.iter().map(|p| (x(p), Some(p.beta_norm))),
    );
    norm.draw(
        a,
        buf,
        vec![(
            Role::Partial,
            FIRST,
            format!(
                "{} {}",
                match softmax {
                    false => theme.text("‖β‖", "|beta|"),
                    true => theme.text("‖B‖", "|B|"),
                },
                format::num(last.beta_norm, 4)
            ),
        )],
    );
    if softmax {
        max_spread(theme, epochs, &t.points, b, buf);
    } else {
        max_xb(theme, epochs, &t.points, b, buf);
    }
    let diverging = Chart::bounded(
        theme,
        epochs,
        t.points.iter().map(|p| (x(p), Some(p.diverging_fraction))),
        [0.0, 1.0],
    );
    diverging.draw(
        c,
        buf,
        vec![(
            Role::Bad,
            FIRST,
            if softmax {
                format!(
                    "diverging {}%, undecided {}%",
                    format::num(100.0 * last.diverging_fraction, 3),
                    format::num(100.0 * last.undecided_fraction, 3)
                )
            } else {
                format!(
                    "diverging by {} {}%",
                    theme.text("√(xβ²+π²)", "sqrt(xb^2+pi^2)"),
                    format::num(100.0 * last.diverging_fraction, 3)
                )
            },
        )],
    );
    penalties(theme, epochs, &t.points, d, buf);
}

/// The border title: epoch e of E, the state, δ, the learning rate and the seed, leaving out
/// the seed and then the learning rate where `width` columns do not hold them.
fn title(theme: &Theme, t: &Training, width: u16) -> String {
    let state = match &t.state {
        TrainState::Idle => "not started",
        TrainState::Running => "running",
        TrainState::Stopped => "stopped",
        TrainState::Finished => "finished",
        TrainState::Failed(_) => "failed",
    };
    let run = t.run.unwrap_or_else(|| t.settings(f64::NAN));
    let epochs = t.run.map_or(t.epochs, |r| r.epochs);
    let delta = t
        .run
        .map(|r| {
            format!(
                " at {}={}",
                theme.text("δ", "delta"),
                format::param(r.delta)
            )
        })
        .unwrap_or_default();
    let head = format!(
        "Dropout training: epoch {} of {epochs}, {state}{delta}",
        t.epoch()
    );
    let lr = format!("{head}, lr {}", run.learning_rate);
    let seed = format!("{lr}, seed {}", run.seed);
    [seed, lr, head]
        .into_iter()
        .find(|s| s.chars().count() <= usize::from(width))
        .unwrap_or_default()
}

/// The bottom border: what `t` does next.
fn next_line(app: &App) -> Line<'static> {
    let t = &app.data.training;
    let text = match t.next(app.params.delta) {
        NextRun::Stop => " t stops (the model reached stays) ".to_string(),
        NextRun::Continue(e) => format!(" t continues from epoch {e} "),
        NextRun::Restart if t.points.is_empty() => " t starts ".to_string(),
        NextRun::Restart => " t restarts from epoch 1 ".to_string(),
    };
    Line::styled(text, app.theme.style(Role::Dim))
}

/// max |xβ| with the paper's 2π and π, the smallest true radius.
fn max_xb(theme: &Theme, epochs: usize, points: &[EpochPoint], area: Rect, buf: &mut Buffer) {
    let pi = std::f64::consts::PI;
    let values = points.iter().map(|p| (p.epoch as f64, Some(p.max_logit)));
    let top = points.iter().map(|p| p.max_logit).fold(2.0 * pi, f64::max);
    let mut chart = Chart::bounded(theme, epochs, values, [0.0, top]);
    chart
        .plot
        .layer(Figure::HLine(2.0 * pi), Role::PaperRadius, REFERENCE);
    chart.plot.label(
        1.0,
        2.0 * pi,
        theme.text("2π paper", "2pi paper"),
        Role::PaperRadius,
    );
    // π, the true radius at xβ = 0, only where its row is not 2π's.
    if area.height >= MIN_ROWS_FOR_PI {
        chart
            .plot
            .layer(Figure::HLine(pi), Role::TrueRadius, REFERENCE);
        chart.plot.label(
            1.0,
            pi,
            theme.text("π = √(0+π²)", "pi = sqrt(0+pi^2)"),
            Role::TrueRadius,
        );
    }
    let last = points.last().map_or(0.0, |p| p.max_logit);
    chart.draw(
        area,
        buf,
        vec![(
            Role::Partial,
            FIRST,
            format!("max |{}| {}", theme.text("xβ", "xb"), format::num(last, 4)),
        )],
    );
}

/// The softmax max logit spread, from 0.
fn max_spread(theme: &Theme, epochs: usize, points: &[EpochPoint], area: Rect, buf: &mut Buffer) {
    let values = points.iter().map(|p| (p.epoch as f64, Some(p.max_logit)));
    let chart = Chart::bounded(theme, epochs, values, [0.0, 0.0]);
    let last = points.last().map_or(0.0, |p| p.max_logit);
    chart.draw(
        area,
        buf,
        vec![(
            Role::Partial,
            FIRST,
            format!("max logit spread {}", format::num(last, 4)),
        )],
    );
}

/// Σ R against Σ R₂.
fn penalties(theme: &Theme, epochs: usize, points: &[EpochPoint], area: Rect, buf: &mut Buffer) {
    let exact: Vec<(f64, Option<f64>)> = points
        .iter()
        .map(|p| (p.epoch as f64, p.sum_exact))
        .collect();
    let quadratic: Vec<(f64, Option<f64>)> = points
        .iter()
        .map(|p| (p.epoch as f64, p.sum_quadratic))
        .collect();
    let values: Vec<f64> = exact
        .iter()
        .chain(&quadratic)
        .filter_map(|(_, v)| *v)
        .collect();
    let mut chart = Chart::new(theme, epochs, std::iter::empty());
    chart.plot.y = Axis::linear(values, 3);
    let second = plot::runs(quadratic.iter().copied(), &chart.plot.y);
    chart.plot.layer(second, Role::Quadratic, SECOND);
    let first = plot::runs(exact.iter().copied(), &chart.plot.y);
    chart.plot.layer(first, Role::Exact, FIRST);
    let last = points.last();
    chart.draw(
        area,
        buf,
        vec![
            (
                Role::Exact,
                FIRST,
                match last.and_then(|p| p.sum_exact_se) {
                    Some(se) => format!(
                        "{} {} {} {}",
                        theme.text("Σ R", "sum R"),
                        format::opt(last.and_then(|p| p.sum_exact), 5),
                        theme.text("±", "+-"),
                        format::num(se, 2)
                    ),
                    None => format!(
                        "{} {}",
                        theme.text("Σ R", "sum R"),
                        format::opt(last.and_then(|p| p.sum_exact), 5)
                    ),
                },
            ),
            (
                Role::Quadratic,
                SECOND,
                format!(
                    "{} {}",
                    theme.text("Σ R₂", "sum R2"),
                    format::opt(last.and_then(|p| p.sum_quadratic), 5)
                ),
            ),
        ],
    );
}

/// One chart of the panel: a plot against the epoch with a title line naming its series.
struct Chart<'t> {
    plot: Plot<'t>,
    /// The chart's one series, drawn on top in the first legend entry's role.
    series: Vec<(f64, Option<f64>)>,
}

impl<'t> Chart<'t> {
    /// A chart of one series (y axis from its values).
    fn new(
        theme: &'t Theme,
        epochs: usize,
        series: impl Iterator<Item = (f64, Option<f64>)>,
    ) -> Chart<'t> {
        let series: Vec<_> = series.collect();
        let y = Axis::linear(series.iter().filter_map(|(_, v)| *v), 3);
        Chart::with_axis(theme, epochs, series, y)
    }

    /// A chart of one series on a y axis spanning `bounds` and its values.
    fn bounded(
        theme: &'t Theme,
        epochs: usize,
        series: impl Iterator<Item = (f64, Option<f64>)>,
        bounds: [f64; 2],
    ) -> Chart<'t> {
        let series: Vec<_> = series.collect();
        let values = series.iter().filter_map(|(_, v)| *v).chain(bounds);
        let y = Axis::linear(values, 3);
        Chart::with_axis(theme, epochs, series, y)
    }

    fn with_axis(
        theme: &'t Theme,
        epochs: usize,
        series: Vec<(f64, Option<f64>)>,
        y: Axis,
    ) -> Chart<'t> {
        // Epoch 0 (the start) to E, whole ticks inside, E itself labelled.
        let last = epochs.max(1) as f64;
        let mut x = Axis::linear([0.0, last], 4);
        x.bounds = [0.0, last];
        x.ticks.retain(|(t, _)| t.fract() == 0.0 && *t <= last);
        x.ticks
            .retain(|(t, _)| *t == 0.0 || last - *t >= last / 8.0);
        x.ticks.push((last, String::new()));
        for (t, label) in &mut x.ticks {
            *label = format!("{}", *t as i64);
        }
        Chart {
            plot: Plot::new(x, y, theme),
            series,
        }
    }

    /// Draws the title line (each series' mark, name and last value) and the plot below it.
    fn draw(mut self, area: Rect, buf: &mut Buffer, legend: Vec<(Role, Glyph, String)>) {
        if area.height < 3 {
            return;
        }
        let theme = self.plot.theme;
        if let (false, Some((role, ..))) = (self.series.is_empty(), legend.first()) {
            let figure = plot::runs(std::mem::take(&mut self.series), &self.plot.y);
            self.plot.layer(figure, *role, FIRST);
        }
        let [head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let mut spans = Vec::new();
        for (i, (role, glyph, text)) in legend.into_iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw("  "));
            }
            spans.push(Span::styled(theme.legend_mark(glyph), theme.style(role)));
            spans.push(Span::styled(format!(" {text}"), theme.style(Role::Text)));
        }
        Paragraph::new(Line::from(spans)).render(head, buf);
        self.plot.render(body, buf);
    }
}
