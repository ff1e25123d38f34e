//! Finite sets of dropout masks, visited in order: shared masks over explicit rows (Gray code,
//! one row added or removed per step) and products of per-class value lists (mixed radix).
//! Per-class masks over explicit rows are shared masks over the q·d one-class rows C_jk e_k.

/// A finite set of masks, each giving a noise vector ε (length q) and a log-weight.
pub trait MaskSet: Sync {
    /// Number of masks.
    fn count(&self) -> u64;
    /// Calls `f(index, ε, ln w)` for every mask in `start..end`, in order.
    fn visit(&self, start: u64, end: u64, f: &mut dyn FnMut(u64, &[f64], f64));
    /// ε and ln w of mask `index`.
    fn mask(&self, index: u64) -> (Vec<f64>, f64);
    /// Which features mask `index` keeps: one row per mask row (q rows for per-class masks).
    /// `None` when d > 64 or the set is not made of single masks.
    fn kept(&self, index: u64) -> Option<Vec<Vec<bool>>>;
    /// Largest ln w over the set.
    fn ln_w_max(&self) -> f64;
}

/// Recompute ε from scratch every this many Gray-code steps (bounds the rounding drift).
const REFRESH: u64 = 64;

/// Masks over rows v_j ∈ R^q: mask bits b_j, ε = Σ_j (b_j δ/(1−δ) − (1 − b_j)) v_j, weight
/// (1−δ)^{kept} δ^{dropped}. Mask `index` has bits gray(index) = index ^ (index >> 1).
pub struct RowMasks {
    rows: Vec<Vec<f64>>,
    kept_scale: f64,
    ln_keep: f64,
    ln_drop: f64,
    classes: usize,
    /// q for per-class masks over d rows (rows are class-major C_jk e_k), 1 for shared masks.
    groups: usize,
}

impl RowMasks {
    /// Shared masks over the rows C_j (at most 63 rows).
    pub fn shared(rows: &[Vec<f64>], delta: f64) -> RowMasks {
        RowMasks::new(rows.to_vec(), delta, rows[0].len(), 1)
    }

    /// Per-class masks over the rows C_j: the q·d rows C_jk e_k, class-major.
    pub fn per_class(rows: &[Vec<f64>], delta: f64) -> RowMasks {
        let q = rows[0].len();
        let mut sparse = Vec::with_capacity(q * rows.len());
        for k in 0..q {
            for row in rows {
                let mut v = vec![0.0; q];
                v[k] = row[k];
                sparse.push(v);
            }
        }
        RowMasks::new(sparse, delta, q, q)
    }

    fn new(rows: Vec<Vec<f64>>, delta: f64, classes: usize, groups: usize) -> RowMasks {
        RowMasks {
            rows,
            kept_scale: delta / (1.0 - delta),
            ln_keep: (-delta).ln_1p(),
            ln_drop: delta.ln(),
            classes,
            groups,
        }
    }

    /// A bound on |computed ε_k − ε_k| for every mask and class as [`MaskSet::visit`] gives
    /// them, in logit units. With V = max_k Σ_j |v_jk| and F = max(1, δ/(1−δ)) <= 1/(1−δ):
    /// ε from the bits takes 3 roundings per product (δ/(1−δ) and the product) and d − 1 sums,
    /// γ_{d+2} F V; each Gray step adds v_j/(1−δ), off by γ_4 |v_j|/(1−δ) (δ/(1−δ) + 1, the
    /// product) plus an ulp of the new ε, at most (4/(1−δ) + F) u V, for fewer than
    /// min(count, [`REFRESH`]) steps between recomputations.
    pub fn noise_error(&self) -> f64 {
        let u = f64::EPSILON / 2.0;
        let v = (0..self.classes)
            .map(|k| self.rows.iter().map(|r| r[k].abs()).sum::<f64>())
            .fold(0.0, f64::max);
        let inverse_keep = self.kept_scale + 1.0;
        let f = self.kept_scale.max(1.0);
        let steps = (self.count().min(REFRESH) - 1) as f64;
        let d = self.rows.len() as f64;
        let per_step = 4.0 * inverse_keep + f;
        (d + 2.0) * f * u * v * (1.0 + (d + 2.0) * u) + steps * per_step * u * v * (1.0 + 8.0 * u)
    }

    /// A bound on the error of every ln w and of [`MaskSet::ln_w_max`], in nats: ln(1−δ) and
    /// ln δ within an ulp each, two products and a sum, 4u (n max(|ln(1−δ)|, |ln δ|) + 1) over
    /// n rows.
    pub fn ln_w_error(&self) -> f64 {
        let n = self.rows.len() as f64;
        2.0 * f64::EPSILON * (n * self.ln_keep.abs().max(self.ln_drop.abs()) + 1.0)
    }

