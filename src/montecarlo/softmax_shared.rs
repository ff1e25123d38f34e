//! Shared-mask softmax noise for explicit rows (docs/math.md §10): ε = Σ_j (ξ_j − 1) C_j from
//! subset-sum tables, and the sampling loop of a chunk.
//!
//! Features are taken `BITS` at a time, 8, 6 or 4: the most whose tables fit in
//! [`BYTE_TABLE_MAX`] and [`SIX_TABLE_MAX`] bytes, so that they stay in a core's L2 cache. Each
//! random 64-bit keep word serves ⌊64/BITS⌋ whole groups (60 features for groups of 6, whose
//! last 4 bits go unused). Group g's table holds, for every
//! pattern b of its keep bits, the group's deviation Σ_{j in g} (b_j/(1−δ) − 1) C_j, so ε is
//! summed directly and never formed as a difference with η0. Classes are laid out 16 to a slab,
//! each slab's width even (a padding lane holds 0), and a sample adds one table row per
//! group into [`CHAINS`] accumulators held in registers, which are added pairwise at the end.
//! The order of every addition is fixed by the parameters, so the AVX2 and portable builds of
//! the loop give the same ε.

use super::rng::{LANES, WideRng};
use super::sampler::KeepBits;
use super::stats::Welford;
use crate::engine::softmax::Bregman;

/// Largest table (bytes) for which features are grouped 8 at a time.
const BYTE_TABLE_MAX: usize = 256 << 10;
/// Largest table (bytes) for which features are grouped 6 at a time.
const SIX_TABLE_MAX: usize = 1 << 20;
/// Most classes per slab.
const SLAB: usize = 16;
/// Accumulators per lane; consecutive groups cycle through them.
const CHAINS: usize = 4;

/// One slab of classes: lanes `first..first + classes` at `offset` in the table, `width` lanes
/// per row (`classes` rounded up to even).
#[derive(Clone, Debug)]
struct Slab {
    offset: usize,
    width: usize,
    first: usize,
    classes: usize,
}

/// Subset-sum tables of explicit rows C_j ∈ R^q for shared masks.
#[derive(Clone, Debug)]
pub(crate) struct SharedTables {
    /// Per slab, `[group][pattern][lane]`.
    table: Vec<f64>,
    slabs: Vec<Slab>,
    /// Features per group: 4, 6 or 8.
    bits: u32,
    /// 64-bit keep words per sample, ⌈d/(features per word)⌉.
    words: usize,
    classes: usize,
}

impl SharedTables {
    /// Tables for `rows` (d >= 1 rows of q >= 1 finite numbers) under dropout δ in [0, 1).
    pub(crate) fn new(rows: &[Vec<f64>], delta: f64) -> SharedTables {
        let q = rows[0].len();
        let padded = q.div_ceil(2) * 2;
        let size = |bits: u32| {
            let groups = rows.len().div_ceil(features_per_word(bits)) * (64 / bits as usize);
            groups * (1 << bits) * padded * 8
        };
        let bits: u32 = if size(8) <= BYTE_TABLE_MAX {
            8
        } else if size(6) <= SIX_TABLE_MAX {
            6
        } else {
            4
        };
        let words = rows.len().div_ceil(features_per_word(bits));
        let entries = 1usize << bits;
        let groups = words * (64 / bits as usize);
        let kept = delta / (1.0 - delta);
        let mut table = Vec::new();
        let mut slabs = Vec::new();
        for first in (0..q).step_by(SLAB) {
            let classes = SLAB.min(q - first);
            let width = classes.div_ceil(2) * 2;
            let offset = table.len();
            table.resize(offset + groups * entries * width, 0.0);
            for g in 0..groups {
                let start = (g * bits as usize).min(rows.len());
                let members = &rows[start..(start + bits as usize).min(rows.len())];
                for b in 0..entries {
                    let row = offset + (g * entries + b) * width;
                    for (k, cell) in table[row..row + classes].iter_mut().enumerate() {
                        *cell = members
                            .iter()
                            .enumerate()
                            .map(|(i, c)| {
                                if b >> i & 1 == 1 {
                                    kept * c[first + k]
                                } else {
                                    -c[first + k]
                                }
                            })
                            .sum();
                    }
                }
            }
            slabs.push(Slab {
                offset,
                width,
                first,
                classes,
            });
        }
        SharedTables {
            table,
            slabs,
            bits,
            words,
            classes: q,
        }
    }

    /// ε (length q) for the keep bits `words` (with f = ⌊64/bits⌋·bits features per word,
    /// bit j mod f of word ⌊j/f⌋: feature j kept).
    #[inline(always)]
    pub(crate) fn epsilon(&self, words: &[u64], epsilon: &mut [f64]) {
        for slab in &self.slabs {
            let table = &self.table[slab.offset..];
            let out = &mut epsilon[slab.first..slab.first + slab.classes];
            macro_rules! dispatch {
                ($($w:literal)*) => {
                    match (slab.width, self.bits) {
                        $(($w, 8) => slab_sum::<$w, 8>(table, words, out),
                          ($w, 6) => slab_sum::<$w, 6>(table, words, out),
                          ($w, _) => slab_sum::<$w, 4>(table, words, out),)*
                        _ => unreachable!("slab widths are even and at most {SLAB}"),
                    }
                };
            }
            dispatch!(2 4 6 8 10 12 14 16);
        }
    }

