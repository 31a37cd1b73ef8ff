//! Sample-rate conversion, like for like: stereo 44.1 → 48 kHz in output chunks of 512 frames
//! (the duplex path's shape), Strata's polyphase converter against rubato's sinc resampler set
//! to the same passband and stop band, and libsoxr's HQ recipe. Every contender is measured by
//! the same code on the same signals before it is timed for the same duration:
//!
//! - THD+N of a 1 kHz sine at −6 dBFS (a least-squares sine fit; the residual re the sine);
//! - flatness: the worst level error of sines from 20 Hz to 20 kHz;
//! - stop band: the image of a 20 kHz sine (at 44.1 − 20 = 24.1 kHz, folded to 23.9 kHz by the
//!   48 kHz output), re the sine;
//! - speed: × real time, the best of five rounds of 4 s of output each, on one core; every
//!   contender runs once per round, so the shared machine's busy phases fall on all alike.
//!
//! Strata and rubato are steered as the drift loop steers (a slightly different ratio before
//! every chunk); libsoxr runs at its fixed ratio (its variable-rate mode is another engine),
//! so its figure is for the easier job. A criterion group follows for the two steerable ones.

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use libsoxr::{Datatype, IOSpec, QualityFlags, QualityRecipe, QualitySpec, Soxr};
use rubato::audioadapter_buffers::direct::SequentialSliceOfVecs;
use rubato::{
    Adjustable, Async, FixedAsync, Resampler, SincInterpolationParameters, SincInterpolationType,
    WindowFunction,
};
use strata_standalone::resampler::Converter;
use strata_test_support::db::ratio_to_db;
use strata_test_support::fit::{Search, SineFit, fit_sine_near, fit_sines};
use strata_test_support::signal::uniform;

const INPUT_HZ: f64 = 44_100.0;
const OUTPUT_HZ: f64 = 48_000.0;
const CHUNK: usize = 512;
/// Chunks per criterion iteration: just over a second of output.
const CHUNKS: usize = 94;
/// Seconds of output each timed run makes, and the rounds of runs.
const TIMED_S: f64 = 4.0;
const ROUNDS: usize = 5;

/// Something that makes `CHUNK` stereo output frames per call, pulling input frames from a
/// source that cycles through a signal.
trait Contender {
    fn name(&self) -> String;
    fn chunk(&mut self, source: &mut Source, out: &mut [Vec<f32>; 2]);
}

/// Input frames on demand, cycling through a stereo signal.
struct Source<'a> {
    signal: &'a [Vec<f32>; 2],
    at: usize,
}

impl Source<'_> {
    fn fill(&mut self, dst: &mut [Vec<f32>], needed: usize) {
        let [left, right] = dst else {
            unreachable!("stereo")
        };
        for (l, r) in left.iter_mut().zip(right.iter_mut()).take(needed) {
            if self.at == self.signal[0].len() {
                self.at = 0;
            }
            (*l, *r) = (self.signal[0][self.at], self.signal[1][self.at]);
            self.at += 1;
        }
    }
}

/// The drift loop's kind of steering: around +137 ppm, a little different every chunk when
/// `wobble` (for the timing: each chunk ramps its ratio); constant for the quality figures, as
/// once the loop has settled (a ratio that moves is a pitch that moves, which a sine fit
/// counts as distortion).
fn steering(calls: u32, wobble: bool) -> f64 {
    let step = if wobble {
        (calls % 16) as f64 * 0.25e-6
    } else {
        0.0
    };
    1.0 + 137e-6 + step
}

struct Strata {
    converter: Converter,
    calls: u32,
    wobble: bool,
}

impl Contender for Strata {
    fn name(&self) -> String {
        "Strata polyphase (Kaiser, 96 taps, 512 phases, linear)".into()
    }

    fn chunk(&mut self, source: &mut Source, out: &mut [Vec<f32>; 2]) {
        self.calls = self.calls.wrapping_add(1);
        self.converter
            .set_correction(steering(self.calls, self.wobble));
        let [l, r] = out;
        black_box(self.converter.process(
            |staging, needed| source.fill(staging, needed),
            &mut [&mut l[..], &mut r[..]],
        ));
    }
}

