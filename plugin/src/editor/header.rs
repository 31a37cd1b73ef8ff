//! The header: name, the preset bar, bypass (and what it means while on), the UI scale, and the embedding
//! host's status line and the sample rate.

use egui::{Align, RichText, Ui, Vec2};
use nice_plug::prelude::ParamSetter;
use strata_ui::theme;
use strata_ui::toggle::{self, Look};

use super::{EditorModel, history, in_rect, preset_bar, ui_scale};
use crate::params::StrataParams;

pub fn show(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &mut EditorModel) {
    let rect = ui.max_rect();
    ui.painter().rect_filled(rect, 0.0, theme::PANEL);
    in_rect(ui, rect.shrink2(Vec2::new(12.0, 5.0)), |ui| {
        ui.with_layout(egui::Layout::left_to_right(Align::Center), |ui| {
            ui.label(
                RichText::new("STRATA")
                    .size(16.0)
                    .strong()
                    .color(theme::ACCENT),
            );
            ui.label(
                RichText::new("channel strip")
                    .size(11.0)
                    .color(theme::TEXT_DIM),
            );
            ui.add_space(12.0);
            preset_bar::show(ui, params, setter, &mut model.presets);
            if let Some(history) = model.history.clone() {
                ui.add_space(6.0);
                history::ab_buttons(ui, &history, params);
                ui.add_space(6.0);
                history::buttons(ui, &history);
            }
            ui.add_space(12.0);
            let help = "The dry input, latency-aligned and without the input gain, crossfaded in.";
            let bypass = ("Bypass", Look::Labelled);
            toggle::switch(ui, &params.bypass, setter, bypass, theme::WARN, true, help);
            if params.bypass.value() {
                ui.label(
                    RichText::new("BYPASSED: you hear the dry input")
                        .size(12.0)
                        .strong()
                        .color(theme::WARN),
                );
            }
            ui.with_layout(egui::Layout::right_to_left(Align::Center), |ui| {
                ui_scale::choice(ui, params);
                ui.add_space(8.0);
                let rate = model
                    .frame
                    .map(|f| format!("{:.1} kHz", f.sample_rate / 1000.0));
                ui.label(
                    RichText::new(rate.unwrap_or_else(|| "no audio yet".into()))
                        .size(11.0)
                        .color(theme::TEXT_DIM),
                );
                if let Some(status) = &model.host_status {
                    ui.add_space(12.0);
                    ui.add(
                        egui::Label::new(RichText::new(status).size(11.0).color(theme::TEXT))
                            .truncate(),
                    );
                }
            });
        });
    });
}
