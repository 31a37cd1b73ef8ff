//! Audio devices behind one small interface: real ones through cpal (`hardware.rs`) and
//! simulated ones (`simulated.rs`: a tone or a WAV file in, a WAV file or nowhere out, each on
//! its own paced clock). Both call the duplex engine's two callbacks (`duplex.rs`) with the
//! device's interleaved buffer and the callback's time on the clock every device shares
//! (`now_s`).

#[cfg(target_os = "linux")]
pub mod alsa_log;
pub mod demo_signal;
pub mod hardware;
pub mod select;
pub mod simulated;
pub mod virtual_clock;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

/// What a device delivers or takes once it runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreamFormat {
    pub rate_hz: u32,
    pub channels: usize,
    /// Frames per callback as far as known before the stream runs (the largest, where
    /// callbacks vary).
    pub period: usize,
}

/// An input callback: the device's interleaved frames and the time of the callback.
pub type InputCallback = Box<dyn FnMut(&[f32], f64) + Send + 'static>;
/// An output callback: fill the device's interleaved buffer.
pub type OutputCallback = Box<dyn FnMut(&mut [f32], f64) + Send + 'static>;

/// A capture device, opened but not started.
pub trait InputDevice {
    fn name(&self) -> String;
    fn format(&self) -> StreamFormat;
    /// Start calling `callback`. The device runs until it is dropped.
    fn start(&mut self, callback: InputCallback, faults: Faults) -> Result<(), String>;
}

/// A playback device, opened but not started.
pub trait OutputDevice {
    fn name(&self) -> String;
    fn format(&self) -> StreamFormat;
    /// Start calling `callback`. The device runs until it is dropped.
    fn start(&mut self, callback: OutputCallback, faults: Faults) -> Result<(), String>;
}

/// Where a running device reports that it stopped working (unplugged, server gone). Written
/// from the device's error path, read by the host's main loop, which reopens the devices.
#[derive(Clone, Default)]
pub struct Faults {
    failed: Arc<AtomicBool>,
    message: Arc<Mutex<Option<String>>>,
    /// Glitches the device itself reported (ALSA/JACK xruns): it keeps running.
    device_xruns: Arc<AtomicU64>,
}

impl Faults {
    pub fn count_xrun(&self) {
        self.device_xruns.fetch_add(1, Ordering::Relaxed);
    }

    pub fn device_xruns(&self) -> u64 {
        self.device_xruns.load(Ordering::Relaxed)
    }

    pub fn report(&self, message: String) {
        if let Ok(mut m) = self.message.try_lock() {
            m.get_or_insert(message);
        }
        self.failed.store(true, Ordering::Release);
    }

    /// The first fault reported, if any.
    pub fn take(&self) -> Option<String> {
        if !self.failed.swap(false, Ordering::Acquire) {
            return None;
        }
        let message = self.message.lock().ok().and_then(|mut m| m.take());
        Some(message.unwrap_or_else(|| "device stopped".into()))
    }
}

/// Seconds since the first call, on the monotonic clock: the time base every device's
/// callbacks are stamped with (so the drift loop compares both sides on one clock).
///
/// Runs on the audio thread: reads the vDSO clock, no allocation or lock after the first call
/// (made by the host before any stream starts).
pub fn now_s() -> f64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_secs_f64()
}
