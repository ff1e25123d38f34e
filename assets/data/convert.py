"""Convert scikit-learn's bundled copies of two UCI data sets to plain CSV.

Usage:
    pip download --no-deps scikit-learn -d /tmp/skl
    python3 assets/data/convert.py /tmp/skl/scikit_learn-*.whl

Reads sklearn/datasets/data/breast_cancer.csv and digits.csv.gz from the wheel and
writes breast_cancer.csv and digits.csv next to this script. Every numeric cell is
copied as the original text, so values are unchanged; the script then re-reads both
outputs and checks every value (as a float and as text) against the original rows.
"""

import csv
import gzip
import io
import pathlib
import sys
import zipfile

BREAST_CANCER_FEATURES = [
    "mean radius", "mean texture", "mean perimeter", "mean area", "mean smoothness",
    "mean compactness", "mean concavity", "mean concave points", "mean symmetry",
    "mean fractal dimension", "radius error", "texture error", "perimeter error",
    "area error", "smoothness error", "compactness error", "concavity error",
    "concave points error", "symmetry error", "fractal dimension error", "worst radius",
    "worst texture", "worst perimeter", "worst area", "worst smoothness",
    "worst compactness", "worst concavity", "worst concave points", "worst symmetry",
    "worst fractal dimension",
]
DIGITS_FEATURES = [f"pixel_{r}_{c}" for r in range(8) for c in range(8)]
HERE = pathlib.Path(__file__).resolve().parent


def read_rows(text):
    return [row for row in csv.reader(io.StringIO(text)) if row]


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def check(path, header, original_rows, label_of):
    with open(path, newline="") as f:
        got = list(csv.reader(f))
    assert got[0] == header, f"{path}: header differs"
    assert len(got) - 1 == len(original_rows), f"{path}: row count differs"
    for i, (new, old) in enumerate(zip(got[1:], original_rows), start=2):
        assert new[:-1] == old[:-1], f"{path}:{i}: feature text differs"
        assert [float(v) for v in new[:-1]] == [float(v) for v in old[:-1]], f"{path}:{i}"
        assert new[-1] == label_of(old[-1]), f"{path}:{i}: label differs"


def main(wheel):
    with zipfile.ZipFile(wheel) as z:
        bc_text = z.read("sklearn/datasets/data/breast_cancer.csv").decode("ascii")
        digits_text = gzip.decompress(z.read("sklearn/datasets/data/digits.csv.gz")).decode("ascii")

    bc = read_rows(bc_text)
    n, d, *target_names = bc[0]
    bc_rows = bc[1:]
    assert int(n) == len(bc_rows) == 569 and int(d) == len(BREAST_CANCER_FEATURES) == 30
    assert target_names == ["malignant", "benign"]
    assert all(len(r) == 31 for r in bc_rows)

    def bc_label(code):
        return target_names[int(code)]

    bc_header = BREAST_CANCER_FEATURES + ["diagnosis"]
    write_csv(HERE / "breast_cancer.csv", bc_header, [r[:-1] + [bc_label(r[-1])] for r in bc_rows])
    check(HERE / "breast_cancer.csv", bc_header, bc_rows, bc_label)

    digit_rows = read_rows(digits_text)
    assert len(digit_rows) == 1797 and all(len(r) == 65 for r in digit_rows)
    digits_header = DIGITS_FEATURES + ["digit"]
    write_csv(HERE / "digits.csv", digits_header, digit_rows)
    check(HERE / "digits.csv", digits_header, digit_rows, lambda v: v)
    print(f"breast_cancer.csv: {len(bc_rows)} rows; digits.csv: {len(digit_rows)} rows; values identical")


if __name__ == "__main__":
    main(sys.argv[1])
