//! Test signals. Random ones come from `fastrand` with a seed, so every run is the same.

use std::f64::consts::PI;

/// A sine at `freq_hz`, `amplitude` peak, `len` samples.
pub fn sine(freq_hz: f64, amplitude: f64, sample_rate: f64, len: usize) -> Vec<f32> {
    (0..len)
        .map(|i| (amplitude * (2.0 * PI * freq_hz * i as f64 / sample_rate).sin()) as f32)
        .collect()
}

/// Deterministic white noise, uniform in [−amplitude, amplitude].
pub fn noise(amplitude: f32, len: usize, seed: u64) -> Vec<f32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len).map(|_| uniform(&mut rng, amplitude)).collect()
}

/// One sample of uniform noise in [−amplitude, amplitude].
pub fn uniform(rng: &mut fastrand::Rng, amplitude: f32) -> f32 {
    amplitude * (2.0 * rng.f32() - 1.0)
}

/// A square wave (constant magnitude `amplitude`), so a peak detector reads exactly it.
pub fn square(freq_hz: f64, amplitude: f64, sample_rate: f64, len: usize) -> Vec<f32> {
    (0..len)
        .map(|i| {
            let s = (2.0 * PI * freq_hz * (i as f64 + 0.5) / sample_rate).sin();
            (if s >= 0.0 { amplitude } else { -amplitude }) as f32
        })
        .collect()
}

/// Index of the first sample where `a` and `b` differ at all.
pub fn first_difference(a: &[f32], b: &[f32]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x.to_bits() != y.to_bits())
}
