//! The smallest mask radius and the convergence verdict (docs/math.md §10): exhaustive over
//! enumerable mask sets (masks ordered by a cheap lower bound, each checked by the winding
//! number at the best radius so far), or, for large sets, a search for a witness mask with
//! ρ <= 1 and a bound that certifies ρ > 1 for every mask.

use super::masks::{MaskSet, parallel_fold};
use super::params::Masks;
use super::radius::{
    certainly_no_zero_within, certainly_no_zero_within_p, has_zero_within, lower_bound, mask_radius,
};

/// Most winding-number checks spent on one exhaustive search before it gives up on exactness.
const MAX_CHECKS: usize = 200_000;
/// Masks of widest spread whose radii bound the smallest one from above before the full pass.
const SEEDS: usize = 32;
/// Random masks tried when searching a large set for a witness.
const SAMPLED_MASKS: usize = 256;
/// Seed of the sampled masks (fixed, so reports are reproducible).
const SEED: u64 = 0x5eed_50f7_4a11_0001;

/// The radius part of a report.
#[derive(Clone, Debug, PartialEq)]
pub struct Radius {
    /// min over masks of ρ(ε), when known exactly; `None` when infinite or unknown.
    pub radius: Option<f64>,
    /// The smallest ρ found (equal to `radius` when exact); the scale of the terms.
    pub smallest: Option<f64>,
    /// The features the worst (or witness) mask keeps.
    pub worst: Option<Vec<Vec<bool>>>,
    /// The noise ε of the mask with the smallest ρ found.
    pub noise: Option<Vec<f64>>,
    /// The verdict: every mask has ρ > 1.
    pub converges: Option<bool>,
    /// One sentence saying why.
    pub reason: String,
}

/// A verdict from an exactly known smallest radius (`None`: infinite); `what` says which mask
/// attains it ("every feature dropped").
pub fn verdict_exact(
    radius: Option<f64>,
    worst: Option<Vec<Vec<bool>>>,
    noise: Option<Vec<f64>>,
    what: &str,
) -> Radius {
    match radius {
        None => Radius {
            radius: None,
            smallest: None,
            worst: None,
            noise: None,
            converges: Some(true),
            reason: "no mask moves two classes differently: every ρ is infinite".into(),
        },
        Some(r) => Radius {
            radius: Some(r),
            smallest: Some(r),
            worst,
            noise,
            converges: Some(r > 1.0),
            reason: if r > 1.0 {
                format!("every mask has ρ > 1 (smallest: {what})")
            } else {
                format!("ρ <= 1 with {what}: the series diverges")
            },
        },
    }
}

/// Exhaustive search over an enumerable set: exact smallest ρ when at most [`MAX_CHECKS`]
/// masks need a winding-number check.
///
/// The [`SEEDS`] masks of widest spread max_k ε_k − min_k ε_k give an upper bound ρ* on the
/// smallest radius; every other mask that [`certainly_no_zero_within_p`] clears at ρ* (most of
/// them, without an exponential) cannot be the worst and is dropped. The rest, seeds included,
/// are checked in order of their lower bounds as if they were the whole set.
pub fn exhaustive(set: &dyn MaskSet, ln_p: &[f64]) -> Radius {
    let p: Vec<f64> = ln_p.iter().map(|l| l.exp()).collect();
    let seeds = widest(set);
    let ceiling = seeds
        .iter()
        .filter_map(|&i| mask_radius(ln_p, &set.mask(i).0))
        .fold(f64::INFINITY, f64::min);
    let prune = ceiling * (1.0 + 1e-6);
    let mut seeds = seeds;
    seeds.sort_unstable();
    let candidates: Vec<(u64, f64)> = parallel_fold(
        set,
        Vec::new,
        |v: &mut Vec<(u64, f64)>, i, eps, _| {
            if seeds.binary_search(&i).is_ok() || !certainly_no_zero_within_p(ln_p, &p, eps, prune)
            {
                v.push((i, lower_bound(ln_p, eps).unwrap_or(f64::INFINITY)));
            }
        },
        |mut a, b| {
            a.extend(b);
            a
        },
    );
    let mut order = candidates;
    order.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (mut best, mut worst) = (f64::INFINITY, None);
    let mut complete = true;
    for (checks, &(i, bound)) in order.iter().enumerate() {
        if bound >= best {
            break;
        }
        if checks >= MAX_CHECKS {
            complete = false;
            break;
        }
        let (eps, _) = set.mask(i);
        if best.is_finite()
            && (certainly_no_zero_within(ln_p, &eps, best) || !has_zero_within(ln_p, &eps, best))
        {
            continue;
        }
        if let Some(r) = mask_radius(ln_p, &eps)
            && r < best
        {
            best = r;
            worst = Some(i);
        }
    }
    let worst_kept = worst.and_then(|i| set.kept(i));
    let noise = worst.map(|i| set.mask(i).0);
    if complete {
        let what = "the kept features in worst_mask";
        return verdict_exact(best.is_finite().then_some(best), worst_kept, noise, what);
    }
    // Incomplete: a witness decides divergence; otherwise every mask whose bound allows a zero
    // in |t| <= 1 is checked at radius 1.
    let smallest = best.is_finite().then_some(best);
    if best <= 1.0 {
        return Radius {
            radius: None,
            smallest,
            worst: worst_kept,
            noise,
            converges: Some(false),
            reason: "a witness mask has ρ <= 1, so the series diverges".into(),
        };
    }
    let any = parallel_fold(
        set,
        || false,
        |found, _, eps, _| {
            if !*found && lower_bound(ln_p, eps).is_some_and(|b| b <= 1.0) {
                *found = has_zero_within(ln_p, eps, 1.0);
            }
        },
        |a, b| a || b,
    );
    Radius {
        radius: None,
        smallest,
        worst: None,
        noise,
        converges: Some(!any),
        reason: if any {
            "some mask has a zero of Σ p e^{tε} in |t| < 1, so the series diverges".into()
        } else {
            "no mask has a zero of Σ p e^{tε} in |t| <= 1 (winding number at 1)".into()
        },
    }
}

