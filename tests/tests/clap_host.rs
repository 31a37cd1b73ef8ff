//! Loads the built `Strata.clap` like a DAW and checks what it does, by measurement.

use strata::dsp::eq::{AnalogBand, Shape, Slope};
use strata_test_support::fit::gain_db_at;
use strata_test_support::signal::{first_difference, noise, sine};
use strata_tests::clap_host::{ClapInstance, ParamChange, param_hash};
use strata_tests::strata::{PLUGIN_ID, changes, instance, library, run_automated, stereo};

/// Settings that turn band 1 into a bell at `freq`, `gain` dB, Q 1.
fn bell_settings<'a>(freq: &'a str, gain: &'a str) -> [(&'static str, &'a str); 5] {
    [
        ("EQ1 On", "On"),
        ("EQ1 Type", "Bell"),
        ("EQ1 Freq", freq),
        ("EQ1 Gain", gain),
        ("EQ1 Q", "1"),
    ]
}

/// Parameter changes that turn band 1 into a bell at `freq`, `gain` dB, Q 1.
fn bell(plugin: &ClapInstance, freq: &str, gain: &str) -> Vec<ParamChange> {
    changes(plugin, &bell_settings(freq, gain))
}

#[test]
fn factory_describes_strata() {
    let lib = library();
    let descriptors = lib.descriptors();
    assert_eq!(descriptors.len(), 1);
    let d = &descriptors[0];
    assert_eq!(d.id, PLUGIN_ID);
    assert_eq!(d.name, "Strata");
    assert!(!d.version.is_empty());
    for feature in [
        "audio-effect",
        "equalizer",
        "compressor",
        "limiter",
        "stereo",
        "mono",
    ] {
        assert!(
            d.features.iter().any(|f| f == feature),
            "missing feature {feature}: {:?}",
            d.features
        );
    }
}

#[test]
fn parameters_have_their_stable_ids_and_text_round_trips() {
    let plugin = instance();
    let params = plugin.params();
    // nice-plug hashes the stable string ids: the CLAP ids prove the ids.
    let mut expected: Vec<String> = ["in_gain", "out_gain", "bypass", "meter_reset"]
        .map(String::from)
        .to_vec();
    for band in 1..=8 {
        for p in ["on", "type", "freq", "gain", "q", "slope", "place"] {
            expected.push(format!("eq{band}_{p}"));
        }
    }
    for p in [
        "comp_on",
        "comp_thresh",
        "comp_ratio",
        "comp_knee",
        "comp_attack",
        "comp_release",
        "comp_makeup",
        "comp_auto",
        "comp_detect",
        "comp_schpf",
        "comp_sc_src",
        "comp_link",
        "comp_mix",
        "lim_on",
        "lim_ceiling",
        "lim_release",
        "lim_lookahead",
        "lim_tp",
    ] {
        expected.push(p.to_string());
    }
    for id in &expected {
        assert!(
            params.iter().any(|p| p.id == param_hash(id)),
            "no parameter with id {id}"
        );
    }
    assert_eq!(params.len(), expected.len(), "unexpected extra parameters");
    let eq3_gain = params
        .iter()
        .find(|p| p.id == param_hash("eq3_gain"))
        .unwrap();
    assert_eq!(eq3_gain.name, "EQ3 Gain");
    assert_eq!(eq3_gain.module, "EQ Band 3");
    // Every parameter is automatable but the lookahead, which sets the latency.
    for p in &params {
        let automatable = p.flags & clap_sys::ext::params::CLAP_PARAM_IS_AUTOMATABLE != 0;
        let is_lookahead = p.id == param_hash("lim_lookahead");
        assert_eq!(
            automatable, !is_lookahead,
            "{}: flags {:#x}",
            p.name, p.flags
        );
    }

    // Text → value → text is stable for every parameter across its range, on a grid fine
    // enough to land inside any value whose display changes meaning (SC HPF's "Off" edge).
    const STEPS: usize = 1000;
    for p in &params {
        for i in 0..=STEPS {
            let v = p.min + (p.max - p.min) * i as f64 / STEPS as f64;
            let text = plugin.value_to_text(p.id, v).unwrap();
            let back = plugin
                .text_to_value(p.id, &text)
                .unwrap_or_else(|| panic!("{}: {text:?} does not parse", p.name));
            let again = plugin.value_to_text(p.id, back).unwrap();
            assert_eq!(
                text, again,
                "{}: {v} -> {text:?} -> {back} -> {again:?}",
                p.name
            );
        }
    }
}

