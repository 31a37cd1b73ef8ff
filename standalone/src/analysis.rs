//! Measurement helpers: least-squares sine fits, for the resampler's, the duplex path's and
//! the device tests. Never on the audio thread.

use std::f64::consts::PI;

/// A sine plus DC fitted to a signal.
#[derive(Debug, Clone, Copy)]
pub struct SineFit {
    /// Cosine, sine and DC coefficients.
    pub parts: [f64; 3],
    pub amplitude: f64,
    /// RMS of what the fit leaves (THD+N, in the signal's units).
    pub residual_rms: f64,
}

impl SineFit {
    /// The residual relative to the sine, dB.
    pub fn residual_db(&self) -> f64 {
        20.0 * (self.residual_rms / self.amplitude).log10()
    }
}

/// Least-squares fit of a sine at exactly `cycles` per sample, plus DC.
#[allow(clippy::needless_range_loop)] // Matrix indices.
pub fn fit_sine<T: Copy + Into<f64>>(x: &[T], cycles: f64) -> SineFit {
    let w = 2.0 * PI * cycles;
    let basis = |i: usize| [(w * i as f64).cos(), (w * i as f64).sin(), 1.0];
    let (mut m, mut v) = ([[0.0f64; 3]; 3], [0.0f64; 3]);
    for (i, &s) in x.iter().enumerate() {
        let b = basis(i);
        for r in 0..3 {
            v[r] += b[r] * s.into();
            for c in 0..3 {
                m[r][c] += b[r] * b[c];
            }
        }
    }
    // Gaussian elimination; the matrix is well conditioned (many cycles).
    for p in 0..3 {
        for r in p + 1..3 {
            let f = m[r][p] / m[p][p];
            for c in p..3 {
                m[r][c] -= f * m[p][c];
            }
            v[r] -= f * v[p];
        }
    }
    let mut sol = [0.0; 3];
    for p in (0..3).rev() {
        let tail: f64 = (p + 1..3).map(|c| m[p][c] * sol[c]).sum();
        sol[p] = (v[p] - tail) / m[p][p];
    }
    let residual = x
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let b = basis(i);
            let e = s.into() - sol[0] * b[0] - sol[1] * b[1] - sol[2];
            e * e
        })
        .sum::<f64>();
    SineFit {
        parts: sol,
        amplitude: sol[0].hypot(sol[1]),
        residual_rms: (residual / x.len().max(1) as f64).sqrt(),
    }
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
