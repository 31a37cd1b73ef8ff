//! Compressor and limiter sections: a header row with the stage's switches, its knobs (the
//! main ones larger), the compressor's static curve with the live operating point, and each
//! stage's gain-reduction meter with its numbers. A stage that is off, or bypassed, is drawn
//! so: its knobs faded, its meter saying why it reads nothing.

use std::sync::atomic::Ordering;

use egui::{Align, Color32, Layout, Rect, RichText, Ui, Vec2, pos2};
use nice_plug::prelude::{FloatParam, ParamSetter};
use strata_ui::ballistics::MeterState;
use strata_ui::history_plot::{Trace, history_plot};
use strata_ui::knob::Knob;
use strata_ui::meter::gain_reduction_meter;
use strata_ui::theme;
use strata_ui::toggle::{self, Look};
use strata_ui::transfer::transfer_curve;

use super::dynamics_history::{Field, WINDOW_S};
use super::{EditorModel, in_rect};
use crate::params::{SidechainSource, StrataParams};

/// Width of the limiter section; the compressor takes the rest.
pub const LIMITER_WIDTH: f32 = 208.0;
/// Width of a gain-reduction meter.
const GR_WIDTH: f32 = 48.0;
/// The compressor's knob block: five knobs a row.
const KNOBS_WIDTH: f32 = 5.0 * 56.0 + 4.0 * 8.0;
/// Below this the transfer curve is not drawn (its labels would not fit).
pub const MIN_CURVE_SIDE: f32 = 96.0;
/// Header row height inside a section.
const HEADER: f32 = 24.0;
/// The history's dB axis: 0 down to this.
const HISTORY_MIN_DB: f32 = -48.0;
/// The sidechain's detector level below which an external key counts as silent.
const SILENT_KEY_DB: f32 = -90.0;

pub fn show(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &mut EditorModel) {
    let rect = ui.max_rect();
    let gap = 8.0;
    let split = rect.right() - LIMITER_WIDTH;
    let comp = Rect::from_min_max(rect.min, pos2(split - gap, rect.bottom()));
    let lim = Rect::from_min_max(pos2(split, rect.top()), rect.max);
    in_rect(ui, comp, |ui| compressor(ui, params, setter, model));
    in_rect(ui, lim, |ui| limiter(ui, params, setter, model));
}

/// A section's panel and its inner area below a header row laid out by `header`.
fn panel(ui: &mut Ui, title: &str, header: impl FnOnce(&mut Ui)) -> Rect {
    let rect = ui.max_rect();
    ui.painter().rect_filled(rect, 6.0, theme::PANEL);
    let inner = rect.shrink(8.0);
    let head = Rect::from_min_size(inner.min, Vec2::new(inner.width(), HEADER - 4.0));
    in_rect(ui, head, |ui| {
        ui.with_layout(Layout::left_to_right(Align::Center), |ui| {
            ui.label(
                RichText::new(title)
                    .size(12.0)
                    .strong()
                    .color(theme::TEXT_DIM),
            );
            header(ui);
        });
    });
    Rect::from_min_max(pos2(inner.left(), inner.top() + HEADER), inner.max)
}

/// One knob of a panel: its parameter, label, whether it is a main control (drawn larger) and
/// what it does (the tooltip).
type KnobSpec<'a> = (&'a FloatParam, &'a str, bool, &'a str);

/// Knobs in rows; `effective` false fades them all (their stage is off).
fn knob_rows(ui: &mut Ui, setter: &ParamSetter, effective: bool, rows: &[&[KnobSpec]]) {
    for row in rows {
        ui.horizontal(|ui| {
            for (param, label, main, help) in row.iter() {
                let knob = Knob::new(*param, setter, label)
                    .effective(effective)
                    .help(help);
                if *main { knob.diameter(48.0) } else { knob }.show(ui);
            }
        });
    }
}

/// A stage's gain-reduction meter in `rect`; `why` says why it reads nothing, if it does not.
fn gr_meter(ui: &mut Ui, rect: Rect, gr: &MeterState, why: Option<&str>) {
    in_rect(ui, rect, |ui| {
        gain_reduction_meter(ui, rect.size(), gr.level_db, gr.hold_db, why);
    });
}