struct Rubato {
    inner: Async<f32>,
    staging: Vec<Vec<f32>>,
    label: String,
    calls: u32,
    wobble: bool,
}

impl Rubato {
    fn new(
        sinc_len: usize,
        f_cutoff: f32,
        interpolation: SincInterpolationType,
        wobble: bool,
    ) -> Rubato {
        let label = format!(
            "rubato sinc ({sinc_len} taps, BH², 256 phases, {interpolation:?}, cutoff {f_cutoff:.3})"
        );
        let parameters = SincInterpolationParameters {
            sinc_len,
            f_cutoff: Some(f_cutoff),
            oversampling_factor: 256,
            interpolation,
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
            label,
            calls: 0,
            wobble,
        }
    }
}

impl Contender for Rubato {
    fn name(&self) -> String {
        self.label.clone()
    }

    fn chunk(&mut self, source: &mut Source, out: &mut [Vec<f32>; 2]) {
        self.calls = self.calls.wrapping_add(1);
        self.inner
            .set_resample_ratio_relative(steering(self.calls, self.wobble), true)
            .expect("within bounds");
        let needed = self.inner.input_frames_next();
        source.fill(&mut self.staging, needed);
        let src = SequentialSliceOfVecs::new(&self.staging, 2, needed).expect("sized");
        let mut dst = SequentialSliceOfVecs::new_mut(&mut out[..], 2, CHUNK).expect("sized");
        black_box(self.inner.process_into_buffer(&src, &mut dst, None).ok());
    }
}

/// libsoxr at a fixed ratio; interleaved f32. Input goes in in blocks of `IN_BLOCK` frames until
/// a chunk's worth of output is queued.
struct Sox {
    soxr: Soxr,
    input: Vec<f32>,
    staging: [Vec<f32>; 2],
    output: Vec<f32>,
    queued: Vec<f32>,
}

const IN_BLOCK: usize = 256;

impl Sox {
    fn new() -> Sox {
        let io = IOSpec::new(Datatype::Float32I, Datatype::Float32I);
        let quality = QualitySpec::new(&QualityRecipe::High, QualityFlags::ROLLOFF_SMALL);
        let soxr = Soxr::create(INPUT_HZ, OUTPUT_HZ, 2, Some(&io), Some(&quality), None)
            .expect("soxr accepts the rates");
        Sox {
            soxr,
            input: vec![0.0; 2 * IN_BLOCK],
            staging: [vec![0.0; IN_BLOCK], vec![0.0; IN_BLOCK]],
            output: vec![0.0; 2 * 2 * IN_BLOCK],
            queued: Vec::with_capacity(8 * CHUNK),
        }
    }
}

impl Contender for Sox {
    fn name(&self) -> String {
        "libsoxr HQ (fixed ratio)".into()
    }

    fn chunk(&mut self, source: &mut Source, out: &mut [Vec<f32>; 2]) {
        while self.queued.len() < 2 * CHUNK {
            source.fill(&mut self.staging, IN_BLOCK);
            for k in 0..IN_BLOCK {
                self.input[2 * k] = self.staging[0][k];
                self.input[2 * k + 1] = self.staging[1][k];
            }
            let (used, made) = self
                .soxr
                .process(Some(&self.input[..]), &mut self.output[..])
                .expect("soxr processes");
            assert_eq!(used, IN_BLOCK, "soxr left input behind");
            self.queued.extend_from_slice(&self.output[..2 * made]);
        }
        let [left, right] = out;
        for ((l, r), frame) in left.iter_mut().zip(right).zip(self.queued.chunks_exact(2)) {
            (*l, *r) = (frame[0], frame[1]);
        }
        self.queued.drain(..2 * CHUNK);
    }
}

/// `seconds` of a stereo sine (the same on both sides) at `freq_hz` and −6 dBFS.
fn sine(freq_hz: f64, seconds: f64) -> [Vec<f32>; 2] {
    let x: Vec<f32> = (0..(seconds * INPUT_HZ) as usize)
        .map(|n| (0.5 * (std::f64::consts::TAU * freq_hz * n as f64 / INPUT_HZ).sin()) as f32)
        .collect();
    [x.clone(), x]
}

