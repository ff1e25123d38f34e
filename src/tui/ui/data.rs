//! The Data view: a data set's summary (docs/math.md §4, §9), a histogram of each example's
//! max deviation over its true radius (below 1 the series converges), and the examples'
//! verdicts in a scrollable, sortable table with a selection.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

use crate::data::analysis::{Analysis, ExampleVerdict};
use crate::tui::app::{App, DataPanel};
use crate::tui::data::{DataModel, ModelSource};
use crate::tui::format;
use crate::tui::theme::{Role, Theme};

/// Bins of the histogram: upper edges of max deviation / true radius.
const EDGES: [f64; 6] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0];
/// Widest terminal column count that leaves the histogram out.
pub(super) const NARROW: u16 = 120;

/// Draws the view.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let pane = &app.data;
    if let (Some(data), Some(analysis)) = (&pane.softmax, &pane.softmax_analysis) {
        return super::data_softmax::render(app, data, analysis, area, buf);
    }
    let (Some(model), Some(analysis)) = (&pane.model, &pane.analysis) else {
        let block = super::panel(theme, "Data".to_string(), None);
        let inner = block.inner(area);
        block.render(area, buf);
        let (text, role) = match &pane.loading {
            Some(path) => (
                format!(
                    "{} {}",
                    theme.text("loading…", "loading..."),
                    path.display()
                ),
                Role::Warn,
            ),
            None => (
                "no data set: start with --data PATH or type :data PATH".to_string(),
                Role::Dim,
            ),
        };
        super::note(theme, inner, buf, &text, role);
        return;
    };
    let rest = summary_panel(
        app,
        model.path.display().to_string(),
        (analysis.delta, analysis.order),
        summary(app, model, analysis),
        area,
        buf,
    );
    match pane.pane {
        DataPanel::Examples => {}
        DataPanel::Training => return super::training::render(app, rest, buf),
        DataPanel::Comparison => return super::comparison::render(app, rest, buf),
    }
    if area.width > NARROW {
        let [left, right] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(44)]).areas(rest);
        table(app, analysis, left, buf);
        histogram(theme, analysis, right, buf);
    } else {
        table(app, analysis, rest, buf);
    }
}

pub(super) fn percent(f: f64) -> String {
    format!("{}%", format::num(100.0 * f, 3))
}

/// The summary's status while an analysis at another δ or k than `shown` runs.
fn pending(app: &App, shown: (f64, usize)) -> Option<Line<'static>> {
    let theme = &app.theme;
    let t = |u: &'static str, a: &'static str| theme.text(u, a);
    app.data
        .pending
        .filter(|p| *p != shown)
        .map(|(delta, order)| {
            Line::styled(
                format!(
                    " {} {}={} k={order} ",
                    t("re-analysing…", "re-analysing..."),
                    t("δ", "delta"),
                    format::param(delta)
                ),
                theme.style(Role::Warn),
            )
        })
}

/// The summary's lines: each a list of groups of spans that stay together.
pub(super) type Groups = Vec<Vec<Vec<Span<'static>>>>;

/// Draws a data set's summary panel at the top of `area`, titled `title`, its lines wrapped at
/// group boundaries to the panel's width (so no number is cut) and the panel as tall as they
/// need, at most half of `area`; returns the rest of `area`.
pub(super) fn summary_panel(
    app: &App,
    title: String,
    shown: (f64, usize),
    lines: Groups,
    area: Rect,
    buf: &mut Buffer,
) -> Rect {
    let width = area.width.saturating_sub(2);
    let lines: Vec<Line<'static>> = lines
        .into_iter()
        .flat_map(|groups| super::header::wrap(groups, width, 2))
        .collect();
    let height = (lines.len() as u16 + 2).min(area.height / 2).max(3);
    let [top, rest] =
        Layout::vertical([Constraint::Length(height), Constraint::Fill(1)]).areas(area);
    Paragraph::new(lines)
        .block(super::panel(&app.theme, title, pending(app, shown)))
        .render(top, buf);
    rest
}

