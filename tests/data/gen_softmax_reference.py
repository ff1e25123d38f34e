#!/usr/bin/env python3
"""Reference vectors for the softmax dropout engine (docs/math.md section 10).

Writes tests/data/softmax_reference.json. mpmath only, 50 significant digits. Methods differ from
the Rust engine's:
- masks are enumerated one by one (equal contributions: every kept count K, or every tuple of
  per-class counts, with exact binomial weights), never through moments of s or one-dimensional
  integrals;
- the exact penalty is E[A(eta0 + eps)] - A(eta0) with A = log-sum-exp, directly;
- the terms E[kappa_m(eps_Y)]/m! come from raw moments of eps_Y per mask through the
  moment-to-cumulant recursion at 50 digits (the engine uses the log recurrence in f64);
  for two cases they are also checked against mpmath.taylor of t -> E[log sum p e^{t eps}];
- the mask radius is the smallest |t| among mpmath.findroot zeros of sum p e^{t eps} (started
  from each two-class zero and a polar grid), confirmed by a zero winding number just inside
  and a non-zero one just outside.

Run from the crate root: python3 tests/data/gen_softmax_reference.py  (about a minute).
"""

import itertools
import json
import math
import sys

import mpmath as mp

DPS = 50
mp.mp.dps = DPS


def s(x):
    """A real as a 20-digit decimal string; None stays None."""
    if x is None:
        return None
    if x == 0:
        return "0"
    return mp.nstr(mp.mpf(x), 20, min_fixed=1, max_fixed=0)


def lse(v):
    m = max(v)
    return m + mp.log(mp.fsum(mp.exp(x - m) for x in v))


def cumulants(p, eps, order):
    """kappa_1..kappa_order of eps_Y, Y ~ p, from raw moments (high precision)."""
    mu = [mp.fsum(pk * e**n for pk, e in zip(p, eps)) for n in range(order + 1)]
    kappa = [mp.mpf(0)] * (order + 1)
    for n in range(1, order + 1):
        kappa[n] = mu[n] - mp.fsum(mp.binomial(n - 1, m - 1) * kappa[m] * mu[n - m]
                                   for m in range(1, n))
    return kappa


def winding(p, eps, r):
    """Zeros of F(t) = sum p e^{t eps} in |t| < r, from the change of arg F on the circle."""
    def arg(theta):
        t = r * mp.expj(theta)
        return mp.arg(mp.fsum(pk * mp.exp(t * e) for pk, e in zip(p, eps)))

    def arc(a, b, fa, fb, depth):
        ch = fb - fa
        ch = (ch + mp.pi) % (2 * mp.pi) - mp.pi
        if abs(ch) < mp.pi / 6 or depth > 25:
            return ch
        m = (a + b) / 2
        fm = arg(m)
        return arc(a, m, fa, fm, depth + 1) + arc(m, b, fm, fb, depth + 1)

    spread = max(eps) - min(eps)
    n = max(48, int(8 * r * spread) + 1)
    total = mp.mpf(0)
    prev = arg(mp.mpf(0))
    for j in range(n):
        a, b = 2 * mp.pi * j / n, 2 * mp.pi * (j + 1) / n
        nxt = arg(b)
        total += arc(a, b, prev, nxt, 0)
        prev = nxt
    return int(mp.nint(total / (2 * mp.pi)))


def radius(p, eps):
    """Smallest |t| with sum p e^{t eps} = 0, or None when every eps is equal."""
    if max(eps) == min(eps):
        return None
    with mp.workdps(30):
        F = lambda t: mp.fsum(pk * mp.exp(t * e) for pk, e in zip(p, eps))
        starts = []
        limit = [mp.inf]

        def G(t):
            # Secant steps that run away (exp of a huge argument is slow) are abandoned.
            if abs(t) > limit[0]:
                raise ValueError("runaway")
            return F(t)

        q = len(p)
        for a in range(q):
            for b in range(q):
                if eps[a] != eps[b] and p[a] > 0 and p[b] > 0:
                    starts.append((mp.log(p[a] / p[b]) + 1j * mp.pi) / (eps[b] - eps[a]))
        base = min(abs(x) for x in starts)
        limit[0] = 50 * base
        for r in (0.5, 0.8, 1.2, 2.0):
            for j in range(1, 12):
                starts.append(base * r * mp.expj(mp.pi * j / 12))
        best = None
        for t0 in starts:
            try:
                t = mp.findroot(G, mp.mpc(t0), tol=mp.mpf(10) ** -25, maxsteps=60)
            except (ValueError, ZeroDivisionError):
                continue
            scale = mp.fsum(pk * abs(mp.exp(t * e)) for pk, e in zip(p, eps))
            if abs(F(t)) < mp.mpf(10) ** -20 * scale and (best is None or abs(t) < best):
                best = abs(t)
        assert best is not None, (p, eps)
        assert winding(p, eps, best * (1 - mp.mpf(10) ** -7)) == 0, ("missed a zero", p, eps)
        assert winding(p, eps, best * (1 + mp.mpf(10) ** -7)) >= 1, ("not a zero", p, eps)
        return +best


