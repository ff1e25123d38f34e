//! Drawing one noised predictor S = x̃β at a time, as its deviation H = S − xβ, and the
//! per-sample penalty D(H) whose mean is R (docs/math.md §7).
//!
//! - **Explicit contributions** sample every feature's keep bit. Keep bits come 64 at a time
//!   from a bit-sliced comparison U < Q of 64 independent uniform 64-bit integers U against
//!   Q = ⌊(1 − δ)·2^64⌋ ([`KeepBits`]): the keep probability is 1 − δ rounded down to a multiple
//!   of 2^-64, which is exact for every f64 with 1 − δ ≥ 2^-12. The comparison runs from the most
//!   significant bit down, one random word per lane and bit, and stops as soon as every lane is
//!   decided (or Q has no set bit left). Four words (256 features) are drawn in lockstep from
//!   four generators, which takes about log2(256) + 1.3 ≈ 9.3 steps, i.e. 0.15 random words per
//!   feature (1/64 at δ = 1/2, where Q has a single set bit).
//!   The kept weights are then summed 8 at a time from subset-sum tables (256 entries per group
//!   of 8 features, built once per parameter set and shared read-only by the threads; up to
//!   [`TABLE_MAX_FEATURES`] features), else bit by bit.
//! - **Equal contributions** (w_j = xβ/d, d up to 1e9 and beyond) sample the dropped count
//!   X ~ Binomial(d, δ) directly (same distribution as d keep bits): inversion when the mean is
//!   below 10, else Hörmann's BTRS transformed rejection (1993), on the smaller of δ and 1 − δ.
//! - **Gaussian noise** draws H = σ ε with ε standard normal (Box–Muller).
//!
//! The tables store each group's deviation Σ_k w_k (η_k/(1 − δ) − 1), so H is summed directly
//! and never formed as the difference of two large numbers S and xβ.

use std::sync::atomic::{AtomicBool, Ordering};

use super::rng::{LANES, Rng, WideRng};
use super::stats::{Histogram, Welford};
use crate::engine::{LogPartition, Logistic, ScalarLogPartition};
use crate::params::{Contributions, Model, Noise, Params};

/// Largest explicit dimension d that gets subset-sum tables (256 B of table per feature, 16 MiB
/// at this size); larger lists are summed bit by bit.
pub const TABLE_MAX_FEATURES: usize = 1 << 16;

/// Feature work (features × samples) aimed at per chunk, about a millisecond of sampling.
const CHUNK_FEATURE_SAMPLES: u64 = 1 << 21;

/// Most samples per chunk; also the chunk size of equal-profile and Gaussian runs.
const MAX_CHUNK_SAMPLES: u64 = 1 << 13;

/// 64 Bernoulli(1 − δ) keep bits per call, bit-sliced (see the module documentation).
#[derive(Clone, Debug)]
pub(crate) struct KeepBits {
    /// Q = ⌊(1 − δ)·2^64⌋; a lane is kept iff its uniform 64-bit U < Q. Unused when `keep_all`.
    threshold: u64,
    /// δ = 0: every feature is kept.
    keep_all: bool,
    /// Index of Q's lowest set bit: below it Q is zero, so still-undecided lanes (U ≥ Q) drop.
    lowest: u32,
}

impl KeepBits {
    /// The keep-bit source for dropout probability δ in [0, 1).
    pub(crate) fn new(delta: f64) -> KeepBits {
        let keep = 1.0 - delta;
        if keep >= 1.0 {
            return KeepBits {
                threshold: 0,
                keep_all: true,
                lowest: 0,
            };
        }
        // keep in [2^-53, 1): keep·2^64 is in [2^11, 2^64), so the cast neither saturates nor is 0.
        let threshold = (keep * 18_446_744_073_709_551_616.0) as u64;
        KeepBits {
            threshold,
            keep_all: false,
            lowest: threshold.trailing_zeros(),
        }
    }

    /// The keep probability actually sampled, Q/2^64 (1 when δ = 0).
    #[cfg(test)]
    pub(crate) fn probability(&self) -> f64 {
        if self.keep_all {
            1.0
        } else {
            self.threshold as f64 / 18_446_744_073_709_551_616.0
        }
    }

