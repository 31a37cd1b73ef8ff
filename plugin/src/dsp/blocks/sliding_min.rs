//! Minimum over the last `window` values: the monotonic-wedge algorithm (Lemire's streaming
//! minimum). A ring holds the values that can still become the minimum, increasing from front
//! to back; each value enters and leaves it once, so a block of n pushes costs O(n) however
//! the values fall. Before the window fills, it is the minimum of the values pushed so far.

#[derive(Debug, Clone)]
pub struct SlidingMin {
    /// `(push count, value)`, values increasing from `head` on; `size` a power of two.
    ring: Vec<(u64, f64)>,
    size: usize,
    head: usize,
    len: usize,
    window: usize,
    pushes: u64,
}

impl SlidingMin {
    /// Room for windows up to `capacity` values.
    pub fn new(capacity: usize) -> SlidingMin {
        let size = (capacity.max(1) + 1).next_power_of_two();
        SlidingMin {
            ring: vec![(0, 0.0); size],
            size,
            head: 0,
            len: 0,
            window: capacity.max(1),
            pushes: 0,
        }
    }

    /// Change the window length (≤ capacity) and forget everything.
    pub fn set_window(&mut self, window: usize) {
        self.window = window.clamp(1, self.size - 1);
        self.reset();
    }

    pub fn reset(&mut self) {
        self.head = 0;
        self.len = 0;
        self.pushes = 0;
    }

    /// Add a value and return the minimum of the last `window` values (including it).
    ///
    /// Runs on the audio thread: must not allocate or block.
    #[inline]
    pub fn push(&mut self, value: f64) -> f64 {
        let mask = self.size - 1;
        self.pushes += 1;
        // Values at the back that are not smaller can never be the minimum again.
        while self.len > 0 && self.ring[(self.head + self.len - 1) & mask].1 >= value {
            self.len -= 1;
        }
        self.ring[(self.head + self.len) & mask] = (self.pushes, value);
        self.len += 1;
        // The front leaves once it is `window` pushes old.
        if self.ring[self.head].0 + self.window as u64 <= self.pushes {
            self.head = (self.head + 1) & mask;
            self.len -= 1;
        }
        self.ring[self.head].1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_brute_force_window_minimum() {
        let mut rng = fastrand::Rng::with_seed(12345);
        for window in [1, 2, 3, 7, 8, 100, 128] {
            let mut m = SlidingMin::new(128);
            m.set_window(window);
            let mut history = Vec::new();
            for _ in 0..2000 {
                let v = rng.f64();
                history.push(v);
                let got = m.push(v);
                let start = history.len().saturating_sub(window);
                let want = history[start..].iter().cloned().fold(1.0, f64::min);
                assert_eq!(got, want, "window {window}");
            }
        }
    }
}
