//! Test signals and measurements.

use std::f64::consts::PI;

/// A sine at `freq_hz`, `amplitude` peak, `len` samples.
pub fn sine(freq_hz: f64, amplitude: f64, sample_rate: f64, len: usize) -> Vec<f32> {
    (0..len)
        .map(|i| (amplitude * (2.0 * PI * freq_hz * i as f64 / sample_rate).sin()) as f32)
        .collect()
}

/// Deterministic white noise in [-amplitude, amplitude].
pub fn noise(amplitude: f32, len: usize, seed: u64) -> Vec<f32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len)
        .map(|_| amplitude * (2.0 * rng.f32() - 1.0))
        .collect()
}

/// Amplitude of the `freq_hz` component of `x` (least-squares sine fit; exact for any length).
pub fn amplitude_at(x: &[f32], freq_hz: f64, sample_rate: f64) -> f64 {
    let (mut ss, mut cc, mut sc, mut xs, mut xc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        let ph = 2.0 * PI * freq_hz * i as f64 / sample_rate;
        let (s, c) = ph.sin_cos();
        ss += s * s;
        cc += c * c;
        sc += s * c;
        xs += v as f64 * s;
        xc += v as f64 * c;
    }
    let det = ss * cc - sc * sc;
    let a = (xs * cc - xc * sc) / det;
    let b = (xc * ss - xs * sc) / det;
    (a * a + b * b).sqrt()
}

pub fn db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

/// Gain in dB of `output` over `input` at `freq_hz`, measured on the last `tail` samples.
pub fn gain_db_at(
    input: &[f32],
    output: &[f32],
    freq_hz: f64,
    sample_rate: f64,
    tail: usize,
) -> f64 {
    let start = input.len() - tail;
    db(amplitude_at(&output[start..], freq_hz, sample_rate)
        / amplitude_at(&input[start..], freq_hz, sample_rate))
}

/// Index of the first sample where `a` and `b` differ at all.
pub fn first_difference(a: &[f32], b: &[f32]) -> Option<usize> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x.to_bits() != y.to_bits())
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
