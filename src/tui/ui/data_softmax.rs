//! The Data view of a data set of more than two classes (docs/math.md §10): the softmax fit's
//! summary, the examples' verdicts in the sortable table the logistic view uses, and a
//! histogram of each example's smallest mask radius found (below 1 the series diverges); or,
//! on the training panel, dropout training's charts (shared with the logistic view).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table, Widget};

use super::data::{
    Groups, NARROW, bars, delta_group, fit_group, fitting, order_group, percent, shown_cells,
    shown_widths, summary_panel, verdict, window,
};
use crate::data::softmax_analysis::{PenaltyMethod, SoftmaxAnalysis, SoftmaxExample};
use crate::tui::app::{App, DataPanel};
use crate::tui::data::SoftmaxData;
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
    let rest = summary_panel(
        app,
        data.path.display().to_string(),
        (analysis.delta, analysis.order),
        summary(app, data, analysis),
        area,
        buf,
    );
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

/// The softmax summary: n, d, q, the fit and the masks; δ, k and the fractions diverging and
/// undecided; Σ R (± its standard error), Σ R₂, the median relative error and how R was found.
fn summary(app: &App, data: &SoftmaxData, analysis: &SoftmaxAnalysis) -> Groups {
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
    let mut third = vec![
        vec![dim(format!("{} ", t("Σ R", "sum R"))), value(sum_r)],
        vec![
            dim(format!("{} ", t("Σ R₂", "sum R2"))),
            value(format::opt(s.sum_quadratic, 5)),
        ],
        vec![
            dim(format!("median {} ", t("|R₂−R|/R", "|R2-R|/R"))),
            value(format::opt(s.median_quadratic_rel_error, 3)),
        ],
    ];
    if mc {
        third.push(vec![dim(format!("R: MC, {} masks", analysis.mc_samples))]);
    }
    vec![
        vec![
            vec![dim("n ".into()), value(s.n.to_string())],
            vec![dim("d ".into()), value(data.features.d.to_string())],
            vec![dim("q ".into()), value(data.classes.len().to_string())],
            fit_group(theme, data.source, "softmax "),
            vec![dim("masks shared".into())],
        ],
        vec![
            delta_group(theme, analysis.delta),
            order_group(theme, analysis.order),
            vec![
                dim("diverging: ".into()),
                value(percent(s.diverging_fraction)),
            ],
            vec![dim("undecided: ".into()), value(percent(undecided))],
        ],
        third,
    ]
}

/// The R column's standard error: the Monte Carlo's, or `exact` for an enumeration.
fn se_cell(e: &SoftmaxExample) -> String {
    match (e.exact_penalty_method, e.exact_penalty_se) {
        (PenaltyMethod::Enumeration, _) => "exact".to_string(),
        (PenaltyMethod::MonteCarlo, se) => format::opt(se, 2),
    }
}

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
    let (first, last, title) = window(app, area, true);
    let t = |u: &'static str, a: &'static str| theme.text(u, a);
    // ρ, which the verdict compares with 1, with the digits that tell it from 1.
    let radii: Vec<String> = pane.rows[first..last]
        .iter()
        .map(|&i| radius_cell(&analysis.examples[i]))
        .collect();
    let rho_width = radii.iter().map(|r| r.chars().count()).fold(7, usize::max);
    // k* needs an exact R: a column of n/a alone (R by Monte Carlo) is left out.
    let orders = analysis.examples.iter().any(|e| e.best_order.is_some());
    // (header, width, rank): the columns that fit, lowest rank first, are shown.
    let columns = [
        ("i", 5, 0),
        ("label", 7, 7),
        ("spread", 7, 1),
        ("verdict", 7, 2),
        ("R", 9, 3),
        (t("±se", "+-se"), 8, 4),
        (t("R₂", "R2"), 9, 5),
        (t("|R₂−R|/R", "|R2-R|/R"), 9, 6),
        (t("ρ", "rho"), rho_width as u16, 8),
        ("k*", 4, 9),
    ];
    let mut shown = fitting(
        &columns.map(|(_, w, rank)| (w, rank)),
        area.width.saturating_sub(2),
    );
    shown[columns.len() - 1] &= orders;
    let pick = |all: Vec<Cell<'static>>| shown_cells(all, &shown);
    let header = Row::new(pick(columns.iter().map(|c| Cell::from(c.0)).collect()))
        .style(theme.style(Role::Title));
    let rows = pane.rows[first..last].iter().zip(radii).enumerate();
    let rows = rows.map(|(pos, (&i, rho))| {
        let e = &analysis.examples[i];
        let row = Row::new(pick(vec![
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
            Cell::from(rho),
            Cell::from(
                e.best_order
                    .map_or_else(|| format::MISSING.to_string(), |k| k.to_string()),
            ),
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
