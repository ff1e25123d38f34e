#!/usr/bin/env python3
"""High-precision reference vectors for dropscope's engine (tests/reference.rs reads the output).

Run from the crate root:

    python3 tests/data/gen_reference.py            # writes tests/data/reference.json, runs self-checks
    python3 tests/data/gen_reference.py --no-check # skip the internal cross-checks
    python3 tests/data/gen_reference.py --dps 80   # other working precision (default 60)

Needs only mpmath (pip install mpmath). Takes a few minutes on one core. Nothing here uses dropscope's
own output: every quantity is computed from the definitions in docs/math.md in mpmath at
`--dps` significant digits (plus guard digits), independently of the Rust engine:

- coefficients a_m = A^(m)(xb)/m! of A(z) = log(1+e^z) (sigmoid Taylor recurrence at -|xb|, reflected;
  cross-checked against -Li_{-n}(-e^xb)/(n+1)! (mpmath polylog, 300 digits) and Theorem 1 at 500 digits),
  or of A(z) = z^2/2 for the linear model;
- moments M_m = E[(S-xb)^m] and absolute moments E|S-xb|^m: equal contributions by the exact binomial
  sum (windowed only where the pmf is below e^-(460 + ...) for d >= 10^4), explicit lists by
  enumerating all 2^d masks (grouped by kept sum), Gaussian noise by (m-1)!! sigma^m; or the paper's
  eq. (8) moments M_m = xb^m delta^m/(1-delta)^(m-1) (then abs_moments are |M_m|, the scale of the
  moments actually used);
- partial sums R_m, their absolute counterparts sum_j |a_j| E|S-xb|^j, the quadratic R_2, the exact
  penalty R = E[A(S)] - A(xb) (the TRUE penalty also when moments = paper; Gaussian by mpmath quad),
  the penalty scale A(xb) + E[A(S)], the true radius sqrt(xb^2+pi^2), the maximum deviation over
  masks, the convergence verdict (from the support's structure), the paper's condition
  |w_j| < 2 pi/d, and the best truncation order k* = argmin_m |R_m - R| (smallest on ties) with its
  error, plus the runner-up order (so a test can tell whether k* is well separated).

Inputs (delta, xb, weights, sigma) are taken as the exact binary values of the f64 numbers written in
"params"; explicit weights are multiples of 1/64 so xb = their sum is exact in f64 too. Every real
output is a decimal string with 20 significant digits (some lie outside the f64 range); null is null.
"""

import argparse
import json
import math
import sys
import time

from mpmath import mp, mpf

EXTRA = 30  # guard digits for every internal computation
WEIGHT_DEN = 64  # explicit weights are multiples of 1/WEIGHT_DEN


# ----------------------------------------------------------------------------------------------
# Log-partition functions and Taylor coefficients
# ----------------------------------------------------------------------------------------------

def softplus(z):
    """A(z) = log(1 + e^z), stable for either sign."""
    if z > 0:
        return z + mp.log1p(mp.exp(-z))
    return mp.log1p(mp.exp(z))


def sigmoid(z):
    if z >= 0:
        return 1 / (1 + mp.exp(-z))
    e = mp.exp(z)
    return e / (1 + e)


def coeffs_logistic(z, k):
    """a_0..a_k of log(1+e^x) at x = z via the sigmoid recurrence at -|z| and reflection."""
    with mp.extradps(EXTRA):
        u = -abs(z)
        s = [sigmoid(u)]
        for n in range(0, max(k - 1, 0)):
            conv = mp.fsum(s[i] * s[n - i] for i in range(n + 1))
            s.append((s[n] - conv) / (n + 1))
        a = [softplus(z), sigmoid(z)]
        for m in range(2, k + 1):
            am = s[m - 1] / m  # coefficient at u = -|z|
            if z > 0 and m % 2 == 1:
                am = -am  # a_m(z) = (-1)^m a_m(-z) for m >= 2
            a.append(am)
        if z == 0:
            for m in range(3, k + 1, 2):
                a[m] = mpf(0)  # A(z) - z/2 is even
    return [+x for x in a[: k + 1]]


def coeffs_logistic_polylog(z, k):
    """Independent check: sigma^(n)(z) = -Li_{-n}(-e^z), a_{n+1} = sigma^(n)/(n+1)!."""
    # mpmath's polylog of negative order loses many digits for |x| near 1; 300 digits covers it
    with mp.workdps(max(300, mp.dps + EXTRA)):
        a = [softplus(z)]
        for m in range(1, k + 1):
            a.append(-mp.polylog(-(m - 1), -mp.exp(z)) / mp.factorial(m))
    return [+x for x in a]