/// Why a stage's meter reads nothing, if it does not run: off, or the whole strip bypassed.
fn inactive(stage_on: bool, bypassed: bool) -> Option<&'static str> {
    match (stage_on, bypassed) {
        (_, true) => Some("bypass"),
        (false, false) => Some("off"),
        _ => None,
    }
}

fn compressor(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &EditorModel) {
    let c = &params.comp;
    let on = c.enabled.value();
    let body = panel(ui, "COMPRESSOR", |ui| {
        let power = ("On", Look::Power);
        let help = "Switches the compressor in; off, the signal passes untouched.";
        toggle::switch(ui, &c.enabled, setter, power, theme::ACCENT, true, help);
        let auto = ("Auto makeup", Look::Labelled);
        let help = "Adds back what the curve takes from a 0 dBFS level.";
        toggle::switch(ui, &c.auto_makeup, setter, auto, theme::ACCENT, on, help);
        let help = "How the level is detected: sample peak or RMS.";
        toggle::choice(ui, &c.detector, setter, help, 54.0);
        let help = "What the compressor listens to: this track, or the sidechain input.";
        toggle::choice(ui, &c.sidechain_source, setter, help, 68.0);
        let shown = params.dynamics_history_shown.load(Ordering::Relaxed);
        if ui
            .selectable_label(shown, RichText::new("History").size(11.0))
            .on_hover_text(
                "Show the last 5 s of level in and out and both stages' gain reduction \
                 instead of the compressor's curve",
            )
            .clicked()
        {
            params
                .dynamics_history_shown
                .store(!shown, Ordering::Relaxed);
        }
    });
    let side = (body.width() - KNOBS_WIDTH - GR_WIDTH - 16.0).min(body.height());
    let knobs = Rect::from_min_size(body.min, Vec2::new(KNOBS_WIDTH, body.height()));
    let meter = Rect::from_min_max(pos2(body.right() - GR_WIDTH, body.top()), body.max);
    let rows: [&[KnobSpec]; 2] = [
        &[
            (
                &c.threshold,
                "Threshold",
                true,
                "Level above which the compressor acts.",
            ),
            (
                &c.ratio,
                "Ratio",
                true,
                "How much a level above the threshold is reduced: 4:1 lets 1 dB through for every 4.",
            ),
            (
                &c.attack,
                "Attack",
                false,
                "How fast gain reduction sets in.",
            ),
            (
                &c.release,
                "Release",
                false,
                "How fast gain reduction lets go.",
            ),
            (
                &c.knee,
                "Knee",
                false,
                "Width of the soft transition around the threshold.",
            ),
        ],
        &[
            (
                &c.makeup,
                "Makeup",
                false,
                "Gain after compression (added to auto makeup).",
            ),
            (
                &c.mix,
                "Mix",
                false,
                "Compressed against dry signal: below 100 % is parallel compression.",
            ),
            (
                &c.stereo_link,
                "Link",
                false,
                "How much the two channels share one gain reduction.",
            ),
            (
                &c.sidechain_hpf,
                "SC HPF",
                false,
                "High-pass on what the compressor listens to, so bass does not pump it.",
            ),
        ],
    ];
    in_rect(ui, knobs, |ui| knob_rows(ui, setter, on, &rows));
    // An external key that carries nothing means no compression at all: say so.
    let external = c.sidechain_source.value() == SidechainSource::External;
    let key_silent = model
        .frame
        .is_none_or(|f| f.compressor_level_db.is_nan() || f.compressor_level_db <= SILENT_KEY_DB);
    if on && external && key_silent {
        let at = pos2(knobs.right() - 4.0, knobs.bottom());
        let text = "⚠ no signal on the sidechain input: nothing is compressed";
        ui.painter().text(
            at,
            egui::Align2::RIGHT_BOTTOM,
            text,
            egui::FontId::proportional(11.0),
            theme::WARN,
        );
    }
    let bypassed = params.bypass.value();
    if params.dynamics_history_shown.load(Ordering::Relaxed) {
        // The whole width between the knobs and the meter.
        let plot = Rect::from_min_max(
            pos2(knobs.right() + 8.0, body.top()),
            pos2(meter.left() - 8.0, body.bottom()),
        );
        in_rect(ui, plot, |ui| history(ui, plot.size(), params, model));
    } else if side >= MIN_CURVE_SIDE {
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
            .filter(|l| l.is_finite() && on);
        let curve = Rect::from_min_size(
            pos2(meter.left() - 8.0 - side, body.top()),
            Vec2::splat(side),
        );
        in_rect(ui, curve, |ui| {
            let threshold = settings.threshold_db as f32;
            let active = on && !bypassed;
            transfer_curve(ui, side, -60.0, &curve_fn, threshold, level, active);
        });
    }
    gr_meter(
        ui,
        meter,
        &model.meters.compressor_gr,
        inactive(on, bypassed),
    );
}

