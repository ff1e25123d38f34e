//! Double-double arithmetic (≈106-bit significand) for the moment products whose alternating
//! terms cancel (docs/math.md §5: f64 lost 2.6e-3 where double-double was exact to 5e-33).

use std::ops::{Add, Mul, Neg, Sub};

/// An unevaluated sum `hi + lo` with |lo| <= ulp(hi)/2.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct DoubleDouble {
    /// Leading part; the f64 nearest the value.
    pub hi: f64,
    /// Trailing correction.
    pub lo: f64,
}

/// s + e = a + b exactly.
#[inline(always)]
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// s + e = a + b exactly, given |a| >= |b|.
#[inline(always)]
fn quick_two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    (s, b - (s - a))
}

/// p + e = a·b exactly.
#[inline(always)]
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    (p, a.mul_add(b, -p))
}

impl DoubleDouble {
    /// Zero.
    pub const ZERO: DoubleDouble = DoubleDouble { hi: 0.0, lo: 0.0 };
    /// One.
    pub const ONE: DoubleDouble = DoubleDouble { hi: 1.0, lo: 0.0 };

    /// The f64 `x` exactly.
    #[inline(always)]
    pub fn from_f64(x: f64) -> Self {
        DoubleDouble { hi: x, lo: 0.0 }
    }

    /// a - b for f64s, exactly.
    #[inline(always)]
    pub fn diff(a: f64, b: f64) -> Self {
        let (hi, lo) = two_sum(a, -b);
        DoubleDouble { hi, lo }
    }

    /// a · b for f64s, exactly.
    #[inline(always)]
    pub fn product(a: f64, b: f64) -> Self {
        let (hi, lo) = two_prod(a, b);
        DoubleDouble { hi, lo }
    }

    /// The nearest f64.
    #[inline(always)]
    pub fn to_f64(self) -> f64 {
        self.hi + self.lo
    }

    /// self / x for an f64 divisor (one Newton correction).
    #[inline(always)]
    pub fn div_f64(self, x: f64) -> Self {
        let q1 = self.hi / x;
        let r = self - DoubleDouble::product(q1, x);
        let q2 = r.hi / x;
        let (hi, lo) = quick_two_sum(q1, q2);
        DoubleDouble { hi, lo }
    }

    /// self / other (two Newton corrections).
    #[inline(always)]
    pub fn div(self, other: Self) -> Self {
        let q1 = self.hi / other.hi;
        let r = self - other * DoubleDouble::from_f64(q1);
        let q2 = r.hi / other.hi;
        let r = r - other * DoubleDouble::from_f64(q2);
        let q3 = r.hi / other.hi;
        let (hi, lo) = quick_two_sum(q1, q2);
        DoubleDouble { hi, lo } + DoubleDouble::from_f64(q3)
    }
}

impl Add for DoubleDouble {
    type Output = Self;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        let (s, e) = two_sum(self.hi, o.hi);
        let (t, f) = two_sum(self.lo, o.lo);
        let (s, e) = quick_two_sum(s, e + t);
        let (hi, lo) = quick_two_sum(s, e + f);
        DoubleDouble { hi, lo }
    }
}

impl Neg for DoubleDouble {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        DoubleDouble {
            hi: -self.hi,
            lo: -self.lo,
        }
    }
}

impl Sub for DoubleDouble {
    type Output = Self;
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        self + (-o)
    }
}

impl Mul for DoubleDouble {
    type Output = Self;
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        let (p, e) = two_prod(self.hi, o.hi);
        let e = e + (self.hi * o.lo + self.lo * o.hi);
        let (hi, lo) = quick_two_sum(p, e);
        DoubleDouble { hi, lo }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_digits_f64_loses() {
        // (1 + 2^-60) - 1 = 2^-60 exactly in double-double, 0 in f64.
        let one = DoubleDouble::ONE;
        let tiny = DoubleDouble::from_f64(2f64.powi(-60));
        let x = (one + tiny) - one;
        assert_eq!(x.to_f64(), 2f64.powi(-60));
        // 1/3 · 3 = 1 to ~1e-32.
        let third = one.div_f64(3.0);
        let back = third * DoubleDouble::from_f64(3.0) - one;
        assert!(back.to_f64().abs() < 1e-31);
        let q = DoubleDouble::from_f64(1.0).div(DoubleDouble::from_f64(7.0));
        let r = q * DoubleDouble::from_f64(7.0) - one;
        assert!(r.to_f64().abs() < 1e-31);
    }
}
