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

/// A value at full useful precision for tables: 10 significant digits, scientific.
pub fn exact(v: Option<f64>) -> String {
    match v {
        Some(0.0) => "0".to_string(),
        Some(v) if v.is_finite() => format!("{v:.9e}"),
        _ => MISSING.to_string(),
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
    fn parameters_keep_what_was_typed() {
        assert_eq!(param(0.5), "0.50");
        assert_eq!(param(6.0), "6.00");
        assert_eq!(param(-4.537), "-4.537");
        assert_eq!(param(0.35), "0.35");
        assert_eq!(param(1e-5), "1e-5");
    }

    #[test]
    fn exact_and_counts() {
        assert_eq!(exact(Some(6.7506e-4)), "6.750600000e-4");
        assert_eq!(exact(None), "n/a");
        assert_eq!(count(12_345_678), "12,345,678");
        assert_eq!(count(999), "999");
    }
}
