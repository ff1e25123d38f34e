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
    let [top, rest] = Layout::vertical([Constraint::Length(5), Constraint::Fill(1)]).areas(area);
    summary(app, model, analysis, top, buf);
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
pub(super) fn pending(app: &App, shown: (f64, usize)) -> Option<Line<'static>> {
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

fn summary(app: &App, model: &DataModel, analysis: &Analysis, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let s = &analysis.summary;
    let t = |u: &'static str, a: &'static str| theme.text(u, a);
    let value = |v: String| Span::styled(v, theme.style(Role::Value));
    let dim = |v: String| Span::styled(v, theme.style(Role::Dim));
    let status = pending(app, (analysis.delta, analysis.order));
    let lines = vec![
        Line::from(vec![
            dim("n ".into()),
            value(s.n.to_string()),
            dim("  d ".into()),
            value(model.features.d.to_string()),
            dim(format!("  classes {}", model.classes.join("/"))),
            dim(match model.source {
                ModelSource::L2 { .. } => format!("  L2 fit {} ", t("λ", "lambda")),
                ModelSource::Dropout { delta, .. } => format!(
                    "  dropout SGD {}={} epoch ",
                    t("δ", "delta"),
                    format::param(delta)
                ),
            }),
            value(match model.source {
                ModelSource::L2 { lambda } => format::num(lambda, 3),
                ModelSource::Dropout { epoch, .. } => epoch.to_string(),
            }),
            dim(format!("  {} ", t("‖β‖", "|beta|"))),
            value(format::num(model.beta_norm(), 4)),
        ]),
        Line::from(vec![
            dim(format!("{} ", t("δ", "delta"))),
            value(format::param(analysis.delta)),
            dim("  k ".into()),
            value(analysis.order.to_string()),
            dim("  diverging: ".into()),
            value(percent(s.diverging_fraction)),
            dim(format!(" by {}, ", t("√(xβ²+π²)", "sqrt(xb^2+pi^2)"))),
            value(percent(s.diverging_fraction_paper)),
            dim(format!(" by 2{} (paper)", t("π", "pi"))),
        ]),
        Line::from(vec![
            dim(format!("{} ", t("Σ R", "sum R"))),
            value(format::opt(s.sum_exact, 5)),
            dim(format!("  {} ", t("Σ R₂", "sum R2"))),
            value(format::opt(s.sum_quadratic, 5)),
            dim(format!("  median {} ", t("|R₂−R|/R", "|R2-R|/R"))),
            value(format::opt(s.median_quadratic_rel_error, 3)),
            dim("  b ".into()),
            value(format::param(model.model.intercept)),
        ]),
    ];
    Paragraph::new(lines)
        .block(super::panel(
            theme,
            model.path.display().to_string(),
            status,
        ))
        .render(area, buf);
}

pub(super) fn verdict(theme: &Theme, converges: Option<bool>) -> Cell<'static> {
    match converges {
        Some(true) => Cell::from("conv").style(theme.style(Role::Good)),
        Some(false) => Cell::from("div").style(theme.style(Role::Bad)),
        None => Cell::from(format::MISSING),
    }
}

/// Widths of the columns i, label, xβ, verdict, paper, R, R₂, |R₂−R|/R and (from 90 columns) k*.
const COLUMNS: [u16; 9] = [5, 9, 8, 7, 6, 10, 10, 10, 4];

fn table(app: &App, analysis: &Analysis, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let pane = &app.data;
    let n = pane.rows.len();
    let visible = (area.height.saturating_sub(3) as usize).max(1);
    let first = (pane.selected + 1).saturating_sub(visible);
    let last = (first + visible).min(n);
    let wide = area.width >= 90;
    // Where the panel has room, the rows also show the max deviation and the true radius their
    // verdict compares, as wide as the widest visible pair needs: the digits that tell them
    // apart are kept.
    let pair = pane.rows[first..last]
        .iter()
        .map(|&i| compared(&analysis.examples[i]))
        .fold((11, 10), |(d, r), (a, b)| {
            (d.max(a.chars().count()), r.max(b.chars().count()))
        });
    let wider = usize::from(COLUMNS.iter().sum::<u16>()) + COLUMNS.len() + 1 + pair.0 + pair.1 + 2
        <= usize::from(area.width);
    let title = format!(
        "Rows {}..{} of {n}, sorted {} (S sort, Enter: to the dashboard)",
        (first + 1).min(n),
        last,
        pane.sort.label(theme.ascii, false)
    );
    let t = |u: &'static str, a: &'static str| theme.text(u, a);
    let mut header = vec![
        "i",
        "label",
        t("xβ", "xb"),
        "verdict",
        "paper",
        "R",
        t("R₂", "R2"),
        t("|R₂−R|/R", "|R2-R|/R"),
    ];
    if wide {
        header.push("k*");
    }
    if wider {
        header.extend([t("max|x̃β−xβ|", "max dev"), "true r"]);
    }
    let header = Row::new(header).style(theme.style(Role::Title));
    let label_of = |e: &ExampleVerdict| {
        pane.model
            .as_ref()
            .and_then(|m| m.classes.get(e.label).cloned())
            .unwrap_or_else(|| e.label.to_string())
    };
    let rows = pane.rows[first..last].iter().enumerate().map(|(pos, &i)| {
        let e = &analysis.examples[i];
        let mut cells = vec![
            Cell::from(e.index.to_string()),
            Cell::from(label_of(e)),
            Cell::from(format::num(e.xb, 3)),
            verdict(theme, Some(e.converges)),
            verdict(theme, e.paper_converges),
            Cell::from(format::opt(e.exact_penalty, 3)),
            Cell::from(format::opt(e.quadratic, 3)),
            Cell::from(format::opt(e.quadratic_rel_error, 3)),
        ];
        if wide {
            cells.push(Cell::from(
                e.best_order
                    .map_or_else(|| format::MISSING.to_string(), |k| k.to_string()),
            ));
        }
        if wider {
            let (deviation, radius) = compared(e);
            cells.extend([Cell::from(deviation), Cell::from(radius)]);
        }
        let row = Row::new(cells);
        if first + pos == pane.selected {
            row.style(theme.style(Role::Highlight))
        } else {
            row
        }
    });
    let shown = if wide {
        COLUMNS.len()
    } else {
        COLUMNS.len() - 1
    };
    let mut widths: Vec<Constraint> = COLUMNS[..shown]
        .iter()
        .map(|w| Constraint::Length(*w))
        .collect();
    if wider {
        widths.extend([
            Constraint::Length(pair.0 as u16),
            Constraint::Length(pair.1 as u16),
        ]);
    }
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
