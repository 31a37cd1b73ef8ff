//! The converter measured directly: sines fitted at the exact output frequency (the fixed-point
//! step makes the ratio known exactly), at the ratios the duplex path and `render` use.

use std::f64::consts::PI;

use super::*;
use strata_test_support::fit::{fit_sine, fit_sines};

/// (input Hz, output Hz, correction): CD ↔ 48 kHz, a 96 kHz interface into CD rate, and
/// equal rates steered by +1000 ppm.
const RATIOS: [(f64, f64, f64); 4] = [
    (44_100.0, 48_000.0, 1.0),
    (48_000.0, 44_100.0, 1.0),
    (96_000.0, 44_100.0, 1.0),
    (48_000.0, 48_000.0, 1.001),
];

const AMPLITUDE: f64 = 0.5;

fn sine(rate_hz: f64, freq_hz: f64, frames: usize) -> Vec<f32> {
    (0..frames)
        .map(|n| (AMPLITUDE * (2.0 * PI * freq_hz * n as f64 / rate_hz + 0.3).sin()) as f32)
        .collect()
}

/// What a run produced: the output channels, the summed advance, the input frames pulled.
struct Run {
    output: Vec<Vec<f32>>,
    advance: f64,
    pulled: usize,
}

/// Push `input` (one signal per channel, silence after its end) through `converter` for
/// `frames` output frames, in chunks cycling through `chunks`.
fn convert(converter: &mut Converter, input: &[Vec<f32>], frames: usize, chunks: &[usize]) -> Run {
    convert_steered(converter, input, frames, chunks, |_| None)
}

/// The same, with `steer(chunk index)` giving a correction to set before each chunk. Checks on
/// the way that `input_frames_for` predicts each pull, that the summed advance is exactly where
/// the filter is (whole frames dropped from the history plus the fractional position), and
/// that the frames pulled run 0–2 ahead of it (the duplex engine's read position).
fn convert_steered(
    converter: &mut Converter,
    input: &[Vec<f32>],
    frames: usize,
    chunks: &[usize],
    mut steer: impl FnMut(usize) -> Option<f64>,
) -> Run {
    let mut run = Run {
        output: vec![Vec::with_capacity(frames); input.len()],
        advance: 0.0,
        pulled: 0,
    };
    let mut buffers = vec![vec![0.0f32; converter.max_chunk]; input.len()];
    let mut made = 0;
    for (index, &chunk) in chunks.iter().cycle().enumerate() {
        if made >= frames {
            break;
        }
        if let Some(correction) = steer(index) {
            converter.set_correction(correction);
        }
        let n = chunk.min(frames - made);
        let predicted = converter.input_frames_for(n);
        let mut outs: Vec<&mut [f32]> = buffers.iter_mut().map(|b| &mut b[..n]).collect();
        let mut pulled_now = 0;
        run.advance += converter.process(
            |staging, needed| {
                for (dst, src) in staging.iter_mut().zip(input) {
                    for (k, d) in dst[..needed].iter_mut().enumerate() {
                        *d = src.get(run.pulled + k).copied().unwrap_or(0.0);
                    }
                }
                pulled_now = needed;
            },
            &mut outs,
        );
        assert_eq!(
            pulled_now, predicted,
            "input_frames_for mispredicted the pull"
        );
        run.pulled += pulled_now;
        let dropped = run.pulled + converter.preroll - converter.filled;
        let position = dropped as f64 + converter.position as f64 / ONE;
        assert_eq!(
            position, run.advance,
            "the advance is not where the filter is"
        );
        let lead = run.pulled as f64 - run.advance;
        assert!(
            (0.0..=2.0).contains(&lead),
            "pulls {lead} frames ahead of the position"
        );
        for (o, b) in run.output.iter_mut().zip(&buffers) {
            o.extend_from_slice(&b[..n]);
        }
        made += n;
    }
    run
}

/// (amplitude, residual RMS) of the sine at exactly `cycles` per sample.
fn fit(x: &[f32], cycles: f64) -> (f64, f64) {
    let f = fit_sine(x, cycles);
    (f.amplitude, f.residual_rms)
}

