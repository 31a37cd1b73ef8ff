//! Offline rendering: a WAV file through the processor into another, at the file's rate or
//! converted to a chosen one by the same resampler the live path uses. The output lines up
//! with the input (the resampler's and the plugin's delays are taken off; the tail they hold
//! is played out), and the plugin's own output meters give the loudness summary.

use std::path::PathBuf;
use std::time::Instant;

use crate::host::EmbeddedStrata;

use crate::resampler::Converter;
use crate::wav::{self, Bits};

/// Frames per resampler call and per plugin block.
const CHUNK: usize = 4096;

#[derive(Debug, Clone)]
pub struct RenderOptions {
    pub input: PathBuf,
    pub output: PathBuf,
    /// Output rate; `None`: the input's.
    pub rate_hz: Option<u32>,
    pub bits: Bits,
    /// Plugin block size.
    pub block: usize,
    pub preset: Option<String>,
    pub settings: Vec<String>,
    /// Draw a progress bar on stderr (only where stderr is a terminal).
    pub progress: bool,
}

/// What a render did and the output's loudness, from the plugin's output meters.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderReport {
    pub input_rate_hz: u32,
    pub output_rate_hz: u32,
    pub channels: usize,
    pub frames: usize,
    pub latency_samples: u32,
    pub integrated_lufs: Option<f32>,
    pub loudness_range_lu: Option<f32>,
    pub true_peak_max_dbtp: f32,
    pub short_term_max_lufs: f32,
    pub seconds: f64,
    pub elapsed_s: f64,
}

impl RenderReport {
    pub fn to_json(&self) -> serde_json::Value {
        let num = |v: f32| {
            if v.is_finite() {
                serde_json::json!(v)
            } else {
                serde_json::Value::Null
            }
        };
        serde_json::json!({
            "input_rate_hz": self.input_rate_hz,
            "output_rate_hz": self.output_rate_hz,
            "channels": self.channels,
            "frames": self.frames,
            "seconds": self.seconds,
            "latency_samples": self.latency_samples,
            "integrated_lufs": self.integrated_lufs.map(num),
            "loudness_range_lu": self.loudness_range_lu.map(num),
            "true_peak_max_dbtp": num(self.true_peak_max_dbtp),
            "short_term_max_lufs": num(self.short_term_max_lufs),
            "elapsed_s": self.elapsed_s,
            "realtime_factor": self.seconds / self.elapsed_s.max(1e-9),
        })
    }

    pub fn summary(&self) -> String {
        let db = |v: Option<f32>, unit: &str| match v {
            Some(v) if v.is_finite() => format!("{v:.1} {unit}"),
            _ => "–".into(),
        };
        format!(
            "{:.1} s at {} Hz{}, {:.0}× real time\n\
             integrated {}, loudness range {}, max true peak {}, max short-term {}",
            self.seconds,
            self.output_rate_hz,
            if self.input_rate_hz != self.output_rate_hz {
                format!(" (from {} Hz)", self.input_rate_hz)
            } else {
                String::new()
            },
            self.seconds / self.elapsed_s.max(1e-9),
            db(self.integrated_lufs, "LUFS"),
            db(self.loudness_range_lu, "LU"),
            db(Some(self.true_peak_max_dbtp), "dBTP"),
            db(Some(self.short_term_max_lufs), "LUFS"),
        )
    }
}

