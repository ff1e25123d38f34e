//! Saved Monte Carlo statistics a run can continue from.

/// The seed and Welford statistics of an earlier run: N samples of the penalty with their
/// running mean and sum of squared deviations.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Prior {
    /// Seed of the random stream the samples came from.
    pub seed: u64,
    /// Samples N drawn (at most 2^63 - 1).
    pub samples: u64,
    /// Running mean of the penalty samples, in nats (0 when N = 0).
    pub mean: f64,
    /// Sum of squared deviations from the mean, nats² (>= 0).
    pub m2: f64,
}

impl Prior {
    /// The statistics of a summary: N samples with mean and standard error sd/√N
    /// (m2 = se²·N·(N−1)); non-finite values (N < 2) give mean 0 or m2 = 0.
    pub fn from_estimate(seed: u64, samples: u64, mean: f64, std_error: f64) -> Prior {
        let n = samples as f64;
        let m2 = std_error * std_error * n * (n - 1.0);
        Prior {
            seed,
            samples,
            mean: if mean.is_finite() { mean } else { 0.0 },
            m2: if m2.is_finite() { m2 } else { 0.0 },
        }
    }

    /// Standard error sd/√N of the mean with the unbiased variance; `None` below 2 samples.
    pub fn std_error(&self) -> Option<f64> {
        (self.samples >= 2).then(|| {
            let n = self.samples as f64;
            (self.m2 / (n - 1.0) / n).sqrt()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_state_from_a_summary() {
        let prior = Prior::from_estimate(3, 4, 1.0, 0.5);
        assert_eq!(prior.m2, 3.0);
        assert_eq!(prior.std_error(), Some(0.5));
        assert_eq!(Prior::from_estimate(3, 1, 1.0, f64::NAN).m2, 0.0);
        assert_eq!(Prior::from_estimate(3, 1, f64::NAN, 0.0).mean, 0.0);
        assert_eq!(Prior::from_estimate(3, 1, 1.0, 0.0).std_error(), None);
    }
}
