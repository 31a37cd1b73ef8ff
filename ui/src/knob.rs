//! A rotary knob bound to a nice-plug parameter.
//!
//! Drag up/down to turn it (hold Shift for fine steps), scroll over it, double-click to return
//! to the default, click the value under it to type one (parsed by the parameter's own text
//! conversion). Every change goes through the `ParamSetter` as a begin/set/end gesture, so
//! hosts record automation.

use egui::{Align2, Color32, FontId, Key, Pos2, Response, Sense, Shape, Stroke, Ui, Vec2};
use nice_plug::prelude::{Param, ParamSetter};

use crate::theme;

/// Sweep of the knob: from −135° (minimum) to +135° (maximum), 0° pointing up.
pub const SWEEP_DEGREES: f32 = 270.0;
/// Vertical drag, in pixels, that covers the whole range.
pub const DRAG_PIXELS: f32 = 200.0;
/// Fine drag is this much slower.
pub const FINE_FACTOR: f32 = 0.1;
/// Normalized change per scroll notch (about 50 px of smooth scroll).
pub const SCROLL_STEP: f32 = 0.02;

/// Angle (radians, clockwise from straight up) of a normalized value.
pub fn angle_for(normalized: f32) -> f32 {
    (normalized.clamp(0.0, 1.0) - 0.5) * SWEEP_DEGREES.to_radians()
}

/// The normalized value after dragging `dy` pixels (down is positive) from `start`.
pub fn dragged(start: f32, dy: f32, fine: bool) -> f32 {
    let scale = if fine { FINE_FACTOR } else { 1.0 };
    (start - dy / DRAG_PIXELS * scale).clamp(0.0, 1.0)
}

/// The normalized value after scrolling `scroll_y` pixels (up is positive).
pub fn scrolled(start: f32, scroll_y: f32, fine: bool) -> f32 {
    let scale = if fine { FINE_FACTOR } else { 1.0 };
    (start + scroll_y / 50.0 * SCROLL_STEP * scale).clamp(0.0, 1.0)
}

pub struct Knob<'a, P: Param> {
    param: &'a P,
    setter: &'a ParamSetter<'a>,
    label: &'a str,
    diameter: f32,
    colour: Color32,
    help: &'a str,
    effective: bool,
}

impl<'a, P: Param> Knob<'a, P> {
    pub fn new(param: &'a P, setter: &'a ParamSetter<'a>, label: &'a str) -> Self {
        Knob {
            param,
            setter,
            label,
            diameter: 40.0,
            colour: theme::ACCENT,
            help: "",
            effective: true,
        }
    }

    /// What the control does, for its tooltip.
    pub fn help(mut self, help: &'a str) -> Self {
        self.help = help;
        self
    }

    /// Drawn faded when false: its stage is off, so turning it changes nothing audible.
    pub fn effective(mut self, effective: bool) -> Self {
        self.effective = effective;
        self
    }

    pub fn diameter(mut self, diameter: f32) -> Self {
        self.diameter = diameter;
        self
    }

    pub fn colour(mut self, colour: Color32) -> Self {
        self.colour = colour;
        self
    }

    /// Set a normalized value as one gesture (snapped to the parameter's steps).
    fn set_once(&self, normalized: f32) {
        self.setter.begin_set_parameter(self.param);
        self.set(normalized);
        self.setter.end_set_parameter(self.param);
    }

    fn set(&self, normalized: f32) {
        let plain = self.param.preview_plain(normalized);
        self.setter.set_parameter(self.param, plain);
    }

