//! Sample peak and RMS (300 ms window) per channel.

use super::window::WindowRing;

/// RMS window in sub-blocks of 10 ms.
const RMS_SUBS: usize = 30;

#[derive(Debug, Clone)]
pub struct Level {
    /// Sum of squares of the current sub-block, per channel.
    squares: [f64; 2],
    subs: WindowRing<[f64; 2]>,
    rms: [f64; 2],
}

impl Level {
    /// Allocates: create it outside the audio thread.
    pub fn new(sub_block: u32) -> Level {
        Level {
            squares: [0.0; 2],
            subs: WindowRing::new(RMS_SUBS, sub_block),
            rms: [0.0; 2],
        }
    }

    /// Add `frames` to the current sub-block; returns their sample peak per channel.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn accumulate(&mut self, frames: &[[f64; 2]]) -> [f64; 2] {
        let mut peak = [0.0f64; 2];
        let mut squares = self.squares;
        for f in frames {
            for ch in 0..2 {
                peak[ch] = peak[ch].max(f[ch].abs());
                squares[ch] += f[ch] * f[ch];
            }
        }
        self.squares = squares;
        peak
    }

    /// Close the current sub-block of `samples` samples.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn end_sub_block(&mut self, samples: u32) {
        self.subs.push(std::mem::take(&mut self.squares), samples);
        let (sum, count) = self.subs.window(RMS_SUBS);
        self.rms = sum.map(|s| (s / count.max(1) as f64).sqrt());
    }

    /// RMS over the last 300 ms (linear), per channel.
    pub fn rms(&self) -> [f64; 2] {
        self.rms
    }

    pub fn reset(&mut self) {
        self.squares = [0.0; 2];
        self.subs.clear();
        self.rms = [0.0; 2];
    }
}
