//! The spectrum analyzer behind the editor's EQ view: it runs on the GUI thread (never in
//! process()), fed with the analyzer samples from `telemetry.rs`.
//!
//! Every quarter window (75 % overlap) the newest 4096 samples (8192 above 50 kHz) are
//! Blackman-Harris windowed, zero-padded to twice their length (which keeps the picket-fence
//! dip of a sine between bins under 0.25 dB) and transformed with realfft. The power spectrum
//! is averaged over time, then mapped onto display bins spaced evenly in log frequency: a
//! display bin shows the loudest FFT bin inside it, or, where it is narrower than the FFT's
//! resolution (the low end), the spectrum interpolated at its centre by a parabola in dB (the
//! window's main lobe is nearly Gaussian, so a sine's peak lands at its own frequency). Levels
//! are calibrated so a sine of amplitude A reads 20·log10(A) dBFS.
//!
//! All buffers and the FFT plan are made in `new`; `push` only computes.

use std::sync::Arc;

use realfft::num_complex::Complex;
use realfft::{RealFftPlanner, RealToComplex};

use crate::telemetry::AnalyzerSample;

/// Time constant of the power averaging.
const AVERAGE_MS: f64 = 150.0;
/// Displayed levels are floored here.
pub const FLOOR_DB: f32 = -140.0;

/// Which signal a spectrum is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tap {
    /// The plugin's input.
    Pre = 0,
    /// The plugin's output.
    Post = 1,
}

/// How a display bin reads the FFT: the largest power in `lo..hi`; or, when that range is
/// empty, a parabola in dB through bins `lo − 1`, `lo`, `lo + 1`, read `offset` bins from `lo`.
#[derive(Debug, Clone, Copy)]
struct DisplayBin {
    lo: usize,
    hi: usize,
    offset: f32,
}

pub struct Analyzer {
    size: usize,
    hop: usize,
    window: Vec<f32>,
    /// Scale from |X|² to the power of a sine of the same amplitude (2/Σw)².
    power_scale: f32,
    fft: Arc<dyn RealToComplex<f32>>,
    /// The newest `size` samples of each tap, as a ring.
    history: [Vec<f32>; 2],
    pos: usize,
    since_hop: usize,
    frame: Vec<f32>,
    spectrum: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Time-averaged power per FFT bin, per tap.
    power: [Vec<f32>; 2],
    average: f32,
    bins: Vec<DisplayBin>,
    freqs_hz: Vec<f32>,
    display_db: [Vec<f32>; 2],
}

impl Analyzer {
    /// An analyzer for `sample_rate`, showing `display_bins` bins from `min_hz` to `max_hz`.
    pub fn new(sample_rate: f64, display_bins: usize, min_hz: f64, max_hz: f64) -> Analyzer {
        let size = if sample_rate > 50_000.0 { 8192 } else { 4096 };
        let padded = 2 * size;
        let fft = RealFftPlanner::<f32>::new().plan_fft_forward(padded);
        // Four-term Blackman-Harris, periodic.
        let window: Vec<f32> = (0..size)
            .map(|n| {
                let x = 2.0 * std::f64::consts::PI * n as f64 / size as f64;
                (0.35875 - 0.48829 * x.cos() + 0.14128 * (2.0 * x).cos()
                    - 0.01168 * (3.0 * x).cos()) as f32
            })
            .collect();
        let sum: f32 = window.iter().sum();
        let hop = size / 4;
        let hop_seconds = hop as f64 / sample_rate;
        let bin_hz = sample_rate / padded as f64;
        let ratio = (max_hz / min_hz).powf(1.0 / display_bins.max(1) as f64);
        let mut bins = Vec::with_capacity(display_bins);
        let mut freqs_hz = Vec::with_capacity(display_bins);
        let last_bin = padded / 2;
        for k in 0..display_bins {
            let lo_hz = min_hz * ratio.powi(k as i32);
            let hi_hz = lo_hz * ratio;
            let centre_hz = (lo_hz * hi_hz).sqrt();
            freqs_hz.push(centre_hz as f32);
            let lo = ((lo_hz / bin_hz).ceil() as usize).min(last_bin);
            let hi = ((hi_hz / bin_hz).ceil() as usize).min(last_bin + 1);
            bins.push(if hi > lo {
                DisplayBin {
                    lo,
                    hi,
                    offset: 0.0,
                }
            } else {
                let at = (centre_hz / bin_hz).clamp(1.0, last_bin as f64 - 1.0);
                let k = at.round();
                DisplayBin {
                    lo: k as usize,
                    hi: k as usize,
                    offset: (at - k) as f32,
                }
            });
        }
        Analyzer {
            size,
            hop,
            power_scale: (2.0 / sum).powi(2),
            fft: fft.clone(),
            history: [vec![0.0; size], vec![0.0; size]],
            pos: 0,
            since_hop: 0,
            frame: fft.make_input_vec(),
            spectrum: fft.make_output_vec(),
            scratch: fft.make_scratch_vec(),
            power: [vec![0.0; last_bin + 1], vec![0.0; last_bin + 1]],
            average: (-hop_seconds * 1000.0 / AVERAGE_MS).exp() as f32,
            window,
            bins,
            freqs_hz,
            display_db: [vec![FLOOR_DB; display_bins], vec![FLOOR_DB; display_bins]],
        }
    }

    /// Centre frequency of each display bin.
    pub fn freqs_hz(&self) -> &[f32] {
        &self.freqs_hz
    }

