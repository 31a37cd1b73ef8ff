//! What the standalone's tests share: the simulated-clock test loop of the duplex tests (a
//! mono input into a stereo output on two `VirtualClock`s, run as fast as the CPU allows in
//! time order), the command line of a run on simulated drifting devices, and a private JACK
//! server (`jack_server.rs`).

pub mod jack_server;

use strata_standalone::device::virtual_clock::{Callback, Side, Simulation, VirtualClock};
use strata_standalone::duplex::{DuplexConfig, InputMap, InputSide, OutputSide, Processor};

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

/// Clocks as WASAPI gives them: a 48 kHz input (−300 ppm, 512 frames, 0.5 ms of jitter) and
/// a 44.1 kHz output whose callbacks alternate 1056 and 1115 frames (+200 ppm, 1 ms).
pub fn wasapi_clocks() -> (VirtualClock, VirtualClock) {
    (
        VirtualClock::new(48_000.0, 512)
            .ppm(-300.0)
            .jitter_s(0.5e-3),
        VirtualClock::new(44_100.0, 1056)
            .periods(&[1056, 1115])
            .ppm(200.0)
            .jitter_s(1e-3),
    )
}

/// What a `--summary-json` allows the settled correction to move by beyond the clocks: when
/// the margin was raised after the lock, the trim glides the fill up to it (its time constant
/// is 8 s or more once settled), Δ ms moving the correction by at most 125·Δ ppm.
pub fn glide_allowance_ppm(summary: &serde_json::Value) -> f64 {
    let lock_s = summary["lock_s"].as_f64().unwrap_or(f64::INFINITY);
    match summary["margin_raised_s"].as_f64() {
        Some(raised_s) if raised_s >= lock_s => {
            let at_lock = summary["margin_at_lock_ms"].as_f64().unwrap();
            125.0 * (summary["margin_ms"].as_f64().unwrap() - at_lock)
        }
        _ => 0.0,
    }
}

/// `strata-standalone` arguments for simulated devices as a user meets them: a 1 kHz tone
/// captured at 44.1 kHz (+300 ppm) played at 48 kHz (−200 ppm).
pub const DRIFTING_TONE: [&str; 12] = [
    "--audio-host",
    "Simulated",
    "--input-device",
    "tone",
    "--input-rate",
    "44100",
    "--output-rate",
    "48000",
    "--input-ppm",
    "300",
    "--output-ppm",
    "-200",
];
