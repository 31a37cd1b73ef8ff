//! Analog prototypes of every band shape: the responses the digital EQ is measured against.
//!
//! A band is a cascade of at most four sections, each a ratio of polynomials of degree ≤ 2 in
//! the normalised Laplace variable `s/ω0`. Bell and shelves follow the RBJ cookbook's analog
//! forms (boost and cut are exact inverses), cuts are Butterworth cascades.

use std::f64::consts::PI;

/// The shape of one EQ band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Bell,
    LowShelf,
    HighShelf,
    Notch,
    BandPass,
    /// First-order tilt around the band frequency: `-gain` at DC, `+gain` at high frequencies.
    Tilt,
    /// High-pass (Butterworth, slope chosen separately).
    LowCut,
    /// Low-pass (Butterworth, slope chosen separately).
    HighCut,
}

impl Shape {
    pub const ALL: [Shape; 8] = [
        Shape::Bell,
        Shape::LowShelf,
        Shape::HighShelf,
        Shape::Notch,
        Shape::BandPass,
        Shape::Tilt,
        Shape::LowCut,
        Shape::HighCut,
    ];

    /// Whether the gain parameter acts on this shape.
    pub fn uses_gain(self) -> bool {
        matches!(
            self,
            Shape::Bell | Shape::LowShelf | Shape::HighShelf | Shape::Tilt
        )
    }

    /// Whether the Q parameter acts on this shape (cuts are Butterworth, tilt is first order).
    pub fn uses_q(self) -> bool {
        matches!(
            self,
            Shape::Bell | Shape::LowShelf | Shape::HighShelf | Shape::Notch | Shape::BandPass
        )
    }

    /// Whether the slope parameter acts on this shape.
    pub fn uses_slope(self) -> bool {
        matches!(self, Shape::LowCut | Shape::HighCut)
    }
}

/// Slope of the low/high cuts, in dB per octave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slope {
    Db6,
    Db12,
    Db18,
    Db24,
    Db36,
    Db48,
}

impl Slope {
    pub const ALL: [Slope; 6] = [
        Slope::Db6,
        Slope::Db12,
        Slope::Db18,
        Slope::Db24,
        Slope::Db36,
        Slope::Db48,
    ];

    /// Butterworth filter order.
    pub fn order(self) -> usize {
        match self {
            Slope::Db6 => 1,
            Slope::Db12 => 2,
            Slope::Db18 => 3,
            Slope::Db24 => 4,
            Slope::Db36 => 6,
            Slope::Db48 => 8,
        }
    }

    pub fn db_per_octave(self) -> f64 {
        6.0 * self.order() as f64
    }
}

/// Where a section's zeros are, so the digital design can keep exact ones exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zeros {
    /// Anywhere: fitted.
    Free,
    /// All at DC (high-pass sections): `order` zeros at z = 1.
    Dc { order: u8 },
    /// A conjugate pair on the jω axis (notch): zeros at `z = e^{±jω}` exactly.
    OnAxis,
    /// One at DC and one at infinity (band-pass).
    DcAndInfinity,
    /// All at infinity (low-pass sections): no finite analog zero to match.
    Infinity,
}

/// One analog section `N(s)/D(s)` in normalised frequency (`s` in units of the band's ω0).
/// Coefficients are `[c2, c1, c0]` for `c2 s² + c1 s + c0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalogSection {
    pub num: [f64; 3],
    pub den: [f64; 3],
    pub zeros: Zeros,
}

impl AnalogSection {
    pub const IDENTITY: AnalogSection = AnalogSection {
        num: [0.0, 0.0, 1.0],
        den: [0.0, 0.0, 1.0],
        zeros: Zeros::Free,
    };

