//! `dropscope eval`: one evaluation as JSON, CSV or an aligned table.

use std::fmt::Write as _;

use clap::ValueEnum;
use serde::Serialize;

use crate::engine::Report;
use crate::params::Params;
use crate::tui::format::num;

/// Output formats of `eval`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary and an aligned table of every order (default).
    #[default]
    Table,
    /// One JSON object with stable keys; non-finite numbers are `null`.
    Json,
    /// One row per order: order, coefficient, moment, term, partial sum.
    Csv,
}

/// A number with ten significant digits, or `n/a` where there is none.
pub fn number(v: Option<f64>) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.9e}"),
        _ => "n/a".to_string(),
    }
}

/// The header line of a parameter point, as the TUI shows it.
pub fn params_line(p: &Params) -> String {
    let mut s = format!(
        "δ={}  xβ={}  k={}  d={}  weights={}  noise={}",
        num(p.delta, 10),
        num(p.xb, 10),
        p.order,
        p.dimension,
        p.profile_label(),
        p.noise
    );
    if p.offset != 0.0 {
        let _ = write!(s, "  offset={}", num(p.offset, 10));
    }
    if p.noise == crate::params::Noise::Gaussian {
        let _ = write!(s, "  σ={}", num(p.gaussian_sigma(), 10));
    }
    let _ = write!(s, "  model={}  moments={}", p.model, p.moments);
    s
}

/// The JSON document: the report, plus a Monte Carlo section when one was run.
#[derive(Serialize)]
struct JsonDoc<'a, M: Serialize> {
    #[serde(flatten)]
    report: &'a Report,
    #[serde(skip_serializing_if = "Option::is_none")]
    monte_carlo: Option<&'a M>,
}

/// Renders a report in the chosen format; `monte_carlo` is any serialisable summary.
pub fn render<M: Serialize>(report: &Report, format: Format, monte_carlo: Option<&M>) -> String {
    match format {
        Format::Json => {
            let doc = JsonDoc {
                report,
                monte_carlo,
            };
            let mut s = serde_json::to_string_pretty(&doc).expect("a report always serialises");
            s.push('\n');
            s
        }
        Format::Csv => csv(report),
        Format::Table => {
            let mut s = table(report);
            if let Some(mc) = monte_carlo {
                let v = serde_json::to_value(mc).expect("a summary always serialises");
                let _ = writeln!(s, "\nmonte carlo     {}", v);
            }
            s
        }
    }
}

/// Order m with a_m, M_m, a_m·M_m and R_m, for m = 0..=k.
fn rows(r: &Report) -> impl Iterator<Item = (usize, [Option<f64>; 4])> + '_ {
    (0..r.coefficients.len()).map(|m| {
        (
            m,
            [
                r.coefficients[m],
                r.moments[m],
                r.terms[m],
                r.partial_sums[m],
            ],
        )
    })
}

fn csv(r: &Report) -> String {
    let cell = |v: Option<f64>| v.map(|x| format!("{x:e}")).unwrap_or_default();
    let mut s = String::from("order,coefficient,moment,term,partial_sum\n");
    for (m, values) in rows(r) {
        let cells: Vec<String> = values.into_iter().map(cell).collect();
        let _ = writeln!(s, "{m},{}", cells.join(","));
    }
    s
}

/// The human verdict, e.g. `converges (max |x̃β−xβ| = 6 < true radius 6.77)`.
pub fn verdict(r: &Report) -> String {
    let word = if r.converges { "converges" } else { "diverges" };
    match (r.max_deviation, r.radius.true_radius) {
        (Some(d), Some(t)) => format!(
            "{word}: max |x̃β−xβ| = {} {} true radius √(xβ²+π²) = {}; paper's 2π = {} says {}",
            num(d, 10),
            if d < t { "<" } else { ">=" },
            num(t, 10),
            num(r.radius.paper, 10),
            if r.paper_converges == Some(true) {
                "converges"
            } else {
                "diverges"
            }
        ),
        (None, Some(t)) => format!(
            "{word}: the noise is unbounded (true radius {}), the series is only asymptotic",
            num(t, 10)
        ),
        (_, None) => format!("{word}: A is a polynomial, the series stops at order 2"),
    }
}

fn table(r: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", params_line(&r.params));
    let _ = writeln!(s, "verdict         {}", verdict(r));
    let _ = writeln!(
        s,
        "exact R         {}",
        r.exact_penalty.map_or_else(
            || "n/a (no exact method for explicit lists with d > 20; use --mc)".to_string(),
            |v| number(Some(v))
        )
    );
    let _ = writeln!(s, "quadratic R_2   {}  (Wager et al.)", number(r.quadratic));
    let _ = writeln!(
        s,
        "R_k (k={})      {}",
        r.params.order,
        number(r.partial_sums.last().copied().flatten())
    );
    if let Some(b) = r.best_order {
        let _ = writeln!(
            s,
            "best order k*   {} (|R_k* - R| = {})",
            b.order,
            number(Some(b.error))
        );
    }
    let _ = writeln!(
        s,
        "radius          true {}  paper 2π {}  root test {}",
        number(r.radius.true_radius),
        number(Some(r.radius.paper)),
        number(r.radius.root_test)
    );
    let _ = writeln!(
        s,
        "paper condition |w_j| < 2π/d {}",
        if r.paper_condition { "holds" } else { "fails" }
    );
    let _ = writeln!(
        s,
        "\n{:>5}  {:>16}  {:>16}  {:>16}  {:>16}",
        "m", "a_m", "M_m", "a_m·M_m", "R_m"
    );
    for (m, values) in rows(r) {
        let _ = write!(s, "{m:>5}");
        for v in values {
            let _ = write!(s, "  {:>16}", number(v));
        }
        s.push('\n');
    }
    s
}
