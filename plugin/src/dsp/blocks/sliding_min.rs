//! Minimum over the last `window` values, by van Herk and Gil–Werman's blocks: the stream is
//! cut into blocks of `window` values; a window then spans the end of the previous block and
//! the start of the current one, so its minimum is the previous block's suffix minimum at the
//! window's start with the current block's running (prefix) minimum. A push costs two
//! minimums and, once per block, a backward pass of `window` minimums: a constant amount of
//! work per value with no branch that depends on the data (a wedge of candidates, the usual
//! streaming minimum, branches unpredictably on noise). Before the window fills, it is the
//! minimum of the values pushed so far.

#[derive(Debug, Clone)]
pub struct SlidingMin {
    /// The current block's values, positions `0..pos`.
    block: Vec<f64>,
    /// The previous block's suffix minima: `suffix[p]` is the minimum of its positions
    /// `p..window`; `suffix[window]` is +∞.
    suffix: Vec<f64>,
    window: usize,
    pos: usize,
    prefix: f64,
}

impl SlidingMin {
    /// Room for windows up to `capacity` values.
    pub fn new(capacity: usize) -> SlidingMin {
        let capacity = capacity.max(1);
        let mut m = SlidingMin {
            block: vec![0.0; capacity],
            suffix: vec![f64::INFINITY; capacity + 1],
            window: capacity,
            pos: 0,
            prefix: f64::INFINITY,
        };
        m.reset();
        m
    }

    /// Change the window length (≤ capacity) and forget everything.
    pub fn set_window(&mut self, window: usize) {
        self.window = window.clamp(1, self.block.len());
        self.reset();
    }

    pub fn reset(&mut self) {
        self.suffix.fill(f64::INFINITY);
        self.pos = 0;
        self.prefix = f64::INFINITY;
    }

    /// Add a value and return the minimum of the last `window` values (including it).
    ///
    /// Runs on the audio thread: must not allocate or block.
    #[inline]
    pub fn push(&mut self, value: f64) -> f64 {
        let min = |a: f64, b: f64| if b < a { b } else { a };
        self.block[self.pos] = value;
        self.prefix = min(self.prefix, value);
        self.pos += 1;
        // The window's start in the previous block is this position (one past the value's).
        let out = min(self.suffix[self.pos], self.prefix);
        if self.pos == self.window {
            let mut m = f64::INFINITY;
            for (s, v) in self.suffix[..self.window]
                .iter_mut()
                .zip(&self.block[..self.window])
                .rev()
            {
                m = min(m, *v);
                *s = m;
            }
            self.suffix[self.window] = f64::INFINITY;
            self.pos = 0;
            self.prefix = f64::INFINITY;
        }
        out
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
