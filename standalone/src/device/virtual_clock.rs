//! Simulated device clocks, for tests and for machines without a sound card: each has a
//! nominal rate, an error in ppm, callback jitter and a pattern of callback sizes (WASAPI
//! delivers 1056, 1115, 1056, … at 44.1 kHz in 10 ms mode). `simulate` runs an input and an
//! output clock against each other as fast as the CPU allows, in time order: hours of device
//! time in minutes.

use crate::duplex::{DuplexConfig, InputMap, InputSide, OutputSide, Processor};

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
        };
        sim.next_in = sim.schedule(Side::Input, 0);
        sim.next_out = sim.schedule(Side::Output, 0);
        sim
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
        (first, frames, due + late)
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

/// A mono input device into a stereo output device on these clocks, at the smallest safe
/// target latency.
pub fn mic_to_stereo(input: &VirtualClock, output: &VirtualClock) -> DuplexConfig {
    let config = DuplexConfig {
        input_rate_hz: input.nominal_rate_hz,
        output_rate_hz: output.nominal_rate_hz,
        input_channels: 1,
        output_channels: 2,
        input_map: InputMap::Mono(0),
        max_output_period: output.max_period(),
        input_period: input.mean_period(),
        target_latency_s: 0.0,
    };
    DuplexConfig {
        target_latency_s: config.minimum_latency_s(),
        ..config
    }
}

/// Run the duplex engine on `sim` until `end_s` of simulated time: `source(first_frame, data)`
/// fills each input callback's mono buffer; `sink(callback, consumed_before, output, data)`
/// sees each output callback after the engine filled its interleaved stereo `data`
/// (`consumed_before`: input frames the engine had taken before the callback).
pub fn run_duplex<P: Processor>(
    sim: &mut Simulation,
    input: &mut InputSide,
    output: &mut OutputSide<P>,
    end_s: f64,
    mut source: impl FnMut(u64, &mut [f32]),
    mut sink: impl FnMut(&Callback, u64, &OutputSide<P>, &[f32]),
) {
    let mut in_buf = vec![0.0f32; sim.input().max_period()];
    let mut out_buf = vec![0.0f32; 2 * sim.output().max_period()];
    loop {
        let (side, cb) = sim.step();
        if cb.time_s > end_s {
            return;
        }
        match side {
            Side::Input => {
                source(cb.first_frame, &mut in_buf[..cb.frames]);
                input.on_input(&in_buf[..cb.frames], cb.time_s);
            }
            Side::Output => {
                let consumed = output.consumed_frames();
                let data = &mut out_buf[..2 * cb.frames];
                output.on_output(data, cb.time_s);
                sink(&cb, consumed, output, data);
            }
        }
    }
}

/// A sine of `freq_hz` in true time at `amplitude`, for `run_duplex`'s source: frame `n` of
/// a clock running at `true_rate_hz`.
pub fn sine_source(freq_hz: f64, amplitude: f64, true_rate_hz: f64) -> impl FnMut(u64, &mut [f32]) {
    let w = 2.0 * std::f64::consts::PI * freq_hz / true_rate_hz;
    move |first, data| {
        for (k, s) in data.iter_mut().enumerate() {
            *s = (amplitude * (w * (first + k as u64) as f64).sin()) as f32;
        }
    }
}
