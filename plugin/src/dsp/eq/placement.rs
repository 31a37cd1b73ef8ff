//! Where a band acts in the stereo image: on both channels, on the mid or side component, or
//! on one channel.
//!
//! A band placed on Mid or Side works in the mid/side domain, `M = (L + R)/2`, `S = (L − R)/2`
//! (decoded back by `L = M + S`, `R = M − S`), on one lane of it; a Left or Right band on one
//! lane of the left/right domain. The other lane passes untouched. A stereo band applies the
//! same filter to both lanes, which commutes with either domain's conversion: it can run in
//! whichever domain its neighbours need, so the cascade only converts where a placed band asks
//! for the other domain than the one before it.

/// A band's placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    #[default]
    Stereo,
    Mid,
    Side,
    Left,
    Right,
}

/// The pair of signals a cascade carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Domain {
    #[default]
    LeftRight,
    MidSide,
}

impl Placement {
    pub const ALL: [Placement; 5] = [
        Placement::Stereo,
        Placement::Mid,
        Placement::Side,
        Placement::Left,
        Placement::Right,
    ];

    /// The domain the band needs, or `None` for a stereo band (any domain).
    pub fn domain(self) -> Option<Domain> {
        match self {
            Placement::Stereo => None,
            Placement::Mid | Placement::Side => Some(Domain::MidSide),
            Placement::Left | Placement::Right => Some(Domain::LeftRight),
        }
    }

    /// Which of its domain's two lanes the band filters.
    pub fn lanes(self) -> [bool; 2] {
        match self {
            Placement::Stereo => [true, true],
            Placement::Mid | Placement::Left => [true, false],
            Placement::Side | Placement::Right => [false, true],
        }
    }
}

/// `[a + b, a − b] · scale`: both conversions between the domains (`Domain::butterfly`).
#[inline(always)]
pub fn butterfly([a, b]: [f64; 2], scale: f64) -> [f64; 2] {
    [scale * (a + b), scale * (a - b)]
}

impl Domain {
    /// Convert one frame from domain `self` to `to`.
    #[inline(always)]
    pub fn convert(self, to: Domain, frame: [f64; 2]) -> [f64; 2] {
        self.butterfly(to)
            .map_or(frame, |scale| butterfly(frame, scale))
    }

    /// The conversion from `self` to `to` as a butterfly's scale (`None`: nothing to convert):
    /// both directions are `[a + b, a − b] · scale`.
    pub fn butterfly(self, to: Domain) -> Option<f64> {
        match (self, to) {
            (Domain::LeftRight, Domain::MidSide) => Some(0.5),
            (Domain::MidSide, Domain::LeftRight) => Some(1.0),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mid_side_round_trips_and_splits_correlated_from_opposed() {
        let (lr, ms) = (Domain::LeftRight, Domain::MidSide);
        // L = R is all mid; L = −R all side.
        assert_eq!(lr.convert(ms, [0.25, 0.25]), [0.25, 0.0]);
        assert_eq!(lr.convert(ms, [0.25, -0.25]), [0.0, 0.25]);
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..1000 {
            let x = [rng.f64() - 0.5, rng.f64() - 0.5];
            let back = ms.convert(lr, lr.convert(ms, x));
            assert!((back[0] - x[0]).abs() < 1e-16 && (back[1] - x[1]).abs() < 1e-16);
        }
        assert_eq!(lr.convert(lr, [1.0, 2.0]), [1.0, 2.0]);
    }
}