def coeffs_logistic_theorem1(z, k):
    """Independent check: Theorem 1, sigma^(n) = sigma' sum_j (-1)^(j-1) sigma^(j-1) j! S2(n,j),
    with exact integer Stirling numbers, evaluated at 500 digits (it is ill-conditioned)."""
    # Stirling numbers of the second kind, exact
    S2 = [[1]]
    for n in range(1, k + 1):
        row = [0] * (n + 1)
        for j in range(1, n + 1):
            row[j] = (j * S2[n - 1][j] if j < n else 0) + S2[n - 1][j - 1]
        S2.append(row)
    with mp.workdps(500):
        zz = mpf(z)
        p = sigmoid(zz)
        dp = p * (1 - p)
        a = [softplus(zz), p]
        for m in range(2, k + 1):
            n = m - 1
            tot = mpf(0)
            for j in range(1, n + 1):
                tot += (-1) ** (j - 1) * p ** (j - 1) * math.factorial(j) * S2[n][j]
            a.append(dp * tot / mp.factorial(m))
        return [a_ * 1 for a_ in a]


def coeffs_linear(z, k):
    a = [z * z / 2, z, mpf(1) / 2] + [mpf(0)] * max(k - 2, 0)
    return a[: k + 1]


# ----------------------------------------------------------------------------------------------
# Supports of S - xb and moments
# ----------------------------------------------------------------------------------------------

def equal_support(delta, xb, d, k, window=True):
    """[(probability, S - xb)] for equal contributions: S - xb = cK - xb, K ~ Bin(d, 1-delta)."""
    if delta == 0:
        return [(mpf(1), mpf(0))]
    with mp.extradps(EXTRA):
        p = 1 - delta
        q = delta
        c = xb / (d * p)
        lo, hi = 0, d
        if window and d > 2000:
            # decide the window in floats; it is only a selection, the sum below is in mp
            fp, fq = float(p), float(q)
            lgd = math.lgamma(d + 1)

            def lp(K):
                return lgd - math.lgamma(K + 1) - math.lgamma(d - K + 1) + K * math.log(fp) + (d - K) * math.log(fq)

            mode = min(d, max(0, int((d + 1) * fp)))
            sd = math.sqrt(d * fp * fq) * abs(float(c)) or 1.0
            maxdev = abs(float(xb)) * max(1.0, fq / fp)
            margin = 200 * math.log(10) + k * math.log(max(1.0, maxdev / sd)) + math.log(d + 1)
            top = lp(mode)
            lo = mode
            while lo > 0 and lp(lo - 1) > top - margin:
                lo -= 1
            hi = mode
            while hi < d and lp(hi + 1) > top - margin:
                hi += 1
        pmf = mp.binomial(d, lo) * p ** lo * q ** (d - lo)
        out = []
        ratio = p / q
        for K in range(lo, hi + 1):
            out.append((pmf, c * K - xb))
            pmf = pmf * (d - K) / (K + 1) * ratio
        return out


def explicit_support(delta, weights, xb):
    """[(probability, S - xb)] by enumerating all 2^d masks, grouped by (kept sum, kept count)."""
    units = []
    for w in weights:
        u = w * WEIGHT_DEN
        assert u == int(u), f"weight {w} is not a multiple of 1/{WEIGHT_DEN}"
        units.append(int(u))
    states = {(0, 0): 1}
    for u in units:
        nxt = {}
        for (s, n), mult in states.items():
            nxt[(s, n)] = nxt.get((s, n), 0) + mult  # dropped
            key = (s + u, n + 1)
            nxt[key] = nxt.get(key, 0) + mult  # kept
        states = nxt
    d = len(weights)
    if delta == 0:
        return [(mpf(1), mpf(0))]
    with mp.extradps(EXTRA):
        p = 1 - delta
        q = delta
        out = []
        for (s, n), mult in sorted(states.items()):
            prob = mult * p ** n * q ** (d - n)
            val = mpf(s) / WEIGHT_DEN / p - xb
            out.append((prob, val))
        return out


def support_moments(support, k):
    """M_m and E|X|^m, m = 0..k, of the discrete distribution [(prob, x)]."""
    with mp.extradps(EXTRA):
        M = [mpf(0)] * (k + 1)
        Mabs = [mpf(0)] * (k + 1)
        for prob, x in support:
            pw = prob
            for m in range(k + 1):
                M[m] += pw
                Mabs[m] += abs(pw)
                pw *= x
        return [+v for v in M], [+v for v in Mabs]


def support_penalty(support, xb, A):
    """E[A(S)] - A(xb) summed term by term (no cancellation between large sums)."""
    with mp.extradps(EXTRA):
        a0 = A(xb)
        tot = mp.fsum(prob * (A(xb + x) - a0) for prob, x in support)
        return +tot


def gaussian_moments(sigma, k):
    with mp.extradps(EXTRA):
        M = [mpf(1)] + [mpf(0)] * k
        Mabs = [mpf(1)] + [mpf(0)] * k
        if sigma == 0:
            return M, Mabs
        for m in range(1, k + 1):
            if m % 2 == 0:
                M[m] = mp.fac2(m - 1) * sigma ** m
            Mabs[m] = sigma ** m * mpf(2) ** (mpf(m) / 2) * mp.gamma(mpf(m + 1) / 2) / mp.sqrt(mp.pi)
        return [+v for v in M], [+v for v in Mabs]


