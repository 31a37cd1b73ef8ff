//! Input and output meters (peak bars with hold and RMS marks, latched peak boxes), the
//! loudness readouts and their reset, and the input/output gain knobs. IN measures where the
//! stages start (after the input gain), OUT what leaves the plugin.

use egui::{Align, Grid, Layout, RichText, Ui, Vec2};
use nice_plug::prelude::ParamSetter;
use strata_ui::knob::Knob;
use strata_ui::meter::{Bar, level_meter};
use strata_ui::theme;

use super::{EditorModel, section};
use crate::params::StrataParams;

/// A reading for display: one decimal, or a dash where there is none yet.
pub fn reading(value: Option<f32>) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format!("{v:.1}"),
        None => "—".to_string(),
    }
}

pub fn show(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &mut EditorModel) {
    section(ui, "METERS", |ui| {
        let width = ui.available_width();
        let height = (ui.available_height() - 250.0).max(150.0);
        let rms = |f: Option<&[f32; 2]>, ch: usize| f.map(|r| r[ch]);
        let frame = model.frame;
        let input_rms = frame.map(|f| f.input.rms_db);
        let output_rms = frame.map(|f| f.output.rms_db);
        ui.horizontal(|ui| {
            let size = Vec2::new(width / 2.0 - 4.0, height);
            let bars = |states: &[strata_ui::ballistics::MeterState; 2],
                        r: Option<[f32; 2]>|
             -> [Bar; 2] {
                std::array::from_fn(|ch| Bar {
                    level_db: states[ch].level_db,
                    hold_db: states[ch].hold_db,
                    rms_db: rms(r.as_ref(), ch),
                })
            };
            // While bypassed OUT is the dry input: the label says so.
            let out = if params.bypass.value() {
                "OUT (dry)"
            } else {
                "OUT"
            };
            let points = [
                ("IN", &model.meters.input, input_rms),
                (out, &model.meters.output, output_rms),
            ];
            for (k, (label, states, rms)) in points.into_iter().enumerate() {
                if level_meter(ui, size, label, &bars(states, rms), model.peak_max_db[k]) {
                    model.peak_max_db[k] = f32::NEG_INFINITY;
                }
            }
        });
        ui.add_space(6.0);
        let (input, output) = (frame.map(|f| f.input), frame.map(|f| f.output));
        Grid::new("loudness").num_columns(3).spacing([10.0, 3.0]).show(ui, |ui| {
            let head = |t: &str| RichText::new(t).size(11.0).color(theme::TEXT_DIM);
            ui.label(head(""));
            ui.label(head("IN"));
            ui.label(head("OUT"));
            ui.end_row();
            let row = |ui: &mut Ui, name: &str, get: &dyn Fn(&crate::dsp::meter::PointReadings) -> Option<f32>| {
                ui.label(RichText::new(name).size(11.0).color(theme::TEXT_DIM));
                for point in [input, output] {
                    let text = reading(point.as_ref().and_then(get));
                    ui.label(RichText::new(text).size(12.0).monospace().color(theme::TEXT));
                }
                ui.end_row();
            };
            row(ui, "Momentary LUFS", &|p| Some(p.momentary_lufs));
            row(ui, "Short-term LUFS", &|p| Some(p.short_term_lufs));
            row(ui, "Integrated LUFS", &|p| p.integrated_lufs);
            row(ui, "Range LU", &|p| p.loudness_range_lu);
            row(ui, "True peak dBTP", &|p| Some(p.true_peak_max_db));
        });
        ui.add_space(4.0);
        if ui
            .button(RichText::new("Reset loudness").size(11.0))
            .on_hover_text("Restart integrated loudness, loudness range and the maxima")
            .clicked()
        {
            model.reset_requested = true;
        }
        ui.with_layout(Layout::left_to_right(Align::Max), |ui| {
            Knob::new(&params.input_gain, setter, "Input").show(ui);
            Knob::new(&params.output_gain, setter, "Output").show(ui);
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_show_one_decimal_or_a_dash() {
        assert_eq!(reading(Some(-23.04)), "-23.0");
        assert_eq!(reading(Some(f32::NEG_INFINITY)), "—");
        assert_eq!(reading(None), "—");
    }
}
