//! Feed-forward compressor in the log domain (Giannoulis, Massberg & Reiss, "Digital Dynamic
//! Range Compressor Design — A Tutorial and Analysis", JAES 2012): level detector (peak or
//! RMS) → soft-knee gain computer → smooth-branching attack/release on the gain reduction →
//! makeup → dry/wet mix. The sidechain is the compressor's own input or an external signal,
//! through an optional high-pass filter; stereo link blends each channel's level with the
//! louder one.
//!
//! An external sidechain the host leaves unconnected arrives as silence: the compressor then
//! reduces nothing. It never reads anything but the buffers it is given.

use crate::dsp::blocks::biquad::butterworth_high_pass;
use crate::dsp::blocks::fade::Fade;
use crate::dsp::blocks::fastmath;
use crate::dsp::blocks::section::{Section, coefs};
use crate::dsp::blocks::simd::{Fused, Isa, MulAdd, Plain};

/// Below this the sidechain high-pass is off. Halfway between the range's minimum (20 Hz) and the
/// next value its one-decimal display can show (20.1 Hz): every value the display calls "Off"
/// is off, every value it shows in Hz filters, so its text round trip is exact.
pub const HPF_OFF_HZ: f64 = 20.05;
/// Window (time constant) of the RMS detector.
const RMS_WINDOW_MS: f64 = 10.0;
/// Enable/disable crossfade.
const FADE_MS: f64 = 10.0;
/// Levels are floored here: log of zero is never taken.
const FLOOR_DB: f64 = -240.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detector {
    Peak,
    Rms,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CompressorSettings {
    pub enabled: bool,
    pub threshold_db: f64,
    pub ratio: f64,
    pub knee_db: f64,
    pub attack_ms: f64,
    pub release_ms: f64,
    pub makeup_db: f64,
    /// Add the gain the static curve takes from a 0 dBFS level.
    pub auto_makeup: bool,
    pub detector: Detector,
    /// Sidechain high-pass cutoff; below `HPF_OFF_HZ` the filter is off.
    pub sidechain_hpf_hz: f64,
    pub external_sidechain: bool,
    /// 0 = channels independent, 1 = both follow the louder.
    pub stereo_link: f64,
    /// 0 = dry, 1 = compressed.
    pub mix: f64,
}

impl Default for CompressorSettings {
    fn default() -> Self {
        CompressorSettings {
            enabled: false,
            threshold_db: -18.0,
            ratio: 4.0,
            knee_db: 6.0,
            attack_ms: 10.0,
            release_ms: 150.0,
            makeup_db: 0.0,
            auto_makeup: false,
            detector: Detector::Peak,
            sidechain_hpf_hz: 20.0,
            external_sidechain: false,
            stereo_link: 1.0,
            mix: 1.0,
        }
    }
}

impl CompressorSettings {
    /// The static curve: gain in dB (≤ 0) the compressor applies to a steady level. With a
    /// ratio of 1 it is exactly 0.
    pub fn static_gain_db(&self, level_db: f64) -> f64 {
        let slope = 1.0 / self.ratio - 1.0;
        let over = level_db - self.threshold_db;
        let half_knee = 0.5 * self.knee_db;
        if over <= -half_knee {
            0.0
        } else if over < half_knee {
            slope * (over + half_knee).powi(2) / (2.0 * self.knee_db)
        } else {
            slope * over
        }
    }

    /// Total makeup: the manual amount plus, with auto makeup, what a 0 dBFS level loses.
    pub fn total_makeup_db(&self) -> f64 {
        self.makeup_db
            - if self.auto_makeup {
                self.static_gain_db(0.0)
            } else {
                0.0
            }
    }
}

/// One-pole coefficient for time constant `ms`.
fn pole(ms: f64, sample_rate: f64) -> f64 {
    (-1000.0 / (ms.max(1e-3) * sample_rate)).exp()
}

#[derive(Debug, Clone)]
pub struct Compressor {
    sample_rate: f64,
    settings: CompressorSettings,
    /// The settings the time constants and the filter were derived from.
    applied: Option<CompressorSettings>,
    attack: f64,
    release: f64,
    rms: f64,
    hpf: Section,
    hpf_on: bool,
    mean_square: [f64; 2],
    /// Smoothed gain reduction per channel, dB ≥ 0.
    reduction_db: [f64; 2],
    /// Makeup and mix as applied at the end of the last block (glided per sample).
    makeup_db: f64,
    mix: f64,
    fade: Fade,
    /// Apply the next block's on/off state without a fade.
    snap: bool,
    block_reduction_db: f64,
    /// The loudest detector level of the last block (linear).
    block_level: f64,
    isa: Isa,
    /// Both channels carry one signal: linking them changes nothing, so they always are.
    mono: bool,
    /// A chunk's key when it is not the frames themselves (external, or filtered).
    key_scratch: [[f64; 2]; CHUNK],
}

impl Compressor {
    /// Whether the frames carry one channel on both sides (a mono layout).
    pub fn set_mono(&mut self, mono: bool) {
        self.mono = mono;
    }

    /// The instruction set its kernels use (detected at construction; tests lower it to
    /// compare kernels, never above what `Isa::detect` found).
    pub fn set_isa(&mut self, isa: Isa) {
        self.isa = isa.min(Isa::detect());
    }

    pub fn isa(&self) -> Isa {
        self.isa
    }

    pub fn new(sample_rate: f64) -> Compressor {
        let settings = CompressorSettings::default();
        let mut c = Compressor {
            sample_rate,
            settings,
            applied: None,
            attack: 0.0,
            release: 0.0,
            rms: pole(RMS_WINDOW_MS, sample_rate),
            hpf: Section::default(),
            hpf_on: false,
            mean_square: [0.0; 2],
            reduction_db: [0.0; 2],
            makeup_db: settings.total_makeup_db(),
            mix: settings.mix,
            fade: Fade::new(FADE_MS * sample_rate / 1000.0),
            snap: false,
            block_reduction_db: 0.0,
            block_level: 0.0,
            isa: Isa::detect(),
            mono: false,
            key_scratch: [[0.0; 2]; CHUNK],
        };
        c.apply(&settings, 0);
        c.makeup_db = settings.total_makeup_db();
        c.mix = settings.mix;
        c.fade.set_target(settings.enabled);
        c.fade.finish();
        c
    }

    /// New settings, in effect from the next block (makeup and mix glide over it).
    pub fn set(&mut self, settings: &CompressorSettings) {
        self.settings = *settings;
    }

    /// Derive time constants and the sidechain filter from `s`, where they changed.
    fn apply(&mut self, s: &CompressorSettings, block_len: usize) {
        let old = self.applied;
        if old.is_none_or(|o| o.attack_ms != s.attack_ms || o.release_ms != s.release_ms) {
            self.attack = pole(s.attack_ms, self.sample_rate);
            self.release = pole(s.release_ms, self.sample_rate);
        }
        self.hpf_on = s.sidechain_hpf_hz >= HPF_OFF_HZ;
        if self.hpf_on && old.is_none_or(|o| o.sidechain_hpf_hz != s.sidechain_hpf_hz) {
            let design = butterworth_high_pass(s.sidechain_hpf_hz, self.sample_rate);
            self.hpf.glide_to(coefs(&design), block_len as u32);
        }
        self.applied = Some(*s);
    }

    /// Switch on or off at once on the next block, without a fade.
    pub fn snap_next_block(&mut self) {
        self.snap = true;
    }

    pub fn reset(&mut self) {
        self.hpf.reset();
        self.mean_square = [0.0; 2];
        self.reduction_db = [0.0; 2];
    }

    /// The largest gain reduction of the last block, in dB (≥ 0).
    pub fn settings(&self) -> &CompressorSettings {
        &self.settings
    }

    pub fn gain_reduction_db(&self) -> f64 {
        self.block_reduction_db
    }

    /// The loudest level the detector saw in the last block (linear; 0 while off): where the
    /// signal sits on the static curve.
    pub fn detector_level(&self) -> f64 {
        self.block_level
    }

    /// Compress `frames` in place. `sidechain` is the external sidechain for this block (used
    /// only when the settings ask for it; `None` means the host gave none: silence).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process_block(&mut self, frames: &mut [[f64; 2]], sidechain: Option<&[[f64; 2]]>) {
        let s = self.settings;
        self.fade.set_target(s.enabled);
        if std::mem::take(&mut self.snap) {
            self.fade.finish();
        }
        if self.fade.is_silent() {
            // Off: let the detector rest so it starts clean.
            self.reduction_db = [0.0; 2];
            self.block_reduction_db = 0.0;
            self.block_level = 0.0;
            return;
        }
        let n = frames.len();
        self.apply(&s, n);
        let glide = Glide {
            makeup_from: self.makeup_db,
            makeup_to: s.total_makeup_db(),
            mix_from: self.mix,
            mix_to: s.mix,
            inv_len: 1.0 / n.max(1) as f64,
        };
        let mut block_max: f64 = 0.0;
        self.block_level = 0.0;
        for (c, chunk) in frames.chunks_mut(CHUNK).enumerate() {
            let start = c * CHUNK;
            // An external sidechain shorter than the block (or none) reads as silence.
            let key = if s.external_sidechain {
                Key::External(sidechain.and_then(|sc| sc.get(start..)).unwrap_or(&[]))
            } else {
                Key::Internal
            };
            block_max = block_max.max(self.process_chunk(&s, chunk, key, start, &glide));
        }
        self.makeup_db = glide.makeup_to;
        self.mix = glide.mix_to;
        self.block_reduction_db = block_max;
    }

    /// Up to `CHUNK` frames; returns the largest reduction (dB). With AVX2 the same code is
    /// compiled again for 4-wide vectors.
    ///
    /// Runs on the audio thread: must not allocate or block.
    fn process_chunk(
        &mut self,
        s: &CompressorSettings,
        frames: &mut [[f64; 2]],
        key: Key,
        start: usize,
        glide: &Glide,
    ) -> f64 {
        #[cfg(target_arch = "x86_64")]
        if self.isa.avx2_fma() {
            // SAFETY: `isa` came from `Isa::detect`, which found AVX2 and FMA.
            return unsafe { self.process_chunk_avx2(s, frames, key, start, glide) };
        }
        self.chunk_passes::<Plain>(s, frames, key, start, glide)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn process_chunk_avx2(
        &mut self,
        s: &CompressorSettings,
        frames: &mut [[f64; 2]],
        key: Key,
        start: usize,
        glide: &Glide,
    ) -> f64 {
        self.chunk_passes::<Fused>(s, frames, key, start, glide)
    }

    /// The chunk as passes over arrays, so the logarithms and exponentials (the bulk of the
    /// work) vectorise; only the detector and the smoothing run sample by sample.
    #[inline(always)]
    fn chunk_passes<M: MulAdd>(
        &mut self,
        s: &CompressorSettings,
        frames: &mut [[f64; 2]],
        key: Key,
        start: usize,
        glide: &Glide,
    ) -> f64 {
        let len = frames.len();
        // Detector levels, then (in place) the wanted reduction, then the gain. Each pass is
        // chosen once per chunk, not per sample: a per-sample choice of key, filter and
        // detector cost a quarter of the compressor.
        let mut work = [[0.0f64; CHUNK]; 2];
        let keys: &[[f64; 2]] = if matches!(key, Key::Internal) && !self.hpf_on {
            frames
        } else {
            let scratch = &mut self.key_scratch[..len];
            match key {
                Key::Internal => scratch.copy_from_slice(frames),
                // Shorter than the chunk: the rest reads as silence.
                Key::External(sc) => {
                    let m = sc.len().min(len);
                    scratch[..m].copy_from_slice(&sc[..m]);
                    scratch[m..].fill([0.0; 2]);
                }
            }
            if self.hpf_on {
                for k in scratch.iter_mut() {
                    *k = self.hpf.tick(*k);
                }
            }
            scratch
        };
        let [left, right] = &mut work;
        let levels = left[..len].iter_mut().zip(&mut right[..len]).zip(keys);
        match s.detector {
            Detector::Peak => {
                for ((l, r), k) in levels {
                    (*l, *r) = (k[0].abs(), k[1].abs());
                }
            }
            Detector::Rms => {
                let (mut ms, pole) = (self.mean_square, self.rms);
                for ((l, r), k) in levels {
                    for (ms, x) in ms.iter_mut().zip(k) {
                        *ms = x * x + pole * (*ms - x * x);
                    }
                    (*l, *r) = (ms[0].sqrt(), ms[1].sqrt());
                }
                self.mean_square = ms;
            }
        }
        // Levels at or below this never reach the knee: a chunk that stays there needs no
        // logarithms (the wanted reduction is 0).
        let quiet = fastmath::amplitude(s.threshold_db - 0.5 * s.knee_db - 1e-6);
        let loudest_level = work
            .iter()
            .flat_map(|w| &w[..len])
            .fold(0.0f64, |m, v| m.max(*v));
        self.block_level = self.block_level.max(loudest_level);
        // Fully linked with both channels' reductions alike (the default, and where any
        // linked run settles), both follow one curve of the louder level: one logarithm, one
        // smoothing and one exponential per frame instead of two. A mono signal's two equal
        // channels give the same either way.
        let link = s.stereo_link >= 1.0 || self.mono;
        let linked = link && self.reduction_db[0] == self.reduction_db[1];
        let channels = if linked { 1 } else { 2 };
        if loudest_level <= quiet {
            work = [[0.0; CHUNK]; 2];
        } else {
            if linked {
                let [left, right] = &mut work;
                for (l, r) in left[..len].iter_mut().zip(&right[..len]) {
                    *l = if *r > *l { *r } else { *l };
                }
            }
            let floor = fastmath::amplitude(FLOOR_DB);
            for w in work[..channels].iter_mut() {
                for v in w[..len].iter_mut() {
                    *v = fastmath::db(v.max(floor));
                }
            }
            let curve = Curve::new(s);
            let [left, right] = &mut work;
            if linked {
                for l in left[..len].iter_mut() {
                    *l = curve.reduction_db(*l);
                }
            } else {
                for (l, r) in left[..len].iter_mut().zip(&mut right[..len]) {
                    let loudest = l.max(*r);
                    *l = curve.reduction_db(*l + s.stereo_link * (loudest - *l));
                    *r = curve.reduction_db(*r + s.stereo_link * (loudest - *r));
                }
            }
        }
        let [left, right] = &mut work;
        let chunk_max = if linked {
            let mut y = [self.reduction_db[0]];
            let max = self.smooth::<1, M>(&mut y, [&mut left[..len]]);
            self.reduction_db = [y[0]; 2];
            max
        } else {
            let mut y = self.reduction_db;
            let max = self.smooth::<2, M>(&mut y, [&mut left[..len], &mut right[..len]]);
            self.reduction_db = y;
            max
        };
        for w in work[..channels].iter_mut() {
            for (i, v) in w[..len].iter_mut().enumerate() {
                *v = fastmath::amplitude(glide.makeup_at(start + i) - *v);
            }
        }
        let gain_of = [0, channels - 1];
        let settled = !self.fade.is_moving() && self.fade.value() == 1.0;
        if settled && glide.mix_from == 1.0 && glide.mix_to == 1.0 {
            // Fully on and fully wet: the gain alone, over whole arrays.
            let [left, right] = &work;
            let (l, r) = (
                &left[..len],
                if linked { &left[..len] } else { &right[..len] },
            );
            for ((frame, gl), gr) in frames.iter_mut().zip(l).zip(r) {
                *frame = [frame[0] * gl, frame[1] * gr];
            }
            return chunk_max;
        }
        for (i, frame) in frames.iter_mut().enumerate() {
            let mix = glide.mix_at(start + i);
            let fade = self.fade.advance(1);
            for (x, w) in frame.iter_mut().zip(gain_of) {
                let dry = *x;
                let out = dry + mix * (dry * work[w][i] - dry);
                *x = dry + fade * (out - dry);
            }
        }
        chunk_max
    }

    /// Smooth branching over wanted reductions, in place, for `C` channels from states `y`;
    /// returns the largest reduction. Attack while the reduction grows, release while it
    /// falls. Both candidates are computed and the right one picked without a comparison on
    /// the recursion: `y + (1 − a)(w − y)` for the attack pole `a` is the larger of the two
    /// when the attack is the faster (y < w moves further with it) and also when y ≥ w (the
    /// release keeps more), so the update is a maximum — a minimum if the attack is set
    /// slower than the release. The channels step together: independent recursions hide each
    /// other's latency.
    #[inline(always)]
    fn smooth<const C: usize, M: MulAdd>(
        &self,
        y: &mut [f64; C],
        mut work: [&mut [f64]; C],
    ) -> f64 {
        let (attack, release) = (self.attack, self.release);
        let faster_attack = attack <= release;
        let len = work.iter().map(|w| w.len()).min().unwrap_or(0);
        let mut max: f64 = 0.0;
        for i in 0..len {
            for (w, y) in work.iter_mut().zip(y.iter_mut()) {
                let wanted = w[i];
                // The state enters last: one multiply-add on the recursion.
                let by_attack = M::madd(attack, *y, (1.0 - attack) * wanted);
                let by_release = M::madd(release, *y, (1.0 - release) * wanted);
                // Comparisons written so they compile to single max / min instructions.
                *y = if faster_attack {
                    if by_attack > by_release {
                        by_attack
                    } else {
                        by_release
                    }
                } else if by_attack < by_release {
                    by_attack
                } else {
                    by_release
                };
                w[i] = *y;
                max = if *y > max { *y } else { max };
            }
        }
        max
    }
}

/// The static curve in branch-free form (levels near the knee would make branches
/// unpredictable): reduction = −slope · (x²/2k + max(over − k/2, 0)) with x the level's
/// position inside the knee, clamped to [0, k]. Equal to `static_gain_db` (module tests).
struct Curve {
    threshold_db: f64,
    half_knee_db: f64,
    knee_db: f64,
    inv_two_knee: f64,
    minus_slope: f64,
}

impl Curve {
    fn new(s: &CompressorSettings) -> Curve {
        let knee_db = s.knee_db.max(0.0);
        Curve {
            threshold_db: s.threshold_db,
            half_knee_db: 0.5 * knee_db,
            knee_db,
            // A hard knee: x stays 0, so the quadratic term vanishes.
            inv_two_knee: if knee_db > 0.0 { 0.5 / knee_db } else { 0.0 },
            minus_slope: 1.0 - 1.0 / s.ratio,
        }
    }

    /// Gain reduction (dB, ≥ 0) for a level.
    #[inline(always)]
    fn reduction_db(&self, level_db: f64) -> f64 {
        let over = level_db - self.threshold_db;
        let x = (over + self.half_knee_db).clamp(0.0, self.knee_db);
        let above = (over - self.half_knee_db).max(0.0);
        self.minus_slope * (x * x * self.inv_two_knee + above)
    }
}

/// Frames processed as one set of passes.
const CHUNK: usize = 64;

/// Where the detector listens.
#[derive(Clone, Copy)]
enum Key<'a> {
    Internal,
    /// The external sidechain from this chunk's first frame on.
    External(&'a [[f64; 2]]),
}

/// Makeup and mix gliding linearly across a block.
struct Glide {
    makeup_from: f64,
    makeup_to: f64,
    mix_from: f64,
    mix_to: f64,
    inv_len: f64,
}

impl Glide {
    /// Values at frame `i` of the block (the block's last frame reaches the target).
    #[inline(always)]
    fn makeup_at(&self, i: usize) -> f64 {
        let t = (i + 1) as f64 * self.inv_len;
        self.makeup_from + t * (self.makeup_to - self.makeup_from)
    }

    #[inline(always)]
    fn mix_at(&self, i: usize) -> f64 {
        let t = (i + 1) as f64 * self.inv_len;
        self.mix_from + t * (self.mix_to - self.mix_from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_free_curve_equals_the_formula() {
        let mut worst: f64 = 0.0;
        for (threshold_db, ratio, knee_db) in [
            (-20.0, 4.0, 10.0),
            (-40.0, 1.5, 0.0),
            (-6.0, 20.0, 24.0),
            (-30.0, 1.0, 6.0),
        ] {
            let s = CompressorSettings {
                threshold_db,
                ratio,
                knee_db,
                ..Default::default()
            };
            let curve = Curve::new(&s);
            let mut level_db = -80.0;
            while level_db < 10.0 {
                worst =
                    worst.max((curve.reduction_db(level_db) + s.static_gain_db(level_db)).abs());
                level_db += 0.01;
            }
        }
        assert!(worst < 1e-9, "{worst} dB");
    }

    #[test]
    fn static_curve_has_threshold_ratio_and_a_smooth_knee() {
        let s = CompressorSettings {
            threshold_db: -20.0,
            ratio: 4.0,
            knee_db: 10.0,
            ..Default::default()
        };
        assert_eq!(s.static_gain_db(-40.0), 0.0);
        assert_eq!(s.static_gain_db(-25.0), 0.0);
        // 20 dB over: 15 dB of reduction at 4:1.
        assert!((s.static_gain_db(0.0) + 15.0).abs() < 1e-12);
        // Continuous at both knee edges.
        for edge in [-25.0, -15.0] {
            let below = s.static_gain_db(edge - 1e-9);
            let above = s.static_gain_db(edge + 1e-9);
            assert!((below - above).abs() < 1e-6);
        }
        let unity = CompressorSettings { ratio: 1.0, ..s };
        assert!(
            [-60.0, -20.0, -17.0, 0.0]
                .iter()
                .all(|&l| unity.static_gain_db(l) == 0.0)
        );
    }

    /// On a mono signal (both sides alike) a partly linked compressor gives what the mono one,
    /// always linked, gives: to rounding, since one runs the smoothing once and the other twice.
    #[test]
    fn mono_runs_linked_with_the_same_result() {
        let settings = CompressorSettings {
            enabled: true,
            threshold_db: -30.0,
            stereo_link: 0.4,
            ..Default::default()
        };
        let mut rng = fastrand::Rng::with_seed(8);
        let input: Vec<[f64; 2]> = (0..48_000).map(|_| [rng.f64() - 0.5; 2]).collect();
        let run = |mono: bool| {
            let mut c = Compressor::new(48_000.0);
            c.set_mono(mono);
            c.set(&settings);
            let mut out = input.clone();
            let mut most: f64 = 0.0;
            for block in out.chunks_mut(64) {
                c.process_block(block, None);
                most = most.max(c.gain_reduction_db());
            }
            (out, most)
        };
        let ((stereo, most), (mono, _)) = (run(false), run(true));
        assert!(most > 6.0, "it compresses: {most} dB");
        let worst = stereo
            .iter()
            .zip(&mono)
            .map(|(a, b)| (a[0] - b[0]).abs().max((a[1] - b[1]).abs()))
            .fold(0.0f64, f64::max);
        assert!(worst < 1e-15, "{worst}");
    }

    /// The AVX2 build is the same code compiled for wider vectors, and Rust never fuses or
    /// reorders float operations on its own; only the smoothing's multiply-add is fused there
    /// on purpose. On noise that keeps the compressor working the two builds agree to rounding.
    #[test]
    fn every_kernel_agrees_with_the_portable_one() {
        let settings = CompressorSettings {
            enabled: true,
            threshold_db: -30.0,
            ratio: 6.0,
            knee_db: 6.0,
            sidechain_hpf_hz: 120.0,
            ..Default::default()
        };
        let mut rng = fastrand::Rng::with_seed(3);
        let input: Vec<[f64; 2]> = (0..48_000)
            .map(|_| [rng.f64() - 0.5, rng.f64() - 0.5])
            .collect();
        let run = |isa: Isa| {
            let mut c = Compressor::new(48_000.0);
            c.set_isa(isa);
            assert_eq!(c.isa(), isa);
            c.set(&settings);
            let mut out = input.clone();
            for block in out.chunks_mut(64) {
                c.process_block(block, None);
            }
            out
        };
        let portable = run(Isa::Portable);
        for isa in Isa::available() {
            let worst = run(isa)
                .iter()
                .zip(&portable)
                .map(|(a, b)| (a[0] - b[0]).abs().max((a[1] - b[1]).abs()))
                .fold(0.0f64, f64::max);
            let kernel = if isa.avx2_fma() {
                "avx2+fma"
            } else {
                "portable"
            };
            println!("compressor on {isa:?} ran the {kernel} build: worst difference {worst:.2e}");
            // The same passes; the AVX2 build fuses the smoothing's multiply-add (one rounding
            // instead of two), measured 1.02e-15 here.
            assert!(worst <= 1e-14, "{isa:?}: {worst}");
        }
    }
}
