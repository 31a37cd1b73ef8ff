//! A live session: opens the devices, builds the duplex engine around the processor, starts
//! the streams and watches them from a supervisor thread. A device that stops (unplugged, the
//! JACK server gone) is reported and re-opened after a pause; callbacks that outgrow the sizes
//! the engine was built for re-open it at the new sizes, and the processor is re-activated at
//! the output's rate and block size whenever they change. Nothing is lost across re-opens: the
//! processor (parameters, meters, the editor's connection) and the recording carry over.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::host::EmbeddedStrata;

use crate::device::{Faults, InputDevice, OutputDevice, StreamFormat};
use crate::duplex::{DuplexConfig, EngineStats, InputMap, OutputSide, Processor, engine};
use crate::recorder::RecordTap;
use crate::status::{Reported, Status};

/// How long to wait before re-opening a device that stopped.
const RETRY_PAUSE: Duration = Duration::from_secs(2);
/// How often the supervisor looks at the streams.
const WATCH_INTERVAL: Duration = Duration::from_millis(50);

impl Processor for EmbeddedStrata {
    /// Runs on the audio thread: must not allocate or block.
    fn process(&mut self, channels: &mut [&mut [f32]]) {
        EmbeddedStrata::process(self, channels)
    }
}

/// Both devices of a session, opened and ready to start.
pub struct Devices {
    /// `None`: output-only, silence in.
    pub input: Option<Box<dyn InputDevice>>,
    pub output: Box<dyn OutputDevice>,
    /// What the user should know about how they were chosen (fallbacks).
    pub notes: Vec<String>,
}

/// Opens the session's devices; called again to re-open them after a fault.
pub type Opener = Box<dyn FnMut() -> Result<Devices, String> + Send>;

pub struct SessionOptions {
    /// The user's latency target; raised to what the devices' periods need.
    pub latency_ms: Option<f64>,
    pub input_map: InputMap,
    /// Where processed frames go when recording (told the output's rate at each start).
    pub recorder: Option<RecordTap>,
    /// Callback sizes (input, output) seen beyond what the devices announced: the engine is
    /// built for at least these. Learned by the session; start with (0, 0).
    pub seen_periods: (usize, usize),
}

/// A running session.
pub struct Session {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    pub status: Arc<Mutex<Status>>,
}

impl Session {
    /// Open and start the devices on the supervisor thread (streams stay on the thread that
    /// made them), and wait for the first start: a wrong name or an impossible rate comes
    /// back as the error, before anything runs.
    pub fn start(
        mut open: Opener,
        strata: EmbeddedStrata,
        mut options: SessionOptions,
    ) -> Result<Session, String> {
        // Where the processor is while no engine holds it.
        let mut strata = Some(strata);
        let status = Arc::new(Mutex::new(Status::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (started_tx, started_rx) = mpsc::channel();
        let thread = {
            let (stop, status) = (stop.clone(), status.clone());
            std::thread::Builder::new()
                .name("strata-supervisor".into())
                .spawn(move || {
                    let first =
                        open().and_then(|d| Running::start(d, &mut strata, &mut options, &status));
                    let mut running = match first {
                        Ok(r) => {
                            let _ = started_tx.send(Ok(()));
                            r
                        }
                        Err(e) => {
                            let _ = started_tx.send(Err(e));
                            return;
                        }
                    };
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(WATCH_INTERVAL);
                        let Some(mut reason) = running.watch(&status) else {
                            continue;
                        };
                        running.stop(&mut strata, &mut options, &status);
                        if let Reopen::Resized { input, output } = reason {
                            options.seen_periods = (input, output);
                        }
                        running = loop {
                            set_message(&status, &reason);
                            eprintln!("{reason}");
                            if matches!(reason, Reopen::Fault(_)) {
                                std::thread::sleep(RETRY_PAUSE);
                            }
                            if stop.load(Ordering::Relaxed) {
                                return;
                            }
                            let started = open().and_then(|d| {
                                Running::start(d, &mut strata, &mut options, &status)
                            });
                            match started {
                                Ok(r) => break r,
                                Err(e) => reason = Reopen::Fault(format!("cannot re-open: {e}")),
                            }
                        };
                        set_message(&status, &Reopen::Resumed);
                    }
                    running.stop(&mut strata, &mut options, &status);
                })
                .map_err(|e| format!("cannot start the supervisor: {e}"))?
        };
        let session = Session {
            stop,
            thread: Some(thread),
            status,
        };
        match started_rx.recv() {
            Ok(Ok(())) => Ok(session),
            Ok(Err(e)) => Err(e),
            Err(_) => Err("the supervisor stopped before the devices started".into()),
        }
    }

    /// Stop the streams (the recorder's ring is released: finish the recorder afterwards).
    pub fn stop(mut self) -> Status {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.status.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// Why the supervisor re-opens the devices.
#[derive(Debug, Clone)]
enum Reopen {
    Fault(String),
    Resized { input: usize, output: usize },
    Resumed,
}

impl std::fmt::Display for Reopen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reopen::Fault(m) => write!(f, "{m}; retrying in {} s", RETRY_PAUSE.as_secs()),
            Reopen::Resized { input, output } => write!(
                f,
                "the devices call back with up to {input}/{output} frames, more than they \
                 announced; re-opening for that"
            ),
            Reopen::Resumed => write!(f, "devices running again"),
        }
    }
}

