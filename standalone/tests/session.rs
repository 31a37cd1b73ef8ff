//! The session's supervision, on simulated devices: a device that dies is reported and
//! re-opened (the same plugin instance carries on, audio flows again), and a device whose
//! callbacks are larger than it announced gets the engine re-built for the real size.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use strata_standalone::device::simulated::{SimulatedInput, SimulatedOutput, Source};
use strata_standalone::device::virtual_clock::VirtualClock;
use strata_standalone::device::{Faults, OutputCallback, OutputDevice, StreamFormat};
use strata_standalone::duplex::InputMap;
use strata_standalone::host::EmbeddedStrata;
use strata_standalone::recorder::Recorder;
use strata_standalone::session::{Devices, Session, SessionOptions};
use strata_standalone::wav::Bits;

/// An output device that fails after `fail_after` callbacks (if set) and announces
/// `announced` frames per callback whatever it really uses.
struct Unreliable {
    inner: SimulatedOutput,
    announced: Option<usize>,
    fail_after: Option<usize>,
}

impl OutputDevice for Unreliable {
    fn name(&self) -> String {
        "unreliable output".into()
    }

    fn format(&self) -> StreamFormat {
        let mut f = self.inner.format();
        if let Some(p) = self.announced {
            f.period = p;
        }
        f
    }

    fn start(&mut self, mut callback: OutputCallback, faults: Faults) -> Result<(), String> {
        let fail_after = self.fail_after;
        let reporter = faults.clone();
        let mut calls = 0usize;
        self.inner.start(
            Box::new(move |data, now| {
                calls += 1;
                if Some(calls) == fail_after {
                    reporter.report("the test unplugged the output".into());
                }
                callback(data, now);
            }),
            faults,
        )
    }
}

fn devices(announced: Option<usize>, fail_after: Option<usize>) -> Devices {
    let tone = Source::Tone {
        freq_hz: 440.0,
        amplitude: 0.25,
    };
    Devices {
        input: Some(Box::new(SimulatedInput::new(
            VirtualClock::new(44_100.0, 256),
            tone,
        ))),
        output: Box::new(Unreliable {
            inner: SimulatedOutput::new(VirtualClock::new(48_000.0, 512), 2, None),
            announced,
            fail_after,
        }),
        notes: Vec::new(),
    }
}

fn options() -> SessionOptions {
    SessionOptions {
        latency_ms: None,
        input_map: InputMap::Stereo,
        recorder: None,
        seen_periods: (0, 0),
    }
}

/// Wait until `done` holds for the session's status, or panic after `limit`.
fn wait_for(
    session: &Session,
    limit: Duration,
    what: &str,
    done: impl Fn(&strata_standalone::status::Status) -> bool,
) {
    let start = Instant::now();
    loop {
        if done(&session.status.lock().unwrap()) {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "{what} did not happen in {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_lost_device_is_reopened_and_the_plugin_carries_on() {
    let opened = Arc::new(AtomicUsize::new(0));
    let opener = {
        let opened = opened.clone();
        Box::new(move || {
            // The first device dies after 50 callbacks; the next one is fine.
            let n = opened.fetch_add(1, Ordering::SeqCst);
            Ok(devices(None, (n == 0).then_some(50)))
        })
    };
    let mut strata = EmbeddedStrata::new(48_000.0, 512, 2);
    strata.set_param_text("eq3_gain", "5").unwrap();
    let params = strata.params();
    let session = Session::start(opener, strata, options()).unwrap();
    wait_for(&session, Duration::from_secs(10), "the loss", |s| {
        s.device_losses == 1
    });
    let message = session.status.lock().unwrap().message.clone().unwrap();
    println!("status after the loss: {message}");
    assert!(message.contains("unplugged"), "{message}");
    wait_for(&session, Duration::from_secs(10), "the re-open", |s| {
        s.message.as_deref() == Some("devices running again") && s.output_callbacks > 50
    });
    let status = session.stop();
    assert_eq!(opened.load(Ordering::SeqCst), 2);
    // The same instance came back: the parameter set before still reads the same.
    assert_eq!(params.eq3.gain.value(), 5.0);
    println!("{}", status.summary());
}

#[test]
fn callbacks_larger_than_announced_rebuild_the_engine() {
    let opened = Arc::new(AtomicUsize::new(0));
    let opener = {
        let opened = opened.clone();
        Box::new(move || {
            opened.fetch_add(1, Ordering::SeqCst);
            // Says 128, calls back with 512.
            Ok(devices(Some(128), None))
        })
    };
    let strata = EmbeddedStrata::new(48_000.0, 128, 2);
    let session = Session::start(opener, strata, options()).unwrap();
    wait_for(&session, Duration::from_secs(10), "the rebuild", |s| {
        s.periods.1 == 512
    });
    // Built for the real size, it stays: no more re-opens.
    std::thread::sleep(Duration::from_secs(1));
    let status = session.stop();
    assert_eq!(opened.load(Ordering::SeqCst), 2, "{}", status.summary());
}

/// A device that comes back at another rate: the recording goes on in a second file at the
/// new rate, and each file holds what played at its rate (a WAV file has one rate).
#[test]
fn a_recording_follows_the_output_to_a_new_rate_in_a_new_file() {
    let dir = std::env::temp_dir().join(format!("strata-rate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("take.wav");
    let opened = Arc::new(AtomicUsize::new(0));
    let opener = {
        let opened = opened.clone();
        Box::new(move || {
            // 44.1 kHz until the test unplugs it, then back at 48 kHz.
            let n = opened.fetch_add(1, Ordering::SeqCst);
            let rate = if n == 0 { 44_100.0 } else { 48_000.0 };
            Ok(Devices {
                input: None,
                output: Box::new(Unreliable {
                    inner: SimulatedOutput::new(VirtualClock::new(rate, 512), 2, None),
                    announced: None,
                    fail_after: (n == 0).then_some(100),
                }),
                notes: Vec::new(),
            })
        })
    };
    let (recorder, tap) = Recorder::start(&path, Bits::Float32).unwrap();
    let session = Session::start(
        opener,
        EmbeddedStrata::new(48_000.0, 512, 2),
        SessionOptions {
            recorder: Some(tap),
            ..options()
        },
    )
    .unwrap();
    wait_for(&session, Duration::from_secs(15), "the re-open", |s| {
        s.device_losses == 1 && s.output_rate_hz == 48_000 && s.output_callbacks > 50
    });
    session.stop();
    let (frames, files) = recorder.finish().unwrap();
    assert_eq!(files, vec![path.clone(), dir.join("take-2.wav")]);
    let mut total = 0;
    for (file, rate) in files.iter().zip([44_100, 48_000]) {
        let reader = hound::WavReader::open(file).unwrap();
        println!(
            "{}: {} Hz, {} frames",
            file.display(),
            reader.spec().sample_rate,
            reader.duration()
        );
        assert_eq!(reader.spec().sample_rate, rate, "{}", file.display());
        assert!(
            reader.duration() > 512,
            "{}: {} frames",
            file.display(),
            reader.duration()
        );
        total += reader.duration() as u64;
    }
    assert_eq!(total, frames);
    std::fs::remove_dir_all(&dir).unwrap();
}
