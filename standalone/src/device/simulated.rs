//! Simulated devices for machines without a sound card and for tests: each runs a
//! `VirtualClock` (nominal rate, ppm error, jitter, callback sizes) in real time on its own
//! thread. The input plays a test tone, silence or a WAV file (looped); the output goes
//! nowhere or into a WAV file. The engine cannot tell them from hardware.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use super::virtual_clock::VirtualClock;
use super::{Faults, InputCallback, InputDevice, OutputCallback, OutputDevice, StreamFormat};

/// What a simulated input captures.
#[derive(Debug, Clone)]
pub enum Source {
    /// A sine at `freq_hz`, peak `amplitude`, in every channel.
    Tone {
        freq_hz: f64,
        amplitude: f64,
    },
    Silence,
    /// Programme-like stereo material (`demo_signal.rs`).
    Demo,
    /// Interleaved samples, looped.
    Samples {
        data: Arc<Vec<f32>>,
        channels: usize,
    },
}

impl Source {
    /// A WAV file's samples (any PCM or float format) and rate.
    pub fn wav(path: &std::path::Path) -> Result<(Source, u32), String> {
        let (data, spec) = crate::wav::read(path)?;
        Ok((
            Source::Samples {
                data: Arc::new(data),
                channels: spec.channels as usize,
            },
            spec.sample_rate,
        ))
    }

    fn channels(&self) -> usize {
        match self {
            Source::Samples { channels, .. } => *channels,
            Source::Demo => 2,
            _ => 1,
        }
    }
}

/// A device thread and its stop flag; dropping it stops the thread.
struct Running {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Call `tick(first_frame, frames)` at the clock's pace until stopped: an input's callback
/// comes once its last frame is captured, an output's when its buffer starts to play, each
/// late by up to the clock's jitter.
fn paced(
    clock: VirtualClock,
    input: bool,
    mut tick: impl FnMut(u64, usize) + Send + 'static,
) -> Running {
    let stop = Arc::new(AtomicBool::new(false));
    // The thread says when it runs (named): the supervisor looks for it right after `start`.
    let (started_tx, started) = std::sync::mpsc::sync_channel(1);
    let thread = {
        let stop = stop.clone();
        std::thread::Builder::new()
            // Names the supervisor finds them by to give them real-time priority
            // (`realtime.rs`).
            .name(
                if input {
                    "strata-sim-in"
                } else {
                    "strata-sim-out"
                }
                .into(),
            )
            .spawn(move || {
                let _ = started_tx.send(());
                let mut rng = fastrand::Rng::with_seed(1);
                let start = super::now_s();
                let (mut first, mut k) = (0u64, 0usize);
                while !stop.load(Ordering::Relaxed) {
                    let frames = clock.periods[k % clock.periods.len()];
                    let end = if input { first + frames as u64 } else { first };
                    let due =
                        start + end as f64 / clock.true_rate_hz() + rng.f64() * clock.jitter_s;
                    let wait = due - super::now_s();
                    if wait > 0.0 {
                        std::thread::sleep(Duration::from_secs_f64(wait));
                    }
                    tick(first, frames);
                    first += frames as u64;
                    k += 1;
                }
            })
            .expect("spawn a simulated device thread")
    };
    let _ = started.recv();
    Running {
        stop,
        thread: Some(thread),
    }
}

pub struct SimulatedInput {
    clock: VirtualClock,
    source: Source,
    running: Option<Running>,
}

impl SimulatedInput {
    pub fn new(clock: VirtualClock, source: Source) -> SimulatedInput {
        SimulatedInput {
            clock,
            source,
            running: None,
        }
    }
}

impl InputDevice for SimulatedInput {
    fn name(&self) -> String {
        let what = match &self.source {
            Source::Tone { freq_hz, .. } => format!("{freq_hz} Hz tone"),
            Source::Silence => "silence".into(),
            Source::Demo => "demo signal".into(),
            Source::Samples { .. } => "WAV file".into(),
        };
        format!("simulated input ({what})")
    }

