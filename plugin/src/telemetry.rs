//! Audio thread → GUI, lock-free both ways:
//!
//! - meter frames (`dsp::meter::MeterFrame`, about 50 a second) through a triple buffer: the
//!   GUI always reads the newest, the audio thread never waits, and it learns whether the last
//!   frame was read (so peaks the GUI has not seen are carried into the next frame);
//! - analyzer samples (mono sums before and after the chain) through an `rtrb` ring: when the
//!   GUI is slow or closed the ring fills and further samples are dropped and counted;
//! - loudness-reset requests from the GUI, as a counter the audio thread compares;
//! - a wake-up with every frame that has signal and for a few seconds after, so an open editor
//!   goes idle while the audio is silent. What a wake-up does is the editor's business (it
//!   raises the flag its window polls); this side only calls [`Wake::wake`].
//!
//! The sender lives in the plugin (audio thread); the receiver goes to the editor.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use crate::dsp::meter::MeterFrame;

/// Analyzer samples the ring holds: 1.4 s at 48 kHz, 0.17 s at 384 kHz — many GUI frames.
pub const ANALYZER_CAPACITY: usize = 1 << 16;

/// Frames after the last one with signal that still wake the editor: 4 s at 50 frames a
/// second, longer than the short-term loudness window, so the readouts settle on screen.
const TRAILING_FRAMES: u32 = 200;

/// One analyzer sample: the mono sum of the plugin's input and of its output at one instant.
/// Whoever shows the telemetry: woken when a frame worth drawing was published.
pub trait Wake: Send + 'static {
    /// Runs on the audio thread: must not allocate or block (an atomic store).
    fn wake(&self);
}

/// Nobody to wake (tests, hosts without an editor).
impl Wake for () {
    fn wake(&self) {}
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AnalyzerSample {
    pub pre: f32,
    pub post: f32,
}

#[derive(Debug, Default)]
struct Shared {
    reset_requests: AtomicU32,
    dropped_samples: AtomicU64,
}

/// The audio thread's end.
pub struct TelemetrySender {
    frames: triple_buffer::Input<MeterFrame>,
    analyzer: rtrb::Producer<AnalyzerSample>,
    shared: Arc<Shared>,
    seen_resets: u32,
    wake: Box<dyn Wake>,
    frames_since_signal: u32,
    wakeups: u64,
}

/// The GUI's end.
pub struct TelemetryReceiver {
    frames: triple_buffer::Output<MeterFrame>,
    analyzer: rtrb::Consumer<AnalyzerSample>,
    shared: Arc<Shared>,
}

/// A connected pair whose sender calls `wake` for frames worth drawing. Allocates: create it
/// outside the audio thread.
pub fn channel(wake: impl Wake) -> (TelemetrySender, TelemetryReceiver) {
    let (frames_in, frames_out) = triple_buffer::triple_buffer(&MeterFrame::default());
    let (producer, consumer) = rtrb::RingBuffer::new(ANALYZER_CAPACITY);
    let shared = Arc::new(Shared::default());
    (
        TelemetrySender {
            frames: frames_in,
            analyzer: producer,
            shared: shared.clone(),
            seen_resets: 0,
            wake: Box::new(wake),
            frames_since_signal: TRAILING_FRAMES,
            wakeups: 0,
        },
        TelemetryReceiver {
            frames: frames_out,
            analyzer: consumer,
            shared,
        },
    )
}

impl TelemetrySender {
    /// Whether the GUI has read the last frame published (true before the first).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn last_frame_read(&self) -> bool {
        self.frames.consumed()
    }

    /// Make `frame` the newest (an unread older one is replaced) and wake the editor if the
    /// frame has signal or followed one closely.
    ///
    /// Runs on the audio thread: must not allocate or block (nor may the wake-up).
    pub fn publish(&mut self, frame: MeterFrame) {
        self.frames.write(frame);
        self.frames_since_signal = if frame.shows_signal() {
            0
        } else {
            self.frames_since_signal.saturating_add(1)
        };
        if self.frames_since_signal <= TRAILING_FRAMES {
            self.wake.wake();
            self.wakeups += 1;
        }
    }

    /// How many published frames woke the editor.
    pub fn wakeups(&self) -> u64 {
        self.wakeups
    }

    /// Queue analyzer samples (`pre` and `post` the same length); what does not fit is dropped
    /// and counted.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn push_analyzer(&mut self, pre: &[f32], post: &[f32]) {
        let n = pre.len().min(post.len());
        let fits = n.min(self.analyzer.slots());
        if let Ok(chunk) = self.analyzer.write_chunk_uninit(fits) {
            chunk.fill_from_iter(
                pre.iter()
                    .zip(post)
                    .map(|(&pre, &post)| AnalyzerSample { pre, post }),
            );
        }
        if fits < n {
            self.shared
                .dropped_samples
                .fetch_add((n - fits) as u64, Ordering::Relaxed);
        }
    }

    /// Whether the GUI asked for a loudness reset since the last call.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn take_reset_request(&mut self) -> bool {
        let requests = self.shared.reset_requests.load(Ordering::Acquire);
        let asked = requests != self.seen_resets;
        self.seen_resets = requests;
        asked
    }
}

impl TelemetryReceiver {
    /// The newest meter frame, or `None` before the first (marks it read).
    pub fn latest(&mut self) -> Option<MeterFrame> {
        let frame = *self.frames.read();
        (frame.seq > 0).then_some(frame)
    }

    /// Hand every queued analyzer sample to `sink`, oldest first; returns how many.
    pub fn drain_analyzer(&mut self, mut sink: impl FnMut(AnalyzerSample)) -> usize {
        let n = self.analyzer.slots();
        let Ok(chunk) = self.analyzer.read_chunk(n) else {
            return 0;
        };
        let (a, b) = chunk.as_slices();
        a.iter().chain(b).for_each(|s| sink(*s));
        chunk.commit_all();
        n
    }

    /// Ask the audio thread to restart integrated loudness, loudness range and the maxima.
    pub fn request_loudness_reset(&self) {
        self.shared.reset_requests.fetch_add(1, Ordering::Release);
    }

    /// Analyzer samples dropped so far because the GUI did not keep up.
    pub fn dropped_analyzer_samples(&self) -> u64 {
        self.shared.dropped_samples.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(seq: u64, peak_db: f32) -> MeterFrame {
        let mut f = MeterFrame {
            seq,
            ..MeterFrame::default()
        };
        f.input.peak_db = [peak_db; 2];
        f.output.peak_db = [peak_db; 2];
        f
    }

    #[test]
    fn the_editor_is_woken_by_signal_and_left_alone_in_silence() {
        let (mut sender, _receiver) = channel(());
        for seq in 1..=1000 {
            sender.publish(frame(seq, f32::NEG_INFINITY));
        }
        assert_eq!(sender.wakeups(), 0, "silence from the start");
        for seq in 1001..=1050 {
            sender.publish(frame(seq, -20.0));
        }
        assert_eq!(sender.wakeups(), 50, "every frame with signal");
        for seq in 1051..=2000 {
            sender.publish(frame(seq, f32::NEG_INFINITY));
        }
        assert_eq!(
            sender.wakeups(),
            50 + TRAILING_FRAMES as u64,
            "then the trailing frames only"
        );
        let mut reducing = frame(2001, f32::NEG_INFINITY);
        reducing.limiter_gr_db = 0.5;
        sender.publish(reducing);
        assert_eq!(
            sender.wakeups(),
            51 + TRAILING_FRAMES as u64,
            "gain reduction counts"
        );
    }
}
