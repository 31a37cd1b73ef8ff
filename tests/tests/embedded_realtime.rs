//! Real-time safety of the whole plugin, driven in-process: no allocation in process(),
//! denormals flushed, non-finite input contained.
//!
//! The allocation checker only exists in debug builds (`warn_debug`), so the file does too.
#![cfg(debug_assertions)]

use nice_assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count};
use strata_standalone::host::EmbeddedStrata;

const BLOCK: usize = 256;

/// Every band on, in every shape, every other parameter away from its default.
fn busy_instance(rate: f32) -> EmbeddedStrata {
    let mut s = EmbeddedStrata::new(rate, BLOCK, 2);
    let shapes = [
        "Low Cut",
        "Low Shelf",
        "Bell",
        "Notch",
        "Band Pass",
        "Tilt",
        "High Shelf",
        "High Cut",
    ];
    for (i, shape) in shapes.iter().enumerate() {
        let band = i + 1;
        s.set_param_text(&format!("eq{band}_on"), "On").unwrap();
        s.set_param_text(&format!("eq{band}_type"), shape).unwrap();
        s.set_param_text(
            &format!("eq{band}_gain"),
            if i % 2 == 0 { "5" } else { "-4" },
        )
        .unwrap();
        s.set_param_text(&format!("eq{band}_slope"), "48 dB/oct")
            .unwrap();
        // Every placement, so the cascade runs in several domains.
        let place = ["Stereo", "Mid", "Left", "Side", "Right"][i % 5];
        s.set_param_text(&format!("eq{band}_place"), place).unwrap();
    }
    s.set_param_text("in_gain", "3").unwrap();
    s.set_param_text("out_gain", "-3").unwrap();
    for (id, value) in [
        ("comp_on", "On"),
        ("comp_thresh", "-30"),
        ("comp_ratio", "6"),
        ("comp_detect", "RMS"),
        ("comp_schpf", "120"),
        ("comp_auto", "On"),
        ("lim_on", "On"),
        ("lim_ceiling", "-3"),
    ] {
        s.set_param_text(id, value).unwrap();
    }
    s
}

fn process_noise(s: &mut EmbeddedStrata, blocks: usize, seed: u64, check_allocs: bool) -> Vec<f32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut out = Vec::new();
    // Editor gestures too: they reach the audio thread through the GUI queue, which
    // `process` drains.
    let gui = s.gui_context();
    let params = s.params();
    let setter = gui.param_setter();
    for b in 0..blocks {
        if b % 5 == 1 {
            let band = params.bands()[rng.usize(0..8)];
            setter.begin_set_parameter(&band.gain);
            for _ in 0..3 {
                setter.set_parameter(&band.gain, rng.f32() * 24.0 - 12.0);
            }
            setter.end_set_parameter(&band.gain);
        }
        if b % 11 == 5 {
            // A band placed elsewhere from the editor: it fades out and in, and stereo bands
            // may change domain.
            let band = params.bands()[rng.usize(0..8)];
            let place = strata::dsp::eq::Placement::ALL[rng.usize(0..5)];
            setter.begin_set_parameter(&band.placement);
            setter.set_parameter(&band.placement, place);
            setter.end_set_parameter(&band.placement);
        }
        if b % 7 == 3 {
            // A band soloed from the editor, or the solo let go.
            let band = if rng.bool() { rng.i32(0..8) } else { -1 };
            params
                .soloed_band
                .store(band, std::sync::atomic::Ordering::Relaxed);
        }
        if b % 17 == 9 {
            // A whole state (a preset) from the editor: applied by `process`, and the resolved
            // values handed back to be freed on this side.
            let mut state = gui.get_state();
            let gain = rng.f32() * 12.0 - 6.0;
            state
                .params
                .insert("eq2_gain".into(), nice_plug::plugin::ParamValue::F32(gain));
            gui.set_state(state);
        }
        let mut left: Vec<f32> = (0..BLOCK).map(|_| rng.f32() - 0.5).collect();
        let mut right = left.clone();
        // Parameter changes arrive between blocks, as from a host or GUI thread.
        if b % 7 == 3 {
            let band = 1 + rng.usize(0..8);
            s.set_param_text(
                &format!("eq{band}_freq"),
                &format!("{}", rng.f32() * 15_000.0 + 20.0),
            )
            .unwrap();
            s.set_param_text(
                &format!("eq{band}_q"),
                &format!("{}", rng.f32() * 8.0 + 0.1),
            )
            .unwrap();
        }
        if b % 11 == 5 {
            let band = 1 + rng.usize(0..8);
            let on = if rng.bool() { "On" } else { "Off" };
            s.set_param_text(&format!("eq{band}_on"), on).unwrap();
        }
        if b % 13 == 0 {
            s.set_param_text("bypass", if rng.bool() { "On" } else { "Off" })
                .unwrap();
        }
        let mut channels = [left.as_mut_slice(), right.as_mut_slice()];
        if check_allocs {
            assert_no_alloc(|| s.process(&mut channels));
        } else {
            s.process(&mut channels);
        }
        out.extend_from_slice(&left);
    }
    out
}