def lower_bound(p, eps):
    """r with sum p e^{r |eps - c|} = 2 (no zero inside); pruning only."""
    c = (max(eps) + min(eps)) / 2
    a = [abs(e - c) for e in eps]
    if max(a) == 0:
        return mp.inf
    f = lambda r: mp.fsum(pk * mp.exp(r * x) for pk, x in zip(p, a)) - 2
    return mp.findroot(f, (mp.mpf(0), mp.log(2) / max(a) * 4), solver="anderson")


def ln_binom_pmf(k, n, keep, drop):
    return (mp.loggamma(n + 1) - mp.loggamma(k + 1) - mp.loggamma(n - k + 1)
            + k * mp.log(keep) + (n - k) * mp.log(drop))


def class_lists(case):
    """Per-class masks: each class's noise values with exact weights."""
    q = case["classes"]
    delta = mp.mpf(case["delta"])
    keep = 1 - delta
    c = case["contributions"]
    if "equal" in c:
        eta = [mp.mpf(x) for x in c["equal"]["logits"]]
        d = c["equal"]["dimension"]
        ks = [(mp.exp(ln_binom_pmf(k, d, keep, delta)), mp.mpf(k) / (d * keep) - 1)
              for k in range(d + 1)]
        return [[(w, sv * h) for w, sv in ks] for h in eta]
    rows = [[mp.mpf(x) for x in r] for r in c["explicit"]]
    kept = delta / keep
    out = []
    for k in range(q):
        vals = []
        for bits in itertools.product((0, 1), repeat=len(rows)):
            w = mp.fprod(keep if b else delta for b in bits)
            vals.append((w, mp.fsum((kept if b else -1) * r[k] for b, r in zip(bits, rows))))
        out.append(vals)
    return out


def per_class_penalty(case, p):
    """R = E[log sum_k p_k e^{eps_k}] by enumerating the product of the class lists, and the
    quadratic term sum_k p_k (1 - p_k) Var(eps_k) / 2 from the lists' variances."""
    lists = class_lists(case)
    scaled = [[(w, pk * mp.exp(e)) for w, e in lst] for pk, lst in zip(p, lists)]
    R = mp.mpf(0)
    for combo in itertools.product(*scaled):
        w = mp.fprod(x[0] for x in combo)
        R += w * mp.log(mp.fsum(x[1] for x in combo))
    var = [mp.fsum(w * e * e for w, e in lst) for lst in lists]
    quad = mp.fsum(pk * (1 - pk) * v for pk, v in zip(p, var)) / 2
    return R, quad


def masks_of(case):
    """The masks as (weight, eps) with exact weights, and whether each class's noise is
    independent (per-class masks)."""
    q = case["classes"]
    delta = mp.mpf(case["delta"])
    keep = 1 - delta
    c = case["contributions"]
    if "equal" in c:
        eta = [mp.mpf(x) for x in c["equal"]["logits"]]
        d = c["equal"]["dimension"]
        ks = [(k, mp.exp(ln_binom_pmf(k, d, keep, delta)), mp.mpf(k) / (d * keep) - 1)
              for k in range(d + 1)]
        if case["masks"] == "shared":
            return [(w, [sv * h for h in eta]) for _, w, sv in ks]
        out = []
        for combo in itertools.product(ks, repeat=q):
            w = mp.fprod(x[1] for x in combo)
            out.append((w, [x[2] * h for x, h in zip(combo, eta)]))
        return out
    rows = [[mp.mpf(x) for x in r] for r in c["explicit"]]
    d = len(rows)
    kept = delta / keep
    if case["masks"] == "shared":
        out = []
        for bits in itertools.product((0, 1), repeat=d):
            w = mp.fprod(keep if b else delta for b in bits)
            eps = [mp.fsum((kept if b else -1) * r[k] for b, r in zip(bits, rows))
                   for k in range(q)]
            out.append((w, eps))
        return out
    per_class = []
    for k in range(q):
        vals = []
        for bits in itertools.product((0, 1), repeat=d):
            w = mp.fprod(keep if b else delta for b in bits)
            vals.append((w, mp.fsum((kept if b else -1) * r[k] for b, r in zip(bits, rows))))
        per_class.append(vals)
    out = []
    for combo in itertools.product(*per_class):
        out.append((mp.fprod(x[0] for x in combo), [x[1] for x in combo]))
    return out


