//! The factory presets do what their names say, measured on real WAV files through `render`:
//! "Low cut 80 Hz" is −3 dB at 80 Hz; "Broadcast -23 LUFS" and "Streaming -14 LUFS" bring a
//! −20 LUFS test programme to their loudness within ±1 LU with the true peak held at their
//! −1 dBTP ceiling. Also: `--list-presets`, presets by name and by file, the older preset
//! format migrated, and bad presets refused naming the file with nothing applied.

use std::path::{Path, PathBuf};
use std::process::Command;

use strata_test_support::fit::fit_sines;
use strata_test_support::signal::noise;

const RATE: u32 = 48_000;

fn standalone(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_strata-standalone"))
        .args(args)
        // User presets from a folder of the test's own, never the real user's.
        .env("XDG_DATA_HOME", scratch().join("xdg"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("strata-presets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_wav(path: &Path, left: &[f32], right: &[f32]) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for (l, r) in left.iter().zip(right) {
        w.write_sample(*l).unwrap();
        w.write_sample(*r).unwrap();
    }
    w.finalize().unwrap();
}

fn read_left(path: &Path) -> Vec<f32> {
    let mut r = hound::WavReader::open(path).unwrap();
    r.samples::<f32>().step_by(2).map(|s| s.unwrap()).collect()
}

/// `render` with these extra arguments; its JSON report.
fn render(input: &Path, output: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "render",
        input.to_str().unwrap(),
        output.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let (ok, stdout, stderr) = standalone(&args);
    assert!(ok, "render {extra:?} failed: {stderr}");
    serde_json::from_str(stdout.trim()).unwrap()
}

#[test]
fn every_preset_is_listed_as_category_and_name() {
    let (ok, stdout, _) = standalone(&["--list-presets"]);
    assert!(ok);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() >= 16, "{stdout}");
    // Every category a mixing engineer looks for has presets, and no line is outside them.
    for category in strata::presets::factory::CATEGORIES {
        assert!(
            lines.iter().any(|l| l.starts_with(&format!("{category}/"))),
            "no {category} in {stdout}"
        );
    }
    // (User presets, which another test here may have saved meanwhile, are in "User".)
    assert!(
        lines.iter().all(|l| strata::presets::factory::CATEGORIES
            .iter()
            .chain(&["User"])
            .any(|c| l.starts_with(&format!("{c}/")))),
        "{stdout}"
    );
    assert!(lines.contains(&"Utility/Low cut 80 Hz"));
}

#[test]
fn low_cut_80_hz_is_3_db_down_at_80_hz() {
    let dir = scratch();
    let (input, output) = (dir.join("tones.wav"), dir.join("tones-cut.wav"));
    let n = 4 * RATE as usize;
    let freqs = [40.0, 80.0, 1000.0];
    let x: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f64 / RATE as f64;
            freqs
                .iter()
                .map(|f| 0.1 * (2.0 * std::f64::consts::PI * f * t).sin())
                .sum::<f64>() as f32
        })
        .collect();
    write_wav(&input, &x, &x);
    render(&input, &output, &["--preset", "Low cut 80 Hz"]);
    let y = read_left(&output);
    // The last two seconds, settled.
    let cycles: Vec<f64> = freqs.iter().map(|f| f / RATE as f64).collect();
    let fit = fit_sines(&y[n / 2..], &cycles);
    let gains: Vec<f64> = (0..3)
        .map(|k| 20.0 * (fit.amplitude(k) / 0.1).log10())
        .collect();
    println!(
        "Low cut 80 Hz: 40 Hz {:+.3} dB, 80 Hz {:+.3} dB, 1 kHz {:+.3} dB",
        gains[0], gains[1], gains[2]
    );
    assert!((gains[1] + 3.01).abs() < 0.05, "80 Hz: {:+.3} dB", gains[1]);
    // 24 dB/oct: an octave below, about −24 dB; the passband untouched.
    assert!(gains[0] < -20.0, "40 Hz: {:+.3} dB", gains[0]);
    assert!(gains[2].abs() < 0.02, "1 kHz: {:+.3} dB", gains[2]);
}

