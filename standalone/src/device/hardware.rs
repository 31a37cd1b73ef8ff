//! Real audio devices through cpal: ALSA on Linux, JACK when a server runs, and whatever
//! cpal offers on other platforms (CoreAudio, WASAPI, ASIO). Devices are found by name, a
//! wrong name lists the real ones, and every stream is converted to interleaved f32 for the
//! engine.

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{BufferSize, Device, Host, HostId, SampleFormat, SizedSample, StreamConfig};

use super::{Faults, InputCallback, InputDevice, OutputCallback, OutputDevice, StreamFormat};

/// Samples a callback converts at once (non-f32 devices): far above any real period; a larger
/// callback is converted in pieces.
const CONVERT_CAPACITY: usize = 1 << 16;
/// A period to assume where the device does not tell before it runs.
const UNKNOWN_PERIOD: usize = 1024;

/// Which direction a device is opened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Input,
    Output,
}

/// What the user asked for, per device.
#[derive(Debug, Clone, Default)]
pub struct Request {
    /// A device name or id; `None` = the host's default device.
    pub name: Option<String>,
    pub rate_hz: Option<u32>,
    pub period: Option<u32>,
}

/// The cpal host called `name` ("ALSA", "JACK", …; case-insensitive), or the default host.
pub fn host(name: Option<&str>) -> Result<Host, String> {
    let Some(name) = name else {
        return Ok(cpal::default_host());
    };
    let available = cpal::available_hosts();
    let id = available
        .iter()
        .find(|id| id.name().eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            format!(
                "no audio host '{name}'; available: {}",
                host_names(&available)
            )
        })?;
    cpal::host_from_id(*id).map_err(|e| format!("cannot use the {} host: {e}", id.name()))
}

