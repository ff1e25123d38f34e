//! The Data view of a data set of more than two classes (docs/math.md §10): the softmax fit's
//! summary, the examples' verdicts in the sortable table the logistic view uses, and a
//! histogram of each example's smallest mask radius found (below 1 the series diverges); or,
//! on the training panel, dropout training's charts (shared with the logistic view).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget};

use super::data::{NARROW, bars, pending, percent, verdict};
use crate::data::softmax_analysis::{PenaltyMethod, SoftmaxAnalysis, SoftmaxExample};
use crate::tui::app::{App, DataPanel};
use crate::tui::data::{ModelSource, SoftmaxData};
use crate::tui::format;
use crate::tui::theme::Role;

/// Draws the view.
pub fn render(
    app: &App,
    data: &SoftmaxData,
    analysis: &SoftmaxAnalysis,
    area: Rect,
    buf: &mut Buffer,
) {
    let [top, rest] = Layout::vertical([Constraint::Length(5), Constraint::Fill(1)]).areas(area);
    summary(app, data, analysis, top, buf);
    if app.data.pane == DataPanel::Training {
        return super::training::render(app, rest, buf);
    }
    if area.width > NARROW {
        let [left, right] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(44)]).areas(rest);
        table(app, data, analysis, left, buf);
        histogram(app, analysis, right, buf);
    } else {
        table(app, data, analysis, rest, buf);
    }
}

fn summary(
    app: &App,
    data: &SoftmaxData,
    analysis: &SoftmaxAnalysis,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &app.theme;
    let s = &analysis.summary;
    let t = |u: &'static str, a: &'static str| theme.text(u, a);
    let value = |v: String| Span::styled(v, theme.style(Role::Value));
    let dim = |v: String| Span::styled(v, theme.style(Role::Dim));
    let undecided = s.undecided as f64 / s.n.max(1) as f64;
    let sum_r = match s.sum_exact_se {
        Some(se) => format!(
            "{} {} {}",
            format::opt(s.sum_exact, 5),
            t("±", "+-"),
            format::num(se, 2)
        ),
        None => format::opt(s.sum_exact, 5),
    };
    let mc = analysis
        .examples
        .iter()
        .any(|e| e.exact_penalty_method == PenaltyMethod::MonteCarlo);
    let lines = vec![
        Line::from(vec![
            dim("n ".into()),
            value(s.n.to_string()),
            dim("  d ".into()),
            value(data.features.d.to_string()),
            dim("  q ".into()),
            value(data.classes.len().to_string()),
            dim(match data.source {
                ModelSource::L2 { .. } => format!("  softmax L2 fit {} ", t("λ", "lambda")),
                ModelSource::Dropout { delta, .. } => format!(
                    "  softmax dropout SGD {}={} epoch ",
                    t("δ", "delta"),
                    format::param(delta)
                ),
            }),
            value(match data.source {
                ModelSource::L2 { lambda } => format::num(lambda, 3),
                ModelSource::Dropout { epoch, .. } => epoch.to_string(),
            }),
            dim("  masks shared".into()),
        ]),
        Line::from(vec![
            dim(format!("{} ", t("δ", "delta"))),
            value(format::param(analysis.delta)),
            dim("  k ".into()),
            value(analysis.order.to_string()),
            dim("  diverging: ".into()),
            value(percent(s.diverging_fraction)),
            dim("  undecided: ".into()),
            value(percent(undecided)),
        ]),
        Line::from(vec![
            dim(format!("{} ", t("Σ R", "sum R"))),
            value(sum_r),
            dim(format!("  {} ", t("Σ R₂", "sum R2"))),
            value(format::opt(s.sum_quadratic, 5)),
            dim(format!("  median {} ", t("|R₂−R|/R", "|R2-R|/R"))),
            value(format::opt(s.median_quadratic_rel_error, 3)),
            dim(if mc {
                format!("  R: MC, {} masks", analysis.mc_samples)
            } else {
                String::new()
            }),
        ]),
    ];
    Paragraph::new(lines)
        .block(super::panel(
            theme,
            data.path.display().to_string(),
            pending(app, (analysis.delta, analysis.order)),
        ))
        .render(area, buf);
}