/// A programme-like test signal: pink-ish noise in phrases (0.3–1.2 s on, short gaps, 20 ms
/// ramps) over a slow ±4 dB swell and a 55 Hz bass line; 30 s, stereo.
fn programme() -> (Vec<f32>, Vec<f32>) {
    let n = 30 * RATE as usize;
    let mut rng = fastrand::Rng::with_seed(7);
    let white = [noise(1.0, n, 11), noise(1.0, n, 12)];
    let mut gate = vec![0.0f32; n];
    let mut i = 0;
    while i < n {
        let on = (rng.f32() * 0.9 + 0.3) * RATE as f32;
        let off = (rng.f32() * 0.25 + 0.05) * RATE as f32;
        let ramp = 0.02 * RATE as f32;
        for k in 0..on as usize {
            if i + k >= n {
                break;
            }
            let k = k as f32;
            gate[i + k as usize] = (k / ramp).min(1.0).min((on - k) / ramp).max(0.0);
        }
        i += (on + off) as usize;
    }
    let channel = |w: &[f32], phase: f64| -> Vec<f32> {
        // Paul Kellet's economy pink filter.
        let (mut b0, mut b1, mut b2) = (0.0f32, 0.0f32, 0.0f32);
        w.iter()
            .enumerate()
            .map(|(k, x)| {
                b0 = 0.99765 * b0 + x * 0.0990460;
                b1 = 0.96300 * b1 + x * 0.2965164;
                b2 = 0.57000 * b2 + x * 1.0526913;
                let pink = (b0 + b1 + b2 + x * 0.1848) * 0.2;
                let t = k as f64 / RATE as f64;
                let swell =
                    10f64.powf(4.0 / 20.0 * (2.0 * std::f64::consts::PI * 0.1 * t + phase).sin());
                let bass = 0.15 * (2.0 * std::f64::consts::PI * 55.0 * t).sin();
                ((pink * gate[k]) as f64 * swell + bass * gate[k] as f64) as f32
            })
            .collect()
    };
    (channel(&white[0], 0.0), channel(&white[1], 0.5))
}

#[test]
fn loudness_presets_reach_their_targets_on_a_minus_20_lufs_programme() {
    let dir = scratch();
    let (raw, input) = (dir.join("programme-raw.wav"), dir.join("programme.wav"));
    let (left, right) = programme();
    write_wav(&raw, &left, &right);
    // Measure it through the neutral default settings, scale it to −20 LUFS exactly.
    let measured = render(&raw, &dir.join("measured.wav"), &[])["integrated_lufs"]
        .as_f64()
        .unwrap();
    let gain = 10f64.powf((-20.0 - measured) / 20.0) as f32;
    let scale = |x: &[f32]| x.iter().map(|s| s * gain).collect::<Vec<f32>>();
    write_wav(&input, &scale(&left), &scale(&right));
    let check = render(&input, &dir.join("check.wav"), &[]);
    let programme_lufs = check["integrated_lufs"].as_f64().unwrap();
    let programme_tp = check["true_peak_max_dbtp"].as_f64().unwrap();
    println!("test programme: {programme_lufs:.2} LUFS, {programme_tp:+.2} dBTP");
    assert!((programme_lufs + 20.0).abs() < 0.05);

    for (preset, target) in [("Broadcast -23 LUFS", -23.0), ("Streaming -14 LUFS", -14.0)] {
        let report = render(&input, &dir.join("out.wav"), &["--preset", preset]);
        let lufs = report["integrated_lufs"].as_f64().unwrap();
        let tp = report["true_peak_max_dbtp"].as_f64().unwrap();
        println!("{preset}: {lufs:.2} LUFS, true peak {tp:+.2} dBTP");
        assert!((lufs - target).abs() <= 1.0, "{preset}: {lufs:.2} LUFS");
        // The limiter's ceiling: never above it (0.1 dB for the meter's own reading).
        assert!(tp <= -1.0 + 0.1, "{preset}: {tp:+.2} dBTP");
        if programme_tp + (target + 20.0) > -1.0 {
            // Where the gain would take the peaks over, the limiter holds them at −1 dBTP.
            assert!(tp >= -1.5, "{preset}: {tp:+.2} dBTP, not at the ceiling");
        }
    }
}

