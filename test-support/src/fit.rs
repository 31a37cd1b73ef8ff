//! Least-squares sine fits: the amplitude of known frequencies in a signal and what is left
//! (THD+N), exact for any window length (unlike a DFT bin, which leaks unless the window
//! holds whole cycles).

use std::f64::consts::PI;

use crate::db::ratio_to_db;

/// Sines at known frequencies plus DC, fitted to a signal.
#[derive(Debug, Clone)]
pub struct Fit {
    /// Per frequency: (cosine, sine) coefficients.
    pub parts: Vec<[f64; 2]>,
    pub dc: f64,
    /// RMS of what the fit leaves, in the signal's units.
    pub residual_rms: f64,
}

impl Fit {
    /// Peak amplitude of the `k`th frequency.
    pub fn amplitude(&self, k: usize) -> f64 {
        self.parts[k][0].hypot(self.parts[k][1])
    }
}

/// Fit sines at `cycles` (per sample, each) plus DC to `x` by least squares.
#[allow(clippy::needless_range_loop)] // Small dense matrix code reads best indexed.
pub fn fit_sines<T: Copy + Into<f64>>(x: &[T], cycles: &[f64]) -> Fit {
    let k = 2 * cycles.len() + 1;
    let w: Vec<f64> = cycles.iter().map(|c| 2.0 * PI * c).collect();
    let basis = |i: usize, b: &mut Vec<f64>| {
        b.clear();
        for w in &w {
            let (s, c) = (w * i as f64).sin_cos();
            b.extend([c, s]);
        }
        b.push(1.0);
    };
    let mut m = vec![vec![0.0f64; k]; k];
    let mut v = vec![0.0f64; k];
    let mut b = Vec::with_capacity(k);
    for (i, &s) in x.iter().enumerate() {
        basis(i, &mut b);
        let s: f64 = s.into();
        for r in 0..k {
            v[r] += b[r] * s;
            for c in r..k {
                m[r][c] += b[r] * b[c];
            }
        }
    }
    for r in 0..k {
        for c in 0..r {
            m[r][c] = m[c][r];
        }
    }
    // Gaussian elimination; the matrix is well conditioned (many cycles, distinct frequencies).
    for p in 0..k {
        for r in p + 1..k {
            let f = m[r][p] / m[p][p];
            for c in p..k {
                m[r][c] -= f * m[p][c];
            }
            v[r] -= f * v[p];
        }
    }
    let mut sol = vec![0.0; k];
    for p in (0..k).rev() {
        let tail: f64 = (p + 1..k).map(|c| m[p][c] * sol[c]).sum();
        sol[p] = (v[p] - tail) / m[p][p];
    }
    let residual = x
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            basis(i, &mut b);
            let model: f64 = b.iter().zip(&sol).map(|(b, s)| b * s).sum();
            (s.into() - model).powi(2)
        })
        .sum::<f64>();
    Fit {
        parts: sol[..k - 1].chunks(2).map(|p| [p[0], p[1]]).collect(),
        dc: sol[k - 1],
        residual_rms: (residual / x.len().max(1) as f64).sqrt(),
    }
}

/// One sine plus DC fitted to a signal.
#[derive(Debug, Clone, Copy)]
pub struct SineFit {
    pub amplitude: f64,
    /// RMS of what the fit leaves (THD+N, in the signal's units).
    pub residual_rms: f64,
}

impl SineFit {
    /// The residual relative to the sine's amplitude, dB.
    pub fn residual_db(&self) -> f64 {
        ratio_to_db(self.residual_rms / self.amplitude)
    }
}

/// Fit a sine at exactly `cycles` per sample, plus DC.
pub fn fit_sine<T: Copy + Into<f64>>(x: &[T], cycles: f64) -> SineFit {
    let fit = fit_sines(x, &[cycles]);
    SineFit {
        amplitude: fit.amplitude(0),
        residual_rms: fit.residual_rms,
    }
}

