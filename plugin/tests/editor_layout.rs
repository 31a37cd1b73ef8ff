//! The editor's layout at the minimum, default and a large size, headless: every interactive
//! widget whole (not clipped by its panel) and inside the window, no two of them overlapping,
//! no two painted texts overlapping, and no text smaller than 11 px.

use egui::epaint::Shape;
use egui::{Rect, Vec2};
use strata::editor;

// Each test binary uses part of the shared helpers.
#[allow(dead_code)]
mod common;

use common::editor::Harness;

/// Overlap below this area (px²) is antialiasing, not a defect.
const TOLERANCE_PX2: f32 = 1.0;

fn overlap(a: Rect, b: Rect) -> f32 {
    let i = a.intersect(b);
    if i.is_positive() { i.area() } else { 0.0 }
}

/// Both views of the compressor panel: its curve, and the dynamics history (with a few
/// seconds of history, so its traces and legend are drawn).
fn check(size: Vec2) {
    check_view(size, false);
    check_view(size, true);
}

fn check_view(size: Vec2, history: bool) {
    let mut h = Harness::with_size(size);
    h.params
        .dynamics_history_shown
        .store(history, std::sync::atomic::Ordering::Relaxed);
    fill_history(&mut h, 3.0);
    // Bands in use, so the graph has nodes and curves; the compressor on.
    for (id, v) in [
        ("eq2_on", 1.0),
        ("eq2_gain", 4.0),
        ("eq5_on", 1.0),
        ("eq5_gain", -3.0),
        ("comp_on", 1.0),
        ("lim_on", 1.0),
    ] {
        common::editor::set_plain(&h.params, id, v);
    }
    for _ in 0..3 {
        h.frame(Vec::new());
    }
    let window = Rect::from_min_size(egui::Pos2::ZERO, size);
    let widgets: Vec<_> = h.ctx.viewport(|v| {
        v.prev_pass
            .widgets
            .layers()
            .flat_map(|(_, w)| w.iter().copied())
            .filter(|w| w.sense.senses_click() || w.sense.senses_drag())
            .collect()
    });
    assert!(widgets.len() > 40, "{} interactive widgets", widgets.len());
    let mut problems = Vec::new();
    for w in &widgets {
        if !window.contains_rect(w.rect) {
            problems.push(format!("outside the window: {:?}", w.rect));
        }
        if (w.interact_rect.area() - w.rect.area()).abs() > TOLERANCE_PX2 {
            problems.push(format!(
                "cut by its panel: {:?} shows {:?}",
                w.rect, w.interact_rect
            ));
        }
    }
    for (i, a) in widgets.iter().enumerate() {
        for b in &widgets[i + 1..] {
            if a.layer_id == b.layer_id && overlap(a.rect, b.rect) > TOLERANCE_PX2 {
                problems.push(format!("widgets overlap: {:?} and {:?}", a.rect, b.rect));
            }
        }
    }
    let texts = h.texts();
    for (t, r) in &texts {
        if !window.contains_rect(*r) {
            problems.push(format!("text {t:?} outside the window: {r:?}"));
        }
    }
    for (i, (ta, ra)) in texts.iter().enumerate() {
        for (tb, rb) in &texts[i + 1..] {
            if overlap(*ra, *rb) > TOLERANCE_PX2 {
                problems.push(format!("texts overlap: {ta:?} {ra:?} and {tb:?} {rb:?}"));
            }
        }
    }
    let mut smallest = f32::INFINITY;
    for s in &h.shapes {
        if let Shape::Text(t) = &s.shape {
            for section in &t.galley.job.sections {
                smallest = smallest.min(section.format.font_id.size);
            }
        }
    }
    println!(
        "{size:?}, history {history}: {} interactive widgets, {} texts, smallest text {smallest} px",
        widgets.len(),
        texts.len()
    );
    if smallest < 11.0 {
        problems.push(format!("text of {smallest} px"));
    }
    assert!(problems.is_empty(), "at {size:?}:\n{}", problems.join("\n"));
}

#[test]
fn nothing_overlaps_or_is_cut_at_the_minimum_size() {
    check(Vec2::new(editor::MIN_SIZE.0, editor::MIN_SIZE.1));
}

#[test]
fn nothing_overlaps_or_is_cut_at_the_default_size() {
    check(Vec2::new(editor::DEFAULT_SIZE.0, editor::DEFAULT_SIZE.1));
}

#[test]
fn nothing_overlaps_or_is_cut_at_a_large_size() {
    check(Vec2::new(1800.0, 1100.0));
}

#[test]
#[should_panic(expected = "overlap")]
fn the_check_finds_overlaps_below_the_minimum() {
    check(Vec2::new(700.0, 480.0));
}

/// The scale is chosen in the header, applied as egui's zoom (egui-baseview resizes the window
/// with it) and kept in the plugin's state.
#[test]
fn the_ui_scale_is_chosen_in_the_header_and_kept() {
    use nice_plug::prelude::Params;
    let mut h = Harness::new();
    h.frame(Vec::new());
    assert_eq!(h.ctx.zoom_factor(), 1.0);
    h.click(h.text_rect("UI 100%").center());
    h.click(h.text_rect("150%").center());
    h.frame(Vec::new());
    assert_eq!(h.ctx.zoom_factor(), 1.5);
    let fields = h.params.serialize_fields();
    assert_eq!(fields.get("view-ui-scale").map(String::as_str), Some("150"));
    // A restored state brings its scale with it.
    let mut h = Harness::new();
    h.params.deserialize_fields(&fields);
    h.frame(Vec::new());
    assert_eq!(h.ctx.zoom_factor(), 1.5);
}

