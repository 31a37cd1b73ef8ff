//! The EQ section: the response view over the live spectrum, and the strip under it with the
//! band selector and the selected band's controls.

use egui::{Align, Layout, RichText, Stroke, Ui};
use nice_plug::prelude::ParamSetter;
use strata_ui::eq_view::{self, Action, Curves, Node, Spectrum};
use strata_ui::knob::Knob;
use strata_ui::{theme, toggle};

use super::EditorModel;
use crate::dsp::eq::{BANDS, BandSettings};
use crate::params::{EqBandParams, StrataParams};

/// The view's gain range: ±24 dB, the bands' own range.
pub const RANGE_DB: f32 = 24.0;

fn band_settings(params: &StrataParams) -> [BandSettings; BANDS] {
    params.bands().map(EqBandParams::target)
}

/// The bands' nodes in the EQ view, in the bands' colours.
pub fn nodes(bands: &[BandSettings; BANDS]) -> [Node; BANDS] {
    std::array::from_fn(|i| {
        let b = &bands[i];
        Node {
            freq_hz: b.freq_hz as f32,
            gain_db: b.gain_db as f32,
            enabled: b.enabled,
            uses_gain: b.shape.uses_gain(),
            colour: theme::BAND_COLOURS[i],
        }
    })
}

pub fn view(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &mut EditorModel) {
    let bands = band_settings(params);
    model.update_curves(&bands);
    let nodes = nodes(&bands);
    let rect = ui.max_rect();
    model.eq_rect = Some(rect);
    let band_curves = model.band_curves();
    let actions = {
        let curves = Curves {
            freqs_hz: &model.curve_freqs_hz,
            bands_db: &band_curves,
            sum_db: model.sum_db(),
        };
        let spectrum = model
            .spectrum()
            .map(|(freqs_hz, pre_db, post_db)| Spectrum {
                freqs_hz,
                pre_db,
                post_db,
            });
        eq_view::show(
            ui,
            rect.size(),
            RANGE_DB,
            &nodes,
            &curves,
            spectrum.as_ref(),
            Some(model.selected_band),
        )
    };
    let all = params.bands();
    for action in actions {
        apply(action, &all, &nodes, setter, model);
    }
}

/// Turn what the user did in the view into parameter gestures.
fn apply(
    action: Action,
    bands: &[&EqBandParams; BANDS],
    nodes: &[Node],
    setter: &ParamSetter,
    model: &mut EditorModel,
) {
    match action {
        Action::Select(b) => model.selected_band = b,
        Action::BeginDrag(b) => {
            setter.begin_set_parameter(&bands[b].freq);
            if nodes[b].uses_gain {
                setter.begin_set_parameter(&bands[b].gain);
            }
        }
        Action::Drag {
            band,
            freq_hz,
            gain_db,
        } => {
            setter.set_parameter(&bands[band].freq, freq_hz.clamp(10.0, 22_000.0));
            if nodes[band].uses_gain {
                setter.set_parameter(&bands[band].gain, gain_db.clamp(-RANGE_DB, RANGE_DB));
            }
        }
        Action::EndDrag(b) => {
            setter.end_set_parameter(&bands[b].freq);
            if nodes[b].uses_gain {
                setter.end_set_parameter(&bands[b].gain);
            }
        }
        Action::BeginQ(b) => {
            setter.begin_set_parameter(&bands[b].q);
            model.q_gesture = Some(b);
        }
        Action::ScaleQ { band, factor } => {
            let q = &bands[band].q;
            let inside = model.q_gesture == Some(band);
            if !inside {
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
            setter.begin_set_parameter(on);
            setter.set_parameter(on, !on.value());
            setter.end_set_parameter(on);
        }
    }
}

/// Band selector and the selected band's controls.
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
                if ui
                    .add(button)
                    .on_hover_text(format!("Band {}", i + 1))
                    .clicked()
                {
                    model.selected_band = i;
                }
            }
            ui.separator();
            let i = model.selected_band;
            let band = bands[i];
            let colour = theme::BAND_COLOURS[i];
            ui.vertical(|ui| {
                toggle::toggle(ui, &band.enabled, setter, "On", colour);
                toggle::choice(ui, &band.shape, setter, "Type", 92.0);
                if band.shape.value().uses_slope() {
                    toggle::choice(ui, &band.slope, setter, "Slope", 92.0);
                }
            });
            ui.add_space(8.0);
            let shape = band.shape.value();
            Knob::new(&band.freq, setter, "Freq")
                .colour(colour)
                .show(ui);
            if shape.uses_gain() {
                Knob::new(&band.gain, setter, "Gain")
                    .colour(colour)
                    .show(ui);
            }
            if shape.uses_q() {
                Knob::new(&band.q, setter, "Q").colour(colour).show(ui);
            }
        });
    });
}
