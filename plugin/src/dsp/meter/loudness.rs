//! Loudness per ITU-R BS.1770-4 and EBU R 128 / Tech 3341 / Tech 3342: K-weighting, then mean
//! square over 10 ms sub-blocks, from which come momentary (400 ms window), short-term (3 s),
//! integrated (gated 400 ms blocks every 100 ms since the last reset) and loudness range
//! (short-term values every 100 ms since the reset).

use super::histogram::{Histogram, loudness_of};
use super::sums::ChannelSums;
use super::window::WindowRing;
use crate::dsp::blocks::section::Coefs;

/// Sub-blocks per window and per hop.
const MOMENTARY_SUBS: usize = 40;
const SHORT_TERM_SUBS: usize = 300;
const HOP_SUBS: usize = 10;
/// Integrated loudness: relative gate below the absolutely gated mean.
const RELATIVE_GATE_LU: f64 = 10.0;

/// The two K-weighting biquads for `sample_rate`: the head-related high shelf and the RLB
/// high-pass, from their analog parameters (the forms libebur128 uses; at 48 kHz they give the
/// coefficients tabled in BS.1770-4).
pub fn k_weighting(sample_rate: f64) -> [Coefs; 2] {
    use std::f64::consts::PI;
    // Stage 1: high shelf, +4 dB above ~1.7 kHz.
    let (f0, gain_db, q) = (1681.974450955533, 3.999843853973347, 0.7071752369554196);
    let k = (PI * f0 / sample_rate).tan();
    let vh = 10f64.powf(gain_db / 20.0);
    let vb = vh.powf(0.4996667741545416);
    let a0 = 1.0 + k / q + k * k;
    let shelf = [
        (vh + vb * k / q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / q + k * k) / a0,
    ];
    // Stage 2: second-order high-pass at ~38 Hz.
    let (f0, q) = (38.13547087602444, 0.5003270373238773);
    let k = (PI * f0 / sample_rate).tan();
    let a0 = 1.0 + k / q + k * k;
    let high_pass = [
        1.0,
        -2.0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / q + k * k) / a0,
    ];
    [shelf, high_pass]
}

/// Loudness readings in LUFS (LU for the range); −∞ or `None` where nothing was measured yet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoudnessReadings {
    pub momentary_lufs: f64,
    pub short_term_lufs: f64,
    pub integrated_lufs: Option<f64>,
    pub range_lu: Option<f64>,
    pub momentary_max_lufs: f64,
    pub short_term_max_lufs: f64,
}

/// K-weighting of a stereo stream and its sum of squares per channel, per sub-block (the
/// meters run four channels at once through the same kernel: `sums.rs`).
#[derive(Debug, Clone)]
pub struct KWeighting {
    sums: ChannelSums<2>,
}

impl KWeighting {
    pub fn new(sample_rate: f64) -> KWeighting {
        KWeighting {
            sums: ChannelSums::new(sample_rate),
        }
    }

    /// K-weight `frames` into the current sub-block's sums of squares.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn accumulate(&mut self, frames: &[[f64; 2]]) {
        // The single-precision copy the kernel writes is for a true-peak filter; unused here.
        let mut stage = [[0.0f32; 2]; 64];
        for block in frames.chunks(stage.len()) {
            self.sums
                .accumulate(|i| block[i], &mut stage[..block.len()]);
        }
    }

    /// The sub-block's K-weighted sums of squares per channel; starts the next sub-block.
    pub fn take(&mut self) -> [f64; 2] {
        self.sums.take_peaks();
        self.sums.take_sums().1
    }

    pub fn reset(&mut self) {
        self.sums.reset();
    }
}

/// Loudness from sub-block energies (channel-weighted K-weighted sums of squares): windows,
/// gating, maxima. Independent of the channel layout.
#[derive(Debug, Clone)]
pub struct LoudnessStats {
    subs: WindowRing<f64>,
    /// Sub-blocks since the start or the last reset of the statistics (saturating): only
    /// windows wholly after it count towards them.
    since_reset: usize,
    since_hop: usize,
    blocks: Histogram,
    short_terms: Histogram,
    readings: LoudnessReadings,
}

impl LoudnessStats {
    /// Allocates: create it outside the audio thread. `sub_block` is the nominal sub-block
    /// length in samples.
    pub fn new(sub_block: u32) -> LoudnessStats {
        LoudnessStats {
            subs: WindowRing::new(SHORT_TERM_SUBS, sub_block),
            since_reset: 0,
            since_hop: 0,
            blocks: Histogram::new(),
            short_terms: Histogram::new(),
            readings: LoudnessReadings {
                momentary_lufs: f64::NEG_INFINITY,
                short_term_lufs: f64::NEG_INFINITY,
                integrated_lufs: None,
                range_lu: None,
                momentary_max_lufs: f64::NEG_INFINITY,
                short_term_max_lufs: f64::NEG_INFINITY,
            },
        }
    }