/// The dynamics history: the strip's input and output level and both stages' gain reduction
/// over the last seconds, scrolling with the editor's clock.
fn history(ui: &mut Ui, size: Vec2, params: &StrataParams, model: &EditorModel) {
    let h = &model.dynamics_history;
    // A stage that is off keeps its (flat) trace, faded.
    let stage = |on: bool, colour: Color32| {
        if on {
            colour
        } else {
            colour.gamma_multiply(0.35)
        }
    };
    let comp_on = params.comp.enabled.value();
    let lim_on = params.limiter.enabled.value();
    let traces = [
        (Field::Input, "in", theme::SPECTRUM_PRE, true),
        (Field::Output, "out", theme::TEXT, false),
        (
            Field::CompressorGr,
            "comp GR",
            stage(comp_on, theme::ACCENT),
            false,
        ),
        (
            Field::LimiterGr,
            "lim GR",
            stage(lim_on, theme::GAIN_REDUCTION),
            false,
        ),
    ]
    .map(|(field, label, colour, filled)| (h.trace(field), label, colour, filled));
    let traces: Vec<Trace> = traces
        .iter()
        .map(|(points, label, colour, filled)| Trace {
            label,
            colour: *colour,
            filled: *filled,
            points,
        })
        .collect();
    let now_s = model.clock_s;
    let active = !params.bypass.value();
    history_plot(ui, size, now_s, WINDOW_S, HISTORY_MIN_DB, &traces, active);
}

fn limiter(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &EditorModel) {
    let l = &params.limiter;
    let on = l.enabled.value();
    let body = panel(ui, "LIMITER", |ui| {
        let power = ("On", Look::Power);
        let help = "Switches the limiter in (its lookahead latency stays reported either way).";
        toggle::switch(ui, &l.enabled, setter, power, theme::ACCENT, true, help);
        let tp = ("True peak", Look::Labelled);
        let help =
            "Limit the peaks between samples too (8× oversampled detection), for dBTP ceilings.";
        toggle::switch(ui, &l.true_peak, setter, tp, theme::ACCENT, on, help);
    });
    let meter = Rect::from_min_max(pos2(body.right() - GR_WIDTH, body.top()), body.max);
    let knobs = Rect::from_min_max(body.min, pos2(meter.left() - 8.0, body.bottom()));
    let rows: [&[KnobSpec]; 2] = [
        &[
            (
                &l.ceiling,
                "Ceiling",
                true,
                "The highest level the output reaches.",
            ),
            (
                &l.release,
                "Release",
                false,
                "How fast the limiter lets go after a peak.",
            ),
        ],
        &[(
            &l.lookahead,
            "Lookahead",
            false,
            "How far ahead the limiter sees peaks coming: longer is smoother, adds latency.",
        )],
    ];
    in_rect(ui, knobs, |ui| knob_rows(ui, setter, on, &rows));
    let why = inactive(on, params.bypass.value());
    gr_meter(ui, meter, &model.meters.limiter_gr, why);
}
