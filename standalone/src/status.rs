//! What the session shows the user: devices, rates, the drift correction, latency, xruns and
//! DSP load. One line for the terminal and the editor's header; a summary at the end.

use std::sync::atomic::Ordering;

use crate::drift::AfterLock;
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
    /// What scheduling the audio threads got (`realtime.rs`).
    pub scheduling: String,
    /// The running engine's counts, and the totals of the engines before it.
    engine: Counts,
    carried: Counts,
    /// The session's first lock: when, and the session's counts at that moment.
    first_lock: Option<(f64, Counts)>,
    /// The running engine's record since its lock (correction, fill).
    after_lock: Option<AfterLock>,
    /// The ring's margin beyond the periods now, at the lock (NaN before), and when it was
    /// last raised (NaN: never).
    margin_ms: f64,
    margin_at_lock_ms: f64,
    margin_raised_s: f64,
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
        self.after_lock = None;
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
        self.target_latency_ms = stats.target_s.load(Ordering::Relaxed) * 1e3;
        let periods_ms = stats.periods_s.load(Ordering::Relaxed) * 1e3;
        self.margin_ms = self.target_latency_ms - periods_ms;
        self.margin_raised_s = stats.margin_raised_s.load(Ordering::Relaxed);
        self.after_lock = stats.lock.read();
        self.margin_at_lock_ms = self
            .after_lock
            .map_or(f64::NAN, |r| r.target_at_lock_s * 1e3 - periods_ms);
        if let (None, Some(record)) = (self.first_lock, self.after_lock) {
            let [underruns, overruns, resyncs] = record.counts_at_lock;
            let at_lock = Counts {
                underruns,
                overruns,
                resyncs,
                ..self.engine
            };
            self.first_lock = Some((record.lock_s, self.carried + at_lock));
        }
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

    /// The end-of-session report for scripts and tests (`--summary-json`): the lock time,
    /// and from the lock on the glitch counts, the correction (from its settling on: see
    /// `drift::control`), the latency the host adds (ring and resampler) and how late the
    /// callbacks came after their points on the devices' lines. Times count
    /// from the first output callback; `null` where the loop never locked (no input).
    pub fn summary_json(&self, seconds: f64) -> serde_json::Value {
        use serde_json::json;
        let c = self.counts();
        let finite = |v: f64| v.is_finite().then_some(v);
        let after = self.first_lock.map(|(_, at)| {
            json!({
                "underruns": c.underruns - at.underruns,
                "overruns": c.overruns - at.overruns,
                "resyncs": c.resyncs - at.resyncs,
                "device_xruns": c.device_xruns - at.device_xruns,
            })
        });
        let record = self.after_lock;
        let correction = record.filter(|r| r.settled_s.is_finite()).map(|r| {
            json!({
                "from_s": r.settled_s,
                "mean": r.correction_mean_ppm,
                "min": r.correction_min_ppm,
                "max": r.correction_max_ppm,
                "spread": r.correction_max_ppm - r.correction_min_ppm,
            })
        });
        let latency = record.map(|r| {
            let ms = |fill_s: f64| fill_s * 1e3 + self.resampler_delay_ms;
            json!({ "min": finite(ms(r.fill_min_s)), "max": finite(ms(r.fill_max_s)) })
        });
        let lateness = record.map(|r| {
            json!({
                "input_max": r.input_lateness_max_s * 1e3,
                "output_max": r.output_lateness_max_s * 1e3,
            })
        });
        json!({
            "seconds": seconds,
            "input": { "device": self.input_device, "rate_hz": self.input_rate_hz },
            "output": { "device": self.output_device, "rate_hz": self.output_rate_hz },
            "target_latency_ms": self.host_latency_ms(),
            "margin_ms": self.margin_ms,
            "margin_at_lock_ms": finite(self.margin_at_lock_ms),
            "margin_raised_s": finite(self.margin_raised_s),
            "scheduling": self.scheduling,
            "lock_s": self.first_lock.map(|(s, _)| s),
            "after_lock": after,
            "correction_ppm": correction,
            "latency_ms": latency,
            "callback_lateness_ms": lateness,
            "totals": {
                "underruns": c.underruns,
                "overruns": c.overruns,
                "resyncs": c.resyncs,
                "device_xruns": c.device_xruns,
                "devices_lost": self.device_losses,
                "record_dropped_frames": c.record_dropped_frames,
                "audio_thread_allocations":
                    cfg!(debug_assertions).then_some(c.alloc_violations),
            },
        })
    }
}
