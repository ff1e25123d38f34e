//! Streams a CSV file with a header row into a [`Dataset`].

use std::cell::Cell;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use super::classes::ClassCollector;
use super::feature_value;
use crate::data::dataset::Dataset;
use crate::data::error::ReadError;

/// Reads `path` as CSV: a header row, then one example per row. The label is the column named
/// `label` if given, else the last column; every other column is a numeric feature. Records
/// are parsed one at a time, so memory beyond the matrix is one record.
pub(crate) fn read_csv(path: &Path, label: Option<&str>) -> Result<Dataset, ReadError> {
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    read_csv_from(path, file, label)
}

fn io_error(path: &Path, e: &std::io::Error) -> ReadError {
    ReadError::Io {
        path: path.to_owned(),
        message: e.to_string(),
    }
}

fn csv_error(path: &Path, e: csv::Error) -> ReadError {
    let line = e.position().map_or(0, csv::Position::line);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io_error(path, &io),
        csv::ErrorKind::Utf8 { err, .. } => ReadError::Csv {
            path: path.to_owned(),
            line,
            message: format!("invalid UTF-8 in field {}", err.field() + 1),
        },
        other => ReadError::Csv {
            path: path.to_owned(),
            line,
            message: format!("{other:?}"),
        },
    }
}

/// What has passed through a [`Tracked`] reader.
#[derive(Debug, Clone, Copy, Default)]
struct Seen {
    /// Bytes read.
    total: u64,
    /// The last byte read.
    last: Option<u8>,
    /// Whether the end of the input was reached.
    eof: bool,
}

/// A reader that records [`Seen`] for the line numbering of records.
struct Tracked<R> {
    inner: R,
    seen: Rc<Cell<Seen>>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let count = self.inner.read(buf)?;
        let mut seen = self.seen.get();
        seen.total += count as u64;
        if count == 0 {
            seen.eof = true;
        } else {
            seen.last = Some(buf[count - 1]);
        }
        self.seen.set(seen);
        Ok(count)
    }
}

/// The line a record's first field is on. The parser's own record position counts from the
/// end of the previous record, so it points at any blank lines before the record; instead the
/// line is found back from where the record ended (`end`): minus its terminator (absent only
/// for a last line without one) and minus the line breaks inside its quoted fields.
fn record_line(record: &csv::StringRecord, end: &csv::Position, seen: Seen) -> u64 {
    let inside: u64 = record.iter().map(|f| f.matches('\n').count() as u64).sum();
    let unterminated =
        seen.eof && end.byte() == seen.total && !matches!(seen.last, Some(b'\n' | b'\r'));
    end.line() - inside - u64::from(!unterminated)
}

fn read_csv_from<R: Read>(
    path: &Path,
    input: R,
    label: Option<&str>,
) -> Result<Dataset, ReadError> {
    let seen = Rc::new(Cell::new(Seen::default()));
    let input = Tracked {
        inner: input,
        seen: Rc::clone(&seen),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| csv_error(path, e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    if header.is_empty() || header.iter().all(String::is_empty) {
        return Err(ReadError::Empty {
            path: path.to_owned(),
        });
    }
    if header.len() < 2 {
        return Err(ReadError::TooFewColumns {
            path: path.to_owned(),
            found: header.len(),
        });
    }
    let label_column = match label {
        Some(name) => {
            header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| ReadError::NoLabelColumn {
                    path: path.to_owned(),
                    name: name.to_owned(),
                    available: header.clone(),
                })?
        }
        None => header.len() - 1,
    };
    let mut x = Vec::new();
    let mut classes = ClassCollector::default();
    let mut record = csv::StringRecord::new();
    while reader
        .read_record(&mut record)
        .map_err(|e| csv_error(path, e))?
    {
        let line = record_line(&record, reader.position(), seen.get());
        if record.len() != header.len() {
            return Err(ReadError::Ragged {
                path: path.to_owned(),
                line,
                expected: header.len(),
                found: record.len(),
            });
        }
        for (j, cell) in record.iter().map(str::trim).enumerate() {
            if j == label_column {
                if cell.is_empty() {
                    return Err(ReadError::EmptyLabel {
                        path: path.to_owned(),
                        line,
                        column: j + 1,
                        name: header[j].clone(),
                    });
                }
                classes.push(cell);
            } else {
                x.push(feature_value(cell).map_err(|finite| {
                    let (path, name, value) = (path.to_owned(), header[j].clone(), cell.to_owned());
                    let column = j + 1;
                    if finite {
                        ReadError::NotFinite {
                            path,
                            line,
                            column,
                            name,
                            value,
                        }
                    } else {
                        ReadError::NotNumeric {
                            path,
                            line,
                            column,
                            name,
                            value,
                        }
                    }
                })?);
            }
        }
    }
    let label_name = header[label_column].clone();
    let mut feature_names = header;
    feature_names.remove(label_column);
    let (class_names, labels) = classes.finish(path)?;
    Ok(Dataset {
        path: path.to_owned(),
        feature_names,
        label_name,
        class_names,
        x,
        labels,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str, label: Option<&str>) -> Result<Dataset, ReadError> {
        read_csv_from(Path::new("t.csv"), text.as_bytes(), label)
    }

    #[test]
    fn last_column_is_the_label_by_default() {
        let d = parse("a,b,y\n1,2,no\n3, 4.5 ,yes\n", None).unwrap();
        assert_eq!(d.feature_names, ["a", "b"]);
        assert_eq!(d.label_name, "y");
        assert_eq!(d.class_names, ["no", "yes"]);
        assert_eq!(d.x, [1.0, 2.0, 3.0, 4.5]);
        assert_eq!(d.labels, [0, 1]);
        assert_eq!((d.n(), d.d()), (2, 2));
        assert_eq!(d.row(1), [3.0, 4.5]);
    }

    #[test]
    fn a_named_label_column_may_be_anywhere() {
        let d = parse("y,a,b\n1,2,3\n0,5,6\n", Some("y")).unwrap();
        assert_eq!(d.feature_names, ["a", "b"]);
        assert_eq!(d.x, [2.0, 3.0, 5.0, 6.0]);
        assert_eq!(d.class_names, ["0", "1"]);
        assert_eq!(d.labels, [1, 0]);
    }

    #[test]
    fn header_only_is_empty() {
        let err = parse("a,y\n", None).unwrap_err();
        assert_eq!(err.to_string(), "t.csv: no data rows");
        assert_eq!(
            parse("", None).unwrap_err().to_string(),
            "t.csv: no data rows"
        );
    }

    #[test]
    fn lines_count_blank_lines_and_quoted_line_breaks() {
        let text = "a,b,y\n\n1,2,p\n\n\n\"3\n\",4,q\n\n5,x,r";
        let err = parse(text, None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:9:2: feature `b` is not a number: \"x\""
        );
        let err = parse(&format!("{text}\n"), None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "t.csv:9:2: feature `b` is not a number: \"x\""
        );
        let err = parse("a,y\n1,p\n\"2\n\n\",q\n3,\n", None).unwrap_err();
        assert_eq!(err.to_string(), "t.csv:6:2: the label `y` is empty");
    }

    #[test]
    fn a_quoted_cell_is_unquoted() {
        let d = parse("\"a,1\",y\n\"2\",p\n3,q\n", None).unwrap();
        assert_eq!(d.feature_names, ["a,1"]);
        assert_eq!(d.x, [2.0, 3.0]);
    }
}
