//! Strata.vst3 in the tests' own VST3 host: what the vendored nice-plug fixes (vendor/PATCHES.md)
//! look like from a host — enum parameters as lists, bus arrangements that read back as they
//! were set, the controller following `setParamNormalized` while processing, and block
//! splitting at exactly the samples of parameter points in several queues.

use strata_test_support::signal::{first_difference, sine};
use strata_tests::bundle_path;
use strata_tests::clap_host::require;
use strata_tests::vst3_host::{HostParamChanges, Vst3Instance, Vst3Library};
use vst3::Steinberg::Vst::ParameterInfo_::ParameterFlags_::{kIsBypass, kIsList};
use vst3::Steinberg::Vst::SpeakerArr::{kMono, kStereo};
use vst3::Steinberg::kResultOk;

const RATE: f64 = 48_000.0;

fn with_instance(test: impl FnOnce(&Vst3Instance)) {
    let bundle = bundle_path("Strata.vst3");
    require(&bundle).unwrap();
    let library = Vst3Library::load(&bundle).unwrap();
    let instance = library.instantiate().unwrap();
    test(&instance);
}

#[test]
fn enum_parameters_are_lists() {
    with_instance(|plugin| {
        let params = plugin.params();
        let lists: Vec<&str> = params
            .iter()
            .filter(|p| p.flags & kIsList != 0)
            .map(|p| p.title.as_str())
            .collect();
        // Eight bands × (type, slope, placement) + the detector and the sidechain source.
        assert_eq!(lists.len(), 26, "{lists:?}");
        for title in [
            "EQ1 Type",
            "EQ8 Slope",
            "EQ4 Placement",
            "Comp Detector",
            "Comp Sidechain",
        ] {
            assert!(lists.contains(&title), "{title} is not a list: {lists:?}");
        }
        for title in ["EQ1 Freq", "Comp Ratio", "Bypass", "EQ1 On"] {
            assert!(!lists.contains(&title), "{title} should not be a list");
        }
        let bypass = plugin.param("Bypass");
        assert_ne!(bypass.flags & kIsBypass, 0);
        let slope = plugin.param("EQ1 Slope");
        assert_eq!(slope.step_count, 5, "six slopes");
        let placement = plugin.param("EQ1 Placement");
        assert_eq!(placement.step_count, 4, "five placements");
    });
}

#[test]
fn bus_arrangements_read_back_as_set() {
    with_instance(|plugin| {
        for arrangement in [kStereo, kMono] {
            let result = plugin.set_bus_arrangements(&[arrangement, arrangement], &[arrangement]);
            assert_eq!(result, kResultOk);
            assert_eq!(plugin.bus_arrangement(false, 0), Some(arrangement));
            assert_eq!(
                plugin.bus_arrangement(false, 1),
                Some(arrangement),
                "sidechain"
            );
            assert_eq!(plugin.bus_arrangement(true, 0), Some(arrangement));
        }
        // No layout has a sidechain of another width than its main bus: refused, and the
        // layout in force (mono, from above) stays what the host reads back.
        for (main, sidechain) in [(kStereo, kMono), (kMono, kStereo)] {
            let result = plugin.set_bus_arrangements(&[main, sidechain], &[main]);
            assert_ne!(
                result, kResultOk,
                "{main:#x} main with a {sidechain:#x} sidechain"
            );
            assert_eq!(plugin.bus_arrangement(false, 0), Some(kMono));
            assert_eq!(plugin.bus_arrangement(false, 1), Some(kMono));
        }
    });
}

#[test]
fn controller_follows_set_param_while_processing() {
    with_instance(|plugin| {
        plugin.start(RATE, 512).unwrap();
        let bypass = plugin.param("Bypass").id;
        for value in [1.0, 0.0, 1.0] {
            assert_eq!(plugin.set_param_normalized(bypass, value), kResultOk);
            assert_eq!(plugin.param_normalized(bypass), value);
        }
        plugin.stop();
    });
}

#[test]
fn points_in_several_queues_split_the_block_at_their_samples() {
    const FRAMES: usize = 8192;
    let tone = sine(440.0, 0.5, RATE, FRAMES);
    // Output gain −6 dB at sample 1000; input gain +6 dB at sample 3000 (both ±24 dB ranges).
    let run = |input_gain_at: Option<i32>, output_gain_at: Option<i32>| {
        let mut out = [tone.clone(), tone.clone()];
        let mut latency = 0;
        with_instance(|plugin| {
            plugin.start(RATE, FRAMES).unwrap();
            let mut queues = Vec::new();
            if let Some(at) = output_gain_at {
                queues.push((plugin.param("Output Gain").id, vec![(0, 0.5), (at, 0.375)]));
            }
            if let Some(at) = input_gain_at {
                queues.push((plugin.param("Input Gain").id, vec![(0, 0.5), (at, 0.625)]));
            }
            assert_eq!(
                plugin.process(&mut out, &HostParamChanges::new(queues)),
                kResultOk
            );
            latency = plugin.latency() as usize;
            plugin.stop();
        });
        (out, latency)
    };
    let (reference, latency) = run(None, None);
    assert_eq!(latency, 111, "2 ms lookahead + 15 samples at 48 kHz");
    let (output_changed, _) = run(None, Some(1000));
    let (both_changed, _) = run(Some(3000), Some(1000));
    for channel in 0..2 {
        assert_eq!(
            first_difference(&reference[channel], &output_changed[channel]),
            Some(1000)
        );
        // The input gain acts before the chain's latency.
        assert_eq!(
            first_difference(&output_changed[channel], &both_changed[channel]),
            Some(3000 + latency)
        );
    }
}
