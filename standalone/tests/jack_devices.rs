//! Real cpal streams end to end: a private JACK server on its dummy driver (paced in real
//! time, no sound card needed), `strata-standalone` on it through cpal's JACK host, and a probe
//! client that plays a 1 kHz tone into the standalone's input ports and captures its output
//! ports. The processed tone has to arrive on both outputs (mono input mapped to both) at the
//! level the settings give (`out_gain=-6`), clean, with no engine xrun after start-up and no
//! allocation on the audio threads.

use std::io::Read;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use strata_test_support::fit::{Search, fit_sine_near};

// Each test binary uses part of the shared helpers.
#[allow(dead_code)]
mod common;

use common::jack_server::{JackServer, XRUN_STORM};

const RATE: u32 = 48_000;
const TONE_HZ: f64 = 1000.0;
const TONE_PEAK: f64 = 0.1; // −20 dBFS
const OUT_GAIN_DB: f64 = -6.0;

/// The probe's audio thread state: the tone it plays, the frames it captures.
struct Probe {
    tone: jack::Port<jack::AudioOut>,
    left: jack::Port<jack::AudioIn>,
    right: jack::Port<jack::AudioIn>,
    captured: rtrb::Producer<[f32; 2]>,
    n: u64,
}

impl jack::ProcessHandler for Probe {
    fn process(&mut self, _: &jack::Client, ps: &jack::ProcessScope) -> jack::Control {
        let w = 2.0 * std::f64::consts::PI * TONE_HZ / RATE as f64;
        for s in self.tone.as_mut_slice(ps) {
            *s = (TONE_PEAK * (w * self.n as f64).sin()) as f32;
            self.n += 1;
        }
        let (l, r) = (self.left.as_slice(ps), self.right.as_slice(ps));
        for (a, b) in l.iter().zip(r) {
            let _ = self.captured.push([*a, *b]);
        }
        jack::Control::Continue
    }
}

/// Level (dBFS), frequency error (ppm), residual re the tone (dB).
type Judged = (f64, f64, f64);

/// Level (dBFS), frequency error (ppm) and residual re the tone (dB) of channel `c`. The drift
/// loop may still be settling, its ratio — the pitch — off by a few hundred ppm: the tone's
/// frequency is found first.
fn judge(window: &[[f32; 2]], c: usize) -> Judged {
    let x: Vec<f64> = window.iter().map(|f| f[c] as f64).collect();
    let search = Search {
        span_ppm: 6000.0,
        grid_ppm: 100.0,
        resolution_ppm: 0.1,
    };
    let (fit, ppm) = fit_sine_near(&x, TONE_HZ / RATE as f64, search);
    (20.0 * fit.amplitude.log10(), ppm, fit.residual_db())
}

#[test]
fn processed_tone_arrives_through_real_jack_streams() {
    for attempt in 1..=3 {
        // The last attempt is judged whatever the server did, by what it allows.
        if run_once(attempt == 3) {
            return;
        }
        println!("attempt {attempt}: the dummy JACK server lost its pace; again with a new one");
    }
}

