#!/usr/bin/env python3
"""Reference values of the exact-dropout logistic objective and its gradient on a small design.

Run from the crate root:

    python3 tests/data/gen_exact_objective_reference.py   # writes tests/data/exact_objective_reference.json

Needs mpmath. Nothing here uses dropscope's output. The design is n = 10 examples of d = 6
features x_ij = ((7 i + 3 j) mod 17 - 8) / 8, labels y_i = (i mod 3 == 0), at fixed (b, beta).
For each example the dropout penalty is summed over all 2^d masks (docs/math.md §9 computes it
instead by the characteristic-function integral):

    S = b + sum_j m_j c_j / (1 - delta),  c_j = x_ij beta_j,  P(m) = prod (1-delta)^m_j delta^(1-m_j)
    R_i = E[A(S)] - A(z_i),  z_i = b + sum_j c_j,  A(z) = log(1 + e^z)
    dR_i/db = E[sigma(S)] - sigma(z_i),  dR_i/dc_j = E[sigma(S) m_j / (1 - delta)] - sigma(z_i)

and F = (1/n) sum_i [A(z_i) - y_i z_i + R_i] + (lambda/2) |beta|^2 with its gradient in (b, beta),
at DPS digits.
"""

import itertools
import json
import pathlib

import mpmath as mp

DPS = 40
N, D = 10, 6
CASES = [
    {"delta": "0.3", "lambda": "0", "b": "0.25", "beta": ["0.9", "-1.4", "0.6", "2.2", "-0.5", "1.1"]},
    {"delta": "0.5", "lambda": "0.1", "b": "-0.75", "beta": ["1.5", "0.4", "-2.0", "0.8", "1.2", "-0.3"]},
    {"delta": "0.8", "lambda": "0.01", "b": "1.5", "beta": ["-0.6", "0.7", "0.2", "-1.8", "0.9", "0.5"]},
]
OUT = pathlib.Path(__file__).resolve().parent / "exact_objective_reference.json"


def design():
    x = [[mp.mpf((7 * i + 3 * j) % 17 - 8) / 8 for j in range(D)] for i in range(N)]
    y = [1 if i % 3 == 0 else 0 for i in range(N)]
    return x, y


def softplus(z):
    return mp.log1p(mp.exp(z))


def sigmoid(z):
    return 1 / (1 + mp.exp(-z))


def case(c):
    delta, lam, b = mp.mpf(c["delta"]), mp.mpf(c["lambda"]), mp.mpf(c["b"])
    beta = [mp.mpf(v) for v in c["beta"]]
    x, y = design()
    keep = 1 - delta
    total = mp.mpf(0)
    grad = [mp.mpf(0)] * (D + 1)
    for i in range(N):
        cs = [x[i][j] * beta[j] for j in range(D)]
        z = b + sum(cs)
        total += softplus(z) - y[i] * z
        resid = sigmoid(z) - y[i]
        e_a, e_s, e_sm = mp.mpf(0), mp.mpf(0), [mp.mpf(0)] * D
        for mask in itertools.product((0, 1), repeat=D):
            p = mp.mpf(1)
            for m in mask:
                p *= keep if m else delta
            s = b + sum(m * cj for m, cj in zip(mask, cs)) / keep
            e_a += p * softplus(s)
            sig = sigmoid(s)
            e_s += p * sig
            for j in range(D):
                if mask[j]:
                    e_sm[j] += p * sig / keep
        total += e_a - softplus(z)
        grad[0] += resid + (e_s - sigmoid(z))
        for j in range(D):
            grad[j + 1] += x[i][j] * (resid + e_sm[j] - sigmoid(z))
    value = total / N + lam / 2 * sum(w * w for w in beta)
    grad = [g / N for g in grad]
    for j in range(D):
        grad[j + 1] += lam * beta[j]
    return {**c, "value": mp.nstr(value, 25), "gradient": [mp.nstr(g, 25) for g in grad]}


def main():
    mp.mp.dps = DPS
    doc = {
        "generator": "tests/data/gen_exact_objective_reference.py",
        "dps": DPS,
        "n": N,
        "d": D,
        "cases": [case(c) for c in CASES],
    }
    OUT.write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
