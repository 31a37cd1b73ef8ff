//! The meters: at the plugin's input and at its output, per channel sample peak, RMS (300 ms)
//! and true peak (BS.1770-4 Annex 2), and loudness (momentary, short-term, integrated,
//! loudness range); plus the compressor's and limiter's gain reduction.
//!
//! Everything is built on 10 ms sub-blocks (sub-block k ends at sample ⌊k·rate/100⌋, so odd
//! rates keep exact time). Every second sub-block a meter frame is due (50 per second): the
//! plugin publishes it to the GUI (`telemetry.rs`).
//!
//! Peaks and gain reductions in a frame are the largest since the last frame the GUI read (up
//! to half a second back), so a GUI that reads slower than frames arrive misses no peak.

pub mod histogram;
pub mod level;
pub mod loudness;
pub mod sums;
pub mod true_peak;
pub mod window;

use level::Level;
use loudness::Loudness;
use sums::ChannelSums;
use true_peak::TruePeakMeter;

/// Sub-blocks per second.
const SUBS_PER_SECOND: f64 = 100.0;
/// Sub-blocks per meter frame: 50 frames per second.
const SUBS_PER_FRAME: u32 = 2;
/// Unread frames whose peaks are carried into the next one (half a second).
const MAX_CARRIED_FRAMES: u32 = 25;

/// dB of a linear magnitude (−∞ for silence), in single precision for the GUI.
fn db(x: f64) -> f32 {
    (20.0 * x.log10()) as f32
}

/// One metering point's readings. Levels in dBFS, loudness in LUFS / LU; −∞ for silence,
/// `None` for a statistic with nothing measured yet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PointReadings {
    /// Largest sample peak since the last frame the GUI read.
    pub peak_db: [f32; 2],
    /// Largest true peak since the last frame the GUI read.
    pub true_peak_db: [f32; 2],
    /// RMS over the last 300 ms.
    pub rms_db: [f32; 2],
    /// Largest true peak of either channel since the last loudness reset.
    pub true_peak_max_db: f32,
    pub momentary_lufs: f32,
    pub short_term_lufs: f32,
    pub integrated_lufs: Option<f32>,
    pub loudness_range_lu: Option<f32>,
    pub momentary_max_lufs: f32,
    pub short_term_max_lufs: f32,
}

impl Default for PointReadings {
    fn default() -> Self {
        let silent = f32::NEG_INFINITY;
        PointReadings {
            peak_db: [silent; 2],
            true_peak_db: [silent; 2],
            rms_db: [silent; 2],
            true_peak_max_db: silent,
            momentary_lufs: silent,
            short_term_lufs: silent,
            integrated_lufs: None,
            loudness_range_lu: None,
            momentary_max_lufs: silent,
            short_term_max_lufs: silent,
        }
    }
}

/// What the audio thread publishes about 50 times a second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MeterFrame {
    /// 1, 2, 3, … since activation.
    pub seq: u64,
    /// Samples metered since activation, at the end of this frame.
    pub position: u64,
    pub sample_rate: f32,
    pub input: PointReadings,
    pub output: PointReadings,
    /// Largest gain reductions (dB ≥ 0) since the last frame the GUI read.
    pub compressor_gr_db: f32,
    pub limiter_gr_db: f32,
    /// The compressor detector's loudest level over the same time, dBFS (−∞ while off).
    pub compressor_level_db: f32,
    /// How many times integrated loudness was reset since activation.
    pub loudness_resets: u32,
    /// `seq` again, written last: a reader that ever saw a frame torn between two writes
    /// would find the two different.
    pub seq_check: u64,
}

impl MeterFrame {
    /// Whether anything in the frame would move a meter: signal above −120 dBFS at either
    /// point, or gain reduction.
    pub fn shows_signal(&self) -> bool {
        const QUIET_DB: f32 = -120.0;
        let loud = |p: &PointReadings| p.peak_db.iter().any(|d| *d > QUIET_DB);
        loud(&self.input)
            || loud(&self.output)
            || self.compressor_gr_db > 0.0
            || self.limiter_gr_db > 0.0
    }
}

/// A maximum that is handed out per frame, carrying over frames nobody read.
#[derive(Debug, Clone, Copy)]
struct Carried<const N: usize> {
    fresh: [f64; N],
    carried: [f64; N],
    carried_frames: u32,
}

impl<const N: usize> Default for Carried<N> {
    fn default() -> Self {
        Carried {
            fresh: [0.0; N],
            carried: [0.0; N],
            carried_frames: 0,
        }
    }
}

