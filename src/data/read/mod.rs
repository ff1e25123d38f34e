//! Readers for labelled data files: CSV with a header row and svmlight/LIBSVM sparse text.

mod classes;
mod csv;
mod svmlight;

use std::path::Path;

use crate::data::dataset::Dataset;
use crate::data::error::ReadError;

/// A data file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated values with a header row.
    Csv,
    /// svmlight/LIBSVM sparse text: `label idx:val … # comment`, 1-based indices.
    Svmlight,
}

impl Format {
    /// The format an extension names: `.csv` → CSV; `.svm`, `.svmlight`, `.libsvm`, `.txt` →
    /// svmlight (case-insensitive). `None` for anything else.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Some(Format::Csv),
            "svm" | "svmlight" | "libsvm" | "txt" => Some(Format::Svmlight),
            _ => None,
        }
    }
}

/// How to read a data file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// The format; `None` chooses by extension ([`Format::from_path`]).
    pub format: Option<Format>,
    /// CSV only: the label column's name; `None` means the last column.
    pub label: Option<String>,
}

/// Reads a data file into a [`Dataset`], streaming it record by record.
pub fn read_dataset(path: &Path, options: &ReadOptions) -> Result<Dataset, ReadError> {
    let format = options
        .format
        .or_else(|| Format::from_path(path))
        .ok_or_else(|| ReadError::UnknownFormat {
            path: path.to_owned(),
        })?;
    match format {
        Format::Csv => csv::read_csv(path, options.label.as_deref()),
        Format::Svmlight => match &options.label {
            Some(name) => Err(ReadError::LabelNameNotCsv {
                path: path.to_owned(),
                name: name.clone(),
            }),
            None => svmlight::read_svmlight(path),
        },
    }
}

/// Parses one feature value; `Err(true)` if it is a number f64 cannot hold finitely (NaN,
/// ±inf, overflow), `Err(false)` if it is not a number.
fn feature_value(text: &str) -> Result<f64, bool> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(true),
        Err(_) => Err(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_the_extension() {
        assert_eq!(Format::from_path(Path::new("a/b.CSV")), Some(Format::Csv));
        for name in ["x.svm", "x.svmlight", "x.libsvm", "x.txt"] {
            assert_eq!(Format::from_path(Path::new(name)), Some(Format::Svmlight));
        }
        assert_eq!(Format::from_path(Path::new("x.json")), None);
        assert_eq!(Format::from_path(Path::new("x")), None);
    }

    #[test]
    fn feature_values_reject_non_finite_and_text() {
        assert_eq!(feature_value("-1.5e3"), Ok(-1500.0));
        assert_eq!(feature_value("NaN"), Err(true));
        assert_eq!(feature_value("inf"), Err(true));
        assert_eq!(feature_value("1e400"), Err(true));
        assert_eq!(feature_value("abc"), Err(false));
        assert_eq!(feature_value(""), Err(false));
    }
}