fn set_message(status: &Mutex<Status>, reason: &Reopen) {
    if let Ok(mut s) = status.lock() {
        s.message = Some(reason.to_string());
        if matches!(reason, Reopen::Fault(_)) {
            s.device_losses += 1;
        }
    }
}

/// The devices running around one engine.
struct Running {
    // Field order is drop order: the input stops before the output.
    input: Option<Box<dyn InputDevice>>,
    output: Box<dyn OutputDevice>,
    returned: mpsc::Receiver<OutputSide<EmbeddedStrata>>,
    stats: Arc<EngineStats>,
    faults: Faults,
    config: DuplexConfig,
    alloc_violations: Arc<AtomicU64>,
}

impl Running {
    /// Build the engine around the processor in `strata` (re-activated at the output's rate
    /// and period if they changed) and start the devices. On failure the processor and the
    /// recorder's ring are back where they were.
    fn start(
        devices: Devices,
        strata: &mut Option<EmbeddedStrata>,
        options: &mut SessionOptions,
        status: &Mutex<Status>,
    ) -> Result<Running, String> {
        let Devices {
            mut input,
            mut output,
            notes,
        } = devices;
        let out = output.format();
        let inp = input.as_ref().map_or(
            StreamFormat {
                rate_hz: out.rate_hz,
                channels: 1,
                period: out.period,
            },
            |i| i.format(),
        );
        if let (Some(device), InputMap::Mono(channel)) = (&input, options.input_map)
            && channel >= inp.channels
        {
            return Err(format!(
                "--input-channel {}: the input device '{}' has {} channel{} (1–{})",
                channel + 1,
                device.name(),
                inp.channels,
                if inp.channels == 1 { "" } else { "s" },
                inp.channels
            ));
        }
        let config = duplex_config(inp, out, options);
        let Some(mut processor) = strata.take() else {
            return Err("the processor did not come back from the last streams".into());
        };
        // The plugin runs in the output callback, at the output's rate, in blocks of at most
        // the output's period.
        let block = config.max_output_period;
        if processor.sample_rate() != out.rate_hz as f32 || processor.max_block() != block {
            processor.reconfigure(out.rate_hz as f32, block);
        }
        let latency_samples = processor.latency_samples();
        let (mut input_side, mut output_side, stats) = engine(config, processor);
        if let Some(tap) = &mut options.recorder {
            tap.set_rate(out.rate_hz);
            if let Some(ring) = tap.ring.take() {
                output_side.record_into(ring);
            }
        }
        let delay_frames = output_side.resampler_delay_frames();
        // Fresh counters from here on; the status keeps the last engine's in its totals.
        if let Ok(mut s) = status.lock() {
            s.begin_engine();
        }
        let faults = Faults::default();
        let alloc_violations = Arc::new(AtomicU64::new(0));
        let (back, returned) = mpsc::channel();
        let mut owner = Owner {
            side: Some(output_side),
            back,
        };
        let mut checked = AllocCheck::new(alloc_violations.clone());
        let started = output
            .start(
                Box::new(move |data, now| {
                    if let Some(side) = owner.side.as_mut() {
                        checked.run(|| side.on_output(data, now));
                    }
                }),
                faults.clone(),
            )
            .and_then(|()| match input.as_mut() {
                Some(input) => {
                    let mut checked = AllocCheck::new(alloc_violations.clone());
                    input.start(
                        Box::new(move |data, now| checked.run(|| input_side.on_input(data, now))),
                        faults.clone(),
                    )
                }
                None => Ok(()),
            });
        let running = Running {
            input,
            output,
            returned,
            stats,
            faults,
            config,
            alloc_violations,
        };
        if let Err(e) = started {
            running.stop(strata, options, status);
            return Err(e);
        }
        let scheduling = crate::realtime::promote_audio_threads();
        if let Ok(mut s) = status.lock() {
            s.scheduling = scheduling.to_string();
            s.input_device = running.input.as_ref().map(|i| i.name());
            s.output_device = running.output.name();
            s.input_rate_hz = inp.rate_hz;
            s.output_rate_hz = out.rate_hz;
            s.target_latency_ms = config.target_latency_s * 1e3;
            s.resampler_delay_ms = delay_frames as f64 / out.rate_hz as f64 * 1e3;
            s.plugin_latency_ms = latency_samples as f64 / out.rate_hz as f64 * 1e3;
            s.periods = (config.input_period, config.max_output_period);
            s.notes = notes;
        }
        Ok(running)
    }

