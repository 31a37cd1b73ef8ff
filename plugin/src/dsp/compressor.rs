//! Feed-forward compressor in the log domain (Giannoulis, Massberg & Reiss, "Digital Dynamic
//! Range Compressor Design — A Tutorial and Analysis", JAES 2012): level detector (peak or
//! RMS) → soft-knee gain computer → smooth-branching attack/release on the gain reduction →
//! makeup → dry/wet mix. The sidechain is the compressor's own input or an external signal,
//! through an optional high-pass filter; stereo link blends each channel's level with the
//! louder one.
//!
//! An external sidechain the host leaves unconnected arrives as silence: the compressor then
//! reduces nothing. It never reads anything but the buffers it is given.

use super::eq::section::{Section, coefs};
use super::eq::{BandDesign, BandSettings, EqRates, Shape, Slope};
use super::fade::Fade;

/// Below this the sidechain high-pass is off.
pub const HPF_OFF_HZ: f64 = 20.5;
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
    /// Sidechain high-pass cutoff; at or below `HPF_OFF_HZ` the filter is off.
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
}

impl Compressor {
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
        self.hpf_on = s.sidechain_hpf_hz > HPF_OFF_HZ;
        if self.hpf_on && old.is_none_or(|o| o.sidechain_hpf_hz != s.sidechain_hpf_hz) {
            let band = BandSettings {
                enabled: true,
                shape: Shape::LowCut,
                freq_hz: s.sidechain_hpf_hz,
                gain_db: 0.0,
                q: 0.707,
                slope: Slope::Db12,
            };
            let rates = EqRates {
                base_hz: self.sample_rate,
                design_hz: self.sample_rate,
            };
            let design = BandDesign::new(&band, rates);
            self.hpf
                .glide_to(coefs(&design.sections[0]), block_len as u32);
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
    pub fn gain_reduction_db(&self) -> f64 {
        self.block_reduction_db
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
            return;
        }
        let n = frames.len();
        self.apply(&s, n);
        let (makeup_from, makeup_to) = (self.makeup_db, s.total_makeup_db());
        let (mix_from, mix_to) = (self.mix, s.mix);
        let inv_n = 1.0 / n.max(1) as f64;
        let mut block_max: f64 = 0.0;
        for (i, frame) in frames.iter_mut().enumerate() {
            let dry = *frame;
            let key = if s.external_sidechain {
                sidechain
                    .and_then(|sc| sc.get(i))
                    .copied()
                    .unwrap_or([0.0; 2])
            } else {
                dry
            };
            let key = if self.hpf_on { self.hpf.tick(key) } else { key };
            let mut level_db = [0.0; 2];
            for ch in 0..2 {
                let level = match s.detector {
                    Detector::Peak => key[ch].abs(),
                    Detector::Rms => {
                        let ms = &mut self.mean_square[ch];
                        *ms = key[ch] * key[ch] + self.rms * (*ms - key[ch] * key[ch]);
                        ms.sqrt()
                    }
                };
                level_db[ch] = if level > 0.0 {
                    (20.0 * level.log10()).max(FLOOR_DB)
                } else {
                    FLOOR_DB
                };
            }
            let loudest = level_db[0].max(level_db[1]);
            let t = (i + 1) as f64 * inv_n;
            let makeup = makeup_from + t * (makeup_to - makeup_from);
            let mix = mix_from + t * (mix_to - mix_from);
            let fade = self.fade.advance(1);
            for ch in 0..2 {
                let linked = level_db[ch] + s.stereo_link * (loudest - level_db[ch]);
                let wanted = -s.static_gain_db(linked);
                let y = &mut self.reduction_db[ch];
                // Smooth branching: attack while the reduction grows, release while it falls.
                let a = if wanted > *y {
                    self.attack
                } else {
                    self.release
                };
                *y = wanted + a * (*y - wanted);
                block_max = block_max.max(*y);
                let gain_db = makeup - *y;
                let wet = if gain_db == 0.0 {
                    dry[ch]
                } else {
                    dry[ch] * 10f64.powf(gain_db / 20.0)
                };
                let out = if mix == 1.0 {
                    wet
                } else {
                    dry[ch] + mix * (wet - dry[ch])
                };
                frame[ch] = if fade == 1.0 {
                    out
                } else {
                    dry[ch] + fade * (out - dry[ch])
                };
            }
        }
        self.makeup_db = makeup_to;
        self.mix = mix_to;
        self.block_reduction_db = block_max;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
