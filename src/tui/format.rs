//! Number formatting shared by every panel: compact values, exact values, parameters and
//! missing values (`None` from the engine is never drawn as a number).

/// What a missing value (not representable in f64, or no method) reads as.
pub const MISSING: &str = "n/a";

/// A compact value with about `sig` significant digits: plain decimals for 1e-3 <= |v| < 1e5,
/// otherwise scientific (`6.7506e-4`).
pub fn num(v: f64, sig: usize) -> String {
    if v == 0.0 {
        return "0".to_string();
    }
    if !v.is_finite() {
        return MISSING.to_string();
    }
    let sig = sig.max(1);
    let a = v.abs();
    if (1e-3..1e5).contains(&a) {
        let magnitude = a.log10().floor() as i32;
        let decimals = (sig as i32 - 1 - magnitude).max(0) as usize;
        trim_zeros(format!("{v:.decimals$}"))
    } else {
        let s = format!("{v:.prec$e}", prec = sig - 1);
        match s.split_once('e') {
            Some((mantissa, exp)) => format!("{}e{exp}", trim_zeros(mantissa.to_string())),
            None => s,
        }
    }
}

/// [`num`] of an optional value; `None` reads [`MISSING`].
pub fn opt(v: Option<f64>, sig: usize) -> String {
    v.map_or_else(|| MISSING.to_string(), |v| num(v, sig))
}

/// What a number too wide for its column reads as: a marker (ASCII, as spreadsheets do), never
/// a cut-off number.
pub const TOO_WIDE: &str = "#";

/// Columns of a table cell holding [`exact`]: the widest ten-digit value, `-1.234567890e-308`.
pub const EXACT_WIDTH: usize = 17;

/// A value at full useful precision for tables: 10 significant digits, scientific.
pub fn exact(v: Option<f64>) -> String {
    fit(v, EXACT_WIDTH)
}

/// A value in scientific notation in at most `width` columns, with as many of its first ten
/// significant digits as fit: mantissa digits are dropped, exponent digits never; a value that
/// cannot fit even with one digit reads [`TOO_WIDE`] (so does [`MISSING`] in fewer than three).
pub fn fit(v: Option<f64>, width: usize) -> String {
    fit_digits(v, width, 10)
}

/// [`fit`] with at most `digits` (1..=10) significant digits.
fn fit_digits(v: Option<f64>, width: usize, digits: usize) -> String {
    let fits = |s: String| (s.chars().count() <= width).then_some(s);
    let text = match v {
        Some(0.0) => fits("0".to_string()),
        Some(v) if v.is_finite() => (0..digits.clamp(1, 10))
            .rev()
            .find_map(|prec| fits(format!("{v:.prec$e}"))),
        _ => fits(MISSING.to_string()),
    };
    text.unwrap_or_else(|| TOO_WIDE.to_string())
}

/// A value the engine knows to within `bound` (absolute), in scientific notation in at most
/// `width` columns: only the significant digits the bound leaves, at most ten, so that the
/// bound plus the rounding to them is at most one unit of the last; when not even one digit is
/// left, `0±r` (`plus_minus` between, r = |v| + bound rounded up to one digit: the true value
/// lies in [−r, r] and may be 0). A value or bound that is `None` or not finite reads
/// [`MISSING`]; what does not fit reads [`TOO_WIDE`].
pub fn bounded(v: Option<f64>, bound: Option<f64>, width: usize, plus_minus: &str) -> String {
    let fits = |s: String| {
        if s.chars().count() <= width {
            s
        } else {
            TOO_WIDE.to_string()
        }
    };
    match (v, bound) {
        (Some(v), Some(b)) if v.is_finite() && b.is_finite() && b >= 0.0 => {
            match digits_above(v, b) {
                None => fit(Some(v), width),
                Some(0) => fits(format!("0{plus_minus}{}", rounded_up(v.abs() + b))),
                Some(digits) => fit_digits(Some(v), width, digits),
            }
        }
        _ => fit(None, width),
    }
}

/// [`bounded`] in the compact style of [`num`]: at most `sig` significant digits, and only
/// those the bound leaves.
pub fn bounded_num(v: f64, bound: Option<f64>, sig: usize, plus_minus: &str) -> String {
    match bound {
        Some(b) if v.is_finite() && b.is_finite() && b >= 0.0 => match digits_above(v, b) {
            None => num(v, sig),
            Some(0) => format!("0{plus_minus}{}", rounded_up(v.abs() + b)),
            Some(digits) => num(v, sig.min(digits)),
        },
        _ => MISSING.to_string(),
    }
}

