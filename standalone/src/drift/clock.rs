//! A device's clock seen through its callbacks: when frame `F` really passed, and at what
//! rate, from callback instants that come late by a varying amount.
//!
//! A callback can be late (the scheduler ran something else first) but never early: its
//! frames must exist before it runs. So the instants lie on or above the device's true line
//! `t = time(F)`, and the earliest ones carry the information. The estimate is the line under
//! every callback point of a sliding window that is highest at the window's middle — the
//! lower convex hull's edge there, the linear-programming clock estimate of Moon, Skelly and
//! Towsley ("Estimation and removal of clock skew from network delay measurements", 1999).
//! Averaging (a delay-locked loop) lets every late callback move the estimate: with 1 ms of
//! jitter the 0.1 Hz DLLs before it left the correction a spread of 45–113 ppm (simulated,
//! `duplex_clocks`); the hull moves only when a callback comes
//! earlier than any before it, and its error shrinks as the window grows, so it locks in a
//! second and then narrows by itself.

/// Callback points kept: twenty seconds of 10 ms callbacks. Shorter callbacks are grouped
/// (`GROUP_S`), so the window always spans at least ten seconds.
const POINTS: usize = 2048;

/// Callbacks closer together than this share one point (the earliest of them).
const GROUP_S: f64 = 5e-3;

/// Below this span the window's slope is noise: the line keeps the prior rate.
pub const MIN_FIT_SPAN_S: f64 = 0.2;

/// After a restart, the rate learnt before stays until the new window spans this much: a
/// short window's slope is far noisier (258 ppm RMS at 0.5 s, 3 at 5 s) than a rate that was
/// measured over seconds, and the device's clock did not change — its phase did.
const REFIT_SPAN_S: f64 = 4.0;

/// A callback this far off the line (a stall, frames lost, a device that restarted) means
/// the window no longer describes the device: start a new one.
const JUMP_S: f64 = 0.05;

/// A device that lost time (a JACK server's xrun skips cycles) comes late from then on: its
/// line moved. Callbacks this late, `STALE_CALLBACKS` in a row, restart the window (a stall
/// the device catches up from is a few late callbacks; uniform jitter of up to 6 ms puts 16
/// in a row beyond 3 ms once in 65 000).
const STEP_S: f64 = 3e-3;
const STALE_CALLBACKS: u32 = 16;

/// The fitted line: where frame `frames` passed and the seconds per frame. Small and `Copy`,
/// for publishing from one audio thread to the other.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockLine {
    pub frames: f64,
    pub time_s: f64,
    pub frame_s: f64,
    /// Seconds of callbacks the fit is built on (0 before the first callback).
    pub span_s: f64,
}

impl ClockLine {
    /// Frames the device had passed by `at_s` (fractional).
    pub fn frames_at(&self, at_s: f64) -> f64 {
        self.frames + (at_s - self.time_s) / self.frame_s
    }

    /// When frame `frames` passed.
    pub fn time_at(&self, frames: f64) -> f64 {
        self.time_s + (frames - self.frames) * self.frame_s
    }

    /// Estimated true rate, Hz.
    pub fn rate_hz(&self) -> f64 {
        1.0 / self.frame_s
    }

    /// Whether it is fitted to any callback yet.
    pub fn started(&self) -> bool {
        self.frames > 0.0
    }
}

/// How late a callback came after its point on its line, and when it came.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Late {
    pub at_s: f64,
    pub lateness_s: f64,
}

/// Which frame a callback's instant belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// The frame after its last: an input's callback comes once its frames are captured.
    End,
    /// Its first frame: an output's callback comes as the buffer before it starts to play,
    /// and its own buffer is due to start one buffer later. (With varying sizes, WASAPI's
    /// 1056/1115, anchoring at the end would make the shorter callbacks look late.)
    Start,
}

/// One device's callbacks, and the line under them.
#[derive(Debug, Clone)]
pub struct CallbackClock {
    anchor: Anchor,
    /// (frames counted, time) of each kept point, oldest at `head`.
    points: Box<[(f64, f64)]>,
    head: usize,
    len: usize,
    /// Scratch for the lower hull.
    hull: Box<[(f64, f64)]>,
    line: ClockLine,
    /// Seconds per frame to use while the window is too short to say.
    prior_frame_s: f64,
    /// Whether the prior was measured (a restarted window): then it stays for `REFIT_SPAN_S`.
    prior_measured: bool,
    frames: u64,
    /// The last callback's anchor frame.
    last_anchor: u64,
    stale: u32,
    /// The latest of the current run of stale callbacks: jitter if the run ends, time the
    /// device lost if it restarts the window.
    stale_late: Late,
    /// What the last callback confirmed as jitter (see `jitter`).
    jitter: Option<Late>,
    /// Windows restarted on this clock's own evidence (not on `follow`).
    restarts: u64,
}