    /// Refresh the status; a reason to re-open, if there is one.
    fn watch(&mut self, status: &Mutex<Status>) -> Option<Reopen> {
        if let Ok(mut s) = status.lock() {
            let reported = reported(&self.faults, &self.alloc_violations);
            s.update(&self.stats, reported, self.input.is_some());
        }
        if let Some(message) = self.faults.take() {
            return Some(Reopen::Fault(message));
        }
        let max_in = self.stats.max_input_frames.load(Ordering::Relaxed) as usize;
        let max_out = self.stats.max_output_frames.load(Ordering::Relaxed) as usize;
        if max_in > self.config.input_period || max_out > self.config.max_output_period {
            return Some(Reopen::Resized {
                input: max_in.max(self.config.input_period),
                output: max_out.max(self.config.max_output_period),
            });
        }
        None
    }

    /// Stop both streams; the processor and the recorder's ring go back into `strata` and
    /// `options`, the engine's last counts into the status.
    fn stop(
        self,
        strata: &mut Option<EmbeddedStrata>,
        options: &mut SessionOptions,
        status: &Mutex<Status>,
    ) {
        let has_input = self.input.is_some();
        let (stats, faults, allocs) = (
            self.stats.clone(),
            self.faults.clone(),
            self.alloc_violations.clone(),
        );
        let Running {
            input,
            output,
            returned,
            ..
        } = self;
        // The engine's last figures, taken before the streams go: tearing them down is not
        // part of the session (a last output callback after the input stopped would find the
        // ring empty and count an underrun the listener never heard).
        if let Ok(mut s) = status.lock() {
            s.update(&stats, reported(&faults, &allocs), has_input);
        }
        // The output is the master clock: stopped first, it pulls no more.
        drop(output);
        drop(input);
        // The output device dropped its callback, and with it the engine's owner.
        if let Ok(mut side) = returned.recv_timeout(Duration::from_secs(5)) {
            if let Some(tap) = &mut options.recorder {
                tap.ring = side.take_recorder();
            }
            *strata = Some(side.into_processor());
        }
    }
}

/// What the devices and the callbacks' allocation checks counted.
fn reported(faults: &Faults, alloc_violations: &AtomicU64) -> Reported {
    Reported {
        device_xruns: faults.device_xruns(),
        alloc_violations: alloc_violations.load(Ordering::Relaxed),
    }
}

/// The engine's sizes and target latency for these devices.
fn duplex_config(
    input: StreamFormat,
    output: StreamFormat,
    options: &SessionOptions,
) -> DuplexConfig {
    let config = DuplexConfig {
        input_rate_hz: input.rate_hz as f64,
        output_rate_hz: output.rate_hz as f64,
        input_channels: input.channels,
        output_channels: output.channels,
        input_map: options.input_map,
        max_output_period: output.period.max(options.seen_periods.1).max(1),
        input_period: input.period.max(options.seen_periods.0).max(1),
        target_latency_s: 0.0,
    };
    let minimum = config.minimum_latency_s();
    DuplexConfig {
        target_latency_s: options
            .latency_ms
            .map_or(minimum, |ms| (ms * 1e-3).max(minimum)),
        ..config
    }
}

/// Owns the output side inside the output callback; when the stream drops the callback, the
/// engine goes back to the supervisor (that drop happens off the audio path, as the stream
/// stops).
struct Owner {
    side: Option<OutputSide<EmbeddedStrata>>,
    back: mpsc::Sender<OutputSide<EmbeddedStrata>>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        if let Some(side) = self.side.take() {
            let _ = self.back.send(side);
        }
    }
}

/// Runs a callback under the allocation assertion (debug builds) and counts violations, which
/// the status reports (0 is the only right answer).
struct AllocCheck {
    violations: Arc<AtomicU64>,
    #[cfg(debug_assertions)]
    seen: u32,
}

impl AllocCheck {
    fn new(violations: Arc<AtomicU64>) -> AllocCheck {
        AllocCheck {
            violations,
            #[cfg(debug_assertions)]
            seen: 0,
        }
    }

    /// Runs on the audio thread: must not allocate or block.
    fn run(&mut self, callback: impl FnOnce()) {
        nice_assert_no_alloc::assert_no_alloc(callback);
        #[cfg(debug_assertions)]
        {
            // A per-thread count: publish what this thread added.
            let now = nice_assert_no_alloc::violation_count();
            if now > self.seen {
                self.violations
                    .fetch_add((now - self.seen) as u64, Ordering::Relaxed);
                self.seen = now;
            }
        }
        #[cfg(not(debug_assertions))]
        let _ = &self.violations;
    }
}
