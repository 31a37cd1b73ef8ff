//! Sample-rate conversion speed: stereo 44.1 → 48 kHz in output chunks of 512 frames (the
//! duplex path's shape), our polyphase converter against the rubato set-up it replaced (256-tap
//! Blackman-Harris² sinc, 256 phases, linear). Criterion's throughput is in output frames per
//! second; a plain timed loop before it prints the same as × real time.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{
    Async, FixedAsync, Resampler, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};
use strata_standalone::resampler::Converter;

const INPUT_HZ: f64 = 44_100.0;
const OUTPUT_HZ: f64 = 48_000.0;
const CHUNK: usize = 512;
/// Chunks per criterion iteration: just over a second of output.
const CHUNKS: usize = 94;

/// Ten seconds of stereo programme-like input (two sines and a little noise: no denormals,
/// no silence shortcuts), which the pulls cycle through.
fn programme() -> Vec<Vec<f32>> {
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let frames = 10 * INPUT_HZ as usize;
    (0..2)
        .map(|c| {
            (0..frames)
                .map(|n| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    let noise = (rng >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
                    let t = n as f32 / INPUT_HZ as f32;
                    0.3 * (std::f32::consts::TAU * (440.0 + 110.0 * c as f32) * t).sin()
                        + 0.1 * (std::f32::consts::TAU * 5_000.0 * t).sin()
                        + 0.01 * noise
                })
                .collect()
        })
        .collect()
}

/// Something that makes `CHUNK` output frames per call from the cycling input.
trait Chunked {
    fn chunk(&mut self, input: &[Vec<f32>], at: &mut usize, out: &mut [Vec<f32>]);
}

fn copy_from(input: &[Vec<f32>], at: &mut usize, staging: &mut [Vec<f32>], needed: usize) {
    let len = input[0].len();
    if *at + needed > len {
        *at = 0;
    }
    for (dst, src) in staging.iter_mut().zip(input) {
        dst[..needed].copy_from_slice(&src[*at..*at + needed]);
    }
    *at += needed;
}

/// Ours, steered as the drift loop does: a slightly different correction before every chunk
/// (around +137 ppm), so that each chunk ramps its ratio.
struct Strata {
    converter: Converter,
    calls: u32,
}

impl Chunked for Strata {
    fn chunk(&mut self, input: &[Vec<f32>], at: &mut usize, out: &mut [Vec<f32>]) {
        self.calls = self.calls.wrapping_add(1);
        let wobble = (self.calls % 16) as f64 * 0.25e-6;
        self.converter.set_correction(1.0 + 137e-6 + wobble);
        let [l, r] = out else { unreachable!() };
        black_box(self.converter.process(
            |staging, needed| copy_from(input, at, staging, needed),
            &mut [&mut l[..], &mut r[..]],
        ));
    }
}

/// The configuration `resampler.rs` used before (rubato 5).
struct Rubato {
    inner: Async<f32>,
    staging: Vec<Vec<f32>>,
}

impl Rubato {
    fn new() -> Rubato {
        let parameters = SincInterpolationParameters {
            sinc_len: 256,
            f_cutoff: None,
            oversampling_factor: 256,
            interpolation: SincInterpolationType::Linear,
            window: WindowFunction::BlackmanHarris2,
        };
        let inner = Async::new_sinc(
            OUTPUT_HZ / INPUT_HZ,
            1.01,
            &parameters,
            CHUNK,
            2,
            FixedAsync::Output,
        )
        .expect("valid resampler parameters");
        let max_in = inner.input_frames_max();
        Rubato {
            inner,
            staging: vec![vec![0.0; max_in]; 2],
        }
    }
}

impl Chunked for Rubato {
    fn chunk(&mut self, input: &[Vec<f32>], at: &mut usize, out: &mut [Vec<f32>]) {
        let needed = self.inner.input_frames_next();
        copy_from(input, at, &mut self.staging, needed);
        let src = SequentialSliceOfVecs::new(&self.staging, 2, needed).expect("sized");
        let mut dst = SequentialSliceOfVecs::new_mut(out, 2, CHUNK).expect("sized");
        black_box(self.inner.process_into_buffer(&src, &mut dst, None).ok());
    }
}

/// Output audio made per second of wall time, best of five runs of `seconds` of output each.
fn times_real_time(resampler: &mut dyn Chunked, input: &[Vec<f32>], seconds: f64) -> f64 {
    let mut out = vec![vec![0.0f32; CHUNK]; 2];
    let mut at = 0;
    let chunks = (seconds * OUTPUT_HZ / CHUNK as f64).ceil() as usize;
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        for _ in 0..chunks {
            resampler.chunk(input, &mut at, &mut out);
        }
        best = best.min(start.elapsed());
    }
    (chunks * CHUNK) as f64 / OUTPUT_HZ / best.as_secs_f64()
}

fn bench(c: &mut Criterion) {
    let input = programme();
    let mut strata = Strata {
        converter: Converter::new(INPUT_HZ, OUTPUT_HZ, 2, CHUNK),
        calls: 0,
    };
    let mut rubato = Rubato::new();

    eprintln!(
        "strata polyphase, stereo 44.1→48 kHz, 512-frame chunks: {:.0}× real time",
        times_real_time(&mut strata, &input, 20.0)
    );
    eprintln!(
        "rubato 256-tap sinc (previous), same:                   {:.0}× real time",
        times_real_time(&mut rubato, &input, 2.0)
    );

    let mut group = c.benchmark_group("stereo 44.1→48 kHz, 512-frame chunks");
    group.throughput(Throughput::Elements((CHUNKS * CHUNK) as u64));
    let mut out = vec![vec![0.0f32; CHUNK]; 2];
    let mut at = 0;
    group.bench_function("strata polyphase", |b| {
        b.iter(|| {
            for _ in 0..CHUNKS {
                strata.chunk(&input, &mut at, &mut out);
            }
        })
    });
    group.sample_size(10);
    group.bench_function("rubato 256-tap sinc", |b| {
        b.iter(|| {
            for _ in 0..CHUNKS {
                rubato.chunk(&input, &mut at, &mut out);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