/// The indices of the [`SEEDS`] masks of `set` with the widest spread (ties: lower index first).
fn widest(set: &dyn MaskSet) -> Vec<u64> {
    fn insert(top: &mut Vec<(f64, u64)>, item: (f64, u64)) {
        let better = |a: &(f64, u64), b: &(f64, u64)| a.0 > b.0 || (a.0 == b.0 && a.1 < b.1);
        if top.len() == SEEDS && !better(&item, &top[SEEDS - 1]) {
            return;
        }
        let at = top.partition_point(|t| better(t, &item));
        top.insert(at, item);
        top.truncate(SEEDS);
    }
    let top = parallel_fold(
        set,
        Vec::new,
        |top: &mut Vec<(f64, u64)>, i, eps, _| {
            let max = eps.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let min = eps.iter().copied().fold(f64::INFINITY, f64::min);
            insert(top, (max - min, i));
        },
        |mut a, b| {
            b.into_iter().for_each(|item| insert(&mut a, item));
            a
        },
    );
    top.into_iter().map(|(_, i)| i).collect()
}

/// A candidate mask: its noise vector and the features it keeps (when listed).
pub type Candidate = (Vec<f64>, Option<Vec<Vec<bool>>>);

/// Verdict for a set too large to enumerate: `bounds[k]` >= max over masks |ε_k|. A candidate
/// with ρ <= 1 is a witness of divergence; Σ_k p_k (e^{bounds_k} − 1) < 1 certifies ρ > 1 for
/// every mask (|Σ p_k (e^{tε_k} − 1)| < 1 on |t| <= 1).
///
/// The candidate of smallest ρ is found as in [`exhaustive`]: candidates in order of their lower
/// bounds (equal bounds, as of repeated candidates, in list order), each one that has no zero
/// inside the best radius so far skipped without a root search.
pub fn witnesses(
    ln_p: &[f64],
    bounds: &[f64],
    candidates: Vec<Candidate>,
    dimension: u64,
) -> Radius {
    let mut order: Vec<(f64, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(i, (eps, _))| (lower_bound(ln_p, eps).unwrap_or(f64::INFINITY), i))
        .collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let (mut best, mut best_index) = (f64::INFINITY, usize::MAX);
    for (bound, i) in order {
        if bound > best {
            break;
        }
        let eps = &candidates[i].0;
        if best.is_finite()
            && (certainly_no_zero_within(ln_p, eps, best) || !has_zero_within(ln_p, eps, best))
        {
            continue;
        }
        if let Some(r) = mask_radius(ln_p, eps)
            && r < best
        {
            best = r;
            best_index = i;
        }
    }
    let (worst, noise) = match candidates.into_iter().nth(best_index) {
        Some((eps, kept)) => (kept.filter(|_| dimension <= 64), Some(eps)),
        None => (None, None),
    };
    let smallest = best.is_finite().then_some(best);
    if best <= 1.0 {
        return Radius {
            radius: None,
            smallest,
            worst,
            noise,
            converges: Some(false),
            reason: "a witness mask has ρ <= 1, so the series diverges".into(),
        };
    }
    let bound: f64 = ln_p
        .iter()
        .zip(bounds)
        .map(|(l, b)| l.exp() * b.exp_m1())
        .sum();
    let (converges, reason) = if bound < 1.0 {
        (
            Some(true),
            format!(
                "Σ_k p_k (e^{{max|ε_k|}} − 1) = {bound:.6} < 1 bounds every ρ above 1 \
                 (smallest ρ found {best:.6})"
            ),
        )
    } else {
        (
            None,
            format!(
                "undecided: the smallest ρ found is {best:.6} > 1, and the bound \
                 Σ_k p_k (e^{{max|ε_k|}} − 1) = {bound:.6} does not certify convergence"
            ),
        )
    };
    Radius {
        radius: None,
        smallest,
        worst: None,
        noise,
        converges,
        reason,
    }
}

