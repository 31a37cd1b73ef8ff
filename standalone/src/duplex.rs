//! The duplex engine: the input device's callback pushes frames into an `rtrb` ring; the
//! output device's callback pulls them through the resampler, runs the processor at the output
//! rate and fills the device buffer. The output device is the master clock: nothing here is
//! timer-driven.
//!
//! The resampling ratio is output rate / input rate × the drift loop's correction
//! (`drift.rs`), which holds the ring's fill — the latency — at its target while the two
//! clocks drift. An underrun (ring empty) or a fill far off target (a stalled device, an
//! overrun) is a resync: silence, the ring brought back to the target, counted; never a
//! block, never a crash.
//!
//! Device layers (cpal, virtual clocks) call `InputSide::on_input` and `OutputSide::on_output`
//! with interleaved device buffers and the callback's time on a clock both sides share.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use atomic_float::AtomicF64;

use crate::drift::{Anchor, CallbackClock, ClockLine, DriftLoop, Late, LockRecord, MIN_FIT_SPAN_S};
use crate::resampler::Converter;

/// The margin beyond the periods before anything is measured, and its floor: the resampler
/// pulls up to 2 frames beyond its read position, and the fill strays by a few µs while the
/// lines settle. Late callbacks raise it (`MARGIN_HEADROOM`): punctual devices keep a ring
/// of their two periods and this, as little as the path allows (until 2026-12 it was a fixed
/// 2 ms, more than a whole 64-frame period).
pub const MIN_MARGIN_S: f64 = 0.25e-3;

/// The margin grows with what is measured: to this many times the latest input callback seen
/// (once its line is fitted) beyond the periods, up to `MAX_MARGIN_S`. On this project's
/// shared VM a real-time thread still wakes up to 7.6 ms late now and then (`cyclictest -p80`,
/// idle machine), beyond any fixed margin a studio machine would want.
const MARGIN_HEADROOM: f64 = 1.5;
const MAX_MARGIN_S: f64 = 0.05;

/// An input callback is only as late as the ring feels it: less the lateness of an output
/// callback that came within this of it. When both were held up together (a stall of the
/// whole machine, or two clients of one JACK server, whose cycle runs both) no output
/// callback ran in between, so the ring lacked nothing.
const PAIR_S: f64 = 2e-3;

/// The output callbacks' confirmed lateness kept for pairing: the input's records reach the
/// output side up to an input period (plus a stale run) after the callback they describe.
const OUTPUT_LATE_KEPT: usize = 8;

/// Underruns this close together are one outage: the margin learns from the first.
const LESSON_GAP_S: f64 = 2.0;

/// The processor the output side runs (the plugin, or a pass-through in tests).
pub trait Processor: Send {
    /// Process stereo `channels` in place.
    ///
    /// Runs on the audio thread: must not allocate or block.
    fn process(&mut self, channels: &mut [&mut [f32]]);
}

/// Leaves the audio alone.
pub struct Passthrough;

impl Processor for Passthrough {
    fn process(&mut self, _channels: &mut [&mut [f32]]) {}
}

/// Which input channels feed the processor's two inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputMap {
    /// Channel n of the device to both (a mono mic).
    Mono(usize),
    /// The first two channels to left and right (a mono device feeds both).
    Stereo,
}

#[derive(Debug, Clone, Copy)]
pub struct DuplexConfig {
    pub input_rate_hz: f64,
    pub output_rate_hz: f64,
    pub input_channels: usize,
    pub output_channels: usize,
    pub input_map: InputMap,
    /// Largest output callback, frames.
    pub max_output_period: usize,
    /// Nominal input period, frames (for the clock filter; callbacks may vary).
    pub input_period: usize,
    /// Ring fill to hold, seconds of input.
    pub target_latency_s: f64,
}

