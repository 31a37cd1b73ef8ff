//! SIMD across sections: the cascade as a skewed pipeline.
//!
//! A cascade is serial (section k needs section k−1's output), so SIMD across channels alone
//! leaves most of a vector idle. Here lanes `2k, 2k+1` hold section `k` (left, right), and at
//! step `t` section `k` works on sample `t − K·k` (`K`, the skew): every section's input is
//! already there, in what the previous section output `K` steps ago. One step is a handful of
//! vector multiply-adds for all sections at once, plus one lane shift.
//!
//! A mono signal (`C` = 1 channel in the pipeline) gives lane `k` to section `k`: the same
//! sections fill half the vectors, so a step costs about half the stereo one. Mono frames carry
//! the channel on both sides; the pipeline reads the left and writes both.
//!
//! Why a skew of more than one: a step's only short dependency is then each section's own
//! feedback (`y[t−1]` into one multiply-add); the lane shift and the input's multiply-adds
//! work on values `K` steps old, so they overlap with the steps in between. With a skew of one
//! they are in series with the feedback. The AVX-512 kernel skews by 3 (eq bench, 8 bells,
//! best of six interleaved runs: 665 → 593 µs per second of audio; skew 2 and 4 measured
//! slower than 3); AVX2's sixteen registers cannot also hold `K` steps of outputs (skew 3
//! there: 807 → 1015 µs), so it keeps a skew of one.
//!
//! To add no latency, each block is run to completion: the first and last `K·(S − 1)` steps
//! (`S` sections) are masked so that sections only touch samples of this block.

use std::ops::Range;

use super::placement::butterfly;
use crate::dsp::blocks::section::Section;
use crate::dsp::blocks::simd::{Isa, MulAdd, Plain};

/// Portable kernel: `L / C ≥ sections.len()` lanes in plain arrays (the compiler vectorises
/// what it can). The reference the SIMD kernels are tested against. With `G`, sections may
/// glide: each lane's coefficients are recomputed every step it works, `goal − left · step`.
/// `K`: the skew; `C`: channels (lanes per section).
#[inline(always)]
fn run<const L: usize, M: MulAdd, const G: bool, const K: usize, const C: usize>(
    sections: &mut [Option<&mut Section>],
    frames: &mut [[f64; 2]],
    ends: Ends,
) {
    let mut g = Gathered::new::<C>(sections);
    let glides = G.then(|| Glides::new::<C>(sections));
    let lanes = |a: &[f64; 2 * MAX_PIPELINE]| -> [f64; L] { std::array::from_fn(|i| a[i]) };
    let [mut b0, mut b1, mut b2, mut na1, mut na2] = g.coefs.each_ref().map(lanes);
    let (goal, step, mut left) = match &glides {
        Some(gl) => (
            gl.goal.each_ref().map(lanes),
            gl.step.each_ref().map(lanes),
            lanes(&gl.left),
        ),
        None => ([[0.0; L]; 5], [[0.0; L]; 5], [0.0; L]),
    };
    let (mut x1, mut x2, mut y1, mut y2) = (lanes(&g.x1), lanes(&g.x2), lanes(&g.y1), lanes(&g.y2));
    // Every lane's output at the last `K` steps, newest first (whether the lane worked or
    // not: a working section only reads what a working one wrote).
    let mut outs = [[0.0; L]; K];
    let span = K * (L / C - 1);
    let n = frames.len();
    let (fill, steady, drain) = phases(n, span);
    for t in fill.chain(steady).chain(drain) {
        if G {
            for (i, l) in left.iter_mut().enumerate() {
                if Gathered::valid::<K>(t, i / C, n) && *l > 0.0 {
                    *l -= 1.0;
                }
            }
            let at = |k: usize| -> [f64; L] {
                std::array::from_fn(|i| M::madd(-left[i], step[k][i], goal[k][i]))
            };
            [b0, b1, b2, na1, na2] = [at(0), at(1), at(2), at(3), at(4)];
        }
        let input = frames
            .get(t)
            .map_or([0.0; 2], |f| ends.input.map_or(*f, |k| butterfly(*f, k)));
        // Section k's input is what section k−1 output `K` steps ago.
        let mut x = [0.0; L];
        x[..C].copy_from_slice(&input[..C]);
        x[C..].copy_from_slice(&outs[K - 1][..L - C]);
        let mut y = [0.0; L];
        for i in 0..L {
            // The newest terms last: with skew 1 the shifted input and the feedback, else the
            // feedback alone (module doc).
            y[i] = if K == 1 {
                let older = M::madd(b2[i], x2[i], M::madd(b1[i], x1[i], na2[i] * y2[i]));
                M::madd(b0[i], x[i], M::madd(na1[i], y1[i], older))
            } else {
                let inputs = M::madd(b0[i], x[i], M::madd(b2[i], x2[i], b1[i] * x1[i]));
                M::madd(na1[i], y1[i], M::madd(na2[i], y2[i], inputs))
            };
        }
        outs.rotate_right(1);
        outs[0] = y;
        for i in 0..L {
            // While the pipeline fills or drains, section k only works on sample t − k if that
            // sample is in this block.
            if Gathered::valid::<K>(t, i / C, n) {
                (x2[i], x1[i], y2[i], y1[i]) = (x1[i], x[i], y1[i], y[i]);
            }
        }
        if t >= span {
            let out = [y[L - C], y[L - 1]];
            frames[t - span] = ends.output.map_or(out, |k| butterfly(out, k));
        }
    }
    g.x1[..L].copy_from_slice(&x1);
    g.x2[..L].copy_from_slice(&x2);
    g.y1[..L].copy_from_slice(&y1);
    g.y2[..L].copy_from_slice(&y2);
    g.scatter::<C>(sections, n);
}

