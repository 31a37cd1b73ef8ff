//! The resampler's correction: the two clocks' measured ratio, plus a trim that brings the
//! ring's fill back to its target.
//!
//! The ratio alone would hold the fill wherever it is; the trim removes what the ratio's
//! early errors let it wander, as a first-order loop (no integrator, so no overshoot). Its
//! time constant is the clocks' window span, from one second to sixteen: quick while the
//! ratio is uncertain (acquisition), slow once it is known, when the fill estimate's own
//! noise is all the trim would pass on.
//!
//! What reaches the resampler is that sum through a one-pole low-pass of 0.25 s: the lines
//! and the fill estimate move in small steps when a clock's window changes, and a step of
//! the ratio is a kink in the output's phase, heard as wideband noise under a high tone
//! (THD+N at 20 kHz under 1 ms of jitter: −108 dB with the steps, −121 dB smoothed). A lag
//! of a quarter of the trim's shortest time constant keeps the loop overdamped.
//!
//! Three moments: *measured* (0.5 s of callbacks: the start is placed), *locked* (1.5 s, the
//! fill at its target: what the summary times), *settled* (8 s: the ratio known to a few
//! ppm, the correction at its final value).

use super::clock::ClockLine;

/// The trim's time constant, as a share of the clocks' (shorter) window span, and its bounds.
const TRIM_SPAN_SHARE: f64 = 1.0;
const TRIM_MIN_S: f64 = 1.0;
const TRIM_MAX_S: f64 = 16.0;

/// The clocks' windows must span this much before the fill estimate is trusted to place the
/// start: with 1 ms of callback jitter their phase is then within a few microseconds.
const MEASURED_SPAN_S: f64 = 0.5;

/// Locked: the clocks' windows span this much and the fill is this close to the target.
const LOCK_SPAN_S: f64 = 1.5;
const LOCK_TOLERANCE_S: f64 = 0.25e-3;

/// Settled: the clocks' windows span this much. With 1 ms of uniform callback jitter on
/// 10 ms callbacks each line's rate is within 28 ppm RMS after 1.5 s, 15 after 2 s, 3 after
/// 5 s and 0.7 after 10 s (200 seeds; the error falls as the square of the span): from
/// eight seconds on the correction stays within a few ppm of its final value.
const SETTLED_SPAN_S: f64 = 8.0;

/// The low-pass between the loop and the resampler.
const SMOOTHING_S: f64 = 0.25;

/// The largest correction applied: ±0.9 %, far beyond any working clock (±1000 ppm).
const MAX_CORRECTION: f64 = 0.009;

#[derive(Debug, Clone, Copy)]
pub struct DriftLoop {
    target_frames: f64,
    input_nominal_hz: f64,
    output_nominal_hz: f64,
    correction: f64,
    /// When the last update ran (the output's clock, s); none after a restart, when the
    /// first update takes the loop's value as it is.
    last_update_s: Option<f64>,
    /// The trim's time constant: it only grows (a clock whose window restarts after a lost
    /// stretch does not make the trim quick again, when its fill estimate is least sure).
    trim_s: f64,
}

impl DriftLoop {
    /// Hold the fill at `target_frames` (input frames).
    pub fn new(target_frames: f64, input_nominal_hz: f64, output_nominal_hz: f64) -> DriftLoop {
        DriftLoop {
            target_frames,
            input_nominal_hz,
            output_nominal_hz,
            correction: 0.0,
            last_update_s: None,
            trim_s: TRIM_MIN_S,
        }
    }

