//! The engine against the independent high-precision reference in `tests/data/reference.json`
//! (written by `tests/data/gen_reference.py`: mpmath at 60 digits, see `tests/data/README.md`).
//!
//! The tolerances are the engine's accuracy contract; a case that misses them is a failure:
//! - coefficients within 1e-9 relative; near a zero (|a_m| small against its neighbours, e.g. the
//!   odd coefficients at xβ = 0) relative to the neighbours' scale: the tolerance is
//!   `1e-9 max(|a_m|, sqrt(|a_{m-1}| |a_{m+1}|))` (at m = k: `|a_{k-1}|^2/|a_{k-2}|`). For smooth
//!   coefficients the geometric mean is at most |a_m|, so this is plain 1e-9 relative there. For the
//!   linear model (exact zeros from order 3) `1e-9 max(|a_{m-1}|, |a_m|, |a_{m+1}|)`;
//! - moments within 1e-10 × E|S - xβ|^m; partial sums within 1e-9 × Σ_{j<=m} |a_j| E|S - xβ|^j
//!   (for the paper's moments the scale is |M_m| itself);
//! - exact penalty within 1e-9 × R + 1e-13 × (A(xβ) + E[A(S)]);
//! - true radius and maximum deviation within 1e-12 relative; verdicts exactly;
//! - best order exactly where the minimum is well separated: the runner-up's error exceeds the
//!   best by more than 1e-6 relative AND by more than the two orders' error tolerances (partial
//!   sum + penalty tolerance each), since below that the order is not determined by the contract.
//!   Otherwise the engine's order must still be near-optimal. Its reported error must match the
//!   reference error at the order it chose, to that order's tolerance.
//! - a reference value outside the normal f64 range must be reported as `None`. A representable
//!   value whose tolerance scale overflows f64 may be `None` (no f64 method can produce it).
//!
//! All failures are collected and printed together, with a per-quantity summary.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use dropscope::params::{Contributions, Model, MomentsKind, Noise, Params};
use serde_json::Value;

/// A real number from the reference file.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    /// JSON null: no such value (the engine must say `None`).
    Null,
    /// Exactly representable as a normal f64 (or exactly zero).
    Value(f64),
    /// Non-zero but outside [f64::MIN_POSITIVE, f64::MAX]; the f64 parse (0, subnormal or ±inf)
    /// is kept for tolerance arithmetic.
    Unrepresentable(f64),
}

impl Num {
    fn parse(v: &Value) -> Num {
        match v {
            Value::Null => Num::Null,
            Value::String(s) => {
                let x: f64 = s
                    .parse()
                    .unwrap_or_else(|e| panic!("bad number {s:?} in reference.json: {e}"));
                let exact_zero = s
                    .split(['e', 'E'])
                    .next()
                    .unwrap_or("")
                    .chars()
                    .all(|c| matches!(c, '0' | '.' | '-' | '+'));
                if exact_zero {
                    Num::Value(0.0)
                } else if x.is_finite() && x.abs() >= f64::MIN_POSITIVE {
                    Num::Value(x)
                } else {
                    Num::Unrepresentable(x)
                }
            }
            Value::Number(n) => Num::Value(n.as_f64().expect("number")),
            other => panic!("unexpected JSON value {other} in reference.json"),
        }
    }

    /// The value saturated into f64 (overflow → ±inf, underflow → 0 or subnormal), for scales.
    fn sat(self) -> f64 {
        match self {
            Num::Null => f64::NAN,
            Num::Value(x) | Num::Unrepresentable(x) => x,
        }
    }

    fn representable(self) -> bool {
        matches!(self, Num::Value(_))
    }
}

fn nums(v: &Value) -> Vec<Num> {
    v.as_array()
        .expect("array in reference.json")
        .iter()
        .map(Num::parse)
        .collect()
}

/// One reference case, parsed.
struct Case {
    index: usize,
    label: String,
    params: Params,
    coefficients: Vec<Num>,
    moments: Vec<Num>,
    abs_moments: Vec<Num>,
    partial_sums: Vec<Num>,
    abs_partial_sums: Vec<Num>,
    quadratic: Num,
    quadratic_scale: Num,
    exact_penalty: Num,
    penalty_scale: Num,
    radius_true: Num,
    max_deviation: Num,
    converges: bool,
    paper_condition: bool,
    best_order: Option<(usize, Num)>,
}

