//! Feature standardisation by mean and population standard deviation, and the design matrix
//! the fits work on.

use crate::data::dataset::Dataset;

/// The per-feature centring and scaling applied to a data set.
#[derive(Debug, Clone, PartialEq)]
pub struct Standardization {
    /// Each feature's mean over the n examples, in the feature's units.
    pub means: Vec<f64>,
    /// Each feature's population standard deviation (divisor n), in the feature's units;
    /// exactly 0 for a constant column.
    pub sds: Vec<f64>,
    /// Indices of the constant columns (every value equal): left at 0 after standardising.
    pub constant_columns: Vec<usize>,
}

/// The matrix the fits use: x̂, the data set's features, standardised or not.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    /// x̂ row-major: example i, feature j is `x[i * d + j]`.
    pub x: Vec<f64>,
    /// Number of examples.
    pub n: usize,
    /// Number of features.
    pub d: usize,
    /// Each example's class index.
    pub labels: Vec<usize>,
    /// Number of classes.
    pub classes: usize,
    /// The standardisation applied, if any.
    pub standardization: Option<Standardization>,
}

impl Features {
    /// The design for `dataset`: x̂_ij = (x_ij − mean_j) / sd_j if `standardize`, else x_ij.
    pub fn new(dataset: &Dataset, standardize: bool) -> Features {
        let (x, standardization) = if standardize {
            let (x, s) = standardized(dataset);
            (x, Some(s))
        } else {
            (dataset.x.clone(), None)
        };
        Features {
            x,
            n: dataset.n(),
            d: dataset.d(),
            labels: dataset.labels.clone(),
            classes: dataset.class_names.len(),
            standardization,
        }
    }

    /// [`Features::new`] that takes the data set's matrix over and standardises it where it
    /// lies, so the n × d numbers are held once, not twice.
    pub fn from_dataset(dataset: Dataset, standardize: bool) -> Features {
        let (n, d, classes) = (dataset.n(), dataset.d(), dataset.class_names.len());
        let mut x = dataset.x;
        let standardization = standardize.then(|| standardize_in_place(&mut x, n, d));
        Features {
            x,
            n,
            d,
            labels: dataset.labels,
            classes,
            standardization,
        }
    }

    /// Example `i`'s d features x̂_i.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }
}

/// Standardises every feature of `dataset` to mean 0 and population sd 1 (two passes:
/// the mean, then the centred sum of squares). A constant column becomes all 0 and is listed
/// in [`Standardization::constant_columns`] (so is every column when there are no examples).
pub fn standardized(dataset: &Dataset) -> (Vec<f64>, Standardization) {
    let mut x = dataset.x.clone();
    let standardization = standardize_in_place(&mut x, dataset.n(), dataset.d());
    (x, standardization)
}

/// [`standardized`] on the row-major n × d matrix `x` itself. Each pass runs along the rows
/// (in memory order) and adds every column's values in example order.
pub fn standardize_in_place(x: &mut [f64], n: usize, d: usize) -> Standardization {
    let first: Vec<f64> = x.get(..d).map_or(vec![0.0; d], <[f64]>::to_vec);
    let mut varies = vec![false; d];
    let mut sums = vec![0.0; d];
    for row in x.chunks_exact(d.max(1)).take(n) {
        for ((v, f), (varies, sum)) in row.iter().zip(&first).zip(varies.iter_mut().zip(&mut sums))
        {
            *varies |= v != f;
            *sum += v;
        }
    }
    let means: Vec<f64> = (0..d)
        .map(|j| {
            if varies[j] {
                sums[j] / n as f64
            } else {
                first[j]
            }
        })
        .collect();
    let mut squares = vec![0.0; d];
    for row in x.chunks_exact(d.max(1)).take(n) {
        for ((v, mean), square) in row.iter().zip(&means).zip(&mut squares) {
            *square += (v - mean) * (v - mean);
        }
    }
    let sds: Vec<f64> = (0..d)
        .map(|j| {
            if varies[j] {
                (squares[j] / n as f64).sqrt()
            } else {
                0.0
            }
        })
        .collect();
    for row in x.chunks_exact_mut(d.max(1)).take(n) {
        for (j, v) in row.iter_mut().enumerate() {
            *v = if varies[j] {
                (*v - means[j]) / sds[j]
            } else {
                0.0
            };
        }
    }
    Standardization {
        means,
        sds,
        constant_columns: (0..d).filter(|&j| !varies[j]).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn dataset(x: Vec<f64>, d: usize) -> Dataset {
        let n = x.len() / d;
        Dataset {
            path: PathBuf::from("t.csv"),
            feature_names: (0..d).map(|j| format!("f{j}")).collect(),
            label_name: "y".into(),
            class_names: vec!["a".into(), "b".into()],
            labels: (0..n).map(|i| i % 2).collect(),
            x,
        }
    }

    #[test]
    fn columns_get_mean_zero_and_population_sd_one() {
        // Column 0: 1, 2, 3, 6 (mean 3, population variance 3.5); column 1 constant 0.1.
        let data = dataset(vec![1.0, 0.1, 2.0, 0.1, 3.0, 0.1, 6.0, 0.1], 2);
        let (x, s) = standardized(&data);
        assert_eq!(s.means, [3.0, 0.1]);
        assert!((s.sds[0] - 3.5f64.sqrt()).abs() <= 4.0 * f64::EPSILON * 3.5f64.sqrt());
        assert_eq!(s.sds[1], 0.0);
        assert_eq!(s.constant_columns, [1]);
        let col0: Vec<f64> = (0..4).map(|i| x[i * 2]).collect();
        let expected = [-2.0, -1.0, 0.0, 3.0].map(|v| v / 3.5f64.sqrt());
        for (a, b) in col0.iter().zip(expected) {
            assert!((a - b).abs() <= 4.0 * f64::EPSILON, "{a} vs {b}");
        }
        assert!((0..4).all(|i| x[i * 2 + 1] == 0.0));
    }

    #[test]
    fn unstandardised_features_are_the_data() {
        let data = dataset(vec![1.0, 5.0, 2.0, 7.0], 2);
        let f = Features::new(&data, false);
        assert_eq!(f.x, data.x);
        assert_eq!(f.standardization, None);
        assert_eq!(f.row(1), [2.0, 7.0]);
        assert_eq!((f.n, f.d, f.classes), (2, 2, 2));
    }
}
