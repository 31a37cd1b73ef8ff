//! Exact frequency responses of measured impulse responses.

use std::f64::consts::PI;

/// Magnitude in dB of the discrete-time Fourier transform of `ir` at `freq_hz`.
pub fn dtft_db(ir: &[f64], freq_hz: f64, sample_rate: f64) -> f64 {
    let w = 2.0 * PI * freq_hz / sample_rate;
    let (step_re, step_im) = (w.cos(), -w.sin());
    // Rotate a phasor instead of calling sin/cos per sample; renormalise now and then.
    let (mut re, mut im) = (1.0f64, 0.0f64);
    let (mut acc_re, mut acc_im) = (0.0, 0.0);
    for (n, &x) in ir.iter().enumerate() {
        acc_re += x * re;
        acc_im += x * im;
        let next_re = re * step_re - im * step_im;
        im = re * step_im + im * step_re;
        re = next_re;
        if n % 1024 == 1023 {
            let norm = (re * re + im * im).sqrt();
            re /= norm;
            im /= norm;
        }
    }
    10.0 * (acc_re * acc_re + acc_im * acc_im).log10()
}

/// `count` log-spaced frequencies from `lo_hz` to `hi_hz` inclusive.
pub fn log_frequencies(lo_hz: f64, hi_hz: f64, count: usize) -> Vec<f64> {
    let ratio = (hi_hz / lo_hz).powf(1.0 / (count - 1) as f64);
    (0..count).map(|i| lo_hz * ratio.powi(i as i32)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_one_pole_lowpass_reads_its_formula() {
        let a = 0.9f64;
        let ir: Vec<f64> = (0..4000).map(|n| (1.0 - a) * a.powi(n)).collect();
        for f in log_frequencies(10.0, 20_000.0, 7) {
            let w = 2.0 * PI * f / 48_000.0;
            let exact = 10.0 * ((1.0 - a).powi(2) / (1.0 - 2.0 * a * w.cos() + a * a)).log10();
            assert!((dtft_db(&ir, f, 48_000.0) - exact).abs() < 1e-9, "{f} Hz");
        }
    }
}
