//! EQ throughput on 48 kHz stereo, reported as × real time: the eight-band mix, and one band
//! in each placement (what a placed band costs beside a stereo one).
//!
//! Criterion's throughput is set to one second of audio per iteration, so its "elements/s"
//! figure divided by one second of samples is the real-time factor; the bench also prints it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use strata::chain::MAX_BLOCK;
use strata::dsp::eq::{BANDS, BandSettings, Equalizer, Placement};

mod common;
use common::eight_bands;

const RATE: f64 = 48_000.0;

/// Time `bands` over one second of audio, as a criterion case and as a direct × real time.
fn bench_case(c: &mut Criterion, name: &str, bands: &[BandSettings]) {
    let mut eq = Equalizer::new(RATE);
    for (i, s) in bands.iter().enumerate() {
        eq.set_band(i, *s);
    }
    let seconds = 1.0;
    let frames = (RATE * seconds) as usize;
    let input: Vec<[f64; 2]> = (0..frames)
        .map(|i| {
            let x = ((i as f64 * 0.013).sin() + (i as f64 * 0.37).sin()) * 0.25;
            [x, -0.5 * x]
        })
        .collect();
    let mut buf = input.clone();
    let run = |eq: &mut Equalizer, buf: &mut Vec<[f64; 2]>| {
        buf.copy_from_slice(&input);
        for chunk in buf.chunks_mut(MAX_BLOCK) {
            eq.process_block(black_box(chunk));
        }
    };
    // Settle the fades so the bench measures steady state.
    run(&mut eq, &mut buf);
    let mut group = c.benchmark_group("eq");
    group.throughput(Throughput::Elements(frames as u64));
    group.bench_function(name, |b| b.iter(|| run(&mut eq, &mut buf)));
    group.finish();
    let start = std::time::Instant::now();
    let reps = 20;
    for _ in 0..reps {
        run(&mut eq, &mut buf);
    }
    let per_second = start.elapsed().as_secs_f64() / reps as f64 / seconds;
    println!("eq: {name}: {:.0}x real time", 1.0 / per_second);
}

fn bench_eq(c: &mut Criterion) {
    let eight = eight_bands();
    bench_case(c, "8 bands, 48 kHz stereo, 1 s", &eight);
    // The mix with a mid and a side band among the stereo ones (one domain: no conversion
    // between bands), and with left and mid bands too (three conversions a sample).
    let mut ms = eight;
    ms[2].placement = Placement::Mid;
    ms[5].placement = Placement::Side;
    bench_case(c, "8 bands, 2 placed mid/side", &ms);
    let mut mixed = ms;
    mixed[4].placement = Placement::Left;
    bench_case(c, "8 bands, mid/left/side mixed", &mixed);
    for placement in Placement::ALL {
        let mut one = [BandSettings::default(); BANDS];
        one[0] = BandSettings {
            placement,
            ..eight[3]
        };
        bench_case(c, &format!("1 bell, {placement:?}"), &one);
    }
}

criterion_group!(benches, bench_eq);
criterion_main!(benches);