    /// [`LANES`] words of 64 independent keep bits (bit i set = feature i kept), from one step
    /// of every generator per bit of Q until all 256 lanes are decided.
    #[inline(always)]
    pub(crate) fn words(&self, rng: &mut WideRng) -> [u64; LANES] {
        if self.keep_all {
            return [!0; LANES];
        }
        let mut keep = [0u64; LANES];
        let mut undecided = [!0u64; LANES];
        let mut bit = 63;
        loop {
            let u = rng.next_u64s();
            // All ones where Q has a 1 at this bit, all zeros elsewhere.
            let q = ((self.threshold >> bit) & 1).wrapping_neg();
            let mut any = 0;
            for i in 0..LANES {
                // Lanes still equal so far become "less" where u = 0 < q = 1 ...
                keep[i] |= undecided[i] & !u[i] & q;
                // ... and stay undecided only where u equals Q's bit.
                undecided[i] &= !(u[i] ^ q);
                any |= undecided[i];
            }
            if any == 0 || bit == self.lowest {
                return keep;
            }
            bit -= 1;
        }
    }
}

/// How kept explicit weights are added up.
#[derive(Clone, Debug)]
enum Summation {
    /// `tables[(8·word + byte)·256 + b]` = deviation of group `8·word + byte` under keep byte b.
    Tables(Vec<f64>),
    /// Per feature w_j/(1 − δ), padded to whole words, and per word −Σ w_j.
    Direct { scaled: Vec<f64>, offsets: Vec<f64> },
}

/// Per-feature dropout of an explicit contribution list.
#[derive(Clone, Debug)]
pub(crate) struct ExplicitSampler {
    keep: KeepBits,
    summation: Summation,
}

impl ExplicitSampler {
    /// Builds the sampler for weights w (d ≥ 1) and dropout δ; `tables` chooses subset-sum
    /// tables over bit-by-bit summation.
    pub(crate) fn new(weights: &[f64], delta: f64, tables: bool) -> ExplicitSampler {
        let keep = KeepBits::new(delta);
        let inv_keep = 1.0 / (1.0 - delta);
        // Whole words; the padding has zero weight.
        let words = weights.len().div_ceil(64);
        let mut padded = weights.to_vec();
        padded.resize(words * 64, 0.0);
        let summation = if tables {
            let mut tables = vec![0.0; words * 8 * 256];
            for (group, table) in padded.chunks_exact(8).zip(tables.chunks_exact_mut(256)) {
                // Kept sums by the recurrence sum(b) = sum(b without its lowest bit) + w_lowest.
                for b in 1..256usize {
                    table[b] = table[b & (b - 1)] + group[b.trailing_zeros() as usize];
                }
                let total: f64 = group.iter().sum();
                for entry in table.iter_mut() {
                    *entry = *entry * inv_keep - total;
                }
            }
            Summation::Tables(tables)
        } else {
            Summation::Direct {
                scaled: padded.iter().map(|w| w * inv_keep).collect(),
                offsets: padded
                    .chunks_exact(64)
                    .map(|c| -c.iter().sum::<f64>())
                    .collect(),
            }
        };
        ExplicitSampler { keep, summation }
    }

    /// One deviation H = S − xβ.
    #[inline(always)]
    pub(crate) fn deviation(&self, rng: &mut WideRng) -> f64 {
        match &self.summation {
            Summation::Tables(tables) => {
                let mut acc = [0.0f64; 8];
                // The last group may have fewer than LANES words; its spare masks go unused.
                for group in tables.chunks(LANES * 8 * 256) {
                    let masks = self.keep.words(rng);
                    for (table, mask) in group.chunks_exact(8 * 256).zip(masks) {
                        for (k, a) in acc.iter_mut().enumerate() {
                            *a += table[k * 256 + ((mask >> (8 * k)) & 0xFF) as usize];
                        }
                    }
                }
                ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]))
            }
            Summation::Direct { scaled, offsets } => {
                let mut h = 0.0;
                for (weights, offsets) in scaled.chunks(64 * LANES).zip(offsets.chunks(LANES)) {
                    let masks = self.keep.words(rng);
                    for ((weights, offset), mut mask) in
                        weights.chunks_exact(64).zip(offsets).zip(masks)
                    {
                        let mut s = *offset;
                        while mask != 0 {
                            s += weights[mask.trailing_zeros() as usize];
                            mask &= mask - 1;
                        }
                        h += s;
                    }
                }
                h
            }
        }
    }

    /// Number of kept features among the first d in one fresh mask (for testing the keep bits).
    #[cfg(test)]
    pub(crate) fn kept_count(&self, d: usize, rng: &mut WideRng) -> u64 {
        let mut kept = 0;
        for group in 0..d.div_ceil(64 * LANES) {
            for (i, word) in self.keep.words(rng).into_iter().enumerate() {
                let valid = d.saturating_sub(64 * (LANES * group + i)).min(64);
                let mask = match valid {
                    64 => !0,
                    v => (1u64 << v) - 1,
                };
                kept += u64::from((word & mask).count_ones());
            }
        }
        kept
    }
}

