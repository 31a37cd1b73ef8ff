//! Compressor and limiter sections: their knobs and switches, the compressor's static curve
//! with the live operating point, and both gain-reduction meters.

use egui::{Align, Layout, Rect, Ui, Vec2};
use nice_plug::prelude::ParamSetter;
use strata_ui::knob::Knob;
use strata_ui::meter::gain_reduction_meter;
use strata_ui::transfer::transfer_curve;
use strata_ui::{theme, toggle};

use super::{EditorModel, in_rect, section};
use crate::params::StrataParams;

pub fn show(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &mut EditorModel) {
    let rect = ui.max_rect();
    let gap = 8.0;
    let split = rect.left() + (rect.width() - gap) * 0.68;
    let comp = Rect::from_min_max(rect.min, egui::pos2(split, rect.bottom()));
    let lim = Rect::from_min_max(egui::pos2(split + gap, rect.top()), rect.max);
    in_rect(ui, comp, |ui| compressor(ui, params, setter, model));
    in_rect(ui, lim, |ui| limiter(ui, params, setter, model));
}

fn compressor(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &EditorModel) {
    let c = &params.comp;
    section(ui, "COMPRESSOR", |ui| {
        let area = ui.available_rect_before_wrap();
        let side = (area.height() - 4.0).min(150.0);
        let meter_width = 36.0;
        let controls = Rect::from_min_max(
            area.min,
            egui::pos2(area.right() - side - meter_width - 16.0, area.bottom()),
        );
        let curve = Rect::from_min_size(
            egui::pos2(controls.right() + 8.0, area.top()),
            Vec2::splat(side),
        );
        let meter = Rect::from_min_size(
            egui::pos2(curve.right() + 8.0, area.top()),
            Vec2::new(meter_width, side),
        );
        in_rect(ui, controls, |ui| {
            ui.horizontal(|ui| {
                toggle::toggle(ui, &c.enabled, setter, "On", theme::ACCENT);
                toggle::toggle(ui, &c.auto_makeup, setter, "Auto makeup", theme::ACCENT);
                toggle::choice(ui, &c.detector, setter, "Detector", 58.0);
                toggle::choice(ui, &c.sidechain_source, setter, "Sidechain", 72.0);
            });
            ui.horizontal_wrapped(|ui| {
                Knob::new(&c.threshold, setter, "Threshold").show(ui);
                Knob::new(&c.ratio, setter, "Ratio").show(ui);
                Knob::new(&c.knee, setter, "Knee").show(ui);
                Knob::new(&c.attack, setter, "Attack").show(ui);
                Knob::new(&c.release, setter, "Release").show(ui);
                Knob::new(&c.makeup, setter, "Makeup").show(ui);
                Knob::new(&c.mix, setter, "Mix").show(ui);
                Knob::new(&c.stereo_link, setter, "Link").show(ui);
                Knob::new(&c.sidechain_hpf, setter, "SC HPF").show(ui);
            });
        });
        // The static curve from the same formula the compressor runs, makeup included.
        let settings = c.target();
        let makeup = settings.total_makeup_db();
        let curve_fn = move |input: f32| {
            let i = input as f64;
            (i + settings.static_gain_db(i) + makeup) as f32
        };
        let level = model
            .frame
            .map(|f| f.compressor_level_db)
            .filter(|l| l.is_finite() && settings.enabled);
        in_rect(ui, curve, |ui| {
            transfer_curve(
                ui,
                side,
                -60.0,
                &curve_fn,
                settings.threshold_db as f32,
                level,
            );
        });
        in_rect(ui, meter, |ui| {
            let gr = &model.meters.compressor_gr;
            gain_reduction_meter(ui, meter.size(), "GR", gr.level_db, gr.hold_db);
        });
    });
}

fn limiter(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &EditorModel) {
    let l = &params.limiter;
    section(ui, "LIMITER", |ui| {
        let area = ui.available_rect_before_wrap();
        let meter_width = 36.0;
        let controls = Rect::from_min_max(
            area.min,
            egui::pos2(area.right() - meter_width - 8.0, area.bottom()),
        );
        let meter = Rect::from_min_max(egui::pos2(controls.right() + 8.0, area.top()), area.max);
        in_rect(ui, controls, |ui| {
            ui.horizontal(|ui| {
                toggle::toggle(ui, &l.enabled, setter, "On", theme::ACCENT);
                toggle::toggle(ui, &l.true_peak, setter, "True peak", theme::ACCENT);
            });
            ui.with_layout(
                Layout::left_to_right(Align::Min).with_main_wrap(true),
                |ui| {
                    Knob::new(&l.ceiling, setter, "Ceiling").show(ui);
                    Knob::new(&l.release, setter, "Release").show(ui);
                    Knob::new(&l.lookahead, setter, "Lookahead").show(ui);
                },
            );
        });
        in_rect(ui, meter, |ui| {
            let gr = &model.meters.limiter_gr;
            gain_reduction_meter(ui, meter.size(), "GR", gr.level_db, gr.hold_db);
        });
    });
}
