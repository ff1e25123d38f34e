//! The contributions view: the w_j sorted by value (scrollable), and beside them the offset b,
//! the sums P and N of the positive and negative contributions, xβ = b + P + N and how P and N
//! make the maximum deviation against the true radius (docs/math.md §3, §4).

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, Widget, Wrap};

use crate::engine::Report;
use crate::params::{Contributions, Noise};
use crate::tui::app::App;
use crate::tui::format;
use crate::tui::theme::{Role, Theme};

/// Columns of the list panel: borders, the index column and a full-precision value.
const LIST_WIDTH: u16 = 2 + 8 + 1 + format::EXACT_WIDTH as u16;

/// Draws the view.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(report) = super::report_or_note(app, "Contributions".to_string(), area, buf) else {
        return;
    };
    let theme = &app.theme;
    match &report.params.contributions {
        Contributions::Explicit(w) => {
            // Room for the title "w_j sorted a..b of n" with a, b and n as wide as n.
            let digits = w.len().to_string().len() as u16;
            let width = LIST_WIDTH.max(21 + 3 * digits).min(area.width / 2);
            let [list, summary] =
                Layout::horizontal([Constraint::Length(width), Constraint::Fill(1)]).areas(area);
            render_list(app, w, list, buf);
            render_summary(theme, report, None, summary, buf);
        }
        Contributions::Equal => {
            let d = report.params.dimension;
            let each = report.params.dropped_xb() / d as f64;
            let line = format!(
                "d = {} equal contributions of ({} {} b)/d = {}",
                format::count(d),
                theme.text("xβ", "xb"),
                theme.text("−", "-"),
                format::num(each, 10)
            );
            render_summary(theme, report, Some(line), area, buf);
        }
    }
}

/// The w_j sorted by value, from row `app.scroll` (clamped so the last page stays full).
fn render_list(app: &App, weights: &[f64], area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let mut sorted: Vec<(usize, f64)> = weights.iter().copied().enumerate().collect();
    sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
    let n = sorted.len();
    let visible = area.height.saturating_sub(3) as usize;
    let first = app.scroll.min(n.saturating_sub(visible));
    let last = (first + visible).min(n);
    let index_width = n.to_string().len().max(1) as u16;
    let value_width = area.width.saturating_sub(3 + index_width);
    let title = format!("w_j sorted, {}..{} of {}", (first + 1).min(last), last, n);
    let header = Row::new(["j", "w_j"]).style(theme.style(Role::Title));
    let rows = sorted[first..last].iter().map(|&(j, w)| {
        let role = if w > 0.0 {
            Role::Good
        } else if w < 0.0 {
            Role::Bad
        } else {
            Role::Text
        };
        Row::new([
            Cell::from((j + 1).to_string()),
            Cell::from(format::fit(Some(w), value_width as usize)).style(theme.style(role)),
        ])
    });
    Table::new(
        rows,
        [
            Constraint::Length(index_width),
            Constraint::Length(value_width),
        ],
    )
    .header(header)
    .column_spacing(1)
    .block(super::panel(theme, title, None))
    .render(area, buf);
}

/// b, P, N, xβ and the maximum deviation built from them, against the true radius; `equal`
/// is the line that stands for the list of an equal profile.
fn render_summary(
    theme: &Theme,
    report: &Report,
    equal: Option<String>,
    area: Rect,
    buf: &mut Buffer,
) {
    let p = &report.params;
    let t = |unicode, ascii| theme.text(unicode, ascii);
    let minus = t("−", "-");
    let value = |v: Option<f64>| format::opt(v, 10);
    let mut lines: Vec<Line> = Vec::new();
    if let Some(equal) = equal {
        lines.push(Line::raw(equal));
        lines.push(Line::raw(""));
    }
    let row = |label: String, v: String| {
        Line::from(vec![
            ratatui::text::Span::styled(format!("{label:<24} "), theme.style(Role::Dim)),
            ratatui::text::Span::styled(v, theme.style(Role::Value)),
        ])
    };
    lines.push(row("offset b".to_string(), format::num(p.offset, 10)));
    lines.push(row(
        format!("P = {} w_j > 0", t("Σ", "sum")),
        value(report.positive_sum),
    ));
    lines.push(row(
        format!("N = {} w_j < 0", t("Σ", "sum")),
        value(report.negative_sum),
    ));
    lines.push(row(
        format!("{} = b + P + N", t("xβ", "xb")),
        format::num(p.xb, 10),
    ));
    lines.push(row(
        t("dropout rate δ", "dropout rate delta").to_string(),
        format::param(p.delta),
    ));
    lines.push(Line::raw(""));
    let keep = t("(1−δ)", "(1-delta)");
    lines.push(Line::styled(
        format!("max deviation = max(P/{keep} {minus} (P+N), (P+N) {minus} N/{keep})"),
        theme.style(Role::Dim),
    ));
    match (p.noise, report.positive_sum, report.negative_sum) {
        (Noise::Gaussian, _, _) => lines.push(Line::raw(
            "Gaussian noise: the support is unbounded, no maximum deviation",
        )),
        (Noise::Dropout, Some(pos), Some(neg)) => {
            let keep = format!("(1{minus}{})", format::param(p.delta));
            let sum = bracketed(pos + neg);
            lines.push(Line::raw(format!(
                "  = max({}/{keep} {minus} {sum}, {sum} {minus} {}/{keep})",
                bracketed(pos),
                bracketed(neg),
            )));
        }
        (Noise::Dropout, _, _) => {}
    }
    lines.push(row(
        "  =".to_string(),
        report
            .max_deviation
            .map_or_else(|| "unbounded".to_string(), |m| format::num(m, 10)),
    ));
    lines.push(row(
        format!("true radius {}", t("√(xβ²+π²)", "sqrt(xb^2+pi^2)")),
        report
            .radius
            .true_radius
            .map_or_else(|| "none (linear model)".to_string(), |r| format::num(r, 10)),
    ));
    let (verdict, role) = match (report.converges, report.radius.true_radius) {
        (true, None) => ("linear model: the series always converges", Role::Good),
        (true, Some(_)) => (
            "max deviation < true radius: the series converges",
            Role::Good,
        ),
        (false, _) => (
            "max deviation >= true radius: the series diverges",
            Role::Bad,
        ),
    };
    lines.push(Line::styled(verdict, theme.style(role)));
    let block = super::panel(theme, "Offset, P and N".to_string(), None);
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(block)
        .render(area, buf);
}

