//! Complex numbers near 1 held as their offset from 1, so products of many factors close to 1
//! keep their small deviation to full relative precision (docs/math.md §9, "Cancellation").

use std::ops::{Add, Mul, Sub};

/// A complex number `re + i·im`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Complex {
    /// Real part.
    pub re: f64,
    /// Imaginary part.
    pub im: f64,
}

impl Complex {
    /// Zero; as an offset from 1 it stands for the factor 1.
    pub const ZERO: Complex = Complex { re: 0.0, im: 0.0 };

    /// e^{iθ}, for any real θ (radians).
    pub fn cis(theta: f64) -> Complex {
        let (s, c) = theta.sin_cos();
        Complex { re: c, im: s }
    }

    /// e^{iθ} − 1 without cancellation for small θ: −2 sin²(θ/2) + i sin θ.
    pub fn cis_minus_one(theta: f64) -> Complex {
        let (s, c) = (0.5 * theta).sin_cos();
        Complex {
            re: -2.0 * s * s,
            im: 2.0 * s * c,
        }
    }

    /// e^{iθ} − 1 − iθ, the second offset, to full relative precision in each part:
    /// −2 sin²(θ/2) + i(sin θ − θ), with sin θ − θ from its series for |θ| < 1.
    pub fn cis_minus_one_minus_i(theta: f64) -> Complex {
        let (s, _) = (0.5 * theta).sin_cos();
        Complex {
            re: -2.0 * s * s,
            im: sin_minus_identity(theta),
        }
    }

    /// The factor offsets a = x − 1, b = y − 1 of a product: returns x·y − 1 = a + b + a·b.
    #[inline(always)]
    pub fn combine(self, other: Complex) -> Complex {
        Complex {
            re: self.re + other.re + (self.re * other.re - self.im * other.im),
            im: self.im + other.im + (self.re * other.im + self.im * other.re),
        }
    }

    /// Real number times this.
    #[inline(always)]
    pub fn scale(self, k: f64) -> Complex {
        Complex {
            re: k * self.re,
            im: k * self.im,
        }
    }
}

/// sin θ − θ without cancellation: −θ³ Σ_{n=0..8} (−θ²)ⁿ/(2n+3)! by Horner for |θ| < 1 (the
/// first omitted term is below 1e-18 of the sum), the direct difference beyond
/// (|sin θ − θ| ≥ 0.158|θ| there).
fn sin_minus_identity(theta: f64) -> f64 {
    if theta.abs() >= 1.0 {
        return theta.sin() - theta;
    }
    /// 1/(2n+3)! for n = 0..=8.
    const INVERSE_FACTORIALS: [f64; 9] = [
        1.0 / 6.0,
        1.0 / 120.0,
        1.0 / 5040.0,
        1.0 / 362880.0,
        1.0 / 39916800.0,
        1.0 / 6227020800.0,
        1.0 / 1307674368000.0,
        1.0 / 355687428096000.0,
        1.0 / 121645100408832000.0,
    ];
    let minus_square = -theta * theta;
    let series = INVERSE_FACTORIALS
        .iter()
        .rev()
        .fold(0.0, |acc, &f| acc * minus_square + f);
    -theta * theta * theta * series
}

impl Add for Complex {
    type Output = Complex;
    #[inline(always)]
    fn add(self, o: Complex) -> Complex {
        Complex {
            re: self.re + o.re,
            im: self.im + o.im,
        }
    }
}

impl Sub for Complex {
    type Output = Complex;
    #[inline(always)]
    fn sub(self, o: Complex) -> Complex {
        Complex {
            re: self.re - o.re,
            im: self.im - o.im,
        }
    }
}

impl Mul for Complex {
    type Output = Complex;
    #[inline(always)]
    fn mul(self, o: Complex) -> Complex {
        Complex {
            re: self.re * o.re - self.im * o.im,
            im: self.re * o.im + self.im * o.re,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cis_minus_one_keeps_small_angles_relative() {
        // e^{iθ} − 1 = −θ²/2 + θ⁴/24 − … + i(θ − θ³/6 + …), θ = 1e-9: the naive cos θ − 1 is 0.
        let theta = 1e-9;
        let z = Complex::cis_minus_one(theta);
        let re = -theta * theta / 2.0 + theta.powi(4) / 24.0;
        let im = theta - theta.powi(3) / 6.0;
        assert!((z.re - re).abs() <= 1e-15 * re.abs(), "{} vs {re}", z.re);
        assert!((z.im - im).abs() <= 1e-15 * im, "{} vs {im}", z.im);
        let big = Complex::cis_minus_one(2.5);
        let direct = Complex::cis(2.5) - Complex { re: 1.0, im: 0.0 };
        assert!((big - direct).re.abs() < 1e-15 && (big - direct).im.abs() < 1e-15);
    }

    #[test]
    #[allow(clippy::excessive_precision)]
    fn cis_minus_one_minus_i_keeps_relative_precision() {
        // sin θ − θ from tests/data/gen_small_step_reference.py (mpmath, 50 digits).
        let cases = [
            (1e-09, -1.666666666666666978e-28),
            (0.001, -1.6666665833333354215e-10),
            (0.3, -0.0044797933386604243988),
            (-0.7, 0.055782312762308935884),
            (0.999, -0.15806973814337859551),
            (1.0, -0.15852901519210349335),
            (2.5, -1.9015278558960435059),
            (-40.0, 39.254886839520651213),
        ];
        for (theta, exact) in cases {
            let z = Complex::cis_minus_one_minus_i(theta);
            assert!(
                (z.im - exact).abs() <= 4e-16 * exact.abs(),
                "θ={theta}: {} vs {exact}",
                z.im
            );
            assert_eq!(z.re, Complex::cis_minus_one(theta).re);
        }
    }

    #[test]
    fn combine_is_the_product_of_the_factors() {
        let a = Complex { re: 0.3, im: -1.2 };
        let b = Complex { re: -0.7, im: 0.4 };
        let one = Complex { re: 1.0, im: 0.0 };
        let direct = (one + a) * (one + b) - one;
        let c = a.combine(b);
        assert!((c - direct).re.abs() < 1e-15 && (c - direct).im.abs() < 1e-15);
        // Tiny offsets keep their relative precision: (1 + ε)(1 + ε) − 1 = 2ε + ε².
        let e = Complex { re: 1e-12, im: 0.0 };
        assert_eq!(e.combine(e).re, 2e-12 + 1e-24);
        // A vanishing factor (offset −1) makes the product 0 (offset −1).
        let zero = Complex { re: -1.0, im: 0.0 }.combine(a);
        assert!(
            (zero.re + 1.0).abs() < 1e-15 && zero.im.abs() < 1e-15,
            "{zero:?}"
        );
    }
}