/// `seconds` of history at 50 frames a second, ending now: in −12 dBFS, out −14 dBFS,
/// compressor 6 dB of gain reduction, limiter 2 dB.
fn fill_history(h: &mut Harness, seconds: f64) {
    use strata::editor::dynamics_history::HistoryPoint;
    let frames = (seconds * 50.0) as usize;
    for k in 0..=frames {
        h.model.dynamics_history.push(HistoryPoint {
            time_s: k as f64 / 50.0,
            input_db: -12.0,
            output_db: -14.0,
            compressor_gr_db: 6.0,
            limiter_gr_db: 2.0,
        });
    }
    h.model.clock_s = seconds;
}

/// The history view is chosen in the compressor's header and kept with the state; it draws
/// each trace at its level on one dB axis (reductions hanging from 0 dB), over the seconds
/// the history holds.
#[test]
fn the_dynamics_history_is_chosen_in_the_compressor_header_and_draws_each_level() {
    use egui::epaint::{ColorMode, PathShape};
    use nice_plug::prelude::Params;
    use strata_ui::{history_plot, theme};
    let mut h = Harness::new();
    common::editor::set_plain(&h.params, "comp_on", 1.0);
    common::editor::set_plain(&h.params, "lim_on", 1.0);
    fill_history(&mut h, 3.0);
    h.frame(Vec::new());
    h.click(h.text_rect("History").center());
    h.frame(Vec::new());
    let fields = h.params.serialize_fields();
    assert_eq!(
        fields.get("view-dynamics-history").map(String::as_str),
        Some("true")
    );
    // Each trace's line: the path of one point per history point stroked in its colour, at
    // one height (constant levels).
    let points = h.model.dynamics_history.len();
    let is_trace = |p: &PathShape, colour| {
        p.stroke.color == ColorMode::Solid(colour)
            && p.stroke.width == history_plot::LINE_WIDTH
            && p.points.len() == points
    };
    let line = |colour: egui::Color32| -> (f32, f32, f32) {
        let paths: Vec<&PathShape> = h
            .shapes
            .iter()
            .filter_map(|s| match &s.shape {
                Shape::Path(p) if is_trace(p, colour) => Some(p),
                _ => None,
            })
            .collect();
        assert_eq!(paths.len(), 1, "one line in {colour:?}");
        let ys: Vec<f32> = paths[0].points.iter().map(|p| p.y).collect();
        let xs: Vec<f32> = paths[0].points.iter().map(|p| p.x).collect();
        let spread = ys.iter().fold(0.0f32, |m, y| m.max((y - ys[0]).abs()));
        assert!(spread < 0.01, "a constant level drawn level: {spread}");
        let width = xs.last().unwrap() - xs[0];
        (ys[0], xs[0], width)
    };
    let (comp_y, comp_x, comp_width) = line(theme::ACCENT);
    let (lim_y, ..) = line(theme::GAIN_REDUCTION);
    let (out_y, out_x, _) = line(theme::TEXT);
    let (in_y, ..) = line(theme::SPECTRUM_PRE);
    // Linear in dB: −2 (limiter) sits half as far from −6 (compressor) as −14 (output) does,
    // on the other side; the input (−12) between the compressor and the output.
    let ratio = (lim_y - comp_y) / (out_y - comp_y);
    assert!((ratio + 0.5).abs() < 0.01, "{ratio}");
    let ratio = (in_y - comp_y) / (out_y - comp_y);
    assert!((ratio - 0.75).abs() < 0.01, "{ratio}");
    assert!(comp_y < out_y, "reductions near the top, levels below");
    assert_eq!(comp_x, out_x, "the traces share the time axis");
    // The plot: its background rectangle, the one holding the traces.
    let plot = h
        .shapes
        .iter()
        .find_map(|s| match &s.shape {
            Shape::Rect(r)
                if r.fill == theme::PANEL_RAISED.gamma_multiply(0.5)
                    && r.rect.x_range().contains(comp_x) =>
            {
                Some(r.rect)
            }
            _ => None,
        })
        .expect("the history plot's background");
    // Three seconds of a five-second window, ending now: the newest point at the right edge,
    // the oldest 3/5 of the width to its left.
    println!(
        "history: traces {comp_width:.1} px of a {:.1} px plot",
        plot.width()
    );
    assert!(plot.width() > 150.0, "{:?}", plot);
    assert!((comp_x + comp_width - plot.right()).abs() < 0.5);
    assert!(
        (comp_width - 0.6 * plot.width()).abs() < 0.5,
        "{comp_width}"
    );
    // Switched back: the curve, no trace.
    h.click(h.text_rect("History").center());
    h.frame(Vec::new());
    let accent_lines = h
        .shapes
        .iter()
        .filter(|s| matches!(&s.shape, Shape::Path(p) if is_trace(p, theme::ACCENT)))
        .count();
    assert_eq!(accent_lines, 0);
}
