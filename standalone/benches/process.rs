//! The whole plugin through `Plugin::process` (the embedded host's, the same call a DAW's
//! wrapper makes), so glue, parameters, meters and telemetry are in the figure: idle (every
//! stage off, meters on), EQ only (8 bells), compressor only, limiter only, the chain, and the
//! chain in the mono layout, in 1024-frame buffers as the side-by-side harness feeds the
//! peers; then the chain under full automation (all 24 EQ frequency, gain and Q parameters
//! moved before every 64-frame buffer) beside the same chain, static, in 64-frame buffers.
//! 48 kHz noise at −18 dBFS RMS; throughput in samples per second (÷ 48 000 = × real time).
//!
//! Two ratios are also timed in alternation within one process and printed (the fastest of
//! many one-second runs of each), so a slow phase of a shared machine weighs on both sides
//! alike: the mono chain over the stereo one, and full automation over the static chain.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use strata_standalone::host::EmbeddedStrata;
use strata_test_support::timing::{fastest_in_turn, ratio_line};

const RATE: f32 = 48_000.0;
const BUFFER: usize = 1024;
/// One second per iteration.
const LEN: usize = 48_000;
const BELLS: [(f32, f32); 8] = [
    (60.0, 3.0),
    (150.0, -3.0),
    (400.0, 3.0),
    (1000.0, -3.0),
    (2500.0, 3.0),
    (5000.0, -3.0),
    (9000.0, 3.0),
    (14000.0, -3.0),
];

fn noise(seed: u64) -> Vec<f32> {
    let mut rng = fastrand::Rng::with_seed(seed);
    // Uniform at 0.217 peak: −18 dBFS RMS.
    (0..LEN).map(|_| 0.217 * (2.0 * rng.f32() - 1.0)).collect()
}

fn strip(channels: usize, settings: &[(String, String)]) -> EmbeddedStrata {
    let mut s = EmbeddedStrata::new(RATE, BUFFER, channels);
    for (id, v) in settings {
        s.set_param_text(id, v).unwrap();
    }
    s.settle();
    s
}

fn eq() -> Settings {
    let mut v = Vec::new();
    for (i, (f, g)) in BELLS.iter().enumerate() {
        let id = |p: &str| format!("eq{}_{p}", i + 1);
        v.push((id("on"), "On".to_string()));
        v.push((id("type"), "Bell".to_string()));
        v.push((id("freq"), f.to_string()));
        v.push((id("gain"), g.to_string()));
        v.push((id("q"), "1".to_string()));
    }
    v
}

fn settings(pairs: &[(&str, &str)]) -> Settings {
    pairs
        .iter()
        .map(|(id, v)| (id.to_string(), v.to_string()))
        .collect()
}

fn compressor() -> Settings {
    settings(&[
        ("comp_on", "On"),
        ("comp_thresh", "-30"),
        ("comp_ratio", "4"),
    ])
}

fn limiter() -> Settings {
    settings(&[("in_gain", "9"), ("lim_on", "On"), ("lim_ceiling", "-1")])
}

/// Parameter ids and the text each is set to.
type Settings = Vec<(String, String)>;

fn bench(c: &mut Criterion) {
    let (left, right) = (noise(1), noise(2));
    let chain: Vec<_> = [eq(), compressor(), limiter()].concat();
    // (name, channels, settings, buffer frames, EQ automated)
    let cases: Vec<(&str, usize, Settings, usize, bool)> = vec![
        ("idle", 2, vec![], BUFFER, false),
        ("eq 8 bells", 2, eq(), BUFFER, false),
        ("compressor", 2, compressor(), BUFFER, false),
        ("limiter", 2, limiter(), BUFFER, false),
        ("chain", 2, chain.clone(), BUFFER, false),
        ("chain, mono", 1, chain.clone(), BUFFER, false),
        ("chain, 64-frame buffers", 2, chain.clone(), 64, false),
        ("chain, full EQ automation", 2, chain, 64, true),
    ];
    let automated = automated_ids();
    let mut group = c.benchmark_group("process");
    group.throughput(Throughput::Elements(LEN as u64));
    for (name, channels, settings, frames, automate) in cases {
        let mut s = strip(channels, &settings);
        // Resolved once, as a DAW's automation lanes are: the lookup by name is not the
        // plugin's cost.
        let automated: Vec<usize> = if automate {
            automated
                .iter()
                .map(|id| s.param_index(id).unwrap())
                .collect()
        } else {
            Vec::new()
        };
        let (mut l, mut r) = (left.clone(), right.clone());
        let mut step = 0u32;
        group.bench_function(name, |b| {
            b.iter(|| {
                l.copy_from_slice(&left);
                r.copy_from_slice(&right);
                second(&mut s, (&mut l, &mut r), frames, &automated, &mut step);
                black_box(&l);
            })
        });
    }
    group.finish();
}

