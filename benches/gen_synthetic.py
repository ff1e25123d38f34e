#!/usr/bin/env python3
"""Writes a synthetic dense two-class CSV (header row, features x1..xd, label last) for timing
`dropscope data` on a large design: features uniform on (-1.7, 1.7), label 1 when
x1 + x2 + noise > 0.

    python3 benches/gen_synthetic.py /tmp/synthetic.csv [N [D [SEED]]]   # 100000 × 100 by default
"""
import random
import sys


def main() -> None:
    path = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    d = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 0)
    with open(path, "w") as out:
        out.write(",".join(f"x{j + 1}" for j in range(d)) + ",label\n")
        for _ in range(n):
            x = [rng.uniform(-1.7, 1.7) for _ in range(d)]
            label = int(x[0] + x[1] + rng.gauss(0.0, 0.5) > 0.0)
            out.write(",".join(f"{v:.6f}" for v in x) + f",{label}\n")


if __name__ == "__main__":
    main()
