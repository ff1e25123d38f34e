#!/usr/bin/env python3
"""Reference optima of the L2-regularised logistic fit on the shipped breast-cancer data.

Run from the crate root:

    python3 tests/data/gen_logistic_reference.py   # writes tests/data/logistic_reference.json

Needs mpmath and numpy. Nothing here uses dropscope's output. The features are read from
assets/data/breast_cancer.csv as decimal text (exact), standardised in mpmath by their mean and
population standard deviation, and the objective

    F(b, beta) = (1/n) sum_i [log(1 + e^{z_i}) - y_i z_i] + (lambda/2) |beta|^2,
    z_i = b + xhat_i . beta,  y_i = 1 for "malignant" (class 1: labels sorted, benign < malignant)

is minimised by Newton's method with the exact Hessian, in mpmath at DPS digits, until the
Newton step is below 1e-40. The smallest eigenvalue of the Hessian at the optimum (numpy, from the
rounded Hessian) bounds how far a point with a given gradient can be from the optimum.
"""

import csv
import json
import pathlib

import mpmath as mp
import numpy as np

DPS = 50
LAMBDAS = ["0.1", "0.001"]
ROOT = pathlib.Path(__file__).resolve().parents[2]


def load():
    with open(ROOT / "assets/data/breast_cancer.csv", newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    x = [[mp.mpf(v) for v in r[:-1]] for r in rows]
    y = [1 if r[-1] == "malignant" else 0 for r in rows]
    return header[:-1], x, y


def standardise(x):
    n, d = len(x), len(x[0])
    out = [[mp.mpf(0)] * d for _ in range(n)]
    for j in range(d):
        col = [row[j] for row in x]
        mean = mp.fsum(col) / n
        sd = mp.sqrt(mp.fsum((v - mean) ** 2 for v in col) / n)
        for i in range(n):
            out[i][j] = (x[i][j] - mean) / sd
    return out


def newton(xhat, y, lam):
    n, d = len(xhat), len(xhat[0])
    rows = [[mp.mpf(1)] + r for r in xhat]  # column 0 is the intercept
    p = d + 1
    theta = [mp.mpf(0)] * p
    for _ in range(100):
        grad = [mp.mpf(0)] * p
        hess = mp.zeros(p, p)
        value = mp.mpf(0)
        for r, yi in zip(rows, y):
            z = mp.fsum(a * t for a, t in zip(r, theta))
            value += mp.log1p(mp.exp(z)) - yi * z
            s = 1 / (1 + mp.exp(-z))
            w = s * (1 - s)
            for a in range(p):
                grad[a] += (s - yi) * r[a]
                wa = w * r[a]
                for b in range(a, p):
                    hess[a, b] += wa * r[b]
        value = value / n + lam / 2 * mp.fsum(t * t for t in theta[1:])
        for a in range(p):
            grad[a] = grad[a] / n + (lam * theta[a] if a > 0 else 0)
            for b in range(a, p):
                hess[a, b] = hess[a, b] / n + (lam if a == b and a > 0 else 0)
                hess[b, a] = hess[a, b]
        step = mp.lu_solve(hess, mp.matrix(grad))
        theta = [t - s for t, s in zip(theta, step)]
        if max(abs(s) for s in step) < mp.mpf("1e-40"):
            break
    else:
        raise SystemExit("Newton did not converge")
    eig_min = float(min(np.linalg.eigvalsh(np.array([[float(hess[a, b]) for b in range(p)] for a in range(p)]))))
    return theta, value, max(abs(g) for g in grad), eig_min


def main():
    mp.mp.dps = DPS
    names, x, y = load()
    xhat = standardise(x)
    cases = []
    for lam_text in LAMBDAS:
        theta, value, grad_max, eig_min = newton(xhat, y, mp.mpf(lam_text))
        z = [theta[0] + mp.fsum(a * t for a, t in zip(r, theta[1:])) for r in xhat]
        accuracy = sum((zi > 0) == (yi == 1) for zi, yi in zip(z, y)) / len(y)
        cases.append({
            "lambda": float(mp.mpf(lam_text)),
            "intercept": float(theta[0]),
            "beta": [float(t) for t in theta[1:]],
            "beta_norm": float(mp.sqrt(mp.fsum(t * t for t in theta[1:]))),
            "objective": float(value),
            "newton_gradient_max": float(grad_max),
            "hessian_min_eigenvalue": eig_min,
            "train_accuracy": accuracy,
        })
        print(f"lambda={lam_text}: b={float(theta[0]):.15g} |beta|={cases[-1]['beta_norm']:.15g} "
              f"F={float(value):.15g} mu={eig_min:.4g} acc={accuracy:.6f}")
    out = {
        "generator": "tests/data/gen_logistic_reference.py",
        "dps": DPS,
        "data": "assets/data/breast_cancer.csv, standardised (population sd), class 1 = malignant",
        "features": names,
        "cases": cases,
    }
    with open(ROOT / "tests/data/logistic_reference.json", "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
