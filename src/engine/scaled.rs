//! Numbers with an extended exponent: a value `mantissa · e^ln_scale`, so that Taylor
//! coefficients (down to π^-1000) and moments (up to D^1000) never over- or underflow on the
//! way, and only the final conversion to f64 can fail.

/// A real number `mantissa · exp(ln_scale)`; the mantissa carries the sign.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Scaled {
    /// Sign and significant digits; any finite f64.
    pub mantissa: f64,
    /// Natural logarithm of the scale; any finite f64.
    pub ln_scale: f64,
}

/// ln of the smallest positive normal f64: below it a value has lost precision.
const LN_MIN_NORMAL: f64 = -708.3964185322641;
/// ln of the largest finite f64.
const LN_MAX: f64 = 709.782712893384;

impl Scaled {
    /// Exactly zero.
    pub const ZERO: Scaled = Scaled {
        mantissa: 0.0,
        ln_scale: 0.0,
    };

    /// The f64 `x` itself (scale 1).
    pub fn from_f64(x: f64) -> Scaled {
        Scaled {
            mantissa: x,
            ln_scale: 0.0,
        }
    }

    /// Whether the value is exactly zero.
    pub fn is_zero(self) -> bool {
        self.mantissa == 0.0
    }

    /// ln |value|; -∞ for zero.
    pub fn ln_abs(self) -> f64 {
        self.mantissa.abs().ln() + self.ln_scale
    }

    /// The product of two values.
    pub fn mul(self, other: Scaled) -> Scaled {
        Scaled {
            mantissa: self.mantissa * other.mantissa,
            ln_scale: self.ln_scale + other.ln_scale,
        }
    }

    /// The value as an f64, or `None` if it is not finite or is non-zero but too small to be a
    /// normal f64 (it would print as 0 or lose digits).
    pub fn to_f64(self) -> Option<f64> {
        if !self.mantissa.is_finite() || !self.ln_scale.is_finite() {
            return None;
        }
        if self.mantissa == 0.0 {
            return Some(0.0);
        }
        let ln = self.ln_abs();
        if !(LN_MIN_NORMAL..=LN_MAX).contains(&ln) {
            return None;
        }
        let v = if self.ln_scale.abs() < 700.0 {
            self.mantissa * self.ln_scale.exp()
        } else {
            self.mantissa.signum() * ln.exp()
        };
        v.is_finite().then_some(v)
    }

    /// The value as an f64 where it is negligible rather than unrepresentable: underflow gives
    /// 0, overflow gives ±∞. For sums whose small terms do not matter.
    pub fn to_f64_saturating(self) -> f64 {
        if self.mantissa == 0.0 {
            return 0.0;
        }
        let ln = self.ln_abs();
        if ln < LN_MIN_NORMAL - 40.0 {
            return 0.0;
        }
        match self.to_f64() {
            Some(v) => v,
            None if ln > LN_MAX => self.mantissa.signum() * f64::INFINITY,
            None => self.mantissa * self.ln_scale.exp(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_in_range_and_refuses_outside() {
        let x = Scaled {
            mantissa: -2.5,
            ln_scale: 10.0_f64.ln() * 3.0,
        };
        assert!((x.to_f64().unwrap() + 2500.0).abs() < 1e-10);
        let tiny = Scaled {
            mantissa: 1.0,
            ln_scale: -800.0,
        };
        assert_eq!(tiny.to_f64(), None);
        assert_eq!(tiny.to_f64_saturating(), 0.0);
        let huge = Scaled {
            mantissa: 3.0,
            ln_scale: 750.0,
        };
        assert_eq!(huge.to_f64(), None);
        assert_eq!(huge.to_f64_saturating(), f64::INFINITY);
        // A product whose factors are out of range but whose value is not.
        let p = huge.mul(Scaled {
            mantissa: 0.5,
            ln_scale: -745.0,
        });
        assert!((p.to_f64().unwrap() - 1.5 * 5.0_f64.exp()).abs() < 1e-12);
        assert_eq!(Scaled::ZERO.to_f64(), Some(0.0));
    }
}
