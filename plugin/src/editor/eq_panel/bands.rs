//! The band model, kept entirely in the parameters: which bands are in use, which free band a
//! click takes, and the gestures that switch a band on, add one, or delete one (off and back to
//! its defaults); and a node's right-click menu.

use egui::{RichText, Ui};
use nice_plug::prelude::{Param, ParamSetter};
use strata_ui::{theme, toggle};

use crate::dsp::eq::Shape;
use crate::params::{EqBandParams, StrataParams};

/// Whether a band is on or set up (off, but not at its defaults).
pub fn in_use(band: &EqBandParams) -> bool {
    fn moved(p: &impl Param) -> bool {
        (p.unmodulated_normalized_value() - p.default_normalized_value()).abs() > 1e-6
    }
    band.enabled.value()
        || moved(&band.shape)
        || moved(&band.freq)
        || moved(&band.gain)
        || moved(&band.q)
        || moved(&band.slope)
}

/// The free band a click at `freq_hz` takes, and the type it gets: a low cut at the bottom of
/// the range, a high cut at the top, a bell between. A free band whose own default is that
/// type and nearest in frequency is preferred; else the nearest free band changes type.
pub fn band_to_add(params: &StrataParams, freq_hz: f32) -> Option<(usize, Shape)> {
    let fitting = match freq_hz {
        f if f < 40.0 => Shape::LowCut,
        f if f > 15_000.0 => Shape::HighCut,
        _ => Shape::Bell,
    };
    let distance = |b: &EqBandParams| (b.freq.default_plain_value() / freq_hz).ln().abs();
    let bands = params.bands();
    let free = || bands.iter().enumerate().filter(|(_, b)| !in_use(b));
    let nearest = |candidates: Vec<(usize, &&EqBandParams)>| {
        candidates
            .into_iter()
            .min_by(|a, b| distance(a.1).total_cmp(&distance(b.1)))
            .map(|(i, _)| i)
    };
    let same_type: Vec<_> = free()
        .filter(|(_, b)| b.shape.default_plain_value() == fitting)
        .collect();
    nearest(same_type)
        .or_else(|| nearest(free().collect()))
        .map(|i| (i, fitting))
}

/// Set `param` to `plain` as one gesture.
pub(super) fn set<P: Param>(setter: &ParamSetter, param: &P, plain: P::Plain) {
    setter.begin_set_parameter(param);
    setter.set_parameter(param, plain);
    setter.end_set_parameter(param);
}

/// Switch a band on (one gesture) if it is off: what any edit of an off band does.
pub(super) fn switch_on(setter: &ParamSetter, band: &EqBandParams) {
    if !band.enabled.value() {
        set(setter, &band.enabled, true);
    }
}

/// Switch a band off and return every setting to its default: the band is free again.
fn delete(setter: &ParamSetter, band: &EqBandParams) {
    set(setter, &band.enabled, false);
    set(setter, &band.shape, band.shape.default_plain_value());
    set(setter, &band.freq, band.freq.default_plain_value());
    set(setter, &band.gain, band.gain.default_plain_value());
    set(setter, &band.q, band.q.default_plain_value());
    set(setter, &band.slope, band.slope.default_plain_value());
}

/// A band taken for a click at (`freq_hz`, `gain_db`): reset, given the fitting type and the
/// clicked place, switched on. Returns which band, if one was free. (The parameters' own
/// ranges bound what is set.)
pub(super) fn add(
    setter: &ParamSetter,
    params: &StrataParams,
    freq_hz: f32,
    gain_db: f32,
    range_db: f32,
) -> Option<usize> {
    let (i, shape) = band_to_add(params, freq_hz)?;
    let band = params.bands()[i];
    delete(setter, band);
    set(setter, &band.shape, shape);
    set(setter, &band.freq, freq_hz);
    if shape.uses_gain() {
        set(setter, &band.gain, gain_db.clamp(-range_db, range_db));
    }
    set(setter, &band.enabled, true);
    Some(i)
}

/// A node's right-click menu: type, slope, on/off, delete.
pub(super) fn band_menu(ui: &mut Ui, band: &EqBandParams, setter: &ParamSetter) {
    ui.label(RichText::new("Type").size(11.0).color(theme::TEXT_DIM));
    let current = band.shape.value();
    for shape in Shape::ALL {
        let name = band
            .shape
            .normalized_value_to_string(band.shape.preview_normalized(shape), false);
        if ui.selectable_label(shape == current, name).clicked() {
            set(setter, &band.shape, shape);
            switch_on(setter, band);
            ui.close();
        }
    }
    if current.uses_slope() {
        ui.separator();
        ui.label(RichText::new("Slope").size(11.0).color(theme::TEXT_DIM));
        for (n, name) in toggle::entries(&band.slope) {
            let on = (band.slope.unmodulated_normalized_value() - n).abs() < 1e-4;
            if ui.selectable_label(on, name).clicked() {
                set(setter, &band.slope, band.slope.preview_plain(n));
                switch_on(setter, band);
                ui.close();
            }
        }
    }
    ui.separator();
    let on = band.enabled.value();
    if ui
        .button(if on { "Switch off" } else { "Switch on" })
        .clicked()
    {
        set(setter, &band.enabled, !on);
        ui.close();
    }
    if ui.button("Delete band").clicked() {
        delete(setter, band);
        ui.close();
    }
}