def logits_of(case):
    c = case["contributions"]
    if "equal" in c:
        return [mp.mpf(x) for x in c["equal"]["logits"]]
    rows = [[mp.mpf(x) for x in r] for r in c["explicit"]]
    return [mp.fsum(r[k] for r in rows) for k in range(case["classes"])]


def evaluate(case):
    eta = logits_of(case)
    a0 = lse(eta)
    p = [mp.exp(e - a0) for e in eta]
    order = case["order"]
    terms_to = case.get("terms_to", order)
    if case.get("large"):
        R, quad = per_class_penalty(case, p)
        return {
            "label": case["label"],
            "params": {k: case[k] for k in ("delta", "order", "classes", "masks",
                                            "contributions")},
            "logits": [s(x) for x in eta],
            "probabilities": [s(x) for x in p],
            "terms": [s(0), s(0), s(quad)] + [None] * (order - 2),
            "terms_to": 2,
            "quadratic": s(quad),
            "exact_penalty": s(R),
            "mask_radius": None,
            "converges": None,
        }
    masks = masks_of(case)
    total_w = mp.fsum(w for w, _ in masks)
    assert abs(total_w - 1) < mp.mpf(10) ** -40
    R = mp.fsum(w * (lse([h + e for h, e in zip(eta, eps)]) - a0) for w, eps in masks)
    terms = [mp.mpf(0)] * (terms_to + 1)
    if terms_to >= 2:
        for w, eps in masks:
            kap = cumulants(p, eps, terms_to)
            for m in range(2, terms_to + 1):
                terms[m] += w * kap[m] / mp.factorial(m)
    out_terms = [s(terms[m]) if m <= terms_to else None for m in range(order + 1)]
    # Radius: masks in order of a valid lower bound; stop once it passes the best radius.
    rho = None
    if case.get("radius", True):
        bounds = sorted(((lower_bound(p, eps), i) for i, (_, eps) in enumerate(masks)),
                        key=lambda x: x[0])
        best = mp.inf
        for b, i in bounds:
            if b >= best:
                break
            r = radius(p, masks[i][1])
            if r is not None and r < best:
                best = r
        rho = None if best == mp.inf else best
    converges = None if not case.get("radius", True) else (True if rho is None else bool(rho > 1))
    return {
        "label": case["label"],
        "params": {k: case[k] for k in ("delta", "order", "classes", "masks", "contributions")},
        "logits": [s(x) for x in eta],
        "probabilities": [s(x) for x in p],
        "terms": out_terms,
        "terms_to": terms_to,
        "quadratic": s(terms[2]) if terms_to >= 2 else None,
        "exact_penalty": s(R),
        "mask_radius": s(rho),
        "converges": converges,
    }


def check_taylor(case, upto=12):
    """mpmath.taylor of t -> E[log sum p e^{t eps}] against the moment route."""
    eta = logits_of(case)
    a0 = lse(eta)
    p = [mp.exp(e - a0) for e in eta]
    masks = masks_of(case)
    f = lambda t: mp.fsum(w * mp.log(mp.fsum(pk * mp.exp(t * e) for pk, e in zip(p, eps)))
                          for w, eps in masks)
    with mp.workdps(70):
        coeffs = mp.taylor(f, 0, upto)
    ref = evaluate(dict(case, radius=False))["terms"]
    for m in range(2, upto + 1):
        a, b = mp.mpf(coeffs[m]), mp.mpf(ref[m])
        assert abs(a - b) <= mp.mpf(10) ** -18 * max(abs(b), mp.mpf(10) ** -30), (m, a, b)


def equal(label, delta, logits, d, masks, order, **extra):
    return dict(label=label, delta=delta, order=order, classes=len(logits), masks=masks,
                contributions={"equal": {"logits": logits, "dimension": d}}, **extra)


def explicit(label, delta, rows, masks, order, **extra):
    return dict(label=label, delta=delta, order=order, classes=len(rows[0]), masks=masks,
                contributions={"explicit": rows}, **extra)