#[test]
fn bell_boost_is_measured_at_every_rate_and_block_size() {
    let random: Vec<usize> = {
        let mut rng = fastrand::Rng::with_seed(7);
        (0..64).map(|_| rng.usize(1..=4096)).collect()
    };
    let patterns: [(&str, Vec<usize>); 5] = [
        ("1", vec![1]),
        ("64", vec![64]),
        ("512", vec![512]),
        ("4096", vec![4096]),
        ("random", random),
    ];
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        let len = (rate * 0.5) as usize;
        let tail = len / 4;
        for (name, sizes) in &patterns {
            let mut plugin = instance();
            let changes = bell(&plugin, "1 kHz", "6");
            plugin.flush(&changes);
            plugin.activate(rate, 1, 4096).unwrap();
            let analog = AnalogBand::new(Shape::Bell, 6.0, 1.0, Slope::Db12);
            for freq in [1000.0, 100.0, 10_000.0] {
                let expected = analog.magnitude_db(freq, 1000.0);
                let x = sine(freq, 0.1, rate, len);
                let y = plugin.run(&stereo(x.clone()), &[], sizes, &[]).unwrap();
                for ch in &y {
                    let g = gain_db_at(&x, ch, freq, rate, tail);
                    assert!(
                        (g - expected).abs() < 0.02,
                        "{rate} Hz, blocks {name}: {freq} Hz gain {g:.4} dB, expected {expected:.4}"
                    );
                }
            }
        }
    }
}

/// The table: a +6 dB, Q 1 bell at 1 kHz in each placement, measured at 1 kHz on each
/// channel of a correlated (L = R), an opposed (L = −R) and a one-sided input, 48 kHz.
#[test]
fn placed_bells_act_on_their_component_only() {
    let rate = 48_000.0;
    let len = 24_000;
    let x = sine(1000.0, 0.1, rate, len);
    let minus: Vec<f32> = x.iter().map(|v| -v).collect();
    let inputs = [
        ("L = R", [x.clone(), x.clone()]),
        ("L = -R", [x.clone(), minus]),
    ];
    // (placement, expected gain in dB per input row and channel)
    let table = [
        ("Stereo", [[6.0, 6.0], [6.0, 6.0]]),
        ("Mid", [[6.0, 6.0], [0.0, 0.0]]),
        ("Side", [[0.0, 0.0], [6.0, 6.0]]),
        ("Left", [[6.0, 0.0], [6.0, 0.0]]),
        ("Right", [[0.0, 6.0], [0.0, 6.0]]),
    ];
    println!("placement  input    left dB   right dB");
    for (placement, expected) in table {
        let mut plugin = instance();
        let mut settings = changes(&plugin, &bell_settings("1 kHz", "6"));
        settings.extend(changes(&plugin, &[("EQ1 Placement", placement)]));
        plugin.flush(&settings);
        plugin.activate(rate, 1, 512).unwrap();
        for ((name, input), want) in inputs.iter().zip(expected) {
            let y = plugin.run(input, &[], &[512], &[]).unwrap();
            let g = [0, 1].map(|ch| gain_db_at(&input[ch], &y[ch], 1000.0, rate, len / 4));
            println!("{placement:<10} {name:<7} {:>+8.3} {:>+10.3}", g[0], g[1]);
            for ch in 0..2 {
                assert!(
                    (g[ch] - want[ch]).abs() < 0.05,
                    "{placement}, {name}, channel {ch}: {:.3} dB, expected {}",
                    g[ch],
                    want[ch]
                );
            }
        }
    }
}

#[test]
fn automation_mid_block_changes_the_output_at_that_sample() {
    let rate = 48_000.0;
    let len = 48_000;
    let x = stereo(sine(1000.0, 0.25, rate, len));
    // (parameter, its value before, after; the bell's gain; gain expected at 1 kHz after)
    let cases = [
        ("EQ1 Gain", "0", "9", "0", 9.0),
        (
            "EQ1 Freq",
            "1 kHz",
            "2.5 kHz",
            "6",
            AnalogBand::new(Shape::Bell, 6.0, 1.0, Slope::Db12).magnitude_db(1000.0, 2500.0),
        ),
    ];
    for (name, before, after, bell_gain, expected) in cases {
        let settings = bell_settings("1 kHz", bell_gain);
        let run = |event| run_automated(rate, &x, &settings, name, before, event);
        let (reference, _) = run(None);
        // Block 20 starts at 10240; the event sits 300 samples into it.
        let at = 20 * 512 + 300;
        let (automated, latency) = run(Some((at, after)));
        // The output shows the change after exactly the reported latency.
        for ch in 0..2 {
            let first = first_difference(&reference[ch], &automated[ch]);
            assert_eq!(
                first,
                Some(at + latency),
                "{name}: output changed at {first:?}, event at {at} + latency {latency}"
            );
        }
        // And the change is the one asked for, once smoothing has settled.
        let g = gain_db_at(&x[0], &automated[0], 1000.0, rate, 8000);
        assert!(
            (g - expected).abs() < 0.02,
            "{name}: gain after automation {g:.3} dB, expected {expected:.3}"
        );
    }
}

