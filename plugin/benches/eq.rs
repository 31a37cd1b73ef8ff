//! EQ throughput on 48 kHz stereo, reported as × real time: the eight-band mix, the same on a
//! mono signal, and one band in each placement (what a placed band, or a mono signal, costs
//! beside stereo, also timed in alternation with the stereo case and printed as a ratio).
//!
//! Criterion's throughput is set to one second of audio per iteration, so its "elements/s"
//! figure divided by one second of samples is the real-time factor; the bench also prints it.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use strata::chain::MAX_BLOCK;
use strata::dsp::eq::{BANDS, BandSettings, Equalizer, Placement};

mod common;
use common::eight_bands;
use strata_test_support::timing::{fastest_in_turn, ratio_line};

const RATE: f64 = 48_000.0;

/// Two tones, −12 dBFS RMS: the right side lower and inverted, or (`mono`) both sides alike.
fn signal(frames: usize, mono: bool) -> Vec<[f64; 2]> {
    (0..frames)
        .map(|i| {
            let x = ((i as f64 * 0.013).sin() + (i as f64 * 0.37).sin()) * 0.25;
            if mono { [x, x] } else { [x, -0.5 * x] }
        })
        .collect()
}

/// Time `bands` over one second of audio, as a criterion case and as a direct × real time.
fn bench_case(c: &mut Criterion, name: &str, bands: &[BandSettings]) {
    bench_layout(c, name, bands, false);
}

/// `bench_case`, on a mono signal if `mono` (both sides of each frame alike).
fn bench_layout(c: &mut Criterion, name: &str, bands: &[BandSettings], mono: bool) {
    let mut eq = Equalizer::new(RATE);
    eq.set_mono(mono);
    for (i, s) in bands.iter().enumerate() {
        eq.set_band(i, *s);
    }
    let seconds = 1.0;
    let frames = (RATE * seconds) as usize;
    let input = signal(frames, mono);
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

/// The cost of `placed` over `stereo`, timed in alternation in one process (the fastest of
/// many one-second runs each), so a slow phase of a shared machine weighs on both alike.
fn paired_ratio(name: &str, stereo: &[BandSettings], placed: &[BandSettings]) {
    paired_layouts(name, stereo, placed, false);
}

/// `paired_ratio`, the second EQ on a mono signal if `mono`.
fn paired_layouts(name: &str, stereo: &[BandSettings], placed: &[BandSettings], mono: bool) {
    let mut runs = [(stereo, false), (placed, mono)].map(|(bands, mono)| {
        let mut eq = Equalizer::new(RATE);
        eq.set_mono(mono);
        for (i, s) in bands.iter().enumerate() {
            eq.set_band(i, *s);
        }
        let input = signal(RATE as usize, mono);
        let mut buf = input.clone();
        move || {
            buf.copy_from_slice(&input);
            for chunk in buf.chunks_mut(MAX_BLOCK) {
                eq.process_block(black_box(chunk));
            }
        }
    });
    let [first, second] = &mut runs;
    let mut pair: [&mut dyn FnMut(); 2] = [first, second];
    println!("{}", ratio_line("eq", name, fastest_in_turn(29, &mut pair)));
}

fn bench_eq(c: &mut Criterion) {
    let eight = eight_bands();
    bench_case(c, "8 bands, 48 kHz stereo, 1 s", &eight);
    bench_layout(c, "8 bands, 48 kHz mono, 1 s", &eight, true);
    paired_layouts("8 bands, mono over stereo", &eight, &eight, true);
    // The mix with a mid and a side band among the stereo ones (one domain: no conversion
    // between bands), and with left and mid bands too (three conversions a sample).
    let mut ms = eight;
    ms[2].placement = Placement::Mid;
    ms[5].placement = Placement::Side;
    bench_case(c, "8 bands, 2 placed mid/side", &ms);
    let mut mixed = ms;
    mixed[4].placement = Placement::Left;
    bench_case(c, "8 bands, mid/left/side mixed", &mixed);
    paired_ratio("8 bands, 2 placed mid/side over all stereo", &eight, &ms);
    paired_ratio("8 bands, mixed domains over all stereo", &eight, &mixed);
    for placement in Placement::ALL {
        let mut one = [BandSettings::default(); BANDS];
        one[0] = BandSettings {
            placement,
            ..eight[3]
        };
        bench_case(c, &format!("1 bell, {placement:?}"), &one);
        let mut stereo = one;
        stereo[0].placement = Placement::Stereo;
        paired_ratio(&format!("1 bell, {placement:?} over Stereo"), &stereo, &one);
    }
}

criterion_group!(benches, bench_eq);
criterion_main!(benches);
