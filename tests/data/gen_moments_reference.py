#!/usr/bin/env python3
"""Reference central moments of explicit contribution lists (tests/moments_reference.rs and the
unit tests of src/engine/cumulants.rs).

Run from the crate root:

    python3 tests/data/gen_moments_reference.py        # writes tests/data/moments_reference.json

Needs only mpmath (60 significant digits). Not through cumulants or a product of generating
functions: the features with equal weight w form a group whose deviation is
w (K / (1 - delta) - c), K ~ Binomial(c, 1 - delta), and its moments are sums over the c + 1
values of K with exact binomial weights. Independent groups are combined by the binomial
convolution M_n(A + B) = sum_i C(n, i) M_i(A) M_{n-i}(B). delta and the weights are the exact
binary values of the f64 numbers written out, as shortest round-trip decimal strings (parse them
exactly, e.g. with Rust's str::parse). A self-check compares the grouped moments with a
direct 2^d enumeration on a small list.
"""

import itertools
import json
import math
import random
import sys
import time

from mpmath import mp, mpf

DPS = 60
OUT_DIGITS = 30
mp.dps = DPS


def group_moments(w, count, delta, order):
    """M_n, n = 0..order, of w (K/(1-delta) - count), K ~ Binomial(count, 1 - delta)."""
    keep = 1 - delta
    out = [mpf(0)] * (order + 1)
    for k in range(count + 1):
        p = mp.binomial(count, k) * keep**k * delta ** (count - k)
        x = w * (mpf(k) / keep - count)
        term = p
        for n in range(order + 1):
            out[n] += term
            term *= x
    return out


def convolve(a, b):
    order = len(a) - 1
    return [
        mp.fsum(mp.binomial(n, i) * a[i] * b[n - i] for i in range(n + 1))
        for n in range(order + 1)
    ]


def moments(weights, delta, order):
    delta = mpf(delta)
    groups = {}
    for w in weights:
        if w != 0.0:
            groups[w] = groups.get(w, 0) + 1
    total = [mpf(1)] + [mpf(0)] * order
    for w, count in sorted(groups.items()):
        total = convolve(total, group_moments(mpf(w), count, delta, order))
    return total


def enumerated(weights, delta, order):
    delta = mpf(delta)
    out = [mpf(0)] * (order + 1)
    for mask in itertools.product([0, 1], repeat=len(weights)):
        p = mpf(1)
        x = mpf(0)
        for kept, w in zip(mask, weights):
            p *= (1 - delta) if kept else delta
            x += mpf(w) * (kept / (1 - delta) - 1)
        term = p
        for n in range(order + 1):
            out[n] += term
            term *= x
    return out


def s(x):
    return mp.nstr(x, OUT_DIGITS, strip_zeros=False) if x != 0 else "0"


def case(label, weights, delta, order):
    m = moments(weights, delta, order)
    variance = delta / (1 - delta) * sum(w * w for w in weights)
    # A power of two near sd/sqrt(order): the unit of the generating-function coefficients.
    tau = 2.0 ** round(math.log2(math.sqrt(variance / order)))
    coefficients = [m[n] / (mp.factorial(n) * mpf(tau) ** n) for n in range(order + 1)]
    hi = [float(c) for c in coefficients]
    lo = [float(c - mpf(h)) for c, h in zip(coefficients, hi)]
    return {
        "label": label,
        "weights": [repr(w) for w in weights],
        "delta": repr(delta),
        "order": order,
        "tau": repr(tau),
        "moments": [s(v) for v in m],
        "coefficient_hi": [repr(h) for h in hi],
        "coefficient_lo": [repr(v) for v in lo],
    }


def mixed(rng, d, spread):
    return [rng.uniform(-spread, spread) for _ in range(d)]


def grouped(rng, d, values):
    return [rng.choice(values) for _ in range(d)]


def main():
    start = time.time()
    small = [0.375, -0.625, 0.25, 1.5, -1.0]
    a, b = moments(small, 0.3, 12), enumerated(small, 0.3, 12)
    worst = max(abs(x - y) / max(abs(y), b[2] ** (n / 2)) for n, (x, y) in enumerate(zip(a, b)))
    if worst > mpf(10) ** -45:
        sys.exit(f"self-check failed: grouped against enumerated moments differ by {worst}")
    rng = random.Random(20261202)
    cases = []
    for delta in [0.5, 0.001, 0.999]:
        cases.append(case(f"d=30 k=40 delta={delta} mixed", mixed(rng, 30, 0.3), delta, 40))
    one_big = mixed(rng, 30, 0.05)
    one_big[7] = 2.5
    cases.append(case("d=30 k=40 delta=0.25 one large", one_big, 0.25, 40))
    cases.append(case("d=30 k=150 delta=0.5 mixed", mixed(rng, 30, 0.3), 0.5, 150))
    for delta in [0.5, 0.02, 0.98]:
        cases.append(case(f"d=100 k=40 delta={delta} mixed", mixed(rng, 100, 0.3), delta, 40))
    two_big = mixed(rng, 100, 0.03)
    two_big[3], two_big[50] = 1.75, -2.25
    cases.append(case("d=100 k=40 delta=0.5 two large", two_big, 0.5, 40))
    cases.append(case("d=100 k=150 delta=0.5 mixed", mixed(rng, 100, 0.3), 0.5, 150))
    for delta in [0.5, 0.999]:
        cases.append(case(f"d=1000 k=40 delta={delta} mixed", mixed(rng, 1000, 0.1), delta, 40))
    values = [-0.3, -0.2, -0.125, -0.05, -0.01, 0.0, 0.02, 0.075, 0.1, 0.25, 0.4]
    cases.append(case("d=1000 k=150 delta=0.5 grouped", grouped(rng, 1000, values), 0.5, 150))
    big = grouped(rng, 1000, values)
    big[0] = 3.0
    cases.append(case("d=1000 k=150 delta=0.1 grouped, one large", big, 0.1, 150))
    doc = {
        "generator": "tests/data/gen_moments_reference.py",
        "dps": DPS,
        "description": "central moments M_n = E[(S - xb)^n] of explicit lists by grouped binomial "
        "sums and binomial convolution; coefficient_hi + coefficient_lo = M_n / (n! tau^n)",
        "cases": cases,
    }
    with open("tests/data/moments_reference.json", "w") as out:
        json.dump(doc, out, indent=1)
        out.write("\n")
    print(f"{len(cases)} cases in {time.time() - start:.0f} s")


if __name__ == "__main__":
    main()
