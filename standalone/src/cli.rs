//! The command line.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use strata_standalone::wav::Bits;

/// Strata channel strip, standalone: EQ → compressor → true-peak limiter on your audio
/// devices (mic in, headphones out, at any pair of rates), or offline on WAV files.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub live: Live,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Process a WAV file offline (any rate in, the chosen rate out) and report its loudness.
    Render(Render),
}

#[derive(Args, Debug)]
pub struct Live {
    /// List audio hosts and devices (names, channels, rates, periods) and exit.
    #[arg(long)]
    pub list_devices: bool,
    /// Audio host: ALSA, JACK (or the platform's hosts), or Simulated. Default: the
    /// platform's default, falling back to simulated devices when it has none.
    #[arg(long, value_name = "HOST")]
    pub audio_host: Option<String>,
    /// Capture device (name or id from --list-devices). Default: the host's default.
    #[arg(long, value_name = "NAME")]
    pub input_device: Option<String>,
    /// Playback device (name or id). Default: the host's default.
    #[arg(long, value_name = "NAME")]
    pub output_device: Option<String>,
    /// Run without an input device (silence in).
    #[arg(long)]
    pub no_input: bool,
    /// Feed this input channel (1-based) to both sides: a mono mic on a multichannel interface.
    /// Default: the first two channels (a mono device feeds both).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub input_channel: Option<u16>,
    /// Input sample rate. Default: the device's own.
    #[arg(long, value_name = "HZ")]
    pub input_rate: Option<u32>,
    /// Output sample rate (the processor runs at it). Default: the device's own.
    #[arg(long, value_name = "HZ")]
    pub output_rate: Option<u32>,
    /// Period (frames per callback) for both devices. Default: the devices' own.
    #[arg(long, value_name = "FRAMES")]
    pub period: Option<u32>,
    /// Latency to hold between input and output, ms; raised to what the periods need.
    #[arg(long, value_name = "MS")]
    pub latency_ms: Option<f64>,
    #[command(flatten)]
    pub settings: Settings,
    /// Write the settings (after --preset and --set) as a preset file and exit: a path, or a
    /// name to save among the user presets (~/.local/share/strata/presets).
    #[arg(long, value_name = "FILE|NAME")]
    pub save_preset: Option<String>,
    /// Print every preset (factory, then the user's), one per line as Category/Name, and exit.
    #[arg(long)]
    pub list_presets: bool,
    /// Record the processed output to a WAV file.
    #[arg(long, value_name = "FILE.wav")]
    pub record: Option<PathBuf>,
    /// Sample format of the recording.
    #[arg(long, value_name = "BITS", default_value = "32f")]
    pub record_bits: Bits,
    /// Run without the editor window, printing the status every 2 s, until Ctrl-C.
    #[arg(long)]
    pub no_gui: bool,
    /// At the end, write what the run did to this file as JSON: lock time, and after lock the
    /// glitch counts, the drift correction and the latency.
    #[arg(long, value_name = "FILE")]
    pub summary_json: Option<PathBuf>,
    /// Stop after this many seconds.
    #[arg(long, value_name = "SECONDS")]
    pub seconds: Option<f64>,
    /// Simulated devices: input clock error, ppm.
    #[arg(
        long,
        value_name = "PPM",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub input_ppm: f64,
    /// Simulated devices: output clock error, ppm.
    #[arg(
        long,
        value_name = "PPM",
        default_value_t = 0.0,
        allow_negative_numbers = true
    )]
    pub output_ppm: f64,
    /// Simulated devices: callbacks come up to this late, ms.
    #[arg(long, value_name = "MS", default_value_t = 0.0)]
    pub jitter_ms: f64,
    /// Simulated devices: output callback sizes, repeated (e.g. 1056,1115 like WASAPI).
    #[arg(long, value_name = "FRAMES,…", value_delimiter = ',')]
    pub output_periods: Vec<usize>,
}

#[derive(Args, Debug, Clone)]
pub struct Settings {
    /// Load a preset: a factory or user preset by name (`Utility/Low cut 80 Hz`, or just the
    /// name), or a preset file. `--list-presets` lists them.
    #[arg(long, value_name = "NAME|FILE")]
    pub preset: Option<String>,
    /// Set a parameter in its own display units, e.g. `--set eq1_gain=6 --set comp_on=On`
    /// (repeatable; a wrong id or value lists the valid ones).
    #[arg(long = "set", value_name = "ID=VALUE")]
    pub set: Vec<String>,
}

#[derive(Args, Debug)]
pub struct Render {
    /// The WAV file to process.
    pub input: PathBuf,
    /// Where to write the result.
    pub output: PathBuf,
    /// Output sample rate. Default: the input's.
    #[arg(long, value_name = "HZ")]
    pub rate: Option<u32>,
    /// Sample format of the output.
    #[arg(long, value_name = "BITS", default_value = "32f")]
    pub bits: Bits,
    /// Processing block size, frames.
    #[arg(long, value_name = "FRAMES", default_value_t = 512)]
    pub block: usize,
    #[command(flatten)]
    pub settings: Settings,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}
