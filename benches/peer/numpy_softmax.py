#!/usr/bin/env python3
"""NumPy peer for dropscope's softmax Monte Carlo sampler.

Samples real shared dropout masks the obvious vectorised way, for q classes and d features,

    keep = rng.random((B, d), dtype=np.float32) >= delta
    eps = (keep @ C) / (1 - delta) - eta0            # B x q noise vectors
    y = eps - (eps @ p)[:, None]
    D = log(sum_k p_k exp(y_k))                      # the Bregman form, mean R

with float32 uniforms (half the random bytes of float64; the keep probability is then a multiple
of 2^-24, exact at delta = 1/2), and prints samples per second (whole masks; x d*q for feature-class-samples) and the estimate
R^ +- se. The rows C are the ones `dropscope bench` uses (`softmax_bench_params`): C_jk =
(2u - 1)/sqrt(d), u from the 64-bit LCG state' = 6364136223846793005 state +
1442695040888963407 (mod 2^64), u = (state >> 11) / 2^53, row-major.

Run: python3 benches/peer/numpy_softmax.py [--q 10] [--d 1000] [--delta 0.5] [--batch 2048]
[--seconds 2] [--json]. Needs Python 3 and NumPy. NumPy's matmul may use every core; random
generation is single-threaded.
"""

import argparse
import json
import math
import time

import numpy as np

MASK = (1 << 64) - 1


def bench_rows(q, d):
    state = 0x9E3779B97F4A7C15
    scale = 1.0 / math.sqrt(d)
    values = np.empty(d * q)
    for i in range(d * q):
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        values[i] = ((state >> 11) / float(1 << 53) * 2.0 - 1.0) * scale
    return values.reshape(d, q)


def run(q, d, delta, batch, seconds, seed=1):
    rows = bench_rows(q, d)
    eta0 = rows.sum(axis=0)
    p = np.exp(eta0 - eta0.max())
    p /= p.sum()
    rng = np.random.default_rng(seed)
    samples, total, total_sq = 0, 0.0, 0.0
    start = time.perf_counter()
    while True:
        keep = rng.random((batch, d), dtype=np.float32) >= delta
        eps = (keep @ rows) / (1.0 - delta) - eta0
        y = eps - (eps @ p)[:, None]
        penalty = np.log(np.exp(y) @ p)
        total += float(penalty.sum())
        total_sq += float((penalty * penalty).sum())
        samples += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    mean = total / samples
    se = math.sqrt(max(total_sq / samples - mean * mean, 0.0) / (samples - 1))
    return samples / elapsed, mean, se, samples


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--q", type=int, default=10)
    parser.add_argument("--d", type=int, default=1000)
    parser.add_argument("--delta", type=float, default=0.5)
    parser.add_argument("--batch", type=int, default=2048)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rate, mean, se, n = run(args.q, args.d, args.delta, args.batch, args.seconds)
    row = {
        "numpy": np.__version__,
        "q": args.q,
        "d": args.d,
        "delta": args.delta,
        "samples": n,
        "samples_per_second": rate,
        "mean": mean,
        "std_error": se,
    }
    if args.json:
        print(json.dumps(row))
    else:
        print(
            f"numpy {np.__version__}  q={args.q}  d={args.d}  delta={args.delta}  "
            f"{rate:.3e} samples/s ({rate * args.d * args.q:.3e} feature-class-samples/s)  "
            f"R^ = {mean:.6e} +- {se:.1e} (N = {n})"
        )


if __name__ == "__main__":
    main()
