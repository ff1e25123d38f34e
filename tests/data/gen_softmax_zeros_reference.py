#!/usr/bin/env python3
"""Reference zeros of F(t) = sum_k p_k exp(t eps_k) for the softmax t-plane (docs/math.md §10).

Writes tests/data/softmax_zeros_reference.json, read by tests/softmax_zeros_reference.rs.

Method (independent of the engine's argument principle and Newton search): every case has
commensurate deviations eps_k = n_k g with integers n_k and a dyadic g (so eps_k is exact in
f64). With u = exp(t g) and m = min n_k,

    F(t) = u^m P(u),   P(u) = sum_j c_j u^j,   c_j = sum over k with n_k - m = j of p_k,

a polynomial of degree max n_k - m whose constant and leading coefficients are positive. Its
roots u_r come from mpmath.polyroots at 40 significant digits (plus guard digits), and every
zero of F is t = (ln|u_r| + i (arg u_r + 2 pi n)) / g for an integer n. The script keeps those
with |t| < W (the case's window), checks each against F itself at high precision, checks that
no zero lies within 1e-6 of the window's edge (relative), and records the smallest |t| over
all zeros (the mask radius, which lies inside the window in every case).

Logits are dyadic too, so the JSON numbers are the exact f64 inputs. Run from the crate root:
    python3 tests/data/gen_softmax_zeros_reference.py
"""

import json
import sys

import mpmath as mp

DPS = 40
GUARD = 30
OUT = "tests/data/softmax_zeros_reference.json"
# The engine reports at most this many zeros (engine::softmax::MAX_ZEROS); windows stay below.
MAX_ZEROS = 24

# (label, integers n_k, g, logits eta, window radius W)
CASES = [
    ("q3-basic", [2, -1, 0], "0.375", ["0", "1", "3"], "20"),
    ("q3-wide", [1, 0, -3], "0.8125", ["0.5", "-1", "2"], "12"),
    ("q4-mixed", [3, -2, 1, 0], "0.5625", ["0.25", "-0.5", "1.5", "0"], "12"),
    ("q4-repeated-deviation", [1, 1, -1, 2], "1.25", ["-1", "0.75", "0.5", "2"], "10"),
    ("q5-spread", [4, -1, 2, 0, -3], "0.3125", ["0", "0.5", "1", "1.5", "-2"], "15"),
    ("q5-dominant-class", [1, -1, 0, 2, -2], "0.6875", ["0.125", "4.5", "-0.75", "1", "0"], "12"),
    ("q6-fine", [5, 0, -2, 3, 1, -1], "0.25", ["1", "-1", "0.5", "0", "2", "-0.5"], "16"),
    ("q6-degree-7", [2, -3, 1, 0, -1, 4], "0.4375", ["-0.25", "0.75", "1.25", "0", "-1.5", "0.5"], "12"),
    ("q6-near-unit", [1, -1, 0, 0, 1, -2], "2.5", ["0", "0.5", "-0.5", "1", "0.25", "-1"], "6"),
]


def probabilities(eta):
    top = max(eta)
    w = [mp.exp(e - top) for e in eta]
    s = mp.fsum(w)
    return [x / s for x in w]


def residual(p, eps, t):
    """|F(t)| / sum_k p_k |e^{t eps_k}|."""
    terms = [pk * mp.exp(t * ek) for pk, ek in zip(p, eps)]
    return abs(mp.fsum(terms)) / mp.fsum(abs(x) for x in terms)


def zeros_of(label, n, g, eta, window):
    p = probabilities(eta)
    eps = [nk * g for nk in n]
    low = min(n)
    degree = max(n) - low
    coeffs = [mp.mpf(0)] * (degree + 1)
    for pk, nk in zip(p, n):
        coeffs[nk - low] += pk
    # polyroots wants the leading coefficient first.
    roots = mp.polyroots(list(reversed(coeffs)), maxsteps=400, extraprec=4 * mp.mp.prec)
    if len(roots) != degree:
        sys.exit(f"{label}: {len(roots)} roots of a degree-{degree} polynomial")
    zeros = []
    nearest = None
    for u in roots:
        if abs(mp.polyval(list(reversed(coeffs)), u)) > mp.mpf(10) ** (-DPS) * mp.fsum(
            abs(c) * abs(u) ** j for j, c in enumerate(coeffs)
        ):
            sys.exit(f"{label}: root {u} does not solve the polynomial")
        re = mp.log(abs(u)) / g
        arg = mp.arg(u)
        # |t| >= |Im t| = |arg + 2 pi n| / g: n runs over the branches that can reach |t| < W.
        span = int(mp.ceil(window * g / (2 * mp.pi))) + 1
        for branch in range(-span, span + 1):
            im = (arg + 2 * mp.pi * branch) / g
            t = mp.mpc(re, im)
            size = abs(t)
            if nearest is None or size < nearest:
                nearest = size
            if abs(size - window) < mp.mpf("1e-6") * window:
                sys.exit(f"{label}: zero {t} within 1e-6 of the window |t| = {window}")
            if size < window:
                if residual(p, eps, t) > mp.mpf(10) ** (-(DPS - 5)):
                    sys.exit(f"{label}: t = {t} is not a zero of F")
                zeros.append(t)
    if not zeros:
        sys.exit(f"{label}: no zero inside the window")
    if len(zeros) > MAX_ZEROS:
        sys.exit(f"{label}: {len(zeros)} zeros inside the window, more than {MAX_ZEROS}")
    if nearest >= window:
        sys.exit(f"{label}: the nearest zero lies outside the window")
    # A conjugate pair for every zero (F is real on the real axis).
    for t in zeros:
        if min(abs(t.conjugate() - s) for s in zeros) > mp.mpf(10) ** (-(DPS - 5)) * abs(t):
            sys.exit(f"{label}: {t} has no conjugate among the zeros")
    zeros.sort(key=lambda t: (abs(t), -t.imag))
    return p, eps, zeros, nearest


def text(x):
    return mp.nstr(x, DPS, min_fixed=-mp.inf, max_fixed=mp.inf) if x != 0 else "0"


def main():
    mp.mp.dps = DPS + GUARD
    cases = []
    for label, n, g_text, eta_text, window_text in CASES:
        g = mp.mpf(g_text)
        eta = [mp.mpf(e) for e in eta_text]
        window = mp.mpf(window_text)
        p, eps, zeros, nearest = zeros_of(label, n, g, eta, window)
        cases.append(
            {
                "label": label,
                "classes": len(n),
                "multiples": n,
                "step": float(g),
                "logits": [float(e) for e in eta],
                "deviations": [float(e) for e in eps],
                "window": float(window),
                "zeros": [[text(t.real), text(t.imag)] for t in zeros],
                "mask_radius": text(nearest),
            }
        )
        print(f"{label}: {len(zeros)} zeros with |t| < {window_text}, nearest |t| = {mp.nstr(nearest, 12)}")
    doc = {
        "generator": "tests/data/gen_softmax_zeros_reference.py",
        "dps": DPS,
        "description": "zeros of F(t) = sum_k p_k exp(t eps_k), p = softmax(logits), eps_k = "
        "multiples_k * step, inside |t| < window (sorted by |t|, then upper half first), and the "
        "smallest |t| over all zeros (mask_radius); from mpmath.polyroots in u = exp(t step)",
        "cases": cases,
    }
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
