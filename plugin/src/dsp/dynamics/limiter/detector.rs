//! True-peak detection: the largest magnitude of the band-limited signal *between* samples,
//! found by 8× polyphase FIR interpolation (BS.1770-4 Annex 2 asks for ≥ 4×) and refined with
//! a parabola through the largest interpolated point and its neighbours.
//!
//! The interpolator is a Kaiser-windowed sinc with an odd length centred on a whole sample, so
//! its delay is an integer number of input samples (`DELAY`) and every eighth output is the
//! input itself.
//!
//! The normative meter of BS.1770-4 (Annex 2: a 48-tap 4× filter) reads some frequencies up
//! to 0.2 dB high; since deliverables are checked with such meters, the detector also runs
//! that filter and reports the larger of the two readings.

use crate::dsp::blocks::kaiser::kaiser_sinc_phases;
use crate::dsp::blocks::simd::Isa;

/// Oversampling factor.
pub const FACTOR: usize = 8;
/// Input samples under the interpolation kernel.
const TAPS_PER_PHASE: usize = 32;
/// Delay of the interpolated signal, in input samples.
pub const DELAY: usize = TAPS_PER_PHASE / 2;
/// Kaiser window shape: ≈ 80 dB stopband.
const KAISER_BETA: f64 = 8.0;

/// ITU-R BS.1770-4 Annex 2: the published 4× interpolation filter, 4 phases × 12 taps
/// (`x[n − j]` weighted by `[p][j]`; its centre, like ours, is six samples back).
pub const BS1770: [[f64; 12]; 4] = [
    [
        0.0017089843750,
        0.0109863281250,
        -0.0196533203125,
        0.0332031250000,
        -0.0594482421875,
        0.1373291015625,
        0.9721679687500,
        -0.1022949218750,
        0.0476074218750,
        -0.0266113281250,
        0.0148925781250,
        -0.0083007812500,
    ],
    [
        -0.0291748046875,
        0.0292968750000,
        -0.0517578125000,
        0.0891113281250,
        -0.1665039062500,
        0.4650878906250,
        0.7797851562500,
        -0.2003173828125,
        0.1015625000000,
        -0.0582275390625,
        0.0330810546875,
        -0.0189208984375,
    ],
    [
        -0.0189208984375,
        0.0330810546875,
        -0.0582275390625,
        0.1015625000000,
        -0.2003173828125,
        0.7797851562500,
        0.4650878906250,
        -0.1665039062500,
        0.0891113281250,
        -0.0517578125000,
        0.0292968750000,
        -0.0291748046875,
    ],
    [
        -0.0083007812500,
        0.0148925781250,
        -0.0266113281250,
        0.0476074218750,
        -0.1022949218750,
        0.9721679687500,
        0.1373291015625,
        -0.0594482421875,
        0.0332031250000,
        -0.0196533203125,
        0.0109863281250,
        0.0017089843750,
    ],
];

/// Lanes of the interpolator: the eight phases of the left channel, then of the right.
const LANES: usize = 2 * FACTOR;
/// Frames the AVX-512 kernel lays out at once.
const BLOCK: usize = 64;
/// Lanes of the BS.1770 filter: its four phases per channel.
const BS_LANES: usize = 8;
const BS_TAPS: usize = 12;

/// The interpolation filters, laid out tap by tap across SIMD lanes (both channels side by
/// side, single precision: detection needs no more).
#[derive(Debug, Clone)]
pub struct Kernel {
    /// `taps[j][ch·8 + p]` weighs `x[n − j]` of channel `ch` for phase `p`.
    taps: [[f32; LANES]; TAPS_PER_PHASE],
    /// `bs[j][ch·4 + p]` likewise for the BS.1770 filter.
    bs: [[f32; BS_LANES]; BS_TAPS],
    /// The BS.1770 taps across 16 lanes, `[ch·8 + p]` and `[ch·8 + 4 + p]` alike, to multiply
    /// frames laid out as the interpolator's lanes are (AVX-512).
    bs_wide: [[f32; LANES]; BS_TAPS],
    /// No interpolated value, refined or not, exceeds this times the largest input magnitude
    /// under the filters.
    bound: f64,
}

