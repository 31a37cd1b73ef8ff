//! `strata-standalone`: the Strata processor outside a DAW, with its editor. On this stage of
//! the project it runs on a built-in test signal at real-time pace (the audio-device host with
//! sample-rate conversion comes next); the editor shows it live.

mod realtime_run;
mod test_signal;
mod window;

use std::time::{Duration, Instant};

use clap::Parser;
use strata::embedded::EmbeddedStrata;

const RATE: f32 = 48_000.0;
const BLOCK: usize = 512;

/// Strata channel strip, standalone: EQ → compressor → true-peak limiter, with meters.
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {
    /// Run without the editor window, printing the meters once a second.
    #[arg(long)]
    no_gui: bool,
    /// Feed silence instead of the test signal.
    #[arg(long)]
    silence: bool,
    /// Quit after this many seconds (for scripted runs).
    #[arg(long, value_name = "SECONDS")]
    seconds: Option<f64>,
    /// Set a parameter, in its own display units: `--set eq3_gain=6 --set comp_on=On`.
    #[arg(long = "set", value_name = "ID=VALUE")]
    set: Vec<String>,
}

fn main() {
    let args = Args::parse();
    let mut strata = EmbeddedStrata::new(RATE, BLOCK, 2);
    for assignment in &args.set {
        let Some((id, value)) = assignment.split_once('=') else {
            eprintln!("--set takes ID=VALUE, e.g. --set eq3_gain=6 (got '{assignment}')");
            std::process::exit(2);
        };
        if let Err(e) = strata.set_param_text(id.trim(), value.trim()) {
            eprintln!("--set {assignment}: {e}");
            std::process::exit(2);
        }
    }
    strata.settle();
    if let Some(seconds) = args.seconds {
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs_f64(seconds));
            std::process::exit(0);
        });
    }
    let display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    let gui = (!args.no_gui && display).then(|| (strata.editor(), strata.gui_context()));
    if !args.no_gui && !display {
        println!("No display: running without the editor (--no-gui).");
    }
    let telemetry = strata.telemetry();
    println!(
        "Strata on the built-in test signal, {} kHz, {BLOCK}-sample blocks, latency {} samples.",
        RATE / 1000.0,
        strata.latency_samples()
    );
    let running = realtime_run::start(strata, BLOCK, args.silence);
    if let Some((Some(editor), context)) = gui {
        if let Err(e) = window::run_until_closed(editor, context) {
            eprintln!("{e}; running without the editor");
        } else {
            return;
        }
    }
    // Headless: the meters once a second, until Ctrl-C (or --seconds).
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let frame = telemetry.lock().ok().and_then(|mut t| t.latest());
        if let Some(f) = frame {
            let lufs = |v: f32| {
                if v.is_finite() {
                    format!("{v:6.1}")
                } else {
                    "   -∞".into()
                }
            };
            println!(
                "{:6.1} s  out: M {} S {} I {} LUFS, TP max {} dB  GR comp {:4.1} lim {:4.1} dB  DSP {:.2} %",
                started.elapsed().as_secs_f64(),
                lufs(f.output.momentary_lufs),
                lufs(f.output.short_term_lufs),
                lufs(f.output.integrated_lufs.unwrap_or(f32::NEG_INFINITY)),
                lufs(f.output.true_peak_max_db),
                f.compressor_gr_db,
                f.limiter_gr_db,
                100.0 * running.dsp_load(BLOCK, RATE),
            );
        }
    }
}
