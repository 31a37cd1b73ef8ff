//! What the drift loop did once locked, kept by the output callback and read by the status:
//! when it first locked (the fill held at its target), the fill's range from then on and the
//! engine's glitch counts at that moment (so the summary counts only what came after); when
//! the correction settled (the clocks measured over long enough for their ratio to be known
//! to a few ppm, `control.rs`) and its range and mean from then on.

use std::sync::atomic::{AtomicU64, Ordering};

use atomic_float::AtomicF64;

#[derive(Debug)]
pub struct LockRecord {
    /// Seconds from the engine's first output callback to its first lock; NaN before.
    lock_s: AtomicF64,
    /// The same to the correction's settling.
    settled_s: AtomicF64,
    /// Underruns, overruns and resyncs counted before the lock.
    counts_at_lock: [AtomicU64; 3],
    /// The fill's target at the lock, seconds (a margin raised later glides the fill up).
    target_at_lock_s: AtomicF64,
    correction_min_ppm: AtomicF64,
    correction_max_ppm: AtomicF64,
    correction_sum_ppm: AtomicF64,
    updates: AtomicU64,
    fill_min_s: AtomicF64,
    fill_max_s: AtomicF64,
    /// The latest callbacks after lock, seconds after their points on the lines.
    input_lateness_max_s: AtomicF64,
    output_lateness_max_s: AtomicF64,
}

/// A `LockRecord` read at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AfterLock {
    pub lock_s: f64,
    /// NaN until settled; the correction's figures are from then on (NaN before).
    pub settled_s: f64,
    pub counts_at_lock: [u64; 3],
    pub target_at_lock_s: f64,
    pub correction_min_ppm: f64,
    pub correction_max_ppm: f64,
    pub correction_mean_ppm: f64,
    pub fill_min_s: f64,
    pub fill_max_s: f64,
    pub input_lateness_max_s: f64,
    pub output_lateness_max_s: f64,
}

impl Default for LockRecord {
    fn default() -> LockRecord {
        LockRecord {
            lock_s: AtomicF64::new(f64::NAN),
            settled_s: AtomicF64::new(f64::NAN),
            counts_at_lock: Default::default(),
            target_at_lock_s: AtomicF64::new(f64::NAN),
            correction_min_ppm: AtomicF64::new(f64::INFINITY),
            correction_max_ppm: AtomicF64::new(f64::NEG_INFINITY),
            correction_sum_ppm: AtomicF64::new(0.0),
            updates: AtomicU64::new(0),
            fill_min_s: AtomicF64::new(f64::INFINITY),
            fill_max_s: AtomicF64::new(f64::NEG_INFINITY),
            input_lateness_max_s: AtomicF64::new(0.0),
            output_lateness_max_s: AtomicF64::new(0.0),
        }
    }
}

impl LockRecord {
    /// The loop holds, `since_start_s` after the engine started, with `counts` (underruns,
    /// overruns, resyncs) so far and the fill's target `target_s`. Only the first lock is
    /// kept.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn lock(&self, since_start_s: f64, counts: [u64; 3], target_s: f64) {
        if self.is_locked() {
            return;
        }
        for (at, n) in self.counts_at_lock.iter().zip(counts) {
            at.store(n, Ordering::Relaxed);
        }
        self.target_at_lock_s.store(target_s, Ordering::Relaxed);
        self.lock_s.store(since_start_s, Ordering::Release);
    }

    pub fn is_locked(&self) -> bool {
        !self.lock_s.load(Ordering::Acquire).is_nan()
    }

    /// The correction settled, `since_start_s` after the engine started (the first time
    /// only).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn settle(&self, since_start_s: f64) {
        if self.is_settled() {
            return;
        }
        self.settled_s.store(since_start_s, Ordering::Release);
    }

    pub fn is_settled(&self) -> bool {
        !self.settled_s.load(Ordering::Acquire).is_nan()
    }

    /// One update of the loop: the fill kept once locked, the correction once settled.
    ///
    /// Runs on the audio thread: must not allocate or block (one thread writes; the readers
    /// only read).
    pub fn record(&self, correction_ppm: f64, fill_s: f64) {
        let r = Ordering::Relaxed;
        let keep =
            |a: &AtomicF64, v: f64, better: fn(f64, f64) -> f64| a.store(better(a.load(r), v), r);
        if self.is_locked() {
            keep(&self.fill_min_s, fill_s, f64::min);
            keep(&self.fill_max_s, fill_s, f64::max);
        }
        if self.is_settled() {
            keep(&self.correction_min_ppm, correction_ppm, f64::min);
            keep(&self.correction_max_ppm, correction_ppm, f64::max);
            self.correction_sum_ppm
                .store(self.correction_sum_ppm.load(r) + correction_ppm, r);
            self.updates.fetch_add(1, r);
        }
    }

    /// A callback came `lateness_s` after its point on its device's line: kept once locked.
    /// Each side calls it from its own callback (one writer per value).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn late(&self, input: bool, lateness_s: f64) {
        if !self.is_locked() {
            return;
        }
        let max = match input {
            true => &self.input_lateness_max_s,
            false => &self.output_lateness_max_s,
        };
        let r = Ordering::Relaxed;
        max.store(max.load(r).max(lateness_s), r);
    }

    /// The record so far, if the loop has locked.
    pub fn read(&self) -> Option<AfterLock> {
        let r = Ordering::Relaxed;
        if !self.is_locked() {
            return None;
        }
        let updates = self.updates.load(r) as f64;
        Some(AfterLock {
            lock_s: self.lock_s.load(r),
            settled_s: self.settled_s.load(r),
            counts_at_lock: self.counts_at_lock.each_ref().map(|a| a.load(r)),
            target_at_lock_s: self.target_at_lock_s.load(r),
            correction_min_ppm: self.correction_min_ppm.load(r),
            correction_max_ppm: self.correction_max_ppm.load(r),
            // NaN before the first settled update (0 / 0).
            correction_mean_ppm: self.correction_sum_ppm.load(r) / updates,
            fill_min_s: self.fill_min_s.load(r),
            fill_max_s: self.fill_max_s.load(r),
            input_lateness_max_s: self.input_lateness_max_s.load(r),
            output_lateness_max_s: self.output_lateness_max_s.load(r),
        })
    }
}
