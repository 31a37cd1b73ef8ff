//! What the session shows the user: devices, rates, the drift correction, latency, xruns and
//! DSP load. One line for the terminal and the editor's header; a summary at the end.

use std::sync::atomic::Ordering;

use crate::duplex::EngineStats;

#[derive(Debug, Clone, Default)]
pub struct Status {
    pub input_device: Option<String>,
    pub output_device: String,
    pub input_rate_hz: u32,
    pub output_rate_hz: u32,
    /// Input and output periods the engine was built for, frames.
    pub periods: (usize, usize),
    /// The ring fill the drift loop holds.
    pub target_latency_ms: f64,
    /// The ring fill it measures.
    pub fill_ms: f64,
    pub resampler_delay_ms: f64,
    pub plugin_latency_ms: f64,
    pub correction_ppm: f64,
    pub device_losses: u64,
    pub dsp_load: f64,
    /// The running engine's output callbacks.
    pub output_callbacks: u64,
    /// How the devices were chosen (fallbacks), and the last re-open.
    pub notes: Vec<String>,
    pub message: Option<String>,
    /// The running engine's counts, and the totals of the engines before it.
    engine: Counts,
    carried: Counts,
}

/// What the running engine's devices and callback wrappers counted.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reported {
    pub device_xruns: u64,
    pub alloc_violations: u64,
}

/// Glitch counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub underruns: u64,
    pub overruns: u64,
    pub resyncs: u64,
    /// Glitches the devices reported themselves.
    pub device_xruns: u64,
    pub record_dropped_frames: u64,
    /// Allocations caught on the audio threads (debug builds check; 0 is the only right count).
    pub alloc_violations: u64,
}

impl std::ops::Add for Counts {
    type Output = Counts;

    fn add(self, o: Counts) -> Counts {
        Counts {
            underruns: self.underruns + o.underruns,
            overruns: self.overruns + o.overruns,
            resyncs: self.resyncs + o.resyncs,
            device_xruns: self.device_xruns + o.device_xruns,
            record_dropped_frames: self.record_dropped_frames + o.record_dropped_frames,
            alloc_violations: self.alloc_violations + o.alloc_violations,
        }
    }
}

impl Status {
    /// A new engine starts (a re-open), with fresh counters: keep the last one's in the
    /// session's totals.
    pub fn begin_engine(&mut self) {
        self.carried = self.carried + self.engine;
        self.engine = Counts::default();
        self.output_callbacks = 0;
    }

    /// Read the running engine's counters, and what its devices and callbacks reported.
    pub fn update(&mut self, stats: &EngineStats, reported: Reported, has_input: bool) {
        let get = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        self.output_callbacks = get(&stats.output_callbacks);
        self.engine = Counts {
            underruns: get(&stats.underruns),
            overruns: get(&stats.overruns),
            resyncs: get(&stats.resyncs),
            device_xruns: reported.device_xruns,
            record_dropped_frames: get(&stats.record_dropped_frames),
            alloc_violations: reported.alloc_violations,
        };
        self.dsp_load = stats.dsp_load.load(Ordering::Relaxed);
        if has_input {
            self.correction_ppm = stats.correction_ppm.load(Ordering::Relaxed);
            self.fill_ms = stats.fill_s.load(Ordering::Relaxed) * 1e3;
        } else {
            self.fill_ms = 0.0;
        }
    }

    /// The session's totals.
    pub fn counts(&self) -> Counts {
        self.carried + self.engine
    }

    /// Engine xruns: under- and overruns of the ring and resyncs.
    pub fn xruns(&self) -> u64 {
        let c = self.counts();
        c.underruns + c.overruns + c.resyncs
    }

    /// Latency the host adds between the devices: the ring (drift-held) and the resampler.
    pub fn host_latency_ms(&self) -> f64 {
        self.target_latency_ms + self.resampler_delay_ms
    }

    /// One line: devices and rates, correction, latency, xruns, load.
    pub fn line(&self) -> String {
        let input = match &self.input_device {
            Some(name) => format!("{name} @ {} Hz", self.input_rate_hz),
            None => "no input".into(),
        };
        format!(
            "{input} → {} @ {} Hz | drift {:+.1} ppm | latency {:.1} ms (ring {:.1}, SRC {:.1}, plugin {:.1}) | xruns {} (device {}) | DSP {:.1} %",
            self.output_device,
            self.output_rate_hz,
            self.correction_ppm,
            self.host_latency_ms() + self.plugin_latency_ms,
            self.fill_ms,
            self.resampler_delay_ms,
            self.plugin_latency_ms,
            self.xruns(),
            self.counts().device_xruns,
            self.dsp_load * 100.0,
        )
    }

    /// What changes only on events a user must see at once: devices, rates, xruns, messages.
    pub fn events_key(&self) -> String {
        format!(
            "{:?} {} {} {} {} {} {:?}",
            self.input_device,
            self.output_device,
            self.input_rate_hz,
            self.output_rate_hz,
            self.xruns(),
            self.counts().device_xruns,
            self.message
        )
    }

    /// A shorter line for the editor's header (its font has no arrows).
    pub fn short_line(&self) -> String {
        let khz = |hz: u32| format!("{:.1} kHz", hz as f64 / 1000.0);
        let input = match &self.input_device {
            Some(name) => format!("in: {name}, {}", khz(self.input_rate_hz)),
            None => "no input".into(),
        };
        format!(
            "{input} · out: {}, {} · drift {:+.1} ppm · latency {:.1} ms · xruns {} · DSP {:.1} %",
            self.output_device,
            khz(self.output_rate_hz),
            self.correction_ppm,
            self.host_latency_ms() + self.plugin_latency_ms,
            self.xruns() + self.counts().device_xruns,
            self.dsp_load * 100.0,
        )
    }

    /// The end-of-session report.
    pub fn summary(&self) -> String {
        let c = self.counts();
        // Only debug builds count allocations on the audio threads (the checker costs time);
        // a release build must not claim a count it never took.
        let allocations = if cfg!(debug_assertions) {
            c.alloc_violations.to_string()
        } else {
            "not checked (release build)".to_string()
        };
        format!(
            "underruns {}, overruns {}, resyncs {}, device xruns {}, devices lost {}, \
             recording dropped {} frames, audio-thread allocations {allocations}",
            c.underruns,
            c.overruns,
            c.resyncs,
            c.device_xruns,
            self.device_losses,
            c.record_dropped_frames,
        )
    }
}
