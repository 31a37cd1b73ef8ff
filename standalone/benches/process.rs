//! The whole plugin through `Plugin::process` (the embedded host's, the same call a DAW's
//! wrapper makes), so glue, parameters, meters and telemetry are in the figure: idle (every
//! stage off, meters on), EQ only (8 bells), compressor only, limiter only, the chain, and the
//! chain in the mono layout, in 1024-frame buffers as the side-by-side harness feeds the
//! peers; then the chain under full automation (all 24 EQ frequency, gain and Q parameters
//! moved before every 64-frame buffer) beside the same chain, static, in 64-frame buffers.
//! 48 kHz noise at −18 dBFS RMS; throughput in samples per second (÷ 48 000 = × real time).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use strata_standalone::host::EmbeddedStrata;

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
    let automated: Vec<String> = (1..=8)
        .flat_map(|band| ["freq", "gain", "q"].map(|p| format!("eq{band}_{p}")))
        .collect();
    let mut group = c.benchmark_group("process");
    group.throughput(Throughput::Elements(LEN as u64));
    for (name, channels, settings, frames, automate) in cases {
        let mut s = strip(channels, &settings);
        // Resolved once, as a DAW's automation lanes are: the lookup by name is not the
        // plugin's cost.
        let automated: Vec<usize> = automated
            .iter()
            .map(|id| s.param_index(id).unwrap())
            .collect();
        let (mut l, mut r) = (left.clone(), right.clone());
        let mut step = 0u32;
        group.bench_function(name, |b| {
            b.iter(|| {
                l.copy_from_slice(&left);
                r.copy_from_slice(&right);
                for (lc, rc) in l.chunks_mut(frames).zip(r.chunks_mut(frames)) {
                    if automate {
                        // Every EQ parameter somewhere new, gliding there.
                        step = step.wrapping_add(1);
                        for (k, &index) in automated.iter().enumerate() {
                            let band = (k / 3 + 1) as f32;
                            let w = ((step as f32 * 0.37 + band) % 10.0) / 10.0;
                            s.set_param_normalized_at(index, 0.2 + 0.6 * w);
                        }
                    }
                    if channels == 1 {
                        s.process(&mut [lc]);
                    } else {
                        s.process(&mut [lc, rc]);
                    }
                }
                black_box(&l);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