#[test]
fn presets_load_by_name_and_file_old_files_migrate_bad_ones_are_refused() {
    let dir = scratch();
    let tone: Vec<f32> = (0..RATE as usize)
        .map(|i| {
            (0.1 * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / RATE as f64).sin()) as f32
        })
        .collect();
    let input = dir.join("tone.wav");
    write_wav(&input, &tone, &tone);

    // Saved under a name, it is listed and loads by that name (category User).
    let (ok, _, stderr) = standalone(&[
        "--set",
        "out_gain=-6",
        "--save-preset",
        "Quieter",
        "--no-gui",
    ]);
    assert!(ok, "{stderr}");
    let (_, list, _) = standalone(&["--list-presets"]);
    assert!(list.lines().any(|l| l == "User/Quieter"), "{list}");
    let level = |extra: &[&str]| {
        let out = dir.join("tone-out.wav");
        render(&input, &out, extra);
        let y = read_left(&out);
        let fit = fit_sines(&y[RATE as usize / 2..], &[1000.0 / RATE as f64]);
        20.0 * (fit.amplitude(0) / 0.1).log10()
    };
    let quieter = level(&["--preset", "User/Quieter"]);
    assert!((quieter + 6.0).abs() < 0.01, "{quieter:+.3} dB");

    // The older format (a bare plugin state, as --save-preset wrote before) loads.
    let old = dir.join("old-take.json");
    std::fs::write(
        &old,
        r#"{"version": "0.1.0", "params": {"out_gain": {"f32": -3.0}}, "fields": {}}"#,
    )
    .unwrap();
    let migrated = level(&["--preset", old.to_str().unwrap()]);
    assert!((migrated + 3.0).abs() < 0.01, "{migrated:+.3} dB");

    // Refused, naming the file and the problem; nothing rendered.
    let cases = [
        ("corrupt.json", "{ \"strata_preset\": 1,", "corrupt JSON"),
        (
            "newer.json",
            r#"{"strata_preset": 9, "name": "n", "category": "c", "params": {}}"#,
            "newer Strata",
        ),
        (
            "unknown.json",
            r#"{"strata_preset": 1, "name": "n", "category": "c", "params": {"eq0_gain": 3}}"#,
            "unknown parameter 'eq0_gain'",
        ),
    ];
    for (file, text, says) in cases {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        let out = dir.join("refused.wav");
        let _ = std::fs::remove_file(&out);
        let (ok, _, stderr) = standalone(&[
            "render",
            input.to_str().unwrap(),
            out.to_str().unwrap(),
            "--preset",
            path.to_str().unwrap(),
        ]);
        assert!(!ok, "{file} was accepted");
        assert!(
            stderr.contains(file) && stderr.contains(says),
            "{file}: {stderr}"
        );
        assert!(!out.exists(), "{file}: rendered anyway");
    }
    let (ok, _, stderr) = standalone(&["--preset", "No such preset", "--no-gui"]);
    assert!(!ok && stderr.contains("Utility/Low cut 80 Hz"), "{stderr}");
}

/// The tones every preset's response is measured at, quiet enough (−54 dBFS each, −27 dBFS
/// peak together) that no compressor in a preset acts.
const TONES_HZ: [f64; 20] = [
    20.0, 35.0, 40.0, 50.0, 60.0, 80.0, 100.0, 200.0, 250.0, 300.0, 400.0, 900.0, 1000.0, 3000.0,
    3400.0, 4000.0, 5000.0, 10_000.0, 12_000.0, 15_000.0,
];
const TONE_AMPLITUDE: f64 = 0.002;

/// What a preset's name promises, as (frequency, lowest, highest gain in dB).
type Claims = &'static [(f64, f64, f64)];