/// One second of `left` (and `right`, unless mono) through `s` in `frames`-frame buffers,
/// moving the `automated` parameters before each buffer if any.
fn second(
    s: &mut EmbeddedStrata,
    (left, right): (&mut [f32], &mut [f32]),
    frames: usize,
    automated: &[usize],
    step: &mut u32,
) {
    let mono = s.channels() == 1;
    for (lc, rc) in left.chunks_mut(frames).zip(right.chunks_mut(frames)) {
        if !automated.is_empty() {
            // Every EQ parameter somewhere new, gliding there.
            *step = step.wrapping_add(1);
            for (k, &index) in automated.iter().enumerate() {
                let band = (k / 3 + 1) as f32;
                let w = ((*step as f32 * 0.37 + band) % 10.0) / 10.0;
                s.set_param_normalized_at(index, 0.2 + 0.6 * w);
            }
        }
        if mono {
            s.process(&mut [lc]);
        } else {
            s.process(&mut [lc, rc]);
        }
    }
}

/// `cases[1]`'s cost over `cases[0]`'s: each a (channels, buffer frames, automated) set-up of
/// the strip with `settings`, run a second at a time in alternation; the fastest of 30 runs
/// each.
fn paired_ratio(name: &str, settings: &Settings, cases: [(usize, usize, bool); 2]) {
    let (left, right) = (noise(1), noise(2));
    let mut runs = cases.map(|(channels, frames, automate)| {
        let mut s = strip(channels, settings);
        let automated: Vec<usize> = if automate {
            automated_ids()
                .iter()
                .map(|id| s.param_index(id).unwrap())
                .collect()
        } else {
            Vec::new()
        };
        let (left, right) = (left.clone(), right.clone());
        let (mut l, mut r) = (left.clone(), right.clone());
        let mut step = 0;
        move || {
            l.copy_from_slice(&left);
            r.copy_from_slice(&right);
            second(&mut s, (&mut l, &mut r), frames, &automated, &mut step);
            black_box(&l);
        }
    });
    let [first, second] = &mut runs;
    let mut pair: [&mut dyn FnMut(); 2] = [first, second];
    println!(
        "{}",
        ratio_line("process", name, fastest_in_turn(30, &mut pair))
    );
}

fn ratios(_: &mut Criterion) {
    let chain: Settings = [eq(), compressor(), limiter()].concat();
    let stages = [
        ("idle", vec![]),
        ("eq 8 bells", eq()),
        ("compressor", compressor()),
        ("limiter", limiter()),
        ("chain", chain.clone()),
    ];
    for (name, settings) in stages {
        let name = format!("{name}, mono over stereo");
        paired_ratio(&name, &settings, [(2, BUFFER, false), (1, BUFFER, false)]);
    }
    paired_ratio(
        "chain, full EQ automation over static (64-frame buffers)",
        &chain,
        [(2, 64, false), (2, 64, true)],
    );
}

/// The 24 EQ parameters the automation cases move.
fn automated_ids() -> Vec<String> {
    (1..=8)
        .flat_map(|band| ["freq", "gain", "q"].map(|p| format!("eq{band}_{p}")))
        .collect()
}

criterion_group!(benches, bench, ratios);
criterion_main!(benches);
