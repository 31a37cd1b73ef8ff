//! EQ throughput: 8 active bands on 48 kHz stereo, reported as × real time.
//!
//! Criterion's throughput is set to one second of audio per iteration, so its "elements/s"
//! figure divided by one second of samples is the real-time factor; the bench also prints it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use strata::chain::MAX_BLOCK;
use strata::dsp::eq::Equalizer;

mod common;
use common::eight_bands;

const RATE: f64 = 48_000.0;

fn bench_eq(c: &mut Criterion) {
    let mut eq = Equalizer::new(RATE);
    for (i, s) in eight_bands().into_iter().enumerate() {
        eq.set_band(i, s);
    }
    let seconds = 1.0;
    let frames = (RATE * seconds) as usize;
    let input: Vec<[f64; 2]> = (0..frames)
        .map(|i| {
            let x = ((i as f64 * 0.013).sin() + (i as f64 * 0.37).sin()) * 0.25;
            [x, -x]
        })
        .collect();
    let mut buf = input.clone();
    // Settle the fades so the bench measures steady state.
    for chunk in buf.chunks_mut(MAX_BLOCK) {
        eq.process_block(chunk);
    }
    let mut group = c.benchmark_group("eq");
    group.throughput(Throughput::Elements(frames as u64));
    group.bench_function("8 bands, 48 kHz stereo, 1 s", |b| {
        b.iter(|| {
            buf.copy_from_slice(&input);
            for chunk in buf.chunks_mut(MAX_BLOCK) {
                eq.process_block(black_box(chunk));
            }
        })
    });
    group.finish();
    // Report × real time from a direct timing as well (criterion prints time per second of audio).
    let start = std::time::Instant::now();
    let reps = 20;
    for _ in 0..reps {
        buf.copy_from_slice(&input);
        for chunk in buf.chunks_mut(MAX_BLOCK) {
            eq.process_block(black_box(chunk));
        }
    }
    let per_second = start.elapsed().as_secs_f64() / reps as f64 / seconds;
    println!(
        "eq: 8 bands, 48 kHz stereo: {:.0}x real time",
        1.0 / per_second
    );
}

criterion_group!(benches, bench_eq);
criterion_main!(benches);
