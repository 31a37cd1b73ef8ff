//! The order of the stages, latency bookkeeping and bypass:
//! input gain → EQ → output gain, crossfaded against the dry input for bypass.
//!
//! The compressor and limiter join this chain with the dynamics stage; their parameters
//! already exist (see `params.rs`) so ids never change.

use crate::dsp::eq::{BandSettings, Equalizer, MAX_BLOCK};
use crate::dsp::fade::Fade;

/// Bypass crossfade time.
const BYPASS_FADE_MS: f32 = 10.0;

/// Per-block inputs to the chain that vary sample by sample.
pub struct BlockGains<'a> {
    /// Linear input gain per sample.
    pub input: &'a [f32],
    /// Linear output gain per sample.
    pub output: &'a [f32],
}

#[derive(Debug, Clone)]
pub struct Chain {
    eq: Equalizer,
    /// 0 = processed, 1 = bypassed.
    bypass: Fade,
}

impl Chain {
    pub fn new(sample_rate: f32) -> Chain {
        Chain {
            eq: Equalizer::new(sample_rate as f64),
            bypass: Fade::new((BYPASS_FADE_MS * sample_rate / 1000.0) as f64),
        }
    }

    /// Latency the chain adds, in samples (to report to the host).
    pub fn latency_samples(&self) -> u32 {
        0
    }

    pub fn equalizer(&self) -> &Equalizer {
        &self.eq
    }

    pub fn set_band(&mut self, index: usize, settings: BandSettings) {
        self.eq.set_band(index, settings);
    }

    /// Start a bypass crossfade (or finish one early if it reverses).
    pub fn set_bypass(&mut self, bypassed: bool) {
        self.bypass.set_target(bypassed);
    }

    /// Jump straight to a bypass state, without fading (used at activation).
    pub fn force_bypass(&mut self, bypassed: bool) {
        self.bypass.set_target(bypassed);
        self.bypass.finish();
    }

    /// Clear all filter states; settings are kept.
    pub fn reset(&mut self) {
        self.eq.reset();
    }

    /// Process up to `MAX_BLOCK` samples of one or two channels in place.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process_block(
        &mut self,
        left: &mut [f32],
        right: Option<&mut [f32]>,
        gains: &BlockGains,
    ) {
        let n = left.len();
        debug_assert!(n <= MAX_BLOCK && gains.input.len() >= n && gains.output.len() >= n);
        let fully_bypassed = self.bypass.is_full();

        // Non-finite input never enters the filters: it becomes silence.
        let clean = |x: f32| if x.is_finite() { x } else { 0.0 };
        let mut dry = [[0.0f32; 2]; MAX_BLOCK];
        match &right {
            Some(r) => {
                for ((d, l), r) in dry.iter_mut().zip(left.iter()).zip(r.iter()) {
                    *d = [clean(*l), clean(*r)];
                }
            }
            None => {
                for (d, l) in dry.iter_mut().zip(left.iter()) {
                    *d = [clean(*l); 2];
                }
            }
        }

        let mut wet = [[0.0f64; 2]; MAX_BLOCK];
        if fully_bypassed {
            // Nothing to compute; filters restart from rest when the bypass ends.
            self.eq.reset();
        } else {
            for ((w, d), g) in wet.iter_mut().zip(&dry[..n]).zip(gains.input) {
                *w = [(d[0] * g) as f64, (d[1] * g) as f64];
            }
            self.eq.process_block(&mut wet[..n]);
        }

        let mut out = [[0.0f32; 2]; MAX_BLOCK];
        for i in 0..n {
            let g = gains.output[i];
            let processed = [wet[i][0] as f32 * g, wet[i][1] as f32 * g];
            let b = if self.bypass.is_moving() {
                self.bypass.advance(1) as f32
            } else {
                self.bypass.value() as f32
            };
            out[i] = if b == 0.0 {
                processed
            } else if b == 1.0 {
                dry[i]
            } else {
                [
                    processed[0] + b * (dry[i][0] - processed[0]),
                    processed[1] + b * (dry[i][1] - processed[1]),
                ]
            };
        }

        // Nothing non-finite leaves the chain, whatever happened inside.
        let finite = |x: f32| if x.is_finite() { x } else { 0.0 };
        for (l, o) in left.iter_mut().zip(&out[..n]) {
            *l = finite(o[0]);
        }
        if let Some(r) = right {
            for (r, o) in r.iter_mut().zip(&out[..n]) {
                *r = finite(o[1]);
            }
        }
    }
}
