//! Streams an svmlight/LIBSVM file into a dense [`Dataset`].
//!
//! Each non-blank line is `label [qid:N] idx:val idx:val … [# comment]` with 1-based,
//! strictly increasing feature indices; absent features are 0 and d is the largest index seen.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::classes::ClassCollector;
use super::feature_value;
use crate::data::dataset::Dataset;
use crate::data::error::ReadError;

/// Reads `path` as svmlight text, one line at a time. Memory beyond the dense matrix is the
/// sparse entries (at most one per matrix cell) and one line.
pub(crate) fn read_svmlight(path: &Path) -> Result<Dataset, ReadError> {
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    read_svmlight_from(path, file)
}

fn io_error(path: &Path, e: &std::io::Error) -> ReadError {
    ReadError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

fn read_svmlight_from<R: Read>(path: &Path, input: R) -> Result<Dataset, ReadError> {
    let mut reader = BufReader::new(input);
    let mut line_text = String::new();
    let mut line = 0u64;
    let mut classes = ClassCollector::default();
    // Sparse rows: (0-based index, value), with row_starts[i] the first entry of row i.
    let mut entries: Vec<(u32, f64)> = Vec::new();
    let mut row_starts: Vec<usize> = Vec::new();
    let mut d = 0usize;
    loop {
        line_text.clear();
        if reader
            .read_line(&mut line_text)
            .map_err(|e| io_error(path, &e))?
            == 0
        {
            break;
        }
        line += 1;
        let content = line_text.split('#').next().unwrap_or("");
        let mut tokens = tokens_with_columns(content);
        let Some((label_column, label)) = tokens.next() else {
            continue;
        };
        let bad = |column: usize, token: &str, reason: String| ReadError::BadToken {
            path: path.to_owned(),
            line,
            column,
            token: token.to_owned(),
            reason,
        };
        if label.contains(':') {
            return Err(bad(
                label_column,
                label,
                "the line must start with a label".into(),
            ));
        }
        classes.push(label);
        row_starts.push(entries.len());
        let mut previous = 0u64;
        for (column, token) in tokens {
            let Some((key, value)) = token.split_once(':') else {
                return Err(bad(column, token, "expected idx:val".into()));
            };
            if key == "qid" {
                if value.parse::<u64>().is_err() {
                    return Err(bad(
                        column,
                        token,
                        "qid must be a non-negative integer".into(),
                    ));
                }
                continue;
            }
            let index: u64 = key
                .parse()
                .map_err(|_| bad(column, token, "the index is not a positive integer".into()))?;
            if index == 0 {
                return Err(bad(column, token, "indices start at 1".into()));
            }
            if index > u64::from(u32::MAX) {
                return Err(bad(column, token, "the index is too large".into()));
            }
            if index <= previous {
                return Err(bad(
                    column,
                    token,
                    format!("index {index} does not follow {previous}"),
                ));
            }
            previous = index;
            let v = feature_value(value).map_err(|finite| {
                let reason = if finite {
                    "the value is not finite"
                } else {
                    "the value is not a number"
                };
                bad(column, token, reason.into())
            })?;
            entries.push(((index - 1) as u32, v));
            d = d.max(index as usize);
        }
    }
    let n = classes.len();
    let (class_names, labels) = classes.finish(path)?;
    let mut x = vec![0.0; n * d];
    row_starts.push(entries.len());
    for i in 0..n {
        for &(j, v) in &entries[row_starts[i]..row_starts[i + 1]] {
            x[i * d + j as usize] = v;
        }
    }
    Ok(Dataset {
        path: path.to_owned(),
        feature_names: (1..=d).map(|j| format!("x{j}")).collect(),
        label_name: "label".to_owned(),
        class_names,
        x,
        labels,
    })
}

/// Whitespace-separated tokens with their 1-based character columns.
fn tokens_with_columns(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut rest = text;
    let mut offset = 0usize;
    std::iter::from_fn(move || {
        let start = rest.find(|c: char| !c.is_whitespace())?;
        let after = &rest[start..];
        let len = after.find(char::is_whitespace).unwrap_or(after.len());
        let token = &after[..len];
        let column = text[..offset + start].chars().count() + 1;
        offset += start + len;
        rest = &after[len..];
        Some((column, token))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Dataset, ReadError> {
        read_svmlight_from(Path::new("t.svm"), text.as_bytes())
    }

    #[test]
    fn sparse_rows_become_dense_with_d_the_largest_index() {
        let d = parse("# header comment\n+1 qid:3 1:0.5 3:-2 # note\n\n-1 2:4\n").unwrap();
        assert_eq!((d.n(), d.d()), (2, 3));
        assert_eq!(d.x, [0.5, 0.0, -2.0, 0.0, 4.0, 0.0]);
        assert_eq!(d.class_names, ["-1", "+1"]);
        assert_eq!(d.labels, [1, 0]);
        assert_eq!(d.feature_names, ["x1", "x2", "x3"]);
    }

    #[test]
    fn token_columns_count_characters() {
        let cols: Vec<_> = tokens_with_columns("  a\tbb  é c").collect();
        assert_eq!(cols, [(3, "a"), (5, "bb"), (9, "é"), (11, "c")]);
    }

    #[test]
    fn bad_tokens_name_line_and_column() {
        let cases = [
            (
                "1 1:2\n0 0:1\n",
                "t.svm:2:3: bad svmlight token \"0:1\": indices start at 1",
            ),
            (
                "1 2:1 2:3\n0 1:1\n",
                "t.svm:1:7: bad svmlight token \"2:3\": index 2 does not follow 2",
            ),
            (
                "1 3:1 x\n0 1:1\n",
                "t.svm:1:7: bad svmlight token \"x\": expected idx:val",
            ),
            (
                "1 a:1\n",
                "t.svm:1:3: bad svmlight token \"a:1\": the index is not a positive integer",
            ),
            (
                "1 1:nan\n",
                "t.svm:1:3: bad svmlight token \"1:nan\": the value is not finite",
            ),
            (
                "1 1:q\n",
                "t.svm:1:3: bad svmlight token \"1:q\": the value is not a number",
            ),
            (
                "1 qid:x 1:1\n",
                "t.svm:1:3: bad svmlight token \"qid:x\": qid must be a non-negative integer",
            ),
            (
                "  1:1 2:2\n",
                "t.svm:1:3: bad svmlight token \"1:1\": the line must start with a label",
            ),
        ];
        for (text, message) in cases {
            assert_eq!(parse(text).unwrap_err().to_string(), message, "{text:?}");
        }
    }

    #[test]
    fn comments_and_blank_lines_only_is_empty() {
        assert_eq!(
            parse("# c\n\n   \n").unwrap_err().to_string(),
            "t.svm: no data rows"
        );
    }
}