    /// |H(jω)|² at normalised angular frequency `w` (ω/ω0).
    pub fn magnitude_sq(&self, w: f64) -> f64 {
        let w2 = w * w;
        let n_re = self.num[2] - self.num[0] * w2;
        let n_im = self.num[1] * w;
        let d_re = self.den[2] - self.den[0] * w2;
        let d_im = self.den[1] * w;
        (n_re * n_re + n_im * n_im) / (d_re * d_re + d_im * d_im)
    }

    /// The section with numerator and denominator swapped (the exact inverse response).
    pub fn inverted(&self) -> AnalogSection {
        AnalogSection {
            num: self.den,
            den: self.num,
            zeros: Zeros::Free,
        }
    }
}

/// At most four sections describe any band (a 48 dB/oct cut is four second-order sections).
pub const MAX_SECTIONS: usize = 4;

/// The analog prototype of one band: a cascade of sections, all scaled to the band's ω0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnalogBand {
    pub sections: [AnalogSection; MAX_SECTIONS],
    pub len: usize,
    /// The prototype is the inverse of a boost: the digital design fits the boost (whose
    /// numerator is benign) and swaps numerator and denominator, so cuts mirror boosts exactly.
    pub inverted: bool,
}

impl AnalogBand {
    /// The analog prototype for a shape. `gain_db` is ignored by shapes without gain, `q` by
    /// cuts and tilt, `slope` by everything but cuts.
    pub fn new(shape: Shape, gain_db: f64, q: f64, slope: Slope) -> AnalogBand {
        let mut band = AnalogBand {
            // Element by element: the array-repeat form compiled to a `memcpy` call from a
            // constant, one per design (6000 a second under full automation).
            sections: std::array::from_fn(|_| AnalogSection::IDENTITY),
            len: 0,
            inverted: false,
        };
        // Cuts are designed as the inverse of the matching boost.
        let boost_db = gain_db.abs();
        let invert = shape.uses_gain() && gain_db < 0.0;
        let a = 10f64.powf(boost_db / 40.0);
        let q = q.max(1e-3);
        let mut push = |num: [f64; 3], den: [f64; 3], zeros: Zeros| {
            band.sections[band.len] = AnalogSection { num, den, zeros };
            band.len += 1;
        };
        match shape {
            Shape::Bell => push([1.0, a / q, 1.0], [1.0, 1.0 / (a * q), 1.0], Zeros::Free),
            Shape::LowShelf => {
                let sa = a.sqrt();
                push([a, a * sa / q, a * a], [a, sa / q, 1.0], Zeros::Free)
            }
            Shape::HighShelf => {
                let sa = a.sqrt();
                push([a * a, a * sa / q, a], [1.0, sa / q, a], Zeros::Free)
            }
            Shape::Notch => push([1.0, 0.0, 1.0], [1.0, 1.0 / q, 1.0], Zeros::OnAxis),
            Shape::BandPass => push(
                [0.0, 1.0 / q, 0.0],
                [1.0, 1.0 / q, 1.0],
                Zeros::DcAndInfinity,
            ),
            Shape::Tilt => {
                let g = a * a;
                push([0.0, g, 1.0], [0.0, 1.0, g], Zeros::Free)
            }
            Shape::LowCut | Shape::HighCut => {
                let order = slope.order();
                let high_pass = shape == Shape::LowCut;
                if order % 2 == 1 {
                    if high_pass {
                        push([0.0, 1.0, 0.0], [0.0, 1.0, 1.0], Zeros::Dc { order: 1 });
                    } else {
                        push([0.0, 0.0, 1.0], [0.0, 1.0, 1.0], Zeros::Infinity);
                    }
                }
                for k in 0..order / 2 {
                    let q_k = butterworth_q(order, k);
                    if high_pass {
                        push(
                            [1.0, 0.0, 0.0],
                            [1.0, 1.0 / q_k, 1.0],
                            Zeros::Dc { order: 2 },
                        );
                    } else {
                        push([0.0, 0.0, 1.0], [1.0, 1.0 / q_k, 1.0], Zeros::Infinity);
                    }
                }
            }
        }
        band.inverted = invert;
        band
    }

