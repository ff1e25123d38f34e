#!/usr/bin/env python3
"""Reference Taylor coefficients a_m = A^(m)(z0)/m! of the logistic log-partition
A(z) = log(1 + e^z) near and away from z0 = 0 (tests/coefficients_reference.rs).

Run from the crate root:

    python3 tests/data/gen_small_xb_coefficients.py   # writes tests/data/small_xb_coefficients.json

Needs only mpmath (80 significant digits, plus as many as z0 has leading zeros, so that the
odd coefficients of size |z0| keep 80 of their own). Not by the sigmoid's Riccati recurrence the engine
uses: the series of e^(-(z0 + t)) is inverted as a power series, 1/(1 + e^(-z0) e^(-t)), to give
the sigmoid's coefficients s_n, and a_(n+1) = s_n/(n + 1), a_0 = A(z0). z0 are the exact binary
values of the f64 numbers written out (shortest round-trip decimal strings).
"""

import json

from mpmath import mp, mpf, exp, log, factorial

mp.dps = 80
ORDER = 60
POINTS = [1e-300, 1e-10, -1e-10, 3e-7, 1e-5, -1e-3, 0.0625, -0.5, 2.0, -7.25, 30.0]


def coefficients(z0):
    z0 = mpf(z0)
    # e^(-(z0 + t)) = e^(-z0) sum (-t)^n/n!; g = 1 + that; sigmoid = 1/g.
    g = [exp(-z0) * (-1) ** n / factorial(n) for n in range(ORDER)]
    g[0] += 1
    s = [mpf(1) / g[0]]
    for n in range(1, ORDER):
        s.append(-sum(g[i] * s[n - i] for i in range(1, n + 1)) / g[0])
    return [log(1 + exp(z0))] + [s[n] / (n + 1) for n in range(ORDER)]


def main():
    cases = []
    for z0 in POINTS:
        mp.dps = 80 + max(0, -int(mp.log10(abs(mpf(z0)))))
        a = coefficients(z0)
        cases.append({"xb": repr(z0), "coefficients": [mp.nstr(v, 30) for v in a]})
    doc = {
        "generator": "tests/data/gen_small_xb_coefficients.py",
        "dps": "80 + leading zeros of z0",
        "order": ORDER,
        "cases": cases,
    }
    with open("tests/data/small_xb_coefficients.json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