/// Tail correction of Stirling's series, f_c(k) = ln k! − ln(√(2π) (k+1)^(k+½) e^-(k+1)),
/// tabulated for k ≤ 9 (Hörmann 1993, table for BTRD/BTRS).
fn stirling_tail(k: f64) -> f64 {
    const TABLE: [f64; 10] = [
        0.081_061_466_795_327_26,
        0.041_340_695_955_409_29,
        0.027_677_925_684_998_34,
        0.020_790_672_103_765_09,
        0.016_644_691_189_821_19,
        0.013_876_128_823_070_75,
        0.011_896_709_945_891_77,
        0.010_411_265_261_972_09,
        0.009_255_462_182_712_733,
        0.008_330_563_433_362_87,
    ];
    if k < 10.0 {
        return TABLE[k as usize];
    }
    let kp1 = k + 1.0;
    let kp1sq = kp1 * kp1;
    (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / 1260.0 / kp1sq) / kp1sq) / kp1
}

/// Binomial(n, p) with p ≤ 1/2, by inversion (mean < 10) or BTRS.
#[derive(Clone, Debug)]
pub(crate) enum Binomial {
    /// p = 0 or n = 0: always 0.
    Zero,
    /// Sequential search from 0: P(0) = (1−p)^n, P(k)/P(k−1) = (n−k+1)p / (k(1−p)).
    Inversion {
        n: f64,
        p: f64,
        q: f64,
        p0: f64,
        bound: f64,
    },
    /// Transformed rejection with squeeze (Hörmann 1993, algorithm BTRS).
    Btrs {
        n: f64,
        a: f64,
        b: f64,
        c: f64,
        alpha: f64,
        v_r: f64,
        m: f64,
        r: f64,
    },
}

impl Binomial {
    /// Binomial(n, p) for p in [0, 1/2].
    pub(crate) fn new(n: u64, p: f64) -> Binomial {
        let nf = n as f64;
        let q = 1.0 - p;
        if n == 0 || p == 0.0 {
            Binomial::Zero
        } else if nf * p < 10.0 {
            let mean = nf * p;
            Binomial::Inversion {
                n: nf,
                p,
                q,
                p0: (nf * (-p).ln_1p()).exp(),
                bound: nf.min(mean + 10.0 * (mean * q + 1.0).sqrt()),
            }
        } else {
            let spq = (nf * p * q).sqrt();
            let b = 1.15 + 2.53 * spq;
            Binomial::Btrs {
                n: nf,
                a: -0.0873 + 0.0248 * b + 0.01 * p,
                b,
                c: nf * p + 0.5,
                alpha: (2.83 + 5.1 / b) * spq,
                v_r: 0.92 - 4.2 / b,
                m: ((nf + 1.0) * p).floor(),
                r: p / q,
            }
        }
    }

