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
    pub underruns: u64,
    pub overruns: u64,
    pub resyncs: u64,
    /// Glitches the devices reported themselves.
    pub device_xruns: u64,
    pub device_losses: u64,
    pub dsp_load: f64,
    pub record_dropped_frames: u64,
    /// Allocations caught on the audio threads (debug builds check; 0 is the only right count).
    pub alloc_violations: u64,
    pub output_callbacks: u64,
    /// How the devices were chosen (fallbacks), and the last re-open.
    pub notes: Vec<String>,
    pub message: Option<String>,
    /// This engine's underruns, overruns, resyncs, device xruns, dropped recording frames;
    /// and the totals of the engines before it.
    engine_counts: [u64; 5],
    carried: [u64; 5],
}

impl Status {
    /// Read the running engine's counters. Each re-open starts a new engine with fresh
    /// counters; the status keeps the session's totals.
    pub fn update(&mut self, stats: &EngineStats, device_xruns: u64, has_input: bool) {
        let get = |a: &std::sync::atomic::AtomicU64| a.load(Ordering::Relaxed);
        let callbacks = get(&stats.output_callbacks);
        if callbacks < self.output_callbacks {
            for (carried, last) in self.carried.iter_mut().zip(self.engine_counts) {
                *carried += last;
            }
        }
        self.output_callbacks = callbacks;
        self.engine_counts = [
            get(&stats.underruns),
            get(&stats.overruns),
            get(&stats.resyncs),
            device_xruns,
            get(&stats.record_dropped_frames),
        ];
        let total: Vec<u64> = self
            .carried
            .iter()
            .zip(self.engine_counts)
            .map(|(c, n)| c + n)
            .collect();
        self.underruns = total[0];
        self.overruns = total[1];
        self.resyncs = total[2];
        self.device_xruns = total[3];
        self.record_dropped_frames = total[4];
        self.dsp_load = stats.dsp_load.load(Ordering::Relaxed);
        if has_input {
            self.correction_ppm = stats.correction_ppm.load(Ordering::Relaxed);
            self.fill_ms = stats.fill_s.load(Ordering::Relaxed) * 1e3;
        } else {
            self.fill_ms = 0.0;
        }
    }

    /// Engine xruns: under- and overruns of the ring and resyncs.
    pub fn xruns(&self) -> u64 {
        self.underruns + self.overruns + self.resyncs
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
            self.device_xruns,
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
            self.device_xruns,
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
            self.xruns() + self.device_xruns,
            self.dsp_load * 100.0,
        )
    }

    /// The end-of-session report.
    pub fn summary(&self) -> String {
        format!(
            "underruns {}, overruns {}, resyncs {}, device xruns {}, devices lost {}, \
             recording dropped {} frames, audio-thread allocations {}",
            self.underruns,
            self.overruns,
            self.resyncs,
            self.device_xruns,
            self.device_losses,
            self.record_dropped_frames,
            self.alloc_violations,
        )
    }
}