    fn fill_from_bits(&self, bits: u64, eps: &mut [f64]) -> f64 {
        eps.iter_mut().for_each(|e| *e = 0.0);
        for (j, row) in self.rows.iter().enumerate() {
            let f = if bits >> j & 1 == 1 {
                self.kept_scale
            } else {
                -1.0
            };
            for (e, v) in eps.iter_mut().zip(row) {
                *e += f * v;
            }
        }
        self.ln_weight(bits)
    }

    fn ln_weight(&self, bits: u64) -> f64 {
        let kept = bits.count_ones() as f64;
        kept * self.ln_keep + (self.rows.len() as f64 - kept) * self.ln_drop
    }
}

/// The Gray code of `i`.
fn gray(i: u64) -> u64 {
    i ^ (i >> 1)
}

impl MaskSet for RowMasks {
    fn count(&self) -> u64 {
        1u64 << self.rows.len()
    }

    fn visit(&self, start: u64, end: u64, f: &mut dyn FnMut(u64, &[f64], f64)) {
        let mut eps = vec![0.0; self.classes];
        let mut i = start;
        while i < end {
            let mut bits = gray(i);
            let mut ln_w = self.fill_from_bits(bits, &mut eps);
            f(i, &eps, ln_w);
            let stop = end.min((i / REFRESH + 1) * REFRESH);
            i += 1;
            while i < stop {
                let j = i.trailing_zeros() as usize;
                bits ^= 1 << j;
                // Kept: δ/(1−δ) v_j replaces −v_j, a change of v_j/(1−δ); dropped: the reverse.
                let change = if bits >> j & 1 == 1 {
                    self.kept_scale + 1.0
                } else {
                    -(self.kept_scale + 1.0)
                };
                for (e, v) in eps.iter_mut().zip(&self.rows[j]) {
                    *e += change * v;
                }
                ln_w = self.ln_weight(bits);
                f(i, &eps, ln_w);
                i += 1;
            }
        }
    }

    fn mask(&self, index: u64) -> (Vec<f64>, f64) {
        let mut eps = vec![0.0; self.classes];
        let ln_w = self.fill_from_bits(gray(index), &mut eps);
        (eps, ln_w)
    }

    fn kept(&self, index: u64) -> Option<Vec<Vec<bool>>> {
        let bits = gray(index);
        let d = self.rows.len() / self.groups;
        Some(
            (0..self.groups)
                .map(|g| (0..d).map(|j| bits >> (g * d + j) & 1 == 1).collect())
                .collect(),
        )
    }

    fn ln_w_max(&self) -> f64 {
        self.rows.len() as f64 * self.ln_keep.max(self.ln_drop)
    }
}

/// One class's noise values ε_k with log-weights, and for each the kept count K it stands for
/// (`None` for quadrature nodes that are not single masks).
#[derive(Clone, Debug, Default)]
pub struct ClassList {
    /// Values of ε_k.
    pub values: Vec<f64>,
    /// Their log-weights.
    pub ln_w: Vec<f64>,
    /// The kept count K of each value, for equal contributions listed by support point.
    pub counts: Option<Vec<u64>>,
}

/// Per-class masks as the product of independent per-class lists (class 0 varies fastest).
pub struct ProductMasks {
    /// One list per class.
    pub lists: Vec<ClassList>,
    /// The number of features d (for [`MaskSet::kept`]).
    pub dimension: u64,
}

impl ProductMasks {
    fn digits(&self, mut index: u64) -> Vec<usize> {
        self.lists
            .iter()
            .map(|l| {
                let n = l.values.len() as u64;
                let digit = (index % n) as usize;
                index /= n;
                digit
            })
            .collect()
    }
}

impl MaskSet for ProductMasks {
    fn count(&self) -> u64 {
        self.lists
            .iter()
            .map(|l| l.values.len() as u64)
            .try_fold(1u64, |a, n| a.checked_mul(n))
            .unwrap_or(u64::MAX)
    }

