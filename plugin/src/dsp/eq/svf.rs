//! The topology-preserving (trapezoidal) state-variable filter that runs every EQ section.
//!
//! Any stable biquad equals the bilinear transform of some analog biquad, and the TPT SVF
//! (Simper, "Linear Trapezoidal Integrated SVF", 2013) realises exactly that: so the matched
//! designs from `design.rs` are converted to SVF parameters (`g`, `k`, output mix `m`) and run
//! here. Unlike direct forms, the SVF's states are integrator outputs, so its parameters can be
//! swept fast without bursts, and its low-frequency behaviour stays clean at high sample rates.

use super::design::Biquad;

/// SVF parameters: `g = tan(π fc / fs)`, damping `k = 1/Q`, and the mix
/// `y = m0·input + m1·band + m2·low`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SvfParams {
    pub g: f64,
    pub k: f64,
    pub m: [f64; 3],
}

impl SvfParams {
    /// Passes the input through unchanged (and keeps sane integrator coefficients).
    pub const IDENTITY: SvfParams = SvfParams {
        g: 1.0,
        k: 2.0,
        m: [1.0, 0.0, 0.0],
    };

    /// The SVF parameters realising `bq` exactly (the inverse bilinear transform).
    pub fn from_biquad(bq: &Biquad) -> SvfParams {
        let [b0, b1, b2] = bq.b;
        let [_, a1, a2] = bq.a;
        let dc = 1.0 + a1 + a2;
        let ny = 1.0 - a1 + a2;
        let g2 = dc / ny;
        let g = g2.sqrt();
        let k = (1.0 + g2) * (1.0 - a2) / ((1.0 + a2) * g);
        // Common denominator of the bilinear-transformed section.
        let d = 2.0 * (1.0 + g2) / (1.0 + a2);
        let c0 = (b0 + b1 + b2) * d / (4.0 * g2);
        let c1 = (b0 - b2) * d / (2.0 * g);
        let c2 = (b0 - b1 + b2) * d / 4.0;
        let params = SvfParams {
            g,
            k,
            m: [c2, c1 - k * c2, c0 - c2],
        };
        if params.is_finite() && g > 0.0 && k > 0.0 {
            params
        } else {
            SvfParams::IDENTITY
        }
    }

    fn is_finite(&self) -> bool {
        self.g.is_finite() && self.k.is_finite() && self.m.iter().all(|m| m.is_finite())
    }

    /// The section blended with a straight wire: `mix·filter + (1 − mix)·input`. Linear in `m`,
    /// so fading a band in or out is just a ramp of its output mix while the states run on.
    pub fn with_mix(&self, mix: f64) -> SvfParams {
        SvfParams {
            g: self.g,
            k: self.k,
            m: [
                mix * self.m[0] + (1.0 - mix),
                mix * self.m[1],
                mix * self.m[2],
            ],
        }
    }

    fn as_array(&self) -> [f64; 5] {
        [self.g, self.k, self.m[0], self.m[1], self.m[2]]
    }

    fn from_array(p: [f64; 5]) -> SvfParams {
        SvfParams {
            g: p[0],
            k: p[1],
            m: [p[2], p[3], p[4]],
        }
    }
}

/// Coefficients of the per-sample update, derived from `SvfParams`.
#[derive(Debug, Clone, Copy)]
struct Coefs {
    a1: f64,
    a2: f64,
    a3: f64,
    m: [f64; 3],
}

impl Coefs {
    fn new(p: &SvfParams) -> Coefs {
        let a1 = 1.0 / (1.0 + p.g * (p.g + p.k));
        let a2 = p.g * a1;
        Coefs {
            a1,
            a2,
            a3: p.g * a2,
            m: p.m,
        }
    }
}

/// One SVF section processing stereo frames, with parameters that glide linearly from one
/// control block to the next.
#[derive(Debug, Clone, Copy)]
pub struct SvfSection {
    params: SvfParams,
    goal: SvfParams,
    step: [f64; 5],
    ramp_left: u32,
    coefs: Coefs,
    ic1: [f64; 2],
    ic2: [f64; 2],
}

impl Default for SvfSection {
    fn default() -> Self {
        SvfSection {
            params: SvfParams::IDENTITY,
            goal: SvfParams::IDENTITY,
            step: [0.0; 5],
            ramp_left: 0,
            coefs: Coefs::new(&SvfParams::IDENTITY),
            ic1: [0.0; 2],
            ic2: [0.0; 2],
        }
    }
}