impl DuplexConfig {
    /// The smallest target that survives the phase between the callbacks: one input period
    /// (frames the input device holds, which the fill estimate counts as arrived) plus one
    /// output period, plus `MIN_MARGIN_S` (the engine raises it for late callbacks).
    pub fn minimum_latency_s(&self) -> f64 {
        self.periods_s() + MIN_MARGIN_S
    }

    /// One input period and one output period, seconds: the target less its margin.
    pub fn periods_s(&self) -> f64 {
        self.input_period as f64 / self.input_rate_hz
            + self.max_output_period as f64 / self.output_rate_hz
    }
}

/// What both sides report, readable from any thread.
#[derive(Debug, Default)]
pub struct EngineStats {
    pub underruns: AtomicU64,
    pub overruns: AtomicU64,
    pub resyncs: AtomicU64,
    pub output_callbacks: AtomicU64,
    /// The drift loop's correction, ppm.
    pub correction_ppm: AtomicF64,
    /// Ring fill estimate, seconds of input.
    pub fill_s: AtomicF64,
    /// Time spent in the output callback / the audio it made (smoothed over ~1 s).
    pub dsp_load: AtomicF64,
    /// Largest callbacks seen so far, frames: the host re-opens the engine when they outgrow
    /// the sizes it was built for.
    pub max_input_frames: AtomicU64,
    pub max_output_frames: AtomicU64,
    /// Processed frames the recorder's ring had no room for.
    pub record_dropped_frames: AtomicU64,
    /// The ring fill held now, seconds of input (the margin grows with late callbacks).
    pub target_s: AtomicF64,
    /// The latest input callback so far, seconds after its point on the input's line, less
    /// an output callback's lateness at the same moment (`PAIR_S`); counted once the line
    /// is fitted.
    pub input_lateness_max_s: AtomicF64,
    /// Each clock's window restarts on its own evidence: the other side's clock follows
    /// (`CallbackClock::follow`), and says so.
    pub input_restarts: AtomicU64,
    pub output_restarts: AtomicU64,
    pub input_followed: AtomicU64,
    /// One input and one output period, seconds: the target less the margin.
    pub periods_s: AtomicF64,
    /// When the margin was last raised, seconds from the first output callback (NaN: never).
    pub margin_raised_s: AtomicF64,
    /// When the drift loop first locked, and what it did after.
    pub lock: LockRecord,
}

/// The input callback's end.
pub struct InputSide {
    ring: rtrb::Producer<f32>,
    /// Confirmed lateness of each callback, to the output side (`PAIR_S`).
    late_tx: rtrb::Producer<Late>,
    clock: CallbackClock,
    /// The output clock's restarts this clock has followed.
    followed: u64,
    published: triple_buffer::Input<ClockLine>,
    map: InputMap,
    channels: usize,
    stats: Arc<EngineStats>,
}

/// The output callback's end.
pub struct OutputSide<P: Processor> {
    ring: rtrb::Consumer<f32>,
    input_clock: triple_buffer::Output<ClockLine>,
    late_rx: rtrb::Consumer<Late>,
    /// This side's latest confirmed lateness, newest first, and the time of the callback that
    /// confirmed the newest (a stale run is confirmed by the callback that ends it).
    output_late: [Late; OUTPUT_LATE_KEPT],
    confirmed_through_s: f64,
    clock: CallbackClock,
    /// The input clock's restarts this clock has followed.
    followed: u64,
    converter: Converter,
    drift: DriftLoop,
    processor: P,
    buffers: [Vec<f32>; 2],
    channels: usize,
    /// Input frames taken from the ring.
    consumed: u64,
    /// The resampler's read position in the input, fractional (see `Converter::process`);
    /// `consumed` runs a few frames ahead of it.
    read_position: f64,
    /// The first output callback's time: lock times count from it.
    start_s: Option<f64>,
    /// One input and one output period, seconds: the target less the margin.
    periods_s: f64,
    /// The margin the ring's underruns after the lock asked for: 1.5 × the margin then plus
    /// what was missing; and when the last lesson was taken.
    underrun_margin_s: f64,
    lesson_s: f64,
    /// Waiting for the ring to reach the target (start, after an underrun).
    priming: bool,
    input_rate_hz: f64,
    output_rate_hz: f64,
    /// Processed stereo frames for the recorder (interleaved), if recording.
    recorder: Option<rtrb::Producer<f32>>,
    stats: Arc<EngineStats>,
}

