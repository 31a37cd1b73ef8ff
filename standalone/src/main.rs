//! `strata-standalone`: the Strata processor live on audio devices (with sample-rate
//! conversion and drift control between them) and its editor, or offline on WAV files.

mod cli;
mod window;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use clap::Parser;
use strata_standalone::device::hardware::{self, Request};
use strata_standalone::device::select::{self, Selection, SimulatedClocks};
use strata_standalone::duplex::InputMap;
use strata_standalone::host::EmbeddedStrata;
use strata_standalone::recorder::Recorder;
use strata_standalone::render::{self, RenderOptions};
use strata_standalone::session::{Session, SessionOptions};
use strata_standalone::settings;

/// How often `--no-gui` prints the status.
const STATUS_INTERVAL: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    #[cfg(target_os = "linux")]
    strata_standalone::device::alsa_log::route();
    let result = match cli.command {
        Some(cli::Command::Render(args)) => run_render(args),
        None if cli.live.list_devices => {
            print!("{}{}", hardware::list_devices(), select::list_simulated());
            Ok(())
        }
        None if cli.live.list_presets => {
            print!("{}", settings::list_presets());
            Ok(())
        }
        None => run_live(cli.live),
    };
    // What ALSA said and no note has shown yet (listing devices, a failed start).
    alsa_note();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run_render(args: cli::Render) -> Result<(), String> {
    let report = render::render(&RenderOptions {
        input: args.input,
        output: args.output.clone(),
        rate_hz: args.rate,
        bits: args.bits,
        block: args.block,
        preset: args.settings.preset,
        settings: args.settings.set,
        progress: !args.json,
    })?;
    if args.json {
        println!("{}", report.to_json());
    } else {
        println!("wrote {}: {}", args.output.display(), report.summary());
    }
    Ok(())
}

fn run_live(args: cli::Live) -> Result<(), String> {
    // The block size is set when the devices open (the output's period).
    let mut strata = EmbeddedStrata::new(48_000.0, 1024, 2);
    settings::apply(
        &mut strata,
        args.settings.preset.as_deref(),
        &args.settings.set,
    )?;
    if let Some(target) = &args.save_preset {
        let path = settings::save_preset(&strata, target)?;
        println!("saved the settings to {}", path.display());
        return Ok(());
    }
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        ctrlc::set_handler(move || stop.store(true, Ordering::Relaxed))
            .map_err(|e| format!("cannot catch Ctrl-C: {e}"))?;
    }
    let display =
        std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
    if !args.no_gui && !display {
        println!("No display: running without the editor (--no-gui).");
    }
    let host_status = window::WindowStatus::new();
    let gui = (!args.no_gui && display)
        .then(|| (strata.editor(host_status.clone()), strata.gui_context()));

    let selection = Selection {
        host: args.audio_host.clone(),
        input: Request {
            name: args.input_device.clone(),
            rate_hz: args.input_rate,
            period: args.period,
        },
        output: Request {
            name: args.output_device.clone(),
            rate_hz: args.output_rate,
            period: args.period,
        },
        no_input: args.no_input,
        clocks: SimulatedClocks {
            input_ppm: args.input_ppm,
            output_ppm: args.output_ppm,
            jitter_ms: args.jitter_ms,
            output_periods: args.output_periods.clone(),
        },
    };
    let (recorder, tap) = match &args.record {
        Some(path) => {
            let (r, tap) = Recorder::start(path, args.record_bits)?;
            (Some(r), Some(tap))
        }
        None => (None, None),
    };
    let session = Session::start(
        select::opener(selection),
        strata,
        SessionOptions {
            latency_ms: args.latency_ms,
            input_map: match args.input_channel {
                Some(n) => InputMap::Mono(n as usize - 1),
                None => InputMap::Stereo,
            },
            recorder: tap,
            seen_periods: (0, 0),
        },
    )?;
    let first = session.status.lock().map(|s| s.clone()).unwrap_or_default();
    for note in &first.notes {
        println!("note: {note}");
    }
    alsa_note();
    println!("{}", first.scheduling);
    if let Some(r) = &recorder {
        println!("recording to {}", r.path().display());
    }
    println!("{}", first.line());

    let started = Instant::now();
    let status = session.status.clone();
    let out_of_time = || {
        args.seconds
            .is_some_and(|s| started.elapsed().as_secs_f64() >= s)
    };
    if let Some((Some(editor), context)) = gui {
        std::thread::scope(|scope| {
            // The status line in the editor's header; closes the window on Ctrl-C or timeout.
            scope.spawn(|| {
                // Repaint for the status when what a user must see changes (devices, xruns, a
                // message) and every few seconds for the figures; the meters' repaints pick up
                // the rest (a repaint redraws the whole window).
                let mut shown: Option<(String, Instant)> = None;
                while !stop.load(Ordering::Relaxed) && !out_of_time() {
                    if let Ok(s) = status.lock() {
                        let key = s.events_key();
                        let urgent = shown.as_ref().is_none_or(|(k, at)| {
                            *k != key || at.elapsed() >= Duration::from_secs(5)
                        });
                        host_status.set(Some(s.short_line()), urgent);
                        if urgent {
                            shown = Some((key, Instant::now()));
                        }
                    }
                    std::thread::sleep(Duration::from_millis(250));
                }
                host_status.close_window();
            });
            let shown = window::run_until_closed(editor, context);
            stop.store(true, Ordering::Relaxed);
            if let Err(e) = shown {
                eprintln!("{e}");
            }
        });
    } else {
        let mut next = Instant::now() + STATUS_INTERVAL;
        while !stop.load(Ordering::Relaxed) && !out_of_time() {
            std::thread::sleep(Duration::from_millis(50));
            if Instant::now() >= next {
                next += STATUS_INTERVAL;
                if let Ok(s) = status.lock() {
                    println!("{:7.1} s  {}", started.elapsed().as_secs_f64(), s.line());
                }
            }
        }
    }
    finish(session, recorder, started, args.summary_json.as_deref())
}

/// Stop a live run: the streams, then the recording (drained and finalized), then the summary.
fn finish(
    session: Session,
    recorder: Option<Recorder>,
    started: Instant,
    summary_json: Option<&std::path::Path>,
) -> Result<(), String> {
    let status = session.stop();
    let seconds = started.elapsed().as_secs_f64();
    println!("stopped after {seconds:.1} s: {}", status.summary());
    if let Some(path) = summary_json {
        let text = serde_json::to_string_pretty(&status.summary_json(seconds))
            .map_err(|e| format!("cannot format the summary: {e}"))?;
        std::fs::write(path, text + "\n")
            .map_err(|e| format!("cannot write the summary to {}: {e}", path.display()))?;
    }
    if let Some(r) = recorder {
        let (frames, files) = r.finish()?;
        let files: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        println!(
            "recorded {frames} frames to {}, {} frames dropped",
            files.join(", "),
            status.counts().record_dropped_frames
        );
        if files.len() > 1 {
            println!("(the output's rate changed during the recording: one file per rate)");
        }
    }
    Ok(())
}

/// What ALSA's library said since the last call, as one note on stderr.
fn alsa_note() {
    #[cfg(target_os = "linux")]
    if let Some(note) = strata_standalone::device::alsa_log::note() {
        eprintln!("note: {note}");
    }
}