/// Significant digits of `v` that an error of at most `b` ≥ 0 leaves: the largest s ≤ 10 with
/// b ≤ |v|·10^−s/2 (at most half a unit of the s-th digit, whatever v's leading digit), 0 when
/// there is none; `None` for b = 0 (v exact).
fn digits_above(v: f64, b: f64) -> Option<usize> {
    if b == 0.0 {
        return None;
    }
    let s = (v.abs() / (2.0 * b)).log10().floor();
    Some(if s >= 1.0 { s.min(10.0) as usize } else { 0 })
}

/// `b` > 0 rounded up to one significant digit, as `4e-16` (never below b).
fn rounded_up(b: f64) -> String {
    let mut e = b.log10().floor() as i32;
    // Four ulps of headroom for the division's and the power's roundings.
    let mut m = (b / 10f64.powi(e) * (1.0 + 4.0 * f64::EPSILON)).ceil();
    if m >= 10.0 {
        m = 1.0;
        e += 1;
    }
    format!("{m}e{e}")
}

/// `a` and `b` with the fewest significant digits (at least `sig`) that tell them apart, so a
/// comparison printed between them is visibly true; equal values read the same. An infinite
/// value reads `>1.8e308` (beyond f64), a NaN [`MISSING`].
pub fn distinct(a: f64, b: f64, sig: usize) -> (String, String) {
    let show = |v: f64, sig: usize| {
        if v.is_infinite() {
            format!("{}{}", if v > 0.0 { ">" } else { "<-" }, num(f64::MAX, 2))
        } else {
            num(v, sig)
        }
    };
    let sig = (sig..=17)
        .find(|&sig| a == b || show(a, sig) != show(b, sig))
        .unwrap_or(17);
    (show(a, sig), show(b, sig))
}

/// A floating-point sum of `terms` rounded to the precision the terms justify: to a multiple of
/// its worst-case rounding error n·ε·Σ|t_j|, so that a list summing to zero reads 0 and not
/// `2.2e-16`.
pub fn rounded_sum(sum: f64, terms: &[f64]) -> f64 {
    let scale: f64 = terms.iter().map(|t| t.abs()).sum();
    let unit = terms.len() as f64 * f64::EPSILON * scale;
    if unit > 0.0 && unit.is_finite() && sum.is_finite() {
        let shown = (sum / unit).round() * unit;
        if shown == 0.0 { 0.0 } else { shown }
    } else {
        sum
    }
}

/// Why R is missing at `params`: an explicit dropout list beyond enumeration whose
/// contributions are too wide for the characteristic-function rule's node budget, or a value
/// below the smallest normal f64.
pub fn missing_exact(params: &crate::params::Params) -> &'static str {
    use crate::params::{Model, Noise};
    let long_list = params
        .weights()
        .is_some_and(|w| w.len() > crate::engine::ENUMERATION_MAX_DIMENSION);
    if long_list && params.noise == Noise::Dropout && params.model == Model::Logistic {
        "the contributions are too wide for the exact integral's node budget"
    } else {
        "below the smallest f64"
    }
}

/// A parameter as typed: at least two decimals, at most six significant digits (`0.50`,
/// `-4.537`, `6.00`).
pub fn param(v: f64) -> String {
    let two = format!("{v:.2}");
    let six = num(v, 6);
    if six.contains('e') || six.len() <= two.len() || two.parse::<f64>() == Ok(v) {
        if v.abs() >= 1e5 || (v != 0.0 && v.abs() < 1e-3) {
            six
        } else {
            two
        }
    } else {
        six
    }
}

/// `text` in at most `width` columns: whole when it fits, otherwise its first characters and
/// `mark` (`…`, or `...` in ASCII mode) so a shortened number never reads as another value;
/// `None` when not even one character and the mark fit.
pub fn elide(text: &str, width: usize, mark: &str) -> Option<String> {
    let length = text.chars().count();
    let mark_width = mark.chars().count();
    if length <= width {
        Some(text.to_string())
    } else if width > mark_width {
        let kept: String = text.chars().take(width - mark_width).collect();
        Some(format!("{kept}{mark}"))
    } else {
        None
    }
}

