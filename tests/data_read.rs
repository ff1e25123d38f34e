//! The readers on files: the shipped data sets, both formats, the format choice and every
//! bad-input error with its exact `path:line:column` message.

use std::path::{Path, PathBuf};

use dropscope::data::{Dataset, Features, Format, ReadError, ReadOptions, read_dataset};

/// Writes `text` to `name` in a fresh temporary folder and returns the folder and the path.
fn file(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

fn read(name: &str, text: &str, options: &ReadOptions) -> (String, Result<Dataset, ReadError>) {
    let (_dir, path) = file(name, text);
    (path.display().to_string(), read_dataset(&path, options))
}

/// The error message with the temporary path replaced by `<path>`.
fn message(name: &str, text: &str, options: &ReadOptions) -> String {
    let (path, result) = read(name, text, options);
    result.unwrap_err().to_string().replace(&path, "<path>")
}

#[test]
fn breast_cancer_has_569_rows_30_features_and_212_malignant() {
    let d = read_dataset(
        Path::new("assets/data/breast_cancer.csv"),
        &ReadOptions::default(),
    )
    .unwrap();
    assert_eq!((d.n(), d.d()), (569, 30));
    assert_eq!(d.label_name, "diagnosis");
    assert_eq!(d.class_names, ["benign", "malignant"]);
    assert_eq!(d.class_counts(), [357, 212]);
    assert_eq!(d.feature_names[0], "mean radius");
    assert_eq!(d.feature_names[29], "worst fractal dimension");
    // The first row of the original: 17.99, 10.38, …, 0.1189, malignant.
    assert_eq!(d.row(0)[..3], [17.99, 10.38, 122.8]);
    assert_eq!(d.row(0)[29], 0.1189);
    assert_eq!(d.labels[0], 1);
}

#[test]
fn digits_has_1797_rows_64_pixels_and_10_classes() {
    let d = read_dataset(Path::new("assets/data/digits.csv"), &ReadOptions::default()).unwrap();
    assert_eq!((d.n(), d.d()), (1797, 64));
    assert_eq!(d.label_name, "digit");
    assert_eq!(
        d.class_names,
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]
    );
    // The UCI test-set class counts (also `cut -d, -f65 | sort | uniq -c` of the file).
    assert_eq!(
        d.class_counts(),
        [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    );
    assert_eq!(d.feature_names[0], "pixel_0_0");
    assert_eq!(d.feature_names[63], "pixel_7_7");
    assert!(
        d.x.iter()
            .all(|&v| (0.0..=16.0).contains(&v) && v.fract() == 0.0)
    );
    // Standardising: pixel_0_0 is 0 in every image, so it is a constant column.
    let f = Features::new(&d, true);
    let s = f.standardization.clone().unwrap();
    assert!(s.constant_columns.contains(&0));
    for &j in &s.constant_columns {
        assert!((0..d.n()).all(|i| d.row(i)[j] == d.row(0)[j]));
        assert_eq!(s.sds[j], 0.0);
    }
    for j in (0..d.d()).filter(|j| !s.constant_columns.contains(j)) {
        let column: Vec<f64> = (0..f.n).map(|i| f.row(i)[j]).collect();
        let mean = column.iter().sum::<f64>() / f.n as f64;
        let var = column.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / f.n as f64;
        assert!(mean.abs() <= 1e-13, "column {j}: mean {mean}");
        assert!((var - 1.0).abs() <= 1e-13, "column {j}: variance {var}");
    }
}

#[test]
fn csv_and_svmlight_give_the_same_dataset() {
    let (_, csv) = read(
        "a.csv",
        "x1,x2,x3,label\n0.5,0,-2,1\n0,4,0,-1\n",
        &ReadOptions::default(),
    );
    let (_, svm) = read("a.svm", "1 1:0.5 3:-2\n-1 2:4\n", &ReadOptions::default());
    let (csv, svm) = (csv.unwrap(), svm.unwrap());
    assert_eq!(csv.x, svm.x);
    assert_eq!(csv.labels, svm.labels);
    assert_eq!(csv.class_names, svm.class_names);
    assert_eq!(csv.feature_names, svm.feature_names);
}

#[test]
fn the_format_follows_the_extension_unless_given() {
    let options = ReadOptions {
        format: Some(Format::Csv),
        label: None,
    };
    let (_, d) = read("table.txt", "a,y\n1,p\n2,q\n", &options);
    assert_eq!(d.unwrap().x, [1.0, 2.0]);
    let (_, d) = read("table.libsvm", "2 1:3\n1 1:4\n", &ReadOptions::default());
    assert_eq!(d.unwrap().labels, [1, 0]);
    assert_eq!(
        message("table.dat", "a,y\n1,p\n", &ReadOptions::default()),
        "<path>: unknown data format (use .csv, .svm, .svmlight, .libsvm or .txt, or name the format)"
    );
}

#[test]
fn csv_errors_name_file_line_and_column() {
    let none = ReadOptions::default();
    let label = |name: &str| ReadOptions {
        format: None,
        label: Some(name.into()),
    };
    let cases = [
        (
            "a,b,y\n1,2,p\n3,4\n",
            none.clone(),
            "<path>:3: 2 fields, the header has 3",
        ),
        (
            "a,b,y\n1,2,p\n3,4,q,5\n",
            none.clone(),
            "<path>:3: 4 fields, the header has 3",
        ),
        (
            "a,b,y\n1,2,p\n\n3,x1,q\n",
            none.clone(),
            "<path>:4:2: feature `b` is not a number: \"x1\"",
        ),
        (
            "a,b,y\n1,,p\n",
            none.clone(),
            "<path>:2:2: feature `b` is not a number: \"\"",
        ),
        (
            "a,b,y\nNaN,2,p\n",
            none.clone(),
            "<path>:2:1: feature `a` is not finite: \"NaN\"",
        ),
        (
            "a,b,y\n1,-inf,p\n",
            none.clone(),
            "<path>:2:2: feature `b` is not finite: \"-inf\"",
        ),
        (
            "a,b,y\n1,1e999,p\n",
            none.clone(),
            "<path>:2:2: feature `b` is not finite: \"1e999\"",
        ),
        (
            "a,b,y\n1,2,p\n3,4,p\n",
            none.clone(),
            "<path>: only one class (\"p\"); a classifier needs at least two",
        ),
        (
            "a,b,y\n1,2,p\n3,4, \n",
            none.clone(),
            "<path>:3:3: the label `y` is empty",
        ),
        ("", none.clone(), "<path>: no data rows"),
        ("a,b,y\n", none.clone(), "<path>: no data rows"),
        (
            "y\n1\n",
            none.clone(),
            "<path>:1: the header has 1 column(s); need a label and at least one feature",
        ),
        (
            "a,b,y\n1,2,p\n",
            label("class"),
            "<path>:1: no label column \"class\"; the columns are a, b, y",
        ),
        (
            "y,a\np,1\nq,2\n",
            label("a"),
            "<path>:2:1: feature `y` is not a number: \"p\"",
        ),
    ];
    for (text, options, expected) in cases {
        assert_eq!(message("t.csv", text, &options), expected, "{text:?}");
    }
}

#[test]
fn svmlight_errors_name_file_line_and_column() {
    let none = ReadOptions::default();
    let cases = [
        (
            "1 1:2\n# c\n0 2:1 1:1\n",
            "<path>:3:7: bad svmlight token \"1:1\": index 1 does not follow 2",
        ),
        (
            "1 1:2\n0 1:2:3\n",
            "<path>:2:3: bad svmlight token \"1:2:3\": the value is not a number",
        ),
        (
            "1 1:2\n0  5:inf\n",
            "<path>:2:4: bad svmlight token \"5:inf\": the value is not finite",
        ),
        (
            "1 -3:1\n",
            "<path>:1:3: bad svmlight token \"-3:1\": the index is not a positive integer",
        ),
        (
            "1 1:1\n1 2:1\n",
            "<path>: only one class (\"1\"); a classifier needs at least two",
        ),
        ("", "<path>: no data rows"),
    ];
    for (text, expected) in cases {
        assert_eq!(message("t.svm", text, &none), expected, "{text:?}");
    }
    let options = ReadOptions {
        format: None,
        label: Some("y".into()),
    };
    assert_eq!(
        message("t.svm", "1 1:1\n0 1:2\n", &options),
        "<path>: svmlight files have no named columns (label column \"y\" given)"
    );
}

#[test]
fn unreadable_files_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.csv");
    let err = read_dataset(&missing, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("{}: cannot read: ", missing.display())),
        "{err}"
    );
    assert!(!err.contains('\n'));
    let folder = dir.path().join("folder.svm");
    std::fs::create_dir(&folder).unwrap();
    let err = read_dataset(&folder, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with(&format!("{}: cannot read: ", folder.display())),
        "{err}"
    );
    let (_dir, bad_utf8) = file("bad.csv", "a,y\n1,p\n");
    std::fs::write(&bad_utf8, b"a,y\n1,\xff\xfe\n").unwrap();
    let err = read_dataset(&bad_utf8, &ReadOptions::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        format!("{}:2: invalid UTF-8 in field 2", bad_utf8.display())
    );
}
