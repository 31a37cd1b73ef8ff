//! Band powers from a Welch spectrum, for a path whose pitch wanders by a few ppm (a drift-
//! corrected duplex): a least-squares sine fit counts that wander as distortion, while an
//! analyser's notch, like the band excluded here, takes it as part of the tone. With the Kaiser
//! window (β = 20) a pure sine reads −169 dB, far under the −120 dB being judged.

use realfft::RealFftPlanner;

use crate::db::power_to_db;

/// Kaiser window shape: main lobe ±6.5 bins.
const KAISER_BETA: f64 = 20.0;

/// Mean power per frequency bin of a signal, one-sided: the sum over all bins is the
/// signal's mean square.
#[derive(Debug, Clone)]
pub struct Spectrum {
    pub bin_hz: f64,
    pub power: Vec<f64>,
}

/// Modified Bessel function of the first kind, order 0 (power series; converges for the
/// window's arguments up to β). The plugin has one too (`dsp/blocks/kaiser.rs`); this crate
/// depends on no Strata crate, and the analyser measuring the resampler should not share its
/// window with the resampler's filter.
fn bessel_i0(x: f64) -> f64 {
    let (mut term, mut sum, mut k) = (1.0, 1.0, 1.0);
    while term > sum * 1e-17 {
        term *= (x / (2.0 * k)).powi(2);
        sum += term;
        k += 1.0;
    }
    sum
}

fn kaiser(len: usize) -> Vec<f64> {
    let norm = bessel_i0(KAISER_BETA);
    (0..len)
        .map(|n| {
            let r = 2.0 * n as f64 / (len - 1) as f64 - 1.0;
            bessel_i0(KAISER_BETA * (1.0 - r * r).max(0.0).sqrt()) / norm
        })
        .collect()
}

impl Spectrum {
    /// Welch average of `x` in Kaiser-windowed segments of `segment` samples, half
    /// overlapping. Panics when `x` is shorter than one segment.
    pub fn welch(x: &[f64], rate_hz: f64, segment: usize) -> Spectrum {
        assert!(x.len() >= segment, "{} samples, segment {segment}", x.len());
        let window = kaiser(segment);
        let window_energy: f64 = window.iter().map(|w| w * w).sum();
        let fft = RealFftPlanner::<f64>::new().plan_fft_forward(segment);
        let (mut input, mut output) = (fft.make_input_vec(), fft.make_output_vec());
        let mut power = vec![0.0; output.len()];
        let mut segments = 0;
        for start in (0..=x.len() - segment).step_by(segment / 2) {
            for ((i, s), w) in input.iter_mut().zip(&x[start..]).zip(&window) {
                *i = s * w;
            }
            fft.process(&mut input, &mut output)
                .expect("sizes from the plan");
            for (p, c) in power.iter_mut().zip(&output) {
                *p += c.norm_sqr();
            }
            segments += 1;
        }
        // Parseval: Σ|X|² over the two-sided spectrum is N·Σ(w·x)².
        let last = power.len() - 1;
        for (k, p) in power.iter_mut().enumerate() {
            let one_sided = if k == 0 || (k == last && segment.is_multiple_of(2)) {
                1.0
            } else {
                2.0
            };
            *p *= one_sided / (segments as f64 * segment as f64 * window_energy);
        }
        Spectrum {
            bin_hz: rate_hz / segment as f64,
            power,
        }
    }

    /// Mean square of the signal between `lo_hz` and `hi_hz` (bins whose centre is inside).
    pub fn band_power(&self, lo_hz: f64, hi_hz: f64) -> f64 {
        let lo = (lo_hz / self.bin_hz).ceil().max(0.0) as usize;
        let hi = ((hi_hz / self.bin_hz).floor() as usize).min(self.power.len() - 1);
        self.power.get(lo..=hi).map_or(0.0, |b| b.iter().sum())
    }
}

