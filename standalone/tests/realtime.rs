//! The duplex engine's callbacks — ring, drift loop, resampler, the plugin, the recorder tap —
//! under the allocation assertion, on simulated clocks: 44.1 kHz in (+300 ppm, jitter) to
//! 48 kHz out in WASAPI-like 1056/1115-frame callbacks, the plugin busy, a recorder ring too
//! small to keep up (so the dropping path runs), and an input stall that forces a resync.
//!
//! The allocation checker only exists in debug builds, so the file does too.
#![cfg(debug_assertions)]

use nice_assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count};
use std::sync::atomic::Ordering;
// Each test binary uses part of the shared loop.
#[allow(dead_code)]
mod common;

use common::mic_to_stereo;
use strata_standalone::device::virtual_clock::{Side, Simulation, VirtualClock};
use strata_standalone::duplex::engine;
use strata_standalone::host::EmbeddedStrata;

#[test]
fn duplex_callbacks_never_allocate() {
    // Proof the assertion can fail: an allocation inside it is counted.
    reset_violation_count();
    assert_no_alloc(|| std::hint::black_box(Vec::<u8>::with_capacity(64)));
    assert!(violation_count() > 0, "allocations are not detected");
    reset_violation_count();

    let input = VirtualClock::new(44_100.0, 441).ppm(300.0).jitter_s(1e-3);
    let output = VirtualClock::new(48_000.0, 1056).periods(&[1056, 1115]);
    let config = mic_to_stereo(&input, &output);
    let mut strata = EmbeddedStrata::new(48_000.0, output.max_period(), 2);
    for (id, value) in [
        ("eq2_on", "On"),
        ("eq2_gain", "6"),
        ("comp_on", "On"),
        ("comp_thresh", "-30"),
        ("lim_on", "On"),
    ] {
        strata.set_param_text(id, value).unwrap();
    }
    strata.settle();
    let (mut input_side, mut output_side, stats) = engine(config, strata);
    let (recorder, _kept) = rtrb::RingBuffer::new(4096);
    output_side.record_into(recorder);

    let mut sim = Simulation::new(input.clone(), output.clone(), 3);
    let mut in_buf = vec![0.0f32; input.max_period()];
    let mut out_buf = vec![0.0f32; 2 * output.max_period()];
    let mut phase = 0.0f64;
    let (mut inputs, mut outputs) = (0, 0);
    loop {
        let (side, cb) = sim.step();
        if cb.time_s > 20.0 {
            break;
        }
        match side {
            Side::Input => {
                // A 0.3 s stall of the input device at 10 s: the engine has to resync.
                if (10.0..10.3).contains(&cb.time_s) {
                    continue;
                }
                for s in &mut in_buf[..cb.frames] {
                    *s = 0.5 * phase.sin() as f32;
                    phase += 2.0 * std::f64::consts::PI * 440.0 / 44_100.0;
                }
                let data = &in_buf[..cb.frames];
                assert_no_alloc(|| input_side.on_input(data, cb.time_s));
                inputs += 1;
            }
            Side::Output => {
                let data = &mut out_buf[..2 * cb.frames];
                assert_no_alloc(|| output_side.on_output(data, cb.time_s));
                outputs += 1;
            }
        }
    }
    let dropped = stats.record_dropped_frames.load(Ordering::Relaxed);
    let resyncs = stats.resyncs.load(Ordering::Relaxed) + stats.underruns.load(Ordering::Relaxed);
    println!(
        "{inputs} input and {outputs} output callbacks; {resyncs} resyncs/underruns, \
         {dropped} recorder frames dropped; allocations: {}",
        violation_count()
    );
    assert!(resyncs > 0, "the stall did not exercise the resync path");
    assert!(dropped > 0, "the recorder's dropping path did not run");
    assert_eq!(violation_count(), 0, "the callbacks allocated");
}