#[test]
fn state_round_trip_restores_parameters_and_output() {
    let rate = 48_000.0;
    let mut a = instance();
    let mut changes = bell(&a, "750 Hz", "-4.5");
    for (name, text) in [
        ("EQ2 On", "On"),
        ("EQ2 Type", "High Shelf"),
        ("EQ2 Freq", "6 kHz"),
        ("EQ2 Gain", "3.25"),
        ("EQ8 On", "On"),
        ("EQ8 Slope", "24 dB/oct"),
        ("Output Gain", "-2.5"),
        ("Comp Ratio", "6:1"),
    ] {
        let (id, value) = a.value_from_text(name, text);
        changes.push(ParamChange { time: 0, id, value });
    }
    a.flush(&changes);
    let state = a.save_state().unwrap();
    assert!(!state.is_empty());

    let mut b = instance();
    b.load_state(&state).unwrap();
    for p in a.params() {
        assert_eq!(
            a.get_value(p.id),
            b.get_value(p.id),
            "{} differs after reload",
            p.name
        );
    }
    let x = stereo(noise(0.3, 24_000, 1));
    a.activate(rate, 1, 1024).unwrap();
    b.activate(rate, 1, 1024).unwrap();
    let ya = a.run(&x, &[], &[1024], &[]).unwrap();
    let yb = b.run(&x, &[], &[1024], &[]).unwrap();
    assert_eq!(ya, yb, "same state, same input, different output");
    // The reloaded settings really act: the output is not the input.
    assert!(first_difference(&ya[0], &x[0]).is_some());
}

#[test]
fn flush_without_audio_updates_parameters() {
    let mut plugin = instance();
    let (id, value) = plugin.value_from_text("EQ4 Gain", "-7.5");
    assert_ne!(plugin.get_value(id), Some(value));
    // Inactive instance: no audio at all.
    plugin.flush(&[ParamChange { time: 0, id, value }]);
    assert_eq!(plugin.get_value(id), Some(value));
    assert_eq!(plugin.value_to_text(id, value).as_deref(), Some("-7.5 dB"));
    // Active but not processing.
    plugin.activate(44_100.0, 1, 512).unwrap();
    let (id, value) = plugin.value_from_text("EQ4 Freq", "2 kHz");
    plugin.flush(&[ParamChange { time: 0, id, value }]);
    assert_eq!(plugin.get_value(id), Some(value));
}

#[test]
fn mono_layout_processes_one_channel() {
    let mut plugin = instance();
    let configs = plugin.ports_configs();
    let mono = configs
        .iter()
        .find(|c| c.main_input_channels == 1 && c.main_output_channels == 1)
        .unwrap_or_else(|| panic!("no mono layout in {configs:?}"));
    plugin.select_ports_config(mono.id).unwrap();
    assert_eq!(plugin.main_port_channels(), (1, 1));
    plugin.flush(&bell(&plugin, "1 kHz", "-6"));
    let rate = 44_100.0;
    plugin.activate(rate, 1, 256).unwrap();
    let x = sine(1000.0, 0.2, rate, 22_050);
    let y = plugin
        .run(std::slice::from_ref(&x), &[], &[256], &[])
        .unwrap();
    assert_eq!(y.len(), 1);
    let g = gain_db_at(&x, &y[0], 1000.0, rate, 5000);
    assert!((g + 6.0).abs() < 0.02, "mono bell cut measured {g:.3} dB");
    // A mono signal has no side: placed on Side the cut would do nothing. Mono ignores
    // placement, so the cut stays.
    plugin.deactivate();
    let side = changes(&plugin, &[("EQ1 Placement", "Side")]);
    plugin.flush(&side);
    plugin.activate(rate, 1, 256).unwrap();
    let y = plugin
        .run(std::slice::from_ref(&x), &[], &[256], &[])
        .unwrap();
    let g = gain_db_at(&x, &y[0], 1000.0, rate, 5000);
    assert!((g + 6.0).abs() < 0.02, "mono, band on Side: {g:.3} dB");
}

#[test]
fn bypass_crossfades_to_the_exact_input() {
    let rate = 48_000.0;
    let mut plugin = instance();
    let mut changes = bell(&plugin, "1 kHz", "12");
    let bypass = plugin.param_id("Bypass");
    let x = stereo(sine(1000.0, 0.1, rate, 48_000));
    plugin.flush(&changes);
    plugin.activate(rate, 1, 480).unwrap();
    changes.clear();
    changes.push(ParamChange {
        time: 24_000,
        id: bypass,
        value: 1.0,
    });
    let y = plugin.run(&x, &[], &[480], &changes).unwrap();
    let latency = plugin.latency().unwrap() as usize;
    // Before: +12 dB. After the 10 ms fade: the input, bit-exact, delayed by the latency.
    let before = gain_db_at(&x[0][..20_000], &y[0][..20_000], 1000.0, rate, 4000);
    assert!(
        (before - 12.0).abs() < 0.02,
        "boost before bypass {before:.3}"
    );
    let mismatch = first_difference(&y[0][24_480 + latency..], &x[0][24_480..48_000 - latency]);
    assert_eq!(
        mismatch, None,
        "bypassed output differs from the delayed input"
    );
    // No click: the largest sample-to-sample step stays within what the louder sine has.
    let max_step = y[0]
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max);
    let sine_step = 0.1 * 3.981 * (2.0 * std::f32::consts::PI * 1000.0 / 48_000.0);
    assert!(
        max_step <= sine_step * 1.05,
        "step {max_step} vs sine's {sine_step}"
    );
}