/// The pipelines instantiated: up to 16 sections at once, longer cascades in chunks.
/// Inlined into each ISA's wrapper below, so every copy is compiled for that ISA.
#[inline(always)]
fn run_any<M: MulAdd, const G: bool, const K: usize, const C: usize>(
    sections: &mut [Option<&mut Section>],
    frames: &mut [[f64; 2]],
    ends: Ends,
) {
    let count = sections.len().div_ceil(MAX_PIPELINE);
    for (i, chunk) in sections.chunks_mut(MAX_PIPELINE).enumerate() {
        let ends = ends.of_chunk(i, count);
        match (C * chunk.len()).div_ceil(8) {
            1 => run::<8, M, G, K, C>(chunk, frames, ends),
            2 => run::<16, M, G, K, C>(chunk, frames, ends),
            3 => run::<24, M, G, K, C>(chunk, frames, ends),
            _ => run::<32, M, G, K, C>(chunk, frames, ends),
        }
    }
}

/// Conversions between domains (`placement.rs`) folded into a pipeline's ends: the input pair
/// is converted as it enters, the output pair as it leaves, off the recursion's critical path
/// (a pass of its own over the block cost a placed band 15 % of a one-band EQ). Each is one
/// butterfly, `[a + b, a − b] · scale`: 0.5 into mid/side, 1 back to left/right.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Ends {
    pub input: Option<f64>,
    pub output: Option<f64>,
}

impl Ends {
    /// The ends of chunk `i` of `count` that a long cascade is run in: the input conversion
    /// belongs to the first, the output one to the last.
    fn of_chunk(self, i: usize, count: usize) -> Ends {
        Ends {
            input: self.input.filter(|_| i == 0),
            output: self.output.filter(|_| i + 1 == count),
        }
    }
}

/// `butterfly` on a vector pair, with the same operations (so the same rounding).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn butterfly_pd(x: std::arch::x86_64::__m128d, scale: f64) -> std::arch::x86_64::__m128d {
    use std::arch::x86_64::*;
    // SAFETY: SSE2 is part of x86-64; these touch registers only.
    unsafe {
        let swapped = _mm_shuffle_pd::<1>(x, x);
        let sum_diff = _mm_unpacklo_pd(_mm_add_pd(x, swapped), _mm_sub_pd(x, swapped));
        _mm_mul_pd(_mm_set1_pd(scale), sum_diff)
    }
}

/// Every section's coefficients and history laid out lane-wise (`2k + channel`), padded with
/// wires up to the widest pipeline (a section's channel that it leaves alone is a wire too). Coefficients in the order b0, b1, b2, −a1, −a2.
struct Gathered {
    coefs: [[f64; 2 * MAX_PIPELINE]; 5],
    x1: [f64; 2 * MAX_PIPELINE],
    x2: [f64; 2 * MAX_PIPELINE],
    y1: [f64; 2 * MAX_PIPELINE],
    y2: [f64; 2 * MAX_PIPELINE],
}

/// The sections' glides, lane-wise, for the gliding kernels only: where each lane's glide
/// heads, its step per sample and the samples it has left (0, and the coefficients themselves,
/// for a lane that does not glide).
struct Glides {
    goal: [[f64; 2 * MAX_PIPELINE]; 5],
    step: [[f64; 2 * MAX_PIPELINE]; 5],
    left: [f64; 2 * MAX_PIPELINE],
}

/// The lane order of a section's coefficients.
fn lane_coefs([b0, b1, b2, a1, a2]: [f64; 5]) -> [f64; 5] {
    [b0, b1, b2, -a1, -a2]
}

const WIRE: [f64; 5] = [1.0, 0.0, 0.0, 0.0, 0.0];

impl Glides {
    fn new<const C: usize>(sections: &[Option<&mut Section>]) -> Glides {
        let mut g = Glides {
            goal: WIRE.map(|c| [c; 2 * MAX_PIPELINE]),
            step: [[0.0; 2 * MAX_PIPELINE]; 5],
            left: [0.0; 2 * MAX_PIPELINE],
        };
        for (k, s) in sections.iter().flatten().enumerate() {
            let (goal, step, left) = s.ramp();
            let (goal, step) = (lane_coefs(goal), lane_coefs(step));
            for (ch, on) in s.lanes().into_iter().take(C).enumerate() {
                // A wire lane stays the wire the defaults hold.
                if on {
                    let i = C * k + ch;
                    for c in 0..5 {
                        (g.goal[c][i], g.step[c][i]) = (goal[c], step[c]);
                    }
                    g.left[i] = left as f64;
                }
            }
        }
        g
    }
}

