//! The EQ section: a toolbar (display range, spectrum tilt), the response view over the live
//! spectrum, and the strip under it with the band selector and the selected band's controls.
//!
//! The band model is the one a Pro-Q user expects, kept entirely in the parameters: a band is
//! *in use* when it is on or set up (off but away from its defaults: bypassed); only bands in
//! use have a node. A click on empty graph space takes a free band; moving, typing into or
//! choosing a type for a band that is off switches it on; deleting switches it off and resets
//! it, which frees it.

use std::sync::atomic::Ordering;

use egui::{Align, Layout, Rect, RichText, Stroke, Ui, UiBuilder, Vec2};
use nice_plug::prelude::{FloatParam, Param, ParamSetter};
use strata_ui::eq_view::{self, Action, Content, Curves, Node, Readout, Settings, Spectrum};
use strata_ui::knob::Knob;
use strata_ui::theme;
use strata_ui::toggle::{self, Look};

use super::EditorModel;
use crate::dsp::eq::{BANDS, Shape};
use crate::params::{EqBandParams, StrataParams};

/// Height of the toolbar above the graph.
const TOOLBAR_HEIGHT: f32 = 24.0;
/// The spectrum's two points, named for where they are taken.
pub const SPECTRUM_NAMES: [&str; 2] = ["EQ in", "EQ out"];

/// The view's display range (± dB), one of the offered ones.
pub fn range_db(params: &StrataParams) -> f32 {
    let stored = params.eq_range_db.load(Ordering::Relaxed) as f32;
    eq_view::RANGES_DB
        .into_iter()
        .min_by(|a, b| (a - stored).abs().total_cmp(&(b - stored).abs()))
        .unwrap_or(12.0)
}

/// Whether a band is on or set up (off, but not at its defaults).
pub fn in_use(band: &EqBandParams) -> bool {
    fn moved(p: &impl Param) -> bool {
        (p.unmodulated_normalized_value() - p.default_normalized_value()).abs() > 1e-6
    }
    band.enabled.value()
        || moved(&band.shape)
        || moved(&band.freq)
        || moved(&band.gain)
        || moved(&band.q)
        || moved(&band.slope)
}

/// The bands' nodes in the EQ view, in the bands' colours.
pub fn nodes(params: &StrataParams) -> [Node; BANDS] {
    let bands = params.bands();
    std::array::from_fn(|i| {
        let b = bands[i];
        Node {
            freq_hz: b.freq.value(),
            gain_db: b.gain.value(),
            enabled: b.enabled.value(),
            in_use: in_use(b),
            uses_gain: b.shape.value().uses_gain(),
            colour: theme::BAND_COLOURS[i],
        }
    })
}

/// The free band a click at `freq_hz` takes, and the type it gets: a low cut at the bottom of
/// the range, a high cut at the top, a bell between. A free band whose own default is that
/// type and nearest in frequency is preferred; else the nearest free band changes type.
pub fn band_to_add(params: &StrataParams, freq_hz: f32) -> Option<(usize, Shape)> {
    let fitting = match freq_hz {
        f if f < 40.0 => Shape::LowCut,
        f if f > 15_000.0 => Shape::HighCut,
        _ => Shape::Bell,
    };
    let distance = |b: &EqBandParams| (b.freq.default_plain_value() / freq_hz).ln().abs();
    let bands = params.bands();
    let free = || bands.iter().enumerate().filter(|(_, b)| !in_use(b));
    let nearest = |candidates: Vec<(usize, &&EqBandParams)>| {
        candidates
            .into_iter()
            .min_by(|a, b| distance(a.1).total_cmp(&distance(b.1)))
            .map(|(i, _)| i)
    };
    let same_type: Vec<_> = free()
        .filter(|(_, b)| b.shape.default_plain_value() == fitting)
        .collect();
    nearest(same_type)
        .or_else(|| nearest(free().collect()))
        .map(|i| (i, fitting))
}

/// Set `param` to `plain` as one gesture.
fn set<P: Param>(setter: &ParamSetter, param: &P, plain: P::Plain) {
    setter.begin_set_parameter(param);
    setter.set_parameter(param, plain);
    setter.end_set_parameter(param);
}