/// One run against a fresh server: `false` if the server's own xruns make it meaningless and
/// `judge_unpaced` is not set, else the checks (which panic on failure) and `true`. On a
/// server that kept no pace the cleanest window's residual is not judged (skipped cycles move
/// the fill for real, and the drift loop's trim then bends the pitch): the tone must still
/// arrive on both sides at its level, with no more engine glitches than the server's own.
fn run_once(judge_unpaced: bool) -> bool {
    let server = JackServer::start("test", RATE);
    let client = server.client("probe").expect("a client of the new server");
    assert_eq!(client.sample_rate(), RATE);
    let (captured, mut capture_out) = rtrb::RingBuffer::new(RATE as usize * 30);
    let probe = Probe {
        tone: client
            .register_port("tone", jack::AudioOut::default())
            .unwrap(),
        left: client
            .register_port("left", jack::AudioIn::default())
            .unwrap(),
        right: client
            .register_port("right", jack::AudioIn::default())
            .unwrap(),
        captured,
        n: 0,
    };
    let active = client.activate_async((), probe).unwrap();

    let mut standalone = Command::new(env!("CARGO_BIN_EXE_strata-standalone"))
        .args([
            "--audio-host",
            "JACK",
            "--no-gui",
            "--input-channel",
            "1",
            "--seconds",
            "8",
            "--set",
            &format!("out_gain={OUT_GAIN_DB}"),
        ])
        .env("JACK_DEFAULT_SERVER", &server.name)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();

    // cpal's clients connect to the system ports; wire the probe in as well.
    let client = active.as_client();
    let find = |pattern: &str, flags: jack::PortFlags| client.ports(Some(pattern), None, flags);
    let deadline = Instant::now() + Duration::from_secs(20);
    let (ins, outs) = loop {
        let ins = find("^cpal_client.*:in_", jack::PortFlags::IS_INPUT);
        let outs = find("^cpal_client.*:out_", jack::PortFlags::IS_OUTPUT);
        if !ins.is_empty() && outs.len() >= 2 {
            break (ins, outs);
        }
        assert!(
            Instant::now() < deadline,
            "the standalone's JACK ports never appeared"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    // A client's ports exist before it is active, and JACK refuses to connect them until it
    // is: retry until the standalone's clients are running.
    let connect = |from: &str, to: &str| loop {
        match client.connect_ports_by_name(from, to) {
            Ok(()) => break,
            Err(e) => assert!(Instant::now() < deadline, "connecting {from} → {to}: {e:?}"),
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    connect("probe:tone", &ins[0]);
    connect(&outs[0], "probe:left");
    connect(&outs[1], "probe:right");
    let connected = Instant::now();

    let status = standalone.wait().unwrap();
    let mut stdout = String::new();
    standalone
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let mut stderr = String::new();
    standalone
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    println!("{stdout}{stderr}");
    assert!(status.success(), "strata-standalone failed");
    let ran_s = connected.elapsed().as_secs_f64();
    drop(active);
    let device_xruns = count_in(
        stdout
            .lines()
            .find(|l| l.starts_with("stopped after"))
            .expect("a final summary"),
        "device xruns ",
    );
    let paced = device_xruns <= XRUN_STORM;
    if !paced && !judge_unpaced {
        return false;
    }

    let mut frames = Vec::new();
    while let Ok(f) = capture_out.pop() {
        frames.push(f);
    }
    // The capture runs from the probe's start; the tone reaches it once the standalone's ports
    // are connected and its drift loop has primed.
    let audible: Vec<usize> = frames
        .iter()
        .enumerate()
        .filter(|(_, f)| f[0].abs() > 1e-3)
        .map(|(i, _)| i)
        .collect();
    let (first, last) = (audible.first().copied(), audible.last().copied());
    let (Some(first), Some(last)) = (first, last) else {
        panic!("no signal arrived in {ran_s:.1} s of connected streams");
    };
    if std::env::var_os("STRATA_DEBUG_CAPTURE").is_some() {
        for (k, block) in frames.chunks(RATE as usize / 4).enumerate() {
            let rms = (block.iter().map(|f| (f[0] as f64).powi(2)).sum::<f64>()
                / block.len() as f64)
                .sqrt();
            println!("{:5.2} s  {:7.2} dB", k as f64 / 4.0, 20.0 * rms.log10());
        }
    }
    let span = last - first;
    assert!(
        span > 3 * RATE as usize,
        "signal arrived for only {:.2} s",
        span as f64 / RATE as f64
    );
    // Judge the cleanest half second after the first: JACK's dummy driver on this shared
    // virtual machine sometimes wakes late dozens of times a second and drops cycles (device
    // xruns), which no client can hide; the claim here is that the processed tone arrives, on
    // both sides, at the level the settings give.
    let expected_db = 20.0 * TONE_PEAK.log10() + OUT_GAIN_DB;
    let half = RATE as usize / 2;
    let mut best: Option<(f64, [Judged; 2])> = None;
    let mut start = first + RATE as usize;
    while start + half <= last {
        let window = &frames[start..start + half];
        let judged = [0, 1].map(|c| judge(window, c));
        let worst = judged[0].2.max(judged[1].2);
        if best.as_ref().is_none_or(|(w, _)| worst < *w) {
            best = Some((worst, judged));
        }
        start += RATE as usize / 4;
    }
    let (_, judged) = best.expect("a window to judge");
    for (c, name) in ["left", "right"].iter().enumerate() {
        let (level_db, ppm, snr_db) = judged[c];
        println!(
            "{name}: tone at {level_db:.3} dBFS (expected {expected_db:.3}), {ppm:+.1} ppm, \
             residual {snr_db:.1} dB"
        );
        assert!(
            (level_db - expected_db).abs() < 0.05,
            "{name}: level {level_db:.3} dBFS, expected {expected_db:.3}"
        );
        // A dropout or a click in the window would leave −20 dB or worse; a clean stretch shows
        // only the drift loop's few-ppm pitch wobble (−50…−55 dB here).
        assert!(
            !paced || snr_db < -40.0,
            "{name}: residual {snr_db:.1} dB re the tone"
        );
    }
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("stopped after"))
        .expect("a final summary");
    // Counted only in builds with debug assertions; a release build says it did not count.
    let allocations = if cfg!(debug_assertions) {
        "audio-thread allocations 0"
    } else {
        "audio-thread allocations not checked"
    };
    assert!(summary.contains(allocations), "allocations: {summary}");
    // The engine's own glitches: none, unless JACK dropped cycles (a dropped cycle can starve
    // or flood the ring once; nothing the engine does can hide it). Never more than those.
    let engine_xruns: u64 = ["underruns ", "overruns ", "resyncs "]
        .iter()
        .map(|what| count_in(summary, what))
        .sum();
    if device_xruns == 0 {
        assert_eq!(engine_xruns, 0, "{summary}");
    } else {
        assert!(engine_xruns <= device_xruns, "{summary}");
    }
    true
}

/// The number after `what` in the summary line.
fn count_in(summary: &str, what: &str) -> u64 {
    summary
        .split(what)
        .nth(1)
        .and_then(|s| s.split(',').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no '{what}' count in {summary}"))
}
