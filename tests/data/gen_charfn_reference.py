#!/usr/bin/env python3
"""Lattice references for the exact dropout penalty of explicit lists (tests/charfn_reference.rs).

Run from the crate root:

    python3 tests/data/gen_charfn_reference.py        # writes tests/data/charfn_reference.json

Needs only mpmath. Not by the characteristic-function integral: every list is on a lattice,
w_j = k_j * g with small integers k_j and a dyadic step g, so S = b + (g/(1-delta)) K with
K = sum of the kept k_j, whose exact distribution is the polynomial prod_j (delta + (1-delta) x^{k_j})
(features with the same k_j are grouped into one binomial factor). Then

    R        = sum_K p(K) B(s_K),   B(s) = A(s) - A(z0) - sigma(z0) (s - z0)   (the Bregman form)
    dR/db    = sum_K p(K) sigma(s_K) - sigma(z0)
    dR/dw_j  = sum_K' p_{-j}(K') sigma(b + c (K' + k_j)) - sigma(z0),  c = g/(1-delta)

(the last from the lattice distribution of S_{-j}), in mpmath at DPS significant digits. delta and the
offset b are the exact binary values of the f64 numbers written out. A self-check compares the lattice
sum with a direct 2^d enumeration on a small list.
"""

import json
import random
import sys
import time

from mpmath import mp, mpf

DPS = 50
OUT_DIGITS = 25
mp.dps = DPS


def softplus(z):
    if z > 0:
        return z + mp.log1p(mp.exp(-z))
    return mp.log1p(mp.exp(z))


def sigmoid(z):
    if z >= 0:
        return 1 / (1 + mp.exp(-z))
    e = mp.exp(z)
    return e / (1 + e)


def lattice_pmf(ks, delta):
    """{K: P(sum of kept k_j = K)} for independent keeps with probability 1 - delta."""
    keep = 1 - delta
    groups = {}
    for k in ks:
        groups[k] = groups.get(k, 0) + 1
    pmf = {0: mpf(1)}
    for k, m in sorted(groups.items()):
        # (delta + keep x^k)^m = sum_i C(m, i) delta^(m-i) keep^i x^(k i)
        factor = {}
        for i in range(m + 1):
            factor[k * i] = factor.get(k * i, 0) + mp.binomial(m, i) * delta ** (m - i) * keep ** i
        out = {}
        for a, pa in pmf.items():
            for e, pe in factor.items():
                out[a + e] = out.get(a + e, 0) + pa * pe
        pmf = out
    return pmf


def moments_of(pmf, offset, step, fn):
    return sum(p * fn(offset + step * K) for K, p in pmf.items())


def case_values(ks, g, delta_f, offset_f, grad_js):
    delta, offset, g = mpf(delta_f), mpf(offset_f), mpf(g)
    c = g / (1 - delta)
    z0 = offset + g * sum(ks)
    a0, s0 = softplus(z0), sigmoid(z0)
    pmf = lattice_pmf(ks, delta)
    r = moments_of(pmf, offset, c, lambda s: softplus(s) - a0 - s0 * (s - z0))
    out = {"penalty": r, "scale": 2 * a0 + r}
    if grad_js:
        out["d_offset"] = moments_of(pmf, offset, c, sigmoid) - s0
        out["d_weights"] = {}
        for j in grad_js:
            rest = ks[:j] + ks[j + 1:]
            pj = lattice_pmf(rest, delta)
            out["d_weights"][j] = moments_of(pj, offset + c * ks[j], c, sigmoid) - s0
    w = [k * g for k in ks]
    up = sum(x for x in w if x > 0) * delta / (1 - delta) + sum(-x for x in w if x < 0)
    down = sum(-x for x in w if x < 0) * delta / (1 - delta) + sum(x for x in w if x > 0)
    out["max_deviation"] = max(up, down)
    out["radius"] = mp.sqrt(z0 ** 2 + mp.pi ** 2)
    out["xb"] = z0
    return out


