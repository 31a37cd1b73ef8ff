//! Digital design of one analog section: a biquad whose magnitude follows the analog
//! prototype up to 20 kHz, without the bilinear transform's cramping near Nyquist.
//!
//! The method, per section:
//! 1. poles by the matched-z transform (`z = e^{sT}`), which puts resonances exactly where the
//!    analog ones are;
//! 2. the numerator by a weighted least-squares fit of `|N(e^{jω})|²` to `|H_a(jω)|²·|A(e^{jω})|²`
//!    on a log grid (10 Hz … 20 kHz, lightly weighted above). `|N|²` is linear in three
//!    parameters (`B0 φ0 + B1 φ1 + B2 φ2`, Vicanek's notation), so the fit is a 3×3 problem;
//!    a minimum-phase factorisation turns `B` back into `b`;
//! 3. alternatives (matched-z zeros, exact zeros for notch/cuts, one least-squares refit of the
//!    denominator) are designed too, and the one with the least worst-case error on the grid
//!    wins.
//!
//! All of it is bounded work on the stack: it runs on the audio thread at control rate while a
//! parameter moves, and must not allocate or block.

use std::f64::consts::PI;

use num_complex::Complex64;

use super::prototype::{AnalogSection, Zeros};
use crate::dsp::blocks::biquad::{Biquad, dot, mag_sq_coeffs, phi};

/// Frequency ceiling of the fit: the spec asks for accuracy up to 20 kHz.
const FIT_CEILING_HZ: f64 = 20_000.0;
const FIT_FLOOR_HZ: f64 = 10.0;
const LOG_POINTS: usize = 40;
const HIGH_POINTS: usize = 8;
const CENTRE_POINTS: usize = 8;
const MAX_POINTS: usize = LOG_POINTS + HIGH_POINTS + CENTRE_POINTS;
/// Weight of the points between the ceiling and Nyquist: they keep the fitted |N|² positive
/// there without costing accuracy below the ceiling.
const HIGH_WEIGHT: f64 = 0.05;

/// The frequencies the fit looks at, with their φ vectors and the analog target there.
struct Grid {
    phi: [[f64; 3]; MAX_POINTS],
    target: [f64; MAX_POINTS],
    weight: [f64; MAX_POINTS],
    len: usize,
}

impl Grid {
    /// `w0` is the section's centre in radians per sample, `q` a hint for how narrow its
    /// features are (extra points are placed around the centre).
    fn new(section: &AnalogSection, w0: f64, q: f64, sample_rate: f64) -> Grid {
        let mut grid = Grid {
            phi: [[0.0; 3]; MAX_POINTS],
            target: [0.0; MAX_POINTS],
            weight: [0.0; MAX_POINTS],
            len: 0,
        };
        let to_w = 2.0 * PI / sample_rate;
        let w_lo = FIT_FLOOR_HZ * to_w;
        let w_hi = (FIT_CEILING_HZ * to_w).min(0.45 * 2.0 * PI);
        let avoid_centre = section.zeros == Zeros::OnAxis;
        let mut push = |w: f64, weight: f64| {
            // The notch target is zero at its centre: never sample exactly there.
            if avoid_centre && (w - w0).abs() < 1e-4 * w0 {
                return;
            }
            let target = section.magnitude_sq(w / w0);
            if !(target.is_finite() && target > 0.0) {
                return;
            }
            grid.phi[grid.len] = phi(w);
            grid.target[grid.len] = target;
            grid.weight[grid.len] = weight;
            grid.len += 1;
        };
        let ratio = (w_hi / w_lo).powf(1.0 / (LOG_POINTS - 1) as f64);
        let mut w = w_lo;
        for _ in 0..LOG_POINTS {
            push(w, 1.0);
            w *= ratio;
        }
        for i in 1..=HIGH_POINTS {
            let w = w_hi + (0.98 * PI - w_hi) * i as f64 / HIGH_POINTS as f64;
            push(w, HIGH_WEIGHT);
        }
        let octaves = 1.0 / (4.0 * q.max(0.5));
        for k in 1..=CENTRE_POINTS / 2 {
            for sign in [-1.0, 1.0] {
                let w = w0 * 2f64.powf(sign * k as f64 * octaves);
                if w > w_lo && w < w_hi {
                    push(w, 1.0);
                }
            }
        }
        grid
    }