/// Switch a band on (one gesture) if it is off: what any edit of an off band does.
fn switch_on(setter: &ParamSetter, band: &EqBandParams) {
    if !band.enabled.value() {
        set(setter, &band.enabled, true);
    }
}

/// Switch a band off and return every setting to its default: the band is free again.
fn delete(setter: &ParamSetter, band: &EqBandParams) {
    set(setter, &band.enabled, false);
    set(setter, &band.shape, band.shape.default_plain_value());
    set(setter, &band.freq, band.freq.default_plain_value());
    set(setter, &band.gain, band.gain.default_plain_value());
    set(setter, &band.q, band.q.default_plain_value());
    set(setter, &band.slope, band.slope.default_plain_value());
}

/// A band taken for a click at (`freq_hz`, `gain_db`): reset, given the fitting type and the
/// clicked place, switched on.
fn add(setter: &ParamSetter, params: &StrataParams, freq_hz: f32, gain_db: f32, range_db: f32) {
    let Some((i, shape)) = band_to_add(params, freq_hz) else {
        return;
    };
    let band = params.bands()[i];
    delete(setter, band);
    set(setter, &band.shape, shape);
    set(setter, &band.freq, freq_hz.clamp(10.0, 22_000.0));
    if shape.uses_gain() {
        set(setter, &band.gain, gain_db.clamp(-range_db, range_db));
    }
    set(setter, &band.enabled, true);
}

/// The text beside a node: the band's values as its parameters print them.
struct BandReadout<'a> {
    bands: [&'a EqBandParams; BANDS],
}

impl Readout for BandReadout<'_> {
    fn band(&self, band: usize) -> String {
        let b = self.bands[band];
        let shape = b.shape.value();
        let mut text = format!("{}  {}", band + 1, b.freq);
        if shape.uses_gain() {
            text += &format!("  {}", b.gain);
        }
        if shape.uses_q() {
            text += &format!("  Q {}", b.q);
        }
        if shape.uses_slope() {
            text += &format!("  {}", b.slope);
        }
        if !b.enabled.value() {
            text += "  (off)";
        }
        text
    }

    fn point(&self, freq_hz: f32, gain_db: f32) -> String {
        let (freq, gain) = (&self.bands[0].freq, &self.bands[0].gain);
        let text =
            |p: &FloatParam, v: f32| p.normalized_value_to_string(p.preview_normalized(v), true);
        format!("+  {}  {}", text(freq, freq_hz), text(gain, gain_db))
    }
}

pub fn view(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &mut EditorModel) {
    let all = params.bands();
    model.update_curves(&all.map(EqBandParams::target));
    let nodes = nodes(params);
    let rect = ui.max_rect();
    let toolbar_rect = Rect::from_min_size(rect.min, Vec2::new(rect.width(), TOOLBAR_HEIGHT));
    let graph = Rect::from_min_max(
        egui::Pos2::new(rect.left(), toolbar_rect.bottom() + 2.0),
        rect.max,
    );
    ui.scope_builder(UiBuilder::new().max_rect(toolbar_rect), |ui| {
        toolbar(ui, params, &nodes)
    });
    model.eq_rect = Some(graph);
    let range_db = range_db(params);
    let settings = Settings {
        range_db,
        tilt_db_per_octave: if params.spectrum_tilt.load(Ordering::Relaxed) {
            eq_view::TILT_DB_PER_OCTAVE
        } else {
            0.0
        },
        can_add: nodes.iter().any(|n| !n.in_use),
    };
    let band_curves = model.band_curves();
    let actions = {
        let curves = Curves {
            freqs_hz: model.drawn_curve_freqs_hz(),
            bands_db: &band_curves,
            sum_db: model.sum_db(),
        };
        let spectrum = model
            .spectrum()
            .map(|(freqs_hz, pre_db, post_db)| Spectrum {
                freqs_hz,
                pre_db,
                post_db,
                names: SPECTRUM_NAMES,
            });
        let content = Content {
            nodes: &nodes,
            curves: &curves,
            spectrum: spectrum.as_ref(),
            selected: Some(model.selected_band),
        };
        let readout = BandReadout { bands: all };
        ui.scope_builder(UiBuilder::new().max_rect(graph), |ui| {
            eq_view::show(ui, graph.size(), &settings, &content, &readout, |ui, b| {
                band_menu(ui, all[b], setter)
            })
        })
        .inner
    };
    if !actions.is_empty() {
        // The nodes and readouts were drawn before these changes: show them at once.
        ui.ctx().request_repaint();
    }
    for action in actions {
        apply(action, params, setter, model, range_db);
    }
}

