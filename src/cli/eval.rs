//! `dropscope eval`: one evaluation as JSON, CSV or an aligned table.

use std::fmt::Write as _;

use clap::ValueEnum;
use serde::Serialize;

use crate::engine::Report;
use crate::montecarlo::McSummary;
use crate::params::{Noise, Params};
use crate::settings::ProfileKind;
use crate::tui::format::{self, num};
use crate::tui::profile::Profile;

/// Output formats of `eval`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A summary and an aligned table of every order (default).
    #[default]
    Table,
    /// One JSON object with stable keys; non-finite numbers are `null`.
    Json,
    /// One row per order: order, coefficient, moment, term, partial sum, its error against
    /// R, then R, the verdicts and the Monte Carlo result repeated on every row.
    Csv,
}

/// A number with ten significant digits, or `n/a` where there is none; at most
/// [`format::EXACT_WIDTH`] characters.
pub fn number(v: Option<f64>) -> String {
    format::exact(v)
}

/// Width of a value column in the table.
const COLUMN: usize = format::EXACT_WIDTH;

/// The header line of a parameter point, as the TUI shows it: `profile` names the
/// contributions (`weights=alternating  spread=2`, and the seed of the random profile).
pub fn params_line(p: &Params, profile: &Profile) -> String {
    let mut s = format!(
        "δ={}  xβ={}  k={}  d={}  weights={}",
        num(p.delta, 10),
        num(p.xb, 10),
        p.order,
        p.dimension,
        profile.label(),
    );
    if profile.uses_spread() {
        let _ = write!(s, "  spread={}", num(profile.spread, 10));
    }
    if profile.kind == ProfileKind::Random {
        let _ = write!(s, "  seed={}", profile.seed);
    }
    let _ = write!(s, "  noise={}", p.noise);
    if p.offset != 0.0 {
        let _ = write!(s, "  offset={}", num(p.offset, 10));
    }
    if p.noise == crate::params::Noise::Gaussian {
        let _ = write!(s, "  σ={}", num(p.gaussian_sigma(), 10));
    }
    let _ = write!(s, "  model={}  moments={}", p.model, p.moments);
    s
}

/// The JSON document: the report, the profile that made the contributions, and a Monte Carlo
/// section when one was run.
#[derive(Serialize)]
struct JsonDoc<'a> {
    #[serde(flatten)]
    report: &'a Report,
    profile: ProfileDoc,
    #[serde(skip_serializing_if = "Option::is_none")]
    monte_carlo: Option<&'a McSummary>,
}

/// The JSON `profile`: its name, with the spread and the seed where the profile has them.
#[derive(Serialize)]
struct ProfileDoc {
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    spread: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

impl ProfileDoc {
    fn new(profile: &Profile) -> Self {
        ProfileDoc {
            name: profile.label(),
            spread: profile.uses_spread().then_some(profile.spread),
            seed: (profile.kind == ProfileKind::Random).then_some(profile.seed),
        }
    }
}

/// Renders a report in the chosen format, with the profile that made its contributions and
/// the Monte Carlo result when one was run.
pub fn render(
    report: &Report,
    profile: &Profile,
    format: Format,
    monte_carlo: Option<&McSummary>,
) -> String {
    match format {
        Format::Json => {
            let shown = with_sigma(report);
            let doc = JsonDoc {
                report: &shown,
                profile: ProfileDoc::new(profile),
                monte_carlo,
            };
            let mut s = serde_json::to_string_pretty(&doc).expect("a report always serialises");
            s.push('\n');
            s
        }
        Format::Csv => csv(report, monte_carlo),
        Format::Table => {
            let mut s = table(report, profile);
            if let Some(mc) = monte_carlo {
                s.push_str(&monte_carlo_lines(report, mc));
            }
            s
        }
    }
}

/// The report with the σ Gaussian noise used written out, as the table shows it, where it
/// was derived from the dropout variance rather than given.
fn with_sigma(report: &Report) -> Report {
    let mut shown = report.clone();
    if shown.params.noise == Noise::Gaussian {
        shown.params.sigma = Some(shown.params.gaussian_sigma());
    }
    shown
}

/// The Monte Carlo lines of the table: N, R^ ± se with its 95% interval and seed, and R^
/// against R in standard errors.
fn monte_carlo_lines(report: &Report, mc: &McSummary) -> String {
    let finite = |v: f64| v.is_finite().then_some(v);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<16}N = {}  R^ = {} ± {}  95% [{}, {}]  seed {}",
        "monte carlo",
        mc.samples,
        number(finite(mc.mean)),
        number(finite(mc.std_error)),
        number(finite(mc.ci95.0)),
        number(finite(mc.ci95.1)),
        mc.seed
    );
    if let (Some(r), true) = (report.exact_penalty, mc.std_error > 0.0) {
        let _ = writeln!(
            s,
            "{:<16}R^ − R = {} = {} se",
            "",
            number(finite(mc.mean - r)),
            num((mc.mean - r) / mc.std_error, 3)
        );
    }
    s
}