def gaussian_penalty(xb, sigma, method="tanh-sinh"):
    """R = E[A(xb + sigma t)] - A(xb), t ~ N(0,1), logistic A. Integrates the non-negative
    A(xb+sigma t) - A(xb) - A'(xb) sigma t (its linear part has zero mean)."""
    if sigma == 0:
        return mpf(0)
    with mp.extradps(EXTRA):
        a0 = softplus(xb)
        a1 = sigmoid(xb)
        norm = 1 / mp.sqrt(2 * mp.pi)

        def f(t):
            return norm * mp.exp(-t * t / 2) * (softplus(xb + sigma * t) - a0 - a1 * sigma * t)

        pts = [-40, -20, -10, -6, -3, -1, 0, 1, 3, 6, 10, 20, 40]
        t0 = -xb / sigma
        if -40 < t0 < 40:
            pts.append(t0)
        pts = sorted(set(mpf(x) for x in pts))
        if method == "tanh-sinh":
            pts = [-mp.inf] + pts + [mp.inf]
        v = mp.quad(f, pts, method=method)
        return +v


# ----------------------------------------------------------------------------------------------
# One case
# ----------------------------------------------------------------------------------------------

def fmt(x):
    if x is None:
        return None
    x = mpf(x)
    if x == 0:
        return "0"
    return mp.nstr(x, 20, strip_zeros=False, min_fixed=1, max_fixed=0)


def compute_case(spec):
    """spec: dict with delta, xb (ignored for explicit), order, dimension, weights, noise, sigma,
    model, moments. Returns the raw mp results (dict) before formatting."""
    delta = mpf(spec["delta"])
    k = spec["order"]
    kk = max(k, 2)  # moments/coefficients to at least order 2 for R_2
    weights = spec["weights"]
    if weights == "equal":
        d = spec["dimension"]
        xb = mpf(spec["xb"])
        sumsq = xb * xb / d
        wlist = None
    else:
        d = len(weights)
        xb = mp.fsum(mpf(w) for w in weights)
        assert float(xb) == sum(weights) and mpf(float(xb)) == xb, "xb must be the exact f64 sum"
        sumsq = mp.fsum(mpf(w) ** 2 for w in weights)
        wlist = [mpf(w) for w in weights]
    noise, model, mkind = spec["noise"], spec["model"], spec["moments"]
    logistic = model == "logistic"
    A = softplus if logistic else (lambda z: z * z / 2)
    a = coeffs_logistic(xb, kk) if logistic else coeffs_linear(xb, kk)

    with mp.extradps(EXTRA):
        dropout_var = delta / (1 - delta) * sumsq
    sigma_used = None
    if noise == "gaussian":
        sigma_used = mpf(spec["sigma"]) if spec["sigma"] is not None else mp.sqrt(dropout_var)
        support = None
    else:
        support = equal_support(delta, xb, d, kk) if wlist is None else explicit_support(delta, weights, xb)

    # true moments (needed for the exact penalty of the linear model and the paper cases' R)
    if noise == "gaussian":
        Mtrue, Mabs_true = gaussian_moments(sigma_used, kk)
    else:
        Mtrue, Mabs_true = support_moments(support, kk)

    if mkind == "paper":
        assert noise == "dropout"
        with mp.extradps(EXTRA):
            M = [mpf(1)] + [xb ** m * delta ** m / (1 - delta) ** (m - 1) for m in range(1, kk + 1)]
            M = [+v for v in M]
        Mabs = [abs(v) for v in M]
    else:
        M, Mabs = Mtrue, Mabs_true

    # exact penalty (always the true one)
    if not logistic:
        with mp.extradps(EXTRA):
            R = Mtrue[2] / 2  # Var(S)/2 with the same M_2 the series uses, so R_2 - R is exactly 0
    elif noise == "gaussian":
        R = gaussian_penalty(xb, sigma_used)
    else:
        R = support_penalty(support, xb, A)

    with mp.extradps(EXTRA):
        ps = [mpf(0), mpf(0)]
        aps = [mpf(0), mpf(0)]
        for m in range(2, kk + 1):
            ps.append(ps[-1] + a[m] * M[m])
            aps.append(aps[-1] + abs(a[m]) * Mabs[m])
        scale = 2 * A(xb) + R
    quadratic = ps[2]
    quadratic_scale = aps[2]

    # radius, max deviation, verdicts
    radius = mp.sqrt(xb * xb + mp.pi ** 2) if logistic else None
    if noise == "gaussian":
        maxdev = mpf(0) if sigma_used == 0 else None
    elif delta == 0:
        maxdev = mpf(0)
    else:
        ws = wlist if wlist is not None else [xb / d]
        mult = 1 if wlist is not None else d
        P = mult * mp.fsum(w for w in ws if w > 0)
        N = mult * mp.fsum(w for w in ws if w < 0)
        with mp.extradps(EXTRA):
            maxdev = +max(P / (1 - delta) - xb, xb - N / (1 - delta))
    if not logistic:
        converges = True
    elif noise == "gaussian":
        converges = sigma_used == 0
    else:
        converges = bool(maxdev < radius)
    bound = 2 * mp.pi / d
    if wlist is None:
        paper_condition = bool(abs(xb / d) < bound)
    else:
        paper_condition = all(abs(w) < bound for w in wlist)

    errs = [abs(ps[m] - R) for m in range(k + 1)]
    best = min(range(k + 1), key=lambda m: (errs[m], m))
    others = [m for m in range(k + 1) if m != best]
    runner = min(others, key=lambda m: (errs[m], m)) if others else None

    return {
        "a": a[: k + 1], "M": M[: k + 1], "Mabs": Mabs[: k + 1], "ps": ps[: k + 1], "aps": aps[: k + 1],
        "quadratic": quadratic, "quadratic_scale": quadratic_scale, "R": R, "scale": scale,
        "radius": radius, "maxdev": maxdev, "converges": converges, "paper_condition": paper_condition,
        "best": best, "best_err": errs[best], "runner": runner,
        "runner_err": errs[runner] if runner is not None else None,
        "sigma_used": sigma_used, "xb": xb, "d": d,
        "support_size": len(support) if support is not None else None,
        "Mtrue": Mtrue, "Mabs_true": Mabs_true,
    }