    /// |H(jω)| of the whole band at `freq_hz`, for a band centred at `centre_hz`.
    pub fn magnitude(&self, freq_hz: f64, centre_hz: f64) -> f64 {
        let w = freq_hz / centre_hz;
        let mag_sq: f64 = self.sections[..self.len]
            .iter()
            .map(|s| s.magnitude_sq(w))
            .product();
        let mag = mag_sq.sqrt();
        if self.inverted { 1.0 / mag } else { mag }
    }

    pub fn magnitude_db(&self, freq_hz: f64, centre_hz: f64) -> f64 {
        20.0 * self.magnitude(freq_hz, centre_hz).log10()
    }
}

/// Q of the `k`-th second-order section of an order-`order` Butterworth filter.
fn butterworth_q(order: usize, k: usize) -> f64 {
    let theta = PI * (2 * k + 1) as f64 / (2 * order) as f64;
    1.0 / (2.0 * theta.sin())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bell_peaks_at_its_gain_and_is_flat_far_away() {
        let band = AnalogBand::new(Shape::Bell, 6.0, 1.0, Slope::Db12);
        assert!((band.magnitude_db(1000.0, 1000.0) - 6.0).abs() < 1e-9);
        assert!(band.magnitude_db(10.0, 1000.0).abs() < 0.01);
        let cut = AnalogBand::new(Shape::Bell, -6.0, 1.0, Slope::Db12);
        assert!((cut.magnitude_db(1000.0, 1000.0) + 6.0).abs() < 1e-9);
        assert!(
            (cut.magnitude_db(1500.0, 1000.0) + band.magnitude_db(1500.0, 1000.0)).abs() < 1e-9
        );
    }

    #[test]
    fn shelves_reach_their_gain_and_are_half_way_at_centre() {
        for (shape, lo, hi) in [(Shape::LowShelf, 12.0, 0.0), (Shape::HighShelf, 0.0, 12.0)] {
            let band = AnalogBand::new(shape, 12.0, 0.707, Slope::Db12);
            assert!(
                (band.magnitude_db(1.0, 1000.0) - lo).abs() < 0.01,
                "{shape:?}"
            );
            assert!(
                (band.magnitude_db(1e6, 1000.0) - hi).abs() < 0.01,
                "{shape:?}"
            );
            assert!(
                (band.magnitude_db(1000.0, 1000.0) - 6.0).abs() < 1e-9,
                "{shape:?}"
            );
        }
    }

    #[test]
    fn butterworth_cuts_are_3db_down_at_cutoff_with_their_slope() {
        for slope in Slope::ALL {
            for shape in [Shape::LowCut, Shape::HighCut] {
                let band = AnalogBand::new(shape, 0.0, 1.0, slope);
                assert!((band.magnitude_db(1000.0, 1000.0) + 3.0103).abs() < 1e-3);
                let (a, b) = if shape == Shape::LowCut {
                    (0.1, 0.2)
                } else {
                    (1e7, 2e7)
                };
                let per_octave = band.magnitude_db(b, 1000.0) - band.magnitude_db(a, 1000.0);
                let expected = if shape == Shape::LowCut { 1.0 } else { -1.0 }
                    * slope.order() as f64
                    * 20.0
                    * 2f64.log10();
                assert!(
                    (per_octave - expected).abs() < 0.01,
                    "{shape:?} {slope:?} {per_octave}"
                );
            }
        }
    }

    #[test]
    fn tilt_is_symmetric_around_centre() {
        let band = AnalogBand::new(Shape::Tilt, 6.0, 1.0, Slope::Db12);
        assert!((band.magnitude_db(1.0, 1000.0) + 6.0).abs() < 0.01);
        assert!((band.magnitude_db(1e6, 1000.0) - 6.0).abs() < 0.01);
        assert!(band.magnitude_db(1000.0, 1000.0).abs() < 1e-9);
    }
}
