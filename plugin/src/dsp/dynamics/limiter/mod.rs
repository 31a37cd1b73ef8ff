//! Lookahead true-peak limiter.
//!
//! Per sample, the sidechain finds the true peak of the input on both sides of the sample
//! (8× interpolation, `detector.rs`), and from it the gain the sample may have at most. That
//! requirement passes through an exponential release, then a sliding minimum over
//! `lookahead + 1` samples and a moving average over `lookahead` samples: the average of the
//! held minimum reaches the requirement exactly when the peak is played, so the attack is a
//! smooth ramp that never lets a peak through. The audio is delayed to line up:
//! latency = interpolator delay + lookahead − 1 samples, the same whether the limiter is on or
//! off, so switching it never moves the audio in time. While off (its fade silent) only the
//! delay line runs; the detector and the gain rest and start clean when it is switched on,
//! under the fade-in.

pub mod detector;

use crate::dsp::blocks::delay::delay_through;
use crate::dsp::blocks::fade::Fade;
use crate::dsp::blocks::fastmath;
use crate::dsp::blocks::sliding_min::SlidingMin;
use detector::{Kernel, TruePeak};

pub const MIN_LOOKAHEAD_MS: f64 = 0.5;
pub const MAX_LOOKAHEAD_MS: f64 = 10.0;
/// Enable/disable crossfade.
const FADE_MS: f64 = 10.0;
/// The moving average is re-summed from scratch this often (in samples) so rounding in the
/// running sum never accumulates.
const RESUM_EVERY: usize = 8192;
/// An envelope this close to 1 (8.7e-12 dB under) is 1: see `step`.
const UNITY_SNAP: f64 = 1.0 - 1e-12;
/// Frames whose true peaks are found in one go.
const CHUNK: usize = 64;