def case_json(idx, spec, r):
    return {
        "index": idx,
        "label": spec["label"],
        "category": spec["category"],
        "params": {
            "delta": spec["delta"],
            "xb": float(r["xb"]),
            "order": spec["order"],
            "dimension": r["d"],
            "weights": spec["weights"],
            "noise": spec["noise"],
            "sigma": spec["sigma"],
            "model": spec["model"],
            "moments": spec["moments"],
        },
        "coefficients": [fmt(x) for x in r["a"]],
        "moments": [fmt(x) for x in r["M"]],
        "abs_moments": [fmt(x) for x in r["Mabs"]],
        "partial_sums": [fmt(x) for x in r["ps"]],
        "abs_partial_sums": [fmt(x) for x in r["aps"]],
        "quadratic": fmt(r["quadratic"]),
        "quadratic_scale": fmt(r["quadratic_scale"]),
        "exact_penalty": fmt(r["R"]),
        "penalty_scale": fmt(r["scale"]),
        "radius_true": fmt(r["radius"]),
        "max_deviation": fmt(r["maxdev"]),
        "converges": r["converges"],
        "paper_condition": r["paper_condition"],
        "best_order": {"order": r["best"], "error": fmt(r["best_err"])},
        "runner_up": None if r["runner"] is None else {"order": r["runner"], "error": fmt(r["runner_err"])},
        "sigma_used": fmt(r["sigma_used"]),
    }


# ----------------------------------------------------------------------------------------------
# The grid
# ----------------------------------------------------------------------------------------------

def spec(category, label, delta, xb=None, order=40, dimension=None, weights="equal", noise="dropout",
         sigma=None, model="logistic", moments="exact"):
    if weights != "equal":
        dimension = len(weights)
        xb = sum(weights)
    return dict(category=category, label=label, delta=float(delta), xb=float(xb), order=order,
                dimension=dimension, weights=weights, noise=noise, sigma=sigma, model=model,
                moments=moments)