/// The AVX-512 kernel's skew (see the module's doc).
const AVX512_SKEW: usize = 3;

/// The portable kernel's skew: without knowing the vector width, the shortest pipeline.
const PORTABLE_SKEW: usize = 1;

/// The steps of a block of `n` samples through a pipeline whose last section works `span`
/// steps after the first: filling (no output yet, some sections idle), steady (all busy),
/// draining (some idle). Section k works on sample t − K·k at step t (`K`, the skew); the
/// last section's output at step t is sample t − span.
fn phases(n: usize, span: usize) -> (Range<usize>, Range<usize>, Range<usize>) {
    if n == 0 {
        return (0..0, 0..0, 0..0);
    }
    let total = n + span;
    let steady_start = span;
    let drain_start = n.max(steady_start);
    (
        0..steady_start,
        steady_start..drain_start,
        drain_start..total,
    )
}

/// Sections handled by one pipeline pass; longer cascades run in chunks.
const MAX_PIPELINE: usize = 16;

impl Gathered {
    /// With `C` = 1 (mono) a section's left channel alone: its right one is the same signal.
    fn new<const C: usize>(sections: &[Option<&mut Section>]) -> Gathered {
        let mut g = Gathered {
            coefs: WIRE.map(|c| [c; 2 * MAX_PIPELINE]),
            x1: [0.0; 2 * MAX_PIPELINE],
            x2: [0.0; 2 * MAX_PIPELINE],
            y1: [0.0; 2 * MAX_PIPELINE],
            y2: [0.0; 2 * MAX_PIPELINE],
        };
        for (k, s) in sections.iter().flatten().enumerate() {
            let coefs = lane_coefs(s.coefs());
            for (ch, history) in s.history().into_iter().take(C).enumerate() {
                let i = C * k + ch;
                if s.lanes()[ch] {
                    for (c, v) in coefs.into_iter().enumerate() {
                        g.coefs[c][i] = v;
                    }
                }
                [g.x1[i], g.x2[i], g.y1[i], g.y2[i]] = history;
            }
        }
        g
    }

    /// Histories back into the sections, whose glides moved on by the block's `frames`. A
    /// mono pipeline's one channel goes to both, so a section run sample by sample next (a
    /// band fading) goes on from the same state on either side.
    fn scatter<const C: usize>(&self, sections: &mut [Option<&mut Section>], frames: usize) {
        for (k, s) in sections.iter_mut().flatten().enumerate() {
            s.set_history([0, 1].map(|ch| {
                let i = C * k + ch.min(C - 1);
                [self.x1[i], self.x2[i], self.y1[i], self.y2[i]]
            }));
            s.advance_ramp(frames as u32);
        }
    }

    /// Whether section `k` works at step `t` of a block of `n` samples, in a pipeline of
    /// skew `K`.
    #[inline(always)]
    fn valid<const K: usize>(t: usize, k: usize, n: usize) -> bool {
        t >= K * k && t - K * k < n
    }
}

/// Drive a kernel's `step!` through the fill, steady and drain phases of a block, loading
/// frames in and storing the last section's output back (in place: an output index is always
/// behind every input still to be read).
#[cfg(target_arch = "x86_64")]
macro_rules! drive {
    ($frames:ident, $n:ident, $span:ident, $ends:ident, $step:ident) => {{
        let (fill, steady, drain) = phases($n, $span);
        let enter = |x| $ends.input.map_or(x, |k| butterfly_pd(x, k));
        let leave = |y| $ends.output.map_or(y, |k| butterfly_pd(y, k));
        for t in fill {
            $step!(enter(load_pair($frames, t)), Some(t));
        }
        // Every section busy: nothing to check.
        for t in steady {
            // SAFETY: `frames[t]` is two f64s (indexing checks `t`).
            let x = enter(unsafe { _mm_loadu_pd($frames[t].as_ptr()) });
            let out = leave($step!(x, None::<usize>));
            // SAFETY: as above, for the output frame.
            unsafe { _mm_storeu_pd($frames[t - $span].as_mut_ptr(), out) };
        }
        for t in drain {
            let out = leave($step!(enter(load_pair($frames, t)), Some(t)));
            // SAFETY: `frames[t − span]` is two f64s (indexing checks it).
            unsafe { _mm_storeu_pd($frames[t - $span].as_mut_ptr(), out) };
        }
    }};
}

/// Frame `t` as a vector, or silence past the end of the block.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn load_pair(frames: &[[f64; 2]], t: usize) -> std::arch::x86_64::__m128d {
    use std::arch::x86_64::*;
    match frames.get(t) {
        // SAFETY: SSE2 is part of x86-64; the pointer is to two f64s.
        Some(f) => unsafe { _mm_loadu_pd(f.as_ptr()) },
        None => unsafe { _mm_setzero_pd() },
    }
}