impl<const N: usize> Carried<N> {
    fn add(&mut self, values: [f64; N]) {
        for (f, v) in self.fresh.iter_mut().zip(values) {
            *f = f.max(v);
        }
    }

    /// The maxima for the next frame; `read` says whether the previous frame was read.
    fn take(&mut self, read: bool) -> [f64; N] {
        if read || self.carried_frames >= MAX_CARRIED_FRAMES {
            self.carried = self.fresh;
            self.carried_frames = 0;
        } else {
            for (c, f) in self.carried.iter_mut().zip(self.fresh) {
                *c = c.max(f);
            }
            self.carried_frames += 1;
        }
        self.fresh = [0.0; N];
        self.carried
    }
}

#[derive(Debug, Clone)]
struct Point {
    level: Level,
    loudness: Loudness,
    peaks: Carried<4>,
    true_peak_max: f64,
}

impl Point {
    fn new(channels: usize, sub_block: u32) -> Point {
        Point {
            level: Level::new(sub_block),
            loudness: Loudness::new(channels, sub_block),
            peaks: Carried::default(),
            true_peak_max: 0.0,
        }
    }

    /// Sample peaks per channel, and the true peaks of a chunk completed with them (0 if none).
    fn add_peaks(&mut self, [p0, p1]: [f64; 2], [t0, t1]: [f32; 2]) {
        // The sample peak is the true-peak filter's phase 0, which the filter leaves out.
        let (t0, t1) = (p0.max(t0 as f64), p1.max(t1 as f64));
        self.peaks.add([p0, p1, t0, t1]);
        self.true_peak_max = self.true_peak_max.max(t0.max(t1));
    }

    fn end_sub_block(&mut self, squares: [f64; 2], weighted: [f64; 2], samples: u32) {
        self.level.end_sub_block(squares, samples);
        self.loudness.end_sub_block(weighted, samples);
    }

    fn readings(&mut self, read: bool) -> PointReadings {
        let [p0, p1, t0, t1] = self.peaks.take(read);
        let l = self.loudness.readings();
        PointReadings {
            peak_db: [db(p0), db(p1)],
            true_peak_db: [db(t0), db(t1)],
            rms_db: self.level.rms().map(db),
            true_peak_max_db: db(self.true_peak_max),
            momentary_lufs: l.momentary_lufs as f32,
            short_term_lufs: l.short_term_lufs as f32,
            integrated_lufs: l.integrated_lufs.map(|v| v as f32),
            loudness_range_lu: l.range_lu.map(|v| v as f32),
            momentary_max_lufs: l.momentary_max_lufs as f32,
            short_term_max_lufs: l.short_term_max_lufs as f32,
        }
    }

    fn reset_statistics(&mut self) {
        self.loudness.reset_statistics();
        self.true_peak_max = 0.0;
    }
}

/// The per-sample work, laid out for the signal: the input's and the output's two channels as
/// four lanes, or a mono signal's one channel at each point as two (half the true-peak work).
#[derive(Debug, Clone)]
// Built once per activation and never moved on the audio thread: the smaller variant's unused
// room costs nothing, where a box would cost an indirection per block.
#[allow(clippy::large_enum_variant)]
enum Lanes {
    Stereo(ChannelSums<4>, TruePeakMeter<4>),
    Mono(ChannelSums<2>, TruePeakMeter<2>),
}

impl Lanes {
    /// Up to `limit` frames of `input` and `output`, no further than the true-peak chunk
    /// goes: how many it took, their sample peaks, and the true peaks of a chunk they
    /// completed (0 if none), each as input left, right, output left, right (a mono channel on
    /// both sides).
    ///
    /// Runs on the audio thread: must not allocate or block.
    #[inline(always)]
    fn accumulate(
        &mut self,
        input: &[[f64; 2]],
        output: &[[f64; 2]],
        limit: usize,
    ) -> (usize, [f64; 4], [f32; 4]) {
        match self {
            Lanes::Stereo(sums, true_peak) => {
                let stage = true_peak.space();
                let take = limit.min(stage.len());
                let frame = |k: usize| [input[k][0], input[k][1], output[k][0], output[k][1]];
                sums.accumulate(frame, &mut stage[..take]);
                let peaks = true_peak.commit(take).unwrap_or_default();
                (take, sums.take_peaks(), peaks)
            }
            Lanes::Mono(sums, true_peak) => {
                let stage = true_peak.space();
                let take = limit.min(stage.len());
                sums.accumulate(|k| [input[k][0], output[k][0]], &mut stage[..take]);
                let [x, y] = sums.take_peaks();
                let [tx, ty] = true_peak.commit(take).unwrap_or_default();
                (take, [x, x, y, y], [tx, tx, ty, ty])
            }
        }
    }

