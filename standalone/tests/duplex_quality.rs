//! Conversion quality through the whole duplex path (ring, drift loop, resampler, a neutral
//! processor) on simulated clocks: 44.1 → 48 kHz and 48 → 44.1 kHz with +300 ppm of drift.
//! The callbacks come on time here (jitter moves the drift correction, which the clock test
//! measures); the first 100 s are left for the loop to settle to a constant ratio, since a
//! ratio still moving by a fraction of a ppm shows in a 20 s fit as a phase error. Sines are
//! fitted (least squares at the known frequency) in the 20 s that follow: the
//! level at 20 Hz–20 kHz within ±0.01 dB, at 40/80/160/320 Hz within ±0.001 dB (the
//! "hollow bass" bug), the residual of a 1 kHz sine (THD+N) ≤ −120 dB, and L = R exactly for
//! a mono source.
//!
//! Under callback jitter the correction wanders by a few ppm (the clock test bounds it), which
//! a 20 s sine fit would count as distortion: there the tones are measured as an analyser
//! does, in a Welch spectrum with ±20 Hz around the tone taken as the tone (THD+N) and
//! ±10 Hz as its level, from the drift loop's settling (8 s) on.

use strata_test_support::db::ratio_to_db;
use strata_test_support::fit::{Search, fit_sine_near};
use strata_test_support::spectrum::{thd_n_db, tone_amplitude};
// Each test binary uses part of the shared loop.
#[allow(dead_code)]
mod common;

use common::{mic_to_stereo, run_duplex, sine_source, wasapi_clocks};
use strata_standalone::device::virtual_clock::{Simulation, VirtualClock};
use strata_standalone::duplex::{Passthrough, engine};

/// Run a sine of `freq_hz` (amplitude 0.5) through the path; return the output's left and
/// right channels from `skip_s` on, and the output's true rate.
fn through_duplex(
    input: VirtualClock,
    output: VirtualClock,
    freq_hz: f64,
    seconds: f64,
    skip_s: f64,
    seed: u64,
) -> (Vec<f64>, Vec<f64>) {
    let config = mic_to_stereo(&input, &output);
    let (mut input_side, mut output_side, _stats) = engine(config, Passthrough);
    let mut sim = Simulation::new(input.clone(), output.clone(), seed);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let skip = (skip_s * output.nominal_rate_hz) as u64;
    let source = sine_source(freq_hz, 0.5, input.true_rate_hz());
    run_duplex(
        &mut sim,
        &mut input_side,
        &mut output_side,
        seconds,
        source,
        |cb, _, _, data| {
            if cb.first_frame >= skip {
                for frame in data.chunks_exact(2) {
                    left.push(frame[0] as f64);
                    right.push(frame[1] as f64);
                }
            }
        },
    );
    (left, right)
}

/// Amplitude and residual RMS of the sine near `cycles_per_sample`: the drift loop's mean
/// ratio differs from nominal by the clocks' error, so the frequency is refined first (golden
/// section on the residual within ±20 ppm).
fn fit(x: &[f64], cycles_per_sample: f64) -> (f64, f64) {
    let search = Search {
        span_ppm: 20.0,
        grid_ppm: 20.0,
        resolution_ppm: 1e-6,
    };
    let (f, _) = fit_sine_near(x, cycles_per_sample, search);
    (f.amplitude, f.residual_rms)
}

fn clocks(in_rate: f64, out_rate: f64) -> (VirtualClock, VirtualClock) {
    (
        VirtualClock::new(in_rate, 256).ppm(300.0),
        VirtualClock::new(out_rate, 256),
    )
}

