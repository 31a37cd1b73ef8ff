//! Strata's egui widget kit and theme. Knows nothing of DSP or of the plugin: widgets take
//! plain values and closures.

pub mod ballistics;
pub mod scale;
pub mod theme;
