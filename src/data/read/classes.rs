//! Turns label text into class indices while a file streams past.

use std::collections::HashMap;
use std::path::Path;

use crate::data::error::ReadError;

/// Collects label values as rows arrive, then fixes the class order.
#[derive(Debug, Default)]
pub(crate) struct ClassCollector {
    /// Label text → provisional id (order of first occurrence).
    ids: HashMap<String, usize>,
    /// Provisional id → label text.
    names: Vec<String>,
    /// Provisional id of each row.
    rows: Vec<usize>,
}

impl ClassCollector {
    /// Records one row's label.
    pub(crate) fn push(&mut self, label: &str) {
        let id = match self.ids.get(label) {
            Some(&id) => id,
            None => {
                let id = self.names.len();
                self.ids.insert(label.to_owned(), id);
                self.names.push(label.to_owned());
                id
            }
        };
        self.rows.push(id);
    }

    /// The number of rows recorded.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The class names in class order and each row's class. When every label is a finite
    /// number, labels with equal values ("1", "+1", "1.0") are one class, named by the first
    /// text seen, and classes ascend numerically; otherwise classes are in byte-wise order.
    pub(crate) fn finish(self, path: &Path) -> Result<(Vec<String>, Vec<usize>), ReadError> {
        if self.rows.is_empty() {
            return Err(ReadError::Empty {
                path: path.to_owned(),
            });
        }
        let numeric: Option<Vec<f64>> = self
            .names
            .iter()
            .map(|s| s.parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect();
        // Provisional id → final class, and the final names.
        let (class_of, class_names) = match numeric {
            Some(values) => {
                let mut order: Vec<usize> = (0..values.len()).collect();
                order.sort_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
                let mut class_of = vec![0; values.len()];
                let mut class_names: Vec<String> = Vec::new();
                let mut last: Option<f64> = None;
                for &id in &order {
                    if last != Some(values[id]) {
                        class_names.push(self.names[id].clone());
                        last = Some(values[id]);
                    }
                    class_of[id] = class_names.len() - 1;
                }
                (class_of, class_names)
            }
            None => {
                let mut order: Vec<usize> = (0..self.names.len()).collect();
                order.sort_by(|&a, &b| self.names[a].cmp(&self.names[b]));
                let mut class_of = vec![0; order.len()];
                for (k, &id) in order.iter().enumerate() {
                    class_of[id] = k;
                }
                let class_names = order.iter().map(|&id| self.names[id].clone()).collect();
                (class_of, class_names)
            }
        };
        if class_names.len() < 2 {
            return Err(ReadError::OneClass {
                path: path.to_owned(),
                class: class_names.into_iter().next().unwrap_or_default(),
            });
        }
        let labels = self.rows.iter().map(|&id| class_of[id]).collect();
        Ok((class_names, labels))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(labels: &[&str]) -> Result<(Vec<String>, Vec<usize>), ReadError> {
        let mut c = ClassCollector::default();
        for l in labels {
            c.push(l);
        }
        c.finish(Path::new("t.csv"))
    }

    #[test]
    fn numeric_labels_sort_by_value_and_merge_equal_values() {
        let (names, labels) = classes(&["10", "9", "+1", "1", "-1", "1.0"]).unwrap();
        assert_eq!(names, ["-1", "+1", "9", "10"]);
        assert_eq!(labels, [3, 2, 1, 1, 0, 1]);
    }

    #[test]
    fn string_labels_sort_bytewise() {
        let (names, labels) = classes(&["malignant", "benign", "Benign", "malignant"]).unwrap();
        assert_eq!(names, ["Benign", "benign", "malignant"]);
        assert_eq!(labels, [2, 1, 0, 2]);
    }

    #[test]
    fn one_class_is_an_error() {
        let err = classes(&["1", "1.0", "+1"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv: only one class (\"1\"); a classifier needs at least two"
        );
    }
}