/// THD+N of a sine at `freq_hz` in 20 Hz–20 kHz, dB: what lies outside ±`notch_hz` of the
/// tone against the tone, from 1 s segments.
pub fn thd_n_db(x: &[f64], rate_hz: f64, freq_hz: f64, notch_hz: f64) -> f64 {
    let s = Spectrum::welch(x, rate_hz, rate_hz as usize);
    let tone = s.band_power(freq_hz - notch_hz, freq_hz + notch_hz);
    let rest = s.band_power(20.0, freq_hz - notch_hz - s.bin_hz / 2.0)
        + s.band_power(freq_hz + notch_hz + s.bin_hz / 2.0, 20_000.0);
    power_to_db(rest / tone)
}

/// Peak amplitude of a sine at `freq_hz`, from the power within ±`band_hz` of it in 1 s
/// segments.
pub fn tone_amplitude(x: &[f64], rate_hz: f64, freq_hz: f64, band_hz: f64) -> f64 {
    let s = Spectrum::welch(x, rate_hz, rate_hz as usize);
    (2.0 * s.band_power(freq_hz - band_hz, freq_hz + band_hz)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    use crate::db::ratio_to_db;
    use crate::fit::{Search, fit_sine_near};

    fn sine(freq_hz: f64, amplitude: f64, rate_hz: f64, len: usize) -> Vec<f64> {
        (0..len)
            .map(|n| amplitude * (2.0 * PI * freq_hz * n as f64 / rate_hz + 0.3).sin())
            .collect()
    }

    #[test]
    fn a_pure_sine_leaks_nothing_measurable() {
        // Off-bin, so only the window keeps the leakage down.
        let x = sine(997.3, 0.5, 48_000.0, 5 * 48_000);
        let thd_n = thd_n_db(&x, 48_000.0, 997.3, 20.0);
        // Measured −168.7 dB.
        println!("pure sine: {thd_n:.1} dB");
        assert!(thd_n < -160.0, "{thd_n}");
        let a = tone_amplitude(&x, 48_000.0, 997.3, 20.0);
        assert!((a / 0.5 - 1.0).abs() < 1e-6, "{a}");
    }

    #[test]
    fn white_noise_reads_at_its_level() {
        // Noise of RMS 1e-6 under a 0.5 sine: (20 kHz − 20 Hz − 40 Hz)/24 kHz of its power
        // is in the measured band.
        let mut x = sine(1000.0, 0.5, 48_000.0, 10 * 48_000);
        let mut rng = fastrand::Rng::with_seed(3);
        let rms = 1e-6;
        for s in &mut x {
            *s += rms * 3f64.sqrt() * (2.0 * rng.f64() - 1.0);
        }
        let expected = power_to_db(rms * rms * (19_940.0 / 24_000.0) / 0.125);
        let thd_n = thd_n_db(&x, 48_000.0, 1000.0, 20.0);
        // Measured −111.78 dB against −111.77 expected.
        println!("noise: {thd_n:.2} dB, expected {expected:.2} dB");
        assert!((thd_n - expected).abs() < 0.2, "{thd_n} vs {expected}");
    }

    #[test]
    fn a_slow_pitch_wander_stays_in_the_notch() {
        // ±2 ppm at 0.2 Hz swings the phase by ±10 mrad: a sine fit, even at its best
        // frequency, counts that as distortion (measured −43.0 dB); the notch keeps it all.
        let (rate, f) = (48_000.0, 1000.0);
        let x: Vec<f64> = (0..10 * 48_000)
            .map(|n| {
                let t = n as f64 / rate;
                let wander = 2e-6 * f / 0.2 * (1.0 - (2.0 * PI * 0.2 * t).cos());
                0.5 * (2.0 * PI * f * t + wander).sin()
            })
            .collect();
        let search = Search {
            span_ppm: 5.0,
            grid_ppm: 1.0,
            resolution_ppm: 1e-4,
        };
        let (fit, _) = fit_sine_near(&x, f / rate, search);
        let fit_db = ratio_to_db(fit.residual_rms / (fit.amplitude / 2f64.sqrt()));
        let thd_n = thd_n_db(&x, rate, f, 20.0);
        // Measured −168.8 dB, the pure sine's floor.
        println!("wander: {thd_n:.1} dB; a sine fit reads {fit_db:.1} dB");
        assert!(fit_db > -80.0, "{fit_db}");
        assert!(thd_n < -160.0, "{thd_n}");
    }
}
