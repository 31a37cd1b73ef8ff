//! One EQ band: its settings, its digital design, and the runtime that fades it in and out.

use std::f64::consts::PI;

use super::design::{bilinear, design_inverted, design_section};
use super::placement::{Domain, Placement};
use super::prototype::{AnalogBand, MAX_SECTIONS, Shape, Slope};
use crate::dsp::blocks::biquad::Biquad;
use crate::dsp::blocks::fade::Fade;
use crate::dsp::blocks::section::{Section, coefs};

/// Lowest and highest band frequency the design accepts.
pub const MIN_FREQ_HZ: f64 = 10.0;
/// A band centre above this fraction of the (base) sample rate is clamped.
const MAX_FREQ_FRACTION: f64 = 0.49;

/// Everything that defines one band, in plain units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandSettings {
    pub enabled: bool,
    pub shape: Shape,
    pub freq_hz: f64,
    pub gain_db: f64,
    pub q: f64,
    pub slope: Slope,
    pub placement: Placement,
}

impl Default for BandSettings {
    fn default() -> Self {
        BandSettings {
            enabled: false,
            shape: Shape::Bell,
            freq_hz: 1000.0,
            gain_db: 0.0,
            q: 0.707,
            slope: Slope::Db12,
            placement: Placement::Stereo,
        }
    }
}

impl BandSettings {
    /// Whether the band changes the sound: switched on, and not a gain shape at exactly 0 dB
    /// (which is a wire — skipping it keeps a neutral EQ bit-transparent).
    pub fn is_audible(&self) -> bool {
        self.enabled && !(self.shape.uses_gain() && self.gain_db == 0.0)
    }

    /// What changes the band's structure (and so needs a crossfade rather than a glide).
    fn structure(&self) -> Structure {
        let slope = if self.shape.uses_slope() {
            self.slope
        } else {
            Slope::Db12
        };
        (self.shape, slope, self.placement)
    }
}

/// What a band's sections are built from: changing it fades the band out and in again.
type Structure = (Shape, Slope, Placement);

/// The sample rates the EQ works with: it runs at twice the host rate below 80 kHz.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EqRates {
    pub base_hz: f64,
    pub design_hz: f64,
}

impl EqRates {
    pub fn for_sample_rate(base_hz: f64) -> EqRates {
        let factor = if base_hz < 80_000.0 { 2.0 } else { 1.0 };
        EqRates {
            base_hz,
            design_hz: base_hz * factor,
        }
    }

    pub fn oversampling(&self) -> usize {
        (self.design_hz / self.base_hz).round() as usize
    }
}

/// The digital sections of a band: the single source of truth for the EQ's response (the DSP
/// runs them, the editor draws them).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandDesign {
    pub sections: [Biquad; MAX_SECTIONS],
    pub len: usize,
}

impl BandDesign {
    /// Design `settings` for `rates`.
    ///
    /// Bounded work on the stack: it may run on the audio thread, must not allocate or block.
    pub fn new(settings: &BandSettings, rates: EqRates) -> BandDesign {
        Self::with(settings, rates, true)
    }

    /// The quick design used while a parameter moves: each section by the prewarped bilinear
    /// transform (exact at the centre, slightly narrowed towards Nyquist at the 2× design
    /// rate): a few operations per section instead of `new`'s least-squares fits.
    pub fn moving(settings: &BandSettings, rates: EqRates) -> BandDesign {
        Self::with(settings, rates, false)
    }

    /// Inlined, so the sections are built where the caller keeps them rather than copied
    /// there by a `memcpy` call per design.
    #[inline(always)]
    fn with(settings: &BandSettings, rates: EqRates, exact: bool) -> BandDesign {
        let freq_hz = Self::centre_hz(settings, rates);
        let analog = AnalogBand::new(settings.shape, settings.gain_db, settings.q, settings.slope);
        let w0 = 2.0 * PI * freq_hz / rates.design_hz;
        let mut design = BandDesign {
            sections: [Biquad::IDENTITY; MAX_SECTIONS],
            len: analog.len,
        };
        for (out, section) in design
            .sections
            .iter_mut()
            .zip(&analog.sections[..analog.len])
        {
            *out = match (exact, analog.inverted) {
                (true, true) => design_inverted(section, w0, settings.q, rates.design_hz),
                (true, false) => design_section(section, w0, settings.q, rates.design_hz),
                (false, true) => bilinear(section, w0).inverted(),
                (false, false) => bilinear(section, w0),
            };
        }
        design
    }

