//! Fast automation: the EQ stays bounded and click-free.

use std::f64::consts::PI;

use strata::dsp::eq::{BANDS, BandSettings, Equalizer, MAX_FRAMES, Placement, Shape, Slope};
use strata_standalone::host::EmbeddedStrata;

/// Largest |x[n+1] − 2x[n] + x[n−1]|: a click (a jump in value or slope) shows up here long
/// before it shows in a spectrum, while a pure sine of peak A at f stays below A·(2πf/fs)².
fn max_curvature(x: &[f32]) -> f32 {
    x.windows(3)
        .map(|w| (w[2] - 2.0 * w[1] + w[0]).abs())
        .fold(0.0, f32::max)
}

fn sine_curvature(peak: f32, freq: f64, rate: f64) -> f32 {
    peak * (2.0 * PI * freq / rate).powi(2) as f32
}

/// Run a 300 Hz sine through `s`, calling `automate(block_index, s)` before every block.
fn run_sine(
    s: &mut EmbeddedStrata,
    seconds: f64,
    mut automate: impl FnMut(usize, &mut EmbeddedStrata),
) -> Vec<f32> {
    let rate = s.sample_rate() as f64;
    let block = 128;
    let total = (rate * seconds) as usize;
    let mut out = Vec::with_capacity(total);
    for (b, start) in (0..total).step_by(block).enumerate() {
        automate(b, s);
        let mut left: Vec<f32> = (start..(start + block).min(total))
            .map(|i| (0.5 * (2.0 * PI * 300.0 * i as f64 / rate).sin()) as f32)
            .collect();
        let mut right = left.clone();
        s.process(&mut [left.as_mut_slice(), right.as_mut_slice()]);
        out.extend_from_slice(&left);
    }
    out
}

#[test]
fn the_click_detector_sees_a_click() {
    let rate = 48_000.0;
    let mut x: Vec<f32> = (0..4800)
        .map(|i| (0.5 * (2.0 * PI * 300.0 * i as f64 / rate).sin()) as f32)
        .collect();
    let bound = sine_curvature(0.5, 300.0, rate);
    assert!(max_curvature(&x) <= bound * 1.01);
    // An unsmoothed +12 dB gain step halfway through.
    for v in &mut x[2400..] {
        *v *= 3.98;
    }
    assert!(
        max_curvature(&x) > 10.0 * bound * 3.98,
        "a gain step must register as a click"
    );
}

