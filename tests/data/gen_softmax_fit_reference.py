#!/usr/bin/env python3
"""Reference optimum of the L2-regularised softmax regression on the first 200 rows of
assets/data/digits.csv (64 features, 10 classes), by Newton's method in numpy.

The objective is F(b, B) = (1/n) sum_i [logsumexp(z_i) - z_i[y_i]] + (lam/2) ||B||^2 with
z_i = b + xhat_i B, xhat the features standardised by the 200 rows' mean and population sd (a
constant column left at 0). The dropscope fit uses L-BFGS; here every step solves the full
Hessian system (the Hessian is singular along b -> b + c 1, where the gradient is 0, so the
least-squares solution is taken), to max |gradient| < 1e-13. b is reported centred.

Writes tests/data/softmax_fit_reference.json. Run from the crate root:
python3 tests/data/gen_softmax_fit_reference.py
"""

import json

import numpy as np

ROWS = 200
LAMBDA = 0.1


def load():
    with open("assets/data/digits.csv") as f:
        header = f.readline().strip().split(",")
        data = np.array([[float(v) for v in line.split(",")] for _, line in zip(range(ROWS), f)])
    x, labels = data[:, :-1], data[:, -1]
    classes = sorted(set(labels))
    y = np.array([classes.index(v) for v in labels])
    return header, x, y, len(classes)


def standardise(x):
    out = np.zeros_like(x)
    for j in range(x.shape[1]):
        col = x[:, j]
        if np.all(col == col[0]):
            continue
        mean = col.sum() / len(col)
        sd = np.sqrt(((col - mean) ** 2).sum() / len(col))
        out[:, j] = (col - mean) / sd
    return out


def objective(theta, a, y, q, lam):
    """F, its gradient and Hessian; theta is the (d+1) x q matrix [b; B] flattened row-major."""
    n = a.shape[0]
    w = theta.reshape(-1, q)
    z = a @ w
    m = z.max(axis=1, keepdims=True)
    lse = (m + np.log(np.exp(z - m).sum(axis=1, keepdims=True)))[:, 0]
    p = np.exp(z - lse[:, None])
    value = (lse - z[np.arange(n), y]).mean() + 0.5 * lam * (w[1:] ** 2).sum()
    r = p.copy()
    r[np.arange(n), y] -= 1
    grad = (a.T @ r) / n
    grad[1:] += lam * w[1:]
    size = w.size
    hess = np.zeros((size, size))
    for i in range(n):
        s = np.diag(p[i]) - np.outer(p[i], p[i])
        hess += np.kron(np.outer(a[i], a[i]), s)
    hess /= n
    ridge = np.zeros_like(w)
    ridge[1:] = lam
    hess += np.diag(ridge.ravel())
    return value, grad.ravel(), hess


def main():
    header, x, y, q = load()
    xhat = standardise(x)
    n, d = xhat.shape
    a = np.hstack([np.ones((n, 1)), xhat])
    theta = np.zeros((d + 1) * q)
    for it in range(100):
        value, grad, hess = objective(theta, a, y, q, LAMBDA)
        gnorm = np.abs(grad).max()
        if gnorm < 1e-13:
            break
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        theta = theta - step
    assert gnorm < 1e-13, gnorm
    w = theta.reshape(-1, q)
    b = w[0] - w[0].mean()
    beta = w[1:]
    assert np.abs(beta.sum(axis=1)).max() < 1e-10
    value, grad, _ = objective(np.vstack([b, beta]).ravel(), a, y, q, LAMBDA)
    doc = {
        "generator": "tests/data/gen_softmax_fit_reference.py",
        "method": "Newton's method on the full Hessian (numpy, float64)",
        "rows": ROWS,
        "lambda": LAMBDA,
        "classes": q,
        "newton_iterations": it,
        "gradient_norm": float(np.abs(grad).max()),
        "objective": repr(float(value)),
        "intercepts": [repr(float(v)) for v in b],
        "beta": [[repr(float(v)) for v in row] for row in beta],
    }
    with open("tests/data/softmax_fit_reference.json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(it, value, np.abs(grad).max())


if __name__ == "__main__":
    main()
