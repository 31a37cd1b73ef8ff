//! The compressor, measured: static curve, time constants, stereo link, mix, detectors,
//! external sidechain.

use std::f64::consts::PI;

use strata::dsp::dynamics::compressor::{Compressor, CompressorSettings, Detector};

/// A ±`level_db` square wave: its magnitude is constant, so a peak detector reads exactly it.
fn square(level_db: f64, freq: f64, rate: f64, len: usize) -> Vec<[f64; 2]> {
    let a = 10f64.powf(level_db / 20.0);
    (0..len)
        .map(|n| {
            let s = if (2.0 * PI * freq * (n as f64 + 0.5) / rate).sin() >= 0.0 {
                a
            } else {
                -a
            };
            [s, s]
        })
        .collect()
}

fn run(
    c: &mut Compressor,
    input: &[[f64; 2]],
    sidechain: Option<&[[f64; 2]]>,
    block: usize,
) -> Vec<[f64; 2]> {
    let mut out = input.to_vec();
    for (i, chunk) in out.chunks_mut(block).enumerate() {
        let sc = sidechain.map(|s| &s[i * block..i * block + chunk.len()]);
        c.process_block(chunk, sc);
    }
    out
}

/// Gain in dB of `out` over `input`, sample by sample (both nonzero).
fn gain_db(input: [f64; 2], out: [f64; 2], ch: usize) -> f64 {
    20.0 * (out[ch] / input[ch]).log10()
}

fn on(settings: CompressorSettings) -> CompressorSettings {
    CompressorSettings {
        enabled: true,
        ..settings
    }
}

#[test]
fn static_curve_matches_the_formula() {
    let rate = 48_000.0;
    let mut worst: f64 = 0.0;
    for threshold_db in [-40.0, -20.0, -6.0] {
        for ratio in [1.5, 2.0, 4.0, 10.0, 20.0] {
            for knee_db in [0.0, 6.0, 12.0, 24.0] {
                let s = on(CompressorSettings {
                    threshold_db,
                    ratio,
                    knee_db,
                    attack_ms: 1.0,
                    release_ms: 20.0,
                    ..Default::default()
                });
                for level_db in (-60..=0).step_by(3).map(f64::from) {
                    let mut c = Compressor::new(rate);
                    c.set(&s);
                    let x = square(level_db, 997.0, rate, 24_000);
                    let y = run(&mut c, &x, None, 64);
                    let measured = gain_db(x[23_999], y[23_999], 0);
                    let expected = s.static_gain_db(level_db);
                    worst = worst.max((measured - expected).abs());
                    // Measured 1.4e-6 dB at worst: the spec allows 0.1 dB, a regression
                    // shows long before that.
                    assert!(
                        (measured - expected).abs() < 1.5e-5,
                        "T {threshold_db} R {ratio} K {knee_db} at {level_db} dB: {measured:.4} vs {expected:.4}"
                    );
                }
            }
        }
    }
    println!("worst static-curve error {worst:.2e} dB");
}

/// Time for the gain reduction to cover 1 − 1/e of a step, in ms.
fn time_constant_ms(c: &mut Compressor, from_db: f64, to_db: f64, rate: f64) -> f64 {
    let settle = square(from_db, 1000.0, rate, (rate * 3.0) as usize);
    run(c, &settle, None, 64);
    let step = square(to_db, 1000.0, rate, (rate * 6.0) as usize);
    let y = run(c, &step, None, 64);
    let gr: Vec<f64> = step
        .iter()
        .zip(&y)
        .map(|(x, y)| -gain_db(*x, *y, 0))
        .collect();
    let (start, end) = (gr[0], gr[gr.len() - 1]);
    let target = start + (end - start) * (1.0 - (-1.0f64).exp());
    let reached = gr
        .iter()
        .position(|g| {
            if end > start {
                *g >= target
            } else {
                *g <= target
            }
        })
        .expect("never reached");
    reached as f64 * 1000.0 / rate
}

#[test]
fn attack_and_release_time_constants_are_within_three_percent() {
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        for (attack_ms, release_ms) in [(1.0, 20.0), (10.0, 150.0), (50.0, 1000.0)] {
            let s = on(CompressorSettings {
                threshold_db: -30.0,
                ratio: 10.0,
                knee_db: 0.0,
                attack_ms,
                release_ms,
                ..Default::default()
            });
            let mut c = Compressor::new(rate);
            c.set(&s);
            let attack = time_constant_ms(&mut c, -50.0, -10.0, rate);
            let release = time_constant_ms(&mut c, -10.0, -50.0, rate);
            println!(
                "{rate} Hz: attack {attack_ms} → {attack:.3} ms, release {release_ms} → {release:.2} ms"
            );
            // Measured within 2 % (a 1 ms attack at 44.1 kHz reads 1.02 ms: the step is found
            // to the sample, 0.023 ms); the spec allows 10 %.
            assert!(
                (attack / attack_ms - 1.0).abs() < 0.03,
                "attack {attack} vs {attack_ms}"
            );
            assert!(
                (release / release_ms - 1.0).abs() < 0.03,
                "release {release} vs {release_ms}"
            );
        }
    }
}