/// Build both ends. Allocates: call outside the audio threads.
pub fn engine<P: Processor>(
    config: DuplexConfig,
    processor: P,
) -> (InputSide, OutputSide<P>, Arc<EngineStats>) {
    let target_frames = config.target_latency_s * config.input_rate_hz;
    // Room for the target, a long stall of the output side and the largest pulls.
    let capacity = 2
        * (target_frames as usize + 4 * config.input_period + 4 * config.max_output_period + 8192);
    let (producer, consumer) = rtrb::RingBuffer::new(capacity * 2);
    let input_clock = CallbackClock::new(config.input_rate_hz, Anchor::End);
    // Far more input callbacks than come between two output callbacks.
    let (late_tx, late_rx) = rtrb::RingBuffer::new(1024);
    let (published, input_clock_out) = triple_buffer::triple_buffer(&input_clock.line());
    let stats = Arc::new(EngineStats::default());
    let periods_s = config.periods_s();
    stats
        .target_s
        .store(config.target_latency_s, Ordering::Relaxed);
    stats.periods_s.store(periods_s, Ordering::Relaxed);
    stats.margin_raised_s.store(f64::NAN, Ordering::Relaxed);
    let converter = Converter::new(
        config.input_rate_hz,
        config.output_rate_hz,
        2,
        config.max_output_period,
    );
    let input = InputSide {
        ring: producer,
        late_tx,
        clock: input_clock,
        followed: 0,
        published,
        map: config.input_map,
        channels: config.input_channels.max(1),
        stats: stats.clone(),
    };
    let output = OutputSide {
        ring: consumer,
        input_clock: input_clock_out,
        late_rx,
        output_late: [Late::default(); OUTPUT_LATE_KEPT],
        confirmed_through_s: 0.0,
        clock: CallbackClock::new(config.output_rate_hz, Anchor::Start),
        followed: 0,
        converter,
        drift: DriftLoop::new(target_frames, config.input_rate_hz, config.output_rate_hz),
        processor,
        buffers: [
            vec![0.0; config.max_output_period],
            vec![0.0; config.max_output_period],
        ],
        channels: config.output_channels.max(1),
        consumed: 0,
        read_position: 0.0,
        start_s: None,
        periods_s,
        underrun_margin_s: 0.0,
        lesson_s: f64::NEG_INFINITY,
        priming: true,
        input_rate_hz: config.input_rate_hz,
        output_rate_hz: config.output_rate_hz,
        recorder: None,
        stats: stats.clone(),
    };
    (input, output, stats)
}

impl InputSide {
    /// An input callback at `now_s` with interleaved `data`.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn on_input(&mut self, data: &[f32], now_s: f64) {
        let frames = data.len() / self.channels;
        self.stats
            .max_input_frames
            .fetch_max(frames as u64, Ordering::Relaxed);
        let fits = (self.ring.slots() / 2).min(frames);
        if fits < frames {
            self.stats.overruns.fetch_add(1, Ordering::Relaxed);
        }
        if let Ok(chunk) = self.ring.write_chunk_uninit(fits * 2) {
            let (map, channels) = (self.map, self.channels);
            let samples = data.chunks_exact(channels).take(fits).flat_map(|frame| {
                let (l, r) = match map {
                    InputMap::Mono(c) => {
                        let s = frame[c.min(channels - 1)];
                        (s, s)
                    }
                    InputMap::Stereo => (frame[0], frame[1.min(channels - 1)]),
                };
                [l, r]
            });
            chunk.fill_from_iter(samples);
        }
        let output_restarts = self.stats.output_restarts.load(Ordering::Acquire);
        let follow = output_restarts != self.followed;
        if follow {
            self.clock.follow();
        }
        // Frames dropped for want of room are still frames the clock produced.
        self.clock.tick(now_s, frames);
        self.published.write(self.clock.line());
        // After the line they describe (the output side reads these first).
        if follow {
            self.followed = output_restarts;
            self.stats
                .input_followed
                .store(output_restarts, Ordering::Release);
        }
        self.stats
            .input_restarts
            .store(self.clock.restarts(), Ordering::Release);
        if let Some(late) = self.clock.jitter() {
            self.stats.lock.late(true, late.lateness_s);
            // From the first fitted line on: a line still a few hundred ppm off is off by
            // tens of microseconds here, and the start (at 0.5 s) is then placed with what
            // was seen. (A full queue means the output side has stopped: nothing to keep.)
            if self.clock.line().span_s >= MIN_FIT_SPAN_S {
                let _ = self.late_tx.push(late);
            }
        }
    }
}

