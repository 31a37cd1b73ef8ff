//! The order of the stages, latency bookkeeping and bypass:
//! input gain → EQ → compressor → limiter → output gain, crossfaded against the dry input for
//! bypass. The dry path is delayed by the chain's latency (the limiter's lookahead), so bypass
//! and processing stay sample-aligned; with every stage neutral the two are bit-identical.
//! The meters see the signal as it enters the stages (after the input gain) and as it leaves;
//! the analyzer's two points are the EQ's input and output (mono), so the spectrum shows what
//! the EQ curve drawn over it does.

use crate::dsp::blocks::delay::delay_through;
use crate::dsp::blocks::fade::Fade;
use crate::dsp::blocks::simd::Isa;
use crate::dsp::dynamics::compressor::{Compressor, CompressorSettings};
use crate::dsp::dynamics::limiter::{self, Limiter, LimiterSettings};
use crate::dsp::eq::solo::Solo;
use crate::dsp::eq::{self, BandSettings, Equalizer};
use crate::dsp::meter::Meters;

/// The chain's block: parameters are read, smoothed values taken and the meters fed once per
/// block of at most this many frames. Short enough that a parameter step is followed within
/// 1.5 ms at 44.1 kHz; long enough that per-block work is small beside per-sample work.
pub const MAX_BLOCK: usize = 64;
const _: () = assert!(
    MAX_BLOCK <= eq::MAX_FRAMES,
    "the EQ takes a chain block in one call"
);

/// Bypass crossfade time.
const BYPASS_FADE_MS: f64 = 10.0;

/// Per-block inputs to the chain that vary sample by sample.
pub struct BlockGains<'a> {
    /// Linear input gain per sample.
    pub input: &'a [f32],
    /// Linear output gain per sample.
    pub output: &'a [f32],
}

/// The external sidechain for one block: left and (if stereo) right, or nothing.
pub type Sidechain<'a> = Option<(&'a [f32], Option<&'a [f32]>)>;

/// What the stages measured in the last block, for the meters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reductions {
    /// Compressor gain reduction, dB ≥ 0.
    pub compressor_db: f64,
    /// Limiter gain reduction, dB ≥ 0.
    pub limiter_db: f64,
    /// The compressor detector's loudest level (linear, 0 while the compressor is off).
    pub compressor_level: f64,
}

#[derive(Debug, Clone)]
pub struct Chain {
    sample_rate: f64,
    eq: Equalizer,
    compressor: Compressor,
    limiter: Limiter,
    bypass: Fade,
    /// A band's region heard alone, in place of the output, while the editor asks.
    solo: Solo,
    /// The dry signal, delayed like the processed one.
    dry_delay: Vec<[f64; 2]>,
    dry_pos: usize,
    meters: Meters,
    /// The last block's EQ input and output, mono, for the analyzer.
    eq_in: [f32; MAX_BLOCK],
    eq_out: [f32; MAX_BLOCK],
    taps_len: usize,
    isa: Isa,
}

impl Chain {
    /// Allocates everything the chain will ever need: create it outside the audio thread.
    pub fn new(sample_rate: f32) -> Chain {
        let sample_rate = sample_rate as f64;
        let limiter = Limiter::new(sample_rate, &LimiterSettings::default());
        let longest = limiter::latency_samples(limiter::MAX_LOOKAHEAD_MS, sample_rate);
        let mut chain = Chain {
            sample_rate,
            eq: Equalizer::new(sample_rate),
            compressor: Compressor::new(sample_rate),
            limiter,
            bypass: Fade::new(BYPASS_FADE_MS * sample_rate / 1000.0),
            solo: Solo::new(sample_rate),
            dry_delay: Vec::with_capacity(longest),
            dry_pos: 0,
            meters: Meters::new(sample_rate, 2),
            eq_in: [0.0; MAX_BLOCK],
            eq_out: [0.0; MAX_BLOCK],
            taps_len: 0,
            isa: Isa::detect(),
        };
        chain.resize_dry_delay();
        chain
    }

    fn resize_dry_delay(&mut self) {
        let latency = self.limiter.latency_samples();
        // Within the capacity reserved in `new`: no allocation.
        self.dry_delay.clear();
        self.dry_delay.resize(latency, [0.0; 2]);
        self.dry_pos = 0;
    }

    /// Latency the chain adds, in samples (to report to the host).
    pub fn latency_samples(&self) -> u32 {
        self.limiter.latency_samples() as u32
    }