/// The fit a summary names: `L2 fit λ 0.1` or `dropout SGD δ=0.50 epoch 12`, after `prefix`.
pub(super) fn fit_group(theme: &Theme, source: ModelSource, prefix: &str) -> Vec<Span<'static>> {
    let t = |u: &'static str, a: &'static str| theme.text(u, a);
    let (label, value) = match source {
        ModelSource::L2 { lambda } => (
            format!("{prefix}L2 fit {} ", t("λ", "lambda")),
            format::num(lambda, 3),
        ),
        ModelSource::Dropout { delta, epoch } => (
            format!(
                "{prefix}dropout SGD {}={} epoch ",
                t("δ", "delta"),
                format::param(delta)
            ),
            epoch.to_string(),
        ),
    };
    vec![
        Span::styled(label, theme.style(Role::Dim)),
        Span::styled(value, theme.style(Role::Value)),
    ]
}

/// `δ 0.50`: the dropout rate an analysis was made at.
pub(super) fn delta_group(theme: &Theme, delta: f64) -> Vec<Span<'static>> {
    vec![
        Span::styled(
            format!("{} ", theme.text("δ", "delta")),
            theme.style(Role::Dim),
        ),
        Span::styled(format::param(delta), theme.style(Role::Value)),
    ]
}

/// `k 40`: the Taylor order an analysis was made at.
pub(super) fn order_group(theme: &Theme, order: usize) -> Vec<Span<'static>> {
    vec![
        Span::styled("k ", theme.style(Role::Dim)),
        Span::styled(order.to_string(), theme.style(Role::Value)),
    ]
}

/// The cells of the columns `shown` keeps, in order.
pub(super) fn shown_cells(cells: Vec<Cell<'static>>, shown: &[bool]) -> Vec<Cell<'static>> {
    cells
        .into_iter()
        .zip(shown)
        .filter_map(|(c, keep)| keep.then_some(c))
        .collect()
}

/// The widths of the columns `shown` keeps, in order.
pub(super) fn shown_widths(widths: &[u16], shown: &[bool]) -> Vec<Constraint> {
    widths
        .iter()
        .zip(shown)
        .filter(|(_, keep)| **keep)
        .map(|(w, _)| Constraint::Length(*w))
        .collect()
}

/// The logistic summary: n, d, the classes, the fit, ‖β‖; δ, k and the fractions diverging;
/// Σ R, Σ R₂, the median relative error and the intercept.
fn summary(app: &App, model: &DataModel, analysis: &Analysis) -> Groups {
    let theme = &app.theme;
    let s = &analysis.summary;
    let t = |u: &'static str, a: &'static str| theme.text(u, a);
    let value = |v: String| Span::styled(v, theme.style(Role::Value));
    let dim = |v: String| Span::styled(v, theme.style(Role::Dim));
    vec![
        vec![
            vec![dim("n ".into()), value(s.n.to_string())],
            vec![dim("d ".into()), value(model.features.d.to_string())],
            vec![dim(format!("classes {}", model.classes.join("/")))],
            fit_group(theme, model.source, ""),
            vec![
                dim(format!("{} ", t("‖β‖", "|beta|"))),
                value(format::num(model.beta_norm(), 4)),
            ],
        ],
        vec![
            delta_group(theme, analysis.delta),
            order_group(theme, analysis.order),
            vec![
                dim("diverging: ".into()),
                value(percent(s.diverging_fraction)),
                dim(format!(" by {}, ", t("√(xβ²+π²)", "sqrt(xb^2+pi^2)"))),
                value(percent(s.diverging_fraction_paper)),
                dim(format!(" by 2{} (paper)", t("π", "pi"))),
            ],
        ],
        vec![
            vec![
                dim(format!("{} ", t("Σ R", "sum R"))),
                value(format::opt(s.sum_exact, 5)),
            ],
            vec![
                dim(format!("{} ", t("Σ R₂", "sum R2"))),
                value(format::opt(s.sum_quadratic, 5)),
            ],
            vec![
                dim(format!("median {} ", t("|R₂−R|/R", "|R2-R|/R"))),
                value(format::opt(s.median_quadratic_rel_error, 3)),
            ],
            vec![
                dim("b ".into()),
                value(format::param(model.model.intercept)),
            ],
        ],
    ]
}

pub(super) fn verdict(theme: &Theme, converges: Option<bool>) -> Cell<'static> {
    match converges {
        Some(true) => Cell::from("conv").style(theme.style(Role::Good)),
        Some(false) => Cell::from("div").style(theme.style(Role::Bad)),
        None => Cell::from(format::MISSING),
    }
}

