//! Sliding windows built from 10 ms sub-blocks: each sub-block's sum (of squares, say) and
//! sample count go into a ring, and a window of the newest n sub-blocks is their total. Summing
//! afresh (at most a few hundred entries, a hundred times a second) keeps rounding from
//! piling up the way a running sum would over hours.

/// What a window sums: one value, or one per channel.
pub trait Accumulate: Copy + Default {
    fn accumulate(&mut self, other: Self);
}

impl Accumulate for f64 {
    fn accumulate(&mut self, other: f64) {
        *self += other;
    }
}

impl Accumulate for [f64; 2] {
    fn accumulate(&mut self, other: [f64; 2]) {
        self[0] += other[0];
        self[1] += other[1];
    }
}

#[derive(Debug, Clone)]
pub struct WindowRing<T> {
    sums: Vec<T>,
    counts: Vec<u32>,
    /// Where the next sub-block goes.
    pos: usize,
    nominal_count: u32,
}

impl<T: Accumulate> WindowRing<T> {
    /// Room for `len` sub-blocks, initially silent sub-blocks of `nominal_count` samples (a
    /// window reaching back before the start reads the start as silence). Allocates: create it
    /// outside the audio thread.
    pub fn new(len: usize, nominal_count: u32) -> WindowRing<T> {
        WindowRing {
            sums: vec![T::default(); len],
            counts: vec![nominal_count; len],
            pos: 0,
            nominal_count,
        }
    }

    pub fn clear(&mut self) {
        self.sums.fill(T::default());
        self.counts.fill(self.nominal_count);
        self.pos = 0;
    }

    /// Runs on the audio thread: must not allocate or block.
    pub fn push(&mut self, sum: T, count: u32) {
        self.sums[self.pos] = sum;
        self.counts[self.pos] = count;
        self.pos = if self.pos + 1 == self.sums.len() {
            0
        } else {
            self.pos + 1
        };
    }

    /// Sum and sample count of the newest `n` sub-blocks (`n` ≤ the ring's length).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn window(&self, n: usize) -> (T, u64) {
        let (len, n) = (self.sums.len(), n.min(self.sums.len()));
        // The newest n entries are at most two runs of the ring: before `pos`, and (wrapped)
        // its end.
        let (wrapped, recent) = if n <= self.pos {
            (0..0, self.pos - n..self.pos)
        } else {
            (len - (n - self.pos)..len, 0..self.pos)
        };
        let mut sum = T::default();
        let mut count = 0u64;
        for run in [wrapped, recent] {
            sum.accumulate(sum_of(&self.sums[run.clone()]));
            count += self.counts[run].iter().map(|&c| c as u64).sum::<u64>();
        }
        (sum, count)
    }
}

/// The sum of `values` over four running sums: one would be a chain of dependent additions,
/// a few hundred long, a hundred times a second per meter.
fn sum_of<T: Accumulate>(values: &[T]) -> T {
    let mut lanes = [T::default(); 4];
    let chunks = values.chunks_exact(4);
    let mut total = T::default();
    for v in chunks.remainder() {
        total.accumulate(*v);
    }
    for c in chunks {
        for (l, v) in lanes.iter_mut().zip(c) {
            l.accumulate(*v);
        }
    }
    for l in lanes {
        total.accumulate(l);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_sum_the_newest_entries_and_start_from_silence() {
        let mut ring = WindowRing::<f64>::new(4, 10);
        assert_eq!(ring.window(3), (0.0, 30));
        for k in 1..=6 {
            ring.push(k as f64, k);
        }
        // Newest three: 6, 5, 4.
        assert_eq!(ring.window(3), (15.0, 15));
        assert_eq!(ring.window(4), (18.0, 18));
        ring.clear();
        assert_eq!(ring.window(2), (0.0, 20));
    }
}