fn order_entry(v: &Value) -> Option<(usize, Num)> {
    if v.is_null() {
        return None;
    }
    let order = v["order"].as_u64().expect("order") as usize;
    Some((order, Num::parse(&v["error"])))
}

fn load() -> Vec<Case> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/reference.json");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let doc: Value = serde_json::from_str(&text).expect("reference.json is valid JSON");
    doc["cases"]
        .as_array()
        .expect("cases array")
        .iter()
        .map(parse_case)
        .collect()
}

fn parse_case(c: &Value) -> Case {
    let p = &c["params"];
    let f = |key: &str| p[key].as_f64().unwrap_or_else(|| panic!("params.{key}"));
    let noise = match p["noise"].as_str() {
        Some("dropout") => Noise::Dropout,
        Some("gaussian") => Noise::Gaussian,
        other => panic!("unknown noise {other:?}"),
    };
    let model = match p["model"].as_str() {
        Some("logistic") => Model::Logistic,
        Some("linear") => Model::Linear,
        other => panic!("unknown model {other:?}"),
    };
    let moments = match p["moments"].as_str() {
        Some("exact") => MomentsKind::Exact,
        Some("paper") => MomentsKind::Paper,
        other => panic!("unknown moments {other:?}"),
    };
    let base = Params {
        delta: f("delta"),
        order: p["order"].as_u64().expect("params.order") as usize,
        noise,
        sigma: p["sigma"].as_f64(),
        model,
        moments,
        ..Params::default()
    };
    let params = match &p["weights"] {
        Value::String(s) if s == "equal" => Params {
            xb: f("xb"),
            dimension: p["dimension"].as_u64().expect("params.dimension"),
            contributions: Contributions::Equal,
            ..base
        },
        Value::Array(list) => {
            let w: Vec<f64> = list.iter().map(|x| x.as_f64().expect("weight")).collect();
            let params = base.with_weights(w);
            assert_eq!(params.xb, f("xb"), "explicit list must sum to xb exactly");
            params
        }
        other => panic!("unknown weights {other}"),
    };
    Case {
        index: c["index"].as_u64().expect("index") as usize,
        label: c["label"].as_str().unwrap_or("").to_string(),
        params,
        coefficients: nums(&c["coefficients"]),
        moments: nums(&c["moments"]),
        abs_moments: nums(&c["abs_moments"]),
        partial_sums: nums(&c["partial_sums"]),
        abs_partial_sums: nums(&c["abs_partial_sums"]),
        quadratic: Num::parse(&c["quadratic"]),
        quadratic_scale: Num::parse(&c["quadratic_scale"]),
        exact_penalty: Num::parse(&c["exact_penalty"]),
        penalty_scale: Num::parse(&c["penalty_scale"]),
        radius_true: Num::parse(&c["radius_true"]),
        max_deviation: Num::parse(&c["max_deviation"]),
        converges: c["converges"].as_bool().expect("converges"),
        paper_condition: c["paper_condition"].as_bool().expect("paper_condition"),
        best_order: order_entry(&c["best_order"]),
    }
}

fn describe(case: &Case) -> String {
    let p = &case.params;
    let weights = match &p.contributions {
        Contributions::Equal => "equal".to_string(),
        Contributions::Explicit(w) => format!("{w:?}"),
    };
    format!(
        "case {} ({}) [delta={}, xb={}, k={}, d={}, weights={}, noise={:?}, sigma={:?}, model={:?}, moments={:?}]",
        case.index,
        case.label,
        p.delta,
        p.xb,
        p.order,
        p.dimension,
        weights,
        p.noise,
        p.sigma,
        p.model,
        p.moments
    )
}

/// Collected failures, with a per-quantity summary (count, worst error/tolerance ratio).
#[derive(Default)]
struct Failures {
    lines: Vec<String>,
    summary: BTreeMap<&'static str, (usize, f64, String)>,
    /// Worst |err|/tol per quantity over all compared values, passing or not.
    margins: BTreeMap<&'static str, (f64, String)>,
}