impl Kernel {
    pub fn new() -> Kernel {
        let phase = kaiser_sinc_phases::<FACTOR, TAPS_PER_PHASE>(KAISER_BETA);
        let taps = std::array::from_fn(|j| std::array::from_fn(|l| phase[l % FACTOR][j] as f32));
        let bs = std::array::from_fn(|j| std::array::from_fn(|l| BS1770[l % 4][j] as f32));
        let l1 = phase
            .iter()
            .map(|p| p.iter().map(|c| c.abs()).sum::<f64>())
            .chain(
                BS1770
                    .iter()
                    .map(|p| p.iter().map(|c| c.abs()).sum::<f64>()),
            )
            .fold(1.0, f64::max);
        // The parabola's top is at most 1.25 × the point it refines (module tests); a little
        // more for single-precision rounding.
        let bs_wide = std::array::from_fn(|j| std::array::from_fn(|l| BS1770[l % 4][j] as f32));
        Kernel {
            taps,
            bs,
            bs_wide,
            bound: 1.25 * l1 * 1.0001,
        }
    }
}

impl Default for Kernel {
    fn default() -> Self {
        Kernel::new()
    }
}

/// A stereo true-peak detector.
#[derive(Debug, Clone)]
pub struct TruePeak {
    /// The last `TAPS_PER_PHASE` frames, newest first, written twice so a window never wraps.
    history: [[f32; 2]; 2 * TAPS_PER_PHASE],
    pos: usize,
    /// The last interpolated magnitude of the previous interval, per channel (left neighbour
    /// of the next interval's first point, for the parabola).
    prev_inner: [f32; 2],
    isa: Isa,
    /// Both channels carry one signal (a mono layout): the AVX-512 kernel then fills a
    /// vector with two frames of it instead of one frame of two channels.
    mono: bool,
}

impl Default for TruePeak {
    fn default() -> Self {
        TruePeak::with_isa(Isa::detect())
    }
}

impl TruePeak {
    /// A detector whose exact path uses `isa` (at most what `Isa::detect` finds).
    pub fn with_isa(isa: Isa) -> TruePeak {
        TruePeak {
            history: [[0.0; 2]; 2 * TAPS_PER_PHASE],
            pos: 0,
            prev_inner: [0.0; 2],
            isa: isa.min(Isa::detect()),
            mono: false,
        }
    }

    pub fn isa(&self) -> Isa {
        self.isa
    }

