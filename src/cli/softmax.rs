//! `dropscope eval --model softmax`: the q-class softmax penalty (docs/math.md §10) from
//! `--logits` (equal contributions) or `--weights` / `--weights-file` rows, as JSON, CSV or a
//! table, with an optional Monte Carlo of real masks.

use std::fmt::Write as _;
use std::path::Path;

use clap::Args;
use serde::Serialize;

use super::args::ParamArgs;
use super::eval::{Format, number};
use crate::engine::BestOrder;
use crate::engine::softmax::{Masks, SoftmaxContributions, SoftmaxParams, SoftmaxReport, Zeros};
use crate::montecarlo::McSummary;
use crate::params::{MomentsKind, Noise, Params};
use crate::settings::{ModelChoice, ProfileKind};
use crate::softmax_settings::{SoftmaxSettings, parse_logits, parse_offset, parse_rows};
use crate::tui::format;
use crate::weights_file::read_rows_file;

/// Flags only the softmax model takes.
#[derive(Args, Clone, Debug, Default)]
pub struct SoftmaxArgs {
    /// Softmax logits η0 = η1,…,ηq (finite), each feature contributing η0/d.
    #[arg(long, value_name = "η1,...,ηq", allow_hyphen_values = true)]
    pub logits: Option<String>,
    /// Number of classes q >= 2, checked against the logits or the rows.
    #[arg(long, value_name = "Q")]
    pub classes: Option<usize>,
    /// Softmax dropout masks: shared (one per feature) or per-class (one per feature and class).
    #[arg(long, value_name = "shared|per-class")]
    pub masks: Option<Masks>,
}

impl SoftmaxArgs {
    /// The first softmax-only flag given, for the error when the model is not softmax.
    pub fn first_given(&self) -> Option<&'static str> {
        if self.logits.is_some() {
            Some("--logits")
        } else if self.classes.is_some() {
            Some("--classes")
        } else if self.masks.is_some() {
            Some("--masks")
        } else {
            None
        }
    }
}

/// The softmax parameters of `params` and `args`: defaults δ, k, d of [`Params::default`];
/// errors name the flag and value, including logistic-only flags.
pub fn softmax_params(params: &ParamArgs, args: &SoftmaxArgs) -> Result<SoftmaxParams, String> {
    logistic_only(params)?;
    let defaults = Params::default();
    let rows = match (&params.weights, &params.weights_file) {
        (Some(w), _) if ProfileKind::from_name(w) == Some(ProfileKind::Equal) => None,
        (Some(w), _) => Some(parse_rows(w)?),
        (None, Some(path)) => Some(read_rows(path)?),
        (None, None) => None,
    };
    let logits = args.logits.as_deref().map(parse_logits).transpose()?;
    let contributions = match (rows, logits) {
        (Some(rows), logits) => {
            if let Some(d) = params.d
                && d != rows.len() as u64
            {
                return Err(format!(
                    "--d {d} conflicts with the weight rows, which are {} features",
                    rows.len()
                ));
            }
            if let Some(logits) = logits {
                check_logits_match(&logits, &rows)?;
            }
            SoftmaxContributions::Explicit(rows)
        }
        (None, Some(logits)) => SoftmaxContributions::Equal {
            logits,
            dimension: params.d.unwrap_or(defaults.dimension),
        },
        (None, None) => {
            return Err(
                "--model softmax needs --logits=η1,...,ηq or --weights=\"c11,...,c1q;...\" rows"
                    .to_string(),
            );
        }
    };
    let width = match &contributions {
        SoftmaxContributions::Equal { logits, .. } => logits.len(),
        SoftmaxContributions::Explicit(rows) => rows[0].len(),
    };
    if let Some(q) = args.classes
        && q != width
    {
        let source = match &contributions {
            SoftmaxContributions::Equal { .. } => "logits",
            SoftmaxContributions::Explicit(_) => "entries per weight row",
        };
        return Err(format!("--classes {q} conflicts with the {width} {source}"));
    }
    let p = SoftmaxParams {
        delta: params.delta.unwrap_or(defaults.delta),
        order: params.k.unwrap_or(defaults.order),
        classes: width,
        masks: args.masks.unwrap_or(Masks::Shared),
        offset: params.offset.as_deref().map(parse_offset).transpose()?,
        contributions,
    };
    p.validate().map_err(|e| e.to_string())?;
    Ok(p)
}