/// The violation counter is global, so the proof that the checker is armed and the check
/// itself run in one test, one after the other.
#[test]
fn process_never_allocates() {
    // Proof the assertion can fail: an allocation inside it is counted.
    reset_violation_count();
    assert_no_alloc(|| {
        let v: Vec<u8> = Vec::with_capacity(64);
        std::hint::black_box(v);
    });
    assert!(
        violation_count() > 0,
        "allocations inside assert_no_alloc are not detected"
    );

    for rate in [44_100.0, 96_000.0] {
        let mut s = busy_instance(rate);
        reset_violation_count();
        let out = process_noise(&mut s, 400, 3, true);
        assert_eq!(violation_count(), 0, "process() allocated at {rate} Hz");
        assert!(out.iter().all(|x| x.is_finite()));
    }
}

#[test]
fn decaying_tails_never_produce_denormals() {
    let mut s = busy_instance(48_000.0);
    let mut seen_zero = false;
    for b in 0..4000 {
        let mut left = vec![0.0f32; BLOCK];
        if b == 0 {
            left[0] = 1.0;
        }
        // Denormal input too: treated as zero, never propagated.
        left[BLOCK / 2] = f32::MIN_POSITIVE / 4.0;
        let mut right = left.clone();
        s.process(&mut [left.as_mut_slice(), right.as_mut_slice()]);
        for x in left.iter().chain(&right) {
            assert!(!x.is_subnormal(), "block {b}: subnormal output {x:e}");
        }
        seen_zero |= b > 0 && left.iter().all(|x| *x == 0.0);
    }
    assert!(seen_zero, "the tail never decayed to exact zero");
}

#[test]
fn non_finite_input_is_silenced_and_forgotten() {
    let rate = 48_000.0;
    let mut a = busy_instance(rate);
    let mut b = busy_instance(rate);
    let mut rng = fastrand::Rng::with_seed(9);
    for block in 0..200 {
        let mut x: Vec<f32> = (0..BLOCK).map(|_| rng.f32() - 0.5).collect();
        let mut clean = x.clone();
        if block == 50 {
            x[10] = f32::NAN;
            x[11] = f32::INFINITY;
            x[12] = f32::NEG_INFINITY;
            clean[10..13].fill(0.0);
        }
        let (mut xr, mut cr) = (x.clone(), clean.clone());
        a.process(&mut [x.as_mut_slice(), xr.as_mut_slice()]);
        b.process(&mut [clean.as_mut_slice(), cr.as_mut_slice()]);
        assert!(
            x.iter().chain(&xr).all(|v| v.is_finite()),
            "block {block}: non-finite output"
        );
        // A NaN is exactly a zero to the chain: nothing of it lingers.
        assert_eq!(
            x, clean,
            "block {block}: output differs from the zero-substituted run"
        );
    }
}