    /// Sums of squares and of K-weighted squares since the last call, laid out as
    /// `accumulate`'s peaks.
    fn take_sums(&mut self) -> ([f64; 4], [f64; 4]) {
        match self {
            Lanes::Stereo(sums, _) => sums.take_sums(),
            Lanes::Mono(sums, _) => {
                let ([sx, sy], [wx, wy]) = sums.take_sums();
                ([sx, sx, sy, sy], [wx, wx, wy, wy])
            }
        }
    }
}

/// Input and output meters and gain reduction, for one activation.
#[derive(Debug, Clone)]
pub struct Meters {
    sample_rate: f64,
    enabled: bool,
    input: Point,
    output: Point,
    /// Peaks, sums and true peaks of both points' channels.
    lanes: Lanes,
    /// Compressor and limiter gain reduction (dB) and compressor detector level (linear).
    dynamics: Carried<3>,
    /// The current sub-block: its index, length and samples so far.
    sub_index: u64,
    sub_len: u32,
    sub_filled: u32,
    subs_since_frame: u32,
    frame_due: bool,
    seq: u64,
    position: u64,
    resets: u32,
}

impl Meters {
    /// Allocates (the loudness statistics' tables): create it outside the audio thread.
    /// `channels` is 1 for a mono signal (its loudness counts one channel, not two copies).
    pub fn new(sample_rate: f64, channels: usize) -> Meters {
        let nominal = (sample_rate / SUBS_PER_SECOND).round() as u32;
        let mut m = Meters {
            sample_rate,
            enabled: true,
            input: Point::new(channels, nominal),
            output: Point::new(channels, nominal),
            lanes: if channels == 1 {
                Lanes::Mono(ChannelSums::new(sample_rate), TruePeakMeter::default())
            } else {
                Lanes::Stereo(ChannelSums::new(sample_rate), TruePeakMeter::default())
            },
            dynamics: Carried::default(),
            sub_index: 0,
            sub_len: 0,
            sub_filled: 0,
            subs_since_frame: 0,
            frame_due: false,
            seq: 0,
            position: 0,
            resets: 0,
        };
        m.sub_len = m.sub_block_len(0);
        m
    }

    /// Length of sub-block `k`: from ⌊k·rate/100⌋ to ⌊(k+1)·rate/100⌋.
    fn sub_block_len(&self, k: u64) -> u32 {
        let at = |k: u64| (k as f64 * self.sample_rate / SUBS_PER_SECOND).floor() as u64;
        (at(k + 1) - at(k)).max(1) as u32
    }

    /// Metering costs time; switched off, `process` does nothing and no frame falls due.
    pub fn set_enabled(&mut self, enabled: bool) {
        self.enabled = enabled;
    }

