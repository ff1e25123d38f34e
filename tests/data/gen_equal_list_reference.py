"""Reference penalties for lists of d equal contributions, in 40-digit arithmetic (mpmath), by a
direct sum over the binomial count of kept features (not the characteristic-function integral, not
the engine's windowed or continuous binomial nodes).

The list is d copies of w = fl(xb/d) (the f64 the test builds), δ is the f64 value, c = w/(1−δ)
exactly, S = K·c with K ~ Binomial(d, 1−δ), so E[S] = d·w exactly, and
R = E[A(S)] − A(d·w) = E[A(S) − A(d·w) − σ(d·w)(S − d·w)]. The sum runs over K within 40 standard
deviations of its mean (the rest is below e^-800 of the total).

    python3 tests/data/gen_equal_list_reference.py > tests/data/equal_list_reference.json

takes about 15 s.
"""
import json

import mpmath as mp

mp.mp.dps = 40
DIMENSIONS = [1, 10, 300, 5000, 100_000]
POINTS = [(0.5, 6.0), (0.75, -4.5), (0.2, 1.0), (0.9, 20.0)]


def penalty(d, delta, xb):
    w = mp.mpf(xb / d)
    keep = 1 - mp.mpf(delta)
    c = w / keep
    z0 = d * w
    sd = mp.sqrt(d * keep * (1 - keep))
    lo = max(0, int(d * keep - 40 * sd) - 1)
    hi = min(d, int(d * keep + 40 * sd) + 1)
    sig = mp.exp(z0) / (1 + mp.exp(z0))
    a0 = mp.log1p(mp.exp(z0))
    log_norm = mp.loggamma(d + 1)
    total = mp.mpf(0)
    for k in range(lo, hi + 1):
        ln_pmf = (log_norm - mp.loggamma(k + 1) - mp.loggamma(d - k + 1)
                  + k * mp.log(keep) + (d - k) * mp.log(1 - keep))
        s = k * c
        total += mp.exp(ln_pmf) * (mp.log1p(mp.exp(s)) - a0 - sig * (s - z0))
    return total


cases = [
    {"d": d, "delta": delta, "xb": xb, "penalty": mp.nstr(penalty(d, delta, xb), 30)}
    for d in DIMENSIONS
    for delta, xb in POINTS
]
print(json.dumps({
    "generator": "tests/data/gen_equal_list_reference.py",
    "dps": mp.mp.dps,
    "cases": cases,
}, indent=1))
