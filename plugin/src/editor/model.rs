//! What the editor shows that is not a parameter: the newest meter frame, meter ballistics,
//! the spectrum, the EQ curves, the selected band. Runs on the GUI thread.

use strata_ui::ballistics::{Ballistics, MeterState};
use strata_ui::eq_view;

use super::analyzer::{Analyzer, Tap};
use super::dynamics_history::{DynamicsHistory, HistoryPoint};
use crate::dsp::eq::{BANDS, BandDesign, BandSettings, EqRates, Placement};
use crate::dsp::meter::MeterFrame;
use crate::telemetry::{AnalyzerSample, TelemetryReceiver};

/// Points on the EQ curves and display bins of the spectrum.
pub const CURVE_POINTS: usize = 320;
pub const SPECTRUM_BINS: usize = 240;
/// Assumed until the first meter frame tells the real rate.
const DEFAULT_RATE: f32 = 48_000.0;

/// The four level bars (input L/R, output L/R) and the two gain-reduction bars.
pub struct MeterDisplays {
    pub input: [MeterState; 2],
    pub output: [MeterState; 2],
    pub compressor_gr: MeterState,
    pub limiter_gr: MeterState,
}

/// Each band's curve, kept until its settings change.
struct BandCurve {
    settings: Option<(BandSettings, f32)>,
    db: Option<Vec<f32>>,
}

pub struct EditorModel {
    pub frame: Option<MeterFrame>,
    /// The embedding host's status line (the standalone's devices, drift, xruns).
    pub host_status: Option<String>,
    ballistics: Ballistics,
    /// Gain reduction: positive dB falling back to 0.
    gr_ballistics: Ballistics,
    pub meters: MeterDisplays,
    /// The last seconds of levels and gain reduction, for the dynamics history view.
    pub dynamics_history: DynamicsHistory,
    /// The editor's clock at the last poll (s): where the history's right edge is.
    pub clock_s: f64,
    /// Highest true peak at the input and the output since the user last cleared it (dBTP):
    /// the meters' latched peak boxes.
    pub peak_max_db: [f32; 2],
    analyzer: Option<Analyzer>,
    analyzer_rate_hz: f32,
    samples: Vec<AnalyzerSample>,
    pub selected_band: usize,
    /// The band whose Q is being modifier-dragged (one gesture from press to release).
    pub q_gesture: Option<usize>,
    pub curve_freqs_hz: Vec<f32>,
    curves: Vec<BandCurve>,
    sum_db: Vec<f32>,
    /// Each placement some enabled band has (mid, side, left, right, in that order), with the
    /// total response of its part of the image.
    components: Vec<(Placement, Vec<f32>)>,
    /// The EQ view's rectangle in the last frame drawn (for tests and hit-testing).
    pub eq_rect: Option<egui::Rect>,
    /// Set by the reset button; the editor passes it on to the audio thread.
    pub reset_requested: bool,
    /// The header's preset bar.
    pub presets: super::preset_bar::PresetBrowser,
    /// Undo, redo and A/B, once the editor has a host to pass changes to.
    pub history: Option<std::sync::Arc<super::history::History>>,
}

impl Default for EditorModel {
    fn default() -> Self {
        EditorModel::new()
    }
}

impl EditorModel {
    pub fn new() -> EditorModel {
        let ballistics = Ballistics::default();
        let state = MeterState::new(&ballistics);
        let gr = Ballistics {
            floor_db: 0.0,
            ..ballistics
        };
        let (min_hz, max_hz) = (eq_view::MIN_HZ, eq_view::MAX_HZ);
        let ratio = (max_hz / min_hz).powf(1.0 / (CURVE_POINTS - 1) as f32);
        EditorModel {
            frame: None,
            host_status: None,
            meters: MeterDisplays {
                input: [state; 2],
                output: [state; 2],
                compressor_gr: MeterState::new(&gr),
                limiter_gr: MeterState::new(&gr),
            },
            ballistics,
            gr_ballistics: gr,
            dynamics_history: DynamicsHistory::default(),
            clock_s: 0.0,
            peak_max_db: [f32::NEG_INFINITY; 2],
            analyzer: None,
            analyzer_rate_hz: 0.0,
            samples: Vec::new(),
            selected_band: 2,
            q_gesture: None,
            curve_freqs_hz: (0..CURVE_POINTS)
                .map(|k| min_hz * ratio.powi(k as i32))
                .collect(),
            curves: (0..BANDS)
                .map(|_| BandCurve {
                    settings: None,
                    db: None,
                })
                .collect(),
            sum_db: vec![0.0; CURVE_POINTS],
            components: Vec::new(),
            eq_rect: None,
            reset_requested: false,
            presets: Default::default(),
            history: None,
        }
    }