    /// Worst |ln(|H|²/T)| over the fully weighted points.
    fn worst_error(&self, bq: &Biquad) -> f64 {
        let nb = mag_sq_coeffs(&bq.b);
        let na = mag_sq_coeffs(&bq.a);
        let mut worst: f64 = 0.0;
        for i in 0..self.len {
            if self.weight[i] < 1.0 {
                continue;
            }
            let h = dot(nb, self.phi[i]) / dot(na, self.phi[i]);
            let e = (h / self.target[i]).ln().abs();
            worst = worst.max(if e.is_finite() { e } else { f64::INFINITY });
        }
        worst
    }
}

/// Design the digital section for `section`, centred at `w0` radians per sample.
pub fn design_section(section: &AnalogSection, w0: f64, q: f64, sample_rate: f64) -> Biquad {
    if section.num == section.den {
        return Biquad::IDENTITY;
    }
    let grid = Grid::new(section, w0, q, sample_rate);
    let a_matched = matched_z(&section.den, w0);

    let mut best = Biquad::IDENTITY;
    let mut best_err = f64::INFINITY;
    let mut consider = |bq: Option<Biquad>| {
        if let Some(bq) = bq.filter(|bq| bq.is_stable() && bq.b.iter().all(|x| x.is_finite())) {
            let err = grid.worst_error(&bq);
            if err < best_err {
                best_err = err;
                best = bq;
            }
        }
    };

    let numerators: [Option<[f64; 3]>; 2] = match section.zeros {
        Zeros::Dc { order: 1 } => [Some([1.0, -1.0, 0.0]), None],
        Zeros::Dc { .. } => [Some([1.0, -2.0, 1.0]), None],
        Zeros::OnAxis => {
            let wz = (section.num[2] / section.num[0]).sqrt() * w0;
            [Some([1.0, -2.0 * wz.cos(), 1.0]), None]
        }
        Zeros::DcAndInfinity => [Some([1.0, 0.0, -1.0]), None],
        Zeros::Infinity => [None, None],
        Zeros::Free => [Some(matched_z(&section.num, w0)), None],
    };
    let fitted = section.zeros != Zeros::Dc { order: 1 }
        && section.zeros != Zeros::Dc { order: 2 }
        && section.zeros != Zeros::OnAxis;

    // Candidates with the matched-z denominator.
    for fixed in numerators.iter().flatten() {
        let cand = with_gain(*fixed, a_matched, &grid);
        consider(cand);
        consider(
            cand.and_then(|c| {
                refit_denominator(&c, &grid).and_then(|a| with_gain(*fixed, a, &grid))
            }),
        );
    }
    if fitted {
        let cand = fit_numerator(a_matched, &grid, section.zeros);
        consider(cand);
        consider(cand.and_then(|c| {
            refit_denominator(&c, &grid).and_then(|a| fit_numerator(a, &grid, section.zeros))
        }));
    }
    // Far below Nyquist the prewarped bilinear transform is nearly exact, and it resolves very
    // narrow low-frequency resonances better than a fit on a finite grid.
    consider(Some(bilinear(section, w0)));
    if best_err.is_infinite() {
        // Every fit failed (degenerate input): fall back to the plain matched-z design.
        best = with_gain(numerators[0].unwrap_or([1.0, 0.0, 0.0]), a_matched, &grid)
            .unwrap_or(Biquad::IDENTITY);
    }
    best
}

