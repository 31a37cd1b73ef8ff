//! The Kaiser window and the windowed-sinc interpolators built on it (the limiter's and the
//! meter's true-peak filters; the standalone's resampler uses the window too).

use std::f64::consts::PI;

/// The Kaiser window at `r` ∈ [−1, 1] (0 at the centre) for shape `beta`.
pub fn kaiser(beta: f64, r: f64) -> f64 {
    bessel_i0(beta * (1.0 - r * r).max(0.0).sqrt()) / bessel_i0(beta)
}

/// An `F`× interpolator as `F` phases of `T` taps: a Kaiser-windowed sinc with its cut-off at
/// the input's Nyquist frequency, `F·T + 1` taps long and centred on a whole input sample
/// (`phases[p][j]` weighs `x[n − j]` for the point `p/F` after `x[n − T/2]`).
pub fn kaiser_sinc_phases<const F: usize, const T: usize>(beta: f64) -> [[f64; T]; F] {
    let len = F * T + 1;
    let centre = (len - 1) as f64 / 2.0;
    let mut phases = [[0.0f64; T]; F];
    for k in 0..len - 1 {
        let t = (k as f64 - centre) / F as f64;
        let sinc = if t == 0.0 {
            1.0
        } else {
            (PI * t).sin() / (PI * t)
        };
        let r = (k as f64 - centre) / centre;
        phases[k % F][k / F] = sinc * kaiser(beta, r);
    }
    phases
}

/// Zeroth-order modified Bessel function of the first kind, by its power series (converges
/// fast for the β of a Kaiser window, < 20).
pub fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term) = (1.0, 1.0);
    let q = x * x / 4.0;
    let mut k = 1.0;
    while term > sum * 1e-17 {
        term *= q / (k * k);
        sum += term;
        k += 1.0;
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bessel_i0_matches_tabulated_values() {
        // Abramowitz & Stegun, table 9.8 (I0(x)·e^−x for x = 1, 5, 10).
        for (x, scaled) in [
            (1.0, 0.4657596077),
            (5.0, 0.1835408126),
            (10.0, 0.1278333372),
        ] {
            let got = bessel_i0(x) * (-x).exp();
            assert!((got - scaled).abs() < 1e-9, "I0({x}): {got} vs {scaled}");
        }
    }

    #[test]
    fn the_interpolator_passes_whole_samples_through() {
        // Phase 0 sits on an input sample: one tap of 1, the rest (sinc zeros) 0.
        let phases = kaiser_sinc_phases::<4, 16>(6.0);
        for (j, &c) in phases[0].iter().enumerate() {
            let want = if j == 8 { 1.0 } else { 0.0 };
            assert!((c - want).abs() < 1e-12, "tap {j}: {c}");
        }
    }
}