/// The first flag of the logistic and linear models given with `--model softmax`, as an error.
fn logistic_only(params: &ParamArgs) -> Result<(), String> {
    let flags = [
        (params.xb.is_some(), "--xb"),
        (params.sigma.is_some(), "--sigma"),
        (params.noise == Some(Noise::Gaussian), "--noise gaussian"),
        (
            params.moments == Some(MomentsKind::Paper),
            "--moments paper",
        ),
    ];
    match flags.iter().find(|(given, _)| *given) {
        Some((_, flag)) => Err(format!(
            "{flag} is not allowed with --model softmax: it applies to the logistic and linear models only"
        )),
        None => Ok(()),
    }
}

/// The explorer's softmax settings and whether softmax is selected: `base` (the config's)
/// with the flags on top. `--model softmax` (or the config's `model = "softmax"` without a
/// `--model` flag) selects it; `--weights` / `--weights-file` then give rows, `--logits` equal
/// contributions, `--classes` resizes the logits or checks the rows, `--offset b1,…,bq` sets
/// the per-class offset. Errors name the flag.
pub fn explorer_settings(
    params: &ParamArgs,
    args: &SoftmaxArgs,
    base: &SoftmaxSettings,
    config_selects: bool,
) -> Result<(bool, SoftmaxSettings), String> {
    let selected = match params.model {
        Some(m) => m == ModelChoice::Softmax,
        None => config_selects,
    };
    if !selected {
        if let Some(flag) = args.first_given() {
            return Err(format!("{flag} needs --model softmax"));
        }
        return Ok((false, base.clone()));
    }
    logistic_only(params)?;
    let mut s = base.clone();
    let rows = match (&params.weights, &params.weights_file) {
        (Some(w), _) => Some(parse_rows(w)?),
        (None, Some(path)) => Some(read_rows(path)?),
        (None, None) => None,
    };
    if let Some(rows) = rows {
        if let Some(d) = params.d
            && d != rows.len() as u64
        {
            return Err(format!(
                "--d {d} conflicts with the weight rows, which are {} features",
                rows.len()
            ));
        }
        if let Some(logits) = args.logits.as_deref() {
            check_logits_match(&parse_logits(logits)?, &rows)?;
        }
        s = s.with_rows(rows);
    } else if let Some(logits) = args.logits.as_deref() {
        s = s.with_logits(parse_logits(logits)?);
    } else if let Some(q) = args.classes {
        s = s.with_classes(q);
    }
    if let Some(q) = args.classes
        && q != s.classes()
    {
        return Err(format!(
            "--classes {q} conflicts with the {} classes given",
            s.classes()
        ));
    }
    if let Some(m) = args.masks {
        s.masks = m;
    }
    if let Some(b) = params.offset.as_deref() {
        s.offset = Some(parse_offset(b)?);
    }
    SoftmaxParams::from_settings(&s, 0.0, 0, params.d.unwrap_or(1))
        .validate()
        .map_err(|e| e.to_string())?;
    Ok((true, s))
}

fn read_rows(path: &Path) -> Result<Vec<Vec<f64>>, String> {
    read_rows_file(path).map_err(|e| e.to_string())
}