fn response(in_rate: f64, out_rate: f64) {
    let mut worst = (0.0f64, 0.0);
    let mut worst_bass = (0.0f64, 0.0);
    for f in [
        20.0, 40.0, 80.0, 160.0, 320.0, 1000.0, 5000.0, 10_000.0, 15_000.0, 18_000.0, 20_000.0,
    ] {
        let (input, output) = clocks(in_rate, out_rate);
        // The sine is f Hz in true time; the output samples it at its true rate.
        let cycles = f / output.true_rate_hz();
        let (left, right) = through_duplex(input, output, f, 120.0, 100.0, 7);
        assert_eq!(left, right, "L and R differ at {f} Hz");
        let (amplitude, residual) = fit(&left, cycles);
        let db = 20.0 * (amplitude / 0.5).log10();
        println!(
            "{in_rate}→{out_rate}: {f:>6} Hz {db:+.5} dB, residual {:.1} dB",
            20.0 * (residual / (amplitude / 2f64.sqrt())).log10()
        );
        if db.abs() > worst.0.abs() {
            worst = (db, f);
        }
        if (40.0..=320.0).contains(&f) && db.abs() > worst_bass.0.abs() {
            worst_bass = (db, f);
        }
        if f == 1000.0 {
            let thd_n = 20.0 * (residual / (amplitude / 2f64.sqrt())).log10();
            // Measured −142.7/−143.0 dB; the spec asks for −120.
            assert!(thd_n <= -125.0, "THD+N {thd_n:.1} dB");
        }
    }
    println!(
        "{in_rate}→{out_rate}: worst {:+.5} dB at {} Hz, bass worst {:+.6} dB at {} Hz",
        worst.0, worst.1, worst_bass.0, worst_bass.1
    );
    // Measured within 0.00002 dB and 0.000001 dB; the spec asks for ±0.01 and ±0.001 dB.
    assert!(worst.0.abs() <= 2e-4, "{worst:?}");
    assert!(worst_bass.0.abs() <= 1e-5, "{worst_bass:?}");
}

#[test]
fn cd_rate_to_48k_is_transparent() {
    response(44_100.0, 48_000.0);
}

#[test]
fn from_48k_to_cd_rate_is_transparent() {
    response(48_000.0, 44_100.0);
}

/// Flatness and THD+N with jittered callbacks: `clocks` makes the scenario afresh for each tone.
fn under_jitter(name: &str, clocks: impl Fn() -> (VirtualClock, VirtualClock)) {
    let mut worst = (0.0f64, 0.0);
    for f in [
        20.0, 40.0, 80.0, 160.0, 320.0, 1000.0, 5000.0, 10_000.0, 15_000.0, 18_000.0, 20_000.0,
    ] {
        let (input, output) = clocks();
        // The tone in the output's samples, read at its nominal rate.
        let rate = output.nominal_rate_hz;
        let tone_hz = f * rate / output.true_rate_hz();
        let (left, right) = through_duplex(input, output, f, 38.0, 8.0, 11);
        assert_eq!(left, right, "{name}: L and R differ at {f} Hz");
        let db = ratio_to_db(tone_amplitude(&left, rate, tone_hz, 10.0) / 0.5);
        let thd_n = thd_n_db(&left, rate, tone_hz, 20.0);
        println!("{name}: {f:>6} Hz {db:+.5} dB, THD+N {thd_n:.1} dB");
        if db.abs() > worst.0.abs() {
            worst = (db, f);
        }
        // At 1 kHz measured −143.7 (jitter) and −143.1 dB (WASAPI); the spec asks for −120.
        if f == 1000.0 {
            assert!(thd_n <= -125.0, "{name}: THD+N {thd_n:.1} dB");
        }
        // Highest at 20 kHz: −121.4 and −129.6 dB measured. With the correction applied
        // unsmoothed it read −107.7 dB there.
        assert!(thd_n <= -112.0, "{name}: THD+N {thd_n:.1} dB at {f} Hz");
    }
    println!("{name}: worst {:+.5} dB at {} Hz", worst.0, worst.1);
    // Measured within 0.00002 dB in both; the spec asks for ±0.01 dB.
    assert!(worst.0.abs() <= 2e-4, "{name}: {worst:?}");
}

#[test]
fn jittered_callbacks_keep_the_conversion_clean() {
    under_jitter("44.1→48 kHz, ±500 ppm, 1 ms jitter", || {
        (
            VirtualClock::new(44_100.0, 441).ppm(500.0).jitter_s(1e-3),
            VirtualClock::new(48_000.0, 480).ppm(-500.0).jitter_s(1e-3),
        )
    });
}

#[test]
fn wasapi_sizes_keep_the_conversion_clean() {
    under_jitter("48→44.1 kHz, WASAPI 1056/1115", wasapi_clocks);
}
