//! A biquad's coefficients and what is computed from them alone: magnitude, stability, the
//! inverse, and the classic Butterworth high-pass (the compressor's sidechain filter). The EQ's
//! analog-matched designs live in `eq/design.rs`; the running filter in `section.rs`.

use std::f64::consts::PI;

/// A digital biquad `(b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²)`; `a[0]` is always 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Biquad {
    pub b: [f64; 3],
    pub a: [f64; 3],
}

impl Biquad {
    pub const IDENTITY: Biquad = Biquad {
        b: [1.0, 0.0, 0.0],
        a: [1.0, 0.0, 0.0],
    };

    /// |H(e^{jω})|² at `w` radians per sample.
    pub fn magnitude_sq(&self, w: f64) -> f64 {
        let phi = phi(w);
        dot(mag_sq_coeffs(&self.b), phi) / dot(mag_sq_coeffs(&self.a), phi)
    }

    /// The exact inverse (swap numerator and denominator, renormalise).
    pub fn inverted(&self) -> Biquad {
        let b0 = self.b[0];
        Biquad {
            b: self.a.map(|x| x / b0),
            a: self.b.map(|x| x / b0),
        }
    }

    /// Whether both poles are strictly inside the unit circle (the stability triangle).
    pub fn is_stable(&self) -> bool {
        let [_, a1, a2] = self.a;
        a2.abs() < 1.0 && a1.abs() < 1.0 + a2
    }
}

/// A 12 dB/oct Butterworth high-pass at `freq_hz` (bilinear transform, pre-warped so the
/// −3 dB point is exact).
pub fn butterworth_high_pass(freq_hz: f64, sample_rate: f64) -> Biquad {
    let k = (PI * freq_hz / sample_rate).tan();
    let (k2, r2) = (k * k, std::f64::consts::SQRT_2 * k);
    let norm = 1.0 / (1.0 + r2 + k2);
    Biquad {
        b: [norm, -2.0 * norm, norm],
        a: [1.0, 2.0 * (k2 - 1.0) * norm, (1.0 - r2 + k2) * norm],
    }
}

/// The basis `φ0 = cos²(ω/2)`, `φ1 = sin²(ω/2)`, `φ2 = 4 φ0 φ1` in which `|P(e^{jω})|²` of a
/// second-order polynomial is linear.
pub fn phi(w: f64) -> [f64; 3] {
    let s = (0.5 * w).sin();
    let p1 = s * s;
    let p0 = 1.0 - p1;
    [p0, p1, 4.0 * p0 * p1]
}

/// The `B` coefficients of `|p0 + p1 z⁻¹ + p2 z⁻²|²` in the φ basis.
pub fn mag_sq_coeffs(p: &[f64; 3]) -> [f64; 3] {
    let dc = p[0] + p[1] + p[2];
    let ny = p[0] - p[1] + p[2];
    [dc * dc, ny * ny, -4.0 * p[0] * p[2]]
}

pub fn dot(a: [f64; 3], b: [f64; 3]) -> f64 {
    a[0] * b[0] + a[1] * b[1] + a[2] * b[2]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn db_at(bq: &Biquad, freq_hz: f64, rate: f64) -> f64 {
        10.0 * bq.magnitude_sq(2.0 * PI * freq_hz / rate).log10()
    }

    #[test]
    fn butterworth_high_pass_is_3_db_down_at_its_corner_and_falls_12_db_an_octave() {
        for rate in [44_100.0, 48_000.0, 96_000.0] {
            for fc in [20.0, 80.0, 300.0] {
                let bq = butterworth_high_pass(fc, rate);
                assert!(bq.is_stable());
                let corner = db_at(&bq, fc, rate);
                assert!(
                    (corner + 3.0103).abs() < 1e-6,
                    "{fc} Hz at {rate}: {corner} dB"
                );
                assert!(db_at(&bq, 100.0 * fc, rate).abs() < 1e-3, "passband");
                // Two octaves below the corner the asymptote is −24 dB (order 2).
                let low = db_at(&bq, fc / 4.0, rate);
                assert!((low + 24.1).abs() < 0.2, "{fc} Hz / 4: {low} dB");
            }
        }
    }
}
