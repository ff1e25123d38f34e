//! The header: view tabs and status, every parameter (`δ=0.50  xβ=6.00  k=40 ...`), and the
//! verdict: converges or diverges, max |x̃β − xβ| against the true radius and the paper's 2π.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::engine::softmax::SoftmaxReport;
use crate::engine::{PAPER_RADIUS, Report};
use crate::params::{Model, Noise};
use crate::settings::View;
use crate::tui::app::{self, App};
use crate::tui::format;
use crate::tui::theme::{Role, Theme};

/// Screens shorter than this drop the tab line to leave room for the charts.
const TABS_FROM_HEIGHT: u16 = 24;

/// The header's lines for a screen of this size.
fn lines(app: &App, screen: Rect) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    if screen.height >= TABS_FROM_HEIGHT {
        lines.push(tabs(app, screen.width));
    }
    let params = wrap(params(app), screen.width, 2);
    if app.softmax_selected {
        // The verdict's reason is words, wrapped with single spaces.
        lines.extend(wrap(self::params(app), screen.width, 2));
        lines.extend(wrap(verdict(app), screen.width, 1));
        return lines;
    }
    if params.len() == 1 {
        lines.extend(params);
        lines.extend(wrap(verdict(app), screen.width, 2));
    } else {
        // Narrow screens: single spaces, and the verdict flows on after the parameters, with a
        // separator only where both share a line.
        let mut lines_here = wrap(self::params(app), screen.width, 1);
        let mut verdict = verdict(app);
        let separator = Span::styled(app.theme.text("│", "|"), app.theme.style(Role::Dim));
        if let (Some(last), Some(first)) = (lines_here.last_mut(), verdict.first()) {
            let first: usize = first.iter().map(Span::width).sum();
            if last.width() + 3 + first <= screen.width as usize {
                last.spans
                    .extend([Span::raw(" "), separator, Span::raw(" ")]);
                let first = verdict.remove(0);
                last.spans.extend(first);
            }
        }
        // The rest of the verdict continues the last line where it fits.
        let mut rest = vec![lines_here.pop().map(|l| l.spans).unwrap_or_default()];
        rest.extend(verdict);
        lines_here.extend(wrap(rest, screen.width, 1));
        lines.extend(lines_here);
    }
    lines
}

/// Rows the header needs on a screen of this size.
pub fn height(app: &App, screen: Rect) -> u16 {
    lines(app, screen).len() as u16
}

/// Draws the header at the top of `area` (the whole screen's width).
pub fn render(app: &App, screen: Rect, area: Rect, buf: &mut Buffer) {
    Paragraph::new(lines(app, screen)).render(area, buf);
}

/// The view tabs on the left, the engine status on the right.
fn tabs(app: &App, width: u16) -> Line<'static> {
    let theme = &app.theme;
    let mut spans = vec![Span::styled("dropscope ", theme.style(Role::Title))];
    let full: usize = 10
        + View::ALL
            .iter()
            .enumerate()
            .map(|(i, v)| format!(" {} {} ", i + 1, v.title()).chars().count())
            .sum::<usize>();
    // Narrow screens name only the current view; the others keep their number keys.
    let compact = full > width as usize;
    for (i, view) in View::ALL.iter().enumerate() {
        let text = if compact && *view != app.view {
            format!(" {} ", i + 1)
        } else {
            format!(" {} {} ", i + 1, view.title())
        };
        let style = if *view == app.view {
            theme
                .style(Role::Highlight)
                .add_modifier(ratatui::style::Modifier::REVERSED)
        } else {
            theme.style(Role::Dim)
        };
        spans.push(Span::styled(text, style));
    }
    let status = if app.computing() {
        Span::styled(super::computing(theme).to_string(), theme.style(Role::Warn))
    } else {
        Span::raw("")
    };
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let room = (width as usize).saturating_sub(used);
    if room > status.width() + 1 {
        spans.push(Span::raw(" ".repeat(room - status.width())));
        spans.push(status);
    }
    Line::from(spans)
}

/// `name=value` groups for every parameter.
fn params(app: &App) -> Vec<Vec<Span<'static>>> {
    let theme = &app.theme;
    let items = if app.softmax_selected {
        app::softmax_items(app, theme.ascii)
    } else {
        app::items(&app.params, &app.profile, theme.ascii)
    };
    items
        .into_iter()
        .map(|(k, v)| {
            vec![
                Span::styled(format!("{k}="), theme.style(Role::Dim)),
                Span::styled(v, theme.style(Role::Value)),
            ]
        })
        .collect()
}

/// The verdict groups.
fn verdict(app: &App) -> Vec<Vec<Span<'static>>> {
    let theme = &app.theme;
    if app.softmax_selected {
        return match app.current_softmax() {
            None => vec![vec![Span::styled(
                super::computing(theme).to_string(),
                theme.style(Role::Warn),
            )]],
            Some(Err(e)) => vec![vec![Span::styled(
                format!("error: {e}"),
                theme.style(Role::Bad),
            )]],
            Some(Ok(r)) => softmax_verdict(theme, r),
        };
    }
    match app.current().map(|c| &c.report) {
        None => vec![vec![Span::styled(
            super::computing(theme).to_string(),
            theme.style(Role::Warn),
        )]],
        Some(Err(e)) => vec![vec![Span::styled(
            format!("error: {e}"),
            theme.style(Role::Bad),
        )]],
        Some(Ok(report)) => report_verdict(theme, report),
    }
}