#[test]
fn parameter_jumps_are_click_free() {
    let rate = 48_000.0;
    // (what is automated, the loudest the output gets relative to the input)
    type Automation = fn(usize, &mut EmbeddedStrata);
    let cases: [(&str, f32, Automation); 8] = [
        ("gain ±12 dB every 40 ms", 3.99, |b, s| {
            if b % 15 == 0 {
                let g = if (b / 15) % 2 == 0 { "12" } else { "-12" };
                s.set_param_text("eq1_gain", g).unwrap();
            }
        }),
        ("frequency 150 Hz ↔ 600 Hz every 40 ms", 3.99, |b, s| {
            if b % 15 == 0 {
                let f = if (b / 15) % 2 == 0 { "150" } else { "600" };
                s.set_param_text("eq1_freq", f).unwrap();
            }
        }),
        (
            "Q 8 bell swept 60 Hz ↔ 2 kHz every 40 ms",
            3.99,
            |b, s| {
                s.set_param_text("eq1_q", "8").unwrap();
                if b % 15 == 0 {
                    let f = if (b / 15) % 2 == 0 { "60" } else { "2000" };
                    s.set_param_text("eq1_freq", f).unwrap();
                }
            },
        ),
        (
            "type bell → high shelf → notch → low shelf every 50 ms",
            3.99,
            |b, s| {
                if b % 19 == 0 {
                    let t = ["Bell", "High Shelf", "Notch", "Low Shelf"][(b / 19) % 4];
                    s.set_param_text("eq1_type", t).unwrap();
                }
            },
        ),
        (
            "placement stereo → mid → left → side → right every 50 ms",
            3.99,
            |b, s| {
                if b % 19 == 0 {
                    let p = ["Stereo", "Mid", "Left", "Side", "Right"][(b / 19) % 5];
                    s.set_param_text("eq1_place", p).unwrap();
                }
            },
        ),
        (
            // Band 2's domain changes carry the stereo band 1 between left/right and mid/side
            // (its filter states converted) every 40 ms.
            "another band's placement mid ↔ left every 40 ms",
            3.99,
            |b, s| {
                if b == 0 {
                    for (id, v) in [("eq2_on", "On"), ("eq2_type", "Bell"), ("eq2_freq", "5000")] {
                        s.set_param_text(id, v).unwrap();
                    }
                    s.set_param_text("eq2_gain", "3").unwrap();
                }
                if b % 15 == 0 {
                    let p = if (b / 15) % 2 == 0 { "Mid" } else { "Left" };
                    s.set_param_text("eq2_place", p).unwrap();
                }
            },
        ),
        ("band on/off every 30 ms", 3.99, |b, s| {
            if b % 11 == 0 {
                s.set_param_text("eq1_on", if (b / 11) % 2 == 0 { "Off" } else { "On" })
                    .unwrap();
            }
        }),
        ("bypass on/off every 30 ms", 3.99, |b, s| {
            if b % 11 == 0 {
                s.set_param_text("bypass", if (b / 11) % 2 == 0 { "On" } else { "Off" })
                    .unwrap();
            }
        }),
    ];
    for (name, max_gain, automate) in cases {
        let mut s = EmbeddedStrata::new(rate as f32, 128, 2);
        for (id, v) in [
            ("eq1_on", "On"),
            ("eq1_type", "Bell"),
            ("eq1_freq", "300"),
            ("eq1_gain", "12"),
            ("eq1_q", "1"),
        ] {
            s.set_param_text(id, v).unwrap();
        }
        let out = run_sine(&mut s, 1.0, automate);
        let skip = 4800; // let the initial fade-in pass
        let curvature = max_curvature(&out[skip..]);
        // The loudest steady sine through the band, with 50 % headroom for the glides' own
        // (slow) amplitude and phase modulation.
        let bound = 1.5 * sine_curvature(0.5 * max_gain, 300.0, rate);
        println!("{name}: max curvature {curvature:.2e}, bound {bound:.2e}");
        assert!(
            curvature < bound,
            "{name}: click ({curvature:e} > {bound:e})"
        );
    }
}

/// Random settings on every band, changed every 64 samples without any smoothing: the SVF
/// sections must never blow up, in any mix of placements. Gains within ±6 dB: the steady worst
/// case is 8 × 6 = +48 dB.
#[test]
fn random_automation_every_block_stays_bounded() {
    for rate in [44_100.0, 96_000.0] {
        let mut eq = Equalizer::new(rate);
        let mut rng = fastrand::Rng::with_seed(42);
        let mut peak_out = 0.0f64;
        let amplitude = 0.1;
        let blocks = (rate * 20.0) as usize / MAX_FRAMES;
        for _ in 0..blocks {
            for band in 0..BANDS {
                if rng.f32() < 0.5 {
                    eq.set_band(
                        band,
                        BandSettings {
                            enabled: rng.f32() < 0.8,
                            shape: Shape::ALL[rng.usize(0..Shape::ALL.len())],
                            freq_hz: 20.0 * 1000f64.powf(rng.f64()),
                            gain_db: rng.f64() * 12.0 - 6.0,
                            q: 0.1 * 180f64.powf(rng.f64()),
                            slope: Slope::ALL[rng.usize(0..Slope::ALL.len())],
                            placement: Placement::ALL[rng.usize(0..Placement::ALL.len())],
                        },
                    );
                }
            }
            let mut block: Vec<[f64; 2]> = (0..MAX_FRAMES)
                .map(|_| {
                    let x = amplitude * (2.0 * rng.f64() - 1.0);
                    [x, x]
                })
                .collect();
            eq.process_block(&mut block);
            for f in &block {
                assert!(f[0].is_finite() && f[1].is_finite());
                peak_out = peak_out.max(f[0].abs());
            }
        }
        let bound = amplitude * 10f64.powf(48.0 / 20.0);
        println!(
            "{rate} Hz: peak {peak_out:.3} under random automation (static worst case {bound:.1})"
        );
        assert!(peak_out < bound, "{rate} Hz: output peaked at {peak_out}");
    }
}