impl CallbackClock {
    /// Allocates: build outside the audio threads.
    pub fn new(nominal_rate_hz: f64, anchor: Anchor) -> CallbackClock {
        CallbackClock {
            anchor,
            points: vec![(0.0, 0.0); POINTS].into_boxed_slice(),
            head: 0,
            len: 0,
            hull: vec![(0.0, 0.0); POINTS].into_boxed_slice(),
            line: ClockLine {
                frames: 0.0,
                time_s: 0.0,
                frame_s: 1.0 / nominal_rate_hz,
                span_s: 0.0,
            },
            prior_frame_s: 1.0 / nominal_rate_hz,
            prior_measured: false,
            frames: 0,
            last_anchor: 0,
            stale: 0,
            stale_late: Late::default(),
            jitter: None,
            restarts: 0,
        }
    }

    /// A callback at `now_s` that carries `frames` frames.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn tick(&mut self, now_s: f64, frames: usize) {
        self.last_anchor = match self.anchor {
            Anchor::End => self.frames + frames as u64,
            Anchor::Start => self.frames,
        };
        self.frames += frames as u64;
        let point = (self.last_anchor as f64, now_s);
        if self.len > 0 {
            let off_s = now_s - self.line.time_at(point.0);
            self.stale = if off_s > STEP_S { self.stale + 1 } else { 0 };
            if off_s < -JUMP_S || self.stale >= STALE_CALLBACKS {
                self.restarts += 1;
                self.follow();
            } else if off_s > JUMP_S {
                self.late(now_s, off_s);
                return;
            }
        }
        // A grouped callback that came later than the one it shares a point with leaves the
        // window, and so the line, as it was.
        if self.add(point) {
            self.fit();
        }
        self.late(now_s, now_s - self.line.time_at(point.0));
    }

    fn late(&mut self, now_s: f64, lateness_s: f64) {
        let late = Late {
            at_s: now_s,
            lateness_s,
        };
        let later = |a: Late, b: Late| if b.lateness_s > a.lateness_s { b } else { a };
        if self.stale > 0 {
            self.stale_late = later(self.stale_late, late);
            self.jitter = None;
        } else {
            self.jitter = Some(later(late, self.stale_late));
            self.stale_late = Late::default();
        }
    }

    /// Lateness this callback confirmed as jitter: its own, or, when it ends a run of stale
    /// callbacks that did not restart the window, the latest of that run (a stall the device
    /// caught up from); none while a run lasts. Time a device lost (a restart) is not jitter:
    /// a margin for it would stay when the device is punctual again.
    pub fn jitter(&self) -> Option<Late> {
        self.jitter
    }

    /// How many times the window restarted on this clock's own callbacks.
    pub fn restarts(&self) -> u64 {
        self.restarts
    }

    /// Start a new window from the next callback, keeping the rate learnt so far (the
    /// device's clock did not change, its phase did): on this clock's own evidence, or
    /// because the other device's clock restarted. Two devices of one server (JACK) lose time
    /// together; restarted at different callbacks, their lines would disagree meanwhile by
    /// what was lost, and the ring's fill estimate with them.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn follow(&mut self) {
        if self.len > 0 && self.line.span_s >= MIN_FIT_SPAN_S {
            self.prior_frame_s = self.line.frame_s;
            self.prior_measured = true;
        }
        self.len = 0;
        self.stale = 0;
        self.stale_late = Late::default();
    }

    /// Keep `point`: as a new one, or in place of the newest if that is under `GROUP_S` old
    /// and later relative to the line. Whether the window changed.
    fn add(&mut self, point: (f64, f64)) -> bool {
        if self.len > 0 {
            let newest = (self.head + self.len - 1) % POINTS;
            let last = self.points[newest];
            if point.1 - last.1 < GROUP_S {
                let residual = |(f, t): (f64, f64)| t - f * self.line.frame_s;
                let earlier = residual(point) < residual(last);
                if earlier {
                    self.points[newest] = point;
                }
                return earlier;
            }
        }
        if self.len == POINTS {
            self.head = (self.head + 1) % POINTS;
            self.len -= 1;
        }
        self.points[(self.head + self.len) % POINTS] = point;
        self.len += 1;
        true
    }

    /// Refit the line to the window.
    fn fit(&mut self) {
        let first = self.points[self.head];
        let last = self.points[(self.head + self.len - 1) % POINTS];
        let span_s = last.1 - first.1;
        let min_span_s = if self.prior_measured {
            REFIT_SPAN_S
        } else {
            MIN_FIT_SPAN_S
        };
        if span_s < min_span_s {
            // The prior rate through the earliest point relative to it.
            let p = self.prior_frame_s;
            let (frames, time_s) = (0..self.len)
                .map(|k| self.points[(self.head + k) % POINTS])
                .min_by(|a, b| (a.1 - a.0 * p).total_cmp(&(b.1 - b.0 * p)))
                .unwrap_or(last);
            self.line = ClockLine {
                frames,
                time_s,
                frame_s: p,
                span_s,
            };
            return;
        }
        // Lower hull (Andrew's monotone chain: the points come in order of frames).
        let mut n = 0;
        for k in 0..self.len {
            let c = self.points[(self.head + k) % POINTS];
            while n >= 2 && cross(self.hull[n - 2], self.hull[n - 1], c) <= 0.0 {
                n -= 1;
            }
            self.hull[n] = c;
            n += 1;
        }
        // The edge over the window's middle.
        let middle = 0.5 * (first.0 + last.0);
        let i = (1..n).find(|&i| self.hull[i].0 >= middle).unwrap_or(n - 1);
        let (a, b) = (self.hull[i - 1], self.hull[i]);
        let frame_s = (b.1 - a.1) / (b.0 - a.0);
        // A slope beyond 1 % of the prior is not a clock: keep the prior.
        let frame_s = if (frame_s / self.prior_frame_s - 1.0).abs() < 0.01 {
            frame_s
        } else {
            self.prior_frame_s
        };
        self.line = ClockLine {
            frames: a.0,
            time_s: a.1,
            frame_s,
            span_s,
        };
    }

    /// The current line.
    pub fn line(&self) -> ClockLine {
        self.line
    }

    /// When the last callback was due: its point on the line, without its lateness.
    pub fn due_s(&self) -> f64 {
        self.line.time_at(self.last_anchor as f64)
    }
}