    /// One draw, in 0..=n (as f64, exact up to 2^53).
    pub(crate) fn sample(&self, rng: &mut Rng) -> f64 {
        match *self {
            Binomial::Zero => 0.0,
            Binomial::Inversion { n, p, q, p0, bound } => loop {
                let mut u = rng.open01();
                let mut k = 0.0;
                let mut pk = p0;
                while u > pk {
                    u -= pk;
                    k += 1.0;
                    if k > bound {
                        break;
                    }
                    pk *= (n - k + 1.0) * p / (k * q);
                }
                if k <= bound {
                    return k;
                }
            },
            Binomial::Btrs {
                n,
                a,
                b,
                c,
                alpha,
                v_r,
                m,
                r,
            } => loop {
                let u = rng.open01() - 0.5;
                let v = rng.open01();
                let us = 0.5 - u.abs();
                let k = ((2.0 * a / us + b) * u + c).floor();
                if k < 0.0 || k > n {
                    continue;
                }
                if us >= 0.07 && v <= v_r {
                    return k;
                }
                let v = (v * alpha / (a / (us * us) + b)).ln();
                let bound = (m + 0.5) * ((m + 1.0) / (r * (n - m + 1.0))).ln()
                    + (n + 1.0) * ((n - m + 1.0) / (n - k + 1.0)).ln()
                    + (k + 0.5) * (r * (n - k + 1.0) / (k + 1.0)).ln()
                    + stirling_tail(m)
                    + stirling_tail(n - m)
                    - stirling_tail(k)
                    - stirling_tail(n - k);
                if v <= bound {
                    return k;
                }
            },
        }
    }
}

/// Dropout of d equal contributions w_j = xβ/d through the dropped count X ~ Binomial(d, δ).
#[derive(Clone, Debug)]
pub(crate) struct EqualSampler {
    /// Draws X (dropped count) when `counts_dropped`, else K = d − X (kept count).
    binomial: Binomial,
    counts_dropped: bool,
    /// d as f64.
    n: f64,
    delta: f64,
    /// xβ / (d (1 − δ)): H = scale · (dδ − X).
    scale: f64,
}

impl EqualSampler {
    /// The sampler for xβ, d ≥ 1 and δ in [0, 1).
    pub(crate) fn new(xb: f64, d: u64, delta: f64) -> EqualSampler {
        let n = d as f64;
        let counts_dropped = delta <= 0.5;
        let p = if counts_dropped { delta } else { 1.0 - delta };
        EqualSampler {
            binomial: Binomial::new(d, p),
            counts_dropped,
            n,
            delta,
            scale: xb / (n * (1.0 - delta)),
        }
    }

    /// The dropped count X ~ Binomial(d, δ), in 0..=d.
    pub(crate) fn dropped(&self, rng: &mut Rng) -> f64 {
        let x = self.binomial.sample(rng);
        if self.counts_dropped { x } else { self.n - x }
    }

    /// One deviation H = S − xβ = xβ (dδ − X) / (d (1 − δ)).
    #[inline]
    pub(crate) fn deviation(&self, rng: &mut Rng) -> f64 {
        let x = self.dropped(rng);
        self.scale * self.delta.mul_add(self.n, -x)
    }
}

/// Where the deviations come from.
#[derive(Clone, Debug)]
enum Source {
    Explicit(ExplicitSampler),
    Equal(EqualSampler),
    /// H = σ ε.
    Gaussian(f64),
}

/// The per-sample penalty D(H) = A(xβ + H) − A(xβ) − A'(xβ) H, whose mean is R because
/// E[H] = 0 (it is A(S) − A(xβ) with the mean-zero control variate A'(xβ) H removed; always
/// >= 0 and free of the cancellation of two large A values).
#[derive(Clone, Copy, Debug)]
enum Penalty {
    /// D = H²/2.
    Linear,
    /// Logistic, evaluated at −|xβ| (D is unchanged by (xβ, H) → (−xβ, −H)) with p = σ(−|xβ|).
    Logistic { z0: f64, flip: bool, p: f64 },
}

impl Penalty {
    fn new(model: Model, xb: f64) -> Penalty {
        match model {
            Model::Linear => Penalty::Linear,
            Model::Logistic => {
                let z0 = -xb.abs();
                Penalty::Logistic {
                    z0,
                    flip: xb > 0.0,
                    p: Logistic.gradient(z0),
                }
            }
        }
    }

    /// D(H), >= 0.
    #[inline]
    fn value(&self, h: f64) -> f64 {
        match *self {
            Penalty::Linear => 0.5 * h * h,
            Penalty::Logistic { z0, flip, p } => {
                let h = if flip { -h } else { h };
                // A(z0 + h) − A(z0) = ln(1 + p (e^h − 1)): no cancellation for small h.
                let d = if h < 700.0 && z0 > -700.0 {
                    (p * h.exp_m1()).ln_1p() - p * h
                } else {
                    Logistic.value(&(z0 + h)) - Logistic.value(&z0) - p * h
                };
                d.max(0.0)
            }
        }
    }
}