/// The rows a table `area` high shows around the selection, `first..last` of the pane's
/// sorted rows, and its title fitted to the panel (`softmax` names the softmax sort keys).
pub(super) fn window(app: &App, area: Rect, softmax: bool) -> (usize, usize, String) {
    let pane = &app.data;
    let n = pane.rows.len();
    let visible = (area.height.saturating_sub(3) as usize).max(1);
    let first = (pane.selected + 1).saturating_sub(visible);
    let last = (first + visible).min(n);
    let rows_shown = format!(
        "Rows {}..{} of {n}, sorted {}",
        (first + 1).min(n),
        last,
        pane.sort.label(app.theme.ascii, softmax)
    );
    let title = super::fit_title(
        area.width,
        &[
            format!("{rows_shown} (S sort, Enter: to the dashboard)"),
            format!("{rows_shown} (S sort)"),
            rows_shown.clone(),
        ],
    );
    (first, last, title)
}

/// Which of the table's columns, given as (width, rank), fit in `width` one space apart: whole
/// ranks are taken, lowest first, while they fit, so a column is shown at its full width or
/// not at all and no value is cut.
pub(super) fn fitting(columns: &[(u16, u8)], width: u16) -> Vec<bool> {
    let mut shown = vec![false; columns.len()];
    let mut ranks: Vec<u8> = columns.iter().map(|c| c.1).collect();
    ranks.sort_unstable();
    ranks.dedup();
    let mut used = 0usize;
    for rank in ranks {
        let (count, total) = columns
            .iter()
            .filter(|c| c.1 == rank)
            .fold((0, 0), |(n, w), c| (n + 1, w + usize::from(c.0)));
        let spaces = shown.iter().filter(|s| **s).count() + count - 1;
        if used + total + spaces > usize::from(width) {
            break;
        }
        used += total;
        for (keep, c) in shown.iter_mut().zip(columns) {
            *keep |= c.1 == rank;
        }
    }
    shown
}

fn table(app: &App, analysis: &Analysis, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let pane = &app.data;
    let (first, last, title) = window(app, area, false);
    // The max deviation and the true radius each verdict compares, as wide as the widest
    // visible pair needs: the digits that tell them apart are kept.
    let compared: Vec<(String, String)> = pane.rows[first..last]
        .iter()
        .map(|&i| compared(&analysis.examples[i]))
        .collect();
    let pair = compared.iter().fold((11, 10), |(d, r), (a, b)| {
        (d.max(a.chars().count()), r.max(b.chars().count()))
    });
    let t = |u: &'static str, a: &'static str| theme.text(u, a);
    // (header, width, rank): the columns that fit, lowest rank first, are shown.
    let columns = [
        ("i", 5, 0),
        ("label", 9, 7),
        (t("xβ", "xb"), 8, 1),
        ("verdict", 7, 2),
        ("paper", 6, 6),
        ("R", 10, 3),
        (t("R₂", "R2"), 10, 4),
        (t("|R₂−R|/R", "|R2-R|/R"), 10, 5),
        ("k*", 4, 8),
        (t("max|x̃β−xβ|", "max dev"), pair.0 as u16, 9),
        ("true r", pair.1 as u16, 9),
    ];
    let shown = fitting(
        &columns.map(|(_, w, rank)| (w, rank)),
        area.width.saturating_sub(2),
    );
    let pick = |all: Vec<Cell<'static>>| shown_cells(all, &shown);
    let header = Row::new(pick(columns.iter().map(|c| Cell::from(c.0)).collect()))
        .style(theme.style(Role::Title));
    let label_of = |e: &ExampleVerdict| {
        pane.model
            .as_ref()
            .and_then(|m| m.classes.get(e.label).cloned())
            .unwrap_or_else(|| e.label.to_string())
    };
    let rows = pane.rows[first..last].iter().zip(compared).enumerate();
    let rows = rows.map(|(pos, (&i, (deviation, radius)))| {
        let e = &analysis.examples[i];
        let row = Row::new(pick(vec![
            Cell::from(e.index.to_string()),
            Cell::from(label_of(e)),
            Cell::from(format::num(e.xb, 3)),
            verdict(theme, Some(e.converges)),
            verdict(theme, e.paper_converges),
            Cell::from(format::opt(e.exact_penalty, 3)),
            Cell::from(format::opt(e.quadratic, 3)),
            Cell::from(format::opt(e.quadratic_rel_error, 3)),
            Cell::from(
                e.best_order
                    .map_or_else(|| format::MISSING.to_string(), |k| k.to_string()),
            ),
            Cell::from(deviation),
            Cell::from(radius),
        ]));
        if first + pos == pane.selected {
            row.style(theme.style(Role::Highlight))
        } else {
            row
        }
    });
    let widths = shown_widths(&columns.map(|c| c.1), &shown);
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(super::panel(theme, title, None))
        .render(area, buf);
}

