//! The densest automation a host can send — every parameter changed at every sample of
//! 8192-frame blocks — through Strata.vst3 in the tests' VST3 host. The debug bundle aborts on
//! any allocation inside `process()`; the framework may still allocate where it opts out of
//! that check (nice-plug 0.4.2 grew its event buffer that way, PATCHES.md 5), so the test also
//! reads the C heap's allocated total around each call. One test alone in this binary: no
//! other test thread allocates meanwhile.

use strata_test_support::signal::sine;
use strata_tests::bundle_path;
use strata_tests::clap_host::require;
use strata_tests::vst3_host::{HostParamChanges, Vst3Library};
use vst3::Steinberg::kResultOk;

const RATE: f64 = 48_000.0;
const FRAMES: usize = 8192;
const BLOCKS: usize = 4;

#[test]
fn every_parameter_at_every_sample_allocates_nothing() {
    let bundle = bundle_path("Strata.vst3");
    require(&bundle).unwrap();
    let library = Vst3Library::load(&bundle).unwrap();
    let plugin = library.instantiate().unwrap();
    let params = plugin.params();
    assert!(params.len() > 60, "{} parameters", params.len());
    plugin.start(RATE, FRAMES).unwrap();

    let tone = sine(440.0, 0.5, RATE, FRAMES);
    let mut worst_growth = 0i64;
    for block in 0..BLOCKS {
        // Each parameter wobbles around its default at every sample: enough to change every
        // continuous value (and the limiter's lookahead, hence the latency) at every point.
        let queues = params
            .iter()
            .map(|p| {
                let points = (0..FRAMES as i32)
                    .map(|n| {
                        let wobble = if (n + block as i32) % 2 == 0 {
                            0.001
                        } else {
                            -0.001
                        };
                        (n, (p.default + wobble).clamp(0.0, 1.0))
                    })
                    .collect();
                (p.id, points)
            })
            .collect();
        let changes = HostParamChanges::new(queues);
        let mut audio = [tone.clone(), tone.clone()];
        let (result, growth) = plugin.process_measuring_heap(&mut audio, &changes);
        assert_eq!(result, kResultOk);
        worst_growth = worst_growth.max(growth);
        let peak = audio.iter().flatten().fold(0.0f32, |m, x| {
            if x.is_finite() {
                m.max(x.abs())
            } else {
                f32::INFINITY
            }
        });
        // The chain is neutral at its defaults: the tone (0.5) passes at ±0.05 dB of gain.
        assert!(peak < 0.52, "block {block}: peak {peak}");
        if block > 0 {
            assert!(peak > 0.48, "block {block}: peak {peak}");
        }
    }
    println!(
        "{} parameters × {FRAMES} points per block, {BLOCKS} blocks: heap growth inside \
         process() at most {worst_growth} bytes",
        params.len()
    );
    // Measured: 0. Copying the points, as nice-plug 0.4.2 did, grows it by megabytes (70 × 8192
    // events of ≥ 16 bytes); a kilobyte leaves room for nothing of the kind.
    assert!(
        worst_growth <= 1024,
        "process() grew the heap by {worst_growth} bytes"
    );
    plugin.stop();
}