/// Per-class equal contributions, large d (`eta` is the contributions' sum η0): the corners s_k ∈ {−1, δ/(1−δ)} of the grid of
/// per-class kept fractions (all 2^q for q <= 12, else each pair of classes pulled apart).
pub fn equal_per_class_candidates(eta: &[f64], delta: f64) -> Vec<Candidate> {
    let q = eta.len();
    let high = delta / (1.0 - delta);
    let corner = |bits: u64| -> Candidate {
        let eps = eta
            .iter()
            .enumerate()
            .map(|(k, h)| if bits >> k & 1 == 1 { high * h } else { -h })
            .collect();
        (eps, None)
    };
    if q <= 12 {
        (0..1u64 << q).map(corner).collect()
    } else {
        let mut out = Vec::new();
        for a in 0..q {
            for b in 0..q {
                if a != b {
                    out.push(corner(1 << a));
                    out.push(corner(!(1u64 << b) & ((1 << q) - 1)));
                }
            }
        }
        out
    }
}

/// max over masks of |ε_k| for explicit rows (shared and per-class masks alike):
/// ε_k ranges over [Σ_j min(−C_jk, C_jk δ/(1−δ)), Σ_j max(−C_jk, C_jk δ/(1−δ))].
pub fn explicit_bounds(rows: &[Vec<f64>], delta: f64) -> Vec<f64> {
    let v = delta / (1.0 - delta);
    (0..rows[0].len())
        .map(|k| {
            let (lo, hi) = rows.iter().fold((0.0, 0.0), |(lo, hi), r| {
                let (a, b) = (-r[k], v * r[k]);
                (lo + a.min(b), hi + a.max(b))
            });
            f64::max(-lo, hi)
        })
        .collect()
}

/// Candidate masks for large explicit lists: for each ordered pair of classes (a, b), the mask
/// that maximises ε_a − ε_b (shared: keep row j iff C_ja > C_jb; per-class: keep C_ja iff
/// positive and C_jb iff negative, the rest kept), and [`SAMPLED_MASKS`] random masks.
pub fn explicit_candidates(rows: &[Vec<f64>], masks: Masks, delta: f64) -> Vec<Candidate> {
    let q = rows[0].len();
    let d = rows.len();
    let v = delta / (1.0 - delta);
    let build = |keep: &dyn Fn(usize, usize) -> bool| -> Candidate {
        let mut eps = vec![0.0; q];
        for (j, r) in rows.iter().enumerate() {
            for k in 0..q {
                eps[k] += if keep(j, k) { v * r[k] } else { -r[k] };
            }
        }
        let kept = match masks {
            Masks::Shared => vec![(0..d).map(|j| keep(j, 0)).collect()],
            Masks::PerClass => (0..q)
                .map(|k| (0..d).map(|j| keep(j, k)).collect())
                .collect(),
        };
        (eps, Some(kept))
    };
    let mut out = Vec::new();
    for a in 0..q {
        for b in 0..q {
            if a == b {
                continue;
            }
            out.push(match masks {
                Masks::Shared => build(&|j, _| rows[j][a] > rows[j][b]),
                Masks::PerClass => build(&|j, k| {
                    if k == a {
                        rows[j][k] > 0.0
                    } else if k == b {
                        rows[j][k] < 0.0
                    } else {
                        true
                    }
                }),
            });
        }
    }
    let mut state = SEED;
    let keep_probability = 1.0 - delta;
    for _ in 0..SAMPLED_MASKS {
        let draws: Vec<bool> = (0..d * q)
            .map(|_| uniform(&mut state) < keep_probability)
            .collect();
        out.push(match masks {
            Masks::Shared => build(&|j, _| draws[j]),
            Masks::PerClass => build(&|j, k| draws[k * d + j]),
        });
    }
    out
}

/// A uniform number in [0, 1) from a splitmix64 state.
fn uniform(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::softmax::ln_probabilities;

    /// The pruned search finds the smallest radius over the candidates, the one a root search of
    /// every candidate finds, and its mask.
    #[test]
    fn witnesses_find_the_smallest_candidate_radius() {
        let rows: Vec<Vec<f64>> = (0..40)
            .map(|j| {
                (0..4)
                    .map(|k| (((j * 7 + k * 5) % 13) as f64 - 6.0) * 0.05)
                    .collect()
            })
            .collect();
        let ln_p = ln_probabilities(&[0.5, -1.0, 2.0, 0.0]);
        for (masks, delta) in [(Masks::Shared, 0.5), (Masks::PerClass, 0.3)] {
            let candidates = explicit_candidates(&rows, masks, delta);
            let (index, smallest) = candidates
                .iter()
                .enumerate()
                .filter_map(|(i, (eps, _))| mask_radius(&ln_p, eps).map(|r| (i, r)))
                .fold(
                    (usize::MAX, f64::INFINITY),
                    |a, b| if b.1 < a.1 { b } else { a },
                );
            let bounds = explicit_bounds(&rows, delta);
            let r = witnesses(&ln_p, &bounds, candidates.clone(), rows.len() as u64);
            assert_eq!(r.smallest, Some(smallest), "{masks:?}");
            assert_eq!(r.noise.as_ref(), Some(&candidates[index].0));
        }
    }
}
