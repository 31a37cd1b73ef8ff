//! Runs an embedded Strata on the test signal at real-time pace, on its own thread: the
//! stand-in for audio devices on a machine without a sound card.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use strata::embedded::EmbeddedStrata;

use crate::test_signal::TestSignal;

/// What the running thread reports.
#[derive(Default)]
pub struct Stats {
    pub blocks: AtomicU64,
    /// Time spent processing, nanoseconds.
    pub busy_ns: AtomicU64,
    /// Blocks that finished after their deadline.
    pub late_blocks: AtomicU64,
}

pub struct Running {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    pub stats: Arc<Stats>,
}

/// Start processing `block`-sample blocks of the test signal (or of silence) in real time.
pub fn start(mut strata: EmbeddedStrata, block: usize, silence: bool) -> Running {
    let stop = Arc::new(AtomicBool::new(false));
    let stats = Arc::new(Stats::default());
    let thread = {
        let (stop, stats) = (stop.clone(), stats.clone());
        std::thread::Builder::new()
            .name("strata-audio".into())
            .spawn(move || {
                let rate = strata.sample_rate();
                let period = Duration::from_secs_f64(block as f64 / rate as f64);
                let mut signal = TestSignal::new(rate);
                let (mut left, mut right) = (vec![0.0f32; block], vec![0.0f32; block]);
                let count = strata.channels();
                let mut deadline = Instant::now();
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let mut both = [&mut left[..], &mut right[..]];
                    let channels = &mut both[..count];
                    if silence {
                        channels.iter_mut().for_each(|c| c.fill(0.0));
                    } else {
                        signal.fill(channels);
                    }
                    strata.process(channels);
                    let busy = started.elapsed();
                    stats
                        .busy_ns
                        .fetch_add(busy.as_nanos() as u64, Ordering::Relaxed);
                    stats.blocks.fetch_add(1, Ordering::Relaxed);
                    deadline += period;
                    let now = Instant::now();
                    if now > deadline {
                        stats.late_blocks.fetch_add(1, Ordering::Relaxed);
                        deadline = now;
                    } else {
                        std::thread::sleep(deadline - now);
                    }
                }
            })
            .expect("spawn the audio thread")
    };
    Running {
        stop,
        thread: Some(thread),
        stats,
    }
}

impl Running {
    /// Share of real time spent processing since the start.
    pub fn dsp_load(&self, block: usize, sample_rate: f32) -> f64 {
        let blocks = self.stats.blocks.load(Ordering::Relaxed) as f64;
        let busy = self.stats.busy_ns.load(Ordering::Relaxed) as f64 * 1e-9;
        let audio = blocks * block as f64 / sample_rate as f64;
        if audio > 0.0 { busy / audio } else { 0.0 }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