    /// Back to silence (the instruction set stays).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn reset(&mut self) {
        *self = TruePeak {
            isa: self.isa,
            mono: self.mono,
            ..TruePeak::with_isa(Isa::Portable)
        };
    }

    /// Whether every frame will carry one signal on both sides (a mono layout). Only the
    /// work changes: the readings are the same either way.
    pub fn set_mono(&mut self, mono: bool) {
        self.mono = mono;
    }

    /// For each frame of `input` (pushed in turn), the true peak of each channel over the
    /// interval between samples `n − DELAY` and `n − DELAY + 1` (both ends included).
    ///
    /// Where every value of the block is sure to be at most `limit`, a cheap upper bound
    /// (still ≤ `limit`) is returned instead of the exact value: a limiter only needs to know
    /// what exceeds its ceiling. Pass 0 to always measure exactly. Returns that bound when it
    /// was taken (every output is then equal to it), `None` when the values were measured.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process_block(
        &mut self,
        kernel: &Kernel,
        input: &[[f64; 2]],
        limit: f64,
        out: &mut [[f64; 2]],
    ) -> Option<f64> {
        let loudest = largest_magnitude(self.window().as_flattened())
            .max(largest_magnitude(input.as_flattened()));
        let bound = loudest * kernel.bound;
        if bound <= limit {
            out[..input.len()].fill([bound; 2]);
            self.push_history_block(input);
            // Unknown points count as silence: the parabola then only reads higher.
            self.prev_inner = [0.0; 2];
            return Some(bound);
        }
        #[cfg(target_arch = "x86_64")]
        {
            if self.isa.avx512() {
                for (input, out) in input.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
                    // SAFETY: `isa` came from `Isa::detect`, which found AVX-512F.
                    unsafe {
                        if self.mono {
                            self.exact_avx512::<true>(kernel, input, out);
                        } else {
                            self.exact_avx512::<false>(kernel, input, out);
                        }
                    }
                }
                return None;
            }
            if self.isa.avx2_fma() {
                // SAFETY: `isa` came from `Isa::detect`, which found AVX2 and FMA.
                unsafe { self.exact_avx2(kernel, input, out) };
                return None;
            }
        }
        self.exact_portable(kernel, input, out);
        None
    }

    /// `process_block`'s exact path, portable.
    fn exact_portable(&mut self, kernel: &Kernel, input: &[[f64; 2]], out: &mut [[f64; 2]]) {
        for (frame, o) in input.iter().zip(out.iter_mut()) {
            self.push_history(*frame);
            let (points, bs) = interpolate(kernel, self.window());
            *o = self.peaks(&points, &bs);
        }
    }

    fn window(&self) -> &[[f32; 2]; TAPS_PER_PHASE] {
        self.history[self.pos..self.pos + TAPS_PER_PHASE]
            .try_into()
            .expect("the window is TAPS_PER_PHASE frames")
    }

    /// Each channel's interval peak from its interpolated points and BS.1770 values.
    fn peaks(&mut self, points: &[f32; LANES], bs: &[f32; BS_LANES]) -> [f64; 2] {
        let next = self.window()[DELAY - 1];
        let mut out = [0.0; 2];
        for ch in 0..2 {
            // p[k] sits at n − DELAY + k/8; p[8] is the next sample.
            let mut p = [0.0f32; FACTOR + 1];
            for (k, v) in p.iter_mut().take(FACTOR).enumerate() {
                *v = points[ch * FACTOR + k].abs();
            }
            p[FACTOR] = next[ch].abs();
            let mut best = refined_peak(&p, self.prev_inner[ch]);
            self.prev_inner[ch] = p[FACTOR - 1];
            for v in &bs[ch * 4..ch * 4 + 4] {
                best = best.max(v.abs());
            }
            out[ch] = best as f64;
        }
        out
    }

    /// `process_block`'s exact path with AVX2 and FMA, all in registers: per frame, each
    /// channel's sample is broadcast and multiplied into its eight phases (four accumulator
    /// pairs keep the chains short); the parabolas are fitted at all eight points at once.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    fn exact_avx2(&mut self, kernel: &Kernel, input: &[[f64; 2]], out: &mut [[f64; 2]]) {
        use std::arch::x86_64::*;
        // SAFETY (all intrinsics): AVX2/FMA enabled; every load reads inside `kernel` or the
        // window, and every store writes a local array.
        unsafe {
            let abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fff_ffff));
            let to_left = _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6);
            let to_right = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7);
            let mut prev = [
                _mm256_set1_ps(self.prev_inner[0]),
                _mm256_set1_ps(self.prev_inner[1]),
            ];
            for (frame, o) in input.iter().zip(out.iter_mut()) {
                self.push_history(*frame);
                let window = self.window();
                let mut left = [_mm256_setzero_ps(); 4];
                let mut right = [_mm256_setzero_ps(); 4];
                for (taps, x) in kernel.taps.chunks_exact(4).zip(window.chunks_exact(4)) {
                    for k in 0..4 {
                        let tl = _mm256_loadu_ps(taps[k][..8].as_ptr());
                        let tr = _mm256_loadu_ps(taps[k][8..].as_ptr());
                        left[k] = _mm256_fmadd_ps(tl, _mm256_set1_ps(x[k][0]), left[k]);
                        right[k] = _mm256_fmadd_ps(tr, _mm256_set1_ps(x[k][1]), right[k]);
                    }
                }
                let sum = |a: [__m256; 4]| {
                    _mm256_add_ps(_mm256_add_ps(a[0], a[1]), _mm256_add_ps(a[2], a[3]))
                };
                let next = window[DELAY - 1];
                let mut best = [_mm256_setzero_ps(); 2];
                for (ch, points) in [sum(left), sum(right)].into_iter().enumerate() {
                    // Magnitudes c at k/8, with neighbours l and r (the previous interval's last
                    // point on the left of the first, the next sample on the right of the last).
                    let c = _mm256_and_ps(points, abs_mask);
                    let next_mag = _mm256_set1_ps(next[ch].abs());
                    let l = _mm256_blend_ps::<1>(_mm256_permutevar8x32_ps(c, to_left), prev[ch]);
                    let r =
                        _mm256_blend_ps::<0x80>(_mm256_permutevar8x32_ps(c, to_right), next_mag);
                    prev[ch] = _mm256_permutevar8x32_ps(c, _mm256_set1_epi32(7));
                    let curvature = _mm256_sub_ps(_mm256_add_ps(l, r), _mm256_add_ps(c, c));
                    let slope = _mm256_sub_ps(r, l);
                    let vertex = _mm256_sub_ps(
                        c,
                        _mm256_div_ps(
                            _mm256_mul_ps(_mm256_set1_ps(0.125), _mm256_mul_ps(slope, slope)),
                            curvature,
                        ),
                    );
                    let is_max = _mm256_and_ps(
                        _mm256_and_ps(
                            _mm256_cmp_ps::<_CMP_GE_OQ>(c, l),
                            _mm256_cmp_ps::<_CMP_GE_OQ>(c, r),
                        ),
                        _mm256_cmp_ps::<_CMP_LT_OQ>(curvature, _mm256_setzero_ps()),
                    );
                    best[ch] = _mm256_max_ps(_mm256_blendv_ps(c, vertex, is_max), next_mag);
                }
                // Halves folded so lanes read [left × 4, right × 4], as the BS.1770 lanes do.
                let mut bs = _mm256_setzero_ps();
                for (taps, x) in kernel.bs.iter().zip(&window[DELAY - 6..DELAY + 6]) {
                    let both = _mm256_setr_m128(_mm_set1_ps(x[0]), _mm_set1_ps(x[1]));
                    bs = _mm256_fmadd_ps(_mm256_loadu_ps(taps.as_ptr()), both, bs);
                }
                let mut m = _mm256_max_ps(
                    _mm256_permute2f128_ps::<0x20>(best[0], best[1]),
                    _mm256_permute2f128_ps::<0x31>(best[0], best[1]),
                );
                m = _mm256_max_ps(m, _mm256_and_ps(bs, abs_mask));
                m = _mm256_max_ps(m, _mm256_permute_ps::<0b01_00_11_10>(m));
                m = _mm256_max_ps(m, _mm256_permute_ps::<0b10_11_00_01>(m));
                let mut lanes = [0.0f32; 8];
                _mm256_storeu_ps(lanes.as_mut_ptr(), m);
                *o = [lanes[0] as f64, lanes[4] as f64];
            }
            let mut last = [0.0f32; 8];
            _mm256_storeu_ps(last.as_mut_ptr(), prev[0]);
            self.prev_inner[0] = last[0];
            _mm256_storeu_ps(last.as_mut_ptr(), prev[1]);
            self.prev_inner[1] = last[0];
        }
    }

    /// `process_block`'s exact path with AVX-512, for up to `BLOCK` frames. A 16-lane vector
    /// holds eight phases twice: of the left and the right channel of one frame, or, with
    /// `MONO`, of the left channel of two neighbouring frames (half the vectors for the same
    /// frames: a mono signal costs half). The block's samples are first laid out broadcast to
    /// those lanes after the history, then the filter runs over tiles of eight vectors with
    /// the outputs in registers while the taps stream past (a tap is loaded once per tile,
    /// not once per vector); the parabolas of both halves are fitted in one vector.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    fn exact_avx512<const MONO: bool>(
        &mut self,
        kernel: &Kernel,
        input: &[[f64; 2]],
        out: &mut [[f64; 2]],
    ) {
        use std::arch::x86_64::*;
        const TILE: usize = 8;
        const BACK: usize = TAPS_PER_PHASE - 1;
        // Frames per vector.
        let per_row = if MONO { 2 } else { 1 };
        debug_assert!(input.len() <= BLOCK && out.len() >= input.len());
        let n = input.len();
        // Row `k` starts at frame k − BACK: its left sample in lanes 0–7 and, in lanes 8–15,
        // its right sample (stereo) or the next frame's left (mono). The last BACK frames of
        // history, then the block, then zeros.
        let mut x = [[0.0f32; LANES]; BACK + BLOCK];
        let window = self.window();
        // SAFETY (all intrinsics): AVX-512F enabled; loads read `kernel` rows (16 floats),
        // `window`, `input` frames, `samples` pairs or `x` rows (indexing checks them; a tile
        // ends by BACK + BLOCK since `tile` is a multiple of TILE · per_row below n ≤ BLOCK);
        // stores write `x` rows or local arrays.
        unsafe {
            let halves = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
            let spread = |pair: __m128| _mm512_permutexvar_ps(halves, _mm512_castps128_ps512(pair));
            if MONO {
                // Left samples in time order; each row takes a pair of neighbours.
                let mut samples = [0.0f32; BACK + BLOCK + 1];
                for (k, s) in samples[..BACK].iter_mut().enumerate() {
                    *s = window[BACK - 1 - k][0];
                }
                for (s, f) in samples[BACK..].iter_mut().zip(input) {
                    *s = f[0] as f32;
                }
                for (k, slot) in x[..BACK + n].iter_mut().enumerate() {
                    let pair = _mm_castpd_ps(_mm_load_sd(samples[k..k + 2].as_ptr().cast()));
                    _mm512_storeu_ps(slot.as_mut_ptr(), spread(pair));
                }
            } else {
                for (k, slot) in x[..BACK].iter_mut().enumerate() {
                    let pair = _mm_castpd_ps(_mm_load_sd(window[BACK - 1 - k].as_ptr().cast()));
                    _mm512_storeu_ps(slot.as_mut_ptr(), spread(pair));
                }
                for (slot, f) in x[BACK..].iter_mut().zip(input) {
                    let pair = _mm_cvtpd_ps(_mm_loadu_pd(f.as_ptr()));
                    _mm512_storeu_ps(slot.as_mut_ptr(), spread(pair));
                }
            }
            let row = |k: usize| _mm512_loadu_ps(x[k].as_ptr());
            // Each point's left neighbour: the point before it, and for the first point of a
            // half the last point of the frame before (the previous vector's, or in mono the
            // lower half's).
            let (to_left, from_prev) = if MONO {
                let to_left =
                    _mm512_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14);
                (to_left, 0x0001)
            } else {
                let to_left =
                    _mm512_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6, 8, 8, 9, 10, 11, 12, 13, 14);
                (to_left, 0x0101)
            };
            let to_right = _mm512_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7, 9, 10, 11, 12, 13, 14, 15, 15);
            let last = _mm512_setr_epi32(7, 7, 7, 7, 7, 7, 7, 7, 15, 15, 15, 15, 15, 15, 15, 15);
            // Set lane by lane (loading it from a stack array made the kernel a third slower).
            let mut prev = _mm512_setr_ps(
                self.prev_inner[0],
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                self.prev_inner[1],
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
            );
            for tile in (0..n).step_by(TILE * per_row) {
                let rows = (n - tile).div_ceil(per_row).min(TILE);
                // A whole tile even at the block's end (the rows past it are zeros inside `x`):
                // a fixed count keeps the accumulators in registers.
                let mut acc = [_mm512_setzero_ps(); TILE];
                for (j, taps) in kernel.taps.iter().enumerate() {
                    let t = _mm512_loadu_ps(taps.as_ptr());
                    for (f, a) in acc.iter_mut().enumerate() {
                        *a = _mm512_fmadd_ps(t, row(BACK + tile + per_row * f - j), *a);
                    }
                }
                for (f, points) in acc.iter().enumerate().take(rows) {
                    let first = tile + per_row * f;
                    let at = BACK + first;
                    let c = _mm512_abs_ps(*points);
                    let next_mag = _mm512_abs_ps(row(at + 1 - DELAY));
                    let l =
                        _mm512_mask_blend_ps(from_prev, _mm512_permutexvar_ps(to_left, c), prev);
                    let r =
                        _mm512_mask_blend_ps(0x8080, _mm512_permutexvar_ps(to_right, c), next_mag);
                    // Whether a mono vector's upper half is a frame of the block (not past its end).
                    let both = !MONO || first + 1 < n;
                    prev = _mm512_permutexvar_ps(
                        match (MONO, both) {
                            (false, _) => last,
                            // The next frame follows the upper half's, or at the block's odd
                            // end the lower half's.
                            (true, true) => _mm512_set1_epi32(15),
                            (true, false) => _mm512_set1_epi32(7),
                        },
                        c,
                    );
                    let curvature = _mm512_sub_ps(_mm512_add_ps(l, r), _mm512_add_ps(c, c));
                    let slope = _mm512_sub_ps(r, l);
                    let vertex = _mm512_sub_ps(
                        c,
                        _mm512_div_ps(
                            _mm512_mul_ps(_mm512_set1_ps(0.125), _mm512_mul_ps(slope, slope)),
                            curvature,
                        ),
                    );
                    let is_max = _mm512_cmp_ps_mask::<_CMP_GE_OQ>(c, l)
                        & _mm512_cmp_ps_mask::<_CMP_GE_OQ>(c, r)
                        & _mm512_cmp_ps_mask::<_CMP_LT_OQ>(curvature, _mm512_setzero_ps());
                    let best = _mm512_max_ps(_mm512_mask_blend_ps(is_max, c, vertex), next_mag);
                    // BS.1770 tap t weighs x[n − DELAY + 6 − t].
                    let mut bs = _mm512_setzero_ps();
                    for (t, taps) in kernel.bs_wide.iter().enumerate() {
                        bs = _mm512_fmadd_ps(
                            _mm512_loadu_ps(taps.as_ptr()),
                            row(at + 6 - DELAY - t),
                            bs,
                        );
                    }
                    let mut m = _mm512_max_ps(best, _mm512_abs_ps(bs));
                    // Fold each half's eight lanes onto its first.
                    m = _mm512_max_ps(m, _mm512_permute_ps::<0b01_00_11_10>(m));
                    m = _mm512_max_ps(m, _mm512_permute_ps::<0b10_11_00_01>(m));
                    m = _mm512_max_ps(m, _mm512_shuffle_f32x4::<0b10_11_00_01>(m, m));
                    let mut lanes = [0.0f32; LANES];
                    _mm512_storeu_ps(lanes.as_mut_ptr(), m);
                    let (low, high) = (lanes[0] as f64, lanes[FACTOR] as f64);
                    if MONO {
                        out[first] = [low; 2];
                        if both {
                            out[first + 1] = [high; 2];
                        }
                    } else {
                        out[first] = [low, high];
                    }
                }
            }
            let mut lanes = [0.0f32; LANES];
            _mm512_storeu_ps(lanes.as_mut_ptr(), prev);
            self.prev_inner = if MONO {
                [lanes[0]; 2]
            } else {
                [lanes[0], lanes[FACTOR]]
            };
        }
        self.push_history_block(input);
    }

    /// `push_history` for each frame in turn. A block at least a window long only needs its
    /// last window's frames, written in place: what the window reads is the same.
    fn push_history_block(&mut self, frames: &[[f64; 2]]) {
        let Some(last) = frames.last_chunk::<TAPS_PER_PHASE>() else {
            for f in frames {
                self.push_history(*f);
            }
            return;
        };
        self.pos = 0;
        for (k, frame) in last.iter().rev().enumerate() {
            let f = [frame[0] as f32, frame[1] as f32];
            self.history[k] = f;
            self.history[k + TAPS_PER_PHASE] = f;
        }
    }

    fn push_history(&mut self, frame: [f64; 2]) {
        self.pos = if self.pos == 0 {
            TAPS_PER_PHASE - 1
        } else {
            self.pos - 1
        };
        let f = [frame[0] as f32, frame[1] as f32];
        self.history[self.pos] = f;
        self.history[self.pos + TAPS_PER_PHASE] = f;
    }
}

