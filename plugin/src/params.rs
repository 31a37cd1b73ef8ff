//! The parameter tree. Ids are stable forever (presets and automation depend on them): add new
//! parameters, never rename or reuse an id.
//!
//! This is the edge between nice-plug and the DSP: parameters are read here, smoothed by
//! nice-plug's smoothers, and handed to the chain as plain structs.

use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use nice_plug::plugin::ParamValue;
use nice_plug::prelude::*;

use crate::chain::Chain;
use crate::dsp::dynamics::compressor::{self, CompressorSettings, Detector};
use crate::dsp::dynamics::limiter::LimiterSettings;
use crate::dsp::eq::{BANDS, BandSettings, Placement, Shape, Slope};
use crate::presets::ab::AbSlots;
use crate::value_text;

/// Smoothing time for every continuous parameter.
const SMOOTHING_MS: f32 = 20.0;

#[derive(Params)]
pub struct StrataParams {
    #[id = "in_gain"]
    pub input_gain: FloatParam,
    #[id = "out_gain"]
    pub output_gain: FloatParam,
    /// The host's bypass: a click-free crossfade to the (latency-aligned) dry signal.
    #[id = "bypass"]
    pub bypass: BoolParam,
    /// Each switch from off to on restarts integrated loudness, loudness range and the meters'
    /// maxima (a host action; the editor has its own button).
    #[id = "meter_reset"]
    pub meter_reset: BoolParam,

    #[nested(id_prefix = "eq1", group = "EQ Band 1")]
    pub eq1: EqBandParams,
    #[nested(id_prefix = "eq2", group = "EQ Band 2")]
    pub eq2: EqBandParams,
    #[nested(id_prefix = "eq3", group = "EQ Band 3")]
    pub eq3: EqBandParams,
    #[nested(id_prefix = "eq4", group = "EQ Band 4")]
    pub eq4: EqBandParams,
    #[nested(id_prefix = "eq5", group = "EQ Band 5")]
    pub eq5: EqBandParams,
    #[nested(id_prefix = "eq6", group = "EQ Band 6")]
    pub eq6: EqBandParams,
    #[nested(id_prefix = "eq7", group = "EQ Band 7")]
    pub eq7: EqBandParams,
    #[nested(id_prefix = "eq8", group = "EQ Band 8")]
    pub eq8: EqBandParams,

    #[nested(group = "Compressor")]
    pub comp: CompressorParams,
    #[nested(group = "Limiter")]
    pub limiter: LimiterParams,

    /// The editor's EQ display range (± dB), spectrum tilt and scale: kept with the plugin's
    /// state, not parameters (nothing to automate).
    #[persist = "view-eq-range-db"]
    pub eq_range_db: Arc<AtomicU32>,
    #[persist = "view-spectrum-tilt"]
    pub spectrum_tilt: Arc<AtomicBool>,
    /// The editor's scale in percent (see `editor::ui_scale`).
    #[persist = "view-ui-scale"]
    pub ui_scale_percent: Arc<AtomicU32>,
    /// Whether the compressor panel shows the dynamics history instead of the static curve.
    #[persist = "view-dynamics-history"]
    pub dynamics_history_shown: Arc<AtomicBool>,
    /// The band the editor auditions alone (`NO_SOLO`: none): held by the user, so neither a
    /// parameter nor kept with the state.
    pub soloed_band: Arc<AtomicI32>,
    /// The A/B comparison: which slot is live and the other slot's settings (`presets::ab`).
    #[persist = "ab-slots"]
    pub ab: Mutex<AbSlots>,
}