#[test]
fn every_factory_preset_does_what_its_name_says() {
    let cases: [(&str, Claims); 14] = [
        // A cut's corner is −3 dB; a bell or shelf gives its gain (±0.6 dB where neighbours
        // overlap).
        (
            "Vocal de-mud",
            &[
                (250.0, -5.0, -3.0),
                (50.0, -40.0, -20.0),
                (3000.0, -0.3, 0.3),
            ],
        ),
        // With a compressor, its makeup (+2 dB here) lifts everything a quiet tone shows.
        (
            "Vocal presence",
            &[
                (3000.0, 4.0, 5.2),
                (300.0, -1.2, 0.0),
                (40.0, -40.0, -13.0),
                (1000.0, 1.5, 3.0),
            ],
        ),
        ("Drum bus glue", &[(12_000.0, 2.2, 3.2), (100.0, 1.3, 1.7)]),
        (
            "Kick punch",
            &[
                (60.0, 2.4, 3.6),
                (400.0, -4.6, -3.4),
                (4000.0, 2.4, 3.6),
                (20.0, -20.0, -8.0),
            ],
        ),
        (
            "Snare crack",
            &[(200.0, 1.4, 2.6), (900.0, -3.6, -2.4), (5000.0, 2.4, 3.6)],
        ),
        (
            "Bass tight",
            &[
                (80.0, 3.4, 4.6),
                (250.0, -1.6, -0.4),
                (35.0, -1.5, 0.5),
                (20.0, -25.0, -12.0),
            ],
        ),
        (
            "Bass DI warmth",
            &[
                (50.0, 2.5, 3.2),
                (5000.0, -3.3, -2.7),
                (15_000.0, -25.0, -15.0),
            ],
        ),
        (
            "Acoustic guitar",
            &[
                (80.0, -3.6, -2.4),
                (200.0, -3.6, -2.4),
                (12_000.0, 1.5, 2.2),
            ],
        ),
        (
            "Electric guitar focus",
            &[
                (100.0, -3.3, -2.7),
                (3000.0, 1.5, 2.3),
                (12_000.0, -3.5, -2.5),
            ],
        ),
        (
            "Keys air",
            &[
                (60.0, -3.3, -2.7),
                (15_000.0, 1.8, 3.2),
                (1000.0, -0.3, 0.3),
            ],
        ),
        ("Mix bus gentle", &[(15_000.0, 1.0, 1.7), (100.0, 0.3, 0.7)]),
        (
            "Podcast voice",
            &[(80.0, -0.6, 0.6), (4000.0, 4.4, 5.6), (40.0, -40.0, -15.0)],
        ),
        (
            "Telephone band",
            &[
                (300.0, -3.3, -2.7),
                (3400.0, -3.3, -2.7),
                (1000.0, -0.5, 0.5),
                (100.0, -80.0, -30.0),
                (12_000.0, -80.0, -30.0),
            ],
        ),
        (
            "Safety limiter -1 dBTP",
            &[(100.0, -0.05, 0.05), (10_000.0, -0.05, 0.05)],
        ),
    ];
    let dir = scratch();
    let input = dir.join("multitone.wav");
    let n = 3 * RATE as usize;
    let x: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f64 / RATE as f64;
            TONES_HZ
                .iter()
                .enumerate()
                // Spread phases so the tones do not peak together.
                .map(|(k, f)| {
                    TONE_AMPLITUDE * (2.0 * std::f64::consts::PI * f * t + k as f64).sin()
                })
                .sum::<f64>() as f32
        })
        .collect();
    write_wav(&input, &x, &x);
    let cycles: Vec<f64> = TONES_HZ.iter().map(|f| f / RATE as f64).collect();
    let mut failures = Vec::new();
    for (preset, claims) in cases {
        let out = dir.join("multitone-out.wav");
        render(&input, &out, &["--preset", preset]);
        let y = read_left(&out);
        let fit = fit_sines(&y[n / 3..], &cycles);
        let gain = |f: f64| {
            let k = TONES_HZ
                .iter()
                .position(|t| *t == f)
                .expect("a measured tone");
            20.0 * (fit.amplitude(k) / TONE_AMPLITUDE).log10()
        };
        let line: Vec<String> = claims
            .iter()
            .map(|(f, lo, hi)| {
                let g = gain(*f);
                if !(*lo..=*hi).contains(&g) {
                    failures.push(format!("{preset}: {f} Hz {g:+.2} dB, not in {lo}…{hi}"));
                }
                format!("{f} Hz {g:+.2} dB")
            })
            .collect();
        println!("{preset}: {}", line.join(", "));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The presets with a limiter hold a hot input (a 1 kHz sine at +6 dBFS) at their ceiling.
#[test]
fn presets_with_a_limiter_hold_a_hot_input_at_their_ceiling() {
    let dir = scratch();
    let input = dir.join("hot.wav");
    let n = 2 * RATE as usize;
    let x: Vec<f32> = (0..n)
        .map(|i| {
            (2.0 * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / RATE as f64).sin()) as f32
        })
        .collect();
    write_wav(&input, &x, &x);
    for (preset, ceiling) in [
        ("Safety limiter -1 dBTP", -1.0),
        ("Podcast voice", -1.0),
        ("Mix bus gentle", -0.3),
        ("Broadcast -23 LUFS", -1.0),
        ("Streaming -14 LUFS", -1.0),
    ] {
        let report = render(&input, &dir.join("hot-out.wav"), &["--preset", preset]);
        let tp = report["true_peak_max_dbtp"].as_f64().unwrap();
        println!("{preset}: +6 dBFS in, true peak {tp:+.2} dBTP (ceiling {ceiling})");
        assert!(
            tp <= ceiling + 0.1 && tp >= ceiling - 0.5,
            "{preset}: {tp:+.2} dBTP"
        );
    }
}
