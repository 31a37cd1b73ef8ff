//! Compressor and limiter through the built `Strata.clap`, in a CLAP host.

use strata::dsp::dynamics::compressor::CompressorSettings;
use strata::dsp::dynamics::limiter::detector::{Kernel, TruePeak};
use strata_test_support::fit::gain_db_at;
use strata_test_support::signal::{first_difference, sine, square};
use strata_tests::strata::{changes, instance, run_automated, stereo};

const COMPRESSOR: [(&str, &str); 6] = [
    ("Comp On", "On"),
    ("Comp Knee", "0"),
    ("Comp Attack", "1"),
    ("Comp Release", "20"),
    ("Comp Threshold", "-30"),
    ("Comp Ratio", "10"),
];

fn formula(threshold_db: f64, ratio: f64) -> CompressorSettings {
    CompressorSettings {
        threshold_db,
        ratio,
        knee_db: 0.0,
        ..Default::default()
    }
}

#[test]
fn external_sidechain_drives_the_compressor() {
    let rate = 48_000.0;
    let len = 48_000;
    let main = sine(1000.0, 10f64.powf(-30.0 / 20.0), rate, len);
    let key = square(200.0, 10f64.powf(-6.0 / 20.0), rate, len);
    let mut plugin = instance();
    assert_eq!(
        plugin.input_ports(),
        vec![2, 2],
        "a stereo main input and a stereo sidechain"
    );
    let mut setup = changes(&plugin, &COMPRESSOR);
    setup.extend(changes(&plugin, &[("Comp Sidechain", "External")]));
    plugin.flush(&setup);
    plugin.activate(rate, 1, 512).unwrap();
    // The key, 24 dB over the threshold at 10:1, takes 21.6 dB off the quiet main signal.
    let y = plugin
        .run(&stereo(main.clone()), &[stereo(key)], &[512], &[])
        .unwrap();
    let g = gain_db_at(&main, &y[0], 1000.0, rate, 12_000);
    let expected = formula(-30.0, 10.0).static_gain_db(-6.0);
    assert!(
        (g - expected).abs() < 0.05,
        "with the key: {g:.3} dB, expected {expected:.3}"
    );
    // The host feeds the sidechain nothing (silence): no reduction.
    let y = plugin.run(&stereo(main.clone()), &[], &[512], &[]).unwrap();
    let g = gain_db_at(&main, &y[0], 1000.0, rate, 12_000);
    assert!(g.abs() < 0.01, "silent sidechain: {g:.3} dB");
    // Internal again: the main signal sits at the threshold, nothing happens either.
    plugin.deactivate();
    plugin.flush(&changes(&plugin, &[("Comp Sidechain", "Internal")]));
    plugin.activate(rate, 1, 512).unwrap();
    let y = plugin.run(&stereo(main.clone()), &[], &[512], &[]).unwrap();
    assert!(gain_db_at(&main, &y[0], 1000.0, rate, 12_000).abs() < 0.01);
}

#[test]
fn reported_latency_is_the_delay_of_an_impulse() {
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        for (lookahead, limiter) in [("0.5", "On"), ("2", "Off"), ("7.3", "On"), ("10", "On")] {
            let mut plugin = instance();
            plugin.flush(&changes(
                &plugin,
                &[("Limiter Lookahead", lookahead), ("Limiter On", limiter)],
            ));
            plugin.activate(rate, 1, 1024).unwrap();
            let latency = plugin.latency().unwrap() as usize;
            let mut x = vec![0.0f32; 8192];
            x[500] = 0.25;
            let y = plugin.run(&stereo(x), &[], &[1024], &[]).unwrap();
            let at = y[0].iter().position(|v| *v != 0.0).expect("impulse lost");
            assert_eq!(
                at - 500,
                latency,
                "{rate} Hz, lookahead {lookahead} ms, limiter {limiter}"
            );
            assert_eq!(y[0][at], 0.25);
        }
    }
}

#[test]
fn threshold_and_ratio_automation_takes_effect_at_the_event() {
    let rate = 48_000.0;
    let x = stereo(square(250.0, 10f64.powf(-10.0 / 20.0), rate, 48_000));
    // (parameter, before, after, threshold and ratio after)
    // The signal is over the threshold before and after, so the change shows at once.
    let cases = [
        ("Comp Threshold", "-30", "-20", -20.0, 10.0),
        ("Comp Ratio", "1", "4", -30.0, 4.0),
    ];
    for (name, before, after, threshold, ratio) in cases {
        let run = |event| run_automated(rate, &x, &COMPRESSOR, name, before, event);
        let (reference, _) = run(None);
        let at = 30 * 512 + 111;
        let (automated, latency) = run(Some((at, after)));
        let first = first_difference(&reference[0], &automated[0]);
        assert_eq!(
            first,
            Some(at + latency),
            "{name}: changed at {first:?}, event at {at} + {latency}"
        );
        // Once settled, the gain is the static curve's.
        let n = automated[0].len();
        let g = 20.0 * (automated[0][n - 1] / x[0][n - 1 - latency]).abs().log10() as f64;
        let expected = formula(threshold, ratio).static_gain_db(-10.0);
        assert!(
            (g - expected).abs() < 0.05,
            "{name}: {g:.3} dB after automation, expected {expected:.3}"
        );
    }
}

#[test]
fn limiter_holds_the_ceiling_through_the_host() {
    let rate = 44_100.0;
    let mut plugin = instance();
    plugin.flush(&changes(
        &plugin,
        &[("Limiter On", "On"), ("Limiter Ceiling", "-1")],
    ));
    plugin.activate(rate, 1, 256).unwrap();
    let x = stereo(square(997.0, 2.0, rate, 44_100));
    let y = plugin.run(&x, &[], &[256, 100, 1], &[]).unwrap();
    // The limiter's own detector, measuring exactly (limit 0); `plugin/tests/limiter.rs`
    // checks the limiter against independent meters.
    let kernel = Kernel::new();
    let mut tp = TruePeak::default();
    let frames: Vec<[f64; 2]> = y[0]
        .iter()
        .zip(&y[1])
        .map(|(l, r)| [*l as f64, *r as f64])
        .collect();
    let mut peaks = vec![[0.0; 2]; frames.len()];
    tp.process_block(&kernel, &frames, 0.0, &mut peaks);
    let peak = peaks.iter().flatten().fold(0.0f64, |m, v| m.max(*v));
    let over = 20.0 * peak.log10() + 1.0;
    assert!(over <= 0.1, "true peak {over:+.3} dB over the ceiling");
    assert!(
        over > -0.5,
        "a +6 dB square should be held right at the ceiling, not {over:+.3} dB under"
    );
}