impl Failures {
    fn push(
        &mut self,
        case: &Case,
        quantity: &'static str,
        m: Option<usize>,
        what: String,
        ratio: f64,
    ) {
        let at = m.map(|m| format!(" m={m}")).unwrap_or_default();
        let line = format!("{quantity}{at}: {what} -- {}", describe(case));
        let entry = self
            .summary
            .entry(quantity)
            .or_insert((0, 0.0, String::new()));
        entry.0 += 1;
        if ratio.is_nan() || ratio >= entry.1 || entry.2.is_empty() {
            entry.1 = if ratio.is_nan() { f64::INFINITY } else { ratio };
            entry.2 = format!("case {}{at}", case.index);
        }
        self.lines.push(line);
    }

    /// Records err/tol for the margin summary (0/0 counts as 0).
    fn margin(
        &mut self,
        case: &Case,
        quantity: &'static str,
        m: Option<usize>,
        err: f64,
        tol: f64,
    ) {
        let ratio = if err == 0.0 { 0.0 } else { err / tol };
        let entry = self.margins.entry(quantity).or_insert((0.0, String::new()));
        if ratio > entry.0 || entry.1.is_empty() || ratio.is_nan() {
            entry.0 = if ratio.is_nan() { f64::INFINITY } else { ratio };
            let at = m.map(|m| format!(" m={m}")).unwrap_or_default();
            entry.1 = format!("case {}{at}", case.index);
        }
    }

    /// Compares an engine value with a reference value at tolerance `tol` (absolute).
    /// `scale_ok`: whether the tolerance's scale is representable (if not, `None` is accepted).
    #[allow(clippy::too_many_arguments)]
    fn value(
        &mut self,
        case: &Case,
        quantity: &'static str,
        m: Option<usize>,
        engine: Option<f64>,
        reference: Num,
        tol: f64,
        scale_ok: bool,
    ) {
        match (reference, engine) {
            (Num::Null, None) => {}
            (Num::Null, Some(e)) => self.push(
                case,
                quantity,
                m,
                format!("engine {e:e}, reference null (expected None)"),
                f64::INFINITY,
            ),
            (Num::Unrepresentable(_), None) => {}
            (Num::Unrepresentable(x), Some(e)) => self.push(
                case,
                quantity,
                m,
                format!("engine {e:e}, reference {x:e} is outside the f64 range (expected None)"),
                f64::INFINITY,
            ),
            (Num::Value(_), None) if !scale_ok => {}
            (Num::Value(r), None) => self.push(
                case,
                quantity,
                m,
                format!("engine None, reference {r:e}"),
                f64::INFINITY,
            ),
            (Num::Value(r), Some(e)) => {
                let err = (e - r).abs();
                self.margin(case, quantity, m, err, tol);
                let within = err <= tol; // false for NaN too
                if !within {
                    self.push(
                        case,
                        quantity,
                        m,
                        format!(
                            "engine {e:e}, reference {r:e}, |err| {err:.3e} > tol {tol:.3e} (x{:.3e})",
                            err / tol
                        ),
                        err / tol,
                    );
                }
            }
        }
    }
}

impl Failures {
    /// Checks an engine value's stated error bound against the reference: the reference lies
    /// within it, and the bound is no larger than `useful` (so it does not hide digits the
    /// value has). A representable value must come with a bound.
    fn stated(
        &mut self,
        case: &Case,
        quantity: &'static str,
        m: Option<usize>,
        (engine, bound): (Option<f64>, Option<f64>),
        reference: Num,
        useful: f64,
    ) {
        let (Num::Value(r), Some(e)) = (reference, engine) else {
            return;
        };
        let Some(bound) = bound else {
            self.push(
                case,
                quantity,
                m,
                format!("engine {e:e} has no bound"),
                f64::INFINITY,
            );
            return;
        };
        let err = (e - r).abs();
        self.margin(case, quantity, m, err, bound);
        if err.is_nan() || err > bound {
            self.push(
                case,
                quantity,
                m,
                format!(
                    "engine {e:e}, reference {r:e}: |err| {err:.3e} > stated bound {bound:.3e}"
                ),
                err / bound,
            );
        }
        if useful.is_finite() && bound > useful {
            self.push(
                case,
                quantity,
                m,
                format!("stated bound {bound:.3e} exceeds {useful:.3e}"),
                bound / useful,
            );
        }
    }
}

