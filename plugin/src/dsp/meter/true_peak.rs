//! True-peak meter per ITU-R BS.1770-4 Annex 2: 4× oversampling through a polyphase
//! interpolation filter; the reading is the largest magnitude of the oversampled signal (or of
//! the samples themselves, so it never reads below the sample peak).
//!
//! The filter is a Kaiser-windowed sinc, 24 taps per phase (β = 6), rather than the
//! Recommendation's example filter (12 taps per phase), which reads sines at fs/6 and fs/4
//! 0.22 dB high — over the EBU Tech 3341 tolerance at 44.1 kHz. This one is within 0.003 dB
//! at fs/8…fs/4 and up to 20 kHz at 48 kHz.
//!
//! A meter only needs the maximum, not a value per sample, so the samples are collected into
//! 64-frame chunks (channel-planar, single precision) and the filter runs as a block
//! convolution over each: with AVX2, 64 outputs of a phase sit in eight registers while the
//! taps stream past. A reading therefore lags the signal by less than a chunk (1.5 ms at
//! 44.1 kHz). The windowed sinc is centred on a sample, so its phase 0 is the samples
//! themselves (delayed): their peak is taken directly and only phases 1–3 are filtered.

use crate::dsp::blocks::kaiser::kaiser_sinc_phases;
use crate::dsp::blocks::simd::Isa;

const TAPS: usize = 24;
const PHASES: usize = 4;
const KAISER_BETA: f64 = 6.0;
/// Frames convolved in one go.
const CHUNK: usize = 64;
/// History then chunk: output `n` of a chunk sits at `x[n + TAPS − 1]`.
const SPAN: usize = TAPS - 1 + CHUNK;

#[derive(Debug, Clone)]
pub struct TruePeakMeter {
    /// `phases[p][j]` weighs `x[n − j]`.
    phases: [[f32; TAPS]; PHASES],
    /// Per channel: the last `TAPS − 1` samples of the previous chunk, then this chunk so far.
    x: [[f32; SPAN]; 2],
    filled: usize,
    isa: Isa,
}

impl Default for TruePeakMeter {
    fn default() -> Self {
        let phases = kaiser_sinc_phases::<PHASES, TAPS>(KAISER_BETA);
        TruePeakMeter {
            phases: phases.map(|p| p.map(|h| h as f32)),
            x: [[0.0; SPAN]; 2],
            filled: 0,
            isa: Isa::detect(),
        }
    }
}

impl TruePeakMeter {
    pub fn reset(&mut self) {
        self.x = [[0.0; SPAN]; 2];
        self.filled = 0;
    }

    /// Feed `frames`; returns the true peak (linear) per channel of the chunks completed
    /// during this call (0 where none was).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process(&mut self, frames: &[[f64; 2]]) -> [f32; 2] {
        let mut peak = [0.0f32; 2];
        let mut rest = frames;
        while !rest.is_empty() {
            let take = rest.len().min(CHUNK - self.filled);
            let at = TAPS - 1 + self.filled;
            let [x0, x1] = &mut self.x;
            for ((a, b), f) in x0[at..at + take]
                .iter_mut()
                .zip(&mut x1[at..at + take])
                .zip(&rest[..take])
            {
                *a = f[0] as f32;
                *b = f[1] as f32;
            }
            self.filled += take;
            rest = &rest[take..];
            if self.filled == CHUNK {
                for (p, x) in peak.iter_mut().zip(self.x.iter_mut()) {
                    *p = p.max(chunk_peak(self.isa, &self.phases, x));
                    x.copy_within(CHUNK..SPAN, 0);
                }
                self.filled = 0;
            }
        }
        peak
    }
}

/// The largest magnitude of one channel's chunk, oversampled (and of its samples).
fn chunk_peak(isa: Isa, phases: &[[f32; TAPS]; PHASES], x: &[f32; SPAN]) -> f32 {
    let mut lanes = [0.0f32; 8];
    max_abs_into(&mut lanes, &x[TAPS - 1..]);
    #[cfg(target_arch = "x86_64")]
    if isa.avx2_fma() {
        for phase in &phases[1..] {
            // SAFETY: `isa` came from `Isa::detect`, which found AVX2 and FMA.
            let y = unsafe { convolve_avx2(phase, x) };
            max_abs_into(&mut lanes, &y);
        }
        return lanes.iter().fold(0.0f32, |m, v| m.max(*v));
    }
    chunk_peak_portable(phases, x)
}

