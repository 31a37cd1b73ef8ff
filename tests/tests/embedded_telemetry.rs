//! Meter frames and analyzer samples from process() to a GUI-side reader: minutes of audio
//! with nobody reading, then with a slow reader on another thread, all under the allocation
//! assertion; frames arrive in order and whole; loudness keeps integrating while nobody reads,
//! and resets from the GUI and from the host parameter restart it.
//!
//! The allocation checker exists in debug builds only, so this file does too.
#![cfg(debug_assertions)]

use std::f32::consts::PI;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nice_assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count};
use strata::dsp::meter::MeterFrame;
use strata::telemetry::ANALYZER_CAPACITY;
use strata_standalone::host::EmbeddedStrata;

const RATE: f32 = 48_000.0;
const BLOCK: usize = 480;

/// A 1 kHz sine on both channels; its loudness in LUFS equals its level in dBFS.
struct Tone {
    n: u64,
    level_db: f32,
}

impl Tone {
    fn new(level_db: f32) -> Tone {
        Tone { n: 0, level_db }
    }

    fn fill(&mut self, left: &mut [f32], right: &mut [f32]) {
        let amplitude = 10f32.powf(self.level_db / 20.0);
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let phase = (self.n % 48) as f32 / 48.0;
            *l = amplitude * (2.0 * PI * phase).sin();
            *r = *l;
            self.n += 1;
        }
    }
}

/// Process `seconds` of the tone in blocks, each block under the allocation assertion.
fn run(s: &mut EmbeddedStrata, tone: &mut Tone, seconds: f32) {
    let (mut left, mut right) = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    for _ in 0..(seconds * RATE) as usize / BLOCK {
        tone.fill(&mut left, &mut right);
        let mut channels = [&mut left[..], &mut right[..]];
        assert_no_alloc(|| s.process(&mut channels));
    }
}

/// Frames in order and whole.
fn check_sequence(frames: &[MeterFrame]) {
    for f in frames {
        assert_eq!(f.seq, f.seq_check, "torn frame {f:?}");
    }
    for w in frames.windows(2) {
        assert!(
            w[1].seq > w[0].seq,
            "out of order: {} after {}",
            w[1].seq,
            w[0].seq
        );
        assert!(w[1].position > w[0].position);
    }
}

#[test]
fn frames_flow_without_allocating_whether_or_not_anyone_reads() {
    // Proof the assertion can fail: an allocation inside it is counted.
    reset_violation_count();
    assert_no_alloc(|| std::hint::black_box(Vec::<u8>::with_capacity(64)));
    assert!(
        violation_count() > 0,
        "allocations inside assert_no_alloc are not detected"
    );
    reset_violation_count();

    let mut s = EmbeddedStrata::new(RATE, BLOCK, 2);
    let telemetry = s.telemetry();
    let mut tone = Tone::new(-23.0);

    // Three minutes with nobody reading: the analyzer ring fills and the rest is dropped and
    // counted; loudness keeps integrating.
    run(&mut s, &mut tone, 180.0);
    let first = {
        let mut rx = telemetry.lock().unwrap();
        let dropped = rx.dropped_analyzer_samples();
        let queued = rx.drain_analyzer(|_| {});
        assert_eq!(queued, ANALYZER_CAPACITY);
        assert_eq!(dropped, 180 * RATE as u64 - ANALYZER_CAPACITY as u64);
        rx.latest().expect("a frame after three minutes")
    };
    assert_eq!(first.seq, first.seq_check);
    assert!(
        (first.seq as i64 - 180 * 50).abs() <= 1,
        "{} frames in 180 s",
        first.seq
    );
    for (point, r) in [("input", first.input), ("output", first.output)] {
        let i = r
            .integrated_lufs
            .expect("integrated loudness while nobody read");
        assert!((i + 23.0).abs() < 0.1, "{point}: {i} LUFS");
        assert!(
            (r.momentary_lufs + 23.0).abs() < 0.1,
            "{point}: M {}",
            r.momentary_lufs
        );
    }

    // Two minutes with a slow reader on another thread (a GUI at ~15 frames per second that
    // sometimes stalls).
    let stop = Arc::new(AtomicBool::new(false));
    let reader = {
        let (telemetry, stop) = (telemetry.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut frames = Vec::new();
            let mut samples = 0usize;
            let mut k = 0u32;
            // Read, then look at the flag: the read after it is set sees the last frame.
            loop {
                {
                    let mut rx = telemetry.lock().unwrap();
                    if let Some(f) = rx.latest()
                        && frames.last().is_none_or(|l: &MeterFrame| l.seq != f.seq)
                    {
                        frames.push(f);
                    }
                    samples +=
                        rx.drain_analyzer(|x| assert!(x.pre.is_finite() && x.post.is_finite()));
                }
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                k += 1;
                std::thread::sleep(Duration::from_millis(if k.is_multiple_of(20) {
                    400
                } else {
                    66
                }));
            }
            (frames, samples)
        })
    };
    // Paced (a second of audio, then 15 ms off: about 65× real time at most), so the reader's
    // ~15 reads a second see frames flow however fast this machine processes; unpaced, a
    // faster strip finished the two minutes before the reader woke ten times.
    for _ in 0..120 {
        run(&mut s, &mut tone, 1.0);
        std::thread::sleep(Duration::from_millis(15));
    }
    stop.store(true, Ordering::Relaxed);
    let (frames, samples) = reader.join().unwrap();
    assert_eq!(violation_count(), 0, "process() allocated");
    check_sequence(&frames);
    assert!(frames.len() >= 10, "the reader saw {} frames", frames.len());
    assert!(frames.last().unwrap().seq >= first.seq + 120 * 50 - 1);
    assert!(samples > 0);
    let last = frames.last().unwrap();
    println!(
        "slow reader: {} of {} frames seen, {samples} analyzer samples, {} dropped in all",
        frames.len(),
        last.seq - first.seq,
        telemetry.lock().unwrap().dropped_analyzer_samples()
    );

    // A reset from the GUI restarts integrated loudness: after it, only the new material
    // counts.
    telemetry.lock().unwrap().request_loudness_reset();
    // 10 s at −33 dBFS, 10 dB under the tone so far.
    run(&mut s, &mut Tone::new(-33.0), 10.0);
    let after_gui_reset = telemetry.lock().unwrap().latest().unwrap();
    assert_eq!(after_gui_reset.loudness_resets, first.loudness_resets + 1);
    let i = after_gui_reset.input.integrated_lufs.unwrap();
    assert!(
        (i + 33.0).abs() < 0.1,
        "integrated after the GUI's reset: {i}"
    );

    // And the host parameter: its rising edge resets.
    s.set_param_text("meter_reset", "On").unwrap();
    run(&mut s, &mut tone, 5.0);
    s.set_param_text("meter_reset", "Off").unwrap();
    run(&mut s, &mut tone, 1.0);
    let after_param_reset = telemetry.lock().unwrap().latest().unwrap();
    assert_eq!(after_param_reset.loudness_resets, first.loudness_resets + 2);
    let i = after_param_reset.output.integrated_lufs.unwrap();
    assert!(
        (i + 23.0).abs() < 0.15,
        "integrated after the parameter's reset: {i}"
    );
    assert_eq!(violation_count(), 0, "process() allocated");
}

/// The GUI's end is shareable the way an editor needs it.
#[allow(dead_code)]
fn receiver_is_send(_: Arc<Mutex<strata::telemetry::TelemetryReceiver>>) -> impl Send {}
