#!/usr/bin/env python3
"""Reference vectors for the softmax dropout engine with an undropped per-class offset b.

Writes tests/data/softmax_offset_reference.json. mpmath only, 50 significant digits. The logits
are eta = b + sum_j C_j and dropout acts on the C_j only, so a mask's logits are
b + sum_j m_j C_j / (1 - delta) (shared: one bit m_j per feature; per-class: one bit per feature
and class). Methods differ from the Rust engine's:
- every single mask is enumerated, equal contributions included (each of the d features
  contributes eta0/d; the engine sums over kept counts with binomial weights instead);
- the exact penalty is E[A(dropped logits)] - A(eta), the log-sum-exp of each mask's dropped
  logits taken directly, never through the noise eps or a Bregman form;
- the terms E[kappa_m(eps_Y)]/m!, Y ~ softmax(eta), come from raw moments per mask through the
  moment-to-cumulant recursion, and the mask radius from mpmath.findroot confirmed by winding
  numbers (the helpers of gen_softmax_reference.py).

Run from the crate root: python3 tests/data/gen_softmax_offset_reference.py  (about two minutes).
"""

import itertools
import json
import os
import sys

import mpmath as mp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_softmax_reference as base  # noqa: E402

DPS = 50
mp.mp.dps = DPS
s = base.s
lse = base.lse


def rows_of(case):
    """The contribution rows C_j (equal contributions: d rows eta0/d)."""
    c = case["contributions"]
    if "equal" in c:
        d = c["equal"]["dimension"]
        return [[mp.mpf(x) / d for x in c["equal"]["logits"]] for _ in range(d)]
    return [[mp.mpf(x) for x in r] for r in c["explicit"]]


def masks(case):
    """Every mask as (weight, dropped logits, eps), eps = dropped logits - eta."""
    q = case["classes"]
    delta = mp.mpf(case["delta"])
    keep = 1 - delta
    b = [mp.mpf(x) for x in case["offset"]]
    rows = rows_of(case)
    d = len(rows)
    eta = [b[k] + mp.fsum(r[k] for r in rows) for k in range(q)]
    width = d if case["masks"] == "shared" else d * q
    out = []
    for bits in itertools.product((0, 1), repeat=width):
        w = mp.fprod(keep if m else delta for m in bits)

        def kept(j, k):
            return bits[j] if case["masks"] == "shared" else bits[k * d + j]

        dropped = [b[k] + mp.fsum(rows[j][k] / keep for j in range(d) if kept(j, k))
                   for k in range(q)]
        out.append((w, dropped, [x - e for x, e in zip(dropped, eta)]))
    return eta, out


def evaluate(case):
    eta, all_masks = masks(case)
    a0 = lse(eta)
    p = [mp.exp(e - a0) for e in eta]
    assert abs(mp.fsum(w for w, _, _ in all_masks) - 1) < mp.mpf(10) ** -40
    R = mp.fsum(w * (lse(dropped) - a0) for w, dropped, _ in all_masks)
    order = case["order"]
    terms = [mp.mpf(0)] * (order + 1)
    for w, _, eps in all_masks:
        kap = base.cumulants(p, eps, order)
        for m in range(2, order + 1):
            terms[m] += w * kap[m] / mp.factorial(m)
    bounds = sorted(((base.lower_bound(p, eps), i) for i, (_, _, eps) in enumerate(all_masks)),
                    key=lambda x: x[0])
    best = mp.inf
    for bound, i in bounds:
        if bound >= best:
            break
        r = base.radius(p, all_masks[i][2])
        if r is not None and r < best:
            best = r
    rho = None if best == mp.inf else best
    return {
        "label": case["label"],
        "params": {k: case[k] for k in ("delta", "order", "classes", "masks", "contributions",
                                        "offset")},
        "logits": [s(x) for x in eta],
        "probabilities": [s(x) for x in p],
        "terms": [s(t) for t in terms],
        "terms_to": order,
        "quadratic": s(terms[2]),
        "exact_penalty": s(R),
        "mask_radius": s(rho),
        "converges": True if rho is None else bool(rho > 1),
    }


def equal(label, delta, logits, d, masks_, offset, order=12):
    return dict(label=label, delta=delta, order=order, classes=len(logits), masks=masks_,
                contributions={"equal": {"logits": logits, "dimension": d}}, offset=offset)


def explicit(label, delta, rows, masks_, offset, order=12):
    return dict(label=label, delta=delta, order=order, classes=len(rows[0]), masks=masks_,
                contributions={"explicit": rows}, offset=offset)


ROWS3 = [[1.0, -0.5, 0.25], [-0.75, 1.5, 0.5], [0.5, 0.25, -1.25]]
CASES = [
    equal("q3 shared equal, offset", 0.5, [1.0, -0.5, 2.0], 6, "shared", [0.75, -1.25, 0.5]),
    equal("q2 per-class equal, offset", 0.4, [-1.0, 1.5], 4, "per_class", [2.0, -0.5]),
    explicit("q3 shared explicit, offset", 0.5, ROWS3, "shared", [-2.0, 1.5, 0.25]),
    explicit("q3 per-class explicit, offset", 0.3, ROWS3, "per_class", [1.0, 0.0, -3.0]),
    explicit("q4 shared explicit, large offset, diverges", 0.6,
             [[2.0, -1.5, 0.5, 1.0], [-1.0, 2.5, -2.0, 0.5], [0.5, 0.5, 1.5, -2.0]],
             "shared", [4.0, -3.0, 0.0, 1.5]),
    explicit("q3 per-class explicit, small contributions, offset, converges", 0.3,
             [[0.5, -0.25, 0.375], [-0.25, 0.375, -0.5], [0.125, -0.375, 0.25]],
             "per_class", [0.5, -0.75, 1.25]),
]


def main():
    out = []
    for i, case in enumerate(CASES):
        r = evaluate(case)
        r["index"] = i
        out.append(r)
        print(i, case["label"], r["exact_penalty"], r["mask_radius"], r["converges"],
              file=sys.stderr)
    doc = {
        "generator": "tests/data/gen_softmax_offset_reference.py",
        "dps": DPS,
        "description": "softmax dropout penalty with an undropped offset b: terms, exact R, "
                       "mask radius, by enumeration of every mask's dropped logits",
        "cases": out,
    }
    with open("tests/data/softmax_offset_reference.json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