fn chunk_peak_portable(phases: &[[f32; TAPS]; PHASES], x: &[f32; SPAN]) -> f32 {
    let mut lanes = [0.0f32; 8];
    max_abs_into(&mut lanes, &x[TAPS - 1..]);
    for phase in &phases[1..] {
        let mut y = [0.0f32; CHUNK];
        for (j, &h) in phase.iter().enumerate() {
            let from = TAPS - 1 - j;
            for (acc, v) in y.iter_mut().zip(&x[from..from + CHUNK]) {
                *acc += h * v;
            }
        }
        max_abs_into(&mut lanes, &y);
    }
    lanes.iter().fold(0.0f32, |m, v| m.max(*v))
}

/// One phase over the chunk: 64 outputs held in eight registers while the taps stream past.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn convolve_avx2(phase: &[f32; TAPS], x: &[f32; SPAN]) -> [f32; CHUNK] {
    use std::arch::x86_64::*;
    // SAFETY (all intrinsics): AVX2/FMA enabled; the loads read x[TAPS − 1 − j + 8g ..][..8]
    // with j < TAPS and g < 8, inside the SPAN = TAPS − 1 + 64 samples.
    unsafe {
        let mut acc = [_mm256_setzero_ps(); 8];
        for (j, &h) in phase.iter().enumerate() {
            let h = _mm256_set1_ps(h);
            let base = x.as_ptr().add(TAPS - 1 - j);
            for (g, a) in acc.iter_mut().enumerate() {
                *a = _mm256_fmadd_ps(h, _mm256_loadu_ps(base.add(8 * g)), *a);
            }
        }
        let mut y = [0.0f32; CHUNK];
        for (g, a) in acc.iter().enumerate() {
            _mm256_storeu_ps(y.as_mut_ptr().add(8 * g), *a);
        }
        y
    }
}

/// Fold |v| into eight lane-wise maxima (a compare-and-select per lane: one `maxps`).
#[inline(always)]
fn max_abs_into(lanes: &mut [f32; 8], v: &[f32]) {
    let fold = |l: &mut f32, x: &f32| {
        let a = x.abs();
        *l = if a > *l { a } else { *l };
    };
    let chunks = v.chunks_exact(8);
    lanes
        .iter_mut()
        .zip(chunks.remainder())
        .for_each(|(l, x)| fold(l, x));
    for c in chunks {
        lanes.iter_mut().zip(c).for_each(|(l, x)| fold(l, x));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn meter_db(x: impl Iterator<Item = f64>, block: usize) -> f64 {
        let frames: Vec<[f64; 2]> = x.map(|v| [v, -v]).collect();
        let mut m = TruePeakMeter::default();
        let mut peak = [0.0f32; 2];
        for c in frames.chunks(block) {
            let p = m.process(c);
            peak = [peak[0].max(p[0]), peak[1].max(p[1])];
        }
        assert_eq!(peak[0], peak[1]);
        20.0 * (peak[0] as f64).log10()
    }

    #[test]
    fn reads_the_peak_between_samples_at_any_block_size() {
        // fs/4 at 45°: samples at −3 dB of the sine's peak.
        for block in [1, 7, 64, 100] {
            let db = meter_db(
                (0..4800).map(|n| 0.5 * (PI / 2.0 * n as f64 + PI / 4.0).sin()),
                block,
            );
            assert!((db + 6.02).abs() < 0.2, "block {block}: {db}");
        }
    }

    #[test]
    fn never_reads_below_the_sample_peak() {
        let db = meter_db([0.0, 0.0, 0.8, 0.0, 0.0].into_iter().cycle().take(500), 64);
        assert!(db >= 20.0 * 0.8f64.log10() - 1e-6, "{db}");
    }

    #[test]
    fn every_kernel_agrees_with_the_portable_one() {
        let phases = TruePeakMeter::default().phases;
        for isa in Isa::available() {
            let mut rng = fastrand::Rng::with_seed(4);
            let mut worst = 0.0f32;
            for _ in 0..50 {
                let x: [f32; SPAN] = std::array::from_fn(|_| rng.f32() * 2.0 - 1.0);
                let (fast, portable) = (
                    chunk_peak(isa, &phases, &x),
                    chunk_peak_portable(&phases, &x),
                );
                worst = worst.max((fast - portable).abs() / portable);
            }
            let kernel = if isa.avx2_fma() {
                "avx2+fma"
            } else {
                "portable"
            };
            println!(
                "meter true peak on {isa:?} ran the {kernel} kernel: {worst:.2e} from portable"
            );
            assert!(worst <= 1e-5, "{isa:?}: {worst}");
        }
    }

    #[test]
    fn phase_zero_is_the_samples_themselves() {
        let phases = TruePeakMeter::default().phases;
        for (j, &h) in phases[0].iter().enumerate() {
            let want = if j == TAPS / 2 { 1.0 } else { 0.0 };
            assert!((h - want).abs() < 1e-7, "tap {j}: {h}");
        }
    }
}