fn host_names(ids: &[HostId]) -> String {
    ids.iter()
        .map(|id| id.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A device's user-facing name (its description), falling back to its id.
fn device_name(device: &Device) -> String {
    device
        .description()
        .map(|d| d.name().to_string())
        .or_else(|_| device.id().map(|id| id.id().to_string()))
        .unwrap_or_else(|_| "(unnamed)".into())
}

fn device_id(device: &Device) -> String {
    device
        .id()
        .map(|id| id.id().to_string())
        .unwrap_or_default()
}

fn supports(device: &Device, direction: Direction) -> bool {
    match direction {
        Direction::Input => device.supports_input(),
        Direction::Output => device.supports_output(),
    }
}

/// Find the device for `request` in `direction`; a name that matches none lists the real ones.
/// `Ok(None)`: no name given and the host has no default device of that kind.
pub fn find(
    host: &Host,
    request: &Request,
    direction: Direction,
) -> Result<Option<Device>, String> {
    let Some(wanted) = &request.name else {
        return Ok(match direction {
            Direction::Input => host.default_input_device(),
            Direction::Output => host.default_output_device(),
        });
    };
    let devices: Vec<Device> = host
        .devices()
        .map_err(|e| format!("cannot list {} devices: {e}", host.id().name()))?
        .filter(|d| supports(d, direction))
        .collect();
    let matches = |d: &Device| {
        device_name(d).eq_ignore_ascii_case(wanted)
            || device_id(d).eq_ignore_ascii_case(wanted)
            || d.id()
                .is_ok_and(|id| id.to_string().eq_ignore_ascii_case(wanted))
    };
    if let Some(d) = devices.iter().find(|d| matches(d)) {
        return Ok(Some(d.clone()));
    }
    let kind = match direction {
        Direction::Input => "input",
        Direction::Output => "output",
    };
    let known: Vec<String> = devices
        .iter()
        .map(|d| format!("  {} (id {})", device_name(d), device_id(d)))
        .collect();
    Err(format!(
        "no {kind} device '{wanted}' on the {} host; {kind} devices there:\n{}",
        host.id().name(),
        if known.is_empty() {
            "  (none)".into()
        } else {
            known.join("\n")
        }
    ))
}

/// A cpal device opened in one direction with a chosen configuration.
pub struct CpalDevice {
    device: Device,
    config: StreamConfig,
    sample_format: SampleFormat,
    period: usize,
    stream: Option<cpal::Stream>,
}

impl CpalDevice {
    /// Choose a configuration: the requested rate (or the device's default), the device's
    /// default channel count, the requested period (or the device's default).
    pub fn open(device: Device, request: &Request, direction: Direction) -> Result<Self, String> {
        let name = device_name(&device);
        let default = match direction {
            Direction::Input => device.default_input_config(),
            Direction::Output => device.default_output_config(),
        }
        .map_err(|e| format!("'{name}' has no usable configuration: {e}"))?;
        let ranges: Vec<_> = match direction {
            Direction::Input => device.supported_input_configs().map(|c| c.collect()),
            Direction::Output => device.supported_output_configs().map(|c| c.collect()),
        }
        .unwrap_or_default();
        let rate_hz = request.rate_hz.unwrap_or(default.sample_rate());
        let fitting = ranges.iter().find(|r| {
            r.channels() == default.channels()
                && r.sample_format() == default.sample_format()
                && r.contains_rate(rate_hz)
        });
        if request.rate_hz.is_some() && fitting.is_none() && !ranges.is_empty() {
            return Err(format!(
                "'{name}' cannot run at {rate_hz} Hz; it offers {}",
                describe_rates(&ranges)
            ));
        }
        let (min_period, max_period) = match default.buffer_size() {
            cpal::SupportedBufferSize::Range { min, max } => (*min, *max),
            cpal::SupportedBufferSize::Unknown => (0, u32::MAX),
        };
        let buffer_size = match request.period {
            Some(p) if !(min_period..=max_period).contains(&p) => {
                return Err(format!(
                    "'{name}' cannot use {p}-frame periods; it takes {min_period}–{max_period}"
                ));
            }
            Some(p) => BufferSize::Fixed(p),
            None => BufferSize::Default,
        };
        let period = match (request.period, min_period == max_period) {
            (Some(p), _) => p as usize,
            (None, true) => min_period as usize,
            (None, false) => UNKNOWN_PERIOD,
        };
        Ok(CpalDevice {
            config: StreamConfig {
                channels: default.channels(),
                sample_rate: rate_hz,
                buffer_size,
            },
            sample_format: default.sample_format(),
            period,
            device,
            stream: None,
        })
    }

    fn play(&mut self, stream: Result<cpal::Stream, cpal::Error>) -> Result<(), String> {
        let name = device_name(&self.device);
        let stream = stream.map_err(|e| format!("cannot open '{name}': {e}"))?;
        stream
            .play()
            .map_err(|e| format!("cannot start '{name}': {e}"))?;
        self.stream = Some(stream);
        Ok(())
    }
}

fn describe_rates(ranges: &[cpal::SupportedStreamConfigRange]) -> String {
    let mut spans: Vec<String> = ranges
        .iter()
        .map(|r| {
            if r.min_sample_rate() == r.max_sample_rate() {
                format!("{} Hz", r.min_sample_rate())
            } else {
                format!("{}–{} Hz", r.min_sample_rate(), r.max_sample_rate())
            }
        })
        .collect();
    spans.sort();
    spans.dedup();
    spans.join(", ")
}

/// The error callback: a glitch is counted, anything else stops the device.
fn on_error(faults: Faults, name: String) -> impl FnMut(cpal::Error) + Send + 'static {
    move |e| match e.kind() {
        cpal::ErrorKind::Xrun => faults.count_xrun(),
        cpal::ErrorKind::DeviceChanged | cpal::ErrorKind::RealtimeDenied => {}
        _ => faults.report(format!("'{name}' stopped: {e}")),
    }
}

impl CpalDevice {
    fn format(&self) -> StreamFormat {
        StreamFormat {
            rate_hz: self.config.sample_rate,
            channels: self.config.channels as usize,
            period: self.period,
        }
    }
}

impl InputDevice for CpalDevice {
    fn name(&self) -> String {
        device_name(&self.device)
    }

    fn format(&self) -> StreamFormat {
        CpalDevice::format(self)
    }

    fn start(&mut self, callback: InputCallback, faults: Faults) -> Result<(), String> {
        let errors = on_error(faults, device_name(&self.device));
        let stream = match self.sample_format {
            SampleFormat::F32 => input_stream::<f32>(&self.device, self.config, callback, errors),
            SampleFormat::I16 => input_stream::<i16>(&self.device, self.config, callback, errors),
            SampleFormat::I32 => input_stream::<i32>(&self.device, self.config, callback, errors),
            SampleFormat::U16 => input_stream::<u16>(&self.device, self.config, callback, errors),
            SampleFormat::F64 => input_stream::<f64>(&self.device, self.config, callback, errors),
            other => return Err(format!("sample format {other} is not supported")),
        };
        self.play(stream)
    }
}

impl OutputDevice for CpalDevice {
    fn name(&self) -> String {
        device_name(&self.device)
    }

    fn format(&self) -> StreamFormat {
        CpalDevice::format(self)
    }

    fn start(&mut self, callback: OutputCallback, faults: Faults) -> Result<(), String> {
        let errors = on_error(faults, device_name(&self.device));
        let stream = match self.sample_format {
            SampleFormat::F32 => output_stream::<f32>(&self.device, self.config, callback, errors),
            SampleFormat::I16 => output_stream::<i16>(&self.device, self.config, callback, errors),
            SampleFormat::I32 => output_stream::<i32>(&self.device, self.config, callback, errors),
            SampleFormat::U16 => output_stream::<u16>(&self.device, self.config, callback, errors),
            SampleFormat::F64 => output_stream::<f64>(&self.device, self.config, callback, errors),
            other => return Err(format!("sample format {other} is not supported")),
        };
        self.play(stream)
    }
}

fn input_stream<T: SizedSample + cpal::Sample + Send + 'static>(
    device: &Device,
    config: StreamConfig,
    mut callback: InputCallback,
    errors: impl FnMut(cpal::Error) + Send + 'static,
) -> Result<cpal::Stream, cpal::Error>
where
    f32: cpal::FromSample<T>,
{
    let channels = config.channels as usize;
    let mut converted = vec![0.0f32; CONVERT_CAPACITY - CONVERT_CAPACITY % channels];
    device.build_input_stream(
        config,
        // The device's audio thread: converts into a buffer allocated above, no allocation.
        move |data: &[T], _: &cpal::InputCallbackInfo| {
            let now = super::now_s();
            for piece in data.chunks(converted.len()) {
                let out = &mut converted[..piece.len()];
                for (o, s) in out.iter_mut().zip(piece) {
                    *o = s.to_sample::<f32>();
                }
                callback(out, now);
            }
        },
        errors,
        None,
    )
}