/// The left output of `seconds` of output made from `signal`, less the first half second.
fn converted(c: &mut dyn Contender, signal: &[Vec<f32>; 2], seconds: f64) -> Vec<f32> {
    let mut source = Source { signal, at: 0 };
    let mut out = [vec![0.0f32; CHUNK], vec![0.0f32; CHUNK]];
    let chunks = (seconds * OUTPUT_HZ / CHUNK as f64) as usize;
    let mut left = Vec::with_capacity(chunks * CHUNK);
    for _ in 0..chunks {
        c.chunk(&mut source, &mut out);
        left.extend_from_slice(&out[0]);
    }
    left.split_off((OUTPUT_HZ / 2.0) as usize)
}

/// Measured quality: THD+N at 1 kHz, worst flatness error, the 20 kHz image; all dB.
struct Quality {
    thd_n_db: f64,
    flatness_db: f64,
    image_db: f64,
}

/// The sine near `freq_hz` in `y`: the contenders run slightly off nominal (Strata and rubato
/// steered by the same amount; soxr not), so its frequency is searched within ±300 ppm.
fn fit_near(y: &[f32], freq_hz: f64) -> (SineFit, f64) {
    // The resolution must be fine: over 2.5 s a 1 kHz sine 1e-3 ppm off drifts 1.6e-5 rad,
    // which the fit would count as a −100 dB residual.
    let search = Search {
        span_ppm: 300.0,
        grid_ppm: 10.0,
        resolution_ppm: 1e-7,
    };
    fit_sine_near(y, freq_hz / OUTPUT_HZ, search)
}

fn measure(make: &Make) -> Quality {
    let (one_k, _) = fit_near(
        &converted(make(false).as_mut(), &sine(1000.0, 3.0), 2.5),
        1000.0,
    );
    let mut flatness: f64 = 0.0;
    for f in [
        20.0, 40.0, 80.0, 320.0, 1000.0, 5000.0, 10_000.0, 15_000.0, 18_000.0, 20_000.0,
    ] {
        let (fit, _) = fit_near(&converted(make(false).as_mut(), &sine(f, 3.0), 2.5), f);
        flatness = flatness.max(ratio_to_db(fit.amplitude / 0.5).abs());
    }
    // The 20 kHz sine and its image (both moved by the same ratio), fitted jointly.
    let y = converted(make(false).as_mut(), &sine(20_000.0, 3.0), 2.5);
    let (_, ppm) = fit_near(&y, 20_000.0);
    let scale = (1.0 + ppm * 1e-6) / OUTPUT_HZ;
    let image_hz = OUTPUT_HZ - (INPUT_HZ - 20_000.0);
    let both = fit_sines(&y, &[20_000.0 * scale, image_hz * scale]);
    Quality {
        thd_n_db: one_k.residual_db(),
        flatness_db: flatness,
        image_db: ratio_to_db(both.amplitude(1) / both.amplitude(0)),
    }
}

/// Ten seconds of stereo programme-like input (two sines and a little noise: no silence
/// shortcuts) for the timing.
fn programme() -> [Vec<f32>; 2] {
    let mut rng = fastrand::Rng::with_seed(0x2545_f491);
    let frames = 10 * INPUT_HZ as usize;
    [0, 1].map(|c| {
        (0..frames)
            .map(|n| {
                let t = n as f32 / INPUT_HZ as f32;
                0.3 * (std::f32::consts::TAU * (440.0 + 110.0 * c as f32) * t).sin()
                    + 0.1 * (std::f32::consts::TAU * 5_000.0 * t).sin()
                    + uniform(&mut rng, 0.005)
            })
            .collect()
    })
}