/// Twice the signed area of the triangle o, a, b: positive when o → a → b turns left.
fn cross(o: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Callbacks of `period` frames from a clock at `true_rate`, late by up to `jitter_s`.
    fn run(clock: &mut CallbackClock, true_rate: f64, period: usize, jitter_s: f64, n: usize) {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut frames = clock.frames;
        for _ in 0..n {
            frames += period as u64;
            clock.tick(frames as f64 / true_rate + rng.f64() * jitter_s, period);
        }
    }

    #[test]
    fn the_line_finds_the_true_rate_through_jitter() {
        let true_rate = 48_000.0 * (1.0 + 300e-6);
        let mut clock = CallbackClock::new(48_000.0, Anchor::End);
        // Two seconds of 10 ms callbacks, each up to 1 ms late.
        run(&mut clock, true_rate, 480, 1e-3, 200);
        let ppm = |c: &CallbackClock| (c.line().rate_hz() / true_rate - 1.0) * 1e6;
        let after_2s = ppm(&clock);
        run(&mut clock, true_rate, 480, 1e-3, 800);
        let after_10s = ppm(&clock);
        println!("rate error: {after_2s:+.2} ppm after 2 s, {after_10s:+.2} ppm after 10 s");
        // Over 200 seeds: 15 ppm RMS after 2 s, 0.7 after 10 s.
        assert!(after_2s.abs() < 40.0, "{after_2s} ppm after 2 s");
        assert!(after_10s.abs() < 3.0, "{after_10s} ppm after 10 s");
        // The line runs under the callbacks, at their earliest: where frame F passed.
        let f = clock.frames as f64;
        let off_us = (clock.line().time_at(f) - f / true_rate) * 1e6;
        assert!((-20.0..20.0).contains(&off_us), "phase off by {off_us} µs");
    }

    #[test]
    fn a_stall_restarts_the_window_but_keeps_the_rate() {
        let true_rate = 44_100.0 * (1.0 - 200e-6);
        let mut clock = CallbackClock::new(44_100.0, Anchor::End);
        run(&mut clock, true_rate, 441, 1e-3, 500);
        let rate = clock.line().rate_hz();
        // The device loses 100 ms (frames it never delivered): every callback from now on
        // comes 100 ms later than the line says.
        let mut frames = clock.frames;
        let mut rng = fastrand::Rng::with_seed(5);
        for _ in 0..300 {
            frames += 441;
            clock.tick(0.1 + frames as f64 / true_rate + rng.f64() * 1e-3, 441);
        }
        let f = clock.frames as f64;
        let off_us = (clock.line().time_at(f) - (0.1 + f / true_rate)) * 1e6;
        assert!((-50.0..50.0).contains(&off_us), "phase off by {off_us} µs");
        let ppm = (clock.line().rate_hz() / rate - 1.0) * 1e6;
        assert!(ppm.abs() < 20.0, "rate moved by {ppm} ppm");
    }
}
