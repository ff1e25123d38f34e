//! Monte Carlo of real dropout masks (issue 4).