/// The eight interpolated points of both channels (lanes `ch·8 + p`) and the BS.1770
/// filter's four (lanes `ch·4 + p`), for the window (newest first). Portable version.
fn interpolate(
    kernel: &Kernel,
    window: &[[f32; 2]; TAPS_PER_PHASE],
) -> ([f32; LANES], [f32; BS_LANES]) {
    let mut points = [0.0f32; LANES];
    for (taps, x) in kernel.taps.iter().zip(window) {
        for (l, p) in points.iter_mut().enumerate() {
            *p += taps[l] * x[l / FACTOR];
        }
    }
    let mut bs = [0.0f32; BS_LANES];
    for (taps, x) in kernel.bs.iter().zip(&window[DELAY - 6..DELAY + 6]) {
        for (l, b) in bs.iter_mut().enumerate() {
            *b += taps[l] * x[l / 4];
        }
    }
    (points, bs)
}

/// The largest |x|, over four independent running maxima (one would be a serial chain).
/// Like `f64::max` it passes over a NaN, but written as a comparison it compiles to a single
/// max instruction (`f64::max` adds NaN checks to every step).
fn largest_magnitude<T: Copy + Into<f64>>(x: &[T]) -> f64 {
    let larger = |m: f64, v: f64| if v > m { v } else { m };
    let mut lanes = [0.0f64; 4];
    let chunks = x.chunks_exact(4);
    let tail = chunks
        .remainder()
        .iter()
        .fold(0.0f64, |m, v| larger(m, (*v).into().abs()));
    for c in chunks {
        for (l, v) in lanes.iter_mut().zip(c) {
            *l = larger(*l, (*v).into().abs());
        }
    }
    lanes.iter().fold(tail, |m, l| larger(m, *l))
}