    /// The centre frequency the design uses: the setting, kept inside (10 Hz, 0.49 × rate).
    pub fn centre_hz(settings: &BandSettings, rates: EqRates) -> f64 {
        settings
            .freq_hz
            .clamp(MIN_FREQ_HZ, MAX_FREQ_FRACTION * rates.base_hz)
    }

    /// Magnitude of the digital sections at `freq_hz`, in dB.
    pub fn magnitude_db(&self, freq_hz: f64, rates: EqRates) -> f64 {
        let w = 2.0 * PI * freq_hz / rates.design_hz;
        let mag_sq: f64 = self.sections[..self.len]
            .iter()
            .map(|s| s.magnitude_sq(w))
            .product();
        10.0 * mag_sq.log10()
    }
}

/// A band at run time: up to four sections that glide between designs, and a fade that
/// blends the whole band with a straight wire when it is switched or changes shape.
#[derive(Debug, Clone, Copy)]
pub struct Band {
    sections: [Section; MAX_SECTIONS],
    /// The structure the sections currently hold, if any.
    loaded: Option<Structure>,
    /// The domain the sections' histories are in (a stereo band runs in either).
    state_domain: Domain,
    /// The settings the loaded design was made for, and whether it is the exact design (else
    /// the quick one of a moving parameter: the exact one follows once it stops).
    designed: BandSettings,
    exact: bool,
    design: [Biquad; MAX_SECTIONS],
    len: usize,
    /// Blend of the band against a straight wire (0 = bypassed, 1 = fully in).
    fade: Fade,
    active: bool,
}

impl Default for Band {
    fn default() -> Self {
        Band {
            sections: [Section::default(); MAX_SECTIONS],
            loaded: None,
            state_domain: Domain::LeftRight,
            designed: BandSettings::default(),
            exact: true,
            design: [Biquad::IDENTITY; MAX_SECTIONS],
            len: 0,
            fade: Fade::new(1.0),
            active: false,
        }
    }
}