/// Amplitude of the `freq_hz` component of `x`.
pub fn amplitude_at(x: &[f32], freq_hz: f64, sample_rate: f64) -> f64 {
    fit_sine(x, freq_hz / sample_rate).amplitude
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
    ratio_to_db(
        amplitude_at(&output[start..], freq_hz, sample_rate)
            / amplitude_at(&input[start..], freq_hz, sample_rate),
    )
}

/// Where to look for a sine whose frequency is only nearly known (a drifting clock's ratio).
#[derive(Debug, Clone, Copy)]
pub struct Search {
    /// Look within ± this of the nominal frequency, ppm.
    pub span_ppm: f64,
    /// Scan the span in steps of this first (the residual has side minima farther than about
    /// 1/length from the best frequency); a step ≥ the span scans nothing.
    pub grid_ppm: f64,
    /// Then narrow by golden section down to this.
    pub resolution_ppm: f64,
}

/// The fit at the frequency near `cycles` per sample that leaves the smallest residual, and
/// that frequency's offset from `cycles`, ppm.
pub fn fit_sine_near<T: Copy + Into<f64>>(x: &[T], cycles: f64, search: Search) -> (SineFit, f64) {
    let residual_at = |ppm: f64| fit_sine(x, cycles * (1.0 + ppm * 1e-6)).residual_rms;
    let mut centre = 0.0;
    let mut half = search.span_ppm;
    if search.grid_ppm < search.span_ppm {
        let steps = (search.span_ppm / search.grid_ppm).floor() as i64;
        centre = (-steps..=steps)
            .map(|k| k as f64 * search.grid_ppm)
            .min_by(|a, b| residual_at(*a).total_cmp(&residual_at(*b)))
            .unwrap_or(0.0);
        half = search.grid_ppm;
    }
    let (mut lo, mut hi) = (centre - half, centre + half);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    while hi - lo > search.resolution_ppm {
        let (a, b) = (hi - g * (hi - lo), lo + g * (hi - lo));
        if residual_at(a) < residual_at(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    let ppm = (lo + hi) / 2.0;
    (fit_sine(x, cycles * (1.0 + ppm * 1e-6)), ppm)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_amplitudes_dc_and_noise_of_a_known_mix() {
        let mut rng = fastrand::Rng::with_seed(7);
        let (c1, c2) = (0.01234, 0.1);
        let noise_amp = 1e-3;
        let x: Vec<f64> = (0..20_000)
            .map(|i| {
                let i = i as f64;
                0.5 * (2.0 * PI * c1 * i + 0.3).sin()
                    + 0.25 * (2.0 * PI * c2 * i).cos()
                    + 0.1
                    + noise_amp * (2.0 * rng.f64() - 1.0)
            })
            .collect();
        let fit = fit_sines(&x, &[c1, c2]);
        assert!((fit.amplitude(0) - 0.5).abs() < 1e-4);
        assert!((fit.amplitude(1) - 0.25).abs() < 1e-4);
        assert!((fit.dc - 0.1).abs() < 1e-4);
        // Uniform noise of half-width a has RMS a/√3.
        let want = noise_amp / 3f64.sqrt();
        assert!(
            (fit.residual_rms / want - 1.0).abs() < 0.05,
            "{}",
            fit.residual_rms
        );
    }

    #[test]
    fn finds_a_frequency_off_by_a_few_ppm() {
        let cycles = 1000.0 / 48_000.0;
        let x: Vec<f64> = (0..96_000)
            .map(|i| (2.0 * PI * cycles * (1.0 + 7e-6) * i as f64).sin())
            .collect();
        let search = Search {
            span_ppm: 20.0,
            grid_ppm: 20.0,
            resolution_ppm: 1e-3,
        };
        let (fit, ppm) = fit_sine_near(&x, cycles, search);
        assert!((ppm - 7.0).abs() < 0.01, "{ppm} ppm");
        assert!(fit.residual_db() < -100.0, "{}", fit.residual_db());
    }
}