    /// One update at `now_s` with the fill estimate `fill_frames` and both clocks' lines;
    /// returns the relative ratio for the resampler (output per input: below 1 consumes
    /// input faster).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn update(
        &mut self,
        now_s: f64,
        fill_frames: f64,
        input: &ClockLine,
        output: &ClockLine,
    ) -> f64 {
        let clocks = (input.rate_hz() / self.input_nominal_hz)
            / (output.rate_hz() / self.output_nominal_hz)
            - 1.0;
        let span_s = input.span_s.min(output.span_s);
        self.trim_s = (TRIM_SPAN_SHARE * span_s).clamp(self.trim_s, TRIM_MAX_S);
        let trim = (fill_frames - self.target_frames) / self.input_nominal_hz / self.trim_s;
        let wanted = (clocks + trim).clamp(-MAX_CORRECTION, MAX_CORRECTION);
        self.correction = match self.last_update_s {
            None => wanted,
            Some(last_s) => {
                let a = 1.0 - (-(now_s - last_s).max(0.0) / SMOOTHING_S).exp();
                self.correction + a * (wanted - self.correction)
            }
        };
        self.last_update_s = Some(now_s);
        1.0 / (1.0 + self.correction)
    }

    /// The ring restarted: the next update applies the loop's value at once.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn restart(&mut self) {
        self.last_update_s = None;
    }

    /// Whether both clocks are measured well enough to start from.
    pub fn measured(&self, input: &ClockLine, output: &ClockLine) -> bool {
        input.span_s.min(output.span_s) >= MEASURED_SPAN_S
    }

    /// Whether the loop holds: both clocks are measured over `LOCK_SPAN_S` and the fill is
    /// within `LOCK_TOLERANCE_S` of the target.
    pub fn locked(&self, fill_frames: f64, input: &ClockLine, output: &ClockLine) -> bool {
        input.span_s.min(output.span_s) >= LOCK_SPAN_S
            && (fill_frames - self.target_frames).abs() <= LOCK_TOLERANCE_S * self.input_nominal_hz
    }

    /// Whether the correction has settled (see `SETTLED_SPAN_S`).
    pub fn settled(&self, input: &ClockLine, output: &ClockLine) -> bool {
        input.span_s.min(output.span_s) >= SETTLED_SPAN_S
    }

    /// The current correction, parts per million (positive: the input clock runs fast).
    pub fn correction_ppm(&self) -> f64 {
        self.correction * 1e6
    }

    pub fn target_frames(&self) -> f64 {
        self.target_frames
    }

    /// Hold the fill at `target_frames` from now on (the trim moves it there).
    pub fn set_target_frames(&mut self, target_frames: f64) {
        self.target_frames = target_frames;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(rate_hz: f64, span_s: f64) -> ClockLine {
        ClockLine {
            frames: 0.0,
            time_s: 0.0,
            frame_s: 1.0 / rate_hz,
            span_s,
        }
    }

    #[test]
    fn the_loop_cancels_the_clocks_and_brings_the_fill_back() {
        // Input +400 ppm, output −100 ppm, measured exactly; the fill starts 40 frames over.
        let (input, output) = (line(48_000.0 * 1.0004, 20.0), line(44_100.0 * 0.9999, 20.0));
        let mut lp = DriftLoop::new(1000.0, 48_000.0, 44_100.0);
        let mut fill = 1040.0;
        let dt = 0.01;
        for k in 0..(120.0 / dt) as usize {
            let rel = lp.update(k as f64 * dt, fill, &input, &output);
            let u = 1.0 / rel - 1.0;
            // The fill integrates what the input delivers beyond what the converter takes.
            let clocks = 1.0004 / 0.9999 - 1.0;
            fill += 48_000.0 * (clocks - u) * dt;
        }
        let expected = (1.0004 / 0.9999 - 1.0) * 1e6;
        assert!(
            (lp.correction_ppm() - expected).abs() < 0.1,
            "{}",
            lp.correction_ppm()
        );
        // Sixteen-second time constant: 40 frames → 40·e^−7.5 after two minutes.
        assert!((fill - 1000.0).abs() < 0.05, "{fill}");
        assert!(lp.locked(fill, &input, &output));
        assert!(!lp.locked(fill, &line(48_000.0, 0.5), &output));
    }
}