#[test]
fn stereo_link_blends_channel_levels() {
    let rate = 48_000.0;
    let s = CompressorSettings {
        threshold_db: -30.0,
        ratio: 10.0,
        knee_db: 0.0,
        attack_ms: 1.0,
        release_ms: 20.0,
        ..Default::default()
    };
    let loud = square(-10.0, 1000.0, rate, 24_000);
    let quiet = square(-40.0, 1000.0, rate, 24_000);
    let input: Vec<[f64; 2]> = loud.iter().zip(&quiet).map(|(l, q)| [l[0], q[1]]).collect();
    for (link, right_level_db) in [(0.0, -40.0), (0.5, -25.0), (1.0, -10.0)] {
        let settings = on(CompressorSettings {
            stereo_link: link,
            ..s
        });
        let mut c = Compressor::new(rate);
        c.set(&settings);
        let y = run(&mut c, &input, None, 128);
        let (x, y) = (input[23_999], y[23_999]);
        let left = gain_db(x, y, 0);
        let right = gain_db(x, y, 1);
        // The loud channel always sees its own (louder) level.
        assert!(
            (left - settings.static_gain_db(-10.0)).abs() < 0.01,
            "link {link}: left {left}"
        );
        let expected = settings.static_gain_db(right_level_db);
        assert!(
            (right - expected).abs() < 0.01,
            "link {link}: right {right} vs {expected}"
        );
    }
}

#[test]
fn mix_blends_dry_and_compressed() {
    let rate = 48_000.0;
    for mix in [0.0, 0.25, 0.5, 1.0] {
        let s = on(CompressorSettings {
            threshold_db: -30.0,
            ratio: 10.0,
            knee_db: 0.0,
            attack_ms: 1.0,
            release_ms: 20.0,
            mix,
            ..Default::default()
        });
        let mut c = Compressor::new(rate);
        c.set(&s);
        let x = square(-10.0, 1000.0, rate, 24_000);
        let y = run(&mut c, &x, None, 64);
        let wet = 10f64.powf(s.static_gain_db(-10.0) / 20.0);
        let expected = 20.0 * (1.0 - mix + mix * wet).log10();
        let measured = gain_db(x[23_999], y[23_999], 0);
        assert!(
            (measured - expected).abs() < 0.01,
            "mix {mix}: {measured} vs {expected}"
        );
    }
}

#[test]
fn rms_detector_reads_a_sine_at_its_rms_level() {
    let rate = 48_000.0;
    let s = on(CompressorSettings {
        threshold_db: -30.0,
        ratio: 4.0,
        knee_db: 0.0,
        attack_ms: 5.0,
        release_ms: 200.0,
        detector: Detector::Rms,
        ..Default::default()
    });
    let mut c = Compressor::new(rate);
    c.set(&s);
    let peak_db = -6.0;
    let a = 10f64.powf(peak_db / 20.0);
    let x: Vec<[f64; 2]> = (0..96_000)
        .map(|n| [a * (2.0 * PI * 1000.0 * n as f64 / rate).sin(); 2])
        .collect();
    let y = run(&mut c, &x, None, 64);
    let tail = &y[72_000..];
    let out_peak = tail.iter().map(|f| f[0].abs()).fold(0.0, f64::max);
    let measured = 20.0 * (out_peak / a).log10();
    let expected = s.static_gain_db(peak_db - 20.0 * 2f64.sqrt().log10());
    assert!(
        (measured - expected).abs() < 0.1,
        "{measured} vs {expected}"
    );
}

#[test]
fn external_sidechain_drives_the_reduction_and_silence_means_none() {
    let rate = 48_000.0;
    let s = on(CompressorSettings {
        threshold_db: -30.0,
        ratio: 10.0,
        knee_db: 0.0,
        attack_ms: 1.0,
        release_ms: 20.0,
        external_sidechain: true,
        ..Default::default()
    });
    let main = square(-40.0, 1000.0, rate, 24_000);
    let key = square(-6.0, 300.0, rate, 24_000);
    let mut c = Compressor::new(rate);
    c.set(&s);
    let y = run(&mut c, &main, Some(&key), 64);
    let measured = gain_db(main[23_999], y[23_999], 0);
    assert!(
        (measured - s.static_gain_db(-6.0)).abs() < 0.01,
        "{measured}"
    );
    assert!((c.gain_reduction_db() + s.static_gain_db(-6.0)).abs() < 0.01);
    // No sidechain from the host: no reduction at all, no garbage.
    let mut c = Compressor::new(rate);
    c.set(&s);
    let y = run(&mut c, &main, None, 64);
    assert_eq!(y, main);
    assert_eq!(c.gain_reduction_db(), 0.0);
}

#[test]
fn auto_makeup_restores_full_scale() {
    let rate = 48_000.0;
    let s = on(CompressorSettings {
        threshold_db: -24.0,
        ratio: 4.0,
        knee_db: 6.0,
        attack_ms: 1.0,
        release_ms: 20.0,
        auto_makeup: true,
        ..Default::default()
    });
    let mut c = Compressor::new(rate);
    c.set(&s);
    let x = square(0.0, 1000.0, rate, 24_000);
    let y = run(&mut c, &x, None, 64);
    assert!(gain_db(x[23_999], y[23_999], 0).abs() < 0.01);
}

#[test]
fn unity_ratio_is_bit_transparent() {
    let rate = 48_000.0;
    let s = on(CompressorSettings {
        ratio: 1.0,
        ..Default::default()
    });
    let mut c = Compressor::new(rate);
    c.set(&s);
    let x: Vec<[f64; 2]> = (0..9600)
        .map(|n| [(n as f64 * 0.01).sin() * 0.9, (n as f64 * 0.013).cos()])
        .collect();
    assert_eq!(run(&mut c, &x, None, 100), x);
}
