//! The sampler's random number generator: xoshiro256++ (Blackman & Vigna, 2019), seeded by
//! SplitMix64 from a `(seed, stream)` pair so that every chunk of samples has its own
//! reproducible, statistically independent stream.
//!
//! [`WideRng`] runs [`LANES`] independent xoshiro256++ generators side by side, so the keep-bit
//! loop has four independent dependency chains (and vector units can take them together).
//!
//! xoshiro256++ has a period of 2^256 − 1, passes BigCrush and PractRand, and costs about one
//! nanosecond per 64-bit word; `rand`'s `SmallRng` is the same algorithm on 64-bit targets, but
//! owning it keeps the hot loop inlined and the stream fixed across `rand` releases. [`Rng`]
//! implements `rand`'s `TryRng` (infallible, so `rand::Rng` and `rand::RngExt`) and
//! `SeedableRng`, for callers that want `rand`'s distributions (the explorer's random profile).
//! [`WideRng`] does not: it yields four words at a time for the keep-bit loop.

/// SplitMix64 step: advances `state` and returns the next well-mixed 64-bit value.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256++ state (never all zero).
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u64; 4],
    /// The second normal deviate of the last Box–Muller pair, if not yet used.
    spare_normal: Option<f64>,
}

impl Rng {
    /// The generator for stream `stream` (a chunk index) of master seed `seed`.
    pub(crate) fn new(seed: u64, stream: u64) -> Rng {
        let mut sm = seed;
        let mixed = splitmix64(&mut sm) ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let mut state = mixed;
        let s = [
            splitmix64(&mut state),
            splitmix64(&mut state),
            splitmix64(&mut state),
            splitmix64(&mut state),
        ];
        // SplitMix64 is a bijection of its counter, so four consecutive outputs are never all 0.
        Rng {
            s,
            spare_normal: None,
        }
    }

    /// The next uniformly distributed 64-bit word.
    #[inline(always)]
    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on the open interval (0, 1), with 53 random bits.
    #[inline]
    pub(crate) fn open01(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal deviate (Box–Muller; both deviates of each pair are used).
    pub(crate) fn normal(&mut self) -> f64 {
        if let Some(z) = self.spare_normal.take() {
            return z;
        }
        let radius = (-2.0 * self.open01().ln()).sqrt();
        let (sin, cos) = (std::f64::consts::TAU * self.open01()).sin_cos();
        self.spare_normal = Some(radius * sin);
        radius * cos
    }
}

impl rand::TryRng for Rng {
    type Error = std::convert::Infallible;

    /// The upper 32 bits of the next word (the better-mixed half).
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.next_u64() >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(self.next_u64())
    }

    /// Whole words, little-endian, the last one cut to fit.
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

impl rand::SeedableRng for Rng {
    /// The four state words, little-endian; an all-zero seed (not a valid state) is replaced by
    /// the state of [`Rng::new`]`(0, 0)`.
    type Seed = [u8; 32];

    fn from_seed(seed: [u8; 32]) -> Rng {
        let mut s = [0u64; 4];
        for (word, bytes) in s.iter_mut().zip(seed.chunks_exact(8)) {
            let mut le = [0u8; 8];
            le.copy_from_slice(bytes);
            *word = u64::from_le_bytes(le);
        }
        if s == [0; 4] {
            return Rng::new(0, 0);
        }
        Rng {
            s,
            spare_normal: None,
        }
    }
}

/// Number of generators in a [`WideRng`] (and of 64-bit mask words drawn together).
pub(crate) const LANES: usize = 4;

/// [`LANES`] independent xoshiro256++ generators, stored lane-innermost.
#[derive(Clone, Debug)]
pub(crate) struct WideRng {
    s: [[u64; LANES]; 4],
}

impl WideRng {
    /// The generators for stream `stream` of master seed `seed` (independent of [`Rng::new`]'s).
    pub(crate) fn new(seed: u64, stream: u64) -> WideRng {
        let mut sm = seed ^ 0x6A09_E667_F3BC_C909;
        let mut state = splitmix64(&mut sm) ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let mut s = [[0; LANES]; 4];
        for lane in 0..LANES {
            for word in &mut s {
                word[lane] = splitmix64(&mut state);
            }
        }
        WideRng { s }
    }

    /// The state rows s0..s3, each holding one word of every generator.
    #[cfg(target_arch = "x86_64")]
    pub(crate) fn state_mut(&mut self) -> &mut [[u64; LANES]; 4] {
        &mut self.s
    }