/// A value for a substituted formula: six significant digits, in brackets when negative.
fn bracketed(v: f64) -> String {
    if v < 0.0 {
        format!("({})", format::num(v, 6))
    } else {
        format::num(v, 6)
    }
}

#[cfg(test)]
mod tests {
    use crate::params::Params;
    use crate::settings::View;

    fn frame(params: &Params, width: u16, height: u16) -> String {
        crate::tui::render_to_string(params, View::Contributions, width, height, false)
    }

    #[test]
    fn every_label_is_apart_from_its_value_in_ascii() {
        let params = Params::default().with_weights(vec![1.5, -2.0, 0.5, 3.0, -0.25]);
        let text = crate::tui::render_to_string(&params, View::Contributions, 160, 48, true);
        let row = text
            .lines()
            .find(|l| l.contains("true radius"))
            .expect("a true-radius row");
        assert!(row.contains("sqrt(xb^2+pi^2) "), "{row}");
    }

    #[test]
    fn an_explicit_list_is_sorted_with_its_sums() {
        let params = Params {
            offset: 0.5,
            delta: 0.25,
            ..Params::default()
        }
        .with_weights(vec![1.5, -0.25, 2.0, -1.0, 0.0, 0.75]);
        for (w, h) in [(80, 24), (160, 48)] {
            let text = frame(&params, w, h);
            for line in text.lines() {
                assert!(line.chars().count() <= w as usize, "{line}");
            }
            let at = |s: &str| {
                text.find(s)
                    .unwrap_or_else(|| panic!("{s} missing:\n{text}"))
            };
            // Sorted by value: w_4 = −1 first, w_3 = 2 last.
            assert!(at("-1.000000000e0") < at("-2.500000000e-1"));
            assert!(at("1.500000000e0") < at("2.000000000e0"));
            at("4.25");
            at("-1.25");
            insta::assert_snapshot!(format!("contributions_list_{w}x{h}"), text);
        }
    }

    #[test]
    fn the_equal_profile_reads_as_one_line() {
        let params = Params {
            dimension: 10_000_000,
            xb: 2.0,
            offset: 0.5,
            ..Params::default()
        };
        for (w, h) in [(80, 24), (160, 48)] {
            let text = frame(&params, w, h);
            assert!(
                text.contains("d = 10,000,000 equal contributions of (xβ − b)/d = 1.5e-7"),
                "{text}"
            );
            insta::assert_snapshot!(format!("contributions_equal_{w}x{h}"), text);
        }
    }

    #[test]
    fn a_long_list_scrolls_and_keeps_the_last_page_full() {
        // 100 distinct values −50..=49 in a scrambled order.
        let w: Vec<f64> = (0..100).map(|j| ((j * 37) % 100) as f64 - 50.0).collect();
        let params = Params::default().with_weights(w);
        let theme = crate::tui::theme::Theme::new(crate::settings::ThemeName::Dark, false);
        let mut app = crate::tui::computed_app(&params, View::Contributions, theme);
        let area = ratatui::layout::Rect::new(0, 0, 80, 24);
        let text = |app: &crate::tui::app::App| {
            let mut buf = ratatui::buffer::Buffer::empty(area);
            super::super::render(app, area, &mut buf);
            crate::tui::buffer_text(&buf)
        };
        let top = text(&app);
        assert!(
            top.contains("w_j sorted, 1..") && top.contains("of 100"),
            "{top}"
        );
        assert!(top.contains("-5.000000000e1"), "{top}");
        app.scroll = 1000;
        let bottom = text(&app);
        assert!(bottom.contains("..100 of 100"), "{bottom}");
        assert!(bottom.contains("4.900000000e1"), "{bottom}");
        assert!(!bottom.contains("-5.000000000e1"), "{bottom}");
        assert!(
            bottom.contains("− (-50)") && !bottom.contains("− -"),
            "{bottom}"
        );
    }

    #[test]
    fn gaussian_noise_has_no_maximum_deviation() {
        let params = Params {
            noise: crate::params::Noise::Gaussian,
            ..Params::default()
        }
        .with_weights(vec![1.0, -2.0]);
        let text = frame(&params, 160, 48);
        assert!(text.contains("unbounded"), "{text}");
        assert!(text.contains("the series diverges"), "{text}");
    }
}