def enumerate_penalty(ks, g, delta_f, offset_f):
    delta, offset, g = mpf(delta_f), mpf(offset_f), mpf(g)
    w = [k * g for k in ks]
    z0 = offset + sum(w)
    a0, s0 = softplus(z0), sigmoid(z0)
    total = mpf(0)
    for mask in range(1 << len(w)):
        s, p = offset, mpf(1)
        for j, x in enumerate(w):
            if mask >> j & 1:
                s += x / (1 - delta)
                p *= 1 - delta
            else:
                p *= delta
        total += p * (softplus(s) - a0 - s0 * (s - z0))
    return total


def ints(rng, d, choices):
    return [rng.choice(choices) for _ in range(d)]


def cases():
    rng = random.Random(20240613)
    mixed3 = [-3, -2, -1, 1, 2, 3]
    mixed2 = [-2, -1, 1, 2]
    return [
        ("d=25 mixed", ints(rng, 25, mixed3), 0.25, 0.5, 0.0, [0, 12, 24]),
        ("d=25 positive", ints(rng, 25, [1, 2, 3]), 0.125, 0.1, -3.5, [0, 7, 24]),
        ("d=25 mixed, wide", ints(rng, 25, mixed3), 0.5, 0.75, 0.0, [1, 13, 20]),
        ("d=60 mixed", ints(rng, 60, mixed3), 0.0625, 0.75, 7.0, [0, 30, 59]),
        ("d=60 mixed", ints(rng, 60, mixed2 + [0]), 0.125, 0.9, 0.0, [2, 31, 58]),
        ("d=60 positive, large xb", ints(rng, 60, [1, 2]), 0.25, 0.5, 7.0, [0, 29, 59]),
        ("d=300 mixed", ints(rng, 300, mixed3), 0.0625, 0.5, -3.5, []),
        ("d=300 negative", ints(rng, 300, [-1, -2, -3]), 0.03125, 0.75, 0.0, []),
        ("d=300 mixed", ints(rng, 300, mixed2), 0.125, 0.1, 7.0, []),
        ("d=2000 mixed", ints(rng, 2000, mixed2), 0.03125, 0.5, 0.0, []),
        ("d=2000 mixed", ints(rng, 2000, mixed2), 0.015625, 0.9, -3.5, []),
        ("d=2000 positive", ints(rng, 2000, [1, 2]), 0.00390625, 0.75, 7.0, []),
    ]


def fmt(x):
    return mp.nstr(x, OUT_DIGITS, strip_zeros=False, min_fixed=1, max_fixed=0)


def main():
    start = time.time()
    # Self-check: the lattice sum against a direct enumeration of all masks.
    rng = random.Random(7)
    ks = ints(rng, 12, [-3, -1, 2, 3])
    for delta, b in [(0.5, 0.0), (0.1, -3.5), (0.9, 7.0)]:
        lat = case_values(ks, 0.25, delta, b, [])["penalty"]
        enum = enumerate_penalty(ks, 0.25, delta, b)
        err = abs(lat - enum) / enum
        if err > mpf(10) ** (-(DPS - 8)):
            sys.exit(f"self-check failed: lattice {lat} vs enumeration {enum}")
    out = []
    for label, ks, g, delta, offset, js in cases():
        v = case_values(ks, g, delta, offset, js)
        entry = {
            "label": label,
            "k": ks,
            "g": g,
            "delta": delta,
            "offset": offset,
            "xb": fmt(v["xb"]),
            "penalty": fmt(v["penalty"]),
            "scale": fmt(v["scale"]),
            "converges": bool(v["max_deviation"] < v["radius"]),
        }
        if js:
            entry["d_offset"] = fmt(v["d_offset"])
            entry["d_weights"] = [{"j": j, "value": fmt(v["d_weights"][j])} for j in js]
        out.append(entry)
        print(f"{label}: R = {mp.nstr(v['penalty'], 12)}  ({time.time() - start:.1f} s)", file=sys.stderr)
    doc = {
        "generator": "tests/data/gen_charfn_reference.py",
        "dps": DPS,
        "description": "Exact dropout penalty of lattice lists w_j = k_j g, by the lattice distribution of the kept sum",
        "cases": out,
    }
    with open("tests/data/charfn_reference.json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