    /// Close a sub-block of `samples` samples whose channel-weighted sum of squares is
    /// `energy`: update momentary and short-term, and every 100 ms the gated statistics.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn end_sub_block(&mut self, energy: f64, samples: u32) {
        self.subs.push(energy, samples);
        let mean = |(sum, count): (f64, u64)| sum / count.max(1) as f64;
        let momentary = mean(self.subs.window(MOMENTARY_SUBS));
        let short_term = mean(self.subs.window(SHORT_TERM_SUBS));
        let r = &mut self.readings;
        r.momentary_lufs = loudness_of(momentary);
        r.short_term_lufs = loudness_of(short_term);
        self.since_reset = (self.since_reset + 1).min(SHORT_TERM_SUBS);
        let momentary_counts = self.since_reset >= MOMENTARY_SUBS;
        let short_term_counts = self.since_reset >= SHORT_TERM_SUBS;
        if momentary_counts {
            r.momentary_max_lufs = r.momentary_max_lufs.max(r.momentary_lufs);
        }
        if short_term_counts {
            r.short_term_max_lufs = r.short_term_max_lufs.max(r.short_term_lufs);
        }
        self.since_hop += 1;
        if self.since_hop == HOP_SUBS {
            self.since_hop = 0;
            if momentary_counts {
                self.blocks.add(momentary);
                r.integrated_lufs = self.blocks.gated_loudness(RELATIVE_GATE_LU);
            }
            if short_term_counts {
                self.short_terms.add(short_term);
                r.range_lu = self.short_terms.loudness_range();
            }
        }
    }

    pub fn readings(&self) -> &LoudnessReadings {
        &self.readings
    }

    /// Start integrated loudness, loudness range and the maxima afresh (momentary and
    /// short-term keep running). Bounded work: clears fixed-size tables.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn reset_statistics(&mut self) {
        self.blocks.clear();
        self.short_terms.clear();
        self.since_reset = 0;
        let r = &mut self.readings;
        r.integrated_lufs = None;
        r.range_lu = None;
        r.momentary_max_lufs = f64::NEG_INFINITY;
        r.short_term_max_lufs = f64::NEG_INFINITY;
    }
}

/// Loudness of a mono or stereo stream (left and right weigh 1, as BS.1770 has them).
/// Loudness statistics of one metering point from its channels' K-weighted sums.
#[derive(Debug, Clone)]
pub struct Loudness {
    channels: usize,
    stats: LoudnessStats,
}

impl Loudness {
    pub fn new(channels: usize, sub_block: u32) -> Loudness {
        Loudness {
            channels: channels.clamp(1, 2),
            stats: LoudnessStats::new(sub_block),
        }
    }

    /// Close a sub-block of `samples` samples whose K-weighted sums of squares per channel
    /// are `weighted`.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn end_sub_block(&mut self, weighted: [f64; 2], samples: u32) {
        let [l, r] = weighted;
        let energy = if self.channels == 1 { l } else { l + r };
        self.stats.end_sub_block(energy, samples);
    }

    pub fn readings(&self) -> &LoudnessReadings {
        self.stats.readings()
    }

    pub fn reset_statistics(&mut self) {
        self.stats.reset_statistics();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::blocks::section::Section;
    use strata_test_support::response::dtft_db;

    /// BS.1770-4 Table 1 and 2: the 48 kHz coefficients.
    #[test]
    fn coefficients_at_48k_are_the_tabled_ones() {
        let [shelf, hp] = k_weighting(48_000.0);
        let tabled_shelf = [
            1.53512485958697,
            -2.69169618940638,
            1.19839281085285,
            -1.69065929318241,
            0.73248077421585,
        ];
        let tabled_hp = [1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621];
        for (a, b) in shelf
            .iter()
            .zip(tabled_shelf)
            .chain(hp.iter().zip(tabled_hp))
        {
            assert!((a - b).abs() < 1e-8, "{a} vs {b}");
        }
    }

    /// The K curve's shape is the same at every rate: +4 dB shelf, −∞ at DC.
    #[test]
    fn response_is_rate_independent() {
        let response = |rate: f64, freq: f64| {
            let mut s = [Section::default(); 2];
            for (f, c) in s.iter_mut().zip(k_weighting(rate)) {
                f.set(c);
            }
            let ir: Vec<f64> = (0..(rate as usize))
                .map(|n| {
                    let x = if n == 0 { 1.0 } else { 0.0 };
                    let shelved = s[0].tick([x, x]);
                    s[1].tick(shelved)[0]
                })
                .collect();
            dtft_db(&ir, freq, rate)
        };
        for freq in [100.0, 1000.0, 3000.0, 10_000.0] {
            let reference = response(48_000.0, freq);
            for rate in [44_100.0, 96_000.0, 192_000.0] {
                let db = response(rate, freq);
                assert!(
                    (db - reference).abs() < 0.05,
                    "{freq} Hz at {rate}: {db} vs {reference}"
                );
            }
        }
    }
}
