//! The inner loop: for each output frame, the coefficients of its fractional position (one
//! multiply-add per tap between two tabulated phases), applied to one or two channels'
//! histories at once so that a pair of channels shares that work and the table reads. An
//! AVX2+FMA version, chosen at run time, and a portable one the compiler vectorises for
//! whatever it targets.
//!
//! Each version computes every channel with the same sequence of operations, so channels with
//! the same input come out bit-identical (a mono source on L and R stays mono).

pub(super) use strata::dsp::blocks::simd::Isa;

use super::polyphase::{LANES, PHASE_BITS, PhaseTable};

/// Fractional bits of a position (input frames, fixed point).
pub(super) const FRAC_BITS: u32 = 32;

/// Where a chunk's output frames sit in the history (first taps, input frames, `FRAC_BITS`
/// fixed point): the step ramps linearly from `from` to `to` over the chunk, frame j moving on
/// by `from + (to − from)·(j + 1)/n`, so that the last step is `to`.
///
/// Computed 64 bits finer (u128, wrapping), so that a running sum (two additions per frame,
/// which the inner loop can afford where a division or a float conversion per frame costs it
/// 15 %) and the closed form give the same positions exactly: the closed form places the last
/// frame and the next chunk's first, so the advance `next − start` is exactly how far the
/// frames moved. What lies below the coarse position's 2⁻³² is dropped between chunks.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ramp {
    /// The first frame's position, 64 bits finer.
    start: u128,
    /// The first step, and what each next step adds (two's complement when the ramp falls).
    first_step: u128,
    bend: u128,
    frames: usize,
    /// The last frame's position.
    pub last: u64,
    /// Where the next chunk starts.
    pub next: u64,
}

impl Ramp {
    /// `frames` ≥ 1 frames from `start`.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn new(start: u64, from: u64, to: u64, frames: usize) -> Ramp {
        let frames = frames.max(1);
        let bend = (((to as i128 - from as i128) << 64) / frames as i128) as u128;
        let mut ramp = Ramp {
            start: (start as u128) << 64,
            first_step: ((from as u128) << 64).wrapping_add(bend),
            bend,
            frames,
            last: 0,
            next: 0,
        };
        (ramp.last, ramp.next) = (ramp.at(frames - 1), ramp.at(frames));
        ramp
    }

    /// Frame `k`'s position: `start + k·first_step + k(k − 1)/2·bend`.
    fn at(&self, k: usize) -> u64 {
        let k = k as u128;
        let fine = self
            .start
            .wrapping_add(k.wrapping_mul(self.first_step))
            .wrapping_add((k * k.saturating_sub(1) / 2).wrapping_mul(self.bend));
        (fine >> 64) as u64
    }

    /// The frames' positions, in order: the same as `at`, summed.
    #[inline(always)]
    pub fn positions(self) -> impl Iterator<Item = u64> {
        let (mut position, mut step) = (self.start, self.first_step);
        (0..self.frames).map(move |_| {
            let here = (position >> 64) as u64;
            position = position.wrapping_add(step);
            step = step.wrapping_add(self.bend);
            here
        })
    }
}

/// An output frame's first tap in the history, from its `position` (input frames, `FRAC_BITS`
/// fixed point); its phase row; the fraction δ ∈ [0, 1) of the way to the next row.
#[inline(always)]
fn locate(position: u64) -> (usize, usize, f32) {
    let frac = position as u32;
    let phase = (frac >> (32 - PHASE_BITS)) as usize;
    // The bits below the phase, exact in an f32 (fewer than 24 of them).
    let delta = (frac << PHASE_BITS) as f32 * (1.0 / 4_294_967_296.0);
    ((position >> FRAC_BITS) as usize, phase, delta)
}

/// Render the frames of `ramp` (each output as long) for `CH` channels, 1 or 2, from
/// `history[c]`, which must hold the taps of the last of them.
///
/// Runs on the audio thread: must not allocate or block.
#[inline]
pub(super) fn render<const CH: usize>(
    isa: Isa,
    table: &PhaseTable,
    history: [&[f32]; CH],
    out: [&mut [f32]; CH],
    ramp: Ramp,
) {
    let frames = ramp.frames;
    // Positions only increase: the last frame's taps reach furthest. Checked once here so
    // that the loops need not.
    let end = locate(ramp.last).0 + table.design.taps;
    for c in 0..CH {
        assert!(end <= history[c].len() && out[c].len() == frames);
    }
    // A whole row unrolled saves ~7 % at 44.1 → 48 kHz over the loop, so the usual lengths
    // get their own copy (64, 96, 112, 128 taps: 48 ↔ 48, 44.1 → 48, 44.1 ↔ 44.1 or 96 → 48,
    // 48 → 44.1 kHz).
    #[cfg(target_arch = "x86_64")]
    if isa.avx2_fma() {
        // SAFETY: `isa` came from `Isa::detect`, which found AVX2 and FMA; the lengths are
        // checked above.
        unsafe {
            match table.blocks_per_phase {
                8 => render_avx2::<CH, 8>(table, history, out, ramp),
                12 => render_avx2::<CH, 12>(table, history, out, ramp),
                14 => render_avx2::<CH, 14>(table, history, out, ramp),
                16 => render_avx2::<CH, 16>(table, history, out, ramp),
                _ => render_avx2::<CH, 0>(table, history, out, ramp),
            }
        }
        return;
    }
    render_portable::<CH>(table, history, out, ramp);
}