    /// How long the output may go on after the input falls silent, in samples: the latency,
    /// the EQ's ringing, the dynamics' recovery (ten release times: what gain reduction is
    /// left is then under 0.001 dB of any future signal) and a bypass fade under way. A host
    /// may stop calling the plugin once the input has been silent this long; it then resumes
    /// exactly as if it had kept running.
    pub fn tail_samples(&self) -> u32 {
        let mut seconds = self.eq.ring_seconds();
        let comp = self.compressor.settings();
        if comp.enabled || self.compressor.gain_reduction_db() > 0.0 {
            seconds += 10.0 * (comp.attack_ms + comp.release_ms) / 1000.0;
        }
        let limiter = self.limiter.settings();
        if limiter.enabled || self.limiter.min_gain() < 1.0 {
            seconds += 10.0 * limiter.release_ms / 1000.0;
        }
        if self.bypass.is_moving() {
            seconds += BYPASS_FADE_MS / 1000.0;
        }
        let tail = self.latency_samples() as f64 + (seconds * self.sample_rate).ceil();
        tail.min(u32::MAX as f64) as u32
    }

    pub fn sample_rate(&self) -> f64 {
        self.sample_rate
    }

    /// The last block's EQ input and output (mono), for the analyzer.
    pub fn spectrum_taps(&self) -> (&[f32], &[f32]) {
        (&self.eq_in[..self.taps_len], &self.eq_out[..self.taps_len])
    }

    pub fn equalizer(&self) -> &Equalizer {
        &self.eq
    }

    pub fn meters(&self) -> &Meters {
        &self.meters
    }

    /// The meters, to take frames, reset loudness, or replace (for a mono layout) outside the
    /// audio thread.
    pub fn meters_mut(&mut self) -> &mut Meters {
        &mut self.meters
    }

    pub fn reductions(&self) -> Reductions {
        Reductions {
            compressor_db: self.compressor.gain_reduction_db(),
            limiter_db: (-20.0 * self.limiter.min_gain().log10()).max(0.0),
            compressor_level: self.compressor.detector_level(),
        }
    }

    pub fn set_band(&mut self, index: usize, settings: BandSettings) {
        self.eq.set_band(index, settings);
    }

    pub fn set_compressor(&mut self, settings: &CompressorSettings) {
        self.compressor.set(settings);
    }

    /// New limiter settings. A new lookahead changes the latency (and restarts the limiter and
    /// the dry delay with silence); compare `latency_samples()` before and after.
    pub fn set_limiter(&mut self, settings: &LimiterSettings) {
        let before = self.limiter.latency_samples();
        self.limiter.set(settings);
        if self.limiter.latency_samples() != before {
            self.resize_dry_delay();
        }
    }

    /// Audition `band`'s region (of the input, delayed like the output) in place of the output
    /// from the next block on, or (`None`) return to the output, fading either way.
    pub fn set_solo(&mut self, band: Option<&BandSettings>, block_len: usize) {
        // The band as the EQ runs it (on a mono signal, placed bands act as stereo ones).
        let band = band.map(|b| self.eq.as_run(*b));
        self.solo.set(band.as_ref(), block_len);
    }

    /// Whether the chain carries one channel (on both sides): the EQ then ignores placements
    /// and runs one lane per section, the compressor one detector, the limiter's true-peak
    /// detector two frames per vector.
    pub fn set_mono(&mut self, mono: bool) {
        self.eq.set_mono(mono);
        self.compressor.set_mono(mono);
        self.limiter.set_mono(mono);
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

    /// Apply the next block's settings at once — every stage on or off as set, no fades — as
    /// after activation, when a restored session must sound right from its first sample.
    pub fn snap_next_block(&mut self) {
        self.eq.snap_next_block();
        self.compressor.snap_next_block();
        self.limiter.snap_next_block();
    }

    /// Clear all filter states and delay lines; settings are kept.
    pub fn reset(&mut self) {
        self.eq.reset();
        self.compressor.reset();
        self.limiter.reset();
        self.dry_delay.fill([0.0; 2]);
        self.dry_pos = 0;
        self.solo = Solo::new(self.sample_rate);
    }

    /// Process up to `MAX_BLOCK` samples of one or two channels in place.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process_block(
        &mut self,
        left: &mut [f32],
        right: Option<&mut [f32]>,
        sidechain: Sidechain,
        gains: &BlockGains,
    ) {
        #[cfg(target_arch = "x86_64")]
        if self.isa.avx2_fma() {
            // SAFETY: `isa` came from `Isa::detect`, which found AVX2 and FMA.
            unsafe { self.process_block_avx2(left, right, sidechain, gains) };
            return;
        }
        self.run_block(left, right, sidechain, gains);
    }