def build_grid():
    cases = []
    # 1. equal contributions, dropout, logistic, exact moments: delta x xb, d and k cycling
    deltas = [0.05, 0.1, 0.25, 0.5, 0.6, 0.75, 0.9]
    xbs = [-25.0, -12.5, -4.5, -1.0, 0.5, 2.0, 6.0, 12.0, 25.0]
    ds = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 3, 7]
    ks = [150, 60, 100, 30, 150, 80, 120, 45]
    i = 0
    for di, delta in enumerate(deltas):
        for xi, xb in enumerate(xbs):
            if (di + xi) % 4 == 3:
                continue  # thin the product a little (keeps every delta and every xb)
            d = ds[i % len(ds)]
            k = ks[i % len(ks)]
            cases.append(spec("equal", f"equal d={d}", delta, xb, k, d))
            i += 1
    # 2. large d (windowed pmf)
    cases.append(spec("equal-large-d", "d=1e4, converges", 0.5, 3.0, 100, 10_000))
    cases.append(spec("equal-large-d", "d=1e5, math.md example at d=1e5 (diverges)", 0.75, -4.5, 150, 100_000))
    cases.append(spec("equal-large-d", "d=1e4, delta=0.9 (diverges)", 0.9, 10.0, 80, 10_000))
    # 3. edge cases, equal contributions
    cases.append(spec("edge", "math.md example: diverges yet R_24 ~ R", 0.75, -4.5, 150, 500))
    cases.append(spec("edge", "delta = 0: zero penalty", 0.0, 3.0, 40, 10))
    cases.append(spec("edge", "delta = 0, d = 1", 0.0, -7.0, 20, 1))
    cases.append(spec("edge", "xb = 0", 0.5, 0.0, 60, 10))
    cases.append(spec("edge", "xb = 0, delta = 0.9", 0.9, 0.0, 150, 1))
    cases.append(spec("edge", "diverges: delta > 1/2, |xb| beyond pi/sqrt(r^2-1)", 0.8, 5.0, 150, 50))
    cases.append(spec("edge", "converges just inside the equal-profile boundary", 0.6, 2.5, 150, 20))
    cases.append(spec("edge", "diverges just outside the equal-profile boundary", 0.6, 3.0, 150, 20))
    cases.append(spec("edge", "order k = 1", 0.3, 1.5, 1, 4))
    cases.append(spec("edge", "order k = 2", 0.3, -1.5, 2, 4))
    cases.append(spec("edge", "order k = 0", 0.3, 2.0, 0, 4))
    cases.append(spec("edge", "paper condition fails (|xb| >= 2 pi) but converges", 0.25, 7.0, 80, 40))
    cases.append(spec("edge", "tiny moments (underflow at high order)", 0.05, 0.5, 150, 1000))
    cases.append(spec("edge", "huge moments (overflow at high order)", 0.9, 25.0, 150, 1))
    cases.append(spec("edge", "rare drop, d=1: the drop dominates R", 0.0014340869327912373, 27.216599470250525, 40, 1))
    cases.append(spec("edge", "rare drops, d=3, delta=1e-4", 1e-4, -12.0, 60, 3))
    cases.append(spec("edge", "d=1e5, delta=1e-4 (Poisson-like dropped count)", 1e-4, 8.0, 80, 100_000))
    # 4. explicit mixed-sign lists (multiples of 1/64), all 2^d masks
    E = "explicit"
    cases.append(spec(E, "d=1 explicit", 0.5, order=60, weights=[2.5]))
    cases.append(spec(E, "d=2 cancelling, diverges", 0.5, order=150, weights=[4.0, -3.5]))
    cases.append(spec(E, "d=2 small, converges", 0.3, order=100, weights=[0.75, -0.25]))
    cases.append(spec(E, "d=3 mixed", 0.25, order=80, weights=[1.5, -2.0, 0.5]))
    cases.append(spec(E, "d=3 sum zero, diverges", 0.5, order=150, weights=[3.0, -4.0, 1.0]))
    cases.append(spec(E, "d=4 paper condition holds", 0.4, order=120, weights=[0.375, -0.25, 0.5, 0.125]))
    cases.append(spec(E, "d=4 mixed, converges", 0.2, order=150, weights=[1.25, -0.75, 2.0, -0.5]))
    cases.append(spec(E, "d=5 cancelling, diverges (f64 EGF loses digits here)", 0.5, order=120,
                      weights=[5.0, -4.0, 3.0, -2.5, 1.0]))
    cases.append(spec(E, "d=6 mixed", 0.1, order=60, weights=[2.0, -1.5, 1.0, -0.5, 0.25, 3.0]))
    cases.append(spec(E, "d=6 large xb, negative", 0.3, order=150, weights=[-5.0, -4.5, 1.0, -6.0, 2.0, -3.5]))
    cases.append(spec(E, "d=7 mixed, delta 0.75", 0.75, order=100,
                      weights=[0.5, -0.375, 0.25, 0.125, -0.625, 0.75, 0.3125]))
    cases.append(spec(E, "d=8 all equal (matches equal profile)", 0.3, order=80, weights=[0.375] * 8))
    cases.append(spec(E, "d=8 mixed, diverges", 0.6, order=150,
                      weights=[3.0, -2.0, 2.5, -3.5, 1.0, -1.5, 4.0, -0.5]))
    cases.append(spec(E, "d=9 small weights, paper condition holds", 0.5, order=150,
                      weights=[0.5, -0.25, 0.375, 0.125, -0.5, 0.625, 0.25, -0.125, 0.0625]))
    cases.append(spec(E, "d=10 mixed", 0.25, order=100,
                      weights=[1.0, -0.5, 0.75, -1.25, 2.0, 0.5, -0.75, 1.5, -1.0, 0.25]))
    cases.append(spec(E, "d=10 positive, xb=25", 0.05, order=150, weights=[2.5] * 10))
    cases.append(spec(E, "d=11 sum zero", 0.5, order=120,
                      weights=[1.0, -1.0, 2.0, -2.0, 0.5, -0.5, 1.5, -1.5, 0.25, -0.25, 0.0]))
    cases.append(spec(E, "d=12 mixed, diverges", 0.75, order=150,
                      weights=[1.5, -1.0, 2.0, -2.5, 0.5, 1.0, -0.75, 3.0, -1.25, 0.25, -0.5, 2.25]))
    cases.append(spec(E, "d=12 mixed, converges", 0.1, order=150,
                      weights=[0.25, -0.125, 0.5, -0.375, 0.0625, 0.75, -0.25, 0.125, -0.5, 0.375, 0.1875, -0.0625]))
    cases.append(spec(E, "d=12 negative xb", 0.9, order=100,
                      weights=[-1.0, -0.5, 0.25, -2.0, -1.5, 0.75, -0.25, -1.25, 0.5, -0.75, -3.0, 1.0]))
    cases.append(spec(E, "delta = 0 explicit", 0.0, order=30, weights=[1.0, -2.0, 0.5]))
    # 5. Gaussian noise
    G = "gaussian"
    cases.append(spec(G, "gaussian, sigma = dropout sd", 0.5, 6.0, 40, 10, noise=G))
    cases.append(spec(G, "gaussian, sigma = dropout sd, d=1", 0.25, -4.5, 100, 1, noise=G))
    cases.append(spec(G, "gaussian, sigma = dropout sd, d=100", 0.75, 2.0, 150, 100, noise=G))
    cases.append(spec(G, "gaussian, sigma = dropout sd, explicit list", 0.5, order=80,
                      weights=[1.5, -2.0, 0.5], noise=G))
    cases.append(spec(G, "gaussian sigma 0.5", 0.5, 0.0, 150, 10, noise=G, sigma=0.5))
    cases.append(spec(G, "gaussian sigma 1", 0.5, 3.0, 120, 10, noise=G, sigma=1.0))
    cases.append(spec(G, "gaussian sigma 2", 0.5, -12.5, 150, 10, noise=G, sigma=2.0))
    cases.append(spec(G, "gaussian sigma 3, xb=25", 0.5, 25.0, 100, 10, noise=G, sigma=3.0))
    cases.append(spec(G, "gaussian sigma 0.25, xb=-25", 0.5, -25.0, 150, 10, noise=G, sigma=0.25))
    cases.append(spec(G, "gaussian sigma 5", 0.5, 1.0, 60, 10, noise=G, sigma=5.0))
    cases.append(spec(G, "gaussian sigma 0 (no noise)", 0.5, 2.0, 40, 10, noise=G, sigma=0.0))
    cases.append(spec(G, "gaussian linear, sigma = dropout sd", 0.5, 6.0, 40, 10, noise=G, model="linear"))
    cases.append(spec(G, "gaussian linear, sigma 2", 0.25, -3.0, 20, 5, noise=G, sigma=2.0, model="linear"))
    # 6. linear model, dropout
    L = "linear"
    cases.append(spec(L, "linear equal", 0.5, 6.0, 40, 10, model=L))
    cases.append(spec(L, "linear equal d=1", 0.9, -25.0, 150, 1, model=L))
    cases.append(spec(L, "linear equal d=1000", 0.25, 12.5, 60, 1000, model=L))
    cases.append(spec(L, "linear explicit", 0.5, order=80, weights=[3.0, -4.0, 1.0], model=L))
    cases.append(spec(L, "linear explicit d=12", 0.3, order=30,
                      weights=[1.5, -1.0, 2.0, -2.5, 0.5, 1.0, -0.75, 3.0, -1.25, 0.25, -0.5, 2.25], model=L))
    cases.append(spec(L, "linear paper moments", 0.5, 6.0, 40, 10, model=L, moments="paper"))
    cases.append(spec(L, "linear delta = 0", 0.0, 2.0, 10, 3, model=L))
    # 7. the paper's eq. (8) moments
    P = "paper"
    cases.append(spec(P, "paper moments d=1 (M_2 = delta x true)", 0.5, 2.0, 60, 1, moments=P))
    cases.append(spec(P, "paper moments d=10", 0.5, 6.0, 40, 10, moments=P))
    cases.append(spec(P, "paper moments d=100", 0.25, -4.5, 100, 100, moments=P))
    cases.append(spec(P, "paper moments d=1000", 0.1, 12.0, 150, 1000, moments=P))
    cases.append(spec(P, "paper moments diverge (xb delta/(1-delta) > r)", 0.75, -4.5, 150, 500, moments=P))
    cases.append(spec(P, "paper moments xb=25", 0.9, 25.0, 150, 20, moments=P))
    cases.append(spec(P, "paper moments xb=0", 0.5, 0.0, 30, 10, moments=P))
    cases.append(spec(P, "paper moments delta=0", 0.0, 3.0, 30, 10, moments=P))
    cases.append(spec(P, "paper moments explicit list", 0.3, order=80, weights=[1.5, -2.0, 0.5, 1.0], moments=P))
    cases.append(spec(P, "paper moments explicit d=12", 0.6, order=120,
                      weights=[1.5, -1.0, 2.0, -2.5, 0.5, 1.0, -0.75, 3.0, -1.25, 0.25, -0.5, 2.25], moments=P))
    return cases


