//! Choosing a session's devices from what the user asked for, with the fallbacks a user
//! expects: no input device → output only (silence in); no output device → metering only (the
//! processor paced by a silent simulated output at the input's rate); no devices at all and
//! nothing asked for → simulated devices playing the demo signal, said so.

use std::path::PathBuf;

use super::hardware::{self, CpalDevice, Direction, Request};
use super::simulated::{SimulatedInput, SimulatedOutput, Source};
use super::virtual_clock::VirtualClock;
use super::{InputDevice, OutputDevice};
use crate::session::{Devices, Opener};

/// The name of the simulated host.
pub const SIMULATED: &str = "Simulated";
const DEFAULT_RATE: u32 = 48_000;
const DEFAULT_PERIOD: usize = 256;

/// How simulated devices behave.
#[derive(Debug, Clone, Default)]
pub struct SimulatedClocks {
    pub input_ppm: f64,
    pub output_ppm: f64,
    pub jitter_ms: f64,
    /// Output callback sizes, repeated (e.g. WASAPI's 1056, 1115); default: the period.
    pub output_periods: Vec<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// A cpal host name, "Simulated", or `None` for the platform's default.
    pub host: Option<String>,
    pub input: Request,
    pub output: Request,
    pub no_input: bool,
    pub clocks: SimulatedClocks,
}

impl Selection {
    fn simulated(&self) -> bool {
        self.host
            .as_deref()
            .is_some_and(|h| h.eq_ignore_ascii_case(SIMULATED))
    }

    /// Nothing in particular asked for: falling back to simulated devices is what the user
    /// wants rather than an error.
    fn defaults_only(&self) -> bool {
        self.host.is_none() && self.input.name.is_none() && self.output.name.is_none()
    }
}

/// The session's device opener for `selection`.
pub fn opener(selection: Selection) -> Opener {
    Box::new(move || {
        if selection.simulated() {
            return open_simulated(&selection, Vec::new());
        }
        match open_hardware(&selection) {
            Ok(devices) => Ok(devices),
            Err(e) if selection.defaults_only() => open_simulated(
                &selection,
                vec![format!(
                    "no usable audio device ({e}); running on simulated devices: the demo \
                     signal in, nothing out (--list-devices shows what there is)"
                )],
            ),
            Err(e) => Err(e),
        }
    })
}

fn open_hardware(selection: &Selection) -> Result<Devices, String> {
    let host = hardware::host(selection.host.as_deref())?;
    let mut notes = Vec::new();
    // A device the user named must open; a default one that does not is noted and left out.
    let output = open_one(&host, &selection.output, Direction::Output, &mut notes)?;
    let input = if selection.no_input {
        None
    } else {
        open_one(&host, &selection.input, Direction::Input, &mut notes)?
    };
    let input = input.map(|d| Box::new(d) as Box<dyn InputDevice>);
    let output: Box<dyn OutputDevice> = match output {
        Some(d) => Box::new(d),
        None => {
            let Some(input) = &input else {
                return Err(format!(
                    "the {} host has no usable devices{}",
                    host.id().name(),
                    notes.iter().map(|n| format!("; {n}")).collect::<String>()
                ));
            };
            notes.push("no output device: metering only".into());
            let format = input.format();
            let clock = VirtualClock::new(format.rate_hz as f64, format.period);
            Box::new(SimulatedOutput::new(clock, 2, None))
        }
    };
    if input.is_none() && !selection.no_input {
        notes.push("no input device: output only, silence in".into());
    }
    Ok(Devices {
        input,
        output,
        notes,
    })
}

/// The device `request` names (it must open), or the host's default (noted and skipped when it
/// is missing or unusable).
fn open_one(
    host: &cpal::Host,
    request: &Request,
    direction: Direction,
    notes: &mut Vec<String>,
) -> Result<Option<CpalDevice>, String> {
    let opened = hardware::find(host, request, direction)?
        .map(|d| CpalDevice::open(d, request, direction))
        .transpose();
    match opened {
        Err(e) if request.name.is_none() => {
            let kind = match direction {
                Direction::Input => "input",
                Direction::Output => "output",
            };
            notes.push(format!("the default {kind} device is unusable ({e})"));
            Ok(None)
        }
        other => other,
    }
}

fn open_simulated(selection: &Selection, notes: Vec<String>) -> Result<Devices, String> {
    let clocks = &selection.clocks;
    let period = selection
        .output
        .period
        .map_or(DEFAULT_PERIOD, |p| p as usize);
    let input = if selection.no_input {
        None
    } else {
        let (source, file_rate) = match selection.input.name.as_deref() {
            None | Some("demo") => (Source::Demo, None),
            Some("tone") => (
                Source::Tone {
                    freq_hz: 1000.0,
                    amplitude: 0.25,
                },
                None,
            ),
            Some("silence") => (Source::Silence, None),
            Some(path) if path.to_ascii_lowercase().ends_with(".wav") => {
                let (source, rate) = Source::wav(std::path::Path::new(path))?;
                (source, Some(rate))
            }
            Some(other) => {
                return Err(format!(
                    "no simulated input '{other}'; simulated inputs: demo, tone, silence, \
                     or a path to a .wav file"
                ));
            }
        };
        let rate = selection
            .input
            .rate_hz
            .or(file_rate)
            .unwrap_or(DEFAULT_RATE);
        let in_period = selection.input.period.map_or(period, |p| p as usize);
        let clock = VirtualClock::new(rate as f64, in_period)
            .ppm(clocks.input_ppm)
            .jitter_s(clocks.jitter_ms * 1e-3);
        Some(Box::new(SimulatedInput::new(clock, source)) as Box<dyn InputDevice>)
    };
    let file = match selection.output.name.as_deref() {
        None | Some("null") => None,
        Some(path) if path.to_ascii_lowercase().ends_with(".wav") => Some(PathBuf::from(path)),
        Some(other) => {
            return Err(format!(
                "no simulated output '{other}'; simulated outputs: null, or a path to a .wav file"
            ));
        }
    };
    let mut clock = VirtualClock::new(
        selection.output.rate_hz.unwrap_or(DEFAULT_RATE) as f64,
        period,
    )
    .ppm(clocks.output_ppm)
    .jitter_s(clocks.jitter_ms * 1e-3);
    if !clocks.output_periods.is_empty() {
        clock = clock.periods(&clocks.output_periods);
    }
    Ok(Devices {
        input,
        output: Box::new(SimulatedOutput::new(clock, 2, file)),
        notes,
    })
}

/// What `--list-devices` prints for the simulated host.
pub fn list_simulated() -> String {
    format!(
        "{SIMULATED} (always there; --audio-host {SIMULATED}):\n  \
         inputs: demo (programme-like stereo), tone (1 kHz), silence, or FILE.wav (looped)\n  \
         outputs: null, or FILE.wav\n  \
         any rate (--input-rate/--output-rate, default {DEFAULT_RATE} Hz), any period \
         (default {DEFAULT_PERIOD}), clock error and jitter (--input-ppm, --output-ppm, --jitter-ms)\n"
    )
}