/// AVX2: four lanes per vector (two stereo sections or four mono ones), `V` vectors.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2<const V: usize, const G: bool, const C: usize>(
    sections: &mut [Option<&mut Section>],
    frames: &mut [[f64; 2]],
    ends: Ends,
) {
    use std::arch::x86_64::*;
    const { assert!(4 * V <= 2 * MAX_PIPELINE && (C == 1 || C == 2)) };
    let mut g = Gathered::new::<C>(sections);
    let glides = G.then(|| Glides::new::<C>(sections));
    let load = |a: &[f64; 2 * MAX_PIPELINE]| -> [__m256d; V] {
        // SAFETY: `a[4j..]` holds at least four f64s (4·V ≤ the array's length); AVX is
        // enabled in the enclosing function, which alone calls this closure.
        std::array::from_fn(|j| unsafe { _mm256_loadu_pd(a[4 * j..].as_ptr()) })
    };
    let [mut b0, mut b1, mut b2, mut na1, mut na2] = g.coefs.each_ref().map(load);
    let (goal, step, mut left) = match &glides {
        Some(gl) => (
            gl.goal.each_ref().map(load),
            gl.step.each_ref().map(load),
            load(&gl.left),
        ),
        None => {
            let zero = [_mm256_setzero_pd(); V];
            ([zero; 5], [zero; 5], zero)
        }
    };
    let (mut x1, mut x2, mut y1, mut y2) = (load(&g.x1), load(&g.x2), load(&g.y1), load(&g.y2));
    // Skew 1: AVX2's sixteen registers do not hold the history a longer skew needs.
    let span = 4 * V / C - 1;
    let n = frames.len();
    // One pipeline step (see the AVX-512 kernel); lanes shift by one section (128 bits
    // stereo, 64 mono).
    macro_rules! step {
        ($input:expr, $mask:expr) => {{
            // Which lanes work this step: all of them, or (filling, draining) a mask.
            let masks: [__m256d; V] = std::array::from_fn(|j| match $mask {
                None => _mm256_castsi256_pd(_mm256_set1_epi64x(-1)),
                Some(t) => {
                    let on =
                        |lane: usize| -i64::from(Gathered::valid::<1>(t, (4 * j + lane) / C, n));
                    _mm256_castsi256_pd(_mm256_set_epi64x(on(3), on(2), on(1), on(0)))
                }
            });
            if G {
                // A working lane's glide moves one sample on: goal − left · step.
                for j in 0..V {
                    let on = _mm256_max_pd(
                        _mm256_sub_pd(left[j], _mm256_set1_pd(1.0)),
                        _mm256_setzero_pd(),
                    );
                    left[j] = _mm256_blendv_pd(left[j], on, masks[j]);
                    let at = |c: usize| _mm256_fnmadd_pd(left[j], step[c][j], goal[c][j]);
                    (b0[j], b1[j], b2[j], na1[j], na2[j]) = (at(0), at(1), at(2), at(3), at(4));
                }
            }
            let mut x = [_mm256_setzero_pd(); V];
            if C == 2 {
                // Low half: the previous section's high half; high half: this vector's low.
                x[0] = _mm256_permute2f128_pd(_mm256_castpd128_pd256($input), y1[0], 0x20);
                for j in 1..V {
                    x[j] = _mm256_permute2f128_pd(y1[j - 1], y1[j], 0x21);
                }
            } else {
                // Each vector rotated up one lane, its lane 0 from the previous one's lane 3.
                let rotated: [__m256d; V] =
                    std::array::from_fn(|j| _mm256_permute4x64_pd(y1[j], 0x93));
                x[0] = _mm256_blend_pd(rotated[0], _mm256_broadcastsd_pd($input), 1);
                for j in 1..V {
                    x[j] = _mm256_blend_pd(rotated[j], rotated[j - 1], 1);
                }
            }
            let mut y = [_mm256_setzero_pd(); V];
            for j in 0..V {
                // With skew 1 the shifted input is as new as the feedback: both last.
                let older = _mm256_fmadd_pd(
                    b2[j],
                    x2[j],
                    _mm256_fmadd_pd(b1[j], x1[j], _mm256_mul_pd(na2[j], y2[j])),
                );
                y[j] = _mm256_fmadd_pd(b0[j], x[j], _mm256_fmadd_pd(na1[j], y1[j], older));
            }
            match $mask {
                None => (x2, x1, y2, y1) = (x1, x, y1, y),
                Some(_) => {
                    for j in 0..V {
                        let m = masks[j];
                        x2[j] = _mm256_blendv_pd(x2[j], x1[j], m);
                        x1[j] = _mm256_blendv_pd(x1[j], x[j], m);
                        y2[j] = _mm256_blendv_pd(y2[j], y1[j], m);
                        y1[j] = _mm256_blendv_pd(y1[j], y[j], m);
                    }
                }
            }
            if C == 2 {
                _mm256_extractf128_pd(y[V - 1], 1)
            } else {
                _mm256_castpd256_pd128(_mm256_permute4x64_pd(y[V - 1], 0xff))
            }
        }};
    }
    drive!(frames, n, span, ends, step);
    let store = |a: &mut [f64; 2 * MAX_PIPELINE], v: [__m256d; V]| {
        for (j, v) in v.into_iter().enumerate() {
            // SAFETY: as for `load`.
            unsafe { _mm256_storeu_pd(a[4 * j..].as_mut_ptr(), v) };
        }
    };
    store(&mut g.x1, x1);
    store(&mut g.x2, x2);
    store(&mut g.y1, y1);
    store(&mut g.y2, y2);
    g.scatter::<C>(sections, n);
}