fn output_stream<T>(
    device: &Device,
    config: StreamConfig,
    mut callback: OutputCallback,
    errors: impl FnMut(cpal::Error) + Send + 'static,
) -> Result<cpal::Stream, cpal::Error>
where
    T: SizedSample + cpal::Sample + Send + 'static + cpal::FromSample<f32>,
{
    let channels = config.channels as usize;
    let mut converted = vec![0.0f32; CONVERT_CAPACITY - CONVERT_CAPACITY % channels];
    device.build_output_stream(
        config,
        // The device's audio thread: converts from a buffer allocated above, no allocation.
        move |data: &mut [T], _: &cpal::OutputCallbackInfo| {
            let now = super::now_s();
            for piece in data.chunks_mut(converted.len()) {
                let out = &mut converted[..piece.len()];
                callback(out, now);
                for (d, s) in piece.iter_mut().zip(out.iter()) {
                    *d = T::from_sample(*s);
                }
            }
        },
        errors,
        None,
    )
}

/// Every host cpal can reach here, its devices, their channels, rates and period ranges.
pub fn list_devices() -> String {
    let mut out = String::new();
    for id in cpal::available_hosts() {
        let Ok(host) = cpal::host_from_id(id) else {
            out += &format!("{} (unavailable)\n", id.name());
            continue;
        };
        out += &format!("{}:\n", id.name());
        let devices: Vec<Device> = host.devices().map(|d| d.collect()).unwrap_or_default();
        if devices.is_empty() {
            out += "  (no devices)\n";
        }
        let default_in = host.default_input_device().map(|d| device_id(&d));
        let default_out = host.default_output_device().map(|d| device_id(&d));
        for device in devices {
            let id = device_id(&device);
            let mut marks = Vec::new();
            if default_in.as_deref() == Some(id.as_str()) {
                marks.push("default input");
            }
            if default_out.as_deref() == Some(id.as_str()) {
                marks.push("default output");
            }
            let marks = if marks.is_empty() {
                String::new()
            } else {
                format!(" [{}]", marks.join(", "))
            };
            out += &format!("  {} (id {id}){marks}\n", device_name(&device));
            for (direction, configs) in [
                ("in ", device.supported_input_configs().map(|c| c.collect())),
                (
                    "out",
                    device.supported_output_configs().map(|c| c.collect()),
                ),
            ] {
                let configs: Vec<cpal::SupportedStreamConfigRange> = configs.unwrap_or_default();
                if configs.is_empty() {
                    continue;
                }
                let mut channels: Vec<u16> = configs.iter().map(|c| c.channels()).collect();
                channels.sort();
                channels.dedup();
                let periods = match configs[0].buffer_size() {
                    cpal::SupportedBufferSize::Range { min, max } => {
                        format!("{min}–{max} frames")
                    }
                    cpal::SupportedBufferSize::Unknown => "unknown".into(),
                };
                let contiguous = channels.windows(2).all(|w| w[1] == w[0] + 1);
                let channels = match (channels.first(), channels.last()) {
                    (Some(a), Some(b)) if contiguous && b > a => format!("{a}–{b}"),
                    _ => channels
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join("/"),
                };
                out += &format!(
                    "    {direction}: {channels} channels, {}, periods {periods}\n",
                    describe_rates(&configs)
                );
            }
        }
    }
    out
}
