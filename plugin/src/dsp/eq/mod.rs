//! The 8-band parametric EQ.
//!
//! Each band is designed against its analog prototype (`prototype.rs`) by `design.rs`, run as
//! Direct Form I biquad sections (`blocks/section.rs`, several at once in `pipeline.rs`), and faded in and out by `band.rs`. Below 80 kHz the bands run at
//! twice the host rate between the half-band filters of `halfband.rs`, which is what keeps
//! their shape analog up to 20 kHz.

pub mod band;
pub mod design;
pub mod halfband;
pub mod pipeline;
pub mod placement;
pub mod prototype;
pub mod solo;

pub use band::{BandDesign, BandSettings, EqRates};
pub use placement::{Domain, Placement};
pub use prototype::{AnalogBand, Shape, Slope};

use crate::dsp::blocks::fade::Fade;
use crate::dsp::blocks::section::Section;
use crate::dsp::blocks::simd::Isa;
use band::Band;
use halfband::{Downsampler, Upsampler};
use pipeline::Channels;
use prototype::MAX_SECTIONS;

/// Number of bands.
pub const BANDS: usize = 8;
/// Most frames one `process_block` call takes (the size of its scratch buffers); the settings
/// are applied once per call.
pub const MAX_FRAMES: usize = 64;
/// Fade time when a band is switched on/off or changes shape.
const BAND_FADE_MS: f64 = 10.0;
/// Fade time between the direct path and the oversampled path.
const OVERSAMPLING_FADE_MS: f64 = 5.0;

/// The EQ stage. Created (and allocated) when the plugin activates, never on the audio thread.
#[derive(Debug, Clone)]
pub struct Equalizer {
    rates: EqRates,
    settings: [BandSettings; BANDS],
    bands: [Band; BANDS],
    up: Upsampler,
    down: Downsampler,
    /// Blend of the oversampled path (1) against the direct path (0).
    os_fade: Fade,
    os_running: bool,
    band_fade_samples: f64,
    /// Apply the next block's settings without fades.
    snap: bool,
    scratch: Box<Scratch>,
    isa: Isa,
    /// A mono signal has no stereo image: every band acts as a stereo one.
    mono: bool,
}

/// Working buffers, allocated once with the EQ (never on the audio thread).
#[derive(Debug, Clone)]
struct Scratch {
    dry: [[f64; 2]; MAX_FRAMES],
    high: [[f64; 2]; 2 * MAX_FRAMES],
}

impl Equalizer {
    pub fn new(sample_rate: f64) -> Equalizer {
        let rates = EqRates::for_sample_rate(sample_rate);
        let coefs = halfband::design(sample_rate);
        Equalizer {
            rates,
            settings: [BandSettings::default(); BANDS],
            bands: [Band::default(); BANDS],
            up: Upsampler::new(coefs),
            down: Downsampler::new(coefs),
            os_fade: Fade::new(OVERSAMPLING_FADE_MS * sample_rate / 1000.0),
            os_running: false,
            band_fade_samples: BAND_FADE_MS * rates.design_hz / 1000.0,
            snap: false,
            scratch: Box::new(Scratch {
                dry: [[0.0; 2]; MAX_FRAMES],
                high: [[0.0; 2]; 2 * MAX_FRAMES],
            }),
            isa: Isa::detect(),
            mono: false,
        }
    }

    /// Whether the signal is mono (both channels carry the one channel): bands then ignore
    /// their placement.
    pub fn set_mono(&mut self, mono: bool) {
        self.mono = mono;
    }

    fn channels(&self) -> Channels {
        if self.mono {
            Channels::Mono
        } else {
            Channels::Stereo
        }
    }

    pub fn rates(&self) -> EqRates {
        self.rates
    }

    /// Settings for band `index`, applied from the next block on (gliding, or fading for
    /// switches and shape changes).
    pub fn set_band(&mut self, index: usize, settings: BandSettings) {
        self.settings[index] = self.as_run(settings);
    }