/// Display range and spectrum options, and how many bands are in use.
fn toolbar(ui: &mut Ui, params: &StrataParams, nodes: &[Node; BANDS]) {
    ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
        ui.label(RichText::new("EQ").size(12.0).strong().color(theme::TEXT));
        let used = nodes.iter().filter(|n| n.in_use).count();
        ui.label(
            RichText::new(format!("{used} of {BANDS} bands · click the graph to add"))
                .size(11.0)
                .color(theme::TEXT_DIM),
        );
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            let tilt = params.spectrum_tilt.load(Ordering::Relaxed);
            let text = format!("Tilt {} dB/oct", eq_view::TILT_DB_PER_OCTAVE);
            if ui
                .selectable_label(tilt, RichText::new(text).size(11.0))
                .on_hover_text("Show the spectrum tilted so that pink noise reads flat")
                .clicked()
            {
                params.spectrum_tilt.store(!tilt, Ordering::Relaxed);
            }
            ui.add_space(8.0);
            let current = range_db(params);
            for r in eq_view::RANGES_DB.iter().rev() {
                let label = RichText::new(format!("±{r:.0}")).size(11.0);
                if ui
                    .selectable_label(current == *r, label)
                    .on_hover_text("EQ display range (dB)")
                    .clicked()
                {
                    params.eq_range_db.store(*r as u32, Ordering::Relaxed);
                }
            }
            ui.label(RichText::new("Range").size(11.0).color(theme::TEXT_DIM));
        });
    });
}

/// A node's right-click menu: type, slope, on/off, delete.
fn band_menu(ui: &mut Ui, band: &EqBandParams, setter: &ParamSetter) {
    ui.label(RichText::new("Type").size(11.0).color(theme::TEXT_DIM));
    let current = band.shape.value();
    for shape in Shape::ALL {
        let name = band
            .shape
            .normalized_value_to_string(band.shape.preview_normalized(shape), false);
        if ui.selectable_label(shape == current, name).clicked() {
            set(setter, &band.shape, shape);
            switch_on(setter, band);
            ui.close();
        }
    }
    if current.uses_slope() {
        ui.separator();
        ui.label(RichText::new("Slope").size(11.0).color(theme::TEXT_DIM));
        for (n, name) in toggle::entries(&band.slope) {
            let on = (band.slope.unmodulated_normalized_value() - n).abs() < 1e-4;
            if ui.selectable_label(on, name).clicked() {
                set(setter, &band.slope, band.slope.preview_plain(n));
                switch_on(setter, band);
                ui.close();
            }
        }
    }
    ui.separator();
    let on = band.enabled.value();
    if ui
        .button(if on { "Switch off" } else { "Switch on" })
        .clicked()
    {
        set(setter, &band.enabled, !on);
        ui.close();
    }
    if ui.button("Delete band").clicked() {
        delete(setter, band);
        ui.close();
    }
}

/// Turn what the user did in the view into parameter gestures.
fn apply(
    action: Action,
    params: &StrataParams,
    setter: &ParamSetter,
    model: &mut EditorModel,
    range_db: f32,
) {
    let bands = params.bands();
    let uses_gain = |b: usize| bands[b].shape.value().uses_gain();
    match action {
        Action::Select(b) => model.selected_band = b,
        Action::Add { freq_hz, gain_db } => {
            if let Some((b, _)) = band_to_add(params, freq_hz) {
                add(setter, params, freq_hz, gain_db, range_db);
                model.selected_band = b;
            }
        }
        Action::BeginDrag(b) => {
            switch_on(setter, bands[b]);
            setter.begin_set_parameter(&bands[b].freq);
            if uses_gain(b) {
                setter.begin_set_parameter(&bands[b].gain);
            }
        }
        Action::Drag {
            band,
            freq_hz,
            gain_db,
        } => {
            setter.set_parameter(&bands[band].freq, freq_hz.clamp(10.0, 22_000.0));
            if uses_gain(band) {
                setter.set_parameter(&bands[band].gain, gain_db.clamp(-range_db, range_db));
            }
        }
        Action::EndDrag(b) => {
            setter.end_set_parameter(&bands[b].freq);
            if uses_gain(b) {
                setter.end_set_parameter(&bands[b].gain);
            }
        }
        Action::BeginQ(b) => {
            switch_on(setter, bands[b]);
            setter.begin_set_parameter(&bands[b].q);
            model.q_gesture = Some(b);
        }
        Action::ScaleQ { band, factor } => {
            let q = &bands[band].q;
            let inside = model.q_gesture == Some(band);
            if !inside {
                switch_on(setter, bands[band]);
                setter.begin_set_parameter(q);
            }
            setter.set_parameter(q, (q.value() * factor).clamp(0.1, 18.0));
            if !inside {
                setter.end_set_parameter(q);
            }
        }
        Action::EndQ(b) => {
            setter.end_set_parameter(&bands[b].q);
            model.q_gesture = None;
        }
        Action::ToggleEnabled(b) => {
            let on = &bands[b].enabled;
            set(setter, on, !on.value());
        }
    }
}

