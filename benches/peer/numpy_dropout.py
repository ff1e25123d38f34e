#!/usr/bin/env python3
"""NumPy peer for dropscope's Monte Carlo sampler.

Samples real dropout masks the obvious way,

    keep = rng.random((B, d)) >= delta
    s = (keep @ w) / (1 - delta)

and prints feature-samples per second (samples x d per wall-clock second) for explicit
contributions. Run: python3 benches/peer/numpy_dropout.py [--d 1000] [--delta 0.1 0.5]
[--batch 4096] [--seconds 2]. NumPy uses as many cores as its BLAS allows for the matmul;
random generation is single-threaded.

Needs Python 3 and NumPy (pip install numpy). Measured on a 2-core x86-64 machine
(NumPy 2.4.6, d = 1000, otherwise idle):
2.16e8 (delta = 0.1) and 2.30e8 (delta = 0.5) feature-samples/s; 1.2e8-1.6e8 while other
builds shared the cores.
"""

import argparse
import json
import time

import numpy as np


def feature_samples_per_second(d, delta, batch, seconds, seed=1):
    rng = np.random.default_rng(seed)
    w = rng.normal(size=d)
    samples = 0
    sink = 0.0
    start = time.perf_counter()
    while True:
        keep = rng.random((batch, d)) >= delta
        s = (keep @ w) / (1 - delta)
        sink += float(s[0])
        samples += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    return samples * d / elapsed, sink


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--d", type=int, default=1000)
    parser.add_argument("--delta", type=float, nargs="+", default=[0.1, 0.5])
    parser.add_argument("--batch", type=int, default=4096)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for delta in args.delta:
        rate, _ = feature_samples_per_second(args.d, delta, args.batch, args.seconds)
        rows.append({"d": args.d, "delta": delta, "feature_samples_per_second": rate})
    if args.json:
        print(json.dumps({"numpy": np.__version__, "results": rows}))
    else:
        for row in rows:
            print(
                f"numpy {np.__version__}  d={row['d']}  delta={row['delta']}  "
                f"{row['feature_samples_per_second']:.3e} feature-samples/s"
            )


if __name__ == "__main__":
    main()
