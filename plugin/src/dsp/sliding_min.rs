//! Minimum over the last `window` values, in bounded time per value: a segment tree over a
//! ring buffer (two O(log n) updates per push, the minimum is the root). Values leaving the
//! window are replaced by the neutral `fill`.

#[derive(Debug, Clone)]
pub struct SlidingMin {
    /// Leaves at `size..2·size`, the root at 1.
    tree: Vec<f64>,
    size: usize,
    window: usize,
    pos: usize,
    fill: f64,
}

impl SlidingMin {
    /// Room for windows up to `capacity` values; `fill` must be ≥ anything pushed.
    pub fn new(capacity: usize, fill: f64) -> SlidingMin {
        let size = capacity.max(1).next_power_of_two();
        SlidingMin {
            tree: vec![fill; 2 * size],
            size,
            window: capacity.max(1),
            pos: 0,
            fill,
        }
    }

    /// Change the window length (≤ capacity) and forget everything.
    pub fn set_window(&mut self, window: usize) {
        self.window = window.clamp(1, self.size);
        self.reset();
    }

    pub fn reset(&mut self) {
        self.tree.fill(self.fill);
        self.pos = 0;
    }

    fn write(&mut self, index: usize, value: f64) {
        let mut i = self.size + index;
        self.tree[i] = value;
        while i > 1 {
            i /= 2;
            self.tree[i] = self.tree[2 * i].min(self.tree[2 * i + 1]);
        }
    }

    /// Add a value and return the minimum of the last `window` values (including it).
    ///
    /// Runs on the audio thread: must not allocate or block.
    #[inline]
    pub fn push(&mut self, value: f64) -> f64 {
        // The value `window` pushes ago leaves the window now.
        let leaving = (self.pos + self.size - self.window) % self.size;
        if self.window < self.size {
            self.write(leaving, self.fill);
        }
        self.write(self.pos, value);
        self.pos = (self.pos + 1) % self.size;
        self.tree[1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_brute_force_window_minimum() {
        let mut rng = 12345u64;
        for window in [1, 2, 3, 7, 8, 100] {
            let mut m = SlidingMin::new(128, 1.0);
            m.set_window(window);
            let mut history = Vec::new();
            for _ in 0..2000 {
                rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1);
                let v = (rng >> 11) as f64 / (1u64 << 53) as f64;
                history.push(v);
                let got = m.push(v);
                let start = history.len().saturating_sub(window);
                let want = history[start..].iter().cloned().fold(1.0, f64::min);
                assert_eq!(got, want, "window {window}");
            }
        }
    }
}