impl Band {
    /// Prepare the next `block_len` samples (at the design rate) for `settings`: redesign if a
    /// continuous parameter moved, fade if the band was switched or changed shape.
    /// `fade_samples` is the length of a fade.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn update(
        &mut self,
        settings: &BandSettings,
        rates: EqRates,
        block_len: usize,
        fade_samples: f64,
    ) {
        let structure = settings.structure();
        if self.fade.is_full()
            && self.designed == *settings
            && self.exact
            && self.loaded == Some(structure)
        {
            // Steady and unchanged: the common case, nothing to do.
            return;
        }
        let was_active = self.active;
        // A new structure can only be loaded while the band is silent (faded out).
        let audible = settings.is_audible();
        if self.loaded != Some(structure) && self.fade.is_silent() && audible {
            self.load(settings, rates);
            self.fade = Fade::new(fade_samples);
        }
        self.fade
            .set_target(settings.enabled && self.loaded == Some(structure));
        self.active = !self.fade.is_silent();
        if !self.active {
            return;
        }
        if self.loaded == Some(structure) {
            if self.designed != *settings {
                // Moving (automation, a glide): the quick design for this block.
                self.designed = *settings;
                self.design = BandDesign::moving(settings, rates).sections;
                self.exact = false;
            } else if !self.exact {
                // Stopped: the exact design, glided to over this block.
                self.redesign(settings, rates);
            }
        }
        if !was_active {
            // Waking from silence: start from clean states, not whatever was left when the
            // band went quiet.
            for (section, bq) in self.sections.iter_mut().zip(&self.design) {
                section.set(coefs(bq));
                section.reset();
            }
        }
        for (section, bq) in self.sections[..self.len].iter_mut().zip(&self.design) {
            section.glide_to(coefs(bq), block_len as u32);
        }
    }

    /// Skip the fade in progress (the first block after activation applies settings as they are).
    pub fn finish_fade(&mut self) {
        self.fade.finish();
        if !self.fade.is_silent() {
            // A band that is (now) fully in starts from rest, designed and gliding nowhere.
            for (section, bq) in self.sections[..self.len].iter_mut().zip(&self.design) {
                section.set(coefs(bq));
            }
        }
    }

    /// Advance the band's fade by one sample and return the blend (0 = wire, 1 = band).
    ///
    /// Runs on the audio thread: must not allocate or block.
    #[inline(always)]
    pub fn next_mix(&mut self) -> f64 {
        self.fade.advance(1)
    }

    /// Whether the band is fully in and staying so (no blend needed).
    pub fn is_steady(&self) -> bool {
        self.fade.is_full()
    }

    fn load(&mut self, settings: &BandSettings, rates: EqRates) {
        self.redesign(settings, rates);
        let lanes = settings.placement.lanes();
        for (section, bq) in self.sections.iter_mut().zip(&self.design) {
            section.set(coefs(bq));
            section.set_lanes(lanes);
            section.reset();
        }
        self.loaded = Some(settings.structure());
        self.state_domain = settings.placement.domain().unwrap_or_default();
    }

    fn redesign(&mut self, settings: &BandSettings, rates: EqRates) {
        let design = BandDesign::new(settings, rates);
        self.len = design.len;
        self.design = design.sections;
        self.designed = *settings;
        self.exact = true;
    }

    /// The domain the band must run in, or `None` if either will do (a stereo band).
    pub fn domain(&self) -> Option<Domain> {
        self.loaded.and_then(|(_, _, placement)| placement.domain())
    }

    /// Run in `domain` from now on: a stereo band's histories are converted there (exactly: its
    /// two lanes run the same linear filter, so their states convert like the signal does).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn move_to(&mut self, domain: Domain) {
        if domain == self.state_domain {
            return;
        }
        debug_assert!(self.domain().is_none(), "only a stereo band changes domain");
        let from = self.state_domain;
        for s in &mut self.sections[..self.len] {
            let [l, r] = s.history();
            let mut converted = [[0.0; 4]; 2];
            for i in 0..4 {
                [converted[0][i], converted[1][i]] = from.convert(domain, [l[i], r[i]]);
            }
            s.set_history(converted);
        }
        self.state_domain = domain;
    }

    /// Whether the band contributes to the next block.
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// The band's sections, for the cascade to run.
    pub fn sections_mut(&mut self) -> &mut [Section] {
        &mut self.sections[..self.len]
    }

    pub fn reset(&mut self) {
        for s in &mut self.sections {
            s.reset();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bell(freq_hz: f64) -> BandSettings {
        BandSettings {
            enabled: true,
            shape: Shape::Bell,
            freq_hz,
            gain_db: 6.0,
            q: 1.0,
            ..BandSettings::default()
        }
    }

    #[test]
    fn a_moving_band_runs_the_quick_design_and_the_exact_one_once_it_stops() {
        let rates = EqRates::for_sample_rate(48_000.0);
        let mut band = Band::default();
        band.update(&bell(1000.0), rates, 128, 64.0);
        band.finish_fade();
        assert!(band.exact);
        // Automation: a new frequency every block.
        for k in 1..=5 {
            let settings = bell(1000.0 + 100.0 * k as f64);
            band.update(&settings, rates, 128, 64.0);
            assert!(!band.exact);
            assert_eq!(band.design, BandDesign::moving(&settings, rates).sections);
        }
        // The same settings a second block running: the exact design.
        band.update(&bell(1500.0), rates, 128, 64.0);
        assert!(band.exact);
        assert_eq!(band.design, BandDesign::new(&bell(1500.0), rates).sections);
        // How far the quick design strays, for bells across the range (2× design rate).
        let mut worst: f64 = 0.0;
        for centre in [100.0, 1000.0, 5000.0, 12_000.0] {
            let (quick, exact) = (
                BandDesign::moving(&bell(centre), rates),
                BandDesign::new(&bell(centre), rates),
            );
            for f in [50.0, 500.0, 2000.0, 8000.0, 16_000.0, 20_000.0] {
                worst =
                    worst.max((quick.magnitude_db(f, rates) - exact.magnitude_db(f, rates)).abs());
            }
        }
        println!("quick design vs exact, ±6 dB bells at Q 1: worst {worst:.3} dB up to 20 kHz");
        assert!(worst < 1.0, "{worst}");
    }
}