/// A converter for one of `RATIOS`, already at its corrected ratio (as once the drift loop
/// has settled: no ramp from the nominal ratio in the first chunk).
fn converter(fin: f64, fout: f64, correction: f64, channels: usize) -> Converter {
    let mut c = Converter::new(fin, fout, channels, 512);
    c.set_correction(correction);
    c.step = c.target_step;
    c
}

/// One second of a sine at `freq_hz` converted (after the filter has filled): the level in dB
/// re the input, the residual in dB re the fitted sine (THD+N), and the output.
fn measure(fin: f64, fout: f64, correction: f64, freq_hz: f64) -> (f64, f64, Vec<Vec<f32>>) {
    let mut c = converter(fin, fout, correction, 2);
    let skip = 2 * c.table.design.taps;
    let fit_frames = fout as usize;
    let step = c.step as f64 / ONE;
    let x = sine(
        fin,
        freq_hz,
        ((skip + fit_frames) as f64 * step) as usize + 600,
    );
    let run = convert(&mut c, &[x.clone(), x], skip + fit_frames, &[512]);
    let y = &run.output[0][skip..];
    let (amplitude, residual) = fit(y, freq_hz / fin * step);
    let db = 20.0 * (amplitude / AMPLITUDE).log10();
    let thd_n = 20.0 * (residual / amplitude).log10();
    (db, thd_n, run.output)
}

#[test]
fn flat_from_20_hz_to_20_khz_and_exact_in_the_bass() {
    for (fin, fout, correction) in RATIOS {
        let (mut worst, mut worst_bass) = (0.0f64, 0.0f64);
        for f in [
            20.0, 40.0, 80.0, 160.0, 320.0, 1000.0, 5000.0, 10_000.0, 15_000.0, 18_000.0, 19_000.0,
            20_000.0,
        ] {
            let (db, thd_n, out) = measure(fin, fout, correction, f);
            assert_eq!(out[0], out[1], "{fin}→{fout}: L and R differ at {f} Hz");
            println!("{fin}→{fout} ×{correction}: {f:>6} Hz {db:+.6} dB, THD+N {thd_n:.1} dB");
            // What is left of a high tone is mostly the phase interpolation's images
            // (`polyphase::PHASES`): −120 dB at 20 kHz.
            assert!(
                thd_n <= -118.0,
                "{fin}→{fout}: THD+N {thd_n:.1} dB at {f} Hz"
            );
            worst = worst.max(db.abs());
            if (40.0..=320.0).contains(&f) {
                worst_bass = worst_bass.max(db.abs());
            }
        }
        println!("{fin}→{fout} ×{correction}: worst ±{worst:.6} dB, bass ±{worst_bass:.7} dB");
        assert!(worst <= 0.003, "{fin}→{fout}: ±{worst} dB");
        assert!(worst_bass <= 0.0002, "{fin}→{fout}: bass ±{worst_bass} dB");
    }
}

#[test]
fn a_1_khz_sine_comes_out_clean() {
    for (fin, fout, correction) in RATIOS {
        let (_, thd_n, _) = measure(fin, fout, correction, 1000.0);
        println!("{fin}→{fout} ×{correction}: 1 kHz THD+N {thd_n:.1} dB");
        assert!(thd_n <= -130.0, "{fin}→{fout}: THD+N {thd_n:.1} dB");
    }
}