impl Default for StrataParams {
    fn default() -> Self {
        StrataParams {
            input_gain: gain_param("Input Gain", 0.0, -24.0, 24.0),
            output_gain: gain_param("Output Gain", 0.0, -24.0, 24.0),
            bypass: BoolParam::new("Bypass", false).make_bypass(),
            meter_reset: BoolParam::new("Reset Loudness", false),
            eq1: EqBandParams::new(1, Shape::LowCut, 30.0),
            eq2: EqBandParams::new(2, Shape::LowShelf, 100.0),
            eq3: EqBandParams::new(3, Shape::Bell, 250.0),
            eq4: EqBandParams::new(4, Shape::Bell, 600.0),
            eq5: EqBandParams::new(5, Shape::Bell, 1500.0),
            eq6: EqBandParams::new(6, Shape::Bell, 3500.0),
            eq7: EqBandParams::new(7, Shape::HighShelf, 8000.0),
            eq8: EqBandParams::new(8, Shape::HighCut, 18_000.0),
            comp: CompressorParams::default(),
            limiter: LimiterParams::default(),
            eq_range_db: Arc::new(AtomicU32::new(12)),
            spectrum_tilt: Arc::new(AtomicBool::new(false)),
            ui_scale_percent: Arc::new(AtomicU32::new(100)),
            dynamics_history_shown: Arc::new(AtomicBool::new(false)),
            soloed_band: Arc::new(AtomicI32::new(NO_SOLO)),
            ab: Mutex::new(AbSlots::default()),
        }
    }
}

/// The bands' placement parameter ids (`eq{N}_place`).
const PLACEMENT_IDS: [&str; BANDS] = [
    "eq1_place",
    "eq2_place",
    "eq3_place",
    "eq4_place",
    "eq5_place",
    "eq6_place",
    "eq7_place",
    "eq8_place",
];

/// Give a state saved before bands had a placement their default one, Stereo: nice-plug sets
/// only the parameters a state lists, so without this an old session loaded into a running
/// instance would keep whatever placement the instance had. A complete state is left as it is,
/// without allocating (the editor's states are applied on the audio thread).
pub fn complete_old_state(state: &mut PluginState) {
    for id in PLACEMENT_IDS {
        if !state.params.contains_key(id) {
            let stereo = Placement::ids().map_or("stereo", |ids| ids[0]);
            state
                .params
                .insert(id.to_string(), ParamValue::String(stereo.to_string()));
        }
    }
}

/// `soloed_band` when no band is soloed.
pub const NO_SOLO: i32 = -1;

impl StrataParams {
    pub fn bands(&self) -> [&EqBandParams; BANDS] {
        [
            &self.eq1, &self.eq2, &self.eq3, &self.eq4, &self.eq5, &self.eq6, &self.eq7, &self.eq8,
        ]
    }

    /// Hand the parameter values for the next block to `chain`, and fill the per-sample linear
    /// input and output gains (both slices are one block long).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn prepare_block(
        &self,
        chain: &mut Chain,
        input_gain: &mut [f32],
        output_gain: &mut [f32],
    ) {
        let len = input_gain.len() as u32;
        fill_linear_gain(&self.input_gain, input_gain);
        fill_linear_gain(&self.output_gain, output_gain);
        let soloed = usize::try_from(self.soloed_band.load(Ordering::Relaxed)).ok();
        let mut solo = None;
        for (i, band) in self.bands().iter().enumerate() {
            let settings = band.settings(len);
            chain.set_band(i, settings);
            if soloed == Some(i) {
                solo = Some(settings);
            }
        }
        chain.set_solo(solo.as_ref(), len as usize);
        chain.set_compressor(&self.comp.settings(len));
        chain.set_limiter(&self.limiter.settings(len));
        chain.set_bypass(self.bypass.value());
    }
}

/// Per-sample linear gains from a smoothed dB parameter.
fn fill_linear_gain(param: &FloatParam, out: &mut [f32]) {
    if param.smoothed.is_smoothing() {
        param.smoothed.next_block_exact(out);
        for g in out.iter_mut() {
            *g = util::db_to_gain(*g);
        }
    } else {
        out.fill(util::db_to_gain(param.smoothed.next()));
    }
}

/// One EQ band. Ids get the band's prefix: `eq1_on`, `eq1_type`, `eq1_freq`, …
#[derive(Params)]
pub struct EqBandParams {
    #[id = "on"]
    pub enabled: BoolParam,
    #[id = "type"]
    pub shape: EnumParam<Shape>,
    #[id = "freq"]
    pub freq: FloatParam,
    #[id = "gain"]
    pub gain: FloatParam,
    #[id = "q"]
    pub q: FloatParam,
    /// Cut slope, for low/high cuts only.
    #[id = "slope"]
    pub slope: EnumParam<Slope>,
    /// Where in the stereo image the band acts. States saved before it existed load as Stereo.
    #[id = "place"]
    pub placement: EnumParam<Placement>,
}

