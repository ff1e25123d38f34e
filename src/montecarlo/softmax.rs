//! Monte Carlo of real dropout masks for the softmax penalty (docs/math.md §10).
//!
//! Each sample draws the mask ξ (shared: one keep bit per feature; per-class: one per feature
//! and class), forms ε = Σ_j (ξ_j − 1) C_j with ξ_j ∈ {0, 1/(1−δ)}, and records the Bregman
//! form D = log Σ_k p_k e^{ε_k} − p·ε ([`bregman`]), p = softmax(η) at the logits η = b + η0
//! (the offset b is never dropped, so it enters only through p). Because E[ε] = 0,
//! E[D] = E[A(η + ε)] − A(η) = R. Equal contributions draw the kept count K ~ Binomial(d, 1−δ) (one per class for
//! per-class masks), so ε = (K/(d(1−δ)) − 1) η0 componentwise.
//!
//! Shared masks over explicit rows add one subset-sum table row per group of 4 or 8 features
//! ([`SharedTables`]). Per-class masks look up, for each class and group of 8 features, the 256
//! sums of its kept contributions (scaled by 1/(1−δ)) with one byte of keep bits. Chunks and
//! seeding follow the logistic sampler: chunk c of seed s uses streams (s, c), so a seed fixes the
//! result for any thread count.

use super::rng::{LANES, Rng, WideRng};
use super::sampler::{EqualSampler, KeepBits};
use super::softmax_shared::SharedTables;
use super::stats::Welford;
use super::{McSummary, run_chunked};
use crate::engine::softmax::{
    Bregman, Masks, SoftmaxContributions, SoftmaxError, SoftmaxParams, ln_probabilities,
};

/// Feature·class work aimed at per chunk.
const CHUNK_WORK: u64 = 1 << 21;

/// Most samples per chunk.
const MAX_CHUNK_SAMPLES: u64 = 1 << 13;

/// Largest d·q that gets subset-sum tables (at most 256 bytes per feature·class).
pub const SOFTMAX_TABLE_MAX: usize = 1 << 17;

/// Features per table group (one byte of keep bits).
const GROUP: usize = 8;

/// How one sample's ε is drawn.
#[derive(Clone, Debug)]
enum Source {
    /// ε = f η0 (shared, one f) or ε_k = f_k η0_k (per-class), f = K/(d(1−δ)) − 1; `logits` is η0.
    Equal {
        sampler: EqualSampler,
        logits: Vec<f64>,
        per_class: bool,
    },
    /// Explicit rows, shared masks.
    Shared(SharedTables),
    /// Explicit rows, per-class masks: `tables[g·256 + b]` is the scaled sum of the
    /// contributions of group g kept by byte b (groups of one class, class-major); `classes[g]`
    /// is the class of group g.
    PerClassTables {
        tables: Vec<f64>,
        classes: Vec<usize>,
        groups: usize,
    },
    /// Explicit rows added bit by bit: `rows` scaled by 1/(1−δ), `per_class` as above.
    Direct {
        rows: Vec<Vec<f64>>,
        per_class: bool,
    },
}

/// A validated softmax point ready to sample.
#[derive(Clone, Debug)]
pub struct SoftmaxPlan {
    /// The Bregman form at the logits b + η0.
    divergence: Bregman,
    /// The contributions' sum η0 (ε starts at −η0 for explicit rows; the offset is not dropped).
    eta0: Vec<f64>,
    keep: KeepBits,
    source: Source,
    /// Samples per chunk.
    chunk_samples: u64,
}

impl SoftmaxPlan {
    /// The plan for `params`; fails when they do not validate.
    pub fn new(params: &SoftmaxParams) -> Result<SoftmaxPlan, SoftmaxError> {
        params.validate()?;
        let q = params.classes;
        let logits = params.logits();
        let eta0 = params.contribution_sum();
        let per_class = params.masks == Masks::PerClass;
        let keep_scale = 1.0 / (1.0 - params.delta);
        let (source, work) = match &params.contributions {
            SoftmaxContributions::Equal { dimension, .. } => (
                Source::Equal {
                    sampler: EqualSampler::new(1.0, *dimension, params.delta),
                    logits: eta0.clone(),
                    per_class,
                },
                q as u64,
            ),
            SoftmaxContributions::Explicit(rows) => {
                let work = (rows.len() * q) as u64;
                let source = if rows.len() * q > SOFTMAX_TABLE_MAX {
                    Source::Direct {
                        rows: rows
                            .iter()
                            .map(|r| r.iter().map(|c| c * keep_scale).collect())
                            .collect(),
                        per_class,
                    }
                } else if per_class {
                    per_class_tables(rows, q, keep_scale)
                } else {
                    Source::Shared(SharedTables::new(rows, params.delta))
                };
                (source, work)
            }
        };
        Ok(SoftmaxPlan {
            divergence: Bregman::new(&ln_probabilities(&logits)),
            eta0,
            keep: KeepBits::new(params.delta),
            source,
            chunk_samples: (CHUNK_WORK / work.max(1)).clamp(1, MAX_CHUNK_SAMPLES),
        })
    }

    /// Samples per chunk of this plan.
    pub fn chunk_samples(&self) -> u64 {
        self.chunk_samples
    }