/// The largest of the points and of the parabola tops through every local maximum inside the
/// interval and its neighbours (a maximum at the interval's end is refined by the next one).
fn refined_peak(points: &[f32; FACTOR + 1], prev_inner: f32) -> f32 {
    let mut best = points[FACTOR];
    for k in 0..FACTOR {
        let (l, c, r) = (
            if k == 0 { prev_inner } else { points[k - 1] },
            points[k],
            points[k + 1],
        );
        let curvature = (l + r) - (c + c);
        // Only at a local maximum: then the vertex lies within half a step of `c`, and at
        // most 1.25 × c high.
        let top = if c >= l && c >= r && curvature < 0.0 {
            c - 0.125 * ((r - l) * (r - l)) / curvature
        } else {
            c
        };
        best = best.max(top);
    }
    best
}

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use super::*;

    /// Run mono `x` (on both channels) through a detector, frame by frame.
    fn detect(x: impl Iterator<Item = f64>) -> Vec<f64> {
        let kernel = Kernel::new();
        let mut tp = TruePeak::default();
        x.map(|v| {
            let mut out = [[0.0; 2]];
            tp.process_block(&kernel, &[[v, v]], 0.0, &mut out);
            assert_eq!(out[0][0], out[0][1]);
            out[0][0]
        })
        .collect()
    }

    /// Sines of any frequency and phase: never under-read; over-read at most by what the
    /// BS.1770 filter itself over-reads.
    #[test]
    fn finds_the_peak_of_sines_between_samples() {
        let rate = 48_000.0;
        let mut worst: f64 = 0.0;
        for freq in [
            100.0, 1000.0, 5000.0, 12_000.0, 15_000.0, 19_000.0, 20_000.0,
        ] {
            for phase in [0.0, 0.3, PI / 4.0, 1.1] {
                let x = (0..4800).map(|n| (2.0 * PI * freq * n as f64 / rate + phase).sin());
                let peak = detect(x).into_iter().skip(100).fold(0.0, f64::max);
                let err_db = 20.0 * peak.log10();
                worst = worst.max(err_db.abs());
                assert!(
                    err_db > -0.02 && err_db < 0.25,
                    "{freq} Hz phase {phase}: {err_db:+.4} dB"
                );
            }
        }
        println!("worst sine true-peak error {worst:.4} dB");
    }

    #[test]
    fn quarter_rate_sine_at_45_degrees_reads_3_db_over_its_samples() {
        let x = (0..1000).map(|n| (PI / 2.0 * n as f64 + PI / 4.0).sin());
        let true_peak = detect(x).into_iter().skip(100).fold(0.0, f64::max);
        let over = 20.0 * true_peak.log10() - 20.0 * (PI / 4.0).sin().log10();
        assert!((over - 3.0103).abs() < 0.05, "{over} dB");
    }

    #[test]
    fn the_bound_is_never_exceeded() {
        let kernel = Kernel::new();
        let mut tp = TruePeak::default();
        let mut rng = fastrand::Rng::with_seed(99);
        for _ in 0..200 {
            let block: Vec<[f64; 2]> = (0..64)
                .map(|_| {
                    let v = rng.f64() * 2.0 - 1.0;
                    [v.signum(), -v]
                })
                .collect();
            let mut out = vec![[0.0; 2]; 64];
            tp.process_block(&kernel, &block, 0.0, &mut out);
            let exact = out.iter().flatten().fold(0.0f64, |m, v| m.max(*v));
            assert!(exact <= kernel.bound, "{exact} > bound {}", kernel.bound);
        }
    }

    #[test]
    fn below_the_limit_it_reports_a_bound_under_the_limit() {
        let kernel = Kernel::new();
        let mut tp = TruePeak::default();
        let block = [[0.01, -0.02]; 64];
        let mut out = [[0.0; 2]; 64];
        tp.process_block(&kernel, &block, 0.5, &mut out);
        assert!(out.iter().flatten().all(|v| *v <= 0.5 && *v >= 0.02));
    }

    /// A block that only took the bound still enters the history: the next block reads the
    /// same as after a block measured exactly (from its second frame; before it, the bound
    /// leaves the parabola no left neighbour). Blocks longer and shorter than the window.
    #[test]
    fn after_a_bound_the_next_block_reads_as_after_a_measured_one() {
        let kernel = Kernel::new();
        let mut rng = fastrand::Rng::with_seed(5);
        for isa in Isa::available() {
            for (first, next) in [(64, 64), (40, 13), (13, 50), (31, 32), (200, 7)] {
                let a: Vec<[f64; 2]> = (0..first).map(|_| [0.01 * rng.f64(), -0.01]).collect();
                let b: Vec<[f64; 2]> = (0..next).map(|_| [rng.f64() - 0.5, 0.3]).collect();
                let read = |limit: f64| {
                    let mut tp = TruePeak::with_isa(isa);
                    let mut out = vec![[0.0; 2]; first.max(next)];
                    let took = tp.process_block(&kernel, &a, limit, &mut out[..first]);
                    assert_eq!(took.is_some(), limit > 0.0);
                    assert_eq!(tp.process_block(&kernel, &b, 0.0, &mut out[..next]), None);
                    out[1..next].to_vec()
                };
                assert_eq!(
                    read(0.5),
                    read(0.0),
                    "{isa:?}, blocks of {first} and {next}"
                );
            }
        }
    }

    #[test]
    fn every_kernel_agrees_with_the_portable_one() {
        for isa in Isa::available() {
            for mono in [false, true] {
                let worst = kernel_difference(isa, mono);
                let kernel = match (isa.avx512(), isa.avx2_fma(), mono) {
                    (true, _, true) => "avx512 mono",
                    (true, _, false) => "avx512",
                    (false, true, _) => "avx2+fma",
                    _ => "portable",
                };
                println!(
                    "true-peak detector on {isa:?} (mono {mono}) ran the {kernel} kernel: \
                     {worst:.2e} from portable"
                );
                assert!(
                    worst < 1e-5,
                    "{isa:?} mono {mono}: relative difference {worst}"
                );
            }
        }
    }

    /// The mono kernel lays two frames where the stereo one lays two channels; per lane the
    /// arithmetic is the same, so on a mono signal it reads exactly what the stereo one does,
    /// through odd block ends and blocks that only take the bound.
    #[test]
    fn the_mono_kernel_reads_what_the_stereo_one_reads() {
        let isa = Isa::detect();
        if !isa.avx512() {
            println!("no AVX-512 here: the mono kernel is not used");
            return;
        }
        let kernel = Kernel::new();
        let (mut mono, mut stereo) = (TruePeak::with_isa(isa), TruePeak::with_isa(isa));
        mono.set_mono(true);
        mono.reset();
        assert!(mono.mono, "reset keeps the layout");
        let mut rng = fastrand::Rng::with_seed(11);
        let mut exact = 0;
        for (i, len) in [64, 1, 13, 50, 8, 100, 3, 17]
            .into_iter()
            .cycle()
            .take(160)
            .enumerate()
        {
            // Every fourth block quiet and read against a limit: the bound path between exact ones.
            let (gain, limit) = if i % 4 == 3 { (0.01, 0.5) } else { (1.0, 0.0) };
            let block: Vec<[f64; 2]> = (0..len)
                .map(|_| [gain * (rng.f64() * 2.0 - 1.0); 2])
                .collect();
            let (mut a, mut b) = (vec![[0.0; 2]; len], vec![[0.0; 2]; len]);
            mono.process_block(&kernel, &block, limit, &mut a);
            stereo.process_block(&kernel, &block, limit, &mut b);
            assert_eq!(a, b, "block {i} of {len} frames");
            exact += usize::from(limit == 0.0) * len;
        }
        assert!(exact > 3000, "{exact} frames measured exactly");
    }

    fn kernel_difference(isa: Isa, mono: bool) -> f64 {
        let kernel = Kernel::new();
        let (mut fast, mut portable) = (TruePeak::with_isa(isa), TruePeak::with_isa(Isa::Portable));
        assert_eq!(fast.isa(), isa);
        fast.set_mono(mono);
        let mut rng = fastrand::Rng::with_seed(7);
        let mut worst: f64 = 0.0;
        // Blocks of every shape a kernel tiles differently, the history carried between them.
        for len in [64, 1, 13, 50, 8, 100, 3].into_iter().cycle().take(140) {
            let block: Vec<[f64; 2]> = (0..len)
                .map(|n| {
                    let v = rng.f64() * 2.0 - 1.0;
                    [v, if mono { v } else { (0.3 * n as f64).sin() }]
                })
                .collect();
            let (mut a, mut b) = (vec![[0.0; 2]; len], vec![[0.0; 2]; len]);
            // A limit of 0 forces the exact path.
            fast.process_block(&kernel, &block, 0.0, &mut a);
            portable.process_block(&kernel, &block, 0.0, &mut b);
            for (x, y) in a.iter().flatten().zip(b.iter().flatten()) {
                worst = worst.max((x - y).abs() / y.max(1e-3));
            }
        }
        worst
    }
}