impl EqBandParams {
    fn new(index: usize, shape: Shape, freq_hz: f32) -> Self {
        EqBandParams {
            enabled: BoolParam::new(format!("EQ{index} On"), false),
            shape: EnumParam::new(format!("EQ{index} Type"), shape),
            freq: FloatParam::new(
                format!("EQ{index} Freq"),
                freq_hz,
                FloatRange::Skewed {
                    min: 10.0,
                    max: 22_000.0,
                    factor: FloatRange::skew_factor(-2.1),
                },
            )
            .with_smoother(SmoothingStyle::Logarithmic(SMOOTHING_MS))
            .with_value_to_string(value_text::v2s_hz())
            .with_string_to_value(value_text::s2v_hz()),
            gain: gain_param(&format!("EQ{index} Gain"), 0.0, -24.0, 24.0),
            q: FloatParam::new(
                format!("EQ{index} Q"),
                0.707,
                FloatRange::Skewed {
                    min: 0.1,
                    max: 18.0,
                    factor: FloatRange::skew_factor(-2.0),
                },
            )
            .with_smoother(SmoothingStyle::Logarithmic(SMOOTHING_MS))
            .with_step_size(0.001)
            .with_value_to_string(value_text::v2s_plain())
            .with_string_to_value(value_text::s2v_plain()),
            slope: EnumParam::new(format!("EQ{index} Slope"), Slope::Db12),
            placement: EnumParam::new(format!("EQ{index} Placement"), Placement::Stereo),
        }
    }

    /// The band's settings `steps` samples from now (advancing the smoothers).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn settings(&self, steps: u32) -> BandSettings {
        self.read(|p| p.smoothed.next_step(steps))
    }

    /// The settings the band is heading for (no smoothing): for the editor's curves.
    pub fn target(&self) -> BandSettings {
        self.read(FloatParam::value)
    }

    fn read(&self, float: impl Fn(&FloatParam) -> f32) -> BandSettings {
        BandSettings {
            enabled: self.enabled.value(),
            shape: self.shape.value(),
            freq_hz: float(&self.freq) as f64,
            gain_db: float(&self.gain) as f64,
            q: float(&self.q) as f64,
            slope: self.slope.value(),
            placement: self.placement.value(),
        }
    }
}

/// Where the compressor listens.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum SidechainSource {
    #[id = "internal"]
    Internal,
    #[id = "external"]
    External,
}

/// Compressor parameters.
#[derive(Params)]
pub struct CompressorParams {
    #[id = "comp_on"]
    pub enabled: BoolParam,
    #[id = "comp_thresh"]
    pub threshold: FloatParam,
    #[id = "comp_ratio"]
    pub ratio: FloatParam,
    #[id = "comp_knee"]
    pub knee: FloatParam,
    #[id = "comp_attack"]
    pub attack: FloatParam,
    #[id = "comp_release"]
    pub release: FloatParam,
    #[id = "comp_makeup"]
    pub makeup: FloatParam,
    #[id = "comp_auto"]
    pub auto_makeup: BoolParam,
    #[id = "comp_detect"]
    pub detector: EnumParam<Detector>,
    #[id = "comp_schpf"]
    pub sidechain_hpf: FloatParam,
    #[id = "comp_sc_src"]
    pub sidechain_source: EnumParam<SidechainSource>,
    #[id = "comp_link"]
    pub stereo_link: FloatParam,
    #[id = "comp_mix"]
    pub mix: FloatParam,
}

