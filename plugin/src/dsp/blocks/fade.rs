//! Crossfades: a linear ramp between 0 and 1, read through a smoothstep so a fade starts and
//! ends without a kink (a linear ramp's corners are audible on low, loud tones).

/// A fade position that moves towards its target by a fixed step per sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fade {
    position: f64,
    target: f64,
    step: f64,
}

impl Fade {
    /// A fade that takes `samples` samples end to end, resting at 0.
    pub fn new(samples: f64) -> Fade {
        Fade {
            position: 0.0,
            target: 0.0,
            step: 1.0 / samples.max(1.0),
        }
    }

    pub fn set_target(&mut self, on: bool) {
        self.target = if on { 1.0 } else { 0.0 };
    }

    pub fn target_is_on(&self) -> bool {
        self.target == 1.0
    }

    /// Skip the fade.
    pub fn finish(&mut self) {
        self.position = self.target;
    }

    /// Move `samples` steps towards the target; returns the shaped value at the new position.
    #[inline]
    pub fn advance(&mut self, samples: usize) -> f64 {
        let delta = self.step * samples as f64;
        self.position = if self.target > self.position {
            (self.position + delta).min(self.target)
        } else {
            (self.position - delta).max(self.target)
        };
        self.value()
    }

    /// The shaped value: 3p² − 2p³, exactly 0 and 1 at the ends.
    #[inline]
    pub fn value(&self) -> f64 {
        let p = self.position;
        p * p * (3.0 - 2.0 * p)
    }

    /// At 0 and staying there.
    pub fn is_silent(&self) -> bool {
        self.position == 0.0 && self.target == 0.0
    }

    /// At 1 and staying there.
    pub fn is_full(&self) -> bool {
        self.position == 1.0 && self.target == 1.0
    }

    pub fn is_moving(&self) -> bool {
        self.position != self.target
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fades_in_and_out_in_the_given_time_with_flat_ends() {
        let mut f = Fade::new(100.0);
        f.set_target(true);
        let first = f.advance(1);
        assert!(first > 0.0 && first < 1e-3, "starts flat: {first}");
        for _ in 1..99 {
            assert!(f.advance(1) < 1.0);
        }
        assert_eq!(f.advance(1), 1.0);
        assert!(f.is_full());
        f.set_target(false);
        assert_eq!(f.advance(200), 0.0);
        assert!(f.is_silent());
    }
}