/// Output audio `c` makes per second of wall time in one run of `TIMED_S` of output.
fn times_real_time(c: &mut dyn Contender, signal: &[Vec<f32>; 2]) -> f64 {
    let mut source = Source { signal, at: 0 };
    let mut out = [vec![0.0f32; CHUNK], vec![0.0f32; CHUNK]];
    let chunks = (TIMED_S * OUTPUT_HZ / CHUNK as f64).ceil() as usize;
    let start = Instant::now();
    for _ in 0..chunks {
        c.chunk(&mut source, &mut out);
    }
    (chunks * CHUNK) as f64 / OUTPUT_HZ / start.elapsed().as_secs_f64()
}

/// Makes a contender; the flag asks for a ratio that moves every chunk.
type Make = Box<dyn Fn(bool) -> Box<dyn Contender>>;

fn contenders() -> Vec<Make> {
    vec![
        Box::new(|wobble| {
            Box::new(Strata {
                converter: Converter::new(INPUT_HZ, OUTPUT_HZ, 2, CHUNK),
                calls: 0,
                wobble,
            })
        }),
        // rubato's sinc at Strata's passband (flat to 20 kHz: cut-off at the input's Nyquist,
        // as Strata's filter), at the lengths around the one that matches its flatness and
        // stop band.
        Box::new(|w| Box::new(Rubato::new(128, 0.995, SincInterpolationType::Cubic, w))),
        Box::new(|w| Box::new(Rubato::new(192, 0.995, SincInterpolationType::Cubic, w))),
        Box::new(|w| Box::new(Rubato::new(256, 0.995, SincInterpolationType::Cubic, w))),
        // The set-up the standalone used before (rubato's own cut-off for 256 taps).
        Box::new(|w| {
            let cutoff = rubato::calculate_cutoff(256, WindowFunction::BlackmanHarris2);
            Box::new(Rubato::new(256, cutoff, SincInterpolationType::Linear, w))
        }),
        Box::new(|_| Box::new(Sox::new())),
    ]
}

fn bench(c: &mut Criterion) {
    let input = programme();
    eprintln!(
        "stereo 44.1 → 48 kHz, 512-frame output chunks; quality on −6 dBFS sines, speed best of {ROUNDS} rounds × {TIMED_S} s"
    );
    eprintln!(
        "{:<72} {:>10} {:>10} {:>12} {:>12}",
        "", "× real time", "THD+N 1k", "flat 20–20k", "image 20k"
    );
    let makers = contenders();
    let quality: Vec<Quality> = makers.iter().map(measure).collect();
    // Timed in rounds, each contender once per round, so that the shared machine's busy and
    // quiet phases fall on all of them alike; the best of the rounds counts.
    let mut timed: Vec<Box<dyn Contender>> = makers.iter().map(|m| m(true)).collect();
    let mut best = vec![0.0f64; timed.len()];
    for _ in 0..ROUNDS {
        for (c, b) in timed.iter_mut().zip(&mut best) {
            *b = b.max(times_real_time(c.as_mut(), &input));
        }
    }
    for ((c, q), b) in timed.iter().zip(&quality).zip(&best) {
        eprintln!(
            "{:<72} {:>10.0}× {:>7.1} dB {:>9.5} dB {:>9.1} dB",
            c.name(),
            b,
            q.thd_n_db,
            q.flatness_db,
            q.image_db
        );
    }

    let mut group = c.benchmark_group("stereo 44.1→48 kHz, 512-frame chunks");
    group.throughput(Throughput::Elements((CHUNKS * CHUNK) as u64));
    let mut out = [vec![0.0f32; CHUNK], vec![0.0f32; CHUNK]];
    let mut strata = Strata {
        converter: Converter::new(INPUT_HZ, OUTPUT_HZ, 2, CHUNK),
        calls: 0,
        wobble: true,
    };
    let mut source = Source {
        signal: &input,
        at: 0,
    };
    group.bench_function("strata polyphase", |b| {
        b.iter(|| {
            for _ in 0..CHUNKS {
                strata.chunk(&mut source, &mut out);
            }
        })
    });
    group.sample_size(10);
    let mut rubato = Rubato::new(192, 0.995, SincInterpolationType::Cubic, true);
    group.bench_function("rubato 192-tap sinc, cubic", |b| {
        b.iter(|| {
            for _ in 0..CHUNKS {
                rubato.chunk(&mut source, &mut out);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