/// Plain Rust over `LANES`-wide arrays, which the compiler turns into the target's vectors.
/// Two partial sums per channel, as in the AVX2 version, to shorten the dependency chains.
fn render_portable<const CH: usize>(
    table: &PhaseTable,
    history: [&[f32]; CH],
    out: [&mut [f32]; CH],
    ramp: Ramp,
) {
    for (k, position) in ramp.positions().enumerate() {
        let (first, phase, delta) = locate(position);
        let mut acc = [[[0.0f32; LANES]; 2]; CH];
        for (pair, two) in table.phase(phase).chunks_exact(2).enumerate() {
            for (half, block) in two.iter().enumerate() {
                let at = first + (2 * pair + half) * LANES;
                let coef: [f32; LANES] =
                    std::array::from_fn(|l| block.row[l] + delta * block.diff[l]);
                for c in 0..CH {
                    let x = &history[c][at..at + LANES];
                    for l in 0..LANES {
                        acc[c][half][l] += coef[l] * x[l];
                    }
                }
            }
        }
        for c in 0..CH {
            let s: [f32; LANES] = std::array::from_fn(|l| acc[c][0][l] + acc[c][1][l]);
            let q = [s[0] + s[4], s[1] + s[5], s[2] + s[6], s[3] + s[7]];
            out[c][k] = (q[0] + q[2]) + (q[1] + q[3]);
        }
    }
}

/// The same with AVX2 registers and FMA: per block, one FMA for the coefficients and one per
/// channel for the taps; two partial sums per channel (even and odd blocks). `NB` is the
/// blocks per phase when known at compile time (the loop then unrolls), 0 otherwise.
///
/// # Safety
/// The CPU must support AVX2 and FMA; each history must hold the last frame's taps and each
/// output be as long as the first (as `render` checks).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::needless_range_loop)] // The block index addresses the table and the histories.
unsafe fn render_avx2<const CH: usize, const NB: usize>(
    table: &PhaseTable,
    history: [&[f32]; CH],
    out: [&mut [f32]; CH],
    ramp: Ramp,
) {
    use std::arch::x86_64::*;

    let blocks_per_phase = if NB == 0 { table.blocks_per_phase } else { NB };
    let x: [*const f32; CH] = history.map(|h| h.as_ptr());
    let y: [*mut f32; CH] = out.map(|o| o.as_mut_ptr());
    for (k, position) in ramp.positions().enumerate() {
        let (first, phase, delta) = locate(position);
        // This frame's phase row and first taps.
        // SAFETY: phase < PHASES, the rows in the table; first + taps is within every history
        // (the caller's contract).
        let (row, taps) = unsafe {
            (
                table.blocks.as_ptr().add(phase * blocks_per_phase),
                x.map(|x| x.add(first)),
            )
        };
        let delta = _mm256_set1_ps(delta);
        let mut acc = [[_mm256_setzero_ps(); 2]; CH];
        for pair in 0..blocks_per_phase / 2 {
            for half in 0..2 {
                let b = 2 * pair + half;
                // SAFETY: block b < blocks_per_phase of a 64-byte aligned row; taps b·LANES ..
                // (b + 1)·LANES ≤ taps.
                unsafe {
                    let block = &*row.add(b);
                    let coef = _mm256_fmadd_ps(
                        delta,
                        _mm256_load_ps(block.diff.as_ptr()),
                        _mm256_load_ps(block.row.as_ptr()),
                    );
                    for c in 0..CH {
                        let xs = _mm256_loadu_ps(taps[c].add(b * LANES));
                        acc[c][half] = _mm256_fmadd_ps(coef, xs, acc[c][half]);
                    }
                }
            }
        }
        // Both channels' sums at once (a single one is paired with itself, in the same order).
        let a = _mm256_add_ps(acc[0][0], acc[0][1]);
        let b = _mm256_add_ps(acc[CH - 1][0], acc[CH - 1][1]);
        let h = _mm256_hadd_ps(a, b);
        let q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps::<1>(h));
        let sums = _mm_hadd_ps(q, q);
        // SAFETY: k < ramp.frames, the length of every output.
        unsafe {
            *y[0].add(k) = _mm_cvtss_f32(sums);
            *y[CH - 1].add(k) = _mm_cvtss_f32(_mm_movehdup_ps(sums));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The running sum the inner loop uses and the closed form that places a chunk's last frame
    /// and the next chunk agree exactly, rising or falling, and the ramp ends on `to`.
    #[test]
    fn the_ramp_sums_to_its_closed_form() {
        let mut rng = fastrand::Rng::with_seed(9);
        for _ in 0..2000 {
            let start = rng.u64(0..1 << 40);
            let from = rng.u64(1 << 31..1 << 34);
            let to = (from as f64 * (1.0 + (rng.f64() - 0.5) * 0.04)) as u64;
            let frames = rng.usize(1..=8192);
            let ramp = Ramp::new(start, from, to, frames);
            let mut previous = None;
            for (k, position) in ramp.positions().enumerate() {
                assert_eq!(position, ramp.at(k));
                previous = Some(position);
            }
            assert_eq!(previous, Some(ramp.last));
            let last_step = ramp.next - ramp.last;
            assert!(last_step.abs_diff(to) <= 1, "{last_step} ≠ {to}");
        }
    }
}