    /// Draws `n` samples of chunk `chunk` of `seed` into `welford`.
    pub(crate) fn run_chunk(&self, seed: u64, chunk: u64, n: u64, welford: &mut Welford) {
        let q = self.eta0.len();
        let mut epsilon = vec![0.0; q];
        match &self.source {
            Source::Equal {
                sampler,
                logits,
                per_class,
            } => {
                let mut rng = Rng::new(seed, chunk);
                for _ in 0..n {
                    if *per_class {
                        for (e, l) in epsilon.iter_mut().zip(logits) {
                            *e = sampler.deviation(&mut rng) * l;
                        }
                    } else {
                        let f = sampler.deviation(&mut rng);
                        for (e, l) in epsilon.iter_mut().zip(logits) {
                            *e = f * l;
                        }
                    }
                    welford.push(self.divergence.at(&epsilon));
                }
            }
            Source::Shared(tables) => {
                let mut rng = WideRng::new(seed, chunk);
                tables.run(&self.keep, &mut rng, n, &self.divergence, welford);
            }
            Source::PerClassTables {
                tables,
                classes,
                groups,
            } => {
                let mut bits = Bytes::new(&self.keep, seed, chunk);
                for _ in 0..n {
                    for (e, l) in epsilon.iter_mut().zip(&self.eta0) {
                        *e = -l;
                    }
                    for (g, class) in classes.iter().enumerate().take(*groups) {
                        let b = bits.next(&self.keep) as usize;
                        epsilon[*class] += tables[g * 256 + b];
                    }
                    welford.push(self.divergence.at(&epsilon));
                }
            }
            Source::Direct { rows, per_class } => {
                let mut bits = Bytes::new(&self.keep, seed, chunk);
                for _ in 0..n {
                    for (e, l) in epsilon.iter_mut().zip(&self.eta0) {
                        *e = -l;
                    }
                    if *per_class {
                        for k in 0..q {
                            for block in rows.chunks(GROUP) {
                                let b = bits.next(&self.keep);
                                for (i, row) in block.iter().enumerate() {
                                    if b >> i & 1 == 1 {
                                        epsilon[k] += row[k];
                                    }
                                }
                            }
                        }
                    } else {
                        for block in rows.chunks(GROUP) {
                            let b = bits.next(&self.keep);
                            for (i, row) in block.iter().enumerate() {
                                if b >> i & 1 == 1 {
                                    for (e, c) in epsilon.iter_mut().zip(row) {
                                        *e += c;
                                    }
                                }
                            }
                        }
                    }
                    welford.push(self.divergence.at(&epsilon));
                }
            }
        }
    }
}

/// Per-class subset-sum tables of the contributions scaled by `keep_scale`: groups of
/// [`GROUP`] features of one class, class-major.
fn per_class_tables(rows: &[Vec<f64>], q: usize, keep_scale: f64) -> Source {
    let blocks = rows.len().div_ceil(GROUP);
    let groups = blocks * q;
    let mut table = vec![0.0; groups * 256];
    let mut classes = Vec::with_capacity(groups);
    for g in 0..groups {
        let (block, class) = (g % blocks, g / blocks);
        classes.push(class);
        let members = &rows[block * GROUP..rows.len().min((block + 1) * GROUP)];
        for b in 1..256usize {
            // The sum for b is the sum for b without its lowest bit, plus that bit's row.
            let low = b.trailing_zeros() as usize;
            let previous = table[g * 256 + (b & (b - 1))];
            table[g * 256 + b] =
                previous + members.get(low).map_or(0.0, |row| row[class] * keep_scale);
        }
    }
    Source::PerClassTables {
        tables: table,
        classes,
        groups,
    }
}

/// A stream of keep-bit bytes from [`KeepBits::words`] (bit i of a byte: feature i of a group).
struct Bytes {
    rng: WideRng,
    words: [u64; LANES],
    /// Bytes of `words` already used, 0..=8·LANES.
    used: usize,
}

impl Bytes {
    fn new(keep: &KeepBits, seed: u64, chunk: u64) -> Bytes {
        let mut rng = WideRng::new(seed, chunk);
        let words = keep.words(&mut rng);
        Bytes {
            rng,
            words,
            used: 0,
        }
    }

    #[inline(always)]
    fn next(&mut self, keep: &KeepBits) -> u8 {
        if self.used == 8 * LANES {
            self.words = keep.words(&mut self.rng);
            self.used = 0;
        }
        let b = (self.words[self.used / 8] >> (8 * (self.used % 8))) as u8;
        self.used += 1;
        b
    }
}

/// Draws `samples` softmax samples for `params` with `seed` on `threads` threads (0: one per
/// core). The statistics depend only on (params, samples, seed). R^ is in nats.
pub fn run_softmax(
    params: &SoftmaxParams,
    samples: u64,
    seed: u64,
    threads: usize,
) -> Result<McSummary, SoftmaxRunError> {
    let plan = SoftmaxPlan::new(params)?;
    run_chunked(samples, plan.chunk_samples, seed, threads, |c, n, w| {
        plan.run_chunk(seed, c, n, w)
    })
    .map_err(SoftmaxRunError::Spawn)
}

/// Why a softmax Monte Carlo run could not be made; one line.
#[derive(Debug, thiserror::Error)]
pub enum SoftmaxRunError {
    /// The parameters do not validate.
    #[error("{0}")]
    Params(#[from] SoftmaxError),
    /// A sampling thread could not start.
    #[error("{0}")]
    Spawn(super::RunError),
}
