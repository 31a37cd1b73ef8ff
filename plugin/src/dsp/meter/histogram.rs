//! The loudness distribution behind integrated loudness and loudness range: every gating block
//! (or short-term value) since the last reset, kept in 0.01 LU bins with their exact energies,
//! so memory is fixed however long the programme runs.
//!
//! The bins are Fenwick trees (binary indexed trees) of counts and energies: adding a value,
//! summing everything above a level and finding the k-th value each take O(log bins) — a fixed
//! handful of steps on the audio thread, however many values have been added.

/// Lowest loudness kept: BS.1770's absolute gate. Values at or below it are not added.
pub const ABSOLUTE_GATE_LUFS: f64 = -70.0;
/// Bin width.
pub const BIN_LU: f64 = 0.01;
/// Bins from the gate up to +11.92 LUFS; anything louder lands in the top bin (its energy is
/// still exact).
const BINS: usize = 8192;

/// Loudness of a mean-square energy (BS.1770: −0.691 + 10·log10).
pub fn loudness_of(energy: f64) -> f64 {
    -0.691 + 10.0 * energy.log10()
}

/// Energy of a loudness (inverse of `loudness_of`).
pub fn energy_of(lufs: f64) -> f64 {
    10f64.powf((lufs + 0.691) / 10.0)
}

#[derive(Debug, Clone)]
pub struct Histogram {
    /// Fenwick trees, 1-based: `counts[i]` and `energies[i]` cover bins `i − lowbit(i) + 1 ..= i`.
    counts: Vec<u64>,
    energies: Vec<f64>,
    total_count: u64,
    total_energy: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::new()
    }
}

impl Histogram {
    /// Allocates: create it outside the audio thread.
    pub fn new() -> Histogram {
        Histogram {
            counts: vec![0; BINS + 1],
            energies: vec![0.0; BINS + 1],
            total_count: 0,
            total_energy: 0.0,
        }
    }

    /// Forget every value.
    pub fn clear(&mut self) {
        self.counts.fill(0);
        self.energies.fill(0.0);
        self.total_count = 0;
        self.total_energy = 0.0;
    }

    pub fn len(&self) -> u64 {
        self.total_count
    }

    pub fn is_empty(&self) -> bool {
        self.total_count == 0
    }

    /// 0-based bin of a loudness above the gate.
    fn bin(lufs: f64) -> usize {
        (((lufs - ABSOLUTE_GATE_LUFS) / BIN_LU) as usize).min(BINS - 1)
    }

    /// Centre loudness of a 0-based bin.
    fn centre(bin: usize) -> f64 {
        ABSOLUTE_GATE_LUFS + (bin as f64 + 0.5) * BIN_LU
    }