/// AVX-512: eight lanes per vector (four stereo sections or eight mono ones), `V` vectors.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn run_avx512<const V: usize, const G: bool, const C: usize>(
    sections: &mut [Option<&mut Section>],
    frames: &mut [[f64; 2]],
    ends: Ends,
) {
    use std::arch::x86_64::*;
    const { assert!(8 * V <= 2 * MAX_PIPELINE && (C == 1 || C == 2)) };
    let mut g = Gathered::new::<C>(sections);
    let glides = G.then(|| Glides::new::<C>(sections));
    let load = |a: &[f64; 2 * MAX_PIPELINE]| -> [__m512d; V] {
        // SAFETY: `a[8j..]` holds at least eight f64s (8·V ≤ the array's length); AVX-512F is
        // enabled in the enclosing function, which alone calls this closure.
        std::array::from_fn(|j| unsafe { _mm512_loadu_pd(a[8 * j..].as_ptr()) })
    };
    let [mut b0, mut b1, mut b2, mut na1, mut na2] = g.coefs.each_ref().map(load);
    let (goal, step, mut left) = match &glides {
        Some(gl) => (
            gl.goal.each_ref().map(load),
            gl.step.each_ref().map(load),
            load(&gl.left),
        ),
        None => {
            let zero = [_mm512_setzero_pd(); V];
            ([zero; 5], [zero; 5], zero)
        }
    };
    let (mut x1, mut x2, mut y1, mut y2) = (load(&g.x1), load(&g.x2), load(&g.y1), load(&g.y2));
    const K: usize = AVX512_SKEW;
    // Every lane's output at the last `K` steps, newest first (see `run`).
    let mut outs = [[_mm512_setzero_pd(); V]; K];
    let span = K * (8 * V / C - 1);
    let n = frames.len();
    // Each lane's first step and the step after its last: lane i holds section i / C.
    let first: [__m512i; V] = std::array::from_fn(|j| {
        let at = |i: i64| (K as i64) * ((8 * j as i64 + i) / C as i64);
        _mm512_setr_epi64(at(0), at(1), at(2), at(3), at(4), at(5), at(6), at(7))
    });
    let end = first.map(|f| _mm512_add_epi64(f, _mm512_set1_epi64(n as i64)));
    // One pipeline step: section k takes section k−1's last output (lanes shift by one section,
    // the input pair enters lane 0/1); with a mask, only the masked sections advance.
    macro_rules! step {
        ($input:expr, $mask:expr) => {{
            // Which lanes work this step: all of them, or (filling, draining) a mask.
            // (`Gathered::valid` as two compares per vector.)
            let masks: [__mmask8; V] = std::array::from_fn(|j| match $mask {
                None => 0xff,
                Some(t) => {
                    let t = _mm512_set1_epi64(t as i64);
                    _mm512_cmple_epu64_mask(first[j], t) & _mm512_cmplt_epu64_mask(t, end[j])
                }
            });
            if G {
                // A working lane's glide moves one sample on: goal − left · step.
                for j in 0..V {
                    let on = _mm512_max_pd(
                        _mm512_sub_pd(left[j], _mm512_set1_pd(1.0)),
                        _mm512_setzero_pd(),
                    );
                    left[j] = _mm512_mask_mov_pd(left[j], masks[j], on);
                    let at = |c: usize| _mm512_fnmadd_pd(left[j], step[c][j], goal[c][j]);
                    (b0[j], b1[j], b2[j], na1[j], na2[j]) = (at(0), at(1), at(2), at(3), at(4));
                }
            }
            // The input pair in every 128-bit lane (mono: the left sample in every lane);
            // alignr picks it from the top.
            let input = if C == 2 {
                _mm512_shuffle_f64x2(
                    _mm512_castpd128_pd512($input),
                    _mm512_castpd128_pd512($input),
                    0,
                )
            } else {
                _mm512_broadcastsd_pd($input)
            };
            // [previous vector's top C lanes, this vector's lanes 0..8 − C]
            let shift = |high: __m512d, low: __m512d| {
                let (high, low) = (_mm512_castpd_si512(high), _mm512_castpd_si512(low));
                _mm512_castsi512_pd(if C == 2 {
                    _mm512_alignr_epi64(high, low, 6)
                } else {
                    _mm512_alignr_epi64(high, low, 7)
                })
            };
            let from = &outs[K - 1];
            let mut x = [_mm512_setzero_pd(); V];
            x[0] = shift(from[0], input);
            for j in 1..V {
                x[j] = shift(from[j], from[j - 1]);
            }
            let mut y = [_mm512_setzero_pd(); V];
            for j in 0..V {
                // The last step's feedback last: the only short dependency (module doc).
                let inputs = _mm512_fmadd_pd(
                    b0[j],
                    x[j],
                    _mm512_fmadd_pd(b2[j], x2[j], _mm512_mul_pd(b1[j], x1[j])),
                );
                y[j] = _mm512_fmadd_pd(na1[j], y1[j], _mm512_fmadd_pd(na2[j], y2[j], inputs));
            }
            // Shifted by value (not `rotate_right`) so the history stays in registers.
            outs = std::array::from_fn(|i| if i == 0 { y } else { outs[i - 1] });
            match $mask {
                None => (x2, x1, y2, y1) = (x1, x, y1, y),
                Some(_) => {
                    for j in 0..V {
                        let m = masks[j];
                        x2[j] = _mm512_mask_mov_pd(x2[j], m, x1[j]);
                        x1[j] = _mm512_mask_mov_pd(x1[j], m, x[j]);
                        y2[j] = _mm512_mask_mov_pd(y2[j], m, y1[j]);
                        y1[j] = _mm512_mask_mov_pd(y1[j], m, y[j]);
                    }
                }
            }
            if C == 2 {
                _mm256_extractf128_pd(_mm512_extractf64x4_pd(y[V - 1], 1), 1)
            } else {
                _mm512_castpd512_pd128(_mm512_permutexvar_pd(_mm512_set1_epi64(7), y[V - 1]))
            }
        }};
    }
    drive!(frames, n, span, ends, step);
    let store = |a: &mut [f64; 2 * MAX_PIPELINE], v: [__m512d; V]| {
        for (j, v) in v.into_iter().enumerate() {
            // SAFETY: as for `load`.
            unsafe { _mm512_storeu_pd(a[8 * j..].as_mut_ptr(), v) };
        }
    };
    store(&mut g.x1, x1);
    store(&mut g.x2, x2);
    store(&mut g.y1, y1);
    store(&mut g.y2, y2);
    g.scatter::<C>(sections, n);
}

