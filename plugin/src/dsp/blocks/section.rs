//! One biquad section, Direct Form I in f64, whose coefficients glide linearly from one
//! control block to the next.
//!
//! Direct Form I keeps the signal's own history as state (last two inputs and outputs), so
//! the state never depends on the coefficients: gliding them moves the response without the
//! bursts transposed/direct form II states give, and the stability triangle being convex, every
//! point of a glide between two stable designs is stable. In f64 the form has no precision
//! trouble at low frequencies and high rates (an f32 DF1 would).

use super::biquad::Biquad;

/// `[b0, b1, b2, a1, a2]` of a section (`a0 = 1`).
pub type Coefs = [f64; 5];

/// The section coefficients of a designed biquad.
pub fn coefs(bq: &Biquad) -> Coefs {
    [bq.b[0], bq.b[1], bq.b[2], bq.a[1], bq.a[2]]
}

pub const IDENTITY: Coefs = [1.0, 0.0, 0.0, 0.0, 0.0];

#[derive(Debug, Clone, Copy)]
pub struct Section {
    coefs: Coefs,
    goal: Coefs,
    step: Coefs,
    ramp_left: u32,
    /// Per channel: x[n−1], x[n−2], y[n−1], y[n−2].
    history: [[f64; 4]; 2],
    /// Which channels the section filters; the other passes as through a wire (a band placed
    /// on one lane of its domain).
    lanes: [bool; 2],
}

impl Default for Section {
    fn default() -> Self {
        Section {
            coefs: IDENTITY,
            goal: IDENTITY,
            step: [0.0; 5],
            ramp_left: 0,
            history: [[0.0; 4]; 2],
            lanes: [true; 2],
        }
    }
}

impl Section {
    /// Jump to `coefs` immediately (used when a band is loaded while silent).
    pub fn set(&mut self, coefs: Coefs) {
        self.coefs = coefs;
        self.goal = coefs;
        self.ramp_left = 0;
    }

    /// Glide linearly to `target` over the next `samples` samples.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn glide_to(&mut self, target: Coefs, samples: u32) {
        if target == self.goal {
            return;
        }
        if samples == 0 {
            self.set(target);
            return;
        }
        for ((step, to), from) in self.step.iter_mut().zip(target).zip(self.coefs) {
            *step = (to - from) / samples as f64;
        }
        self.goal = target;
        self.ramp_left = samples;
    }

    pub fn is_gliding(&self) -> bool {
        self.ramp_left > 0
    }

    /// Where a glide is heading, its step per sample and the samples it has left: the
    /// coefficients at any point of it are `goal − left · step` (so it lands exactly on the
    /// goal, and a pipeline that computes them per sample agrees with `tick`).
    pub fn ramp(&self) -> (Coefs, Coefs, u32) {
        (self.goal, self.step, self.ramp_left)
    }

    /// Account for `samples` samples run elsewhere (a pipeline that computed the ramp itself).
    pub fn advance_ramp(&mut self, samples: u32) {
        if self.ramp_left > 0 {
            self.ramp_left = self.ramp_left.saturating_sub(samples);
            self.coefs = self.ramp_point();
        }
    }

    #[inline(always)]
    fn ramp_point(&self) -> Coefs {
        let left = self.ramp_left as f64;
        std::array::from_fn(|i| self.goal[i] - left * self.step[i])
    }

    pub fn coefs(&self) -> Coefs {
        self.coefs
    }

    /// Per channel: x[n−1], x[n−2], y[n−1], y[n−2].
    pub fn history(&self) -> [[f64; 4]; 2] {
        self.history
    }

    pub fn set_history(&mut self, history: [[f64; 4]; 2]) {
        self.history = history;
    }

    pub fn reset(&mut self) {
        self.history = [[0.0; 4]; 2];
    }

    /// Filter only the channels marked `true`; the others pass unchanged.
    pub fn set_lanes(&mut self, lanes: [bool; 2]) {
        self.lanes = lanes;
    }

    pub fn lanes(&self) -> [bool; 2] {
        self.lanes
    }

    /// Process one stereo frame.
    ///
    /// Runs on the audio thread: must not allocate or block.
    #[inline(always)]
    pub fn tick(&mut self, x: [f64; 2]) -> [f64; 2] {
        if self.ramp_left > 0 {
            // Computed from the goal, not accumulated: it lands exactly on it.
            self.ramp_left -= 1;
            self.coefs = self.ramp_point();
        }
        let mut y = [0.0; 2];
        for ch in 0..2 {
            // A wire lane runs identity coefficients, as the pipelines do.
            let [b0, b1, b2, a1, a2] = if self.lanes[ch] { self.coefs } else { IDENTITY };
            let [x1, x2, y1, y2] = self.history[ch];
            // y[n−1] enters last: the recursion is one multiply and one subtraction long.
            y[ch] = (b0 * x[ch] + b1 * x1 + b2 * x2 - a2 * y2) - a1 * y1;
            self.history[ch] = [x[ch], x1, y[ch], y1];
        }
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_the_difference_equation() {
        let bq = Biquad {
            b: [0.2, 0.4, 0.2],
            a: [1.0, -0.37, 0.2],
        };
        let mut filter = Section::default();
        filter.set(coefs(&bq));
        let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
        for n in 0..100 {
            let x = (n as f64 * 0.7).sin();
            let y = 0.2 * x + 0.4 * x1 + 0.2 * x2 + 0.37 * y1 - 0.2 * y2;
            (x2, x1, y2, y1) = (x1, x, y1, y);
            let out = filter.tick([x, -x]);
            assert!((out[0] - y).abs() < 1e-12 && (out[1] + y).abs() < 1e-12);
        }
    }

    #[test]
    fn glide_lands_exactly_on_its_goal() {
        let mut s = Section::default();
        let target = [0.3, 0.1, -0.2, -0.5, 0.25];
        s.glide_to(target, 64);
        for _ in 0..64 {
            s.tick([0.0, 0.0]);
        }
        assert_eq!(s.coefs, target);
        assert!(!s.is_gliding());
    }
}
