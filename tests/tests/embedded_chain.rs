//! The whole chain through `Plugin::process`: latency, bypass alignment.

use strata_standalone::host::EmbeddedStrata;

const BLOCK: usize = 512;

fn run(s: &mut EmbeddedStrata, left: &[f32], right: &[f32]) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (left.to_vec(), right.to_vec());
    for (lc, rc) in l.chunks_mut(BLOCK).zip(r.chunks_mut(BLOCK)) {
        s.process(&mut [lc, rc]);
    }
    (l, r)
}

fn noise(len: usize, seed: u64, amplitude: f32) -> Vec<f32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..len)
        .map(|_| amplitude * (2.0 * rng.f32() - 1.0))
        .collect()
}

#[test]
fn reported_latency_is_the_delay_of_an_impulse() {
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        let mut s = EmbeddedStrata::new(rate, BLOCK, 2);
        for lookahead in ["2", "0.5", "10", "3.3"] {
            s.set_param_text("lim_lookahead", lookahead).unwrap();
            // The new lookahead is picked up (and reported) by the next block.
            run(&mut s, &vec![0.0; BLOCK], &vec![0.0; BLOCK]);
            let latency = s.latency_samples() as usize;
            let mut x = vec![0.0f32; 8192];
            x[1000] = 0.5;
            let (l, r) = run(&mut s, &x, &x);
            let at = l.iter().position(|v| *v != 0.0).expect("impulse lost");
            assert_eq!(at - 1000, latency, "{rate} Hz, lookahead {lookahead} ms");
            assert_eq!((l[at], r[at]), (0.5, 0.5));
        }
    }
}

/// Every stage on but neutral (0 dB bands, 1:1 compressor, limiter above the signal):
/// processing and bypass give the same samples.
#[test]
fn neutral_chain_nulls_against_bypass() {
    let rate = 48_000.0;
    let neutral = |bypass: &str| {
        let mut s = EmbeddedStrata::new(rate, BLOCK, 2);
        for band in 1..=8 {
            s.set_param_text(&format!("eq{band}_on"), "On").unwrap();
            s.set_param_text(&format!("eq{band}_type"), "Bell").unwrap();
            s.set_param_text(&format!("eq{band}_gain"), "0").unwrap();
        }
        for (id, v) in [
            ("comp_on", "On"),
            ("comp_ratio", "1"),
            ("lim_on", "On"),
            ("lim_ceiling", "0"),
            ("bypass", bypass),
        ] {
            s.set_param_text(id, v).unwrap();
        }
        s.settle();
        s
    };
    let (left, right) = (noise(96_000, 1, 0.3), noise(96_000, 2, 0.3));
    let processed = run(&mut neutral("Off"), &left, &right);
    let bypassed = run(&mut neutral("On"), &left, &right);
    let residual = processed
        .0
        .iter()
        .chain(&processed.1)
        .zip(bypassed.0.iter().chain(&bypassed.1))
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    let residual_db = 20.0 * (residual as f64 / 0.3).log10();
    println!("bypass null residual: {residual_db} dB");
    assert!(
        residual_db <= -120.0,
        "bypass vs neutral processing: {residual_db} dB"
    );
}

/// A host may stop calling the plugin once its input has been silent for the reported tail.
/// Whatever was ringing or recovering must be over by then: the strip resumes as if it had
/// kept running through the whole silence.
#[test]
fn after_its_tail_of_silence_the_strip_resumes_as_if_it_had_run_on() {
    let rate = 48_000.0;
    let strip = || {
        let mut s = EmbeddedStrata::new(rate, BLOCK, 2);
        for (id, v) in [
            // A resonant low bell rings longest; a slow compressor recovers longest.
            ("eq1_on", "On"),
            ("eq1_type", "Bell"),
            ("eq1_freq", "30"),
            ("eq1_gain", "12"),
            ("eq1_q", "10"),
            ("comp_on", "On"),
            ("comp_thresh", "-30"),
            ("comp_ratio", "8"),
            ("comp_release", "800"),
            ("lim_on", "On"),
        ] {
            s.set_param_text(id, v).unwrap();
        }
        s
    };
    let burst = noise(48_000, 7, 0.7);
    let tone: Vec<f32> = (0..24_000)
        .map(|i| 0.05 * (2.0 * std::f32::consts::PI * 440.0 * i as f32 / 48_000.0).sin())
        .collect();
    let mut slept = strip();
    run(&mut slept, &burst, &burst);
    let tail = slept.tail_samples() as usize;
    let latency = slept.latency_samples() as usize;
    let silence = |len: usize| vec![0.0f32; len.div_ceil(BLOCK) * BLOCK];
    // The host lets `tail` samples of silence through, then stops calling until sound returns.
    run(&mut slept, &silence(tail), &silence(tail));
    let (resumed, _) = run(&mut slept, &tone, &tone);
    // The same strip kept running through five more seconds of silence.
    let mut awake = strip();
    run(&mut awake, &burst, &burst);
    run(
        &mut awake,
        &silence(tail + 240_000),
        &silence(tail + 240_000),
    );
    let (kept, _) = run(&mut awake, &tone, &tone);
    let worst = resumed
        .iter()
        .zip(&kept)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    let worst_db = 20.0 * (worst / 0.05).log10();
    println!(
        "tail {tail} samples ({:.2} s, latency {latency}); resumed vs kept running: {worst_db:.1} dB \
         re the tone",
        tail as f32 / rate
    );
    assert!(tail > latency && tail < 30 * 48_000, "{tail}");
    assert!(worst_db < -80.0, "{worst_db:.1} dB");
    // And the default strip (everything off) has only its latency as tail.
    let mut plain = EmbeddedStrata::new(rate, BLOCK, 2);
    run(&mut plain, &burst, &burst);
    assert_eq!(plain.tail_samples(), plain.latency_samples());
}