/// Design an inverted section: fit the boost, then swap numerator and denominator.
pub fn design_inverted(section: &AnalogSection, w0: f64, q: f64, sample_rate: f64) -> Biquad {
    design_section(section, w0, q, sample_rate).inverted()
}

/// The bilinear transform prewarped so the section's centre lands exactly at `w0`: the quick
/// design while a parameter moves (a few operations instead of the fits above).
pub fn bilinear(section: &AnalogSection, w0: f64) -> Biquad {
    let k = 1.0 / (0.5 * w0).tan();
    let map = |[c2, c1, c0]: [f64; 3]| {
        let c2k = c2 * k * k;
        let c1k = c1 * k;
        [c2k + c1k + c0, 2.0 * (c0 - c2k), c2k - c1k + c0]
    };
    let b = map(section.num);
    let a = map(section.den);
    Biquad {
        b: b.map(|x| x / a[0]),
        a: a.map(|x| x / a[0]),
    }
}

/// Matched-z transform of a polynomial `[c2, c1, c0]` in normalised `s`: its roots `s·w0` are
/// mapped to `e^{s·w0}`. Returns a monic polynomial in `z⁻¹`.
fn matched_z(p: &[f64; 3], w0: f64) -> [f64; 3] {
    let [c2, c1, c0] = *p;
    if c2 == 0.0 {
        if c1 == 0.0 {
            return [1.0, 0.0, 0.0];
        }
        let z = (-c0 / c1 * w0).exp();
        return [1.0, -z, 0.0];
    }
    let disc = Complex64::new(c1 * c1 - 4.0 * c2 * c0, 0.0).sqrt();
    let r1 = (-c1 + disc) / (2.0 * c2) * w0;
    let r2 = (-c1 - disc) / (2.0 * c2) * w0;
    let z1 = r1.exp();
    let z2 = r2.exp();
    [1.0, -(z1 + z2).re, (z1 * z2).re]
}

/// Scale numerator `b` so that the design best matches the target in the relative
/// least-squares sense.
fn with_gain(b: [f64; 3], a: [f64; 3], grid: &Grid) -> Option<Biquad> {
    let nb = mag_sq_coeffs(&b);
    let na = mag_sq_coeffs(&a);
    let (mut num, mut den) = (0.0, 0.0);
    for i in 0..grid.len {
        let r = grid.target[i] * dot(na, grid.phi[i]);
        let n = dot(nb, grid.phi[i]);
        let w = grid.weight[i] / r;
        num += n * r * w * w;
        den += n * n * w * w;
    }
    let g = (num / den).sqrt();
    g.is_finite().then(|| Biquad {
        b: b.map(|x| x * g),
        a,
    })
}

/// Least-squares numerator for a given denominator.
fn fit_numerator(a: [f64; 3], grid: &Grid, zeros: Zeros) -> Option<Biquad> {
    let na = mag_sq_coeffs(&a);
    let mut rows = [[0.0; 3]; MAX_POINTS];
    let mut rhs = [0.0; MAX_POINTS];
    for i in 0..grid.len {
        let r = grid.target[i] * dot(na, grid.phi[i]);
        let w = grid.weight[i] / r;
        rows[i] = grid.phi[i].map(|p| p * w);
        rhs[i] = r * w;
    }
    let big_b = if zeros == Zeros::DcAndInfinity {
        // A zero at DC: B0 = 0, fit B1 and B2 only.
        let mut rows2 = [[0.0; 3]; MAX_POINTS];
        for i in 0..grid.len {
            rows2[i] = [rows[i][1], rows[i][2], 0.0];
        }
        let x = least_squares::<2>(&mut rows2[..grid.len], &mut rhs[..grid.len])?;
        [0.0, x[0], x[1]]
    } else {
        least_squares::<3>(&mut rows[..grid.len], &mut rhs[..grid.len])?
    };
    let b = min_phase(big_b)?;
    with_gain(b, a, grid)
}