    /// `settings` as this EQ runs them: on a mono signal every band acts as a stereo one.
    pub fn as_run(&self, settings: BandSettings) -> BandSettings {
        BandSettings {
            placement: if self.mono {
                Placement::Stereo
            } else {
                settings.placement
            },
            ..settings
        }
    }

    pub fn band(&self, index: usize) -> &BandSettings {
        &self.settings[index]
    }

    /// Apply the next block's settings at once, without fading bands in or out.
    /// How long the enabled bands ring after their input stops, in seconds: until a
    /// resonance of quality `Q` at `f` has decayed by 120 dB (its envelope falls as
    /// e^(−πft/Q): t = ln(10⁶)·Q/(πf)). Cuts count with the highest section Q of the steepest
    /// slope (a 48 dB/oct Butterworth: 2.56); nothing rings under Q 0.71.
    pub fn ring_seconds(&self) -> f64 {
        self.settings
            .iter()
            .filter(|b| b.enabled)
            .map(|b| {
                let q = match b.shape {
                    Shape::LowCut | Shape::HighCut => 2.57,
                    _ => b.q.max(0.71),
                };
                (1e6f64).ln() * q / (std::f64::consts::PI * b.freq_hz.max(1.0))
            })
            .fold(0.0, f64::max)
    }

    pub fn snap_next_block(&mut self) {
        self.snap = true;
    }

    /// Clear all filter states (settings are kept).
    pub fn reset(&mut self) {
        for band in &mut self.bands {
            band.reset();
        }
        self.up.reset();
        self.down.reset();
    }

    /// Process up to `MAX_FRAMES` stereo frames in place.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process_block(&mut self, frames: &mut [[f64; 2]]) {
        let n = frames.len();
        debug_assert!(n <= MAX_FRAMES);
        let factor = self.rates.oversampling();
        for (band, settings) in self.bands.iter_mut().zip(&self.settings) {
            band.update(settings, self.rates, n * factor, self.band_fade_samples);
            if self.snap {
                band.finish_fade();
            }
        }
        let any_active = self.bands.iter().any(Band::is_active);
        if std::mem::take(&mut self.snap) {
            self.os_fade.set_target(any_active);
            self.os_fade.finish();
        }
        if factor == 1 {
            if any_active {
                run_cascade(self.isa, self.channels(), &mut self.bands, frames);
            }
        } else {
            self.process_oversampled(frames, any_active);
        }
        // A flag folded over the whole block (no early exit, so it vectorises); nothing to
        // check while no band nor the oversampling ran.
        let ran = any_active || self.os_running;
        if ran
            && frames
                .iter()
                .flatten()
                .fold(false, |bad, x| bad | !x.is_finite())
        {
            // A non-finite state would poison every later sample: start over. (Any non-finite
            // state shows in the output within a sample, so checking the output suffices.)
            self.reset();
        }
    }

    fn process_oversampled(&mut self, frames: &mut [[f64; 2]], any_active: bool) {
        self.os_fade.set_target(any_active);
        if self.os_fade.is_silent() {
            self.os_running = false;
            return;
        }
        if !self.os_running {
            self.up.reset();
            self.down.reset();
            self.os_running = true;
        }
        let n = frames.len();
        let fading = !self.os_fade.is_full();
        let channels = self.channels();
        let dry = &mut self.scratch.dry[..n];
        if fading {
            dry.copy_from_slice(frames);
        }
        let high = &mut self.scratch.high[..2 * n];
        self.up.process(frames, high);
        run_cascade(self.isa, channels, &mut self.bands, high);
        self.down.process(high, frames);
        if fading {
            for (wet, dry) in frames.iter_mut().zip(dry.iter()) {
                let m = self.os_fade.advance(1);
                for ch in 0..2 {
                    wet[ch] = dry[ch] + m * (wet[ch] - dry[ch]);
                }
            }
        }
    }
}