    /// Draws `n` samples with keep bits from `keep` and `rng` and pushes each one's Bregman
    /// form D (nats) into `welford`.
    pub(crate) fn run(
        &self,
        keep: &KeepBits,
        rng: &mut WideRng,
        n: u64,
        divergence: &Bregman,
        welford: &mut Welford,
    ) {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, the only feature `run_avx2` enables.
            unsafe { self.run_avx2(keep, rng, n, divergence, welford) };
            return;
        }
        self.run_portable(keep, rng, n, divergence, welford);
    }

    /// [`SharedTables::run`] compiled for AVX2; the same operations in the same order.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn run_avx2(
        &self,
        keep: &KeepBits,
        rng: &mut WideRng,
        n: u64,
        divergence: &Bregman,
        welford: &mut Welford,
    ) {
        self.run_portable(keep, rng, n, divergence, welford);
    }

    #[inline(always)]
    fn run_portable(
        &self,
        keep: &KeepBits,
        rng: &mut WideRng,
        n: u64,
        divergence: &Bregman,
        welford: &mut Welford,
    ) {
        let mut words = vec![0u64; self.words];
        let mut epsilon = vec![0.0; self.classes];
        for _ in 0..n {
            for block in words.chunks_mut(LANES) {
                let drawn = keep.words(rng);
                block.copy_from_slice(&drawn[..block.len()]);
            }
            self.epsilon(&words, &mut epsilon);
            welford.push(divergence.at(&epsilon));
        }
    }
}

/// Features served by one keep word when groups have `bits` features.
fn features_per_word(bits: u32) -> usize {
    (64 / bits * bits) as usize
}

/// One slab's ε: for each group, the table row of its keep pattern, added into the chain of
/// the group's index within its word mod [`CHAINS`]; `out` gets ((c0 + c1) + (c2 + c3)) lane by
/// lane.
#[inline(always)]
fn slab_sum<const W: usize, const BITS: u32>(table: &[f64], words: &[u64], out: &mut [f64]) {
    let entries = 1usize << BITS;
    let per_word = 64 / BITS as usize;
    let group_len = entries * W;
    let mut acc = [[0.0f64; W]; CHAINS];
    let add = |chain: &mut [f64; W], word_table: &[f64], word: u64, g: usize| {
        let pattern = (word >> (g * BITS as usize)) as usize & (entries - 1);
        let at = g * group_len + pattern * W;
        let row: &[f64; W] = word_table[at..at + W].try_into().expect("W lanes");
        for (a, t) in chain.iter_mut().zip(row) {
            *a += t;
        }
    };
    let whole = per_word / CHAINS * CHAINS;
    for (&word, word_table) in words.iter().zip(table.chunks_exact(per_word * group_len)) {
        for quad in (0..whole).step_by(CHAINS) {
            for (c, chain) in acc.iter_mut().enumerate() {
                add(chain, word_table, word, quad + c);
            }
        }
        for (c, chain) in acc.iter_mut().enumerate().take(per_word - whole) {
            add(chain, word_table, word, whole + c);
        }
    }
    for (k, e) in out.iter_mut().enumerate() {
        *e = (acc[0][k] + acc[1][k]) + (acc[2][k] + acc[3][k]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows with mixed signs, multiples of 1/32.
    fn rows(d: usize, q: usize) -> Vec<Vec<f64>> {
        (0..d)
            .map(|j| {
                (0..q)
                    .map(|k| (((j * 13 + k * 7 + 3) % 41) as f64 - 20.0) / 32.0)
                    .collect()
            })
            .collect()
    }

    #[test]
    fn tables_give_the_direct_sum_of_kept_and_dropped_rows() {
        let delta = 0.3;
        let kept = delta / (1.0 - delta);
        // Byte groups (one and two words), groups of 6 and 4, several slabs (q = 21), q = 1.
        for (d, q, bits) in [
            (13, 4, 8),
            (128, 8, 8),
            (300, 10, 6),
            (70, 21, 6),
            (5, 1, 8),
            (1000, 10, 6),
            (2000, 10, 4),
        ] {
            let rows = rows(d, q);
            let tables = SharedTables::new(&rows, delta);
            assert_eq!(tables.bits, bits, "d={d} q={q}");
            let mut state = 0x1234_5678_9abc_def0u64;
            for _ in 0..20 {
                let per_word = features_per_word(tables.bits);
                let words: Vec<u64> = (0..d.div_ceil(per_word))
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state
                    })
                    .collect();
                let mut eps = vec![f64::NAN; q];
                tables.epsilon(&words, &mut eps);
                for k in 0..q {
                    let direct: f64 = rows
                        .iter()
                        .enumerate()
                        .map(|(j, r)| {
                            if words[j / per_word] >> (j % per_word) & 1 == 1 {
                                kept * r[k]
                            } else {
                                -r[k]
                            }
                        })
                        .sum();
                    let scale: f64 = rows.iter().map(|r| r[k].abs()).sum::<f64>().max(1.0);
                    assert!(
                        (eps[k] - direct).abs() <= 1e-13 * scale,
                        "d={d} q={q} k={k}: {} vs {direct}",
                        eps[k]
                    );
                }
            }
        }
    }

    #[test]
    fn the_dispatched_loop_gives_the_portable_results_bit_for_bit() {
        use crate::engine::softmax::ln_probabilities;
        for (d, q) in [(300, 10), (13, 4), (70, 21)] {
            let rows = rows(d, q);
            let tables = SharedTables::new(&rows, 0.3);
            let keep = KeepBits::new(0.3);
            let logits: Vec<f64> = (0..q).map(|k| rows.iter().map(|r| r[k]).sum()).collect();
            let divergence = Bregman::new(&ln_probabilities(&logits));
            let (mut a, mut b) = (Welford::default(), Welford::default());
            tables.run(&keep, &mut WideRng::new(9, 2), 500, &divergence, &mut a);
            tables.run_portable(&keep, &mut WideRng::new(9, 2), 500, &divergence, &mut b);
            assert_eq!(a, b, "d={d} q={q}");
            assert!(a.mean() > 0.0);
        }
    }
}