impl<P: Processor> OutputSide<P> {
    /// An output callback at `now_s`: fill interleaved `data` (any length: longer callbacks
    /// than the engine was built for are made in pieces).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn on_output(&mut self, data: &mut [f32], now_s: f64) {
        let started = std::time::Instant::now();
        let frames = data.len() / self.channels;
        self.stats.output_callbacks.fetch_add(1, Ordering::Relaxed);
        self.stats
            .max_output_frames
            .fetch_max(frames as u64, Ordering::Relaxed);
        let input_restarts = self.stats.input_restarts.load(Ordering::Acquire);
        if input_restarts != self.followed {
            self.followed = input_restarts;
            self.clock.follow();
        }
        self.clock.tick(now_s, frames);
        self.stats
            .output_restarts
            .store(self.clock.restarts(), Ordering::Release);
        if let Some(late) = self.clock.jitter() {
            self.stats.lock.late(false, late.lateness_s);
            self.output_late.rotate_right(1);
            self.output_late[0] = late;
            self.confirmed_through_s = now_s;
        }
        self.pair_input_lateness();
        self.steer(now_s);
        let chunk = self.buffers[0].len();
        let mut done = 0;
        while done < frames {
            let n = chunk.min(frames - done);
            self.make(n, now_s);
            let out = &mut data[done * self.channels..(done + n) * self.channels];
            self.deliver(out, n);
            done += n;
        }
        data[frames * self.channels..].fill(0.0);
        let busy_s = started.elapsed().as_secs_f64();
        let audio_s = frames as f64 / self.output_rate_hz;
        if audio_s > 0.0 {
            // A one-pole average with a 1 s time constant.
            let a = audio_s.min(1.0);
            let load = self.stats.dsp_load.load(Ordering::Relaxed);
            self.stats
                .dsp_load
                .store(load + a * (busy_s / audio_s - load), Ordering::Relaxed);
        }
    }

    /// The drift loop's step for a callback at `now_s`: priming, resync, or a new correction.
    fn steer(&mut self, now_s: f64) {
        let start_s = *self.start_s.get_or_insert(now_s);
        // Until the input's clock has followed this one's latest restart, the two lines
        // disagree by the time lost: hold the correction as it is.
        if self.stats.input_followed.load(Ordering::Acquire) != self.clock.restarts() {
            return;
        }
        let input = *self.input_clock.read();
        if !input.started() {
            return;
        }
        let output = self.clock.line();
        // Input frames that had passed when this callback was due (both lines, free of the
        // callbacks' lateness and phase), less the resampler's read position: the fill free
        // of the whole-frame steps of the pulls too.
        let due_s = self.clock.due_s();
        let fill = input.frames_at(due_s) - self.read_position;
        self.widen_margin(now_s - start_s);
        let target = self.drift.target_frames();
        let available = (self.ring.slots() / 2) as f64;
        let fill_s = fill / self.input_rate_hz;
        self.stats.fill_s.store(fill_s, Ordering::Relaxed);
        if self.priming && !self.drift.measured(&input, &output) {
            // Too soon to place the start: keep the ring from filling up meanwhile.
            self.discard((available - target).max(0.0) as usize);
            self.read_position = self.consumed as f64;
        } else if self.priming {
            // Start (or restart) exactly at the target: drop what is beyond it.
            if fill >= target && available >= 1.0 {
                let excess = ((fill - target).round() as usize).min(available as usize);
                self.discard(excess);
                self.read_position = self.consumed as f64;
                self.priming = false;
                self.converter.reset();
                self.drift.restart();
            }
        } else if (fill - target).abs() > target.max(256.0) {
            // Far off: a stall or a device that jumped. Resync rather than chase it.
            self.stats.resyncs.fetch_add(1, Ordering::Relaxed);
            self.priming = true;
        } else {
            let relative = self.drift.update(due_s, fill, &input, &output);
            let correction_ppm = self.drift.correction_ppm();
            self.stats
                .correction_ppm
                .store(correction_ppm, Ordering::Relaxed);
            self.converter.set_correction(relative);
            if self.drift.locked(fill, &input, &output) {
                let count = |a: &AtomicU64| a.load(Ordering::Relaxed);
                let s = &self.stats;
                let counts = [count(&s.underruns), count(&s.overruns), count(&s.resyncs)];
                let target_s = self.drift.target_frames() / self.input_rate_hz;
                self.stats.lock.lock(now_s - start_s, counts, target_s);
            }
            if self.drift.settled(&input, &output) {
                self.stats.lock.settle(now_s - start_s);
            }
            self.stats.lock.record(correction_ppm, fill_s);
        }
    }

    /// Take the input callbacks' lateness sent so far, each less the lateness of an output
    /// callback that came within `PAIR_S` of it — once every such output callback is
    /// confirmed (one stalled with it may still be in a stale run).
    ///
    /// Runs on the audio thread: must not allocate or block.
    fn pair_input_lateness(&mut self) {
        let max = &self.stats.input_lateness_max_s;
        let mut latest = max.load(Ordering::Relaxed);
        while let Ok(&input) = self.late_rx.peek() {
            if input.at_s + PAIR_S > self.confirmed_through_s {
                break;
            }
            let _ = self.late_rx.pop();
            let together = self
                .output_late
                .iter()
                .filter(|o| (o.at_s - input.at_s).abs() <= PAIR_S)
                .fold(0.0, |m: f64, o| m.max(o.lateness_s));
            latest = latest.max(input.lateness_s - together);
        }
        max.store(latest, Ordering::Relaxed);
    }

    /// Raise the target when an input callback came later than its margin covers, or the ring
    /// ran short after the lock (frames that came late without a late callback: a JACK client
    /// that missed a cycle the other did not). Before the lock (the first second of sound)
    /// the ring restarts at it, a few ms of silence; after, the trim brings the fill up to it
    /// (a slow pitch change of a few hundred ppm at most, inaudible), and after an underrun
    /// the ring restarts at it.
    fn widen_margin(&mut self, since_start_s: f64) {
        let late_s = self.stats.input_lateness_max_s.load(Ordering::Relaxed);
        let margin_s = (MARGIN_HEADROOM * late_s).max(self.underrun_margin_s);
        let wanted_s = self.periods_s + margin_s.min(MAX_MARGIN_S);
        let wanted = wanted_s * self.input_rate_hz;
        if wanted > self.drift.target_frames() {
            self.drift.set_target_frames(wanted);
            self.stats.target_s.store(wanted_s, Ordering::Relaxed);
            self.stats
                .margin_raised_s
                .store(since_start_s, Ordering::Relaxed);
            if !self.stats.lock.is_locked() {
                self.priming = true;
            }
        }
    }

    /// Make `frames` (≤ the chunk size) processed frames in `self.buffers`, for a callback at
    /// `now_s`.
    fn make(&mut self, frames: usize, now_s: f64) {
        let [left, right] = &mut self.buffers;
        let (left, right) = (&mut left[..frames], &mut right[..frames]);
        if self.priming {
            left.fill(0.0);
            right.fill(0.0);
        } else {
            let (ring, consumed) = (&mut self.ring, &mut self.consumed);
            let mut short = 0;
            let mut outputs = [&mut *left, &mut *right];
            self.read_position += self.converter.process(
                |staging, needed| {
                    let have = (ring.slots() / 2).min(needed);
                    if let Ok(chunk) = ring.read_chunk(have * 2) {
                        let (a, b) = chunk.as_slices();
                        for (k, s) in a.iter().chain(b).enumerate() {
                            staging[k % 2][k / 2] = *s;
                        }
                        chunk.commit_all();
                    }
                    for ch in staging.iter_mut() {
                        ch[have..needed].fill(0.0);
                    }
                    *consumed += needed as u64;
                    short = needed - have;
                },
                &mut outputs,
            );
            if short > 0 {
                self.stats.underruns.fetch_add(1, Ordering::Relaxed);
                self.priming = true;
                // Locked, the margin was too small for what came: by what was missing. One
                // lesson an outage: while a device stays silent the ring runs dry again at
                // each restart, and each lesson would build on the last.
                if self.stats.lock.is_locked() && now_s - self.lesson_s > LESSON_GAP_S {
                    let margin_s = self.drift.target_frames() / self.input_rate_hz - self.periods_s;
                    let lacked_s = margin_s + short as f64 / self.input_rate_hz;
                    self.underrun_margin_s = self.underrun_margin_s.max(MARGIN_HEADROOM * lacked_s);
                    self.lesson_s = now_s;
                }
            }
        }
        self.processor.process(&mut [&mut *left, &mut *right]);
    }

    /// Copy `frames` processed frames into the device's interleaved `out` and the recorder.
    fn deliver(&mut self, out: &mut [f32], frames: usize) {
        let (left, right) = (&self.buffers[0][..frames], &self.buffers[1][..frames]);
        for (k, frame) in out.chunks_exact_mut(self.channels).enumerate() {
            frame[0] = left[k];
            if self.channels > 1 {
                frame[1] = right[k];
                frame[2..].fill(0.0);
            }
        }
        if let Some(recorder) = &mut self.recorder {
            let fits = (recorder.slots() / 2).min(frames);
            if let Ok(chunk) = recorder.write_chunk_uninit(fits * 2) {
                chunk.fill_from_iter(left.iter().zip(right).flat_map(|(&l, &r)| [l, r]));
            }
            self.stats
                .record_dropped_frames
                .fetch_add((frames - fits) as u64, Ordering::Relaxed);
        }
    }

    /// Send every processed stereo frame (interleaved) into `ring` from now on.
    pub fn record_into(&mut self, ring: rtrb::Producer<f32>) {
        self.recorder = Some(ring);
    }

    /// The resampler's filter delay, output frames.
    pub fn resampler_delay_frames(&self) -> usize {
        self.converter.delay_frames()
    }

    /// Stop recording; the ring, to hand to the next engine.
    pub fn take_recorder(&mut self) -> Option<rtrb::Producer<f32>> {
        self.recorder.take()
    }

    /// The processor, e.g. to read its state between callbacks.
    pub fn processor(&self) -> &P {
        &self.processor
    }

    /// The processor back, for the next engine (after the devices are re-opened).
    pub fn into_processor(self) -> P {
        self.processor
    }

    /// Drop `frames` input frames from the ring (counted as consumed).
    fn discard(&mut self, frames: usize) {
        if let Ok(chunk) = self.ring.read_chunk(frames * 2) {
            chunk.commit_all();
            self.consumed += frames as u64;
        }
    }

    /// Input frames taken from the ring so far.
    pub fn consumed_frames(&self) -> u64 {
        self.consumed
    }

    /// The resampler's fractional read position, input frames.
    pub fn read_position(&self) -> f64 {
        self.read_position
    }
}
