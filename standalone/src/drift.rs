//! Drift control: keeps the input ring's fill — the latency — constant while the input and
//! output clocks wander, as alsa_in, zita-ajbridge and PipeWire do.
//!
//! Two pieces:
//! - `CallbackClock`, a delay-locked loop on one device's callback times (F. Adriaensen,
//!   "Using a DLL to filter time", 2005): from jittery callback instants and frame counts it
//!   keeps a smooth estimate of when each frame passed and of the device's true rate;
//! - `DriftLoop`, a PI controller: the error is the ring's fill estimated at the same smooth
//!   instant on both clocks (input frames that have arrived by then, minus frames consumed),
//!   less the target; its output is the resampler's relative ratio.
//!
//! Measuring the fill at callback times directly would see a sawtooth of up to a whole input
//! period (the phase between the two callbacks); the DLLs remove it, so the loop can be gentle
//! and the ratio — the pitch — nearly constant.

/// A delay-locked loop on a device's callbacks.
#[derive(Debug, Clone, Copy)]
pub struct CallbackClock {
    /// Smoothed time at which the last callback's frames ended, seconds.
    time_s: f64,
    /// Estimated seconds per frame.
    frame_s: f64,
    /// Frames counted up to `time_s`.
    frames: u64,
    b: f64,
    c: f64,
    started: bool,
}

impl CallbackClock {
    /// `bandwidth_hz` sets how fast it follows and how much callback jitter gets through.
    pub fn new(nominal_rate_hz: f64, nominal_period: usize, bandwidth_hz: f64) -> CallbackClock {
        let period_s = nominal_period as f64 / nominal_rate_hz;
        let omega = 2.0 * std::f64::consts::PI * bandwidth_hz * period_s;
        CallbackClock {
            time_s: 0.0,
            frame_s: 1.0 / nominal_rate_hz,
            frames: 0,
            b: std::f64::consts::SQRT_2 * omega,
            c: omega * omega,
            started: false,
        }
    }

    /// A callback at `now_s` that handled `frames` frames.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn tick(&mut self, now_s: f64, frames: usize) {
        self.frames += frames as u64;
        if !self.started {
            self.time_s = now_s;
            self.started = true;
            return;
        }
        let predicted = self.time_s + frames as f64 * self.frame_s;
        let error = now_s - predicted;
        // A late callback (a stall, a suspended process) is not evidence about the rate.
        if error.abs() > 0.25 {
            self.time_s = now_s;
            return;
        }
        self.time_s = predicted + self.b * error;
        self.frame_s += self.c * error / frames.max(1) as f64;
    }

    /// Frames counted by `at_s` (fractional, extrapolated from the last callback).
    pub fn frames_at(&self, at_s: f64) -> f64 {
        self.frames as f64 + (at_s - self.time_s) / self.frame_s
    }

    /// The smoothed time of the last callback.
    pub fn time_s(&self) -> f64 {
        self.time_s
    }

    /// Estimated true rate, Hz.
    pub fn rate_hz(&self) -> f64 {
        1.0 / self.frame_s
    }

    pub fn started(&self) -> bool {
        self.started
    }
}

/// PI control of the ring fill through the resampler's relative ratio.
#[derive(Debug, Clone, Copy)]
pub struct DriftLoop {
    target_frames: f64,
    kp: f64,
    ki: f64,
    integral: f64,
    correction: f64,
}

impl DriftLoop {
    /// Hold the fill at `target_frames` (input frames), reacting with a loop bandwidth of
    /// `bandwidth_hz`, critically damped-ish (ζ ≈ 0.7).
    pub fn new(target_frames: f64, input_rate_hz: f64, bandwidth_hz: f64) -> DriftLoop {
        // Fill dynamics: d(fill)/dt = rate_in · (drift − u) with u the correction; a PI law
        // u = kp·e + ki·∫e dt gives ωn² = rate_in·ki and 2ζωn = rate_in·kp.
        let omega = 2.0 * std::f64::consts::PI * bandwidth_hz;
        let zeta = 0.7;
        DriftLoop {
            target_frames,
            kp: 2.0 * zeta * omega / input_rate_hz,
            ki: omega * omega / input_rate_hz,
            integral: 0.0,
            correction: 0.0,
        }
    }

    /// One update `dt_s` after the last with the fill estimate `fill_frames`; returns the
    /// relative ratio for the resampler (output per input: below 1 consumes input faster).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn update(&mut self, fill_frames: f64, dt_s: f64) -> f64 {
        let error = fill_frames - self.target_frames;
        self.integral = (self.integral + self.ki * error * dt_s).clamp(-0.005, 0.005);
        self.correction = (self.kp * error + self.integral).clamp(-0.009, 0.009);
        1.0 / (1.0 + self.correction)
    }

    /// The current correction, parts per million (positive: the input clock runs fast).
    pub fn correction_ppm(&self) -> f64 {
        self.correction * 1e6
    }

    pub fn target_frames(&self) -> f64 {
        self.target_frames
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_learns_the_true_rate_through_jitter() {
        let true_rate = 48_000.0 * (1.0 + 300e-6);
        let mut clock = CallbackClock::new(48_000.0, 512, crate::duplex::CLOCK_BANDWIDTH_HZ);
        let mut rng = fastrand::Rng::with_seed(3);
        let mut frames = 0u64;
        let (mut rate_sum, mut worst_frames) = (0.0, 0.0f64);
        let n = 20_000;
        for k in 0..n {
            frames += 512;
            let jitter = (rng.f64() - 0.5) * 2e-3;
            clock.tick(frames as f64 / true_rate + jitter, 512);
            if k >= n / 2 {
                // One callback's estimate moves with the jitter; on average it is the true rate.
                rate_sum += clock.rate_hz();
                // Frames by an instant between callbacks: what the drift loop asks.
                let t = (frames as f64 + 100.0) / true_rate;
                worst_frames =
                    worst_frames.max((clock.frames_at(t) - (frames as f64 + 100.0)).abs());
            }
        }
        let ppm = (rate_sum / (n / 2) as f64 / true_rate - 1.0) * 1e6;
        assert!(ppm.abs() < 5.0, "mean rate off by {ppm} ppm");
        // ±1 ms of jitter is ±48 frames; the filtered clock stays within a quarter of that
        // (measured 8.2 frames).
        assert!(worst_frames < 12.0, "frames_at off by {worst_frames}");
    }

    #[test]
    fn the_loop_settles_on_the_clock_error() {
        // A fill that integrates (drift − u): the loop must cancel a +400 ppm input clock.
        let rate = 48_000.0;
        let mut fill = 1000.0;
        let mut lp = DriftLoop::new(1000.0, rate, 0.05);
        let dt = 512.0 / rate;
        for _ in 0..200_000 {
            let rel = lp.update(fill, dt);
            let u = 1.0 / rel - 1.0;
            fill += rate * (400e-6 - u) * dt;
        }
        assert!(
            (lp.correction_ppm() - 400.0).abs() < 1.0,
            "{}",
            lp.correction_ppm()
        );
        assert!((fill - 1000.0).abs() < 1.0, "{fill}");
    }
}