/// The scale of coefficient m (see the module docs).
fn coefficient_scale(case: &Case, m: usize) -> f64 {
    let a = |i: usize| case.coefficients[i].sat().abs();
    let k = case.coefficients.len() - 1;
    let own = a(m);
    match case.params.model {
        // Near a zero (|a_m| small against its neighbours) the geometric mean of the neighbours
        // stands in for the coefficients' scale; elsewhere it is below |a_m| (log-concave or
        // geometric decay) and the check is plain 1e-9 relative.
        Model::Logistic => {
            let nbr = if m >= 1 && m < k {
                a(m - 1).sqrt() * a(m + 1).sqrt()
            } else if m == k && k >= 2 && a(k - 2) > 0.0 {
                a(k - 1) * (a(k - 1) / a(k - 2))
            } else if m == k && k >= 1 {
                a(k - 1) / case.radius_true.sat()
            } else {
                0.0
            };
            own.max(nbr)
        }
        Model::Linear => {
            let lo = if m >= 1 { a(m - 1) } else { 0.0 };
            let hi = if m < k { a(m + 1) } else { 0.0 };
            own.max(lo).max(hi)
        }
    }
}

fn check_case(case: &Case, report: &dropscope::engine::Report, f: &mut Failures) {
    let k = case.params.order;
    let lens = [
        ("coefficients", report.coefficients.len()),
        ("moments", report.moments.len()),
        ("partial_sums", report.partial_sums.len()),
    ];
    for (name, len) in lens {
        if len != k + 1 {
            f.push(
                case,
                name,
                None,
                format!("length {len}, expected k+1 = {}", k + 1),
                f64::INFINITY,
            );
        }
    }
    assert_eq!(
        case.coefficients.len(),
        k + 1,
        "reference case {} is malformed",
        case.index
    );

    for m in 0..=k.min(report.coefficients.len().saturating_sub(1)) {
        let scale = coefficient_scale(case, m);
        f.value(
            case,
            "coefficient",
            Some(m),
            report.coefficients[m],
            case.coefficients[m],
            1e-9 * scale,
            scale.is_finite(),
        );
    }
    for m in 0..=k.min(report.moments.len().saturating_sub(1)) {
        let scale = case.abs_moments[m];
        f.value(
            case,
            "moment",
            Some(m),
            report.moments[m],
            case.moments[m],
            1e-10 * scale.sat(),
            scale.representable(),
        );
        if m < 2 {
            // M_0 = 1 and M_1 = 0 by definition; the reference's M_1 is its own rounding.
            continue;
        }
        f.stated(
            case,
            "moment_bound",
            Some(m),
            (report.moments[m], report.moment_errors[m]),
            case.moments[m],
            1e-10 * scale.sat(),
        );
    }
    let ps_tol = |m: usize| 1e-9 * case.abs_partial_sums[m].sat();
    for m in 0..=k.min(report.partial_sums.len().saturating_sub(1)) {
        f.value(
            case,
            "partial_sum",
            Some(m),
            report.partial_sums[m],
            case.partial_sums[m],
            ps_tol(m),
            case.abs_partial_sums[m].representable(),
        );
        f.stated(
            case,
            "partial_sum_bound",
            Some(m),
            (report.partial_sums[m], report.partial_sum_errors[m]),
            case.partial_sums[m],
            ps_tol(m),
        );
    }
    f.value(
        case,
        "quadratic",
        None,
        report.quadratic,
        case.quadratic,
        1e-9 * case.quadratic_scale.sat(),
        case.quadratic_scale.representable(),
    );
    let pen_tol = 1e-9 * case.exact_penalty.sat().abs() + 1e-13 * case.penalty_scale.sat().abs();
    f.value(
        case,
        "exact_penalty",
        None,
        report.exact_penalty,
        case.exact_penalty,
        pen_tol,
        true,
    );
    f.stated(
        case,
        "exact_penalty_bound",
        None,
        (report.exact_penalty, report.exact_penalty_error),
        case.exact_penalty,
        pen_tol,
    );
    f.value(
        case,
        "radius_true",
        None,
        report.radius.true_radius,
        case.radius_true,
        1e-12 * case.radius_true.sat().abs(),
        true,
    );
    f.value(
        case,
        "max_deviation",
        None,
        report.max_deviation,
        case.max_deviation,
        1e-12 * case.max_deviation.sat().abs(),
        true,
    );
    if report.converges != case.converges {
        f.push(
            case,
            "converges",
            None,
            format!("engine {}, reference {}", report.converges, case.converges),
            f64::INFINITY,
        );
    }
    if report.paper_condition != case.paper_condition {
        f.push(
            case,
            "paper_condition",
            None,
            format!(
                "engine {}, reference {}",
                report.paper_condition, case.paper_condition
            ),
            f64::INFINITY,
        );
    }
    check_best_order(case, report, pen_tol, &ps_tol, f);
}

