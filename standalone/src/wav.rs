//! WAV files in and out (hound): any PCM or float file reads as f32; files are written as
//! 32-bit float unless asked otherwise.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

pub type Writer = hound::WavWriter<BufWriter<File>>;

/// Every sample of `path`, interleaved, as f32 in ±1, and the file's format.
pub fn read(path: &Path) -> Result<(Vec<f32>, hound::WavSpec), String> {
    let reader =
        hound::WavReader::open(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let spec = reader.spec();
    let bad = |e: hound::Error| format!("{} is damaged: {e}", path.display());
    let samples = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .into_samples::<f32>()
            .collect::<Result<Vec<_>, _>>()
            .map_err(bad)?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample - 1)) as f32;
            reader
                .into_samples::<i32>()
                .map(|s| s.map(|s| s as f32 * scale))
                .collect::<Result<Vec<_>, _>>()
                .map_err(bad)?
        }
    };
    if spec.channels == 0 {
        return Err(format!("{} has no channels", path.display()));
    }
    Ok((samples, spec))
}

/// Sample formats a file can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Bits {
    /// 16-bit PCM (TPDF-free: plain rounding).
    #[value(name = "16")]
    Int16,
    /// 24-bit PCM.
    #[value(name = "24")]
    Int24,
    /// 32-bit float.
    #[value(name = "32f")]
    Float32,
}

/// A WAV writer at `path` in `bits`.
pub fn writer(path: &Path, channels: usize, rate_hz: u32, bits: Bits) -> Result<Writer, String> {
    let (bits_per_sample, sample_format) = match bits {
        Bits::Int16 => (16, hound::SampleFormat::Int),
        Bits::Int24 => (24, hound::SampleFormat::Int),
        Bits::Float32 => (32, hound::SampleFormat::Float),
    };
    let spec = hound::WavSpec {
        channels: channels as u16,
        sample_rate: rate_hz,
        bits_per_sample,
        sample_format,
    };
    hound::WavWriter::create(path, spec)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A 32-bit float WAV writer at `path`.
pub fn float_writer(path: &Path, channels: usize, rate_hz: u32) -> Result<Writer, String> {
    writer(path, channels, rate_hz, Bits::Float32)
}

/// Write one sample in the writer's format (clipped to full scale for PCM).
pub fn write_sample(writer: &mut Writer, bits: Bits, sample: f32) -> Result<(), hound::Error> {
    match bits {
        Bits::Float32 => writer.write_sample(sample),
        Bits::Int16 => writer.write_sample((sample.clamp(-1.0, 1.0) * 32767.0).round() as i16),
        Bits::Int24 => writer.write_sample((sample.clamp(-1.0, 1.0) * 8_388_607.0).round() as i32),
    }
}
