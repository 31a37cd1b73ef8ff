//! Band solo through the whole plugin (`Plugin::process` in the embedded host): while the
//! editor holds a band's solo, the output is the part of the spectrum the band acts on at the
//! input's level; released, the output is the chain's again, exactly as if nothing had been
//! soloed.

use std::f32::consts::PI;
use std::sync::atomic::Ordering;

use strata::params::NO_SOLO;
use strata_standalone::host::EmbeddedStrata;

const RATE: f32 = 48_000.0;
const BLOCK: usize = 256;

fn instance() -> EmbeddedStrata {
    let mut s = EmbeddedStrata::new(RATE, BLOCK, 2);
    for (id, v) in [
        ("eq3_on", "On"),
        ("eq3_type", "Bell"),
        ("eq3_freq", "1000"),
        ("eq3_gain", "6"),
        ("eq3_q", "1"),
        ("eq7_on", "On"),
        ("eq7_type", "High Shelf"),
        ("eq7_freq", "6000"),
        ("eq7_gain", "-4"),
        ("comp_on", "On"),
        ("comp_thresh", "-30"),
    ] {
        s.set_param_text(id, v).unwrap();
    }
    s.settle();
    s
}

fn sine(freq_hz: f32, seconds: f32) -> Vec<f32> {
    let n = (seconds * RATE) as usize;
    (0..n)
        .map(|i| 0.25 * (2.0 * PI * freq_hz * i as f32 / RATE).sin())
        .collect()
}

/// `input` on both channels through `s` in blocks; the left output.
fn run(s: &mut EmbeddedStrata, input: &[f32]) -> Vec<f32> {
    let mut out = Vec::with_capacity(input.len());
    for chunk in input.chunks(BLOCK) {
        let (mut l, mut r) = (chunk.to_vec(), chunk.to_vec());
        s.process(&mut [&mut l, &mut r]);
        out.extend_from_slice(&l);
    }
    out
}

fn rms_db(x: &[f32]) -> f64 {
    let mean = x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64;
    10.0 * mean.log10()
}

#[test]
fn a_soloed_band_plays_its_region_at_the_input_level_and_release_restores_the_chain() {
    let (mut soloed, mut reference) = (instance(), instance());
    let params = soloed.params();
    // Band 3 (a 1 kHz bell) held.
    params.soloed_band.store(2, Ordering::Relaxed);
    let tone = sine(1000.0, 1.0);
    let out = run(&mut soloed, &tone);
    run(&mut reference, &tone);
    let gain_db = rms_db(&out[24_000..]) - rms_db(&tone[24_000..]);
    let low = sine(100.0, 1.0);
    let low_out = run(&mut soloed, &low);
    run(&mut reference, &low);
    let low_db = rms_db(&low_out[24_000..]) - rms_db(&low[24_000..]);
    // Band 7 (a high shelf at 6 kHz): its region is above the corner.
    params.soloed_band.store(6, Ordering::Relaxed);
    let high = sine(12_000.0, 0.5);
    let high_out = run(&mut soloed, &high);
    run(&mut reference, &high);
    let high_db = rms_db(&high_out[12_000..]) - rms_db(&high[12_000..]);
    let low_in_high = run(&mut soloed, &low);
    run(&mut reference, &low);
    let low_in_high_db = rms_db(&low_in_high[12_000..]) - rms_db(&low[12_000..]);
    println!(
        "solo band 3 (1 kHz bell): 1 kHz {gain_db:+.3} dB, 100 Hz {low_db:+.1} dB; \
         band 7 (6 kHz shelf): 12 kHz {high_db:+.3} dB, 100 Hz {low_in_high_db:+.1} dB"
    );
    // What the band acts on at the input's level (the bell's +6 dB is not applied)...
    assert!(gain_db.abs() < 0.05, "{gain_db}");
    assert!(high_db.abs() < 0.3, "{high_db}");
    // ...and the rest of the spectrum well down.
    assert!(low_db < -15.0, "{low_db}");
    assert!(low_in_high_db < -40.0, "{low_in_high_db}");
    // Released: after the fade the output is the chain's, bit for bit.
    params.soloed_band.store(NO_SOLO, Ordering::Relaxed);
    let noise: Vec<f32> = {
        let mut rng = fastrand::Rng::with_seed(3);
        (0..24_000).map(|_| 0.2 * (rng.f32() - 0.5)).collect()
    };
    let (a, b) = (run(&mut soloed, &noise), run(&mut reference, &noise));
    let fade = (0.010 * RATE) as usize + BLOCK;
    assert_eq!(a[fade..], b[fade..], "the chain's own output after release");
    assert_ne!(a[..fade], b[..fade], "the release fades (it is not a cut)");
}