/// `i` wrapped into `0..len`, for `i ≤ len` (a compare, not a division, per sample).
#[inline(always)]
fn wrap(i: usize, len: usize) -> usize {
    if i >= len { i - len } else { i }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LimiterSettings {
    pub enabled: bool,
    pub ceiling_db: f64,
    pub release_ms: f64,
    pub lookahead_ms: f64,
    /// Detect inter-sample (true) peaks; off: sample peaks only.
    pub true_peak: bool,
}

impl Default for LimiterSettings {
    fn default() -> Self {
        LimiterSettings {
            enabled: false,
            ceiling_db: -1.0,
            release_ms: 50.0,
            lookahead_ms: 2.0,
            true_peak: true,
        }
    }
}

/// Lookahead in whole samples at `sample_rate`.
pub fn lookahead_samples(lookahead_ms: f64, sample_rate: f64) -> usize {
    let ms = lookahead_ms.clamp(MIN_LOOKAHEAD_MS, MAX_LOOKAHEAD_MS);
    ((ms * sample_rate / 1000.0).round() as usize).max(1)
}

/// The latency a lookahead gives, in samples.
pub fn latency_samples(lookahead_ms: f64, sample_rate: f64) -> usize {
    detector::DELAY + lookahead_samples(lookahead_ms, sample_rate) - 1
}

#[derive(Debug, Clone)]
pub struct Limiter {
    sample_rate: f64,
    settings: LimiterSettings,
    lookahead: usize,
    kernel: Kernel,
    detector: TruePeak,
    /// Requirement of the previous interval (each sample needs both sides covered).
    previous_peak: f64,
    release_pole: f64,
    release_ms: f64,
    envelope: f64,
    minimum: SlidingMin,
    /// Moving average of the held minimum.
    average: Vec<f64>,
    average_pos: usize,
    average_sum: f64,
    since_resum: usize,
    /// Delay line for the audio, `latency` samples long.
    delay: Vec<[f64; 2]>,
    delay_pos: usize,
    fade: Fade,
    /// Apply the next block's on/off state without a fade.
    snap: bool,
    /// Off and resting: only the delay line ran in the last block.
    resting: bool,
    /// The gain computer is in its resting state (see `idles_through`).
    settled: bool,
    block_min_gain: f64,
}

impl Limiter {
    /// Allocates for the longest lookahead: create it outside the audio thread.
    pub fn new(sample_rate: f64, settings: &LimiterSettings) -> Limiter {
        let max_lookahead = lookahead_samples(MAX_LOOKAHEAD_MS, sample_rate);
        let mut limiter = Limiter {
            sample_rate,
            settings: *settings,
            lookahead: 1,
            kernel: Kernel::new(),
            detector: TruePeak::default(),
            previous_peak: 0.0,
            release_pole: 0.0,
            release_ms: f64::NAN,
            envelope: 1.0,
            minimum: SlidingMin::new(max_lookahead + 1),
            average: vec![1.0; max_lookahead],
            average_pos: 0,
            average_sum: 0.0,
            since_resum: 0,
            delay: vec![[0.0; 2]; detector::DELAY + max_lookahead],
            delay_pos: 0,
            fade: Fade::new(FADE_MS * sample_rate / 1000.0),
            snap: false,
            resting: false,
            settled: false,
            block_min_gain: 1.0,
        };
        limiter.configure(settings.lookahead_ms);
        limiter.fade.set_target(settings.enabled);
        limiter.fade.finish();
        limiter
    }

    /// Set the lookahead and clear every state (the delay line changes length).
    fn configure(&mut self, lookahead_ms: f64) {
        self.lookahead = lookahead_samples(lookahead_ms, self.sample_rate);
        self.minimum.set_window(self.lookahead + 1);
        self.reset();
    }

    /// Latency in samples with the current lookahead.
    pub fn latency_samples(&self) -> usize {
        detector::DELAY + self.lookahead - 1
    }

    /// Whether the frames carry one signal on both sides (a mono layout): the true-peak
    /// detector then does half the work for the same readings.
    pub fn set_mono(&mut self, mono: bool) {
        self.detector.set_mono(mono);
    }

    /// Switch on or off at once on the next block, without a fade.
    pub fn snap_next_block(&mut self) {
        self.snap = true;
    }

    pub fn reset(&mut self) {
        self.rest();
        self.delay.fill([0.0; 2]);
        self.delay_pos = 0;
    }

    /// Detector and gain back to their clean state (the audio's delay line keeps running).
    fn rest(&mut self) {
        self.detector.reset();
        self.previous_peak = 0.0;
        self.settle();
    }

    /// The gain computer's resting state: envelope 1, every held and averaged value 1.
    fn settle(&mut self) {
        self.envelope = 1.0;
        self.minimum.reset();
        self.average.fill(1.0);
        self.average_pos = 0;
        self.average_sum = self.lookahead as f64;
        self.since_resum = 0;
        self.settled = true;
    }

    /// Only the delay: the block comes out `latency_samples()` later, unchanged.
    fn delay_only(&mut self, frames: &mut [[f64; 2]]) {
        let len = self.latency_samples();
        self.delay_pos = delay_through(&mut self.delay[..len], self.delay_pos, frames);
    }

    /// New settings for the next block. A different lookahead (in samples) changes the
    /// latency and restarts the limiter; the caller reports the new latency.
    pub fn set(&mut self, settings: &LimiterSettings) {
        let lookahead = lookahead_samples(settings.lookahead_ms, self.sample_rate);
        if lookahead != self.lookahead {
            self.configure(settings.lookahead_ms);
        }
        if settings.release_ms != self.release_ms {
            self.release_ms = settings.release_ms;
            self.release_pole =
                (-1000.0 / (settings.release_ms.max(0.01) * self.sample_rate)).exp();
        }
        self.settings = *settings;
    }

    /// One sample: delay the audio, update the gain from this sample's peak, apply it.
    /// Returns the gain applied.
    #[inline(always)]
    fn step(
        &mut self,
        frame: &mut [f64; 2],
        true_peaks: [f64; 2],
        ceiling: f64,
        true_peak: bool,
    ) -> f64 {
        let input = *frame;
        let delay_len = self.latency_samples();
        // The delayed sample this step plays.
        let delayed = if delay_len == 0 {
            input
        } else {
            let d = self.delay[self.delay_pos];
            self.delay[self.delay_pos] = input;
            self.delay_pos = wrap(self.delay_pos + 1, delay_len);
            d
        };
        let fade = if self.fade.is_silent() {
            0.0
        } else {
            self.fade.advance(1)
        };
        let peak = if true_peak {
            true_peaks[0].max(true_peaks[1])
        } else {
            input[0].abs().max(input[1].abs())
        };
        let both_sides = peak.max(self.previous_peak);
        self.previous_peak = peak;
        let required = if both_sides > ceiling {
            ceiling / both_sides
        } else {
            1.0
        };
        // Release: the envelope recovers towards 1 exponentially, never above the need.
        // The recovery stalls a few ulps short of 1 (where a step is under half an ulp), and a
        // gain never again exactly unity would keep the gain computer running for good. The
        // comparisons compile to single instructions (the envelope is never NaN).
        let released = 1.0 - self.release_pole * (1.0 - self.envelope);
        let released = if released > UNITY_SNAP { 1.0 } else { released };
        self.envelope = if required < released {
            required
        } else {
            released
        };
        let held = self.minimum.push(self.envelope);
        // Moving average over the last `lookahead` held values.
        let window = self.lookahead;
        self.average_sum += held - self.average[self.average_pos];
        self.average[self.average_pos] = held;
        self.average_pos = wrap(self.average_pos + 1, window);
        self.since_resum += 1;
        if self.since_resum >= RESUM_EVERY {
            self.average_sum = self.average[..window].iter().sum();
            self.since_resum = 0;
        }
        let gain = if held == 1.0 && self.average_sum == window as f64 {
            1.0
        } else {
            (self.average_sum / window as f64).min(1.0)
        };
        let g = 1.0 + fade * (gain - 1.0);
        *frame = if g == 1.0 {
            delayed
        } else {
            [delayed[0] * g, delayed[1] * g]
        };
        g
    }

    /// A chunk with nothing to limit, after any earlier limiting has fully released, has a
    /// gain of exactly 1 throughout: delay it and skip the gain computer. At that point the
    /// gain computer's state is its resting state (envelope 1, every held and averaged value
    /// 1: `settled`), and pushing more 1s would leave it so; returns whether it skipped.
    ///
    /// Runs on the audio thread: must not allocate or block.
    #[inline(always)]
    fn idles_through(
        &mut self,
        chunk: &mut [[f64; 2]],
        true_peaks: &[[f64; 2]],
        bound: Option<f64>,
        ceiling: f64,
        true_peak: bool,
    ) -> bool {
        let released = self.envelope == 1.0 && self.average_sum == self.lookahead as f64;
        if !released || self.previous_peak > ceiling {
            return false;
        }
        let (loudest, last) = match bound {
            // Every true peak is the detector's bound: nothing to look through.
            Some(bound) if true_peak => (bound, bound),
            _ => {
                let mut loudest: f64 = 0.0;
                let mut last = 0.0;
                for (tp, f) in true_peaks.iter().zip(chunk.iter()) {
                    let [a, b] = if true_peak { *tp } else { f.map(f64::abs) };
                    last = if a > b { a } else { b };
                    loudest = if last > loudest { last } else { loudest };
                }
                (loudest, last)
            }
        };
        if loudest > ceiling {
            return false;
        }
        if !self.settled {
            // Equal to the state the last lookahead's pushes of 1 gave, up to the running
            // sum's rounding.
            self.settle();
        }
        self.previous_peak = last;
        let latency = self.latency_samples();
        self.delay_pos = delay_through(&mut self.delay[..latency], self.delay_pos, chunk);
        if self.fade.is_moving() {
            self.fade.advance(chunk.len());
        }
        true
    }

    /// The smallest gain applied in the last block (1 = no limiting, and always 1 when off).
    pub fn settings(&self) -> &LimiterSettings {
        &self.settings
    }

    pub fn min_gain(&self) -> f64 {
        self.block_min_gain
    }

    /// Limit `frames` in place (they come out `latency_samples()` later).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process_block(&mut self, frames: &mut [[f64; 2]]) {
        let s = self.settings;
        self.fade.set_target(s.enabled);
        if std::mem::take(&mut self.snap) {
            self.fade.finish();
        }
        if self.fade.is_silent() {
            // Off: nothing to compute but the latency.
            if !self.resting {
                self.rest();
                self.resting = true;
            }
            self.delay_only(frames);
            self.block_min_gain = 1.0;
            return;
        }
        self.resting = false;
        let ceiling = fastmath::amplitude(s.ceiling_db);
        let mut block_min: f64 = 1.0;
        for chunk in frames.chunks_mut(CHUNK) {
            // True peaks of the chunk first (vectorised); exact only where they could reach the
            // ceiling. In sample-peak mode the detector only keeps its history.
            let mut peaks = [[0.0; 2]; CHUNK];
            let limit = if s.true_peak { ceiling } else { f64::INFINITY };
            let bound = self
                .detector
                .process_block(&self.kernel, chunk, limit, &mut peaks);
            let peaks = &peaks[..chunk.len()];
            if self.idles_through(chunk, peaks, bound, ceiling, s.true_peak) {
                continue;
            }
            self.settled = false;
            for (frame, tp) in chunk.iter_mut().zip(peaks) {
                let g = self.step(frame, *tp, ceiling, s.true_peak);
                block_min = block_min.min(g);
            }
        }
        self.block_min_gain = block_min;
    }
}
