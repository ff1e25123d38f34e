"""Reference values for the small-step forms. First, the logistic Bregman divergence D(s, z0) = A(s) - A(z0) - sigma(z0)(s - z0),
A(z) = log(1 + e^z), at small steps h = s - z0, in 50-digit arithmetic (mpmath), straight from the
definition. s is the f64 sum z0 + h, as the test forms it. The values are pasted into
`bregman_keeps_its_relative_precision_for_small_steps` in src/engine/log_partition.rs.

    python3 tests/data/gen_small_step_reference.py
"""
import mpmath as mp

mp.mp.dps = 50
CASES = [(-1.0, 1e-3), (1.0, -2e-6), (0.0, 0.49), (-30.0, 1e-4), (5.0, 0.3), (0.7, 1e-7)]


def softplus(z):
    return mp.log1p(mp.exp(z))


for z0, h in CASES:
    s = mp.mpf(z0 + h)
    z = mp.mpf(z0)
    d = softplus(s) - softplus(z) - (s - z) * mp.exp(z) / (1 + mp.exp(z))
    print(f"({z0!r}, {h!r}, {mp.nstr(d, 20)}),")

# sin θ − θ (the imaginary part of e^{iθ} − 1 − iθ), pasted into
# `cis_minus_one_minus_i_keeps_relative_precision` in src/engine/charfn/complex.rs.
for theta in [1e-9, 1e-3, 0.3, -0.7, 0.999, 1.0, 2.5, -40.0]:
    t = mp.mpf(theta)
    print(f"({theta!r}, {mp.nstr(mp.sin(t) - t, 20)}),")