/// Tones whose images (upsampling) or aliases (downsampling) would land in the audible band
/// come out ≥ 130 dB down there.
#[test]
fn images_and_aliases_are_gone() {
    // (in, out, tone, where its image or alias lands at the output).
    for (fin, fout, tone, lands) in [
        // The image of 19 kHz at 44.1 − 19 = 25.1 kHz folds to 48 − 25.1 = 22.9 kHz.
        (44_100.0, 48_000.0, 19_000.0, 22_900.0),
        // The image of 5 kHz, 39.1 kHz, folds to 8.9 kHz.
        (44_100.0, 48_000.0, 5_000.0, 8_900.0),
        // 23.9 kHz at 48 kHz aliases to 44.1 − 23.9 = 20.2 kHz.
        (48_000.0, 44_100.0, 23_900.0, 20_200.0),
        // 30 kHz at 96 kHz aliases to 14.1 kHz, 40 kHz to 4.1 kHz.
        (96_000.0, 44_100.0, 30_000.0, 14_100.0),
        (96_000.0, 44_100.0, 40_000.0, 4_100.0),
    ] {
        let mut c = converter(fin, fout, 1.0, 1);
        let skip = 2 * c.table.design.taps;
        let frames = fout as usize;
        let x = sine(
            fin,
            tone,
            ((skip + frames) as f64 * fin / fout) as usize + 600,
        );
        let run = convert(&mut c, &[x], skip + frames, &[512]);
        let (amplitude, _) = fit(&run.output[0][skip..], lands / fout);
        let db = 20.0 * (amplitude / AMPLITUDE).log10();
        println!("{fin}→{fout}: {tone} Hz → {lands} Hz at {db:.1} dB");
        assert!(
            db <= -130.0,
            "{fin}→{fout}: {tone} Hz → {lands} Hz at {db:.1} dB"
        );
    }
}

/// The same signal on every channel comes out bit-identical, whether a channel is computed in
/// a pair or alone (three channels: a pair and a single).
#[test]
fn identical_channels_stay_identical() {
    let x = sine(44_100.0, 997.0, 20_000);
    let mono = convert(
        &mut converter(44_100.0, 48_000.0, 1.0003, 1),
        std::slice::from_ref(&x),
        16_000,
        &[333],
    );
    let three = convert(
        &mut converter(44_100.0, 48_000.0, 1.0003, 3),
        &[x.clone(), x.clone(), x],
        16_000,
        &[333],
    );
    for ch in &three.output {
        assert_eq!(*ch, mono.output[0]);
    }
}

/// The advance is exactly the frames times the step, however the output is chunked, and the
/// chunking does not change a sample.
#[test]
fn advance_is_exact_and_chunking_is_invisible() {
    let x = sine(48_000.0, 440.0, 60_000);
    let mut a = converter(48_000.0, 44_100.0, 0.9995, 2);
    let mut b = converter(48_000.0, 44_100.0, 0.9995, 2);
    let step = a.step;
    let whole = convert(&mut a, &[x.clone(), x.clone()], 40_000, &[512]);
    let ragged = convert(
        &mut b,
        &[x.clone(), x],
        40_000,
        &[1, 7, 512, 300, 64, 2, 511],
    );
    assert_eq!(whole.advance, (40_000 * step) as f64 / ONE);
    assert_eq!(ragged.advance, whole.advance);
    assert_eq!(whole.output, ragged.output);
}

/// A new correction is ramped to over the next chunk, as rubato did: the chunk advances by
/// `n·from + (to − from)·(n + 1)/2` (to the 2⁻³² of a frame the steps are floored to), the
/// next at the new step; `convert_steered` checks that every advance is exact. Corrections
/// beyond ±1 % are clamped.
#[test]
fn corrections_ramp_and_the_advance_stays_exact() {
    let x = sine(44_100.0, 1000.0, 200_000);
    let mut c = Converter::new(44_100.0, 48_000.0, 2, 512);
    let mut rng = fastrand::Rng::with_seed(5);
    let corrections: Vec<f64> = (0..1000).map(|_| 1.0 + (rng.f64() - 0.5) * 0.024).collect();
    let chunks: Vec<usize> = (0..1000).map(|_| rng.usize(1..=512)).collect();
    let run = convert_steered(&mut c, &[x.clone(), x.clone()], 150_000, &chunks, |i| {
        corrections.get(i).copied()
    });
    assert!(run.output[0].iter().all(|s| s.abs() <= 0.51));

    let mut c = Converter::new(44_100.0, 48_000.0, 1, 512);
    let (from, n) = (c.step as f64 / ONE, 480);
    let mut out = vec![0.0f32; n];
    let mut chunk =
        |c: &mut Converter| c.process(|s, needed| s[0][..needed].fill(0.25), &mut [&mut out[..]]);
    c.set_correction(1.5);
    let to = fixed_step(48_000.0 / 44_100.0 * MAX_CORRECTION) as f64 / ONE;
    let ramped = chunk(&mut c);
    let expected = n as f64 * from + (to - from) * (n + 1) as f64 / 2.0;
    assert!(
        (ramped - expected).abs() <= n as f64 / ONE,
        "{ramped} vs {expected}"
    );
    assert_eq!(chunk(&mut c), n as f64 * to);
}

