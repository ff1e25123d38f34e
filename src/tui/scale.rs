//! Axis scales and tick labels. ratatui has no log axis, so values are mapped here: a
//! symmetric-log scale (linear within ±c, logarithmic beyond, sign kept) so that divergent
//! partial sums reaching 1e100 and a penalty of 1e-4 share one chart, or a linear scale.

use super::format;

/// How values map to chart coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scale {
    /// The value itself.
    Linear,
    /// `y/c` for |y| <= c, else `sign(y) (log10(|y|/c) + 1)`: integer coordinates are 0 and
    /// ±c·10^n.
    SymLog {
        /// The linear threshold c > 0, a power of ten.
        c: f64,
    },
}

impl Scale {
    /// The chart coordinate of a value.
    pub fn map(&self, y: f64) -> f64 {
        match *self {
            Scale::Linear => y,
            Scale::SymLog { c } => {
                let a = y.abs();
                if a <= c {
                    y / c
                } else {
                    y.signum() * ((a / c).log10() + 1.0)
                }
            }
        }
    }
}

/// A mapped axis: its scale, coordinate bounds and tick labels at coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// The value-to-coordinate map.
    pub scale: Scale,
    /// Coordinate bounds [low, high].
    pub bounds: [f64; 2],
    /// Ticks as (coordinate, label).
    pub ticks: Vec<(f64, String)>,
}

impl Axis {
    /// A linear axis spanning `values` with at most `max_ticks` round ticks.
    pub fn linear(values: impl IntoIterator<Item = f64>, max_ticks: usize) -> Axis {
        let (lo, hi) = extent(values).unwrap_or((0.0, 1.0));
        let (lo, hi) = if hi - lo > hi.abs().max(lo.abs()) * 1e-12 {
            (lo, hi)
        } else {
            let pad = (lo.abs() * 0.1).max(1e-12);
            (lo - pad, hi + pad)
        };
        let n = max_ticks.max(2) as f64;
        let raw = (hi - lo) / (n - 1.0);
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * magnitude);
        let first = (lo / step).floor();
        let last = (hi / step).ceil();
        let ticks = (first as i64..=last as i64)
            .map(|i| {
                let v = i as f64 * step;
                (v, tick_label(v, step))
            })
            .collect();
        Axis {
            scale: Scale::Linear,
            bounds: [first * step, last * step],
            ticks,
        }
    }

    /// A symmetric-log axis spanning `values` (and 0). The threshold c is one decade below
    /// `reference` (the magnitude that matters, e.g. the exact penalty), else below the
    /// largest |value|.
    pub fn symlog(
        values: impl IntoIterator<Item = f64>,
        reference: Option<f64>,
        max_ticks: usize,
    ) -> Axis {
        let values: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
        let largest = values.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let reference = reference
            .filter(|r| r.is_finite() && *r > 0.0)
            .unwrap_or(largest);
        let c = if reference > 0.0 {
            10f64.powf(reference.log10().floor() - 1.0)
        } else {
            1.0
        };
        let scale = Scale::SymLog { c };
        let (lo, hi) = extent(values.iter().map(|v| scale.map(*v))).unwrap_or((0.0, 1.0));
        let lo = lo.min(0.0).floor();
        let hi = hi.max(0.0).ceil().max(lo + 1.0);
        let max_ticks = max_ticks.max(2) as f64;
        let mut step = ((hi - lo) / (max_ticks - 1.0)).ceil().max(1.0);
        while ((hi / step).ceil() - (lo / step).floor()) + 1.0 > max_ticks {
            step += 1.0;
        }
        let first = (lo / step).floor() * step;
        let last = (hi / step).ceil() * step;
        let exponent = c.log10().round() as i32;
        let mut ticks = Vec::new();
        let mut t = first;
        while t <= last + 0.5 {
            ticks.push((t, decade_label(t, exponent)));
            t += step;
        }
        Axis {
            scale,
            bounds: [first, last],
            ticks,
        }
    }

    /// The coordinate of a value.
    pub fn map(&self, v: f64) -> f64 {
        self.scale.map(v)
    }
}

/// (min, max) of the finite values, if any.
pub fn extent(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold(None, |acc, v| match acc {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        })
}

/// The label of symlog coordinate `t` when c = 10^exponent: `0`, or ±10^(exponent + |t| - 1).
fn decade_label(t: f64, exponent: i32) -> String {
    if t == 0.0 {
        return "0".to_string();
    }
    let sign = if t < 0.0 { "-" } else { "" };
    let e = exponent + t.abs() as i32 - 1;
    match e {
        0..=3 => format!("{sign}1{}", "0".repeat(e as usize)),
        -2..=-1 => format!("{sign}0.{}1", "0".repeat((-e - 1) as usize)),
        _ => format!("{sign}1e{e}"),
    }
}

/// A round tick value, with as many decimals as the step needs.
fn tick_label(v: f64, step: f64) -> String {
    if v.abs() < step * 1e-9 {
        return "0".to_string();
    }
    if (1e-3..1e5).contains(&step) && v.abs() < 1e6 {
        let decimals = (-step.log10().floor()).max(0.0) as usize;
        format!("{v:.decimals$}")
    } else {
        format::num(v, 3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symlog_is_linear_near_zero_and_logarithmic_beyond() {
        let s = Scale::SymLog { c: 1e-4 };
        assert_eq!(s.map(0.0), 0.0);
        assert!((s.map(5e-5) - 0.5).abs() < 1e-12);
        assert!((s.map(1e-3) - 2.0).abs() < 1e-12);
        assert!((s.map(-1e96) + 101.0).abs() < 1e-9);
    }

    #[test]
    fn symlog_ticks_sit_on_decades() {
        let axis = Axis::symlog([0.0, 6.75e-4, 2e-3], Some(6.75e-4), 6);
        assert_eq!(axis.scale, Scale::SymLog { c: 1e-5 });
        let labels: Vec<&str> = axis.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["0", "1e-5", "1e-4", "1e-3", "0.01"]);
        assert_eq!(axis.bounds, [0.0, 4.0]);
    }

    #[test]
    fn symlog_thins_ticks_over_many_decades() {
        let axis = Axis::symlog([-1e100, 1e-3], Some(1e-3), 5);
        assert!(axis.ticks.len() <= 5);
        assert!(axis.bounds[0] <= axis.map(-1e100));
        assert!(axis.ticks.iter().any(|t| t.1 == "0"));
    }

    #[test]
    fn linear_ticks_are_round() {
        let axis = Axis::linear([0.13, 0.92], 6);
        let labels: Vec<&str> = axis.ticks.iter().map(|t| t.1.as_str()).collect();
        assert_eq!(labels, ["0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        assert_eq!(axis.bounds, [0.0, 1.0]);
        let flat = Axis::linear([3.0, 3.0], 4);
        assert!(flat.bounds[0] < 3.0 && flat.bounds[1] > 3.0);
    }
}