    /// The curve frequencies drawn at the current rate: up to `curve_limit_hz`.
    pub fn drawn_curve_freqs_hz(&self) -> &[f32] {
        let limit = curve_limit_hz(self.sample_rate());
        let n = self.curve_freqs_hz.partition_point(|f| *f <= limit);
        &self.curve_freqs_hz[..n]
    }

    pub fn sample_rate(&self) -> f32 {
        self.frame.map_or(DEFAULT_RATE, |f| f.sample_rate)
    }

    /// Take what the audio thread sent: the newest meter frame (marking it read) and the
    /// analyzer samples; advance the ballistics to `now_s`.
    pub fn poll(&mut self, telemetry: &mut TelemetryReceiver, now_s: f64) {
        self.clock_s = now_s;
        let previous = self.frame;
        self.frame = telemetry.latest();
        match self.frame {
            Some(frame) if previous.is_none_or(|p| p.seq != frame.seq) => {
                self.apply_frame(&frame, now_s)
            }
            // Nothing new from the audio thread (stopped, or between frames): the bars fall.
            _ => self.fall(now_s),
        }
        let rate = self.sample_rate();
        if self.analyzer.is_none() || self.analyzer_rate_hz != rate {
            let max_hz = eq_view::MAX_HZ.min(0.49 * rate);
            self.analyzer = Some(Analyzer::new(
                rate as f64,
                SPECTRUM_BINS,
                eq_view::MIN_HZ as f64,
                max_hz as f64,
            ));
            self.analyzer_rate_hz = rate;
        }
        self.samples.clear();
        telemetry.drain_analyzer(|s| self.samples.push(s));
        if let Some(analyzer) = &mut self.analyzer {
            analyzer.push(self.samples.iter().copied());
        }
    }

    /// Move every bar to `now_s` with these readings (peaks in dBFS, reductions in dB ≥ 0).
    fn update_meters(
        &mut self,
        now_s: f64,
        input_db: [f32; 2],
        output_db: [f32; 2],
        gr_db: [f32; 2],
    ) {
        let (b, gr) = (&self.ballistics, &self.gr_ballistics);
        let m = &mut self.meters;
        for ch in 0..2 {
            m.input[ch].update(b, now_s, input_db[ch]);
            m.output[ch].update(b, now_s, output_db[ch]);
        }
        m.compressor_gr.update(gr, now_s, gr_db[0]);
        m.limiter_gr.update(gr, now_s, gr_db[1]);
    }

    fn apply_frame(&mut self, f: &MeterFrame, now_s: f64) {
        for (max, point) in self.peak_max_db.iter_mut().zip([&f.input, &f.output]) {
            *max = point.true_peak_db.iter().fold(*max, |m, p| m.max(*p));
        }
        let gr = [f.compressor_gr_db, f.limiter_gr_db];
        self.update_meters(now_s, f.input.peak_db, f.output.peak_db, gr);
        self.dynamics_history
            .push(HistoryPoint::from_frame(f, now_s));
    }

    fn fall(&mut self, now_s: f64) {
        self.update_meters(
            now_s,
            [f32::NEG_INFINITY; 2],
            [f32::NEG_INFINITY; 2],
            [0.0; 2],
        );
    }