/// What the frames carry: two channels, or one (mono) on both sides of each frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channels {
    Stereo,
    Mono,
}

/// Run `frames` through the chain of `sections`, gliding ones included, with the widest kernel
/// `isa` allows, converting the frames on the way in and out as `ends` says (never for mono,
/// which has no sides to convert).
///
/// Runs on the audio thread: must not allocate or block.
pub fn run_sections(
    isa: Isa,
    sections: &mut [Option<&mut Section>],
    frames: &mut [[f64; 2]],
    ends: Ends,
    channels: Channels,
) {
    debug_assert!(channels == Channels::Stereo || ends == Ends::default());
    // Gliding lanes compute their coefficients every step; without glides that work is
    // compiled out.
    let gliding = sections.iter().flatten().any(|s| s.is_gliding());
    match (gliding, channels) {
        (true, Channels::Stereo) => run_sections_with::<true, 2>(isa, sections, frames, ends),
        (false, Channels::Stereo) => run_sections_with::<false, 2>(isa, sections, frames, ends),
        (true, Channels::Mono) => run_sections_with::<true, 1>(isa, sections, frames, ends),
        (false, Channels::Mono) => run_sections_with::<false, 1>(isa, sections, frames, ends),
    }
}

fn run_sections_with<const G: bool, const C: usize>(
    isa: Isa,
    sections: &mut [Option<&mut Section>],
    frames: &mut [[f64; 2]],
    ends: Ends,
) {
    #[cfg(target_arch = "x86_64")]
    {
        if isa.avx512() {
            // Gliding lanes also hold their goals, steps and samples left: more than one
            // vector of them spills the 32 registers, so glides run a vector per pass (an EQ
            // with 8 bells moving every 64 frames, best of 200 one-second runs, six each of
            // two binaries in turn: 1594–1743 against 1679–1970 µs per second of audio).
            let per_pass = if G { 8 / C } else { MAX_PIPELINE };
            let count = sections.len().div_ceil(per_pass);
            for (i, chunk) in sections.chunks_mut(per_pass).enumerate() {
                let ends = ends.of_chunk(i, count);
                // SAFETY: `isa` came from `Isa::detect`, which found AVX-512F.
                unsafe {
                    match (C * chunk.len()).div_ceil(8) {
                        1 => run_avx512::<1, G, C>(chunk, frames, ends),
                        2 => run_avx512::<2, G, C>(chunk, frames, ends),
                        3 => run_avx512::<3, G, C>(chunk, frames, ends),
                        _ => run_avx512::<4, G, C>(chunk, frames, ends),
                    }
                }
            }
            return;
        }
        if isa.avx2_fma() {
            // Two vectors (four stereo or eight mono sections) per pass: more would spill
            // AVX2's 16 registers.
            let per_pass = 8 / C;
            let count = sections.len().div_ceil(per_pass);
            for (i, chunk) in sections.chunks_mut(per_pass).enumerate() {
                let ends = ends.of_chunk(i, count);
                // SAFETY: `isa` came from `Isa::detect`, which found AVX2 and FMA.
                unsafe {
                    match (C * chunk.len()).div_ceil(4) {
                        1 => run_avx2::<1, G, C>(chunk, frames, ends),
                        _ => run_avx2::<2, G, C>(chunk, frames, ends),
                    }
                }
            }
            return;
        }
    }
    run_any::<Plain, G, PORTABLE_SKEW, C>(sections, frames, ends)
}

#[cfg(test)]
mod tests {
    use super::*;

    type Kernel = fn(&mut [Option<&mut Section>], &mut [[f64; 2]], Ends);