/// Run every active band over `frames` (left/right in and out; for mono, the left sample in
/// and both sides out).
fn run_cascade(isa: Isa, channels: Channels, bands: &mut [Band; BANDS], frames: &mut [[f64; 2]]) {
    let domains = plan_domains(bands);
    for (band, domain) in bands.iter_mut().zip(domains) {
        if band.is_active() {
            band.move_to(domain);
        }
    }
    // Gliding sections (automation) run in the pipeline, which computes their ramps; only a
    // band fading in or out, blended with its own input, needs the sample-by-sample path.
    let steady = bands.iter().filter(|b| b.is_active()).all(Band::is_steady);
    if steady {
        run_steady_cascade(isa, channels, bands, &domains, frames);
    } else {
        run_changing_cascade(bands, &domains, frames);
    }
}

/// The domain each band runs in: a placed band its own; a stereo band that of the placed band
/// before it (or, before the first, after it), so the cascade converts only where two placed
/// bands need different domains. Without placed bands, left/right: nothing to convert.
fn plan_domains(bands: &[Band; BANDS]) -> [Domain; BANDS] {
    let mut current = bands
        .iter()
        .filter(|b| b.is_active())
        .find_map(Band::domain)
        .unwrap_or_default();
    std::array::from_fn(|i| {
        if bands[i].is_active()
            && let Some(own) = bands[i].domain()
        {
            current = own;
        }
        current
    })
}

/// No band fades: all sections run through the SIMD pipeline, one pass per run of bands in
/// one domain.
fn run_steady_cascade(
    isa: Isa,
    channels: Channels,
    bands: &mut [Band; BANDS],
    domains: &[Domain; BANDS],
    frames: &mut [[f64; 2]],
) {
    // Each run converts the frames into its domain as they enter its pipeline; the last run
    // with sections converts them back to left/right as they leave.
    let mut at = Domain::LeftRight;
    let mut rest = &mut bands[..];
    let mut first = 0;
    while !rest.is_empty() {
        let domain = domains[first];
        let len = domains[first..]
            .iter()
            .take_while(|d| **d == domain)
            .count();
        let (run, tail) = rest.split_at_mut(len);
        let mut sections: [Option<&mut Section>; BANDS * MAX_SECTIONS] = Default::default();
        let mut n = 0;
        for band in run.iter_mut().filter(|b| b.is_active()) {
            for s in band.sections_mut() {
                sections[n] = Some(s);
                n += 1;
            }
        }
        let last = tail.iter().all(|b| !b.is_active());
        if n > 0 {
            let ends = pipeline::Ends {
                input: at.butterfly(domain),
                output: if last {
                    domain.butterfly(Domain::LeftRight)
                } else {
                    None
                },
            };
            at = if last { Domain::LeftRight } else { domain };
            pipeline::run_sections(isa, &mut sections[..n], frames, ends, channels);
        }
        (rest, first) = (tail, first + len);
    }
    debug_assert_eq!(at, Domain::LeftRight);
}