/// The softmax verdict: converges, diverges or undecided, the mask radius against 1, and the
/// engine's reason.
fn softmax_verdict(theme: &Theme, r: &SoftmaxReport) -> Vec<Vec<Span<'static>>> {
    let word = match r.converges {
        Some(true) => Span::styled("converges", theme.style(Role::Good)),
        Some(false) => Span::styled("diverges", theme.style(Role::Bad)),
        None => Span::styled("undecided", theme.style(Role::Warn)),
    };
    let rho = theme.text("ρ", "rho");
    let compare = |v: f64| if v > 1.0 { ">" } else { "<=" };
    let radius = match (r.mask_radius, r.smallest_radius) {
        (Some(v), _) => format!("mask radius {rho} = {} {} 1", format::num(v, 6), compare(v)),
        (None, Some(v)) => format!(
            "smallest {rho} found = {} {} 1",
            format::num(v, 6),
            compare(v)
        ),
        (None, None) if r.converges == Some(true) => {
            format!("mask radius {rho} = {}", theme.text("∞", "inf"))
        }
        (None, None) => format!("mask radius {rho} = n/a"),
    };
    let bar = || vec![Span::styled(theme.text("│", "|"), theme.style(Role::Dim))];
    let mut groups = vec![
        vec![word],
        bar(),
        vec![Span::styled(radius, theme.style(Role::Value))],
        bar(),
    ];
    // The reason, split into words so it wraps at the screen's edge.
    let reason = r
        .reason
        .replace('ρ', rho)
        .replace('Σ', theme.text("Σ", "sum"));
    let reason = reason.replace('ε', theme.text("ε", "eps"));
    groups.extend(
        reason
            .split(' ')
            .map(|w| vec![Span::styled(w.to_string(), theme.style(Role::Dim))]),
    );
    groups
}

fn report_verdict(theme: &Theme, r: &Report) -> Vec<Vec<Span<'static>>> {
    let p = &r.params;
    let dev = theme.text("max|x̃β−xβ|", "max|S-xb|");
    let pi2 = theme.text("2π", "2pi");
    let word = |ok: bool| {
        if ok {
            Span::styled("converges", theme.style(Role::Good))
        } else {
            Span::styled("diverges", theme.style(Role::Bad))
        }
    };
    let plain = |s: String| Span::styled(s, Style::default());
    if p.model == Model::Linear {
        return vec![
            vec![word(true)],
            vec![plain(format!(
                "linear model: A(z) = z{}/2, so R = R{} exactly; every later term is 0",
                theme.text("²", "^2"),
                theme.text("₂", "_2")
            ))],
        ];
    }
    let mut groups = Vec::new();
    match (p.noise, r.max_deviation) {
        (Noise::Gaussian, _) | (_, None) => {
            groups.push(vec![
                word(false),
                Span::styled(" (asymptotic)", theme.style(Role::Warn)),
            ]);
            groups.push(vec![plain(format!(
                "Gaussian noise has unbounded support: no radius contains it ({}={})",
                theme.text("σ", "sigma"),
                format::num(p.gaussian_sigma(), 4)
            ))]);
        }
        (Noise::Dropout, Some(m)) => {
            groups.push(vec![word(r.converges)]);
            let (shown, r_true) = match r.radius.true_radius {
                Some(t) => format::distinct(m, t, 4),
                None => (
                    format::distinct(m, m, 4).0,
                    theme.text("∞", "inf").to_string(),
                ),
            };
            let cmp = |a: f64, b: Option<f64>| match b {
                Some(b) if a >= b => ">=",
                _ => "<",
            };
            // Where f64 rounds the two to one number, the engine's margin tells them apart.
            let (sign, by) = match r.radius_margin {
                Some(margin) => (
                    if margin > 0.0 { "<" } else { ">=" },
                    if shown == r_true {
                        format!(" (by {})", format::num(margin.abs(), 2))
                    } else {
                        String::new()
                    },
                ),
                None => (cmp(m, r.radius.true_radius), String::new()),
            };
            groups.push(vec![
                plain(format!("{dev} = {shown} ")),
                Span::styled(
                    format!("{sign} true r = {r_true}{by}"),
                    theme.style(Role::TrueRadius),
                ),
            ]);
            let paper = r.paper_converges.unwrap_or(false);
            let mut group = vec![Span::styled(
                format!(
                    "paper: {} {} {pi2} {} {}",
                    format::distinct(m, PAPER_RADIUS, 4).0,
                    cmp(m, Some(PAPER_RADIUS)),
                    theme.text("→", "->"),
                    if paper { "converges" } else { "diverges" }
                ),
                theme.style(Role::PaperRadius),
            )];
            if paper != r.converges {
                group.push(Span::styled(" (wrong)", theme.style(Role::Bad)));
            }
            groups.push(group);
            groups.push(vec![plain(format!(
                "|w_j| < {pi2}/d {}",
                if r.paper_condition { "holds" } else { "fails" }
            ))]);
        }
    }
    groups
}

/// Greedy wrap of span groups into lines of `width`, `gap` spaces apart.
pub(super) fn wrap(groups: Vec<Vec<Span<'static>>>, width: u16, gap: usize) -> Vec<Line<'static>> {
    let width = width as usize;
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for group in groups {
        let w: usize = group.iter().map(Span::width).sum();
        if used > 0 && used + gap + w > width {
            lines.push(Line::from(std::mem::take(&mut current)));
            used = 0;
        }
        if used > 0 {
            current.push(Span::raw(" ".repeat(gap)));
            used += gap;
        }
        current.extend(group);
        used += w;
    }
    if !current.is_empty() {
        lines.push(Line::from(current));
    }
    lines
}