/// Everything needed to sample one parameter set, shared read-only by all threads.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    source: Source,
    penalty: Penalty,
    /// xβ.
    xb: f64,
    /// Samples per chunk (each chunk has its own RNG stream).
    pub(crate) chunk_samples: u64,
    /// An empty histogram with this parameter set's bins (never filled; clone it).
    pub(crate) histogram: Histogram,
}

impl Plan {
    /// Prepares sampling for validated `params` (tables, binomial constants, histogram range).
    pub(crate) fn new(params: &Params) -> Plan {
        let xb = params.xb;
        let delta = params.delta;
        let (source, cost) = match (params.noise, &params.contributions) {
            (Noise::Gaussian, _) => (Source::Gaussian(params.gaussian_sigma()), 64),
            (Noise::Dropout, Contributions::Equal) => (
                Source::Equal(EqualSampler::new(
                    params.dropped_xb(),
                    params.dimension,
                    delta,
                )),
                64,
            ),
            (Noise::Dropout, Contributions::Explicit(w)) => (
                Source::Explicit(ExplicitSampler::new(
                    w,
                    delta,
                    w.len() <= TABLE_MAX_FEATURES,
                )),
                w.len() as u64,
            ),
        };
        Plan {
            source,
            penalty: Penalty::new(params.model, xb),
            xb,
            chunk_samples: (CHUNK_FEATURE_SAMPLES / cost).clamp(1, MAX_CHUNK_SAMPLES),
            histogram: Histogram::for_params(params),
        }
    }

    /// One deviation H = S − xβ (explicit contributions draw from `wide`, the rest from `rng`).
    #[inline(always)]
    fn deviation(&self, rng: &mut Rng, wide: &mut WideRng) -> f64 {
        match &self.source {
            Source::Explicit(s) => s.deviation(wide),
            Source::Equal(s) => s.deviation(rng),
            Source::Gaussian(sigma) => sigma * rng.normal(),
        }
    }

    /// Samples chunk `chunk` of the stream `seed`: `samples` draws into `welford` and
    /// `histogram`. Returns `false` (partial results) as soon as `cancel` is set.
    ///
    /// On x86-64 CPUs with AVX-512 (F, VL), explicit contributions with subset-sum tables draw
    /// their keep bits with the four generators of [`WideRng`] in one vector register
    /// ([`avx512`]); the random stream and every result are the same as on the portable path.
    pub(crate) fn run_chunk(
        &self,
        seed: u64,
        chunk: u64,
        samples: u64,
        cancel: &AtomicBool,
        welford: &mut Welford,
        histogram: &mut Histogram,
    ) -> bool {
        let mut rng = Rng::new(seed, chunk);
        let mut wide = WideRng::new(seed, chunk);
        let mut sink = |h: f64| {
            welford.push(self.penalty.value(h));
            histogram.push(self.xb + h);
        };
        #[cfg(target_arch = "x86_64")]
        if let Source::Explicit(ExplicitSampler {
            keep,
            summation: Summation::Tables(tables),
        }) = &self.source
            && avx512::available()
        {
            // SAFETY: `available` checked that the CPU has the features `avx512::sample` needs.
            return unsafe { avx512::sample(keep, tables, &mut wide, samples, cancel, &mut sink) };
        }
        for _ in 0..samples {
            if cancel.load(Ordering::Relaxed) {
                return false;
            }
            sink(self.deviation(&mut rng, &mut wide));
        }
        true
    }
}

