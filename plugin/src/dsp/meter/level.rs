//! RMS (300 ms window) per channel, from sub-block sums of squares (`sums.rs`).

use super::window::WindowRing;

/// RMS window in sub-blocks of 10 ms.
const RMS_SUBS: usize = 30;

#[derive(Debug, Clone)]
pub struct Level {
    subs: WindowRing<[f64; 2]>,
    rms: [f64; 2],
}

impl Level {
    /// Allocates: create it outside the audio thread.
    pub fn new(sub_block: u32) -> Level {
        Level {
            subs: WindowRing::new(RMS_SUBS, sub_block),
            rms: [0.0; 2],
        }
    }

    /// Close the current sub-block of `samples` samples whose sums of squares per channel
    /// are `squares`.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn end_sub_block(&mut self, squares: [f64; 2], samples: u32) {
        self.subs.push(squares, samples);
        let (sum, count) = self.subs.window(RMS_SUBS);
        self.rms = sum.map(|s| (s / count.max(1) as f64).sqrt());
    }

    /// RMS over the last 300 ms (linear), per channel.
    pub fn rms(&self) -> [f64; 2] {
        self.rms
    }

    pub fn reset(&mut self) {
        self.subs.clear();
        self.rms = [0.0; 2];
    }
}
