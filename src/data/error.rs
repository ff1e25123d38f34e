//! The data layer's errors: each `Display` is one line naming the file, line and column
//! where there is one.

use std::path::PathBuf;

/// Why a data file could not be read into a [`crate::data::Dataset`].
///
/// Lines are 1-based. For CSV the column is the 1-based field number; for svmlight it is the
/// 1-based character position of the offending token.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("{}: cannot read: {message}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// The extension does not name a known format and none was given.
    #[error("{}: unknown data format (use .csv, .svm, .svmlight, .libsvm or .txt, or name the format)", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The file has no data rows.
    #[error("{}: no data rows", path.display())]
    Empty {
        /// The file.
        path: PathBuf,
    },
    /// A CSV row has a different number of fields from the header.
    #[error("{}:{line}: {found} fields, the header has {expected}", path.display())]
    Ragged {
        /// The file.
        path: PathBuf,
        /// The row's line.
        line: u64,
        /// Fields in the header.
        expected: usize,
        /// Fields in this row.
        found: usize,
    },
    /// A feature cell is not a number.
    #[error("{}:{line}:{column}: feature `{name}` is not a number: {value:?}", path.display())]
    NotNumeric {
        /// The file.
        path: PathBuf,
        /// The row's line.
        line: u64,
        /// The cell's column.
        column: usize,
        /// The feature's name.
        name: String,
        /// The cell's text.
        value: String,
    },
    /// A feature cell is NaN, infinite or too large for an f64.
    #[error("{}:{line}:{column}: feature `{name}` is not finite: {value:?}", path.display())]
    NotFinite {
        /// The file.
        path: PathBuf,
        /// The row's line.
        line: u64,
        /// The cell's column.
        column: usize,
        /// The feature's name.
        name: String,
        /// The cell's text.
        value: String,
    },
    /// A label cell is empty.
    #[error("{}:{line}:{column}: the label `{name}` is empty", path.display())]
    EmptyLabel {
        /// The file.
        path: PathBuf,
        /// The row's line.
        line: u64,
        /// The cell's column.
        column: usize,
        /// The label column's name.
        name: String,
    },
    /// Every row has the same label.
    #[error("{}: only one class ({class:?}); a classifier needs at least two", path.display())]
    OneClass {
        /// The file.
        path: PathBuf,
        /// The single label value.
        class: String,
    },
    /// The requested label column is not in the header.
    #[error("{}:1: no label column {name:?}; the columns are {}", path.display(), available.join(", "))]
    NoLabelColumn {
        /// The file.
        path: PathBuf,
        /// The requested name.
        name: String,
        /// The header's column names.
        available: Vec<String>,
    },
    /// The CSV header has fewer than two columns (a label and at least one feature).
    #[error("{}:1: the header has {found} column(s); need a label and at least one feature", path.display())]
    TooFewColumns {
        /// The file.
        path: PathBuf,
        /// Columns in the header.
        found: usize,
    },
    /// A label column name was given for a format without named columns.
    #[error("{}: svmlight files have no named columns (label column {name:?} given)", path.display())]
    LabelNameNotCsv {
        /// The file.
        path: PathBuf,
        /// The name given.
        name: String,
    },
    /// A malformed svmlight token.
    #[error("{}:{line}:{column}: bad svmlight token {token:?}: {reason}", path.display())]
    BadToken {
        /// The file.
        path: PathBuf,
        /// The line.
        line: u64,
        /// The token's character position.
        column: usize,
        /// The token's text.
        token: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The CSV parser rejected the file (for example invalid UTF-8).
    #[error("{}:{line}: {message}", path.display())]
    Csv {
        /// The file.
        path: PathBuf,
        /// The line where the parser stopped.
        line: u64,
        /// The parser's message.
        message: String,
    },
}

/// Why a fit or a dropout run could not start.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum FitError {
    /// The design has no examples.
    #[error("the data set has no examples")]
    NoExamples,
    /// More than two classes given to a logistic fit or to dropout training, which are binary
    /// (softmax data have their own fit, [`crate::data::fit_softmax_l2`]).
    #[error("the logistic model needs 2 classes; this data set has {0}")]
    SoftmaxUnavailable(usize),
    /// A setting is out of range.
    #[error("{name} must be {expected}, got {value}")]
    BadSetting {
        /// The setting's name (`lambda`, `tol`, `delta`, …).
        name: &'static str,
        /// The range it must lie in.
        expected: &'static str,
        /// The value given.
        value: f64,
    },
    /// The objective is not finite at the starting point.
    #[error("the objective is not finite at the start ({0})")]
    NotFiniteAtStart(f64),
}