    /// The next word of every generator.
    #[inline(always)]
    pub(crate) fn next_u64s(&mut self) -> [u64; LANES] {
        let [s0, s1, s2, s3] = &mut self.s;
        let mut out = [0; LANES];
        for i in 0..LANES {
            out[i] = s0[i]
                .wrapping_add(s3[i])
                .rotate_left(23)
                .wrapping_add(s0[i]);
            let t = s1[i] << 17;
            s2[i] ^= s0[i];
            s3[i] ^= s1[i];
            s1[i] ^= s2[i];
            s0[i] ^= s3[i];
            s2[i] ^= t;
            s3[i] = s3[i].rotate_left(45);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro256plusplus_matches_the_reference_sequence() {
        // Reference implementation (xoshiro256plusplus.c) from state {1, 2, 3, 4}.
        let mut rng = Rng {
            s: [1, 2, 3, 4],
            spare_normal: None,
        };
        let expected = [
            41943041u64,
            58720359,
            3588806011781223,
            3591011842654386,
            9228616714210784205,
        ];
        for e in expected {
            assert_eq!(rng.next_u64(), e);
        }
    }

    #[test]
    fn wide_lanes_are_xoshiro256plusplus() {
        let mut wide = WideRng::new(1, 2);
        let mut lanes: Vec<Rng> = (0..LANES)
            .map(|lane| Rng {
                s: [
                    wide.s[0][lane],
                    wide.s[1][lane],
                    wide.s[2][lane],
                    wide.s[3][lane],
                ],
                spare_normal: None,
            })
            .collect();
        for _ in 0..10 {
            let words = wide.next_u64s();
            for (lane, rng) in lanes.iter_mut().enumerate() {
                assert_eq!(words[lane], rng.next_u64());
            }
        }
        assert_ne!(lanes[0].next_u64(), lanes[1].next_u64());
    }

    #[test]
    fn streams_differ_and_repeat() {
        let a: Vec<u64> = (0..4).map(|_| Rng::new(7, 0).next_u64()).collect();
        assert!(a.iter().all(|&x| x == a[0]));
        assert_ne!(Rng::new(7, 0).next_u64(), Rng::new(7, 1).next_u64());
        assert_ne!(Rng::new(7, 0).next_u64(), Rng::new(8, 0).next_u64());
    }

    #[test]
    fn normal_deviates_have_unit_variance() {
        let mut rng = Rng::new(3, 0);
        let n = 200_000;
        let (mut sum, mut sum2) = (0.0, 0.0);
        for _ in 0..n {
            let z = rng.normal();
            sum += z;
            sum2 += z * z;
        }
        let mean = sum / n as f64;
        let var = sum2 / n as f64 - mean * mean;
        assert!(mean.abs() < 5.0 / (n as f64).sqrt(), "mean {mean}");
        assert!(
            (var - 1.0).abs() < 5.0 * (2.0 / n as f64).sqrt(),
            "var {var}"
        );
    }

    #[test]
    fn rand_traits_give_the_reference_stream() {
        use rand::{Rng as _, RngExt as _, SeedableRng as _};
        let mut seed = [0u8; 32];
        for (i, word) in [1u64, 2, 3, 4].iter().enumerate() {
            seed[8 * i..8 * i + 8].copy_from_slice(&word.to_le_bytes());
        }
        let mut rng = Rng::from_seed(seed);
        assert_eq!(rng.next_u64(), 41943041);
        assert_eq!(rng.next_u32(), (58720359u64 >> 32) as u32);
        let mut bytes = [0u8; 12];
        rng.fill_bytes(&mut bytes);
        assert_eq!(bytes[..8], 3588806011781223u64.to_le_bytes());
        assert_eq!(bytes[8..], 3591011842654386u64.to_le_bytes()[..4]);
        let zero = Rng::from_seed([0; 32]);
        assert_ne!(zero.s, [0; 4]);
        let mut a = Rng::seed_from_u64(9);
        let mut b = Rng::seed_from_u64(9);
        let draws: Vec<f64> = (0..1000).map(|_| a.random_range(-1.0..1.0)).collect();
        assert!(draws.iter().all(|x| (-1.0..1.0).contains(x)));
        assert_eq!(
            draws,
            (0..1000)
                .map(|_| b.random_range(-1.0..1.0))
                .collect::<Vec<f64>>()
        );
    }
}