    /// The glue between the stages (conversions, gains, delays, taps) compiled for AVX2; the
    /// stages pick their own kernels.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn process_block_avx2(
        &mut self,
        left: &mut [f32],
        right: Option<&mut [f32]>,
        sidechain: Sidechain,
        gains: &BlockGains,
    ) {
        self.run_block(left, right, sidechain, gains);
    }

    #[inline(always)]
    fn run_block(
        &mut self,
        left: &mut [f32],
        right: Option<&mut [f32]>,
        sidechain: Sidechain,
        gains: &BlockGains,
    ) {
        let n = left.len();
        debug_assert!(n <= MAX_BLOCK && gains.input.len() >= n && gains.output.len() >= n);

        let mut dry = [[0.0f64; 2]; MAX_BLOCK];
        read_frames(&mut dry[..n], left, right.as_deref());
        let mut key = [[0.0f64; 2]; MAX_BLOCK];
        let key = sidechain.map(|(l, r)| {
            read_frames(&mut key[..n], l, r);
            &key[..n]
        });

        // What enters the stages (after the input gain), for the meters and the analyzer.
        let mut wet = [[0.0f64; 2]; MAX_BLOCK];
        for (((w, d), g), tap) in wet
            .iter_mut()
            .zip(&dry[..n])
            .zip(gains.input)
            .zip(self.eq_in.iter_mut())
        {
            let g = *g as f64;
            *w = [d[0] * g, d[1] * g];
            *tap = mono_of(*w);
        }
        let input = wet;
        // The stages keep running while bypassed: the processed signal is ready, in step, the
        // moment the bypass fades back to it.
        self.eq.process_block(&mut wet[..n]);
        mono(&wet[..n], &mut self.eq_out[..n]);
        self.taps_len = n;
        self.compressor.process_block(&mut wet[..n], key);
        self.limiter.process_block(&mut wet[..n]);

        // The dry signal, delayed by the latency.
        self.dry_pos = delay_through(&mut self.dry_delay, self.dry_pos, &mut dry[..n]);

        let mut out = [[0.0f64; 2]; MAX_BLOCK];
        let settled = !self.bypass.is_moving();
        // Nothing non-finite leaves the chain, whatever happened inside.
        let finite = |x: f64| if x.is_finite() { x } else { 0.0 };
        if settled && self.bypass.value() == 0.0 {
            for ((o, w), g) in out[..n].iter_mut().zip(&wet[..n]).zip(gains.output) {
                let g = *g as f64;
                *o = [finite(w[0] * g), finite(w[1] * g)];
            }
        } else {
            if settled && self.bypass.value() == 1.0 {
                out[..n].copy_from_slice(&dry[..n]);
            } else {
                self.crossfade_bypass(&wet[..n], &dry[..n], gains.output, &mut out[..n]);
            }
            for o in out[..n].iter_mut() {
                *o = o.map(finite);
            }
        }
        if self.solo.is_active() {
            // Bypassed or not: an audition is what the user asked to hear.
            self.solo.process(&dry[..n], &mut out[..n]);
        }

        match right {
            Some(right) => {
                for ((l, r), o) in left.iter_mut().zip(right.iter_mut()).zip(&out[..n]) {
                    (*l, *r) = (o[0] as f32, o[1] as f32);
                }
            }
            None => {
                for (l, o) in left.iter_mut().zip(&out[..n]) {
                    *l = o[0] as f32;
                }
            }
        }
        self.meters.process(&input[..n], &out[..n]);
        let r = self.reductions();
        self.meters
            .add_dynamics(r.compressor_db, r.limiter_db, r.compressor_level);
    }
}

impl Chain {
    /// The output while the bypass fades: processed (with the output gain) crossfaded with
    /// the delayed dry signal, sample by sample.
    fn crossfade_bypass(
        &mut self,
        wet: &[[f64; 2]],
        dry: &[[f64; 2]],
        output_gain: &[f32],
        out: &mut [[f64; 2]],
    ) {
        for (((o, w), d), g) in out.iter_mut().zip(wet).zip(dry).zip(output_gain) {
            let g = *g as f64;
            let processed = [w[0] * g, w[1] * g];
            let b = if self.bypass.is_moving() {
                self.bypass.advance(1)
            } else {
                self.bypass.value()
            };
            *o = if b == 0.0 {
                processed
            } else if b == 1.0 {
                *d
            } else {
                [
                    processed[0] + b * (d[0] - processed[0]),
                    processed[1] + b * (d[1] - processed[1]),
                ]
            };
        }
    }
}

/// The mean of a block's two channels (non-finite reads as silence, as the output does).
fn mono(frames: &[[f64; 2]], out: &mut [f32]) {
    for (o, f) in out.iter_mut().zip(frames) {
        *o = mono_of(*f);
    }
}

#[inline(always)]
fn mono_of(f: [f64; 2]) -> f32 {
    let m = (0.5 * (f[0] + f[1])) as f32;
    if m.is_finite() { m } else { 0.0 }
}

/// Copy one or two channels into stereo frames (mono goes to both sides); non-finite samples
/// become silence, so they never enter a filter.
fn read_frames(frames: &mut [[f64; 2]], left: &[f32], right: Option<&[f32]>) {
    let clean = |x: f32| if x.is_finite() { x as f64 } else { 0.0 };
    match right {
        Some(r) => {
            for ((f, l), r) in frames.iter_mut().zip(left).zip(r) {
                *f = [clean(*l), clean(*r)];
            }
        }
        None => {
            for (f, l) in frames.iter_mut().zip(left) {
                *f = [clean(*l); 2];
            }
        }
    }
}