    /// Every implementation this CPU can run, named (`G`: the gliding variants; `C`: the
    /// channels, 1 for mono); the test prints which ran.
    fn kernels<const G: bool, const C: usize>() -> Vec<(&'static str, Kernel)> {
        let mut k: Vec<(&'static str, Kernel)> = vec![
            ("portable", |s, f, e| run_any::<Plain, G, 1, C>(s, f, e)),
            ("portable, skew 3", |s, f, e| {
                run_any::<Plain, G, 3, C>(s, f, e)
            }),
        ];
        #[cfg(target_arch = "x86_64")]
        {
            let isa = Isa::detect();
            if isa.avx2_fma() {
                k.push(("avx2", |s, f, e| {
                    let count = s.len().div_ceil(MAX_PIPELINE);
                    for (i, chunk) in s.chunks_mut(MAX_PIPELINE).enumerate() {
                        // SAFETY: `Isa::detect` found AVX2 and FMA (checked above).
                        unsafe { run_avx2::<8, G, C>(chunk, f, e.of_chunk(i, count)) }
                    }
                }));
                k.push(("avx2 narrow", |s, f, e| {
                    let count = s.len().div_ceil(4 / C);
                    for (i, chunk) in s.chunks_mut(4 / C).enumerate() {
                        // SAFETY: as above.
                        unsafe { run_avx2::<1, G, C>(chunk, f, e.of_chunk(i, count)) }
                    }
                }));
            }
            if isa.avx512() {
                k.push(("avx512", |s, f, e| {
                    let count = s.len().div_ceil(MAX_PIPELINE);
                    for (i, chunk) in s.chunks_mut(MAX_PIPELINE).enumerate() {
                        // SAFETY: `Isa::detect` found AVX-512F (checked above).
                        unsafe { run_avx512::<4, G, C>(chunk, f, e.of_chunk(i, count)) }
                    }
                }));
            }
            k.push(("dispatch", |s, f, e| {
                let channels = if C == 1 {
                    Channels::Mono
                } else {
                    Channels::Stereo
                };
                run_sections(Isa::detect(), s, f, e, channels)
            }));
        }
        k
    }

    /// Which channels section `k` of a test cascade filters: most both, some one (a placed
    /// band), so wire lanes sit between working ones.
    fn placed_lanes(k: usize) -> [bool; 2] {
        match k % 5 {
            1 => [true, false],
            3 => [false, true],
            _ => [true, true],
        }
    }

    /// `input` through `plain` sample by sample and through `piped` with `kernel`: the same
    /// within 1e-9 (each converted on the way in and out as `ends` says).
    fn assert_pipeline_agrees(
        kernel: Kernel,
        plain: &mut [Section],
        piped: &mut [Section],
        input: &[[f64; 2]],
        ends: Ends,
        case: &str,
    ) {
        let mut expected = input.to_vec();
        for frame in expected.iter_mut() {
            *frame = ends.input.map_or(*frame, |k| butterfly(*frame, k));
            for s in plain.iter_mut() {
                *frame = s.tick(*frame);
            }
            *frame = ends.output.map_or(*frame, |k| butterfly(*frame, k));
        }
        let mut got = input.to_vec();
        let mut refs: Vec<Option<&mut Section>> = piped.iter_mut().map(Some).collect();
        kernel(&mut refs, &mut got, ends);
        for (e, g) in expected.iter().zip(&got) {
            for ch in 0..2 {
                assert!((e[ch] - g[ch]).abs() < 1e-9, "{case}: {e:?} vs {g:?}");
            }
        }
    }

    /// Each pipeline gives what the sections give one after the other (up to rounding: the
    /// SIMD kernels fuse multiply-adds), for any count of sections and any block length,
    /// including blocks shorter than the pipeline, with sections that filter one channel only
    /// among them, and with domain conversions at its ends.
    #[test]
    fn pipelines_equal_the_plain_cascade() {
        for (name, kernel) in kernels::<false, 2>() {
            println!("pipeline kernel: {name}");
            let mut rng = fastrand::Rng::with_seed(1);
            let mut rnd = move || rng.f64() - 0.5;
            for count in [1, 2, 3, 4, 5, 8, 13, 16, 20, 32] {
                let mut plain: Vec<Section> = (0..count)
                    .map(|k| {
                        let mut s = Section::default();
                        let r = 0.5 + 0.4 * rnd().abs();
                        let th = rnd().abs() * 3.0;
                        s.set([0.5 + rnd(), rnd(), rnd() * 0.5, -2.0 * r * th.cos(), r * r]);
                        s.set_lanes(placed_lanes(k));
                        s
                    })
                    .collect();
                let mut piped = plain.clone();
                // Plain, into mid/side and back, and into mid/side only (a cascade's first run).
                let ends = [
                    Ends::default(),
                    Ends {
                        input: Some(0.5),
                        output: Some(1.0),
                    },
                    Ends {
                        input: Some(0.5),
                        output: None,
                    },
                ];
                for (len, ends) in [1usize, 2, 7, 64, 128, 3]
                    .into_iter()
                    .zip(ends.iter().cycle())
                {
                    let input: Vec<[f64; 2]> = (0..len).map(|_| [rnd(), rnd()]).collect();
                    let case = format!("{name}: {count} sections, block {len}, {ends:?}");
                    assert_pipeline_agrees(kernel, &mut plain, &mut piped, &input, *ends, &case);
                }
            }
        }
    }

