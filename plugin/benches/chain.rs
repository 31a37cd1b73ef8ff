//! Whole-chain throughput: 8 EQ bands + compressor + true-peak limiter on 48 kHz stereo,
//! reported as × real time. The input is programme-like (noise and tones under a moving
//! envelope; the compressor's makeup drives the limiter), so both dynamics stages are working.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use strata::chain::MAX_BLOCK;
use strata::chain::{BlockGains, Chain};
use strata::dsp::dynamics::compressor::CompressorSettings;
use strata::dsp::dynamics::limiter::LimiterSettings;

mod common;
use common::eight_bands;

const RATE: f32 = 48_000.0;

fn chain() -> Chain {
    let mut c = Chain::new(RATE);
    for (i, band) in eight_bands().into_iter().enumerate() {
        c.set_band(i, band);
    }
    c.set_compressor(&CompressorSettings {
        enabled: true,
        threshold_db: -20.0,
        ratio: 3.0,
        makeup_db: 6.0,
        ..Default::default()
    });
    c.set_limiter(&LimiterSettings {
        enabled: true,
        ceiling_db: -1.0,
        ..Default::default()
    });
    c.snap_next_block();
    c
}

fn programme(len: usize) -> (Vec<f32>, Vec<f32>) {
    let mut rng = fastrand::Rng::with_seed(5);
    let mut left = Vec::with_capacity(len);
    let mut right = Vec::with_capacity(len);
    for n in 0..len {
        let t = n as f32 / RATE;
        let envelope = 0.6 + 0.5 * (2.0 * std::f32::consts::PI * 1.7 * t).sin();
        let tone = (2.0 * std::f32::consts::PI * 220.0 * t).sin()
            + 0.5 * (2.0 * std::f32::consts::PI * 3300.0 * t).sin();
        left.push(envelope * (0.5 * tone + 0.4 * (rng.f32() - 0.5)));
        right.push(envelope * (0.45 * tone + 0.4 * (rng.f32() - 0.5)));
    }
    (left, right)
}

/// Process the whole signal; returns the largest compressor and limiter reductions (dB) and
/// the share of blocks in which the limiter reduced the gain.
fn run(c: &mut Chain, left: &mut [f32], right: &mut [f32]) -> (f64, f64, f64) {
    let ones = [1.0f32; MAX_BLOCK];
    let gains = BlockGains {
        input: &ones,
        output: &ones,
    };
    let (mut comp_db, mut lim_db, mut limiting, mut blocks) = (0.0f64, 0.0f64, 0, 0);
    for (l, r) in left.chunks_mut(MAX_BLOCK).zip(right.chunks_mut(MAX_BLOCK)) {
        c.process_block(black_box(l), Some(r), None, &gains);
        let reductions = c.reductions();
        comp_db = comp_db.max(reductions.compressor_db);
        lim_db = lim_db.max(reductions.limiter_db);
        limiting += usize::from(reductions.limiter_db > 0.0);
        blocks += 1;
    }
    (comp_db, lim_db, limiting as f64 / blocks as f64)
}

fn bench_chain(c: &mut Criterion) {
    let frames = RATE as usize;
    let (left, right) = programme(frames);
    let mut group = c.benchmark_group("chain");
    group.throughput(Throughput::Elements(frames as u64));
    for metering in [false, true] {
        let mut strip = chain();
        strip.meters_mut().set_enabled(metering);
        let (mut l, mut r) = (left.clone(), right.clone());
        let (comp_db, lim_db, limiting) = run(&mut strip, &mut l, &mut r);
        let name = if metering {
            "8 bands + compressor + true-peak limiter + meters, 48 kHz stereo, 1 s"
        } else {
            "8 bands + compressor + true-peak limiter, 48 kHz stereo, 1 s"
        };
        group.bench_function(name, |b| {
            b.iter(|| {
                l.copy_from_slice(&left);
                r.copy_from_slice(&right);
                run(&mut strip, &mut l, &mut r);
            })
        });
        // × real time from a direct timing as well (criterion prints time per second of audio).
        let start = std::time::Instant::now();
        let reps = 10;
        for _ in 0..reps {
            l.copy_from_slice(&left);
            r.copy_from_slice(&right);
            run(&mut strip, &mut l, &mut r);
        }
        let per_second = start.elapsed().as_secs_f64() / reps as f64;
        println!(
            "chain{}: {:.0}x real time (compressor up to -{comp_db:.1} dB; limiter up to \
             -{lim_db:.1} dB, reducing in {:.0}% of blocks)",
            if metering { " with meters" } else { "" },
            1.0 / per_second,
            100.0 * limiting
        );
    }
    group.finish();
}

criterion_group!(benches, bench_chain);
criterion_main!(benches);
