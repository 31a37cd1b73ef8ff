//! Simulated device clocks, for tests and for machines without a sound card: each has a
//! nominal rate, an error in ppm, callback jitter and a pattern of callback sizes (WASAPI
//! delivers 1056, 1115, 1056, … at 44.1 kHz in 10 ms mode). A `Simulation` steps an input and
//! an output clock against each other as fast as the CPU allows, in time order: hours of
//! device time in minutes.

/// One simulated device clock.
#[derive(Debug, Clone, PartialEq)]
pub struct VirtualClock {
    pub nominal_rate_hz: f64,
    /// Error of the real rate, parts per million (+: runs fast).
    pub ppm: f64,
    /// Callbacks come up to this late, uniformly distributed, seconds.
    pub jitter_s: f64,
    /// Callback sizes, repeated.
    pub periods: Vec<usize>,
}

impl VirtualClock {
    pub fn new(nominal_rate_hz: f64, period: usize) -> VirtualClock {
        VirtualClock {
            nominal_rate_hz,
            ppm: 0.0,
            jitter_s: 0.0,
            periods: vec![period],
        }
    }

    pub fn ppm(mut self, ppm: f64) -> VirtualClock {
        self.ppm = ppm;
        self
    }

    pub fn jitter_s(mut self, jitter_s: f64) -> VirtualClock {
        self.jitter_s = jitter_s;
        self
    }

    pub fn periods(mut self, periods: &[usize]) -> VirtualClock {
        self.periods = periods.to_vec();
        self
    }

    /// The rate the clock really runs at.
    pub fn true_rate_hz(&self) -> f64 {
        self.nominal_rate_hz * (1.0 + self.ppm * 1e-6)
    }

    pub fn max_period(&self) -> usize {
        self.periods.iter().copied().max().unwrap_or(1)
    }

    /// The mean callback size.
    pub fn mean_period(&self) -> usize {
        self.periods.iter().sum::<usize>() / self.periods.len().max(1)
    }
}

/// A callback the simulation makes.
#[derive(Debug, Clone, Copy)]
pub struct Callback {
    /// When it runs, seconds of simulated time.
    pub time_s: f64,
    /// Frames it carries.
    pub frames: usize,
    /// Index of its first frame since the start.
    pub first_frame: u64,
}

/// A running pair of clocks, stepped one callback at a time in time order.
pub struct Simulation {
    input: VirtualClock,
    output: VirtualClock,
    rng: fastrand::Rng,
    next_in: (u64, usize, f64),
    next_out: (u64, usize, f64),
    k_in: usize,
    k_out: usize,
    /// (which side, or both; when; how long): the device loses that much time then, as a
    /// JACK server's xrun skips cycles; every callback of it due after comes that much later.
    losses: Vec<(Option<Side>, f64, f64)>,
    /// (when, how long): the machine stalls both devices' threads then; a callback that would
    /// have come meanwhile comes as it ends.
    stalls: Vec<(f64, f64)>,
}

/// Which side a callback is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Input,
    Output,
}

impl Simulation {
    pub fn new(input: VirtualClock, output: VirtualClock, seed: u64) -> Simulation {
        let mut sim = Simulation {
            input,
            output,
            rng: fastrand::Rng::with_seed(seed),
            next_in: (0, 0, 0.0),
            next_out: (0, 0, 0.0),
            k_in: 0,
            k_out: 0,
            losses: Vec::new(),
            stalls: Vec::new(),
        };
        sim.next_in = sim.schedule(Side::Input, 0);
        sim.next_out = sim.schedule(Side::Output, 0);
        sim
    }

    /// Both devices lose `lost_s` of time at `at_s` (device time): every callback due after
    /// comes that much later, with its frames where they were.
    pub fn lose_time(mut self, at_s: f64, lost_s: f64) -> Simulation {
        self.losses.push((None, at_s, lost_s));
        self
    }

    /// One device alone loses `lost_s` at `at_s`, as one client of a JACK server whose cycle
    /// it missed: its frames come that much later from then on, the other's do not.
    pub fn lose_time_on(mut self, side: Side, at_s: f64, lost_s: f64) -> Simulation {
        self.losses.push((Some(side), at_s, lost_s));
        self
    }

    /// The machine stalls both devices' threads for `length_s` at `at_s` (simulated time).
    pub fn stall(mut self, at_s: f64, length_s: f64) -> Simulation {
        self.stalls.push((at_s, length_s));
        self
    }

    /// An input callback runs once its last frame has been captured; an output callback runs
    /// when the previous buffer starts playing (one buffer ahead). Both may be late by jitter.
    fn schedule(&mut self, side: Side, first: u64) -> (u64, usize, f64) {
        let (clock, k) = match side {
            Side::Input => (&self.input, self.k_in),
            Side::Output => (&self.output, self.k_out),
        };
        let frames = clock.periods[k % clock.periods.len()];
        let due = match side {
            Side::Input => (first + frames as u64) as f64,
            Side::Output => first as f64,
        } / clock.true_rate_hz();
        let late = self.rng.f64() * clock.jitter_s;
        let lost: f64 = self
            .losses
            .iter()
            .filter(|(on, at_s, _)| on.is_none_or(|on| on == side) && due > *at_s)
            .map(|(_, _, lost_s)| lost_s)
            .sum();
        let mut time_s = due + lost + late;
        for &(at_s, length_s) in &self.stalls {
            if (at_s..at_s + length_s).contains(&time_s) {
                time_s = at_s + length_s;
            }
        }
        (first, frames, time_s)
    }

    /// The next callback in time order.
    pub fn step(&mut self) -> (Side, Callback) {
        let side = if self.next_in.2 <= self.next_out.2 {
            Side::Input
        } else {
            Side::Output
        };
        let (first, frames, time_s) = match side {
            Side::Input => self.next_in,
            Side::Output => self.next_out,
        };
        let next_first = first + frames as u64;
        match side {
            Side::Input => {
                self.k_in += 1;
                self.next_in = self.schedule(Side::Input, next_first);
            }
            Side::Output => {
                self.k_out += 1;
                self.next_out = self.schedule(Side::Output, next_first);
            }
        }
        (
            side,
            Callback {
                time_s,
                frames,
                first_frame: first,
            },
        )
    }

    pub fn input(&self) -> &VirtualClock {
        &self.input
    }

    pub fn output(&self) -> &VirtualClock {
        &self.output
    }
}