impl Default for CompressorParams {
    fn default() -> Self {
        CompressorParams {
            enabled: BoolParam::new("Comp On", false),
            threshold: gain_param("Comp Threshold", -18.0, -60.0, 0.0),
            ratio: FloatParam::new(
                "Comp Ratio",
                4.0,
                FloatRange::Skewed {
                    min: 1.0,
                    max: 20.0,
                    factor: FloatRange::skew_factor(-1.5),
                },
            )
            .with_smoother(SmoothingStyle::Logarithmic(SMOOTHING_MS))
            .with_step_size(0.01)
            .with_value_to_string(value_text::v2s_ratio())
            .with_string_to_value(value_text::s2v_ratio()),
            knee: gain_param("Comp Knee", 6.0, 0.0, 24.0),
            attack: time_param("Comp Attack", 10.0, 0.05, 250.0),
            release: time_param("Comp Release", 150.0, 5.0, 2500.0),
            makeup: gain_param("Comp Makeup", 0.0, -12.0, 24.0),
            auto_makeup: BoolParam::new("Comp Auto Makeup", false),
            detector: EnumParam::new("Comp Detector", Detector::Peak),
            sidechain_hpf: FloatParam::new(
                "Comp SC HPF",
                20.0,
                FloatRange::Skewed {
                    min: 20.0,
                    max: 1000.0,
                    factor: FloatRange::skew_factor(-1.5),
                },
            )
            .with_smoother(SmoothingStyle::Logarithmic(SMOOTHING_MS))
            .with_value_to_string(v2s_hpf())
            .with_string_to_value(s2v_hpf()),
            sidechain_source: EnumParam::new("Comp Sidechain", SidechainSource::Internal),
            stereo_link: percent_param("Comp Stereo Link", 1.0),
            mix: percent_param("Comp Mix", 1.0),
        }
    }
}

impl CompressorParams {
    /// The compressor's settings `steps` samples from now (advancing the smoothers).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn settings(&self, steps: u32) -> CompressorSettings {
        self.read(|p| p.smoothed.next_step(steps))
    }

    /// The settings the compressor is heading for (no smoothing): for the editor.
    pub fn target(&self) -> CompressorSettings {
        self.read(FloatParam::value)
    }

    fn read(&self, float: impl Fn(&FloatParam) -> f32) -> CompressorSettings {
        CompressorSettings {
            enabled: self.enabled.value(),
            threshold_db: float(&self.threshold) as f64,
            ratio: float(&self.ratio) as f64,
            knee_db: float(&self.knee) as f64,
            attack_ms: float(&self.attack) as f64,
            release_ms: float(&self.release) as f64,
            makeup_db: float(&self.makeup) as f64,
            auto_makeup: self.auto_makeup.value(),
            detector: self.detector.value(),
            sidechain_hpf_hz: float(&self.sidechain_hpf) as f64,
            external_sidechain: self.sidechain_source.value() == SidechainSource::External,
            stereo_link: float(&self.stereo_link) as f64,
            mix: float(&self.mix) as f64,
        }
    }
}

/// True-peak limiter parameters.
#[derive(Params)]
pub struct LimiterParams {
    #[id = "lim_on"]
    pub enabled: BoolParam,
    #[id = "lim_ceiling"]
    pub ceiling: FloatParam,
    #[id = "lim_release"]
    pub release: FloatParam,
    #[id = "lim_lookahead"]
    pub lookahead: FloatParam,
    #[id = "lim_tp"]
    pub true_peak: BoolParam,
}

impl Default for LimiterParams {
    fn default() -> Self {
        LimiterParams {
            enabled: BoolParam::new("Limiter On", false),
            ceiling: gain_param("Limiter Ceiling", -1.0, -20.0, 0.0),
            release: time_param("Limiter Release", 50.0, 1.0, 1000.0),
            lookahead: FloatParam::new(
                "Limiter Lookahead",
                2.0,
                FloatRange::Linear {
                    min: 0.5,
                    max: 10.0,
                },
            )
            .with_unit(" ms")
            .with_step_size(0.01)
            .with_value_to_string(value_text::v2s_ms())
            .with_string_to_value(value_text::s2v_ms())
            // The lookahead is the plugin's latency: a change restarts the limiter and the dry
            // delay (a dropout) and asks the host to re-compensate, which is no automation
            // gesture. Set it from the editor or the host's parameter list; not automatable.
            .non_automatable(),
            true_peak: BoolParam::new("Limiter True Peak", true),
        }
    }
}

impl LimiterParams {
    /// The limiter's settings `steps` samples from now (advancing the smoothers).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn settings(&self, steps: u32) -> LimiterSettings {
        LimiterSettings {
            enabled: self.enabled.value(),
            ceiling_db: self.ceiling.smoothed.next_step(steps) as f64,
            release_ms: self.release.smoothed.next_step(steps) as f64,
            lookahead_ms: self.lookahead.value() as f64,
            true_peak: self.true_peak.value(),
        }
    }
}