impl SvfSection {
    /// Jump to `params` immediately (used when a band is (re)loaded while silent).
    pub fn set(&mut self, params: SvfParams) {
        self.params = params;
        self.goal = params;
        self.ramp_left = 0;
        self.coefs = Coefs::new(&params);
    }

    /// Glide linearly to `target` over the next `samples` samples.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn glide_to(&mut self, target: SvfParams, samples: u32) {
        if target == self.goal {
            return;
        }
        if samples == 0 {
            self.set(target);
            return;
        }
        let from = self.params.as_array();
        let to = target.as_array();
        for i in 0..5 {
            self.step[i] = (to[i] - from[i]) / samples as f64;
        }
        self.goal = target;
        self.ramp_left = samples;
    }

    /// The parameters the section is heading for (or holds).
    pub fn target(&self) -> SvfParams {
        self.goal
    }

    pub fn reset(&mut self) {
        self.ic1 = [0.0; 2];
        self.ic2 = [0.0; 2];
    }

    /// Whether the integrator states hold finite values (a NaN must never linger).
    pub fn is_finite(&self) -> bool {
        self.ic1.iter().chain(&self.ic2).all(|x| x.is_finite())
    }

    /// Process one stereo frame.
    ///
    /// Runs on the audio thread: must not allocate or block.
    #[inline(always)]
    pub fn tick(&mut self, v0: [f64; 2]) -> [f64; 2] {
        if self.ramp_left > 0 {
            self.ramp_left -= 1;
            self.params = if self.ramp_left == 0 {
                // Land exactly on the goal: accumulated rounding must not leave a residue.
                self.goal
            } else {
                let mut p = self.params.as_array();
                for (x, s) in p.iter_mut().zip(self.step) {
                    *x += s;
                }
                SvfParams::from_array(p)
            };
            self.coefs = Coefs::new(&self.params);
        }
        let c = &self.coefs;
        let mut out = [0.0; 2];
        for ch in 0..2 {
            let v3 = v0[ch] - self.ic2[ch];
            let v1 = c.a1 * self.ic1[ch] + c.a2 * v3;
            let v2 = self.ic2[ch] + c.a2 * self.ic1[ch] + c.a3 * v3;
            self.ic1[ch] = 2.0 * v1 - self.ic1[ch];
            self.ic2[ch] = 2.0 * v2 - self.ic2[ch];
            out[ch] = c.m[0] * v0[ch] + c.m[1] * v1 + c.m[2] * v2;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SVF's impulse response equals the biquad's own difference equation.
    #[test]
    fn svf_realises_the_biquad_exactly() {
        let cases = [
            Biquad {
                b: [1.02, -1.9, 0.89],
                a: [1.0, -1.91, 0.915],
            },
            Biquad {
                b: [0.2, 0.4, 0.2],
                a: [1.0, -0.37, 0.2],
            },
            Biquad {
                b: [0.9, -0.9, 0.0],
                a: [1.0, -0.8, 0.0],
            },
            Biquad {
                b: [0.5, 0.1, -0.3],
                a: [1.0, 0.6, 0.3],
            },
        ];
        for bq in cases {
            let mut svf = SvfSection::default();
            svf.set(SvfParams::from_biquad(&bq));
            let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
            for n in 0..200 {
                let x = if n == 0 { 1.0 } else { 0.0 };
                let y = bq.b[0] * x + bq.b[1] * x1 + bq.b[2] * x2 - bq.a[1] * y1 - bq.a[2] * y2;
                (x2, x1, y2, y1) = (x1, x, y1, y);
                let out = svf.tick([x, -x]);
                assert!(
                    (out[0] - y).abs() < 1e-12,
                    "{bq:?} n={n}: {} vs {y}",
                    out[0]
                );
                assert!((out[1] + y).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn identity_and_mix_zero_pass_the_input_through() {
        let mut svf = SvfSection::default();
        let bq = Biquad {
            b: [0.2, 0.4, 0.2],
            a: [1.0, -0.37, 0.2],
        };
        svf.set(SvfParams::from_biquad(&bq).with_mix(0.0));
        for n in 0..50 {
            let x = (n as f64 * 0.3).sin();
            let y = svf.tick([x, x]);
            assert!((y[0] - x).abs() < 1e-12);
        }
    }

    #[test]
    fn glide_lands_on_its_target() {
        let mut svf = SvfSection::default();
        let target = SvfParams::from_biquad(&Biquad {
            b: [0.2, 0.4, 0.2],
            a: [1.0, -0.37, 0.2],
        });
        svf.glide_to(target, 64);
        for _ in 0..64 {
            svf.tick([0.0, 0.0]);
        }
        assert_eq!(svf.params, target);
    }
}
