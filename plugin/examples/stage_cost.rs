//! Cost of each stage alone on programme-like 48 kHz stereo (best of 15 runs, µs per second).
use std::time::Instant;
use strata::dsp::dynamics::compressor::{Compressor, CompressorSettings};
use strata::dsp::dynamics::limiter::detector::{Kernel, TruePeak};
use strata::dsp::dynamics::limiter::{Limiter, LimiterSettings};

fn best(v: Vec<f64>) -> f64 {
    v.into_iter().fold(f64::INFINITY, f64::min)
}

fn main() {
    let rate = 48_000.0;
    let mut rng = fastrand::Rng::with_seed(5);
    let input: Vec<[f64; 2]> = (0..48_000)
        .map(|n| {
            let noise = rng.f64() - 0.5;
            let t = n as f64 / rate;
            let env = 0.6 + 0.5 * (2.0 * std::f64::consts::PI * 1.7 * t).sin();
            let tone = (2.0 * std::f64::consts::PI * 220.0 * t).sin();
            [
                env * (0.5 * tone + 0.4 * noise),
                env * (0.45 * tone + 0.4 * noise),
            ]
        })
        .collect();
    let mut buf = input.clone();
    let mut time = |f: &mut dyn FnMut(&mut [[f64; 2]])| {
        best(
            (0..15)
                .map(|_| {
                    buf.copy_from_slice(&input);
                    let t = Instant::now();
                    for c in buf.chunks_mut(64) {
                        f(c);
                    }
                    t.elapsed().as_secs_f64() * 1e6
                })
                .collect(),
        )
    };
    let mut comp = Compressor::new(rate);
    comp.set(&CompressorSettings {
        enabled: true,
        threshold_db: -20.0,
        ratio: 3.0,
        ..Default::default()
    });
    println!(
        "compressor: {:.0} us",
        time(&mut |c| comp.process_block(c, None))
    );
    let s = LimiterSettings {
        enabled: true,
        ceiling_db: -1.0,
        ..Default::default()
    };
    let mut lim = Limiter::new(rate, &s);
    lim.set(&s);
    println!("limiter:    {:.0} us", time(&mut |c| lim.process_block(c)));
    // The usual case in a mix: on, 20 dB under its ceiling, nothing to limit.
    let mut lim = Limiter::new(rate, &s);
    lim.set(&s);
    println!(
        "limiter, idle: {:.0} us",
        time(&mut |c| {
            for f in c.iter_mut() {
                *f = f.map(|v| 0.1 * v);
            }
            lim.process_block(c)
        })
    );
    let k = Kernel::new();
    let mut tp = TruePeak::default();
    let mut out = [[0.0; 2]; 64];
    println!(
        "detector exact: {:.0} us",
        time(&mut |c| {
            tp.process_block(&k, c, 0.0, &mut out[..c.len()]);
        })
    );
    let s = LimiterSettings {
        enabled: true,
        ceiling_db: -1.0,
        true_peak: false,
        ..Default::default()
    };
    let mut lim = Limiter::new(rate, &s);
    lim.set(&s);
    println!(
        "limiter, sample peak: {:.0} us",
        time(&mut |c| lim.process_block(c))
    );
}