    /// Add a value of `energy` (its loudness decides the bin). Values at or below the absolute
    /// gate are ignored.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn add(&mut self, energy: f64) {
        let lufs = loudness_of(energy);
        // Zero energy gives −∞ (skipped); NaN energy is skipped too.
        if lufs.is_nan() || lufs <= ABSOLUTE_GATE_LUFS {
            return;
        }
        let mut i = Self::bin(lufs) + 1;
        while i <= BINS {
            self.counts[i] += 1;
            self.energies[i] += energy;
            i += i & i.wrapping_neg();
        }
        self.total_count += 1;
        self.total_energy += energy;
    }

    /// Count and energy of the values in bins `0..bins`.
    fn below(&self, bins: usize) -> (u64, f64) {
        let (mut count, mut energy) = (0, 0.0);
        let mut i = bins;
        while i > 0 {
            count += self.counts[i];
            energy += self.energies[i];
            i &= i - 1;
        }
        (count, energy)
    }

    /// Count and energy of the values louder than `gate_lufs` (to the bin: a bin counts when
    /// its centre is above the gate).
    fn above(&self, gate_lufs: f64) -> (u64, f64) {
        let first = if gate_lufs <= ABSOLUTE_GATE_LUFS {
            0
        } else {
            let b = Self::bin(gate_lufs);
            if Self::centre(b) > gate_lufs {
                b
            } else {
                b + 1
            }
        };
        let (count, energy) = self.below(first);
        (self.total_count - count, self.total_energy - energy)
    }

    /// 0-based bin holding the `k`-th smallest value (0-based; `k < len()`): a descent through
    /// the tree.
    fn kth_bin(&self, k: u64) -> usize {
        let (mut pos, mut left) = (0usize, k);
        let mut step = BINS;
        while step > 0 {
            let next = pos + step;
            if next <= BINS && self.counts[next] <= left {
                left -= self.counts[next];
                pos = next;
            }
            step /= 2;
        }
        pos
    }

    /// Integrated loudness (BS.1770-4 gating): the mean energy of the values above the
    /// absolute gate sets a relative gate `relative_lu` below it; the result is the loudness of
    /// the mean energy above both gates. `None` before any value passed the gates.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn gated_loudness(&self, relative_lu: f64) -> Option<f64> {
        let gate = self.relative_gate(relative_lu)?;
        let (count, energy) = self.above(gate);
        (count > 0).then(|| loudness_of(energy / count as f64))
    }

    /// The relative gate: `relative_lu` below the loudness of the mean energy of everything.
    fn relative_gate(&self, relative_lu: f64) -> Option<f64> {
        (self.total_count > 0)
            .then(|| loudness_of(self.total_energy / self.total_count as f64) - relative_lu)
    }

    /// Loudness range (EBU Tech 3342): the spread between the 10th and 95th percentiles of the
    /// values above a relative gate 20 LU below their mean energy. `None` without values.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn loudness_range(&self) -> Option<f64> {
        let gate = self.relative_gate(20.0)?;
        let (count, _) = self.above(gate);
        if count == 0 {
            return None;
        }
        let skipped = self.total_count - count;
        // Nearest-rank percentiles of the gated values, as Tech 3342's reference code takes them.
        let percentile = |p: f64| {
            let rank = ((count - 1) as f64 * p).round() as u64;
            Self::centre(self.kth_bin(skipped + rank))
        };
        Some(percentile(0.95) - percentile(0.10))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Straight from the definitions, over a list.
    fn reference_gated(values: &[f64], relative_lu: f64) -> Option<f64> {
        let kept: Vec<f64> = values
            .iter()
            .copied()
            .filter(|e| loudness_of(*e) > ABSOLUTE_GATE_LUFS)
            .collect();
        if kept.is_empty() {
            return None;
        }
        let gate = loudness_of(kept.iter().sum::<f64>() / kept.len() as f64) - relative_lu;
        let gated: Vec<f64> = kept
            .into_iter()
            .filter(|e| loudness_of(*e) > gate)
            .collect();
        Some(loudness_of(gated.iter().sum::<f64>() / gated.len() as f64))
    }

    fn reference_range(values: &[f64]) -> f64 {
        let kept: Vec<f64> = values
            .iter()
            .copied()
            .filter(|e| loudness_of(*e) > ABSOLUTE_GATE_LUFS)
            .collect();
        let gate = loudness_of(kept.iter().sum::<f64>() / kept.len() as f64) - 20.0;
        let mut gated: Vec<f64> = kept
            .into_iter()
            .map(loudness_of)
            .filter(|l| *l > gate)
            .collect();
        gated.sort_by(f64::total_cmp);
        let at = |p: f64| gated[((gated.len() - 1) as f64 * p).round() as usize];
        at(0.95) - at(0.10)
    }

    #[test]
    fn matches_the_definitions_on_random_programmes() {
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..20 {
            let mut h = Histogram::new();
            let n = rng.usize(1..3000);
            // Loudness spread over −90…+5 LUFS, some clusters.
            let values: Vec<f64> = (0..n)
                .map(|_| energy_of(-90.0 + 95.0 * rng.f64().powf(0.3)))
                .collect();
            for e in &values {
                h.add(*e);
            }
            match (h.gated_loudness(10.0), reference_gated(&values, 10.0)) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 0.01, "integrated {a} vs {b}"),
                (a, b) => assert_eq!(a.is_some(), b.is_some()),
            }
            if !h.is_empty() {
                // Each percentile is a bin centre (within half a bin), and a value within a bin
                // of the gate may fall either side of it.
                let (a, b) = (h.loudness_range().unwrap(), reference_range(&values));
                assert!((a - b).abs() <= 0.02, "range {a} vs {b}");
            }
        }
    }

    #[test]
    fn nothing_at_or_below_the_absolute_gate_counts() {
        let mut h = Histogram::new();
        h.add(energy_of(-70.0));
        h.add(energy_of(-80.0));
        h.add(0.0);
        assert!(h.is_empty());
        assert_eq!(h.gated_loudness(10.0), None);
        h.add(energy_of(-23.0));
        assert!((h.gated_loudness(10.0).unwrap() + 23.0).abs() < 1e-9);
        h.clear();
        assert!(h.is_empty());
    }
}
