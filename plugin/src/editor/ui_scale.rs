//! The editor's scale (75–200 %), chosen in the header and kept with the plugin's state. It is
//! egui's zoom factor: egui-baseview resizes the window with it, so the layout keeps its size
//! in points and text stays at least 11 px at 100 %.

use std::sync::atomic::Ordering;

use egui::{ComboBox, RichText, Ui, Vec2, ViewportCommand};

use super::MIN_SIZE;
use crate::params::StrataParams;

/// The scales offered, in percent.
pub const SCALES_PERCENT: [u32; 6] = [75, 100, 125, 150, 175, 200];

/// The stored scale as a zoom factor (the nearest offered one, should a state hold another).
pub fn factor(params: &StrataParams) -> f32 {
    let stored = params.ui_scale_percent.load(Ordering::Relaxed);
    let nearest = SCALES_PERCENT
        .into_iter()
        .min_by_key(|s| s.abs_diff(stored))
        .unwrap_or(100);
    nearest as f32 / 100.0
}

/// How long after a scale change the window is left to follow it before the minimum-size
/// check: the resize egui-baseview asks for arrives frames later.
const SETTLE_S: f64 = 0.5;

/// Bring egui's zoom to the stored scale; and should the window have become smaller than the
/// minimum layout at this scale (and not just be on its way to the new size), ask for the
/// minimum back.
pub fn apply(ui: &Ui, params: &StrataParams) {
    let ctx = ui.ctx();
    let changed_id = ui.scope_id().with("ui-scale-changed-at");
    let now_s = ctx.input(|i| i.time);
    let wanted = factor(params);
    if ctx.zoom_factor() != wanted {
        ctx.set_zoom_factor(wanted);
        ctx.data_mut(|d| d.insert_temp(changed_id, now_s));
        ctx.request_repaint();
        return;
    }
    let changed_at: f64 = ctx
        .data(|d| d.get_temp(changed_id))
        .unwrap_or(f64::NEG_INFINITY);
    if now_s - changed_at < SETTLE_S {
        ctx.request_repaint_after(std::time::Duration::from_secs_f64(SETTLE_S));
        return;
    }
    let size = ui.max_rect().size();
    let min = Vec2::new(MIN_SIZE.0, MIN_SIZE.1);
    if size.x < min.x - 0.5 || size.y < min.y - 0.5 {
        ctx.send_viewport_cmd(ViewportCommand::InnerSize(size.max(min)));
    }
}

/// The header's scale menu.
pub fn choice(ui: &mut Ui, params: &StrataParams) {
    let current = (factor(params) * 100.0).round() as u32;
    ComboBox::from_id_salt("ui-scale")
        .selected_text(RichText::new(format!("UI {current}%")).size(11.0))
        .width(76.0)
        .show_ui(ui, |ui| {
            for s in SCALES_PERCENT {
                if ui.selectable_label(s == current, format!("{s}%")).clicked() {
                    params.ui_scale_percent.store(s, Ordering::Relaxed);
                }
            }
        })
        .response
        .on_hover_text("Size of the whole editor (the window grows or shrinks with it)");
}