fn check_best_order(
    case: &Case,
    report: &dropscope::engine::Report,
    pen_tol: f64,
    ps_tol: &dyn Fn(usize) -> f64,
    f: &mut Failures,
) {
    let k = case.params.order;
    let Some((best, best_err)) = case.best_order else {
        if let Some(b) = report.best_order {
            f.push(
                case,
                "best_order",
                None,
                format!("engine {b:?}, reference null (expected None)"),
                f64::INFINITY,
            );
        }
        return;
    };
    let Some(engine) = report.best_order else {
        f.push(
            case,
            "best_order",
            None,
            format!("engine None, reference k*={best}"),
            f64::INFINITY,
        );
        return;
    };
    if engine.order > k {
        f.push(
            case,
            "best_order",
            None,
            format!("engine order {} > k", engine.order),
            f64::INFINITY,
        );
        return;
    }
    // Reference errors |R_m - R| at every order, from the 20-digit reference strings.
    let r = case.exact_penalty.sat();
    let err_ref = |m: usize| (case.partial_sums[m].sat() - r).abs();
    let tol = |m: usize| ps_tol(m) + pen_tol;
    let e1 = best_err.sat();
    // runner-up: the smallest reference error at any other order
    let runner = (0..=k)
        .filter(|&m| m != best)
        .min_by(|&a, &b| err_ref(a).total_cmp(&err_ref(b)));
    let separated = runner.is_some_and(|m2| {
        let e2 = err_ref(m2);
        let gap = e2 - e1;
        gap > 1e-6 * e2 && gap > tol(best) + tol(m2)
    });
    if separated && engine.order != best {
        f.push(
            case,
            "best_order",
            None,
            format!(
                "engine k*={} (ref error there {:.6e}), reference k*={best} (error {:.6e}), runner-up {:?} (error {:.6e})",
                engine.order,
                err_ref(engine.order),
                e1,
                runner,
                runner.map(err_ref).unwrap_or(f64::NAN)
            ),
            f64::INFINITY,
        );
    }
    // the chosen order must be (near-)optimal ...
    let chosen = err_ref(engine.order);
    let allowed = e1 * (1.0 + 1e-6) + tol(engine.order) + tol(best);
    let near_optimal = chosen <= allowed;
    if !near_optimal {
        f.push(
            case,
            "best_order",
            None,
            format!(
                "engine k*={} has reference error {chosen:.6e} > best {e1:.6e} (k*={best}) + tolerance",
                engine.order
            ),
            chosen / allowed,
        );
    }
    // ... and its error must be the error at that order.
    let t = tol(engine.order);
    let d = (engine.error - chosen).abs();
    f.margin(case, "best_order_error", None, d, t);
    let matches = d <= t;
    if !matches {
        f.push(
            case,
            "best_order_error",
            None,
            format!(
                "engine error {:.6e} at k*={}, reference error there {chosen:.6e}, |diff| {d:.3e} > tol {t:.3e}",
                engine.error, engine.order
            ),
            d / t,
        );
    }
}