/// A level in dB, linear in dB, shown with one decimal.
fn gain_param(name: &str, default: f32, min: f32, max: f32) -> FloatParam {
    FloatParam::new(name, default, FloatRange::Linear { min, max })
        .with_unit(" dB")
        .with_step_size(0.01)
        .with_smoother(SmoothingStyle::Linear(SMOOTHING_MS))
        .with_value_to_string(value_text::v2s_db())
        .with_string_to_value(value_text::s2v_db())
}

/// A time in milliseconds on a log-like scale.
fn time_param(name: &str, default: f32, min: f32, max: f32) -> FloatParam {
    FloatParam::new(
        name,
        default,
        FloatRange::Skewed {
            min,
            max,
            factor: FloatRange::skew_factor(-2.0),
        },
    )
    .with_unit(" ms")
    .with_step_size(0.01)
    .with_smoother(SmoothingStyle::Logarithmic(SMOOTHING_MS))
    .with_value_to_string(value_text::v2s_ms())
    .with_string_to_value(value_text::s2v_ms())
}

/// A 0–1 amount shown as a percentage.
fn percent_param(name: &str, default: f32) -> FloatParam {
    FloatParam::new(name, default, FloatRange::Linear { min: 0.0, max: 1.0 })
        .with_unit("%")
        .with_step_size(0.001)
        .with_smoother(SmoothingStyle::Linear(SMOOTHING_MS))
        .with_value_to_string(value_text::v2s_percent())
        .with_string_to_value(value_text::s2v_percent())
}

impl Enum for Shape {
    fn variants() -> &'static [&'static str] {
        &[
            "Bell",
            "Low Shelf",
            "High Shelf",
            "Notch",
            "Band Pass",
            "Tilt",
            "Low Cut",
            "High Cut",
        ]
    }

    fn ids() -> Option<&'static [&'static str]> {
        Some(&[
            "bell",
            "low_shelf",
            "high_shelf",
            "notch",
            "band_pass",
            "tilt",
            "low_cut",
            "high_cut",
        ])
    }

    fn to_index(self) -> usize {
        Shape::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    fn from_index(index: usize) -> Self {
        Shape::ALL.get(index).copied().unwrap_or(Shape::Bell)
    }
}

/// The sidechain high-pass shows "Off" where it is off (below `HPF_OFF_HZ`, which is exactly
/// where this one-decimal display would read "20.0 Hz").
fn v2s_hpf() -> value_text::ValueToString {
    Arc::new(move |value| {
        if (value as f64) < compressor::HPF_OFF_HZ {
            "Off".to_string()
        } else {
            value_text::hz_text(value)
        }
    })
}

fn s2v_hpf() -> value_text::StringToValue {
    let hz = value_text::s2v_hz();
    Arc::new(move |string| {
        if string.trim().eq_ignore_ascii_case("off") {
            Some(20.0)
        } else {
            hz(string)
        }
    })
}

impl Enum for Detector {
    fn variants() -> &'static [&'static str] {
        &["Peak", "RMS"]
    }

    fn ids() -> Option<&'static [&'static str]> {
        Some(&["peak", "rms"])
    }

    fn to_index(self) -> usize {
        match self {
            Detector::Peak => 0,
            Detector::Rms => 1,
        }
    }

    fn from_index(index: usize) -> Self {
        if index == 1 {
            Detector::Rms
        } else {
            Detector::Peak
        }
    }
}

impl Enum for Placement {
    fn variants() -> &'static [&'static str] {
        &["Stereo", "Mid", "Side", "Left", "Right"]
    }

    fn ids() -> Option<&'static [&'static str]> {
        Some(&["stereo", "mid", "side", "left", "right"])
    }

    fn to_index(self) -> usize {
        Placement::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    fn from_index(index: usize) -> Self {
        Placement::ALL.get(index).copied().unwrap_or_default()
    }
}

impl Enum for Slope {
    fn variants() -> &'static [&'static str] {
        &[
            "6 dB/oct",
            "12 dB/oct",
            "18 dB/oct",
            "24 dB/oct",
            "36 dB/oct",
            "48 dB/oct",
        ]
    }

    fn ids() -> Option<&'static [&'static str]> {
        Some(&["6", "12", "18", "24", "36", "48"])
    }

    fn to_index(self) -> usize {
        Slope::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    fn from_index(index: usize) -> Self {
        Slope::ALL.get(index).copied().unwrap_or(Slope::Db12)
    }
}