    pub fn show(self, ui: &mut Ui) -> Response {
        let width = self.diameter.max(56.0);
        let text_height = 14.0;
        let size = Vec2::new(width, text_height + self.diameter + 4.0 + text_height);
        let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
        let id = ui.scope_id().with(("knob", self.param.name()));
        let knob_rect = egui::Rect::from_center_size(
            Pos2::new(
                rect.center().x,
                rect.top() + text_height + self.diameter / 2.0,
            ),
            Vec2::splat(self.diameter),
        );
        let mut response = ui.interact(knob_rect, id, Sense::click_and_drag());
        let fine = ui.input(|i| i.modifiers.shift);

        // Dragging accumulates an unsnapped value, so slow drags move stepped parameters too.
        let drag_id = id.with("drag");
        if response.drag_started() {
            self.setter.begin_set_parameter(self.param);
            let start = self.param.unmodulated_normalized_value();
            ui.memory_mut(|m| m.data.insert_temp(drag_id, start));
        }
        if response.dragged() {
            let start: f32 = ui.memory(|m| m.data.get_temp(drag_id)).unwrap_or(0.0);
            let value = dragged(start, response.drag_delta().y, fine);
            ui.memory_mut(|m| m.data.insert_temp(drag_id, value));
            self.set(value);
            response.mark_changed();
        }
        if response.drag_stopped() {
            self.setter.end_set_parameter(self.param);
        }
        if response.double_clicked() {
            self.set_once(self.param.default_normalized_value());
            response.mark_changed();
        }
        if response.hovered() {
            let scroll = ui.input(|i| i.smooth_scroll_delta.y);
            if scroll != 0.0 {
                let start = self.param.unmodulated_normalized_value();
                self.set_once(scrolled(start, scroll, fine));
                response.mark_changed();
            }
        }

        let painter = ui.painter();
        painter.text(
            Pos2::new(rect.center().x, rect.top()),
            Align2::CENTER_TOP,
            self.label,
            FontId::proportional(11.0),
            theme::TEXT_DIM,
        );
        let normalized = self.param.unmodulated_normalized_value();
        let centre = knob_rect.center();
        let radius = self.diameter / 2.0;
        painter.circle_filled(centre, radius, theme::PANEL_RAISED);
        let arc = |from: f32, to: f32| -> Vec<Pos2> {
            let steps = 32;
            (0..=steps)
                .map(|k| {
                    let a = from + (to - from) * k as f32 / steps as f32;
                    centre + (radius - 3.0) * Vec2::new(a.sin(), -a.cos())
                })
                .collect()
        };
        painter.add(Shape::line(
            arc(angle_for(0.0), angle_for(1.0)),
            Stroke::new(3.0, theme::KNOB_TRACK),
        ));
        let colour = if self.effective {
            self.colour
        } else {
            self.colour.gamma_multiply(0.35)
        };
        // The arc runs from the default (e.g. 0 dB) to the value, so bipolar knobs read well.
        let from = angle_for(self.param.default_normalized_value());
        painter.add(Shape::line(
            arc(from, angle_for(normalized)),
            Stroke::new(3.0, colour),
        ));
        let tip = centre
            + (radius - 8.0) * Vec2::new(angle_for(normalized).sin(), -angle_for(normalized).cos());
        painter.line_segment([centre, tip], Stroke::new(2.0, theme::TEXT));

        // The value, which turns into a text field when clicked. The field is wider than the
        // knob ("18.00 kHz" must fit) and opens with its text selected, so typing replaces it.
        let value_rect = egui::Rect::from_min_size(
            Pos2::new(rect.left(), knob_rect.bottom() + 4.0),
            Vec2::new(width, text_height),
        );
        let field_rect =
            egui::Rect::from_center_size(value_rect.center(), Vec2::new(width.max(76.0), 18.0));
        let edit_id = id.with("edit");
        let fresh_id = id.with("fresh");
        let rejected_id = id.with("rejected");
        let editing: Option<String> = ui.memory(|m| m.data.get_temp(edit_id));
        let is_editing = editing.is_some();
        match editing {
            Some(mut text) => {
                let rejected: bool = ui.memory(|m| m.data.get_temp(rejected_id)).unwrap_or(false);
                let colour = if rejected { theme::CLIP } else { theme::TEXT };
                let mut output = ui
                    .scope_builder(egui::UiBuilder::new().max_rect(field_rect), |ui| {
                        egui::TextEdit::singleline(&mut text)
                            .font(FontId::proportional(11.0))
                            .text_color(colour)
                            .desired_width(field_rect.width())
                            .align(Align2::CENTER_CENTER)
                            .show(ui)
                    })
                    .inner;
                if ui
                    .memory_mut(|m| m.data.remove_temp::<bool>(fresh_id))
                    .is_some()
                {
                    let all = egui::text::CCursorRange::two(
                        egui::text::CCursor::new(0),
                        egui::text::CCursor::new(text.chars().count()),
                    );
                    output.state.cursor.set_char_range(Some(all));
                    output.state.store(ui.ctx(), output.response.id);
                }
                let edit = output.response;
                edit.request_focus();
                if edit.changed() {
                    ui.memory_mut(|m| m.data.remove::<bool>(rejected_id));
                }
                let (enter, escape) =
                    ui.input(|i| (i.key_pressed(Key::Enter), i.key_pressed(Key::Escape)));
                let parsed = self.param.string_to_normalized_value(&text);
                if enter && parsed.is_none() {
                    // Refused: the field stays open, in red, with what it takes; the old value
                    // stays until Escape or a valid entry.
                    ui.memory_mut(|m| {
                        m.data.insert_temp(rejected_id, true);
                        m.data.insert_temp(edit_id, text);
                    });
                } else if enter || escape || edit.lost_focus() {
                    if !escape && let Some(n) = parsed {
                        self.set_once(n);
                        response.mark_changed();
                    }
                    ui.memory_mut(|m| {
                        m.data.remove::<String>(edit_id);
                        m.data.remove::<bool>(rejected_id);
                    });
                } else {
                    ui.memory_mut(|m| m.data.insert_temp(edit_id, text));
                }
                if rejected {
                    ui.painter().text(
                        field_rect.center_bottom() + Vec2::new(0.0, 2.0),
                        Align2::CENTER_TOP,
                        format!("not a {} value", self.param.name()),
                        FontId::proportional(11.0),
                        theme::CLIP,
                    );
                }
            }
            None => {
                let value = ui.interact(value_rect, id.with("value"), Sense::click());
                ui.painter().text(
                    value_rect.center(),
                    Align2::CENTER_CENTER,
                    self.param.normalized_value_to_string(normalized, true),
                    FontId::proportional(11.0),
                    if value.hovered() {
                        theme::TEXT
                    } else {
                        theme::TEXT_DIM
                    },
                );
                if value.clicked() {
                    let text = self.param.normalized_value_to_string(normalized, true);
                    ui.memory_mut(|m| {
                        m.data.insert_temp(edit_id, text);
                        m.data.insert_temp(fresh_id, true);
                    });
                }
            }
        }
        // No tooltip while the value is being typed: it would cover the field.
        if is_editing {
            return response;
        }
        let off = if self.effective {
            ""
        } else {
            " (no effect while its stage is off)"
        };
        response.on_hover_text(format!(
            "{}{off}. {}\nDrag or scroll (Shift: fine), double-click: default, click the \
             value to type one.",
            self.param.name(),
            self.help
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_pixel_mappings() {
        assert!((angle_for(0.0) + 135f32.to_radians()).abs() < 1e-6);
        assert!((angle_for(0.5)).abs() < 1e-6);
        assert!((angle_for(1.0) - 135f32.to_radians()).abs() < 1e-6);
        // Up by the full drag distance covers the range; fine is ten times slower.
        assert_eq!(dragged(0.0, -DRAG_PIXELS, false), 1.0);
        assert!((dragged(0.5, -20.0, false) - 0.6).abs() < 1e-6);
        assert!((dragged(0.5, -20.0, true) - 0.51).abs() < 1e-6);
        assert_eq!(dragged(0.9, -100.0, false), 1.0);
        assert!((scrolled(0.5, 50.0, false) - (0.5 + SCROLL_STEP)).abs() < 1e-6);
        assert_eq!(scrolled(0.0, -50.0, false), 0.0);
    }
}