/// With explicit rows, `--logits` must have q entries equal to Σ_j C_j (to 1e-12 of Σ |C_j|).
fn check_logits_match(logits: &[f64], rows: &[Vec<f64>]) -> Result<(), String> {
    let q = rows[0].len();
    if logits.len() != q {
        return Err(format!(
            "--logits has {} entries but the weight rows have q = {q}",
            logits.len()
        ));
    }
    for (k, &l) in logits.iter().enumerate() {
        let sum: f64 = rows.iter().map(|r| r[k]).sum();
        let scale: f64 = rows.iter().map(|r| r[k].abs()).sum::<f64>().max(1.0);
        if !l.is_finite() || (l - sum).abs() > 1e-12 * scale {
            return Err(format!(
                "logit η0_{} = {l} conflicts with the weight rows, whose sum Σ_j C_j,{} is {sum}",
                k + 1,
                k + 1
            ));
        }
    }
    Ok(())
}

/// The parameters as the JSON `params` object shows them.
#[derive(Serialize)]
struct ParamsView {
    model: &'static str,
    delta: f64,
    order: usize,
    classes: usize,
    masks: Masks,
    dimension: u64,
    contributions: &'static str,
}

/// Radius figures of the JSON `radius` object.
#[derive(Serialize)]
struct RadiusView {
    root_test: Option<f64>,
    mask_radius: Option<f64>,
}

/// The JSON document of a softmax evaluation.
#[derive(Serialize)]
struct JsonDoc<'a> {
    params: ParamsView,
    offset: Vec<f64>,
    logits: &'a [f64],
    probabilities: &'a [f64],
    terms: &'a [Option<f64>],
    term_errors: &'a [Option<f64>],
    partial_sums: &'a [Option<f64>],
    partial_sum_errors: &'a [Option<f64>],
    quadratic: Option<f64>,
    exact_penalty: Option<f64>,
    exact_penalty_error: Option<f64>,
    best_order: Option<BestOrder>,
    radius: RadiusView,
    mask_radius: Option<f64>,
    smallest_radius: Option<f64>,
    worst_mask: &'a Option<Vec<Vec<bool>>>,
    worst_noise: &'a Option<Vec<f64>>,
    worst_zeros: &'a Option<Zeros>,
    converges: Option<bool>,
    reason: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    monte_carlo: Option<&'a McSummary>,
}

fn params_view(p: &SoftmaxParams) -> ParamsView {
    ParamsView {
        model: "softmax",
        delta: p.delta,
        order: p.order,
        classes: p.classes,
        masks: p.masks,
        dimension: p.dimension(),
        contributions: match p.contributions {
            SoftmaxContributions::Equal { .. } => "equal",
            SoftmaxContributions::Explicit(_) => "explicit",
        },
    }
}

/// Renders a softmax report in `format`, with the Monte Carlo summary when one was run.
pub fn render(r: &SoftmaxReport, format: Format, monte_carlo: Option<&McSummary>) -> String {
    match format {
        Format::Json => {
            let doc = JsonDoc {
                params: params_view(&r.params),
                offset: r.params.offset_vector(),
                logits: &r.logits,
                probabilities: &r.probabilities,
                terms: &r.terms,
                term_errors: &r.term_errors,
                partial_sums: &r.partial_sums,
                partial_sum_errors: &r.partial_sum_errors,
                quadratic: r.quadratic,
                exact_penalty: r.exact_penalty,
                exact_penalty_error: r.exact_penalty_error,
                best_order: r.best_order,
                radius: RadiusView {
                    root_test: r.root_test,
                    mask_radius: r.mask_radius,
                },
                mask_radius: r.mask_radius,
                smallest_radius: r.smallest_radius,
                worst_mask: &r.worst_mask,
                worst_noise: &r.worst_noise,
                worst_zeros: &r.worst_zeros,
                converges: r.converges,
                reason: &r.reason,
                monte_carlo,
            };
            let mut s = serde_json::to_string_pretty(&doc).expect("a report always serialises");
            s.push('\n');
            s
        }
        Format::Csv => {
            let cell = |v: Option<f64>| v.map(|x| format!("{x:e}")).unwrap_or_default();
            let mut s = String::from("order,term,partial_sum\n");
            for (m, (t, ps)) in r.terms.iter().zip(&r.partial_sums).enumerate() {
                let _ = writeln!(s, "{m},{},{}", cell(*t), cell(*ps));
            }
            s
        }
        Format::Table => table(r, monte_carlo),
    }
}