/// The R column's standard error: the Monte Carlo's, or `exact` for an enumeration.
fn se_cell(e: &SoftmaxExample) -> String {
    match (e.exact_penalty_method, e.exact_penalty_se) {
        (PenaltyMethod::Enumeration, _) => "exact".to_string(),
        (PenaltyMethod::MonteCarlo, se) => format::opt(se, 2),
    }
}

/// Widths of the columns i, label, spread, verdict, R, ±se, R₂ and |R₂−R|/R.
const COLUMNS: [u16; 8] = [5, 7, 7, 7, 9, 8, 9, 9];

/// An example's smallest mask radius ρ found (exact, else a witness's), with the digits that
/// tell it from 1; `n/a` where none was found.
fn radius_cell(e: &SoftmaxExample) -> String {
    e.mask_radius.or(e.witness_radius).map_or_else(
        || format::MISSING.to_string(),
        |r| format::distinct(r, 1.0, 3).0,
    )
}

fn table(app: &App, data: &SoftmaxData, analysis: &SoftmaxAnalysis, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let pane = &app.data;
    let n = pane.rows.len();
    let visible = (area.height.saturating_sub(3) as usize).max(1);
    let first = (pane.selected + 1).saturating_sub(visible);
    let last = (first + visible).min(n);
    let title = format!(
        "Rows {}..{} of {n}, sorted {} (S sort, Enter: to the dashboard)",
        (first + 1).min(n),
        last,
        pane.sort.label(theme.ascii, true)
    );
    let t = |u: &'static str, a: &'static str| theme.text(u, a);
    // Where the panel has room, the rows also show ρ, which the verdict compares with 1, with
    // the digits that tell it from 1, and k* where R is exact.
    let rho_width = pane.rows[first..last]
        .iter()
        .map(|&i| radius_cell(&analysis.examples[i]).chars().count())
        .fold(7, usize::max);
    let wide = usize::from(COLUMNS.iter().sum::<u16>()) + COLUMNS.len() + 1 + rho_width + 4 + 2
        <= usize::from(area.width);
    // k* needs an exact R: a column of n/a alone (R by Monte Carlo) is left out.
    let orders = wide && analysis.examples.iter().any(|e| e.best_order.is_some());
    let mut header = vec![
        "i",
        "label",
        "spread",
        "verdict",
        "R",
        t("±se", "+-se"),
        t("R₂", "R2"),
        t("|R₂−R|/R", "|R2-R|/R"),
    ];
    if wide {
        header.push(t("ρ", "rho"));
    }
    if orders {
        header.push("k*");
    }
    let header = Row::new(header).style(theme.style(Role::Title));
    let rows = pane.rows[first..last].iter().enumerate().map(|(pos, &i)| {
        let e = &analysis.examples[i];
        let mut cells = vec![
            Cell::from(e.index.to_string()),
            Cell::from(
                data.classes
                    .get(e.label)
                    .cloned()
                    .unwrap_or_else(|| e.label.to_string()),
            ),
            Cell::from(format::num(e.logit_spread, 3)),
            verdict(theme, e.converges),
            Cell::from(format::opt(e.exact_penalty, 3)),
            Cell::from(se_cell(e)),
            Cell::from(format::opt(e.quadratic, 3)),
            Cell::from(format::opt(e.quadratic_rel_error, 3)),
        ];
        if wide {
            cells.push(Cell::from(radius_cell(e)));
        }
        if orders {
            cells.push(Cell::from(
                e.best_order
                    .map_or_else(|| format::MISSING.to_string(), |k| k.to_string()),
            ));
        }
        let row = Row::new(cells);
        if first + pos == pane.selected {
            row.style(theme.style(Role::Highlight))
        } else {
            row
        }
    });
    let mut widths: Vec<Constraint> = COLUMNS.iter().map(|w| Constraint::Length(*w)).collect();
    if wide {
        widths.push(Constraint::Length(rho_width as u16));
    }
    if orders {
        widths.push(Constraint::Length(4));
    }
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(super::panel(theme, title, None))
        .render(area, buf);
}

fn histogram(app: &App, analysis: &SoftmaxAnalysis, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let radii = analysis
        .examples
        .iter()
        .map(|e| e.mask_radius.or(e.witness_radius));
    bars(
        theme,
        radii,
        [Role::Bad, Role::Warn],
        (
            theme.text("smallest mask radius ρ found", "smallest mask radius found"),
            " < 1: diverges ",
        ),
        area,
        buf,
    );
}
