//! Running statistics of a Monte Carlo run: Welford mean and variance, the standard error and
//! normal 95% interval, the histogram of S = x̃β, and a bounded trace of the estimate.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::params::{Contributions, Noise, Params};

/// Number of histogram bins.
pub const HISTOGRAM_BINS: usize = 64;

/// Most points kept in [`McStats::trace`]; when full, every other point is dropped.
pub const TRACE_LEN: usize = 256;

/// Histogram half-width in standard deviations of S when the support is wider.
const HISTOGRAM_SDS: f64 = 6.0;

/// Welford's running count, mean and sum of squared deviations (numerically stable), merged
/// by Chan et al.'s pairwise formula.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Welford {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// The state after `n` observations with this mean and sum of squared deviations `m2`
    /// (a saved run's statistics).
    pub(crate) fn from_parts(n: u64, mean: f64, m2: f64) -> Welford {
        if n == 0 {
            return Welford::default();
        }
        Welford { n, mean, m2 }
    }

    /// Adds one observation.
    #[inline]
    pub(crate) fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Adds every observation of `other`.
    pub(crate) fn merge(&mut self, other: &Welford) {
        if other.n == 0 {
            return;
        }
        if self.n == 0 {
            *self = *other;
            return;
        }
        let n = self.n + other.n;
        let delta = other.mean - self.mean;
        let weight = other.n as f64 / n as f64;
        self.mean += delta * weight;
        self.m2 += other.m2 + delta * delta * self.n as f64 * weight;
        self.n = n;
    }

    /// Number of observations.
    pub(crate) fn count(&self) -> u64 {
        self.n
    }

    /// Sample mean; NaN when empty.
    pub(crate) fn mean(&self) -> f64 {
        if self.n == 0 { f64::NAN } else { self.mean }
    }

    /// Standard error sd/√N with the unbiased sample variance; NaN below 2 observations.
    pub(crate) fn std_error(&self) -> f64 {
        if self.n < 2 {
            return f64::NAN;
        }
        let n = self.n as f64;
        (self.m2 / (n - 1.0) / n).sqrt()
    }
}

/// The two-sided 95% normal interval mean ± z·se, z = Φ⁻¹(0.975) ≈ 1.96.
pub(crate) fn ci95(mean: f64, std_error: f64) -> (f64, f64) {
    let z = Normal::standard().inverse_cdf(0.975);
    (mean - z * std_error, mean + z * std_error)
}

/// Counts of S = x̃β in [`HISTOGRAM_BINS`] equal bins over [lo, hi].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Histogram {
    /// Left edge of the first bin, in units of xβ.
    pub lo: f64,
    /// Right edge of the last bin (> lo), in units of xβ.
    pub hi: f64,
    /// Samples per bin; bin i covers [lo + i·w, lo + (i+1)·w), w = (hi − lo)/bins, the last
    /// bin includes hi.
    pub counts: Vec<u64>,
    /// Samples below lo.
    pub below: u64,
    /// Samples above hi.
    pub above: u64,
    /// Where S can land, [b + N/(1 − δ), b + P/(1 − δ)] with N (P) the sum of the negative
    /// (positive) contributions and b the undropped offset; `None` for Gaussian noise.
    pub support: Option<(f64, f64)>,
}

impl Histogram {
    /// Empty histogram for `params`: the support, narrowed to xβ ± 6 sd(S) where that is
    /// tighter (large d); xβ ± 1/2 when S has no spread.
    pub fn for_params(params: &Params) -> Histogram {
        let xb = params.xb;
        let keep = 1.0 - params.delta;
        let support = match (params.noise, &params.contributions) {
            (Noise::Gaussian, _) => None,
            (Noise::Dropout, Contributions::Equal) => {
                let (b, dropped) = (params.offset, params.dropped_xb());
                Some((b + dropped.min(0.0) / keep, b + dropped.max(0.0) / keep))
            }
            (Noise::Dropout, Contributions::Explicit(w)) => {
                let negative: f64 = w.iter().filter(|w| **w < 0.0).sum();
                let positive: f64 = w.iter().filter(|w| **w > 0.0).sum();
                let b = params.offset;
                Some((b + negative / keep, b + positive / keep))
            }
        };
        let sd = match params.noise {
            Noise::Gaussian => params.gaussian_sigma(),
            Noise::Dropout => params.dropout_variance().sqrt(),
        };
        let (mut lo, mut hi) = (xb - HISTOGRAM_SDS * sd, xb + HISTOGRAM_SDS * sd);
        if let Some((min, max)) = support {
            (lo, hi) = (lo.max(min), hi.min(max));
        }
        if hi <= lo {
            (lo, hi) = (xb - 0.5, xb + 0.5);
        }
        Histogram {
            lo,
            hi,
            counts: vec![0; HISTOGRAM_BINS],
            below: 0,
            above: 0,
            support,
        }
    }

    /// Bin width (hi − lo)/bins, in units of xβ.
    pub fn bin_width(&self) -> f64 {
        (self.hi - self.lo) / self.counts.len() as f64
    }

    /// Centre of bin i (0-based, below [`HISTOGRAM_BINS`]).
    pub fn bin_center(&self, i: usize) -> f64 {
        self.lo + (i as f64 + 0.5) * self.bin_width()
    }

