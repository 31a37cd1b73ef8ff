//! The strip under the graph: the band selector, and the selected band's switch, type, slope,
//! knobs, placement and solo, always in the same places.

use std::sync::atomic::Ordering;

use egui::{Align, Color32, Layout, RichText, Sense, Stroke, Ui, Vec2};
use nice_plug::prelude::ParamSetter;
use strata_ui::knob::Knob;
use strata_ui::theme;
use strata_ui::toggle::{self, Look};

use super::bands::{in_use, switch_on};
use crate::editor::EditorModel;
use crate::params::{NO_SOLO, StrataParams};

/// Band selector and the selected band's controls. Any edit of a band that is off switches it
/// on: a user who turns a knob wants to hear it.
pub fn band_strip(
    ui: &mut Ui,
    params: &StrataParams,
    setter: &ParamSetter,
    model: &mut EditorModel,
) {
    crate::editor::section(ui, "", |ui| {
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
            ui.add_space(8.0);
            ui.vertical(|ui| {
                let help = "Where in the stereo image the band acts: both channels (Stereo), \
                            the mid (L+R)/2 or the side (L−R)/2, or one channel. A mono \
                            signal ignores it.";
                edited |= toggle::choice(ui, &band.placement, setter, help, 72.0).changed();
                solo_button(ui, params, i, colour);
            });
            if edited {
                switch_on(setter, band);
            }
        });
    });
}

/// Hold to audition band `i` alone: the output is what the band acts on while the button is
/// held, the full chain again on release (the audio side fades both ways).
fn solo_button(ui: &mut Ui, params: &StrataParams, i: usize, colour: Color32) {
    let soloed = params.soloed_band.load(Ordering::Relaxed) == i as i32;
    let text = RichText::new("Solo").size(11.0).color(if soloed {
        theme::BACKGROUND
    } else {
        theme::TEXT
    });
    let button = egui::Button::new(text)
        .min_size(Vec2::new(44.0, 26.0))
        .fill(if soloed { colour } else { theme::PANEL_RAISED })
        .sense(Sense::click_and_drag());
    let held = ui
        .add(button)
        .on_hover_text("Hold to hear only the part of the spectrum this band acts on.")
        .is_pointer_button_down_on();
    if held != soloed {
        let band = if held { i as i32 } else { NO_SOLO };
        params.soloed_band.store(band, Ordering::Relaxed);
    }
}