/// A band fades: sample by sample, with a fading band blended with its input.
fn run_changing_cascade(
    bands: &mut [Band; BANDS],
    domains: &[Domain; BANDS],
    frames: &mut [[f64; 2]],
) {
    for frame in frames.iter_mut() {
        let mut x = *frame;
        let mut at = Domain::LeftRight;
        for (band, domain) in bands.iter_mut().zip(domains) {
            if !band.is_active() {
                continue;
            }
            x = at.convert(*domain, x);
            at = *domain;
            let input = x;
            for s in band.sections_mut() {
                x = s.tick(x);
            }
            if !band.is_steady() {
                let m = band.next_mix();
                x = [
                    input[0] + m * (x[0] - input[0]),
                    input[1] + m * (x[1] - input[1]),
                ];
            }
        }
        *frame = at.convert(Domain::LeftRight, x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bell(freq_hz: f64, gain_db: f64, placement: Placement) -> BandSettings {
        BandSettings {
            enabled: true,
            shape: Shape::Bell,
            freq_hz,
            gain_db,
            q: 1.0,
            placement,
            ..BandSettings::default()
        }
    }

    /// Run `input` through `eq` in chain-sized blocks.
    fn run(eq: &mut Equalizer, input: &[[f64; 2]]) -> Vec<[f64; 2]> {
        let mut out = input.to_vec();
        for block in out.chunks_mut(MAX_FRAMES) {
            eq.process_block(block);
        }
        out
    }

    /// Bands of every placement in one EQ give what one EQ per band gives in series, each in
    /// its own domain (96 kHz, where the EQ runs without oversampling, so the series adds no
    /// half-band filters): the planning of domains, the conversions between runs and the
    /// stereo bands' state conversions change nothing but where the work is done. Settings
    /// change halfway (placements included) so bands fade and stereo ones change domain.
    #[test]
    fn placed_bands_combine_as_the_same_bands_in_series() {
        let rate = 96_000.0;
        let first = [
            bell(200.0, 6.0, Placement::Mid),
            bell(500.0, -4.0, Placement::Stereo),
            bell(1000.0, 5.0, Placement::Left),
            bell(2000.0, 3.0, Placement::Stereo),
            bell(4000.0, -6.0, Placement::Side),
            bell(8000.0, 4.0, Placement::Right),
        ];
        let mut second = first;
        second[0].placement = Placement::Left;
        second[2].placement = Placement::Side;
        let mut rng = fastrand::Rng::with_seed(5);
        let input: Vec<[f64; 2]> = (0..48_000)
            .map(|_| [rng.f64() - 0.5, 0.3 * (rng.f64() - 0.5)])
            .collect();
        let (a, b) = input.split_at(24_000);
        let mut together = Equalizer::new(rate);
        let mut series: Vec<Equalizer> = first.iter().map(|_| Equalizer::new(rate)).collect();
        let mut got = Vec::new();
        let mut expected = Vec::new();
        for (settings, part) in [(&first, a), (&second, b)] {
            for (i, s) in settings.iter().enumerate() {
                together.set_band(i, *s);
                series[i].set_band(0, *s);
            }
            got.extend(run(&mut together, part));
            let mut x = part.to_vec();
            for eq in &mut series {
                x = run(eq, &x);
            }
            expected.extend(x);
        }
        let worst = got
            .iter()
            .zip(&expected)
            .flat_map(|(g, e)| [(g[0] - e[0]).abs(), (g[1] - e[1]).abs()])
            .fold(0.0, f64::max);
        println!("placed bands together vs in series: worst difference {worst:e}");
        assert!(worst < 1e-12, "{worst}");
    }

    /// A mid bell and a left bell at one frequency, in that order, on a correlated tone: the
    /// mid one lifts both sides, the left one the left again (+12 dB left, +6 dB right).
    #[test]
    fn a_mid_band_then_a_left_band_stack_on_the_left() {
        let rate = 48_000.0;
        let mut eq = Equalizer::new(rate);
        eq.set_band(0, bell(1000.0, 6.0, Placement::Mid));
        eq.set_band(1, bell(1000.0, 6.0, Placement::Left));
        let tone: Vec<[f64; 2]> = (0..24_000)
            .map(|i| [0.1 * (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / rate).sin(); 2])
            .collect();
        let out = run(&mut eq, &tone);
        let level_db = |ch: usize| {
            let rms = |x: &[[f64; 2]]| {
                (x.iter().map(|f| f[ch] * f[ch]).sum::<f64>() / x.len() as f64).sqrt()
            };
            20.0 * (rms(&out[12_000..]) / rms(&tone[12_000..])).log10()
        };
        let (left, right) = (level_db(0), level_db(1));
        println!("mid +6 then left +6 at 1 kHz, L = R: left {left:+.3} dB, right {right:+.3} dB");
        assert!((left - 12.0).abs() < 0.05 && (right - 6.0).abs() < 0.05);
    }

    /// A mono layout's EQ ignores placement: a side band acts on the (copied) mono signal.
    #[test]
    fn mono_ignores_placement() {
        let mut eq = Equalizer::new(48_000.0);
        eq.set_mono(true);
        eq.set_band(0, bell(1000.0, 6.0, Placement::Side));
        assert_eq!(eq.band(0).placement, Placement::Stereo);
    }
}