/// A count with thousands separators (`12,345,678`).
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn trim_zeros(s: String) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The interval a [`bounded`] text claims for the true value.
    fn claimed(text: &str) -> (f64, f64) {
        if let Some(r) = text.strip_prefix("0±") {
            let r: f64 = r.parse().unwrap();
            return (-r, r);
        }
        let (mantissa, exponent) = text.split_once('e').unwrap();
        let decimals = mantissa.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
        // Two factors: 10^−310 as one power would overflow on the way.
        let unit = 10f64.powi(exponent.parse::<i32>().unwrap()) * 10f64.powi(-decimals);
        let v: f64 = text.parse().unwrap();
        (v - unit, v + unit)
    }

    #[test]
    fn bounded_values_show_only_the_digits_their_bound_leaves() {
        // Float noise of an odd moment that is exactly 0 (δ = ½, equal contributions).
        assert_eq!(
            bounded(Some(-3.688455791e-16), Some(6.98e-13), 17, "±"),
            "0±7e-13"
        );
        assert_eq!(bounded(Some(-3.669e8), Some(3.46e11), 17, "+-"), "0+-4e11");
        // An even moment known to 1e-13 relative keeps ten digits; to 1e-6, five.
        assert_eq!(
            bounded(Some(3.6000000000000014), Some(2.3e-13), 17, "±"),
            "3.600000000e0"
        );
        assert_eq!(bounded(Some(1.23456789e5), Some(0.2), 17, "±"), "1.2346e5");
        assert_eq!(bounded(Some(2.5), Some(0.0), 17, "±"), "2.500000000e0");
        assert_eq!(bounded(Some(0.0), Some(0.0), 17, "±"), "0");
        assert_eq!(bounded(Some(1.0), None, 17, "±"), MISSING);
        assert_eq!(bounded(None, Some(1.0), 17, "±"), MISSING);
        assert_eq!(bounded(Some(1.0), Some(f64::NAN), 17, "±"), MISSING);
        // Narrow cells drop mantissa digits, never the exponent's.
        assert_eq!(
            bounded(Some(-1.455786784e-226), Some(1e-240), 8, "±"),
            "-1e-226"
        );
        assert_eq!(
            bounded(Some(-1.455786784e-226), Some(1e-240), 6, "±"),
            TOO_WIDE
        );
        assert_eq!(
            bounded_num(6.661338148e-16, Some(5.7e-15), 2, "±"),
            "0±7e-15"
        );
        assert_eq!(bounded_num(1.547973176e-7, Some(5.7e-15), 2, "±"), "1.5e-7");
        assert_eq!(bounded_num(1.0, None, 2, "±"), MISSING);
    }

    #[test]
    fn a_bounded_text_always_contains_the_value_within_its_bound() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for _ in 0..20_000 {
            let v = (next() - 0.5) * 10f64.powf(next() * 600.0 - 300.0);
            let b = v.abs() * 10f64.powf(next() * 16.0 - 13.0);
            let text = bounded(Some(v), Some(b), 30, "±");
            let (low, high) = claimed(&text);
            // Every true value within b of v lies in the claimed interval.
            assert!(low <= v - b && v + b <= high, "{v:e} ± {b:e} -> {text}");
        }
    }

    #[test]
    fn compact_numbers() {
        assert_eq!(num(6.7506e-4, 5), "6.7506e-4");
        assert_eq!(num(0.25, 5), "0.25");
        assert_eq!(num(-1234.5678, 5), "-1234.6");
        assert_eq!(num(1e100, 3), "1e100");
        assert_eq!(num(0.0, 3), "0");
        assert_eq!(opt(None, 3), "n/a");
    }

    #[test]
    fn distinct_values_read_differently() {
        let r = (800f64.powi(2) + std::f64::consts::PI.powi(2)).sqrt();
        assert_eq!(
            distinct(800.0, r, 4),
            ("800".to_string(), "800.01".to_string())
        );
        assert_eq!(
            distinct(6.0, 6.7727, 4),
            ("6".to_string(), "6.773".to_string())
        );
        assert_eq!(distinct(2.0, 2.0, 4), ("2".to_string(), "2".to_string()));
        let (a, b) = distinct(1.0, 1.0 + f64::EPSILON, 4);
        assert_ne!(a, b);
        assert_eq!(distinct(f64::INFINITY, 1e308, 4).0, ">1.8e308");
    }

    #[test]
    fn list_sums_lose_their_rounding_noise() {
        for terms in [vec![0.1, 0.2, -0.3], [vec![0.1; 10], vec![-1.0]].concat()] {
            let raw: f64 = terms.iter().sum();
            assert_ne!(raw, 0.0, "{terms:?} must carry rounding noise");
            assert_eq!(rounded_sum(raw, &terms), 0.0, "{terms:?}");
        }
        // A sum well above the noise keeps its digits.
        let w = [1.5, -2.0, 0.75];
        assert_eq!(num(rounded_sum(w.iter().sum(), &w), 6), "0.25");
        assert_eq!(rounded_sum(3.0, &[3.0]), 3.0);
        assert_eq!(rounded_sum(0.0, &[]), 0.0);
    }

    #[test]
    fn parameters_keep_what_was_typed() {
        assert_eq!(param(0.5), "0.50");
        assert_eq!(param(6.0), "6.00");
        assert_eq!(param(-4.537), "-4.537");
        assert_eq!(param(0.35), "0.35");
        assert_eq!(param(1e-5), "1e-5");
    }

    /// Whether a [`fit`] string agrees with `v` to the digits it shows: its mantissa is within
    /// half a unit in its last digit of v scaled by its exponent.
    fn agrees(text: &str, v: f64) -> bool {
        let Some((mantissa, exponent)) = text.split_once('e') else {
            return false;
        };
        let (Ok(mantissa), Ok(exponent)) = (mantissa.parse::<f64>(), exponent.parse::<i32>())
        else {
            return false;
        };
        let decimals = text.split_once('.').map_or(0, |(_, rest)| {
            rest.chars().take_while(char::is_ascii_digit).count()
        });
        // v / 10^exponent in two steps, so that neither factor over- or underflows.
        let half = exponent / 2;
        let scaled = v * 10f64.powi(-half) * 10f64.powi(half - exponent);
        let half_ulp = 0.5 * 10f64.powi(-(decimals as i32));
        (1.0..10.0).contains(&mantissa.abs()) && (scaled - mantissa).abs() <= half_ulp * 1.000001
    }

    #[test]
    fn fit_never_cuts_a_number() {
        let extremes = [
            1e-308,
            -1e-308,
            5e-324,
            -5e-324,
            1.7976931348623157e308,
            -1.7976931348623157e308,
            -1.455786784e-226,
            9.999999999e-100,
            -0.5,
            123456789.0,
            1.0,
        ];
        for v in extremes {
            for width in 6..=14 {
                let text = fit(Some(v), width);
                assert!(text.chars().count() <= width, "{v} at {width}: {text}");
                assert!(
                    text == TOO_WIDE || agrees(&text, v),
                    "{v} at {width} reads {text}"
                );
            }
            // Every value fits at the full table width with ten digits.
            let full = fit(Some(v), EXACT_WIDTH);
            let mantissa = full.split('e').next().unwrap_or("");
            assert_eq!(
                mantissa.chars().filter(char::is_ascii_digit).count(),
                10,
                "{v}: {full}"
            );
        }
    }

    #[test]
    fn fit_drops_mantissa_digits_first() {
        assert_eq!(fit(Some(-1.455786784e-226), 16), "-1.45578678e-226");
        assert_eq!(fit(Some(-1.455786784e-226), 7), "-1e-226");
        assert_eq!(fit(Some(-1.455786784e-226), 6), TOO_WIDE);
        assert_eq!(fit(Some(5e-324), 6), "5e-324");
        assert_eq!(fit(Some(-f64::MAX), 7), "-2e308");
        assert_eq!(fit(Some(9.96e5), 3), "1e6");
        assert_eq!(fit(None, 6), "n/a");
        assert_eq!(fit(None, 2), TOO_WIDE);
        assert_eq!(fit(Some(f64::INFINITY), 6), "n/a");
        assert_eq!(fit(Some(0.0), 6), "0");
    }

    #[test]
    fn elide_marks_what_it_shortens() {
        assert_eq!(elide("12345", 5, "…").as_deref(), Some("12345"));
        assert_eq!(elide("123456", 5, "…").as_deref(), Some("1234…"));
        assert_eq!(elide("123456", 5, "...").as_deref(), Some("12..."));
        assert_eq!(elide("123456", 1, "…"), None);
        assert_eq!(elide("123456", 3, "..."), None);
    }

    #[test]
    fn exact_and_counts() {
        assert_eq!(exact(Some(6.7506e-4)), "6.750600000e-4");
        assert_eq!(exact(None), "n/a");
        assert_eq!(count(12_345_678), "12,345,678");
        assert_eq!(count(999), "999");
    }
}