/// Correction moves the output frequency by exactly the correction; `reset` forgets the signal
/// and the correction.
#[test]
fn correction_steers_and_reset_forgets() {
    let x = sine(48_000.0, 1000.0, 60_000);
    let mut c = converter(48_000.0, 48_000.0, 1.01, 1);
    let run = convert(&mut c, std::slice::from_ref(&x), 40_000, &[480]);
    // At 1 % more output per input, 1 kHz lands at 1000 / 1.01 Hz.
    let (amplitude, residual) = fit(&run.output[0][1000..], 1000.0 / 1.01 / 48_000.0);
    assert!(
        residual / amplitude < 1e-6,
        "not at the corrected frequency"
    );

    c.reset();
    let mut fresh = Converter::new(48_000.0, 48_000.0, 1, 512);
    let again = convert(&mut c, std::slice::from_ref(&x), 5000, &[480]);
    let first = convert(&mut fresh, &[x], 5000, &[480]);
    assert_eq!(again.output, first.output);
}

/// `delay_frames` is where an input instant comes out: the phase of a 20 Hz tone, fitted.
#[test]
fn delay_frames_is_the_delay() {
    for (fin, fout, _) in RATIOS {
        let mut c = converter(fin, fout, 1.0, 1);
        let f = 20.0;
        let x: Vec<f32> = (0..(fin as usize))
            .map(|n| (AMPLITUDE * (2.0 * PI * f * n as f64 / fin).sin()) as f32)
            .collect();
        let (skip, frames) = (1000, fout as usize / 2);
        let run = convert(&mut c, &[x], skip + frames, &[512]);
        // y[i] = A·sin(w·(skip + i − D)) = C·cos(w·i) + S·sin(w·i): the phase gives D.
        let w = 2.0 * PI * f / fout;
        let [cos, sin] = fit_sines(&run.output[0][skip..], &[f / fout]).parts[0];
        let period = fout / f;
        let delay = (skip as f64 - cos.atan2(sin) / w).rem_euclid(period);
        println!(
            "{fin}→{fout}: delay {delay:.3} frames, delay_frames() {}",
            c.delay_frames()
        );
        assert!((delay - c.delay_frames() as f64).abs() <= 0.5 + 1e-3);
    }
}

/// The portable inner loop (what a CPU without AVX2 and FMA runs) agrees with the one this
/// machine runs to f32 rounding, and is as clean.
#[test]
fn portable_kernel_agrees() {
    let x = sine(44_100.0, 1000.0, 60_000);
    let mut fast = converter(44_100.0, 48_000.0, 1.0002, 2);
    let mut portable = converter(44_100.0, 48_000.0, 1.0002, 2);
    portable.isa = Isa::Portable;
    let a = convert(&mut fast, &[x.clone(), x.clone()], 50_000, &[512]);
    let b = convert(&mut portable, &[x.clone(), x], 50_000, &[512]);
    let worst = a.output[0]
        .iter()
        .zip(&b.output[0])
        .fold(0.0f32, |m, (p, q)| m.max((p - q).abs()));
    assert!(worst < 1e-6, "kernels differ by {worst}");
    assert_eq!(b.output[0], b.output[1]);
    let skip = 2 * portable.table.design.taps;
    let (amplitude, residual) = fit(
        &b.output[0][skip..],
        1000.0 / 44_100.0 * portable.step as f64 / ONE,
    );
    let thd_n = 20.0 * (residual / amplitude).log10();
    println!(
        "portable kernel: 1 kHz THD+N {thd_n:.1} dB, {worst:e} from {:?}",
        fast.isa
    );
    assert!(thd_n <= -130.0);
}