#[test]
fn engine_matches_high_precision_reference() {
    let cases = load();
    let mut failures = Failures::default();
    let mut evaluated = 0;
    for case in &cases {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            dropscope::engine::evaluate(&case.params)
        }));
        match outcome {
            Ok(Ok(report)) => {
                evaluated += 1;
                check_case(case, &report, &mut failures);
            }
            Ok(Err(e)) => failures.push(
                case,
                "evaluate",
                None,
                format!("rejected: {e}"),
                f64::INFINITY,
            ),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                failures.push(
                    case,
                    "evaluate",
                    None,
                    format!("panicked: {msg}"),
                    f64::INFINITY,
                );
            }
        }
    }
    // Shown with --nocapture: how close the engine comes to each tolerance.
    eprintln!("margins (quantity: worst |err|/tol, at), {evaluated} cases evaluated:");
    for (q, (worst, at)) in &failures.margins {
        eprintln!("  {q}: {worst:.3e} at {at}");
    }
    if failures.lines.is_empty() {
        return;
    }
    let mut out = format!(
        "{} failure(s) over {} reference cases ({} evaluated):\n",
        failures.lines.len(),
        cases.len(),
        evaluated
    );
    out.push_str("summary (quantity: count, worst |err|/tol at):\n");
    for (q, (n, worst, at)) in &failures.summary {
        out.push_str(&format!("  {q}: {n}, worst x{worst:.3e} at {at}\n"));
    }
    const SHOWN: usize = 400;
    for line in failures.lines.iter().take(SHOWN) {
        out.push_str(line);
        out.push('\n');
    }
    if failures.lines.len() > SHOWN {
        out.push_str(&format!("... and {} more\n", failures.lines.len() - SHOWN));
    }
    panic!("{out}");
}

#[test]
fn reference_file_covers_the_grid() {
    let cases = load();
    assert!(cases.len() >= 80, "only {} reference cases", cases.len());
    let has = |pred: &dyn Fn(&Params) -> bool| cases.iter().any(|c| pred(&c.params));
    assert!(has(&|p| p.noise == Noise::Dropout), "no dropout case");
    assert!(has(&|p| p.noise == Noise::Gaussian), "no gaussian case");
    assert!(has(&|p| p.model == Model::Logistic), "no logistic case");
    assert!(has(&|p| p.model == Model::Linear), "no linear case");
    assert!(
        has(&|p| p.moments == MomentsKind::Exact),
        "no exact-moments case"
    );
    assert!(
        has(&|p| p.moments == MomentsKind::Paper),
        "no paper-moments case"
    );
    assert!(
        has(&|p| p.contributions == Contributions::Equal),
        "no equal profile"
    );
    assert!(
        has(&|p| matches!(p.contributions, Contributions::Explicit(_))),
        "no explicit profile"
    );
    assert!(has(&|p| p.delta == 0.0), "no delta = 0 case");
    assert!(has(&|p| p.xb == 0.0), "no xb = 0 case");
    assert!(has(&|p| p.order >= 150), "no k >= 150 case");
    assert!(has(&|p| p.dimension >= 10_000), "no large-d case");
    assert!(cases.iter().any(|c| !c.converges), "no divergent case");
    for (i, c) in cases.iter().enumerate() {
        assert_eq!(c.index, i, "case indices must be 0..n in order");
        let n = c.params.order + 1;
        for (name, len) in [
            ("coefficients", c.coefficients.len()),
            ("moments", c.moments.len()),
            ("abs_moments", c.abs_moments.len()),
            ("partial_sums", c.partial_sums.len()),
            ("abs_partial_sums", c.abs_partial_sums.len()),
        ] {
            assert_eq!(
                len, n,
                "case {i}: {name} has {len} entries, expected k+1 = {n}"
            );
        }
        assert!(
            c.params.validate().is_ok(),
            "case {i}: params do not validate"
        );
        // the recorded k* minimises |R_m - R| (up to the rounding of the 20-digit strings)
        if let Some((best, err)) = c.best_order {
            let r = c.exact_penalty.sat();
            let e = |m: usize| (c.partial_sums[m].sat() - r).abs();
            let slack = |m: usize| 1e-15 * (c.partial_sums[m].sat().abs() + r.abs());
            assert!(best <= c.params.order, "case {i}: k* = {best} > k");
            assert!(
                (e(best) - err.sat()).abs() <= slack(best) + 1e-15 * err.sat(),
                "case {i}: recorded error {:e} is not |R_k* - R| = {:e}",
                err.sat(),
                e(best)
            );
            for m in 0..=c.params.order {
                assert!(
                    e(best) <= e(m) + slack(m) + slack(best),
                    "case {i}: k* = {best} (error {:e}) but order {m} has error {:e}",
                    e(best),
                    e(m)
                );
            }
        }
    }
}
