//! `strata-standalone render` against the CLAP host: the same WAV, the same settings, the same
//! block size must give the same samples as the built `Strata.clap` (the render takes the
//! plugin's latency off; the host's output is shifted by it). And a render that converts the
//! rate keeps a tone's level and frequency, and reports the loudness the `ebur128` crate
//! measures on the file it wrote.

use std::path::{Path, PathBuf};

use strata_standalone::render::{RenderOptions, render};
use strata_standalone::wav::Bits;
use strata_test_support::fit::amplitude_at;
use strata_test_support::signal::{noise, sine};
use strata_tests::strata::{changes, instance};

/// (parameter id for `--set`, display name for the CLAP host, value text).
const SETTINGS: [(&str, &str, &str); 9] = [
    ("eq2_on", "EQ2 On", "On"),
    ("eq2_type", "EQ2 Type", "Bell"),
    ("eq2_freq", "EQ2 Freq", "1000"),
    ("eq2_gain", "EQ2 Gain", "6"),
    ("comp_on", "Comp On", "On"),
    ("comp_thresh", "Comp Threshold", "-24"),
    ("comp_ratio", "Comp Ratio", "4"),
    ("lim_on", "Limiter On", "On"),
    ("lim_ceiling", "Limiter Ceiling", "-3"),
];

