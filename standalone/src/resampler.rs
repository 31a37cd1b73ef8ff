//! Sample-rate conversion for the duplex path and for `render`: rubato's asynchronous sinc
//! resampler, set up for transparency, its ratio steerable by the drift loop.
//!
//! Set-up: 256-tap Blackman-Harris² sinc (rubato picks the cutoff from the length), 256
//! intermediate phases, linear interpolation between them, f32. Through the whole duplex path
//! at 44.1↔48 kHz with +300 ppm of drift (`tests/duplex_quality.rs`): 20 Hz–20 kHz within
//! −0.0051 dB, 40–320 Hz within 0.00007 dB, the residual of a 1 kHz sine −135.4 dB. Shorter
//! filters roll 20 kHz off (in an exploratory sweep of rubato's settings, not kept: −0.7 dB at
//! 192 taps, −10 dB at 128): the cutoff has to sit above 20 kHz *and* the images of a 44.1 kHz
//! stream have to be gone by 24.1 kHz.
//!
//! Output-driven: each call makes exactly the frames the output device asked for and pulls as
//! many input frames as that needs.

use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{
    Adjustable, Async, FixedAsync, Resampler, Resizable, SincInterpolationParameters,
    SincInterpolationType, WindowFunction,
};

/// How far the drift loop may move the ratio: ±1 %, far beyond real clocks (±500 ppm tested).
pub const MAX_CORRECTION: f64 = 1.01;

/// Converts `channels` channels from `input_rate_hz` to `output_rate_hz`.
pub struct Converter {
    inner: Async<f32>,
    channels: usize,
    max_chunk: usize,
    staging_in: Vec<Vec<f32>>,
    staging_out: Vec<Vec<f32>>,
    nominal_ratio: f64,
    /// The ratio last asked for (rubato ramps to it over the next chunk).
    target_ratio: f64,
}

impl Converter {
    /// A converter producing at most `max_chunk` output frames per call. Allocates: create it
    /// outside the audio thread.
    pub fn new(
        input_rate_hz: f64,
        output_rate_hz: f64,
        channels: usize,
        max_chunk: usize,
    ) -> Converter {
        let parameters = SincInterpolationParameters {
            sinc_len: 256,
            f_cutoff: None,
            oversampling_factor: 256,
            interpolation: SincInterpolationType::Linear,
            window: WindowFunction::BlackmanHarris2,
        };
        let ratio = output_rate_hz / input_rate_hz;
        let inner = Async::new_sinc(
            ratio,
            MAX_CORRECTION,
            &parameters,
            max_chunk,
            channels,
            FixedAsync::Output,
        )
        .expect("valid resampler parameters");
        let max_in = inner.input_frames_max();
        Converter {
            inner,
            channels,
            max_chunk,
            staging_in: vec![vec![0.0; max_in]; channels],
            staging_out: vec![vec![0.0; max_chunk]; channels],
            nominal_ratio: ratio,
            target_ratio: ratio,
        }
    }

    /// Output rate / input rate, without correction.
    pub fn nominal_ratio(&self) -> f64 {
        self.nominal_ratio
    }

    /// The filter's delay, in output frames (half the sinc).
    pub fn delay_frames(&self) -> usize {
        self.inner.output_delay()
    }

    /// Input frames the next call to `process` for `frames` output frames will pull.
    pub fn input_frames_for(&mut self, frames: usize) -> usize {
        let _ = self.inner.set_chunk_size(frames.clamp(1, self.max_chunk));
        self.inner.input_frames_next()
    }

    /// Scale the ratio by `relative` (1 + correction); clamped to ±1 %.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn set_correction(&mut self, relative: f64) {
        let r = relative.clamp(1.0 / MAX_CORRECTION, MAX_CORRECTION);
        if self.inner.set_resample_ratio_relative(r, true).is_ok() {
            self.target_ratio = self.nominal_ratio * r;
        }
    }

    /// Make `output[c].len()` frames (≤ `max_chunk`, the same for every channel), taking the
    /// input frames from `pull`, which must fill the first `n` frames of each buffer it is given
    /// (with silence for what it does not have). Returns how far the read position moved, in
    /// input frames (fractional: the input frames pulled are whole, the position is not).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process(
        &mut self,
        mut pull: impl FnMut(&mut [Vec<f32>], usize),
        output: &mut [&mut [f32]],
    ) -> f64 {
        let frames = output.first().map_or(0, |o| o.len());
        if frames == 0 {
            return 0.0;
        }
        let advance = self.advance(frames);
        let needed = self.input_frames_for(frames);
        pull(&mut self.staging_in, needed);
        let input = SequentialSliceOfVecs::new(&self.staging_in, self.channels, needed)
            .expect("staging sized at creation");
        let mut out = SequentialSliceOfVecs::new_mut(&mut self.staging_out, self.channels, frames)
            .expect("staging sized at creation");
        // Sizes are checked above; a failure leaves silence rather than stale audio.
        let made = self
            .inner
            .process_into_buffer(&input, &mut out, None)
            .map_or(0, |(_, made)| made);
        for (dst, src) in output.iter_mut().zip(&self.staging_out) {
            dst[..made].copy_from_slice(&src[..made]);
            dst[made..].fill(0.0);
        }
        advance
    }

    /// How far rubato's read index moves while making `frames` output frames: it steps by
    /// 1/ratio per frame, ramping linearly from the current ratio to the target over the chunk
    /// (`t += (1/target − 1/current)/n; index += t`), so the sum is closed-form. The whole
    /// frames it pulls move by ±1 around this; the drift loop needs the smooth value.
    fn advance(&self, frames: usize) -> f64 {
        let n = frames as f64;
        let (from, to) = (1.0 / self.inner.resample_ratio(), 1.0 / self.target_ratio);
        n * from + (to - from) * (n + 1.0) / 2.0
    }

    /// Forget the signal (after an underrun or a resync). rubato also returns to the nominal
    /// ratio; the drift loop sets its correction again at the next callback.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn reset(&mut self) {
        self.inner.reset();
        self.target_ratio = self.nominal_ratio;
    }
}