fn list(values: &[f64]) -> String {
    values
        .iter()
        .map(|v| number(Some(*v)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn table(r: &SoftmaxReport, monte_carlo: Option<&McSummary>) -> String {
    let p = &r.params;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "model=softmax  δ={}  k={}  q={}  d={}  masks={}  contributions={}",
        p.delta,
        p.order,
        p.classes,
        p.dimension(),
        p.masks.name(),
        params_view(p).contributions
    );
    let word = match r.converges {
        Some(true) => "converges",
        Some(false) => "diverges",
        None => "undecided",
    };
    let _ = writeln!(s, "verdict         {word}: {}", r.reason);
    match (r.exact_penalty, monte_carlo) {
        (Some(v), _) => {
            let _ = writeln!(s, "exact R         {}", number(Some(v)));
        }
        (None, Some(mc)) => {
            let _ = writeln!(
                s,
                "R (monte carlo) {} ± {} (se, N = {}); no exact method applies",
                number(Some(mc.mean)),
                number(Some(mc.std_error)),
                mc.samples
            );
        }
        (None, None) => {
            let _ = writeln!(s, "exact R         n/a (no exact method applies; use --mc)");
        }
    }
    let _ = writeln!(s, "quadratic R_2   {}  (Wager et al.)", number(r.quadratic));
    let _ = writeln!(
        s,
        "R_k (k={})      {}",
        p.order,
        format::bounded(
            r.partial_sums.last().copied().flatten(),
            r.partial_sum_errors.last().copied().flatten(),
            COLUMN,
            "±"
        )
    );
    if let Some(b) = r.best_order {
        let _ = writeln!(
            s,
            "best order k*   {} (|R_k* - R| = {})",
            b.order,
            format::bounded_num(b.error, b.error_bound, 10, "±")
        );
    }
    let compare = |rho: f64| if rho > 1.0 { ">" } else { "<=" };
    let radius = match (r.mask_radius, r.smallest_radius) {
        (Some(rho), _) => format!("{} {} 1", number(Some(rho)), compare(rho)),
        (None, Some(rho)) => format!(
            "n/a; smallest found {} {} 1",
            number(Some(rho)),
            compare(rho)
        ),
        (None, None) if r.converges == Some(true) => "inf".to_string(),
        (None, None) => "n/a".to_string(),
    };
    let _ = writeln!(
        s,
        "mask radius     {radius}  (root test {})",
        number(r.root_test)
    );
    if r.params.offset.is_some() {
        let _ = writeln!(s, "offset b        {}", list(&r.params.offset_vector()));
    }
    let _ = writeln!(s, "logits          {}", list(&r.logits));
    let _ = writeln!(s, "probabilities   {}", list(&r.probabilities));
    if let (Some(mc), Some(_)) = (monte_carlo, r.exact_penalty) {
        let _ = writeln!(
            s,
            "monte carlo     R^ = {} ± {} (se, N = {}, seed {})",
            number(Some(mc.mean)),
            number(Some(mc.std_error)),
            mc.samples,
            mc.seed
        );
    }
    let _ = writeln!(s, "\n{:>5}  {:>16}  {:>16}", "m", "term", "R_m");
    for m in 0..r.terms.len() {
        let _ = writeln!(
            s,
            "{m:>5}  {:>16}  {:>16}",
            format::bounded(r.terms[m], r.term_errors[m], COLUMN, "±"),
            format::bounded(r.partial_sums[m], r.partial_sum_errors[m], COLUMN, "±")
        );
    }
    s
}

/// Widest text of a term or partial sum in the table (a bounded value never needs more).
const COLUMN: usize = format::EXACT_WIDTH;
