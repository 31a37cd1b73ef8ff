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

fn check(size: Vec2) {
    let mut h = Harness::with_size(size);
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
        "{size:?}: {} interactive widgets, {} texts, smallest text {smallest} px",
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