    fn format(&self) -> StreamFormat {
        StreamFormat {
            rate_hz: self.clock.nominal_rate_hz as u32,
            channels: self.source.channels(),
            period: self.clock.max_period(),
        }
    }

    fn start(&mut self, mut callback: InputCallback, _faults: Faults) -> Result<(), String> {
        let channels = self.source.channels();
        let mut buffer = vec![0.0f32; self.clock.max_period() * channels];
        let source = self.source.clone();
        let mut demo = super::demo_signal::TestSignal::new(self.clock.nominal_rate_hz as f32);
        let mut planar = [
            vec![0.0f32; self.clock.max_period()],
            vec![0.0f32; self.clock.max_period()],
        ];
        // The tone's phase runs on the true (drifting) clock, as a real capture would.
        let w = match source {
            Source::Tone { freq_hz, .. } => {
                2.0 * std::f64::consts::PI * freq_hz / self.clock.true_rate_hz()
            }
            _ => 0.0,
        };
        self.running = Some(paced(self.clock.clone(), true, move |first, frames| {
            let data = &mut buffer[..frames * channels];
            match &source {
                Source::Tone { amplitude, .. } => {
                    for (k, s) in data.iter_mut().enumerate() {
                        *s = (amplitude * (w * (first + k as u64) as f64).sin()) as f32;
                    }
                }
                Source::Silence => data.fill(0.0),
                Source::Demo => {
                    let [l, r] = &mut planar;
                    demo.fill(&mut [&mut l[..frames], &mut r[..frames]]);
                    for (k, frame) in data.chunks_exact_mut(2).enumerate() {
                        frame.copy_from_slice(&[l[k], r[k]]);
                    }
                }
                Source::Samples { data: samples, .. } => {
                    let len = samples.len().max(1);
                    let at = (first as usize * channels) % len;
                    for (k, s) in data.iter_mut().enumerate() {
                        *s = samples.get((at + k) % len).copied().unwrap_or(0.0);
                    }
                }
            }
            callback(data, super::now_s());
        }));
        Ok(())
    }
}

pub struct SimulatedOutput {
    clock: VirtualClock,
    channels: usize,
    file: Option<PathBuf>,
    running: Option<Running>,
}

impl SimulatedOutput {
    /// Plays into nothing, or into a WAV file at `file` (32-bit float).
    pub fn new(clock: VirtualClock, channels: usize, file: Option<PathBuf>) -> SimulatedOutput {
        SimulatedOutput {
            clock,
            channels,
            file,
            running: None,
        }
    }
}

impl OutputDevice for SimulatedOutput {
    fn name(&self) -> String {
        match &self.file {
            Some(path) => format!("simulated output (into {})", path.display()),
            None => "simulated output (nowhere)".into(),
        }
    }

    fn format(&self) -> StreamFormat {
        StreamFormat {
            rate_hz: self.clock.nominal_rate_hz as u32,
            channels: self.channels,
            period: self.clock.max_period(),
        }
    }

    fn start(&mut self, mut callback: OutputCallback, faults: Faults) -> Result<(), String> {
        let channels = self.channels;
        let mut buffer = vec![0.0f32; self.clock.max_period() * channels];
        let mut writer = match &self.file {
            Some(path) => Some(crate::wav::float_writer(
                path,
                channels,
                self.clock.nominal_rate_hz as u32,
            )?),
            None => None,
        };
        self.running = Some(paced(self.clock.clone(), false, move |_, frames| {
            let data = &mut buffer[..frames * channels];
            callback(data, super::now_s());
            // The "device" side of the simulation, after the callback: file I/O is allowed here.
            if let Some(w) = &mut writer {
                let written = data.iter().try_for_each(|s| w.write_sample(*s));
                if let Err(e) = written {
                    faults.report(format!("cannot write the simulated output: {e}"));
                    writer = None;
                }
            }
        }));
        Ok(())
    }
}