CASES = [
    equal("q2 shared equal", 0.5, [0.3, 2.125], 10, "shared", 30),
    equal("q3 shared equal", 0.3, [1.0, -0.5, 2.0], 20, "shared", 30),
    equal("q4 shared equal, delta > 1/2, diverges", 0.8, [3.0, -2.0, 0.5, 1.0], 50, "shared", 30),
    equal("q5 shared equal", 0.6, [0.25, -1.5, 1.0, 0.0, 2.5], 7, "shared", 25),
    equal("q3 shared equal d=1000 delta=0.9", 0.9, [1.5, -0.5, 0.75], 1000, "shared", 20),
    equal("q2 per-class equal", 0.4, [-1.0, 1.5], 5, "per_class", 25),
    equal("q3 per-class equal", 0.5, [0.5, -1.0, 1.5], 4, "per_class", 25),
    equal("q4 per-class equal, diverges", 0.7, [2.0, -1.0, 0.0, 1.0], 3, "per_class", 25),
    equal("q5 per-class equal d=16 (one-dimensional sums)", 0.5, [0.5, -0.25, 1.0, 0.0, -1.0],
          16, "per_class", 10, large=True),
    explicit("q3 shared explicit", 0.5, [[1.0, -0.5, 0.25], [-0.75, 1.5, 0.5], [0.5, 0.25, -1.25]],
             "shared", 30),
    explicit("q4 shared explicit, mixed signs", 0.3,
             [[0.5, -1.0, 0.25, 0.0], [-0.5, 0.75, 1.0, -0.25], [1.25, 0.5, -0.75, 0.5],
              [0.0, -0.25, 0.5, 1.0], [-1.0, 0.25, 0.0, -0.5], [0.25, 0.5, -0.5, 0.75]],
             "shared", 30),
    explicit("q5 shared explicit", 0.6,
             [[0.25, -0.5, 0.125, 0.0, 0.375], [-0.25, 0.5, 0.25, -0.125, 0.0],
              [0.5, 0.0, -0.375, 0.25, -0.25], [0.0, 0.125, 0.25, -0.5, 0.125],
              [-0.125, -0.25, 0.0, 0.375, 0.25], [0.375, 0.25, -0.125, 0.0, -0.5],
              [0.0, -0.375, 0.5, 0.125, 0.0], [0.125, 0.0, 0.0, -0.25, 0.375]],
             "shared", 25),
    explicit("q3 shared explicit, large mixed signs, diverges", 0.5,
             [[3.0, -2.0, 0.5], [-2.5, 3.0, -1.0], [1.5, -1.5, 2.0], [-1.0, 0.5, -2.5]],
             "shared", 30),
    explicit("q2 per-class explicit", 0.25, [[0.5, -1.0], [1.0, 0.25], [-0.75, 0.5], [0.25, 0.75]],
             "per_class", 25),
    explicit("q3 per-class explicit", 0.5, [[1.0, -0.5, 0.25], [-0.75, 1.5, 0.5], [0.5, 0.25, -1.25]],
             "per_class", 25),
    explicit("q4 per-class explicit, diverges", 0.6, [[2.0, -1.5, 0.5, 1.0], [-1.0, 2.5, -2.0, 0.5]],
             "per_class", 25),
    explicit("q3 per-class explicit d=7 (one-dimensional sums)", 0.4,
             [[0.5, -0.25, 0.125], [-0.375, 0.5, 0.25], [0.25, 0.125, -0.5], [0.0, -0.25, 0.375],
              [0.125, 0.375, 0.0], [-0.25, 0.0, 0.25], [0.375, -0.125, -0.25]],
             "per_class", 10, large=True),
    explicit("q3 shared explicit, small contributions, converges", 0.4,
             [[0.5, -0.25, 0.125], [-0.375, 0.5, 0.25], [0.25, 0.125, -0.5], [-0.125, -0.25, 0.375]],
             "shared", 30),
    explicit("q3 per-class explicit, small contributions, converges", 0.3,
             [[0.5, -0.25, 0.375], [-0.25, 0.375, -0.5], [0.125, -0.375, 0.25]],
             "per_class", 25),
]


def check_per_class_route():
    """The per-class product route against full mask enumeration on a small case."""
    case = CASES[6]
    eta = logits_of(case)
    a0 = lse(eta)
    p = [mp.exp(e - a0) for e in eta]
    R, quad = per_class_penalty(case, p)
    full = evaluate(dict(case, radius=False))
    assert abs(R - mp.mpf(full["exact_penalty"])) < mp.mpf(10) ** -18 * R
    assert abs(quad - mp.mpf(full["quadratic"])) < mp.mpf(10) ** -18 * quad


def main():
    check_taylor(CASES[9])
    check_taylor(CASES[6])
    check_per_class_route()
    out = []
    for i, case in enumerate(CASES):
        r = evaluate(case)
        r["index"] = i
        out.append(r)
        print(i, case["label"], r["exact_penalty"], r["mask_radius"], r["converges"],
              file=sys.stderr)
    doc = {
        "generator": "tests/data/gen_softmax_reference.py",
        "dps": DPS,
        "description": "softmax dropout penalty: terms E[kappa_m]/m!, exact R, mask radius",
        "cases": out,
    }
    with open("tests/data/softmax_reference.json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