    /// Whether a meter bar or marker is still falling (the display changes without new signal).
    pub fn is_moving(&self) -> bool {
        let m = &self.meters;
        m.input
            .iter()
            .chain(&m.output)
            .any(|s| s.is_moving(&self.ballistics))
            || [m.compressor_gr, m.limiter_gr]
                .iter()
                .any(|s| s.is_moving(&self.gr_ballistics))
    }

    /// The spectrum of the input and output at the analyzer's display bins.
    pub fn spectrum(&self) -> Option<(&[f32], &[f32], &[f32])> {
        self.analyzer.as_ref().map(|a| {
            (
                a.freqs_hz(),
                a.display_db(Tap::Pre),
                a.display_db(Tap::Post),
            )
        })
    }

    /// Bring the EQ curves up to date with `bands` (the parameters' target settings): a band's
    /// curve is its designed sections' magnitude — the same code the DSP runs.
    pub fn update_curves(&mut self, bands: &[BandSettings; BANDS]) {
        let rate = self.sample_rate();
        let rates = EqRates::for_sample_rate(rate as f64);
        let mut changed = false;
        for (curve, settings) in self.curves.iter_mut().zip(bands) {
            let key = Some((*settings, rate));
            if curve.settings == key {
                continue;
            }
            changed = true;
            curve.settings = key;
            curve.db = settings
                .enabled
                .then(|| band_curve_db(settings, rates, &self.curve_freqs_hz));
        }
        if changed {
            self.update_sums();
        }
    }

    /// The solid total is the stereo bands'; each placement in use adds its own bands to that
    /// for its part of the image. (Where left/right and mid/side bands meet, a part's total is
    /// its own bands' and the stereo ones': the cross terms of mixing domains are not drawn.)
    fn update_sums(&mut self) {
        let total = |of: Placement| -> Vec<f32> {
            let mut sum = vec![0.0; self.curve_freqs_hz.len()];
            let placed = |c: &&BandCurve| {
                c.settings
                    .is_some_and(|(s, _)| s.placement == Placement::Stereo || s.placement == of)
            };
            for db in self
                .curves
                .iter()
                .filter(placed)
                .filter_map(|c| c.db.as_ref())
            {
                for (s, d) in sum.iter_mut().zip(db) {
                    *s += d;
                }
            }
            sum
        };
        self.sum_db = total(Placement::Stereo);
        let used = |p: Placement| {
            self.curves
                .iter()
                .any(|c| c.db.is_some() && c.settings.is_some_and(|(s, _)| s.placement == p))
        };
        self.components = Placement::ALL[1..]
            .iter()
            .filter(|p| used(**p))
            .map(|p| (*p, total(*p)))
            .collect();
    }

    /// The placements in use and their parts' total responses (empty when every band is stereo).
    pub fn components(&self) -> &[(Placement, Vec<f32>)] {
        &self.components
    }

    /// Each band's curve (`None` while the band is off).
    pub fn band_curves(&self) -> [Option<&[f32]>; BANDS] {
        std::array::from_fn(|b| self.curves[b].db.as_deref())
    }

    pub fn sum_db(&self) -> &[f32] {
        &self.sum_db
    }
}

/// The highest frequency a curve is drawn to at `sample_rate_hz`. Within the last 1 % below
/// Nyquist the 2× oversampled EQ's response is its sections' *and* the half-band filters'
/// (their images fold back there), which the curve does not model; there the drawing would
/// err by up to 10 dB (a 48 dB/oct cut at 22 kHz, 44.1 kHz), so it stops short.
pub fn curve_limit_hz(sample_rate_hz: f32) -> f32 {
    0.49 * sample_rate_hz
}

/// A band's response in dB at `freqs_hz`, from the designed sections.
pub fn band_curve_db(settings: &BandSettings, rates: EqRates, freqs_hz: &[f32]) -> Vec<f32> {
    let design = BandDesign::new(settings, rates);
    freqs_hz
        .iter()
        .map(|f| {
            let f = (*f as f64).min(0.499 * rates.base_hz);
            design.magnitude_db(f, rates) as f32
        })
        .collect()
}