    /// Meter one block: `input` as it entered the plugin, `output` as it leaves (same length).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process(&mut self, input: &[[f64; 2]], output: &[[f64; 2]]) {
        if !self.enabled {
            return;
        }
        let n = input.len().min(output.len());
        let mut i = 0;
        while i < n {
            let limit = (n - i).min((self.sub_len - self.sub_filled) as usize);
            let (take, [p0, p1, p2, p3], [t0, t1, t2, t3]) =
                self.lanes.accumulate(&input[i..], &output[i..], limit);
            self.input.add_peaks([p0, p1], [t0, t1]);
            self.output.add_peaks([p2, p3], [t2, t3]);
            i += take;
            self.position += take as u64;
            self.sub_filled += take as u32;
            if self.sub_filled == self.sub_len {
                let ([s0, s1, s2, s3], [w0, w1, w2, w3]) = self.lanes.take_sums();
                self.input.end_sub_block([s0, s1], [w0, w1], self.sub_len);
                self.output.end_sub_block([s2, s3], [w2, w3], self.sub_len);
                self.sub_index += 1;
                self.sub_len = self.sub_block_len(self.sub_index);
                self.sub_filled = 0;
                self.subs_since_frame += 1;
                if self.subs_since_frame == SUBS_PER_FRAME {
                    self.subs_since_frame = 0;
                    self.frame_due = true;
                }
            }
        }
    }

    /// The compressor's and limiter's gain reduction (dB ≥ 0) and the compressor detector's
    /// level (linear) for the block just processed.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn add_dynamics(&mut self, compressor_db: f64, limiter_db: f64, compressor_level: f64) {
        if self.enabled {
            self.dynamics
                .add([compressor_db, limiter_db, compressor_level]);
        }
    }

    /// Whether a frame is due (`take_frame` clears it).
    pub fn frame_due(&self) -> bool {
        self.frame_due
    }

    /// The frame to publish now. `previous_read` says whether the GUI has read the previous
    /// frame: if not, this one carries the previous one's peaks on.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn take_frame(&mut self, previous_read: bool) -> MeterFrame {
        self.frame_due = false;
        self.seq += 1;
        let [compressor, limiter, level] = self.dynamics.take(previous_read);
        MeterFrame {
            seq: self.seq,
            position: self.position,
            sample_rate: self.sample_rate as f32,
            input: self.input.readings(previous_read),
            output: self.output.readings(previous_read),
            compressor_gr_db: compressor as f32,
            limiter_gr_db: limiter as f32,
            compressor_level_db: db(level),
            loudness_resets: self.resets,
            seq_check: self.seq,
        }
    }

    /// Restart integrated loudness, loudness range and the maxima at both points. Does not
    /// touch the audio. Bounded work (clears fixed tables).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn reset_loudness(&mut self) {
        self.input.reset_statistics();
        self.output.reset_statistics();
        self.resets = self.resets.wrapping_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_blocks_keep_exact_time_at_odd_rates() {
        let m = Meters::new(22_050.0, 2);
        let total: u64 = (0..100).map(|k| m.sub_block_len(k) as u64).sum();
        assert_eq!(total, 22_050);
        assert!((0..100).all(|k| [220, 221].contains(&m.sub_block_len(k))));
    }

    #[test]
    fn frames_fall_due_fifty_times_a_second_and_carry_unread_peaks() {
        let rate = 44_100.0;
        let mut m = Meters::new(rate, 2);
        let mut frames = Vec::new();
        let block = [[0.0; 2]; 64];
        let mut click = [[0.0; 2]; 64];
        click[10] = [0.5, -0.25];
        for b in 0..(rate as usize / 64) {
            // One click in block 100, in a frame the GUI does not read.
            m.process(if b == 100 { &click } else { &block }, &block);
            if m.frame_due() {
                let read = frames.len() % 2 == 0;
                frames.push(m.take_frame(read));
            }
        }
        assert!((49..=50).contains(&frames.len()), "{} frames", frames.len());
        assert!(frames.windows(2).all(|w| w[1].seq == w[0].seq + 1));
        let with_click: Vec<usize> = (0..frames.len())
            .filter(|&i| frames[i].input.peak_db[0] > -7.0)
            .collect();
        // Seen in its frame, and carried into the next since that one was taken unread.
        assert!(
            !with_click.is_empty() && with_click.len() <= 2,
            "{with_click:?}"
        );
        let f = frames[with_click[0]];
        assert!((f.input.peak_db[0] - db(0.5)).abs() < 1e-6);
        assert!((f.input.peak_db[1] - db(0.25)).abs() < 1e-6);
        assert!(f.input.true_peak_db[0] >= f.input.peak_db[0]);
        assert_eq!(f.output.peak_db[0], f32::NEG_INFINITY);
    }

    /// The mono layout meters a mono signal as the stereo one meters it on both sides (peaks,
    /// true peaks, RMS alike to rounding), except loudness, which counts the one channel once:
    /// 3.01 dB under the stereo reading of the same channel copied to both sides.
    #[test]
    fn the_mono_layout_reads_what_stereo_reads_on_each_side() {
        let rate = 48_000.0;
        let (mut mono, mut stereo) = (Meters::new(rate, 1), Meters::new(rate, 2));
        let mut rng = fastrand::Rng::with_seed(9);
        let mut last = [None, None];
        for _ in 0..(rate as usize / 64) {
            let input: Vec<[f64; 2]> = (0..64).map(|_| [0.3 * (rng.f64() - 0.5); 2]).collect();
            let output: Vec<[f64; 2]> = input.iter().map(|f| f.map(|x| 0.5 * x)).collect();
            for (m, last) in [&mut mono, &mut stereo].into_iter().zip(&mut last) {
                m.process(&input, &output);
                if m.frame_due() {
                    *last = Some(m.take_frame(true));
                }
            }
        }
        let [Some(mono), Some(stereo)] = last else {
            panic!("no frame")
        };
        for (m, s) in [(mono.input, stereo.input), (mono.output, stereo.output)] {
            for ch in 0..2 {
                assert_eq!(m.peak_db[ch], s.peak_db[ch]);
                assert_eq!(m.true_peak_db[ch], s.true_peak_db[ch]);
                assert!((m.rms_db[ch] - s.rms_db[ch]).abs() < 1e-5, "{m:?} {s:?}");
            }
            let lower = s.momentary_lufs - m.momentary_lufs;
            assert!(
                (lower - 3.0103).abs() < 1e-3,
                "mono {lower} LU under stereo"
            );
        }
    }
}