/// Render `options.input` into `options.output`.
pub fn render(options: &RenderOptions) -> Result<RenderReport, String> {
    let started = Instant::now();
    let (samples, spec) = wav::read(&options.input)?;
    let file_channels = spec.channels as usize;
    // The plugin is mono or stereo: a wider file's first two channels.
    let channels = file_channels.min(2);
    let frames_in = samples.len() / file_channels;
    let planar: Vec<Vec<f32>> = (0..channels)
        .map(|c| {
            samples
                .iter()
                .skip(c)
                .step_by(file_channels)
                .copied()
                .collect()
        })
        .collect();
    drop(samples);
    let rate_hz = options.rate_hz.unwrap_or(spec.sample_rate);
    let converting = rate_hz != spec.sample_rate;
    // Progress in input frames: converted (if converting), then processed.
    let bar = progress_bar(options.progress, frames_in as u64 * (1 + converting as u64));
    let converted = if converting {
        bar.set_message("converting");
        convert(&planar, spec.sample_rate, rate_hz, |done| {
            bar.set_position(done)
        })
    } else {
        planar
    };
    let processed_from = bar.position();
    let frames = converted.first().map_or(0, Vec::len);

    let block = options.block.clamp(1, 1 << 16);
    let mut strata = EmbeddedStrata::new(rate_hz as f32, block, channels);
    crate::settings::apply(&mut strata, options.preset.as_deref(), &options.settings)?;
    let latency = strata.latency_samples() as usize;
    let telemetry = strata.telemetry();
    let mut writer = wav::writer(&options.output, channels, rate_hz, options.bits)?;
    let fail = |e: hound::Error| format!("writing {} failed: {e}", options.output.display());

    bar.set_message("processing");
    let mut buffers = vec![vec![0.0f32; block]; channels];
    let mut last_frame = None;
    // Run `latency` frames past the end so the plugin's tail comes out; drop as many at the start.
    let mut position = 0;
    while position < frames + latency {
        let n = block.min(frames + latency - position);
        for (buffer, source) in buffers.iter_mut().zip(&converted) {
            // Past the end (the tail), silence: `position` may be beyond the source.
            let rest = source.get(position..).unwrap_or_default();
            let available = rest.len().min(n);
            buffer[..available].copy_from_slice(&rest[..available]);
            buffer[available..n].fill(0.0);
        }
        let mut slices: Vec<&mut [f32]> = buffers.iter_mut().map(|b| &mut b[..n]).collect();
        strata.process(&mut slices);
        if let Ok(mut t) = telemetry.lock()
            && let Some(frame) = t.latest()
        {
            last_frame = Some(frame);
        }
        let skip = latency.saturating_sub(position).min(n);
        for k in skip..n {
            for buffer in &buffers {
                wav::write_sample(&mut writer, options.bits, buffer[k]).map_err(fail)?;
            }
        }
        position += n;
        let done = position.min(frames) as u64 * frames_in as u64 / frames.max(1) as u64;
        bar.set_position(processed_from + done);
    }
    writer.finalize().map_err(fail)?;
    bar.finish_and_clear();

    let meters = last_frame.map(|f| f.output).unwrap_or_default();
    Ok(RenderReport {
        input_rate_hz: spec.sample_rate,
        output_rate_hz: rate_hz,
        channels,
        frames,
        latency_samples: latency as u32,
        integrated_lufs: meters.integrated_lufs,
        loudness_range_lu: meters.loudness_range_lu,
        true_peak_max_dbtp: meters.true_peak_max_db,
        short_term_max_lufs: meters.short_term_max_lufs,
        seconds: frames as f64 / rate_hz as f64,
        elapsed_s: started.elapsed().as_secs_f64(),
    })
}

/// Convert planar `input` from `from_hz` to `to_hz`, lined up with the input (the filter's
/// delay taken off) and `round(len × to/from)` frames long. `progress` gets input frames used.
pub fn convert(
    input: &[Vec<f32>],
    from_hz: u32,
    to_hz: u32,
    mut progress: impl FnMut(u64),
) -> Vec<Vec<f32>> {
    let channels = input.len();
    let len = input.first().map_or(0, Vec::len);
    let out_len = (len as f64 * to_hz as f64 / from_hz as f64).round() as usize;
    let mut converter = Converter::new(from_hz as f64, to_hz as f64, channels, CHUNK);
    let delay = converter.delay_frames();
    let mut output = vec![Vec::with_capacity(out_len + CHUNK); channels];
    let mut chunk = vec![vec![0.0f32; CHUNK]; channels];
    let mut read = 0usize;
    let mut made = 0usize;
    while made < out_len + delay {
        let n = CHUNK.min(out_len + delay - made);
        let mut outs: Vec<&mut [f32]> = chunk.iter_mut().map(|c| &mut c[..n]).collect();
        converter.process(
            |staging, needed| {
                for (s, source) in staging.iter_mut().zip(input) {
                    let available = len.saturating_sub(read).min(needed);
                    s[..available].copy_from_slice(&source[read..read + available]);
                    s[available..needed].fill(0.0);
                }
                read += needed;
            },
            &mut outs,
        );
        let skip = delay.saturating_sub(made).min(n);
        for (o, c) in output.iter_mut().zip(&chunk) {
            o.extend_from_slice(&c[skip..n]);
        }
        made += n;
        progress(read.min(len) as u64);
    }
    output
}

fn progress_bar(show: bool, frames: u64) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(frames);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg:>10} [{bar:40}] {percent:>3}% eta {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar
}
