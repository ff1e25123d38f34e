//! A labelled data set held as a dense row-major matrix.

use std::path::PathBuf;

/// n examples with d numeric features each and one class label per example.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// The file it was read from.
    pub path: PathBuf,
    /// The d feature names, in column order.
    pub feature_names: Vec<String>,
    /// The label column's name.
    pub label_name: String,
    /// The distinct label values, in class order: numerically ascending when every label is a
    /// finite number (each class named by the text of its first occurrence), otherwise by
    /// byte-wise string order. Class k is `class_names[k]`.
    pub class_names: Vec<String>,
    /// Features, row-major: example i, feature j is `x[i * d + j]`; every value is finite.
    pub x: Vec<f64>,
    /// Class index of each example, each `< class_names.len()`.
    pub labels: Vec<usize>,
}

impl Dataset {
    /// The number of examples.
    pub fn n(&self) -> usize {
        self.labels.len()
    }

    /// The number of features.
    pub fn d(&self) -> usize {
        self.feature_names.len()
    }

    /// Example `i`'s d features (`i < n()`).
    pub fn row(&self, i: usize) -> &[f64] {
        let d = self.d();
        &self.x[i * d..(i + 1) * d]
    }

    /// The number of examples in each class, indexed by class.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.class_names.len()];
        for &k in &self.labels {
            counts[k] += 1;
        }
        counts
    }
}