    /// Counts one value of S.
    #[inline]
    pub(crate) fn push(&mut self, s: f64) {
        if s < self.lo {
            self.below += 1;
        } else if s > self.hi {
            self.above += 1;
        } else {
            let bins = self.counts.len();
            let i = ((s - self.lo) / (self.hi - self.lo) * bins as f64) as usize;
            self.counts[i.min(bins - 1)] += 1;
        }
    }

    /// Adds the counts of `other` (same bins).
    pub(crate) fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.below += other.below;
        self.above += other.above;
    }
}

/// A snapshot of a live Monte Carlo run, as the UI draws it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct McStats {
    /// The parameter generation these statistics belong to (from [`super::Worker::set_params`]).
    pub generation: u64,
    /// Samples N so far (>= 1).
    pub samples: u64,
    /// Estimate R^ of the penalty R = E[A(S)] − A(xβ), in nats.
    pub mean: f64,
    /// Standard error sd/√N of `mean`, in nats; NaN (JSON null) while N < 2.
    pub std_error: f64,
    /// Normal 95% interval mean ± 1.96 se, in nats.
    pub ci95: (f64, f64),
    /// Samples per second of wall-clock time spent running (pauses excluded), all threads.
    pub samples_per_second: f64,
    /// The seed of this run's random stream.
    pub seed: u64,
    /// Histogram of S = x̃β.
    pub histogram: Histogram,
    /// (samples, mean, std_error) at evenly spaced sample counts, oldest first, at most
    /// [`TRACE_LEN`] points.
    pub trace: Vec<(u64, f64, f64)>,
}

/// A bounded record of the estimate over the run: one point every `stride` chunks; when full,
/// every other point is dropped and the stride doubles, so the points stay evenly spaced.
#[derive(Clone, Debug)]
pub(crate) struct Trace {
    points: Vec<(u64, f64, f64)>,
    stride: u64,
    chunks: u64,
}

impl Trace {
    /// An empty trace.
    pub(crate) fn new() -> Trace {
        Trace {
            points: Vec::with_capacity(TRACE_LEN),
            stride: 1,
            chunks: 0,
        }
    }

    /// Records the running statistics after one more merged chunk.
    pub(crate) fn record(&mut self, welford: &Welford) {
        self.chunks += 1;
        if !self.chunks.is_multiple_of(self.stride) {
            return;
        }
        if self.points.len() == TRACE_LEN {
            let mut i = 0;
            self.points.retain(|_| {
                i += 1;
                i % 2 == 0
            });
            self.stride *= 2;
            if !self.chunks.is_multiple_of(self.stride) {
                return;
            }
        }
        self.points
            .push((welford.count(), welford.mean(), welford.std_error()));
    }

    /// The recorded points.
    pub(crate) fn points(&self) -> &[(u64, f64, f64)] {
        &self.points
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_two_pass_and_merges_exactly() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 101) as f64 * 0.01 + 1e6)
            .collect();
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        let mut all = Welford::default();
        xs.iter().for_each(|&x| all.push(x));
        assert!((all.mean() - mean).abs() < 1e-9);
        assert!((all.std_error() - (var / 1000.0).sqrt()).abs() < 1e-9);
        let (mut a, mut b) = (Welford::default(), Welford::default());
        xs[..300].iter().for_each(|&x| a.push(x));
        xs[300..].iter().for_each(|&x| b.push(x));
        a.merge(&b);
        assert_eq!(a.count(), 1000);
        assert!((a.mean() - mean).abs() < 1e-9);
        assert!((a.std_error() - all.std_error()).abs() < 1e-12);
    }

    #[test]
    fn ci95_uses_the_normal_quantile() {
        let (lo, hi) = ci95(1.0, 0.5);
        assert!((hi - 1.0 - 0.5 * 1.959_963_984_540_054).abs() < 1e-12);
        assert!((1.0 - lo - 0.5 * 1.959_963_984_540_054).abs() < 1e-12);
    }

    #[test]
    fn histogram_range_is_the_support_or_six_sd() {
        let p = Params::default().with_weights(vec![1.0, -2.0, 0.5]);
        let h = Histogram::for_params(&p);
        assert_eq!(h.support, Some((-4.0, 3.0)));
        assert_eq!((h.lo, h.hi), (-4.0, 3.0));
        let big = Params {
            dimension: 1_000_000_000,
            delta: 0.5,
            xb: 2.0,
            ..Params::default()
        };
        let h = Histogram::for_params(&big);
        let sd = big.dropout_variance().sqrt();
        assert!((h.hi - 2.0 - 6.0 * sd).abs() < 1e-12 && (2.0 - h.lo - 6.0 * sd).abs() < 1e-12);
        let mut h = Histogram::for_params(&Params {
            delta: 0.0,
            ..Params::default()
        });
        assert_eq!((h.lo, h.hi), (5.5, 6.5));
        h.push(6.5);
        h.push(7.0);
        h.push(5.0);
        assert_eq!((h.counts[HISTOGRAM_BINS - 1], h.above, h.below), (1, 1, 1));
    }

    #[test]
    fn trace_stays_bounded_and_evenly_spaced() {
        let mut w = Welford::default();
        let mut t = Trace::new();
        for i in 0..10_000 {
            w.push(i as f64);
            t.record(&w);
        }
        let p = t.points();
        assert!(
            p.len() <= TRACE_LEN && p.len() > TRACE_LEN / 2,
            "{}",
            p.len()
        );
        let gap = p[1].0 - p[0].0;
        assert!(p.windows(2).all(|w| w[1].0 - w[0].0 == gap));
    }
}