    fn visit(&self, start: u64, end: u64, f: &mut dyn FnMut(u64, &[f64], f64)) {
        if start >= end {
            return;
        }
        let mut digits = self.digits(start);
        let mut eps: Vec<f64> = digits
            .iter()
            .zip(&self.lists)
            .map(|(&d, l)| l.values[d])
            .collect();
        for i in start..end {
            let ln_w: f64 = digits
                .iter()
                .zip(&self.lists)
                .map(|(&d, l)| l.ln_w[d])
                .sum();
            f(i, &eps, ln_w);
            for (k, l) in self.lists.iter().enumerate() {
                digits[k] += 1;
                if digits[k] < l.values.len() {
                    eps[k] = l.values[digits[k]];
                    break;
                }
                digits[k] = 0;
                eps[k] = l.values[0];
            }
        }
    }

    fn mask(&self, index: u64) -> (Vec<f64>, f64) {
        let digits = self.digits(index);
        let eps = digits
            .iter()
            .zip(&self.lists)
            .map(|(&d, l)| l.values[d])
            .collect();
        let ln_w = digits
            .iter()
            .zip(&self.lists)
            .map(|(&d, l)| l.ln_w[d])
            .sum();
        (eps, ln_w)
    }

    fn kept(&self, index: u64) -> Option<Vec<Vec<bool>>> {
        if self.dimension > 64 {
            return None;
        }
        let digits = self.digits(index);
        digits
            .iter()
            .zip(&self.lists)
            .map(|(&d, l)| {
                let k = l.counts.as_ref()?[d];
                Some((0..self.dimension).map(|j| j < k).collect())
            })
            .collect()
    }

    fn ln_w_max(&self) -> f64 {
        self.lists
            .iter()
            .map(|l| l.ln_w.iter().copied().fold(f64::NEG_INFINITY, f64::max))
            .sum()
    }
}

/// Folds `f` over every mask of `set` on up to two scoped threads and merges the results.
pub fn parallel_fold<A: Send>(
    set: &dyn MaskSet,
    init: impl Fn() -> A + Sync,
    f: impl Fn(&mut A, u64, &[f64], f64) + Sync,
    merge: impl Fn(A, A) -> A,
) -> A {
    let n = set.count();
    let threads = if n >= 4096 {
        std::thread::available_parallelism().map_or(1, |p| p.get().min(2))
    } else {
        1
    };
    if threads == 1 {
        let mut acc = init();
        set.visit(0, n, &mut |i, e, w| f(&mut acc, i, e, w));
        return acc;
    }
    let half = n / 2;
    let (a, b) = std::thread::scope(|s| {
        let worker = s.spawn(|| {
            let mut acc = init();
            set.visit(half, n, &mut |i, e, w| f(&mut acc, i, e, w));
            acc
        });
        let mut acc = init();
        set.visit(0, half, &mut |i, e, w| f(&mut acc, i, e, w));
        (
            acc,
            worker.join().expect("mask enumeration thread panicked"),
        )
    });
    merge(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gray_code_walk_matches_direct_masks() {
        let rows = vec![vec![1.0, -2.0], vec![0.5, 0.25], vec![-3.0, 1.5]];
        let set = RowMasks::shared(&rows, 0.3);
        assert_eq!(set.count(), 8);
        let mut seen = Vec::new();
        set.visit(0, 8, &mut |i, e, w| seen.push((i, e.to_vec(), w)));
        let mut total = 0.0;
        for (i, e, w) in seen {
            let (e2, w2) = set.mask(i);
            for (a, b) in e.iter().zip(&e2) {
                assert!((a - b).abs() < 1e-14);
            }
            assert_eq!(w, w2);
            total += w.exp();
        }
        assert!((total - 1.0).abs() < 1e-14);
        // Mask 0 drops everything: ε = −η0.
        assert_eq!(set.mask(0).0, vec![1.5, 0.25]);
        let per_class = RowMasks::per_class(&rows, 0.3);
        assert_eq!(per_class.count(), 64);
        assert_eq!(
            per_class.kept(1).unwrap(),
            vec![vec![true, false, false]; 1]
                .into_iter()
                .chain([vec![false; 3]])
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn product_walk_matches_direct_masks() {
        let list = |v: Vec<f64>| ClassList {
            ln_w: vec![-(v.len() as f64).ln(); v.len()],
            values: v,
            counts: None,
        };
        let set = ProductMasks {
            lists: vec![list(vec![1.0, 2.0]), list(vec![-1.0, 0.0, 1.0])],
            dimension: 3,
        };
        assert_eq!(set.count(), 6);
        set.visit(1, 6, &mut |i, e, w| {
            assert_eq!(set.mask(i).0, e.to_vec());
            assert!((w + 6f64.ln()).abs() < 1e-15);
        });
        assert_eq!(set.mask(5).0, vec![2.0, 1.0]);
    }
}
