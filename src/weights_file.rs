//! Contribution lists read from a file (`--weights-file`, `:weightsfile`): numbers one per
//! line or comma/space separated, `#` starts a comment, blank lines are skipped. Errors are one
//! line naming `PATH:LINE:COLUMN` and the offending entry.

use std::path::Path;

use crate::file_error::{FileError, read_text};

/// Reads the contributions w_1..w_d from `path`: at least one finite number.
pub fn read_weights_file(path: &Path) -> Result<Vec<f64>, FileError> {
    let text = read_text(path, "weights file")?;
    parse_weights_text(path, &text)
}

/// Parses the text of a weights file (see the module docs); `path` only names the file in
/// errors.
pub fn parse_weights_text(path: &Path, text: &str) -> Result<Vec<f64>, FileError> {
    let mut weights = Vec::new();
    for (index, line) in text.lines().enumerate() {
        weights.extend(parse_line(path, index, line)?);
    }
    if weights.is_empty() {
        return Err(FileError::new(
            path,
            "the weights file lists no numbers: write one contribution per line or comma-separated",
        ));
    }
    Ok(weights)
}

/// Reads softmax contribution rows C_j from `path`: one row of q numbers per line (comma or
/// space separated, `#` comments, blank lines skipped), every row the same length.
pub fn read_rows_file(path: &Path) -> Result<Vec<Vec<f64>>, FileError> {
    let text = read_text(path, "weights file")?;
    parse_rows_text(path, &text)
}

/// Parses the text of a row file (see [`read_rows_file`]); a row whose length differs from the
/// first row's is an error at its line, column 1. `path` only names the file in errors.
pub fn parse_rows_text(path: &Path, text: &str) -> Result<Vec<Vec<f64>>, FileError> {
    let mut rows: Vec<Vec<f64>> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let row = parse_line(path, index, line)?;
        if row.is_empty() {
            continue;
        }
        if let Some(first) = rows.first()
            && first.len() != row.len()
        {
            return Err(located(
                path,
                index,
                0,
                &format!(
                    "ragged rows: this row has {} entries but the first row has {}",
                    row.len(),
                    first.len()
                ),
            ));
        }
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(FileError::new(
            path,
            "the weights file lists no rows: write one row of q contributions per line",
        ));
    }
    Ok(rows)
}

/// The finite numbers on 0-based line `index` of `path` (empty for a blank or comment line).
fn parse_line(path: &Path, index: usize, line: &str) -> Result<Vec<f64>, FileError> {
    let mut values = Vec::new();
    let content = line.split('#').next().unwrap_or("");
    let mut column = 0;
    for field in content.split(',') {
        let start = column + (field.len() - field.trim_start().len());
        column += field.chars().count() + 1;
        let word = field.trim();
        if word.is_empty() {
            if !content.trim().is_empty() {
                return Err(located(path, index, start, "an empty entry between commas"));
            }
            continue;
        }
        let mut offset = start;
        for token in word.split_whitespace() {
            offset += word[offset - start..].find(token).unwrap_or(0);
            let value: f64 = token.parse().map_err(|_| {
                located(path, index, offset, &format!("\"{token}\" is not a number"))
            })?;
            if !value.is_finite() {
                return Err(located(
                    path,
                    index,
                    offset,
                    &format!("{token} is not allowed: contributions must be finite numbers"),
                ));
            }
            values.push(value);
            offset += token.len();
        }
    }
    Ok(values)
}

/// An error at 0-based `line` and character `column` of `path`.
fn located(path: &Path, line: usize, column: usize, message: &str) -> FileError {
    FileError {
        path: path.to_path_buf(),
        location: Some((line + 1, column + 1)),
        key: None,
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Vec<f64>, String> {
        parse_weights_text(Path::new("w.txt"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn one_per_line_commas_spaces_and_comments() {
        assert_eq!(parse("1.5\n-2\n0.5\n"), Ok(vec![1.5, -2.0, 0.5]));
        assert_eq!(
            parse("# header\n1, 2,3 # tail\n\n4 5\n"),
            Ok(vec![1.0, 2.0, 3.0, 4.0, 5.0])
        );
        assert_eq!(parse("1e-3,\t-7e2"), Ok(vec![1e-3, -700.0]));
    }

    #[test]
    fn errors_name_file_line_and_column() {
        assert_eq!(
            parse("1\n2, x\n").unwrap_err(),
            "w.txt:2:4: \"x\" is not a number"
        );
        assert_eq!(
            parse("1\n\n  nan\n").unwrap_err(),
            "w.txt:3:3: nan is not allowed: contributions must be finite numbers"
        );
        assert_eq!(
            parse("1e400").unwrap_err(),
            "w.txt:1:1: 1e400 is not allowed: contributions must be finite numbers"
        );
        assert_eq!(
            parse("1,,2").unwrap_err(),
            "w.txt:1:3: an empty entry between commas"
        );
        assert!(
            parse("# nothing\n\n")
                .unwrap_err()
                .contains("lists no numbers")
        );
        let missing = read_weights_file(Path::new("/nonexistent/w.txt")).unwrap_err();
        assert!(
            missing
                .to_string()
                .starts_with("/nonexistent/w.txt: cannot read")
        );
    }

    #[test]
    fn rows_parse_and_ragged_rows_name_the_line() {
        let rows = |t: &str| parse_rows_text(Path::new("r.txt"), t).map_err(|e| e.to_string());
        assert_eq!(
            rows("# C\n1, 2\n\n-3 4.5\n"),
            Ok(vec![vec![1.0, 2.0], vec![-3.0, 4.5]])
        );
        let e = rows("1,2\n3,4,5\n").unwrap_err();
        assert!(e.contains("r.txt:2:1") && e.contains("3 entries"), "{e}");
        let e = rows("1,nan\n").unwrap_err();
        assert!(e.contains("r.txt:1:3") && e.contains("nan"), "{e}");
        assert!(rows("# none\n").unwrap_err().contains("no rows"));
    }
}