/// One least-squares refit of the denominator for a given numerator (helps when an analog pole
/// sits near or above Nyquist, where the matched-z pole cannot act like the analog one).
fn refit_denominator(bq: &Biquad, grid: &Grid) -> Option<[f64; 3]> {
    let nb = mag_sq_coeffs(&bq.b);
    let na = mag_sq_coeffs(&bq.a);
    let mut rows = [[0.0; 3]; MAX_POINTS];
    let mut rhs = [0.0; MAX_POINTS];
    for i in 0..grid.len {
        let wanted = dot(nb, grid.phi[i]) / grid.target[i];
        let w = grid.weight[i] / dot(na, grid.phi[i]);
        rows[i] = grid.phi[i].map(|p| p * w);
        rhs[i] = wanted * w;
    }
    let big_a = least_squares::<3>(&mut rows[..grid.len], &mut rhs[..grid.len])?;
    let a = min_phase(big_a)?;
    let candidate = Biquad { b: bq.b, a };
    (candidate.is_stable() && a[2].abs() < 0.99999).then_some(a)
}

/// The minimum-phase monic polynomial `p` with `|p(e^{jω})|² ∝ B0 φ0 + B1 φ1 + B2 φ2`, or `None`
/// if that function goes negative (not the magnitude of anything).
fn min_phase(big_b: [f64; 3]) -> Option<[f64; 3]> {
    let [b0, b1, b2] = big_b;
    // The same function as an autocorrelation: c0 + 2 c1 cos ω + 2 c2 cos 2ω.
    let c0 = 0.5 * (b0 + b1 + b2);
    let c1 = 0.25 * (b0 - b1);
    let c2 = -0.25 * b2;
    let scale = c0.abs() + c1.abs() + c2.abs();
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    if c2.abs() < 1e-13 * scale {
        if c1.abs() < 1e-13 * scale {
            return Some([1.0, 0.0, 0.0]);
        }
        // First order: c1 (z + 1/z) + c0 = 0.
        let z = inside_root(Complex64::new(-c0 / c1, 0.0))?;
        return (z.im.abs() < 1e-12).then_some([1.0, -z.re, 0.0]);
    }
    // With u = z + 1/z: c2 (u² − 2) + c1 u + c0 = 0.
    let disc = Complex64::new(c1 * c1 - 4.0 * c2 * (c0 - 2.0 * c2), 0.0).sqrt();
    // u = ±2 is a single zero at DC or Nyquist: realisable, but rounding must not push it
    // onto the circle's interior (that would read as a sign change).
    let snap = |u: Complex64| {
        if u.im.abs() < 1e-9 && (u.re.abs() - 2.0).abs() < 1e-7 {
            Complex64::new(2.0f64.copysign(u.re), 0.0)
        } else {
            u
        }
    };
    let u1 = snap((-c1 + disc) / (2.0 * c2));
    let u2 = snap((-c1 - disc) / (2.0 * c2));
    let on_circle = |u: Complex64| u.im.abs() < 1e-12 * (1.0 + u.re.abs()) && u.re.abs() < 2.0;
    let (z1, z2) = if on_circle(u1) || on_circle(u2) {
        // Zeros on the unit circle are only realisable as a double zero (u1 == u2).
        if (u1 - u2).norm() > 1e-9 * (1.0 + u1.norm()) {
            return None;
        }
        let z = u1.re / 2.0 + Complex64::new(0.0, (1.0 - u1.re * u1.re / 4.0).max(0.0).sqrt());
        (z, z.conj())
    } else {
        (inside_root(u1)?, inside_root(u2)?)
    };
    let p1 = -(z1 + z2);
    let p2 = z1 * z2;
    (p1.im.abs() < 1e-9 * (1.0 + p1.re.abs()) && p2.im.abs() < 1e-9 * (1.0 + p2.re.abs()))
        .then_some([1.0, p1.re, p2.re])
}