/// Band selector and the selected band's controls. Any edit of a band that is off switches it
/// on: a user who turns a knob wants to hear it.
pub fn band_strip(
    ui: &mut Ui,
    params: &StrataParams,
    setter: &ParamSetter,
    model: &mut EditorModel,
) {
    super::section(ui, "", |ui| {
        ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
            let bands = params.bands();
            for (i, band) in bands.iter().enumerate() {
                let colour = theme::BAND_COLOURS[i];
                let on = band.enabled.value();
                let text = RichText::new(format!("{}", i + 1))
                    .size(13.0)
                    .strong()
                    .color(if on { colour } else { theme::TEXT_DIM });
                let selected = model.selected_band == i;
                let button = egui::Button::new(text)
                    .min_size(egui::Vec2::new(26.0, 26.0))
                    .fill(if selected {
                        theme::PANEL_RAISED
                    } else {
                        theme::PANEL
                    })
                    .stroke(Stroke::new(
                        if selected { 2.0 } else { 1.0 },
                        if selected { colour } else { theme::GRID },
                    ));
                let state = match (on, in_use(band)) {
                    (true, _) => "on",
                    (false, true) => "off (set up)",
                    (false, false) => "free",
                };
                if ui
                    .add(button)
                    .on_hover_text(format!("Band {}: {state}", i + 1))
                    .clicked()
                {
                    model.selected_band = i;
                }
            }
            ui.separator();
            let i = model.selected_band;
            let band = bands[i];
            let colour = theme::BAND_COLOURS[i];
            let mut edited = false;
            ui.vertical(|ui| {
                let help = "Switches the band in; off, its settings stay (a bypassed band).";
                toggle::switch(
                    ui,
                    &band.enabled,
                    setter,
                    ("On", Look::Power),
                    colour,
                    true,
                    help,
                );
                let help = "The band's filter shape; choosing one switches the band on.";
                edited |= toggle::choice(ui, &band.shape, setter, help, 92.0).changed();
                // The slope's place stays taken for shapes without one: the strip does not
                // rearrange itself when the type changes.
                let slope = band.shape.value().uses_slope();
                ui.add_enabled_ui(slope, |ui| {
                    let help = "Steepness of the cut.";
                    edited |= toggle::choice(ui, &band.slope, setter, help, 92.0).changed();
                });
            });
            ui.add_space(8.0);
            // Every knob keeps its place; one the shape does not use is faded and says so.
            let shape = band.shape.value();
            let knob = |p, label, used: bool, help| {
                Knob::new(p, setter, label)
                    .colour(colour)
                    .effective(used)
                    .help(help)
            };
            edited |= knob(
                &band.freq,
                "Freq",
                true,
                "The band's centre or corner frequency.",
            )
            .show(ui)
            .changed();
            let help = "Boost or cut (bells, shelves, tilt).";
            edited |= knob(&band.gain, "Gain", shape.uses_gain(), help)
                .show(ui)
                .changed();
            let help = "Width: higher is narrower (bells, notch, band pass) or steeper (shelves).";
            edited |= knob(&band.q, "Q", shape.uses_q(), help).show(ui).changed();
            if edited {
                switch_on(setter, band);
            }
        });
    });
}
