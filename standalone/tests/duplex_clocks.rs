//! The duplex engine on simulated clocks, fast-forwarded: different rates, clock errors of
//! ±500 ppm, callback jitter, WASAPI-like callback sizes. After lock the ring's true fill —
//! the latency the engine adds, measured from the simulated clocks, not from the engine's own
//! estimate — must stay within ±1 ms of the target for an hour with no under- or overrun,
//! and the drift correction must match the clocks' real ratio.

use std::sync::atomic::Ordering;

// Each test binary uses part of the shared loop.
#[allow(dead_code)]
mod common;

use common::{mic_to_stereo, run_duplex, sine_source};
use strata_standalone::device::virtual_clock::{Simulation, VirtualClock};
use strata_standalone::duplex::{Passthrough, engine};

/// Simulated seconds per scenario (an hour unless `STRATA_SIM_SECONDS` says otherwise).
fn duration_s() -> f64 {
    std::env::var("STRATA_SIM_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3600.0)
}

const LOCK_S: f64 = 60.0;

struct Outcome {
    latency_min_s: f64,
    latency_max_s: f64,
    target_s: f64,
    /// Mean after lock.
    correction_ppm: f64,
    correction_range_ppm: (f64, f64),
    expected_ppm: f64,
    xruns_after_lock: u64,
    lock_s: f64,
}

fn run(input: VirtualClock, output: VirtualClock, seed: u64) -> Outcome {
    let config = mic_to_stereo(&input, &output);
    let (mut input_side, mut output_side, stats) = engine(config, Passthrough);
    let (true_in, true_out) = (input.true_rate_hz(), output.true_rate_hz());
    let expected_ppm = (input.true_rate_hz()
        / input.nominal_rate_hz
        / (output.true_rate_hz() / output.nominal_rate_hz)
        - 1.0)
        * 1e6;
    let mut sim = Simulation::new(input.clone(), output.clone(), seed);
    let xruns = || {
        stats.underruns.load(Ordering::Relaxed)
            + stats.overruns.load(Ordering::Relaxed)
            + stats.resyncs.load(Ordering::Relaxed)
    };
    let (mut lat_min, mut lat_max) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut xruns_at_lock = None;
    // Sum, count, min, max of the correction after lock.
    let mut corr = (0.0, 0.0, f64::INFINITY, f64::NEG_INFINITY);
    let mut lock_s = f64::NAN;
    let source = sine_source(997.0, 0.5, true_in);
    run_duplex(
        &mut sim,
        &mut input_side,
        &mut output_side,
        duration_s(),
        source,
        |cb, consumed, out, _| {
            // The engine's fractional read position stays within a couple of frames of the whole
            // frames it took (it mirrors the resampler's index).
            let lead = out.consumed_frames() as f64 - out.read_position();
            assert!(
                (-1.0..=4.0).contains(&lead),
                "read position {lead} frames behind the pulls"
            );
            // Ground truth from the simulated clocks: the buffer's first frame plays at
            // first_frame / true output rate (plus the device's constant buffering); the input
            // frame the resampler starts it from was captured at consumed / true input rate (plus
            // the filter's constant delay).
            let fill_s = cb.first_frame as f64 / true_out - consumed as f64 / true_in;
            if lock_s.is_nan()
                && (fill_s - config.target_latency_s).abs() < 0.5e-3
                && cb.time_s > 1.0
            {
                lock_s = cb.time_s;
            }
            if cb.time_s >= LOCK_S {
                xruns_at_lock.get_or_insert(xruns());
                lat_min = lat_min.min(fill_s);
                lat_max = lat_max.max(fill_s);
                let c = stats.correction_ppm.load(Ordering::Relaxed);
                corr.0 += c;
                corr.1 += 1.0;
                corr.2 = corr.2.min(c);
                corr.3 = corr.3.max(c);
            }
        },
    );
    let xruns = xruns();
    Outcome {
        latency_min_s: lat_min,
        latency_max_s: lat_max,
        target_s: config.target_latency_s,
        correction_ppm: corr.0 / corr.1,
        correction_range_ppm: (corr.2, corr.3),
        expected_ppm,
        xruns_after_lock: xruns - xruns_at_lock.unwrap_or(xruns),
        lock_s,
    }
}

fn check(name: &str, input: VirtualClock, output: VirtualClock, seed: u64) {
    let o = run(input, output, seed);
    println!(
        "{name}: lock {:.1} s; latency {:.3}–{:.3} ms (target {:.3} ms); correction {:+.2} ppm mean, {:+.1}…{:+.1} (clocks {:+.2}); xruns after lock {}",
        o.lock_s,
        o.latency_min_s * 1e3,
        o.latency_max_s * 1e3,
        o.target_s * 1e3,
        o.correction_ppm,
        o.correction_range_ppm.0,
        o.correction_range_ppm.1,
        o.expected_ppm,
        o.xruns_after_lock
    );
    assert_eq!(o.xruns_after_lock, 0, "{name}");
    assert!(o.lock_s < LOCK_S, "{name}: no lock within {LOCK_S} s");
    assert!(
        (o.latency_min_s - o.target_s).abs() <= 1e-3
            && (o.latency_max_s - o.target_s).abs() <= 1e-3,
        "{name}"
    );
    // Measured within 0.01 ppm over an hour.
    assert!((o.correction_ppm - o.expected_ppm).abs() < 0.1, "{name}");
}

#[test]
fn cd_rate_mic_into_48k_output() {
    check(
        "44.1→48 kHz, in +500 ppm, out −500 ppm, 1 ms jitter",
        VirtualClock::new(44_100.0, 441).ppm(500.0).jitter_s(1e-3),
        VirtualClock::new(48_000.0, 480).ppm(-500.0).jitter_s(1e-3),
        1,
    );
}

#[test]
fn wasapi_sizes_48k_into_cd_rate() {
    check(
        "48→44.1 kHz, WASAPI 1056/1115 output, in −300 ppm, out +200 ppm",
        VirtualClock::new(48_000.0, 512)
            .ppm(-300.0)
            .jitter_s(0.5e-3),
        VirtualClock::new(44_100.0, 1056)
            .periods(&[1056, 1115])
            .ppm(200.0)
            .jitter_s(1e-3),
        2,
    );
}

#[test]
fn high_rate_interface_into_cd_rate() {
    check(
        "96→44.1 kHz, in +100 ppm, out −400 ppm",
        VirtualClock::new(96_000.0, 1024)
            .ppm(100.0)
            .jitter_s(0.5e-3),
        VirtualClock::new(44_100.0, 512)
            .ppm(-400.0)
            .jitter_s(0.5e-3),
        3,
    );
}

#[test]
fn same_nominal_rate_different_clocks() {
    check(
        "48↔48 kHz, in +500 ppm, out −500 ppm",
        VirtualClock::new(48_000.0, 256).ppm(500.0).jitter_s(1e-3),
        VirtualClock::new(48_000.0, 128)
            .ppm(-500.0)
            .jitter_s(0.5e-3),
        4,
    );
}