    /// Level of each display bin, dBFS (floored at `FLOOR_DB`).
    pub fn display_db(&self, tap: Tap) -> &[f32] {
        &self.display_db[tap as usize]
    }

    /// Feed samples; a new spectrum is computed every quarter window. Returns whether the
    /// display changed.
    pub fn push(&mut self, samples: impl IntoIterator<Item = AnalyzerSample>) -> bool {
        let mut changed = false;
        for s in samples {
            self.history[0][self.pos] = s.pre;
            self.history[1][self.pos] = s.post;
            self.pos = (self.pos + 1) % self.size;
            self.since_hop += 1;
            if self.since_hop == self.hop {
                self.since_hop = 0;
                self.analyse(Tap::Pre);
                self.analyse(Tap::Post);
                changed = true;
            }
        }
        if changed {
            self.update_display();
        }
        changed
    }

    fn analyse(&mut self, tap: Tap) {
        let t = tap as usize;
        // Oldest first, windowed; the second half stays zero (padding).
        let (newer, older) = self.history[t].split_at(self.pos);
        for ((f, x), w) in self
            .frame
            .iter_mut()
            .zip(older.iter().chain(newer))
            .zip(&self.window)
        {
            *f = x * w;
        }
        self.frame[self.size..].fill(0.0);
        self.fft
            .process_with_scratch(&mut self.frame, &mut self.spectrum, &mut self.scratch)
            .expect("buffers made by the plan");
        let a = self.average;
        for (p, c) in self.power[t].iter_mut().zip(&self.spectrum) {
            *p = a * *p + (1.0 - a) * c.norm_sqr() * self.power_scale;
        }
    }

    fn update_display(&mut self) {
        for t in 0..2 {
            let power = &self.power[t];
            for (out, b) in self.display_db[t].iter_mut().zip(&self.bins) {
                let p = if b.hi > b.lo {
                    power[b.lo..b.hi].iter().fold(0.0f32, |m, v| m.max(*v))
                } else {
                    let db = |p: f32| 10.0 * p.max(1e-30).log10();
                    let (l, c, r) = (db(power[b.lo - 1]), db(power[b.lo]), db(power[b.lo + 1]));
                    let x = b.offset;
                    let y = c + 0.5 * x * (r - l) + 0.5 * x * x * (l - 2.0 * c + r);
                    10f32.powf(y / 10.0)
                };
                *out = (10.0 * p.max(1e-30).log10()).max(FLOOR_DB);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed_sine(a: &mut Analyzer, rate: f64, freq: f64, amplitude: f64, seconds: f64) {
        let n = (rate * seconds) as usize;
        a.push((0..n).map(|i| {
            let x =
                (amplitude * (2.0 * std::f64::consts::PI * freq * i as f64 / rate).sin()) as f32;
            AnalyzerSample {
                pre: x,
                post: 0.5 * x,
            }
        }));
    }

    #[test]
    fn a_sine_lands_in_its_bin_at_its_level() {
        let mut worst: f32 = 0.0;
        for rate in [44_100.0, 48_000.0, 96_000.0] {
            for freq in [63.0, 100.0, 440.0, 1000.0, 3150.0, 10_000.0, 17_500.0] {
                let mut a = Analyzer::new(rate, 256, 20.0, 20_000.0);
                feed_sine(&mut a, rate, freq, 0.5, 2.0);
                let freqs = a.freqs_hz().to_vec();
                for (tap, level) in [(Tap::Pre, 0.5f32), (Tap::Post, 0.25)] {
                    let db = a.display_db(tap);
                    let (peak, &peak_db) = db
                        .iter()
                        .enumerate()
                        .max_by(|x, y| x.1.total_cmp(y.1))
                        .unwrap();
                    // The bin whose range holds the frequency (ranges meet at geometric means),
                    // to the FFT's resolution: a sine right at a boundary may show either side.
                    let ratio = freqs[1] / freqs[0];
                    let resolution = (rate / (2 * a.size) as f64) as f32;
                    let lo = freqs[peak] / ratio.sqrt() - resolution;
                    let hi = freqs[peak] * ratio.sqrt() + resolution;
                    assert!(
                        (lo..hi).contains(&(freq as f32)),
                        "{freq} Hz at {rate}: peak in the bin at {} Hz",
                        freqs[peak]
                    );
                    let err = peak_db - 20.0 * level.log10();
                    worst = worst.max(err.abs());
                    assert!(
                        err.abs() <= 0.5,
                        "{freq} Hz at {rate} ({tap:?}): {err:+.2} dB"
                    );
                }
            }
        }
        println!("worst analyzer level error {worst:.3} dB");
    }

    #[test]
    fn silence_reads_the_floor_and_far_bins_stay_low() {
        let rate = 48_000.0;
        let mut a = Analyzer::new(rate, 256, 20.0, 20_000.0);
        a.push((0..rate as usize).map(|_| AnalyzerSample::default()));
        assert!(a.display_db(Tap::Pre).iter().all(|d| *d == FLOOR_DB));
        let mut a = Analyzer::new(rate, 256, 20.0, 20_000.0);
        feed_sine(&mut a, rate, 1000.0, 1.0, 2.0);
        // Two octaves away the window's sidelobes are far down.
        let far = a
            .freqs_hz()
            .iter()
            .zip(a.display_db(Tap::Pre))
            .filter(|(f, _)| **f < 250.0 || **f > 4000.0)
            .fold(f32::NEG_INFINITY, |m, (_, d)| m.max(*d));
        assert!(far < -85.0, "{far} dB two octaves from a 0 dBFS sine");
    }
}