/// Options for rendering `input` to a 32-bit float `output` at its own rate in 512-frame
/// blocks, with `settings` (`id=value`).
fn options(input: &Path, output: &Path, settings: Vec<String>) -> RenderOptions {
    RenderOptions {
        input: input.to_path_buf(),
        output: output.to_path_buf(),
        rate_hz: None,
        bits: Bits::Float32,
        block: 512,
        preset: None,
        settings,
        progress: false,
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("strata-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_wav(path: &Path, rate: u32, channels: &[Vec<f32>]) {
    let spec = hound::WavSpec {
        channels: channels.len() as u16,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for k in 0..channels[0].len() {
        for c in channels {
            w.write_sample(c[k]).unwrap();
        }
    }
    w.finalize().unwrap();
}

fn read_wav(path: &Path) -> (u32, Vec<Vec<f32>>) {
    let mut r = hound::WavReader::open(path).unwrap();
    let spec = r.spec();
    let n = spec.channels as usize;
    let samples: Vec<f32> = r.samples::<f32>().map(|s| s.unwrap()).collect();
    let planar = (0..n)
        .map(|c| samples.iter().skip(c).step_by(n).copied().collect())
        .collect();
    (spec.sample_rate, planar)
}

/// Programme-like test material: a tone over noise, different on each side.
fn material(rate: f64, len: usize) -> Vec<Vec<f32>> {
    let add = |a: Vec<f32>, b: Vec<f32>| a.iter().zip(&b).map(|(x, y)| x + y).collect();
    vec![
        add(sine(997.0, 0.3, rate, len), noise(0.2, len, 1)),
        add(sine(220.0, 0.4, rate, len), noise(0.2, len, 2)),
    ]
}

#[test]
fn render_gives_the_clap_hosts_samples() {
    let rate = 48_000u32;
    let len = 3 * rate as usize;
    let x = material(rate as f64, len);
    let dir = temp_dir("render");
    let (input, output) = (dir.join("in.wav"), dir.join("out.wav"));
    write_wav(&input, rate, &x);

    let settings = SETTINGS
        .iter()
        .map(|(id, _, v)| format!("{id}={v}"))
        .collect();
    let report = render(&options(&input, &output, settings)).unwrap();
    let (out_rate, rendered) = read_wav(&output);
    assert_eq!(out_rate, rate);
    assert_eq!(rendered.len(), 2);
    assert_eq!(rendered[0].len(), len, "the render is as long as its input");

    let mut plugin = instance();
    let names: Vec<(&str, &str)> = SETTINGS.iter().map(|(_, n, v)| (*n, *v)).collect();
    plugin.flush(&changes(&plugin, &names));
    plugin.activate(rate as f64, 1, 512).unwrap();
    let latency = plugin.latency().unwrap() as usize;
    assert_eq!(latency, report.latency_samples as usize);
    let hosted = plugin.run(&x, &[], &[512], &[]).unwrap();

    let mut worst = 0.0f32;
    for (r, h) in rendered.iter().zip(&hosted) {
        for (a, b) in r.iter().zip(&h[latency..]) {
            worst = worst.max((a - b).abs());
        }
    }
    println!(
        "render vs CLAP host over {} samples × 2: worst difference {worst:e}; latency {latency}",
        len - latency
    );
    assert_eq!(worst, 0.0, "render and the CLAP host differ");
    // The settings did something: the limiter held the output under its ceiling.
    assert!(
        report.true_peak_max_dbtp <= -3.0 + 0.1,
        "{}",
        report.summary()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn render_converts_the_rate_and_reports_loudness() {
    let (from, to) = (44_100u32, 48_000u32);
    let len = 10 * from as usize;
    let tone = sine(1000.0, 0.25, from as f64, len);
    let dir = temp_dir("render-rate");
    let (input, output) = (dir.join("in.wav"), dir.join("out.wav"));
    write_wav(&input, from, &[tone.clone(), tone]);

    let report = render(&RenderOptions {
        input,
        output: output.clone(),
        rate_hz: Some(to),
        bits: Bits::Float32,
        block: 512,
        preset: None,
        settings: Vec::new(),
        progress: false,
    })
    .unwrap();
    let (out_rate, y) = read_wav(&output);
    assert_eq!(out_rate, to);
    let expected_len = (len as f64 * to as f64 / from as f64).round() as usize;
    assert_eq!(y[0].len(), expected_len);
    assert_eq!(y[0], y[1], "identical channels stay identical");
    // Away from the ends: the tone at its level, at 1 kHz on the new rate.
    let middle = &y[0][to as usize..9 * to as usize];
    let level_db = 20.0 * (amplitude_at(middle, 1000.0, to as f64) / 0.25).log10();
    println!(
        "44.1 → 48 kHz: 1 kHz at {level_db:+.5} dB; {}",
        report.summary()
    );
    assert!(level_db.abs() < 0.01, "level {level_db} dB");

    // The report's integrated loudness is the plugin's meter; the crate reads the file.
    let mut meter =
        ebur128::EbuR128::new(2, to, ebur128::Mode::I | ebur128::Mode::TRUE_PEAK).unwrap();
    let interleaved: Vec<f32> = y[0].iter().zip(&y[1]).flat_map(|(l, r)| [*l, *r]).collect();
    meter.add_frames_f32(&interleaved).unwrap();
    let reference = meter.loudness_global().unwrap();
    let reported = report.integrated_lufs.expect("integrated loudness") as f64;
    println!("integrated: reported {reported:.3} LUFS, ebur128 {reference:.3} LUFS");
    assert!((reported - reference).abs() < 0.05);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `--set eq1_place=…` takes the placements' display text, and the render measures the issue's
/// table: a +6 dB bell at 1 kHz on a correlated (L = R) and an opposed (L = −R) 1 kHz tone.
#[test]
fn render_places_a_band_by_its_set_text() {
    let rate = 48_000u32;
    let len = rate as usize / 2;
    let tone = sine(1000.0, 0.1, rate as f64, len);
    let minus: Vec<f32> = tone.iter().map(|v| -v).collect();
    let dir = temp_dir("render-place");
    let inputs = [
        (
            "L = R",
            dir.join("same.wav"),
            vec![tone.clone(), tone.clone()],
        ),
        ("L = -R", dir.join("opposed.wav"), vec![tone.clone(), minus]),
    ];
    for (_, path, x) in &inputs {
        write_wav(path, rate, x);
    }
    // (placement, expected gain in dB per input and channel)
    let table = [
        ("Mid", [[6.0, 6.0], [0.0, 0.0]]),
        ("Side", [[0.0, 0.0], [6.0, 6.0]]),
        ("Left", [[6.0, 0.0], [6.0, 0.0]]),
        ("Right", [[0.0, 6.0], [0.0, 6.0]]),
    ];
    for (placement, expected) in table {
        for ((name, input, _), want) in inputs.iter().zip(expected) {
            let output = dir.join("out.wav");
            let settings = [
                "eq1_on=On",
                "eq1_type=Bell",
                "eq1_freq=1000",
                "eq1_gain=6",
                "eq1_q=1",
                &format!("eq1_place={placement}"),
            ]
            .map(String::from)
            .to_vec();
            render(&options(input, &output, settings)).unwrap();
            let (_, y) = read_wav(&output);
            // The last quarter: fades and the bell's ringing long settled.
            let g = [0, 1].map(|ch| {
                let tail = &y[ch][3 * len / 4..];
                20.0 * (amplitude_at(tail, 1000.0, rate as f64) / 0.1).log10()
            });
            println!("render, {placement} {name}: {:+.3} / {:+.3} dB", g[0], g[1]);
            for ch in 0..2 {
                assert!(
                    (g[ch] - want[ch]).abs() < 0.05,
                    "{placement}, {name}, channel {ch}: {:.3} dB",
                    g[ch]
                );
            }
        }
    }
    // A name that is not a placement is refused, naming the parameter.
    let settings = vec!["eq1_place=Centre".to_string()];
    let bad = render(&options(&inputs[0].1, &dir.join("bad.wav"), settings));
    let error = format!("{:#}", bad.expect_err("an unknown placement is refused"));
    println!("eq1_place=Centre: {error}");
    assert!(error.contains("eq1_place"), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();
}