/// The explicit-contribution loop with AVX-512 (F, VL) intrinsics: xoshiro256++ on four
/// 64-bit lanes of a 256-bit register (native 64-bit rotates), the bit-sliced comparison on
/// all 256 keep bits at once, then the same table lookups in the same order as
/// [`ExplicitSampler::deviation`], so the results are bit-for-bit those of the portable path.
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::{
        __m256i, _mm256_add_epi64, _mm256_and_si256, _mm256_andnot_si256, _mm256_loadu_si256,
        _mm256_or_si256, _mm256_rol_epi64, _mm256_set1_epi64x, _mm256_slli_epi64,
        _mm256_storeu_si256, _mm256_testz_si256, _mm256_xor_si256,
    };
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::{KeepBits, LANES, WideRng};

    /// Whether this CPU can run [`sample`]: every feature its `target_feature` enables.
    pub(super) fn available() -> bool {
        std::arch::is_x86_feature_detected!("avx2")
            && std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512vl")
    }

    /// `samples` deviations into `sink`; `false` when cancelled.
    #[target_feature(enable = "avx2,avx512f,avx512vl")]
    pub(super) fn sample(
        keep: &KeepBits,
        tables: &[f64],
        rng: &mut WideRng,
        samples: u64,
        cancel: &AtomicBool,
        sink: &mut impl FnMut(f64),
    ) -> bool {
        let [s0, s1, s2, s3] = rng.state_mut();
        // SAFETY: each state row is [u64; 4], 32 bytes; unaligned loads and stores.
        let mut s = unsafe {
            [
                _mm256_loadu_si256(s0.as_ptr().cast()),
                _mm256_loadu_si256(s1.as_ptr().cast()),
                _mm256_loadu_si256(s2.as_ptr().cast()),
                _mm256_loadu_si256(s3.as_ptr().cast()),
            ]
        };
        let mut completed = true;
        for _ in 0..samples {
            if cancel.load(Ordering::Relaxed) {
                completed = false;
                break;
            }
            let mut acc = [0.0f64; 8];
            for group in tables.chunks(LANES * 8 * 256) {
                let masks = words(keep, &mut s);
                for (table, mask) in group.chunks_exact(8 * 256).zip(masks) {
                    for (k, a) in acc.iter_mut().enumerate() {
                        *a += table[k * 256 + ((mask >> (8 * k)) & 0xFF) as usize];
                    }
                }
            }
            sink(((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7])));
        }
        // SAFETY: as for the loads.
        unsafe {
            _mm256_storeu_si256(s0.as_mut_ptr().cast(), s[0]);
            _mm256_storeu_si256(s1.as_mut_ptr().cast(), s[1]);
            _mm256_storeu_si256(s2.as_mut_ptr().cast(), s[2]);
            _mm256_storeu_si256(s3.as_mut_ptr().cast(), s[3]);
        }
        completed
    }

    /// [`KeepBits::words`] on the vector state `s` (rows s0..s3 of the four generators).
    #[target_feature(enable = "avx2,avx512f,avx512vl")]
    #[inline]
    fn words(keep: &KeepBits, s: &mut [__m256i; 4]) -> [u64; LANES] {
        if keep.keep_all {
            return [!0; LANES];
        }
        let mut kept = _mm256_set1_epi64x(0);
        let mut undecided = _mm256_set1_epi64x(-1);
        let mut bit = 63;
        loop {
            let [s0, s1, s2, s3] = *s;
            let u = _mm256_add_epi64(_mm256_rol_epi64::<23>(_mm256_add_epi64(s0, s3)), s0);
            let t = _mm256_slli_epi64::<17>(s1);
            let s2 = _mm256_xor_si256(s2, s0);
            let s3 = _mm256_xor_si256(s3, s1);
            let s1 = _mm256_xor_si256(s1, s2);
            let s0 = _mm256_xor_si256(s0, s3);
            *s = [s0, s1, _mm256_xor_si256(s2, t), _mm256_rol_epi64::<45>(s3)];
            let q = _mm256_set1_epi64x(((keep.threshold >> bit) & 1).wrapping_neg() as i64);
            // kept |= undecided & !u & q; undecided &= !(u ^ q)
            kept = _mm256_or_si256(kept, _mm256_andnot_si256(u, _mm256_and_si256(undecided, q)));
            undecided = _mm256_andnot_si256(_mm256_xor_si256(u, q), undecided);
            if _mm256_testz_si256(undecided, undecided) != 0 || bit == keep.lowest {
                let mut out = [0u64; LANES];
                // SAFETY: out is [u64; 4], 32 bytes.
                unsafe { _mm256_storeu_si256(out.as_mut_ptr().cast(), kept) };
                return out;
            }
            bit -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::LogPartition;
    use statrs::distribution::{Binomial as StatBinomial, ChiSquared, ContinuousCDF, Discrete};

    /// Pearson's chi-square p-value of `counts[i]` = how often k = `first` + i was drawn, against
    /// Binomial(n, keep), pooling neighbouring outcomes into cells with >= 20 expected draws.
    fn chi_square_p(counts: &[u64], first: u64, n: u64, keep: f64) -> f64 {
        let dist = StatBinomial::new(keep, n).unwrap();
        let total: u64 = counts.iter().sum();
        let (mut chi2, mut cells, mut obs, mut exp) = (0.0, 0usize, 0.0, 0.0);
        for (i, &c) in counts.iter().enumerate() {
            obs += c as f64;
            exp += dist.pmf(first + i as u64) * total as f64;
            if exp >= 20.0 {
                chi2 += (obs - exp) * (obs - exp) / exp;
                cells += 1;
                (obs, exp) = (0.0, 0.0);
            }
        }
        if exp > 0.0 {
            chi2 += (obs - exp) * (obs - exp) / exp;
            cells += 1;
        }
        assert!(cells >= 5, "too few cells: {cells}");
        1.0 - ChiSquared::new((cells - 1) as f64).unwrap().cdf(chi2)
    }

    #[test]
    fn keep_bits_are_quantised_to_2_pow_minus_64() {
        assert_eq!(KeepBits::new(0.5).probability(), 0.5);
        assert_eq!(KeepBits::new(0.0).probability(), 1.0);
        assert_eq!(KeepBits::new(0.1).probability(), 1.0 - 0.1);
        assert_eq!(KeepBits::new(0.75).lowest, 62);
    }

    #[test]
    fn kept_counts_of_bit_sliced_masks_follow_the_binomial() {
        for (d, delta, seed) in [
            (100usize, 0.1, 1u64),
            (150, 0.5, 2),
            (37, 0.83, 3),
            (64, 0.3, 4),
        ] {
            let sampler = ExplicitSampler::new(&vec![1.0; d], delta, true);
            let mut rng = WideRng::new(seed, 0);
            let mut counts = vec![0u64; d + 1];
            for _ in 0..100_000 {
                counts[sampler.kept_count(d, &mut rng) as usize] += 1;
            }
            let p = chi_square_p(&counts, 0, d as u64, 1.0 - delta);
            assert!(p > 1e-4, "d = {d}, δ = {delta}: chi-square p = {p}");
        }
    }

    #[test]
    fn binomial_draws_follow_the_binomial_by_inversion_and_btrs() {
        // (n, δ): inversion (mean < 10), BTRS, BTRS on the kept side, a huge n.
        for (n, delta, seed) in [
            (30u64, 0.1, 5u64),
            (40, 0.5, 6),
            (1000, 0.9, 7),
            (2000, 0.02, 8),
            (1_000_000_000, 0.3, 9),
        ] {
            let sampler = EqualSampler::new(1.0, n, delta);
            let mut rng = Rng::new(seed, 0);
            let draws: Vec<u64> = (0..100_000)
                .map(|_| (n as f64 - sampler.dropped(&mut rng)) as u64)
                .collect();
            let (lo, hi) = (*draws.iter().min().unwrap(), *draws.iter().max().unwrap());
            // Count within the observed window; outside it the expected mass is negligible.
            let mut counts = vec![0u64; (hi - lo + 1) as usize];
            for &k in &draws {
                counts[(k - lo) as usize] += 1;
            }
            let p = chi_square_p(&counts, lo, n, 1.0 - delta);
            assert!(p > 1e-4, "n = {n}, δ = {delta}: chi-square p = {p}");
        }
    }

    #[test]
    fn table_and_direct_summation_agree_mask_for_mask() {
        let w: Vec<f64> = (0..150)
            .map(|j| ((j * 37 % 11) as f64 - 5.0) / 7.0)
            .collect();
        let tables = ExplicitSampler::new(&w, 0.3, true);
        let direct = ExplicitSampler::new(&w, 0.3, false);
        let (mut a, mut b) = (WideRng::new(11, 0), WideRng::new(11, 0));
        for _ in 0..1000 {
            let (x, y) = (tables.deviation(&mut a), direct.deviation(&mut b));
            assert!((x - y).abs() < 1e-12, "{x} vs {y}");
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx512_path_reproduces_the_portable_stream() {
        if !avx512::available() {
            // Visible in `cargo test -- --nocapture`; the dispatch test below still checks
            // that run_chunk falls back to the portable stream on this CPU.
            println!("skipped: no AVX-512 (needs avx2, avx512f and avx512vl)");
            return;
        }
        let w: Vec<f64> = (0..300)
            .map(|j| ((j * 29 % 23) as f64 - 11.0) / 9.0)
            .collect();
        for delta in [0.0, 0.1, 0.5, 0.93] {
            let sampler = ExplicitSampler::new(&w, delta, true);
            let Summation::Tables(tables) = &sampler.summation else {
                panic!("expected tables");
            };
            let mut a = WideRng::new(3, 4);
            let mut b = a.clone();
            let mut fast = Vec::new();
            let never = AtomicBool::new(false);
            // SAFETY: `available` was checked above.
            let done = unsafe {
                avx512::sample(&sampler.keep, tables, &mut a, 500, &never, &mut |h| {
                    fast.push(h)
                })
            };
            assert!(done);
            let slow: Vec<f64> = (0..500).map(|_| sampler.deviation(&mut b)).collect();
            assert_eq!(fast, slow, "δ = {delta}");
            assert_eq!(a.next_u64s(), b.next_u64s());
        }
    }

    /// Whatever path `run_chunk` picks on this CPU (AVX-512 or portable), its samples are the
    /// portable loop's, bit for bit.
    #[test]
    fn run_chunk_gives_the_portable_stream_on_this_cpu() {
        let w: Vec<f64> = (0..200)
            .map(|j| ((j * 31 % 17) as f64 - 8.0) / 7.0)
            .collect();
        for delta in [0.1, 0.5] {
            let params = Params::default().with_weights(w.clone());
            let params = Params { delta, ..params };
            let plan = Plan::new(&params);
            assert!(matches!(
                &plan.source,
                Source::Explicit(ExplicitSampler {
                    summation: Summation::Tables(_),
                    ..
                })
            ));
            let never = AtomicBool::new(false);
            let mut fast = Welford::default();
            let mut histogram = plan.histogram.clone();
            assert!(plan.run_chunk(11, 2, 700, &never, &mut fast, &mut histogram));
            let (mut rng, mut wide) = (Rng::new(11, 2), WideRng::new(11, 2));
            let mut slow = Welford::default();
            for _ in 0..700 {
                slow.push(plan.penalty.value(plan.deviation(&mut rng, &mut wide)));
            }
            assert_eq!(fast, slow, "δ = {delta}");
        }
    }

    #[test]
    fn deviation_is_s_minus_xb_for_a_full_mask() {
        let w = [0.5, -1.25, 2.0];
        let sampler = ExplicitSampler::new(&w, 0.0, true);
        let h = sampler.deviation(&mut WideRng::new(1, 0));
        assert_eq!(h, 0.0);
    }

    #[test]
    fn stable_penalty_matches_the_engine_bregman_divergence() {
        for xb in [-30.0, -3.0, -0.2, 0.0, 0.7, 4.0, 25.0] {
            let penalty = Penalty::new(Model::Logistic, xb);
            for h in [-40.0, -2.5, -0.3, 0.01, 0.4, 3.0, 45.0] {
                let ours = penalty.value(h);
                let engine = Logistic.bregman(&(xb + h), &xb);
                let tol = 1e-10 * engine + 1e-15;
                assert!(
                    (ours - engine).abs() <= tol,
                    "xβ={xb} h={h}: {ours} vs {engine}"
                );
            }
        }
    }

    #[test]
    fn stable_penalty_keeps_digits_for_tiny_deviations() {
        // D ≈ σ'(xβ) h²/2 (1 + O(h)); the naive softplus difference would lose all digits.
        let xb = 3.0;
        let h = 1e-6;
        let d = Penalty::new(Model::Logistic, xb).value(h);
        let curvature = Logistic.curvature(xb);
        let approx = curvature * h * h / 2.0;
        assert!((d - approx).abs() / approx < 1e-5, "{d} vs {approx}");
    }

    #[test]
    fn penalty_handles_extreme_arguments() {
        let p = Penalty::new(Model::Logistic, -800.0);
        assert!((p.value(900.0) - 100.0).abs() < 1e-9);
        assert_eq!(p.value(-5.0), 0.0);
        let p = Penalty::new(Model::Logistic, 800.0);
        assert!((p.value(-900.0) - 100.0).abs() < 1e-9);
        assert!(Penalty::new(Model::Logistic, 0.0).value(1e6).is_finite());
    }
}