/// The root of `z² − u z + 1` inside (or on) the unit circle.
fn inside_root(u: Complex64) -> Option<Complex64> {
    let d = (u * u - 4.0).sqrt();
    let r1 = (u + d) / 2.0;
    let r2 = (u - d) / 2.0;
    let z = if r1.norm() <= r2.norm() { r1 } else { r2 };
    z.is_finite().then_some(z)
}

/// Minimise ‖rows·x − rhs‖ with Householder QR (the φ basis is ill-conditioned at low
/// frequencies, so normal equations would lose too much precision). Only the first `K`
/// columns of each row are used.
fn least_squares<const K: usize>(rows: &mut [[f64; 3]], rhs: &mut [f64]) -> Option<[f64; K]> {
    let n = rows.len();
    if n < K {
        return None;
    }
    for k in 0..K {
        let norm = rows[k..].iter().map(|r| r[k] * r[k]).sum::<f64>().sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            return None;
        }
        let alpha = if rows[k][k] > 0.0 { -norm } else { norm };
        // v = x − alpha e1, stored in column k (rows k..).
        rows[k][k] -= alpha;
        let v_norm_sq = rows[k..].iter().map(|r| r[k] * r[k]).sum::<f64>();
        if v_norm_sq == 0.0 {
            rows[k][k] = alpha;
            continue;
        }
        for j in k + 1..K {
            let dotp: f64 = rows[k..].iter().map(|r| r[k] * r[j]).sum();
            let f = 2.0 * dotp / v_norm_sq;
            for r in rows[k..].iter_mut() {
                r[j] -= f * r[k];
            }
        }
        let dotp: f64 = rows[k..].iter().zip(&rhs[k..]).map(|(r, y)| r[k] * y).sum();
        let f = 2.0 * dotp / v_norm_sq;
        for (r, y) in rows[k..].iter().zip(rhs[k..].iter_mut()) {
            *y -= f * r[k];
        }
        rows[k][k] = alpha;
    }
    let mut x = [0.0; K];
    for k in (0..K).rev() {
        let mut s = rhs[k];
        for j in k + 1..K {
            s -= rows[k][j] * x[j];
        }
        x[k] = s / rows[k][k];
        if !x[k].is_finite() {
            return None;
        }
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_squares_solves_an_exact_system() {
        let mut rows = [
            [1.0, 2.0, 0.5],
            [0.0, 1.0, 3.0],
            [2.0, 0.0, 1.0],
            [1.0, 1.0, 1.0],
        ];
        let x_true = [0.3, -1.2, 2.5];
        let mut rhs: Vec<f64> = rows.iter().map(|r| dot(*r, x_true)).collect();
        let x = least_squares::<3>(&mut rows, &mut rhs).unwrap();
        for (a, b) in x.iter().zip(x_true) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn min_phase_recovers_a_known_polynomial() {
        for p in [
            [1.0, -1.2, 0.5],
            [1.0, 0.3, -0.4],
            [1.0, -0.7, 0.0],
            [1.0, 1.9, 0.9025],
        ] {
            let q = min_phase(mag_sq_coeffs(&p)).unwrap();
            for (a, b) in p.iter().zip(q) {
                assert!((a - b).abs() < 1e-9, "{p:?} -> {q:?}");
            }
        }
        // Maximum-phase input comes back as its minimum-phase mirror, same magnitude.
        // (1 − 2z⁻¹)(1 − 0.5z⁻¹): the zero at 2 is mirrored to 0.5.
        let q = min_phase(mag_sq_coeffs(&[1.0, -2.5, 1.0])).unwrap();
        for (a, b) in [1.0, -1.0, 0.25].iter().zip(q) {
            assert!((a - b).abs() < 1e-9, "{q:?}");
        }
    }

    #[test]
    fn min_phase_refuses_functions_that_go_negative() {
        // B0 φ0 + B1 φ1 with B1 < 0 is negative at Nyquist.
        assert!(min_phase([1.0, -0.5, 0.0]).is_none());
    }
}
