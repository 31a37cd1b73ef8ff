//! The EQ section: a toolbar (display range, spectrum tilt), the response view over the live
//! spectrum, and the strip under it with the band selector and the selected band's controls.
//!
//! The band model is the one a Pro-Q user expects, kept entirely in the parameters: a band is
//! *in use* when it is on or set up (off but away from its defaults: bypassed); only bands in
//! use have a node. A click on empty graph space takes a free band; moving, typing into or
//! choosing a type for a band that is off switches it on; deleting switches it off and resets
//! it, which frees it.

mod bands;
mod strip;

use std::sync::atomic::Ordering;

use egui::{Align, Layout, Rect, RichText, Ui, UiBuilder, Vec2};
use nice_plug::prelude::Enum;
use nice_plug::prelude::{FloatParam, Param, ParamSetter};
use strata_ui::eq_view::{
    self, Action, Component, Content, Curves, Node, Readout, Settings, Spectrum,
};
use strata_ui::theme;

use bands::{add, band_menu, set, switch_on};
pub use bands::{band_to_add, in_use};
pub use strip::band_strip;

use super::EditorModel;
use crate::dsp::eq::{BANDS, Placement};
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
            badge: placement_badge(b.placement.value()),
        }
    })
}

/// A placement's display name, as its parameter shows it.
fn placement_name(placement: Placement) -> &'static str {
    Placement::variants()[placement.to_index()]
}

/// The letter a placed band's node wears.
pub fn placement_badge(placement: Placement) -> Option<char> {
    match placement {
        Placement::Stereo => None,
        Placement::Mid => Some('M'),
        Placement::Side => Some('S'),
        Placement::Left => Some('L'),
        Placement::Right => Some('R'),
    }
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
        if b.placement.value() != Placement::Stereo {
            text += &format!("  {}", b.placement);
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
    let components: Vec<Component> = model
        .components()
        .iter()
        .map(|(placement, db)| Component {
            name: placement_name(*placement),
            colour: theme::PLACEMENT_COLOURS[placement.to_index() - 1],
            db,
        })
        .collect();
    let actions = {
        let curves = Curves {
            freqs_hz: model.drawn_curve_freqs_hz(),
            bands_db: &band_curves,
            sum_db: model.sum_db(),
            components: &components,
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
            if let Some(b) = add(setter, params, freq_hz, gain_db, range_db) {
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
            // The parameters' own ranges bound the values; the gain also stays in view.
            setter.set_parameter(&bands[band].freq, freq_hz);
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
            setter.set_parameter(q, q.value() * factor);
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
