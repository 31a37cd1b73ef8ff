//! Strata's egui widget kit and theme. Knows nothing of DSP or of the plugin: widgets take
//! plain values and closures (the knob takes any nice-plug parameter).

pub mod ballistics;
pub mod eq_view;
pub mod history_plot;
pub mod knob;
pub mod meter;
pub mod scale;
pub mod theme;
pub mod toggle;
pub mod transfer;