/// A value and the bound on its error, either `None` where not available.
type Bounded = (Option<f64>, Option<f64>);

/// Order m with (value, error bound) of a_m, M_m, a_m·M_m, R_m and R_m − R, for m = 0..=k;
/// a_m's bound is `None` (shown to ten digits, their stated accuracy).
fn rows(r: &Report) -> impl Iterator<Item = (usize, [Bounded; 5])> + '_ {
    (0..r.coefficients.len()).map(|m| {
        (
            m,
            [
                (r.coefficients[m], None),
                (r.moments[m], r.moment_errors[m]),
                (r.terms[m], r.term_errors[m]),
                (r.partial_sums[m], r.partial_sum_errors[m]),
                r.excess(m),
            ],
        )
    })
}

/// The CSV columns, in order: each value at full precision with the bound on its error.
pub const CSV_COLUMNS: &str = "order,coefficient,moment,moment_error_bound,term,\
term_error_bound,partial_sum,partial_sum_error_bound,error,error_bound,exact_penalty,\
exact_penalty_error_bound,converges,paper_converges,mc_samples,mc_mean,mc_std_error";

fn csv(r: &Report, mc: Option<&McSummary>) -> String {
    let cell = |v: Option<f64>| {
        v.filter(|x| x.is_finite())
            .map(|x| format!("{x:e}"))
            .unwrap_or_default()
    };
    let flag = |b: Option<bool>| b.map(|b| b.to_string()).unwrap_or_default();
    let tail = [
        cell(r.exact_penalty),
        cell(r.exact_penalty_error),
        flag(Some(r.converges)),
        flag(r.paper_converges),
        mc.map(|m| m.samples.to_string()).unwrap_or_default(),
        cell(mc.map(|m| m.mean)),
        cell(mc.map(|m| m.std_error)),
    ]
    .join(",");
    let mut s = format!("{CSV_COLUMNS}\n");
    for (m, values) in rows(r) {
        let mut cells = vec![cell(values[0].0)];
        for (v, bound) in &values[1..] {
            cells.push(cell(*v));
            cells.push(cell(*bound));
        }
        let _ = writeln!(s, "{m},{},{tail}", cells.join(","));
    }
    s
}

/// The human verdict, e.g. `converges (max |x̃β−xβ| = 6 < true radius 6.77)`.
pub fn verdict(r: &Report) -> String {
    let word = if r.converges { "converges" } else { "diverges" };
    match (r.max_deviation, r.radius.true_radius) {
        (Some(d), Some(t)) => format!(
            "{word}: max |x̃β−xβ| = {} {} true radius √(xβ²+π²) = {}{}; paper's 2π = {} says {}",
            format::distinct(d, t, 10).0,
            if r.converges { "<" } else { ">=" },
            format::distinct(d, t, 10).1,
            match r.radius_margin {
                Some(margin) if d == t => format!(" (by {})", num(margin.abs(), 3)),
                _ => String::new(),
            },
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

fn table(r: &Report, profile: &Profile) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", params_line(&r.params, profile));
    let _ = writeln!(s, "verdict         {}", verdict(r));
    let _ = writeln!(
        s,
        "exact R         {}",
        r.exact_penalty.map_or_else(
            || format!("n/a ({}; see --mc)", format::missing_exact(&r.params)),
            |v| number(Some(v))
        )
    );
    let _ = writeln!(s, "quadratic R_2   {}  (Wager et al.)", number(r.quadratic));
    let _ = writeln!(
        s,
        "{:<16}{}",
        format!("R_k (k={})", r.params.order),
        number(r.partial_sums.last().copied().flatten())
    );
    if let Some(b) = r.best_order {
        let _ = writeln!(
            s,
            "best order k*   {} (|R_k* - R| = {})",
            b.order,
            format::bounded_num(b.error, b.error_bound, 10, "±")
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
    let _ = write!(s, "\n{:>5}", "m");
    for name in ["a_m", "M_m", "a_m·M_m", "R_m", "R_m − R"] {
        let _ = write!(s, "  {name:>COLUMN$}");
    }
    s.push('\n');
    for (m, values) in rows(r) {
        let _ = write!(s, "{m:>5}");
        let _ = write!(s, "  {:>COLUMN$}", number(values[0].0));
        for (v, bound) in &values[1..] {
            let _ = write!(s, "  {:>COLUMN$}", format::bounded(*v, *bound, COLUMN, "±"));
        }
        s.push('\n');
    }
    s
}