# ----------------------------------------------------------------------------------------------
# Internal cross-checks
# ----------------------------------------------------------------------------------------------

def rel_env(x, y, env):
    return abs(x - y) / env if env != 0 else abs(x - y)


def coefficient_envelope(a, m, r):
    """max(|a_m|, |a_{m-1}|/r, |a_{m+1}| r): the coefficients' scale at order m."""
    e = abs(a[m])
    if m >= 1:
        e = max(e, abs(a[m - 1]) / r)
    if m + 1 < len(a):
        e = max(e, abs(a[m + 1]) * r)
    return e


def run_checks(grid, results, dps):
    problems = []

    def check(ok, msg):
        print(("  ok   " if ok else "  FAIL ") + msg)
        if not ok:
            problems.append(msg)

    print("cross-checks:")
    # (1) coefficients: recurrence vs polylog (300 digits) and vs Theorem 1 (500 digits), k = 150
    for z in [-25.0, -4.5, -1.0, 0.0, 0.5, 6.0, 12.0, 25.0]:
        zz = mpf(z)
        a = coeffs_logistic(zz, 150)
        b = coeffs_logistic_polylog(zz, 150)
        r = mp.sqrt(zz * zz + mp.pi ** 2)
        worst = max(rel_env(a[m], b[m], coefficient_envelope(a, m, r)) for m in range(151))
        check(worst < mpf(10) ** -(dps - 10), f"coefficients xb={z}: recurrence vs polylog, k=150: max rel {mp.nstr(worst, 3)}")
        c = coeffs_logistic_theorem1(z, 150)
        worst = max(rel_env(a[m], c[m], coefficient_envelope(a, m, r)) for m in range(151))
        check(worst < mpf(10) ** -(dps - 10), f"coefficients xb={z}: recurrence vs Theorem 1 (500 digits), k=150: max rel {mp.nstr(worst, 3)}")

    # (2) M_1 = 0 and M_2 = delta/(1-delta) sum w^2 for every exact dropout case; linear R = Var/2
    worst1 = worst2 = mpf(0)
    for s, r in zip(grid, results):
        if s["noise"] != "dropout" or len(r["Mtrue"]) < 3:
            continue
        delta = mpf(s["delta"])
        if s["weights"] == "equal":
            sumsq = mpf(s["xb"]) ** 2 / s["dimension"]
        else:
            sumsq = mp.fsum(mpf(w) ** 2 for w in s["weights"])
        var = delta / (1 - delta) * sumsq
        scale = r["Mabs_true"][1] or mpf(1)
        worst1 = max(worst1, abs(r["Mtrue"][1]) / scale)
        if var != 0:
            worst2 = max(worst2, abs(r["Mtrue"][2] - var) / var)
    check(worst1 < mpf(10) ** -(dps - 10), f"M_1 = 0 over all dropout cases: max |M_1|/E|X| = {mp.nstr(worst1, 3)}")
    check(worst2 < mpf(10) ** -(dps - 10), f"M_2 = delta/(1-delta) sum w^2 over all dropout cases: max rel {mp.nstr(worst2, 3)}")

    # (3) equal profile vs the explicit list of d equal values
    s_eq = spec("x", "x", 0.3, 3.0, 80, 8)
    s_ex = spec("x", "x", 0.3, order=80, weights=[0.375] * 8)
    r_eq, r_ex = compute_case(s_eq), compute_case(s_ex)
    worst = max(abs(r_eq["M"][m] - r_ex["M"][m]) / r_eq["Mabs"][m] for m in range(81))
    check(worst < mpf(10) ** -(dps - 10), f"equal d=8 vs explicit [3/8]*8: moments max rel {mp.nstr(worst, 3)}")
    check(abs(r_eq["R"] - r_ex["R"]) / r_eq["R"] < mpf(10) ** -(dps - 10), "equal d=8 vs explicit [3/8]*8: penalty")

    # (4) convergent cases: the series itself reaches the independently summed penalty
    worst = mpf(0)
    n = 0
    for s, r in zip(grid, results):
        if s["noise"] == "dropout" and s["moments"] == "exact" and s["model"] == "logistic" and r["converges"] \
                and s["order"] == 150 and r["R"] != 0:
            # geometric bound on the tail: ratio maxdev/radius
            q = r["maxdev"] / r["radius"]
            if q < 0.6:
                n += 1
                worst = max(worst, abs(r["ps"][-1] - r["R"]) / r["R"])
    check(n > 0 and worst < mpf(10) ** -25, f"{n} convergent k=150 cases with maxdev/r < 0.6: max |R_150 - R|/R = {mp.nstr(worst, 3)}")

    # (5) docs/math.md's example: R = 6.7506e-4 and R_24 equal to 16 digits
    for s, r in zip(grid, results):
        if s["label"].startswith("math.md example"):
            ok = abs(r["R"] - mpf("6.7506e-4")) < mpf("5e-9") and abs(r["ps"][24] - r["R"]) / r["R"] < mpf("1e-15")
            check(ok and not r["converges"], f"docs/math.md example: R = {mp.nstr(r['R'], 8)}, |R_24-R|/R = "
                  f"{mp.nstr(abs(r['ps'][24] - r['R']) / r['R'], 3)}, converges = {r['converges']}")

    # (6) Gaussian penalty: tanh-sinh on (-inf, inf) vs Gauss-Legendre on [-40, 40]
    for xb, sg in [(6.0, 1.0), (-12.5, 2.0), (25.0, 3.0), (0.0, 0.5)]:
        a = gaussian_penalty(mpf(xb), mpf(sg), "tanh-sinh")
        b = gaussian_penalty(mpf(xb), mpf(sg), "gauss-legendre")
        check(abs(a - b) / a < mpf(10) ** -(dps - 15), f"gaussian penalty xb={xb} sigma={sg}: two quadratures agree to {mp.nstr(abs(a - b) / a, 3)}")

    # (7) windowed vs full binomial sum for the d = 1e4 cases
    for delta, xb, k in [(0.5, 3.0, 100), (0.9, 10.0, 80)]:
        sup_w = equal_support(mpf(delta), mpf(xb), 10_000, k, window=True)
        sup_f = equal_support(mpf(delta), mpf(xb), 10_000, k, window=False)
        Mw, Aw = support_moments(sup_w, k)
        Mf, Af = support_moments(sup_f, k)
        worst = max(abs(Mw[m] - Mf[m]) / Af[m] for m in range(k + 1))
        Rw, Rf = support_penalty(sup_w, mpf(xb), softplus), support_penalty(sup_f, mpf(xb), softplus)
        worst = max(worst, abs(Rw - Rf) / Rf)
        check(worst < mpf(10) ** -(dps - 10), f"d=1e4 delta={delta} windowed ({len(sup_w)} terms) vs full "
              f"(10001): moments and R max rel {mp.nstr(worst, 3)}")

    # (8) precision: recompute a sample at dps + 20 and compare every field
    sample = [i for i in range(len(grid)) if i % 9 == 0 and (grid[i]["dimension"] or 0) <= 1000]
    worst = mpf(0)
    with mp.workdps(dps + 20):
        for i in sample:
            hi = compute_case(grid[i])
            lo = results[i]
            for key, sk in [("a", None), ("M", "Mabs"), ("ps", "aps")]:
                for m in range(len(lo[key])):
                    if key == "a":
                        env = coefficient_envelope(hi["a"], m, hi["radius"]) if hi["radius"] else max(abs(x) for x in hi["a"])
                    else:
                        env = hi[sk][m]
                    if env != 0:
                        worst = max(worst, abs(hi[key][m] - lo[key][m]) / env)
            if hi["R"] != 0:
                worst = max(worst, abs(hi["R"] - lo["R"]) / hi["scale"])
    check(worst < mpf(10) ** -(dps - 10), f"dps {dps} vs {dps + 20} on {len(sample)} cases: max rel {mp.nstr(worst, 3)}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dps", type=int, default=60)
    ap.add_argument("--no-check", action="store_true")
    ap.add_argument("--out", default=None)
    args = ap.parse_args()
    if args.dps < 60:
        sys.exit("use at least 60 digits")
    mp.dps = args.dps
    import os
    out = args.out or os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference.json")

    t0 = time.time()
    grid = build_grid()
    results = []
    for i, s in enumerate(grid):
        t = time.time()
        results.append(compute_case(s))
        print(f"[{i:3d}] {s['category']:14s} {s['label'][:48]:48s} k={s['order']:3d} "
              f"d={results[-1]['d']:6d} {time.time() - t:6.2f}s", flush=True)
    doc = {
        "generator": "tests/data/gen_reference.py",
        "dps": args.dps,
        "description": "dropscope reference vectors; see tests/data/README.md",
        "cases": [case_json(i, s, r) for i, (s, r) in enumerate(zip(grid, results))],
    }
    with open(out, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    t_gen = time.time() - t0
    print(f"wrote {len(grid)} cases to {out} ({os.path.getsize(out) / 1e6:.2f} MB) in {t_gen:.1f}s")
    if not args.no_check:
        problems = run_checks(grid, results, args.dps)
        print(f"checks done in {time.time() - t0 - t_gen:.1f}s: {len(problems)} problem(s)")
        if problems:
            sys.exit(1)


if __name__ == "__main__":
    main()
