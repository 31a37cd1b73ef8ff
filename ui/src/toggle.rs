//! Buttons for switch and choice parameters: a switch for an on/off parameter (a power switch
//! reads its state as a word) and a drop-down for any stepped one (its entries are the
//! parameter's own value names). Each change is one begin/set/end gesture.

use egui::{Color32, ComboBox, Response, RichText, Stroke, Ui};
use nice_plug::prelude::{Param, ParamSetter};

use crate::theme;

/// Set a parameter to a normalized value as one gesture.
fn set_once<P: Param>(setter: &ParamSetter, param: &P, normalized: f32) {
    setter.begin_set_parameter(param);
    setter.set_parameter(param, param.preview_plain(normalized));
    setter.end_set_parameter(param);
}

/// How a switch reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Look {
    /// Its label, lit in the colour when on (Bypass, Auto makeup, True peak).
    Labelled,
    /// A power switch: "On" lit in the colour, or "Off" dim: the word says the state.
    Power,
}

/// An on/off button for a two-state parameter. `effective` false (its stage is off) draws it
/// faded even when on: it does nothing then. `help` says what it does (the tooltip).
pub fn switch<P: Param>(
    ui: &mut Ui,
    param: &P,
    setter: &ParamSetter,
    (label, look): (&str, Look),
    colour: Color32,
    effective: bool,
    help: &str,
) -> Response {
    let on = param.unmodulated_normalized_value() > 0.5;
    let text = match (look, on) {
        (Look::Labelled, _) => label.to_string(),
        (Look::Power, true) => "On".to_string(),
        (Look::Power, false) => "Off".to_string(),
    };
    let lit = if effective {
        colour
    } else {
        colour.gamma_multiply(0.3)
    };
    let text = RichText::new(text).size(11.0).color(if on {
        theme::BACKGROUND
    } else {
        theme::TEXT_DIM
    });
    let button = egui::Button::new(text)
        .fill(if on { lit } else { theme::PANEL_RAISED })
        .stroke(Stroke::new(1.0, if on { lit } else { theme::GRID }));
    let response = ui.add(button);
    if response.clicked() {
        set_once(setter, param, if on { 0.0 } else { 1.0 });
    }
    let state = if on { "on" } else { "off" };
    let note = if effective {
        ""
    } else {
        " (no effect while its stage is off)"
    };
    response.on_hover_text(format!("{}: {state}{note}. {help}", param.name()))
}

/// The entries of a stepped parameter: (normalized value, name).
pub fn entries<P: Param>(param: &P) -> Vec<(f32, String)> {
    let steps = param.step_count().unwrap_or(1).max(1);
    (0..=steps)
        .map(|i| {
            let n = i as f32 / steps as f32;
            (n, param.normalized_value_to_string(n, false))
        })
        .collect()
}

/// A drop-down for a stepped parameter; its response reads changed when an entry was picked.
/// `help` says what it chooses (the tooltip).
pub fn choice<P: Param>(
    ui: &mut Ui,
    param: &P,
    setter: &ParamSetter,
    help: &str,
    width: f32,
) -> Response {
    let current = param.unmodulated_normalized_value();
    let shown = param.normalized_value_to_string(current, false);
    let mut picked = None;
    let mut response = ComboBox::from_id_salt(("choice", param.name()))
        .selected_text(RichText::new(shown).size(11.0))
        .width(width)
        .show_ui(ui, |ui| {
            for (n, name) in entries(param) {
                if ui
                    .selectable_label((n - current).abs() < 1e-4, name)
                    .clicked()
                {
                    picked = Some(n);
                }
            }
        })
        .response;
    if let Some(n) = picked {
        set_once(setter, param, n);
        response.mark_changed();
    }
    response.on_hover_text(format!("{}: {help}", param.name()))
}