/// An example's max deviation and true radius with the digits that make its verdict visibly
/// true (at least four), `n/a` where one is missing.
fn compared(e: &ExampleVerdict) -> (String, String) {
    match (e.max_deviation, e.radius_true) {
        (Some(m), Some(r)) => format::distinct(m, r, 4),
        (m, r) => (format::opt(m, 4), format::opt(r, 4)),
    }
}

fn histogram(theme: &Theme, analysis: &Analysis, area: Rect, buf: &mut Buffer) {
    let ratios = analysis
        .examples
        .iter()
        .map(|e| match (e.max_deviation, e.radius_true) {
            (Some(m), Some(r)) if r > 0.0 && (m / r).is_finite() => Some(m / r),
            _ => None,
        });
    let title = theme.text(
        "max deviation / √(xβ²+π²)",
        "max deviation / sqrt(xb^2+pi^2)",
    );
    bars(
        theme,
        ratios,
        [Role::Good, Role::Bad],
        (title, " < 1: converges "),
        area,
        buf,
    );
}

/// A histogram of `values` over [`EDGES`] (bin b holds edge[b−1] <= v < edge[b]), unknown
/// values in the last bin; bars below 1 take `roles[0]`, the others `roles[1]`.
pub(super) fn bars(
    theme: &Theme,
    values: impl Iterator<Item = Option<f64>>,
    roles: [Role; 2],
    (title, note): (&str, &str),
    area: Rect,
    buf: &mut Buffer,
) {
    let mut counts = [0usize; EDGES.len() + 2];
    for v in values {
        let bin = match v {
            Some(q) => EDGES
                .iter()
                .position(|&edge| q < edge)
                .unwrap_or(EDGES.len()),
            None => EDGES.len() + 1,
        };
        counts[bin] += 1;
    }
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let block = super::panel(
        theme,
        title.to_string(),
        Some(Line::styled(note.to_string(), theme.style(Role::Dim))),
    );
    let inner = block.inner(area);
    block.render(area, buf);
    let bar_width = inner.width.saturating_sub(17) as usize;
    let lines: Vec<Line> = counts
        .iter()
        .enumerate()
        .map(|(b, &c)| {
            let name = match b {
                0 => format!("< {}", EDGES[0]),
                b if b < EDGES.len() => format!("{}-{}", EDGES[b - 1], EDGES[b]),
                b if b == EDGES.len() => format!(">= {}", EDGES[b - 1]),
                _ => format::MISSING.to_string(),
            };
            let role = if b < 4 { roles[0] } else { roles[1] };
            let len = (c * bar_width).div_ceil(most);
            Line::from(vec![
                Span::styled(format!("{name:>9} "), theme.style(Role::Dim)),
                Span::styled(format!("{c:>5} "), theme.style(Role::Value)),
                Span::styled(theme.text("█", "#").repeat(len), theme.style(role)),
            ])
        })
        .collect();
    Paragraph::new(lines).render(inner, buf);
}

#[cfg(test)]
mod tests {
    use super::fitting;

    #[test]
    fn columns_are_taken_whole_by_rank_while_they_fit() {
        let columns = [(5, 0), (9, 2), (8, 1)];
        assert_eq!(fitting(&columns, 14), [true, false, true]);
        assert_eq!(fitting(&columns, 13), [true, false, false]);
        assert_eq!(fitting(&columns, 24), [true, true, true]);
        assert_eq!(fitting(&columns, 4), [false, false, false]);
        // A rank's columns come together or not at all.
        let paired = [(5, 0), (4, 1), (4, 1), (2, 2)];
        assert_eq!(fitting(&paired, 14), [true, false, false, false]);
        assert_eq!(fitting(&paired, 15), [true, true, true, false]);
    }
}