    /// A mono pipeline (a lane per section; the frames' left sample in, both sides out) gives
    /// what the sections give a mono signal one after the other, static and gliding, for any
    /// count of sections and block length, and leaves both channels' histories where the
    /// plain sections have them: a band that runs sample by sample next (fading) goes on alike.
    #[test]
    fn mono_pipelines_equal_the_plain_cascade() {
        let kernels = [(false, kernels::<false, 1>()), (true, kernels::<true, 1>())];
        for (gliding, kernels) in kernels {
            for (name, kernel) in kernels {
                println!("mono pipeline kernel: {name}, gliding {gliding}");
                let mut rng = fastrand::Rng::with_seed(3);
                // Tame enough that 32 in series stay near unit level.
                let design = |rng: &mut fastrand::Rng| {
                    let r = 0.3 + 0.4 * rng.f64();
                    let th = rng.f64() * 1.5;
                    let b = [
                        0.4 + 0.3 * rng.f64(),
                        0.3 * (rng.f64() - 0.5),
                        0.2 * rng.f64(),
                    ];
                    [b[0], b[1], b[2], -2.0 * r * th.cos(), r * r]
                };
                for count in [1, 3, 4, 5, 8, 9, 13, 16, 20, 32] {
                    let mut plain: Vec<Section> = (0..count)
                        .map(|_| {
                            let mut s = Section::default();
                            s.set(design(&mut rng));
                            s
                        })
                        .collect();
                    let mut piped = plain.clone();
                    for (b, len) in [64usize, 1, 7, 128, 64, 3].into_iter().enumerate() {
                        if gliding && b % 2 == 0 {
                            for (p, q) in plain.iter_mut().zip(piped.iter_mut()) {
                                let (target, over) = (design(&mut rng), rng.u32(30..200));
                                p.glide_to(target, over);
                                q.glide_to(target, over);
                            }
                        }
                        let input: Vec<[f64; 2]> = (0..len).map(|_| [rng.f64() - 0.5; 2]).collect();
                        let case = format!("mono {name}: {count} sections, block {b}");
                        let ends = Ends::default();
                        assert_pipeline_agrees(kernel, &mut plain, &mut piped, &input, ends, &case);
                        for (p, q) in plain.iter().zip(&piped) {
                            let (p, q) = (p.history().concat(), q.history().concat());
                            // Relative: inside a long cascade of random sections the states
                            // grow far above the signal.
                            let off = p
                                .iter()
                                .zip(&q)
                                .map(|(a, b)| (a - b).abs() / a.abs().max(1.0));
                            let worst = off.fold(0.0, f64::max);
                            assert!(worst < 1e-9, "{case}: history {worst:e} {p:?} {q:?}");
                        }
                    }
                }
            }
        }
    }

    /// Sections gliding to new coefficients (glides shorter and longer than a block, some
    /// sections still) give in every pipeline what `tick` gives sample by sample, and the
    /// glides end where they should.
    #[test]
    fn gliding_pipelines_equal_the_plain_cascade() {
        for (name, kernel) in kernels::<true, 2>() {
            let mut rng = fastrand::Rng::with_seed(2);
            let mut rnd = move || rng.f64() - 0.5;
            let mut design = move || {
                let r = 0.5 + 0.4 * rnd().abs();
                let th = rnd().abs() * 3.0;
                [0.5 + rnd(), rnd(), rnd() * 0.5, -2.0 * r * th.cos(), r * r]
            };
            for count in [1, 3, 8, 13] {
                let mut plain: Vec<Section> = (0..count)
                    .map(|k| {
                        let mut s = Section::default();
                        s.set(design());
                        s.set_lanes(placed_lanes(k));
                        s
                    })
                    .collect();
                let mut piped = plain.clone();
                let mut rng = fastrand::Rng::with_seed(count as u64);
                for (b, len) in [64usize, 64, 7, 128, 64, 1, 64].into_iter().enumerate() {
                    // Every other block, new targets over 30–200 samples (every third section
                    // keeps still).
                    if b % 2 == 0 {
                        for (k, (p, q)) in plain.iter_mut().zip(piped.iter_mut()).enumerate() {
                            if k % 3 != 2 {
                                let (target, over) = (design(), rng.u32(30..200));
                                p.glide_to(target, over);
                                q.glide_to(target, over);
                            }
                        }
                    }
                    let input: Vec<[f64; 2]> = (0..len).map(|_| [rng.f64() - 0.5; 2]).collect();
                    let case = format!("{name}: {count} sections, block {b}");
                    let ends = Ends::default();
                    assert_pipeline_agrees(kernel, &mut plain, &mut piped, &input, ends, &case);
                    for (p, q) in plain.iter().zip(&piped) {
                        assert_eq!(p.ramp().2, q.ramp().2, "{name}: samples left");
                        assert_eq!(p.coefs(), q.coefs(), "{name}: coefficients");
                    }
                }
            }
        }
    }
}
