//! The EQ graph's band model, driven headless as a Pro-Q user drives it: a click on empty
//! graph adds a band of the fitting type where it was clicked; dragging, knob-turning, typing
//! a value or choosing a type on a band that is off switches it on; right-click → Delete frees it; the
//! values are shown beside the node while it is hovered or dragged; the display range is the
//! user's choice. Every change reaches the parameters as begin/set/end gestures.

use egui::{Event, PointerButton, Pos2, Vec2};
use nice_plug::prelude::Params;
use strata::editor::eq_panel;

// Each test binary uses part of the shared helpers.
#[allow(dead_code)]
mod common;

use common::editor::{Call, Harness, plain, set_plain};

/// Every call on parameter `id` is inside begin…end pairs.
fn assert_gestures(calls: &[Call], id: &str) {
    let mut open = false;
    for c in calls.iter().filter(|c| c.id() == id) {
        match c {
            Call::Begin(_) => {
                assert!(!open, "{id}: begin inside a gesture: {calls:?}");
                open = true;
            }
            Call::Set(_) => assert!(open, "{id}: set outside a gesture: {calls:?}"),
            Call::End(_) => {
                assert!(open, "{id}: end without begin: {calls:?}");
                open = false;
            }
        }
    }
    assert!(!open, "{id}: gesture left open: {calls:?}");
}

fn used(h: &Harness) -> Vec<usize> {
    eq_panel::nodes(&h.params)
        .iter()
        .enumerate()
        .filter(|(_, n)| n.in_use)
        .map(|(i, _)| i)
        .collect()
}

#[test]
fn a_click_on_empty_graph_adds_a_band_of_the_fitting_type_there() {
    let mut h = Harness::new();
    h.frame(Vec::new());
    assert!(used(&h).is_empty(), "a new instance has no band in use");
    let axes = h.axes();

    // Hovering empty space shows what a click would add.
    let p = Pos2::new(axes.freq.x(1000.0), axes.gain.y(6.0));
    h.frame(vec![Event::PointerMoved(p)]);
    let hint = h.texts().into_iter().find(|(t, _)| t.starts_with("+  "));
    let (hint, _) = hint.expect("a hint where a click would add a band");
    assert!(hint.contains("kHz") && hint.contains("dB"), "{hint}");

    h.click(p);
    // Band 5's default (a bell at 1.5 kHz) is the free bell nearest 1 kHz.
    assert_eq!(used(&h), vec![4]);
    assert_eq!(plain(&h.params, "eq5_on"), 1.0);
    let (freq, gain) = (plain(&h.params, "eq5_freq"), plain(&h.params, "eq5_gain"));
    println!("click at 1 kHz / +6 dB added band 5 at {freq:.1} Hz / {gain:+.2} dB");
    assert!((freq / 1000.0 - 1.0).abs() < 0.01, "{freq}");
    // One pixel of ±12 dB over the view's height is about 0.07 dB.
    assert!((gain - 6.0).abs() < 0.15, "{gain}");
    assert_eq!(h.model.selected_band, 4);
    let calls = h.calls();
    for id in ["eq5_on", "eq5_freq", "eq5_gain", "eq5_type"] {
        assert_gestures(&calls, id);
    }

    // The pointer now rests on the new node: its values are shown beside it.
    h.frame(Vec::new());
    let (label, rect) = h
        .texts()
        .into_iter()
        .find(|(t, _)| t.starts_with("5  "))
        .expect("a readout beside band 5's node");
    println!("readout: {label:?}");
    assert!(
        label.contains("kHz") && label.contains("dB") && label.contains("Q "),
        "{label}"
    );
    assert!(rect.center().distance(p) < 120.0, "{rect:?} far from {p:?}");

    // A click there again selects the band; it adds nothing.
    h.clear_calls();
    h.click(p);
    assert_eq!(used(&h), vec![4]);
    assert!(h.calls().is_empty(), "{:?}", h.calls());

    // At the bottom of the range a low cut, at the top a high cut: bands 1 and 8.
    h.click(Pos2::new(axes.freq.x(25.0), axes.gain.y(-3.0)));
    h.click(Pos2::new(axes.freq.x(18_500.0), axes.gain.y(-3.0)));
    assert_eq!(used(&h), vec![0, 4, 7]);
    assert_eq!(
        h.params.eq1.shape.value(),
        strata::dsp::eq::Shape::LowCut,
        "band 1"
    );
    assert!((plain(&h.params, "eq1_freq") / 25.0 - 1.0).abs() < 0.02);
    assert_eq!(h.params.eq8.shape.value(), strata::dsp::eq::Shape::HighCut);
    // Low again, with band 1 (the only low cut by default) taken: the free band nearest in
    // frequency becomes a low cut.
    h.click(Pos2::new(axes.freq.x(30.0), axes.gain.y(3.0)));
    assert_eq!(h.params.eq2.shape.value(), strata::dsp::eq::Shape::LowCut);
    assert_eq!(used(&h), vec![0, 1, 4, 7]);
}

#[test]
fn a_double_click_on_empty_graph_adds_one_band_and_leaves_it_on() {
    let mut h = Harness::new();
    h.frame(Vec::new());
    let axes = h.axes();
    let p = Pos2::new(axes.freq.x(400.0), axes.gain.y(-4.0));
    h.frame(vec![Event::PointerMoved(p)]);
    for _ in 0..2 {
        h.button(p, true);
        h.button(p, false);
    }
    h.frame(Vec::new());
    assert_eq!(used(&h), vec![3], "band 4 (a bell at 600 Hz by default)");
    assert_eq!(plain(&h.params, "eq4_on"), 1.0, "still on");
}

#[test]
fn any_edit_of_a_band_that_is_off_switches_it_on() {
    // Dragging a bypassed node.
    let mut h = Harness::new();
    set_plain(&h.params, "eq4_gain", 3.0);
    h.frame(Vec::new());
    assert_eq!(used(&h), vec![3], "off but set up: drawn");
    let (_, p) = h.node(3);
    h.drag_to(p, p + Vec2::new(30.0, -20.0));
    h.button(p + Vec2::new(30.0, -20.0), false);
    h.frame(Vec::new());
    assert_eq!(plain(&h.params, "eq4_on"), 1.0, "drag");
    assert_gestures(&h.calls(), "eq4_on");

    // Turning a knob of a free band chosen in the strip.
    let mut h = Harness::new();
    h.frame(Vec::new());
    h.click(h.text_rect("6").center());
    assert_eq!(h.model.selected_band, 5);
    h.frame(Vec::new());
    let label = h.text_rect("Freq");
    // The dial's centre is 14 px of label plus its radius (20 px) below the label's top.
    let dial = Pos2::new(label.center().x, label.top() + 30.0);
    h.drag_to(dial, dial + Vec2::new(0.0, -40.0));
    h.button(dial + Vec2::new(0.0, -40.0), false);
    h.frame(Vec::new());
    assert!(plain(&h.params, "eq6_freq") > 3500.0, "the knob turned up");
    assert_eq!(plain(&h.params, "eq6_on"), 1.0, "knob");

    // Typing a value into a free band's knob.
    let mut h = Harness::new();
    h.frame(Vec::new());
    h.click(h.text_rect("6").center());
    h.frame(Vec::new());
    h.click(h.text_rect("3.50 kHz").center());
    h.frame(vec![Event::Text("2k".into())]);
    h.frame(vec![common::editor::key_press(
        egui::Key::Enter,
        egui::Modifiers::NONE,
    )]);
    h.frame(Vec::new());
    assert!((plain(&h.params, "eq6_freq") - 2000.0).abs() < 1.0);
    assert_eq!(plain(&h.params, "eq6_on"), 1.0, "typed value");

    // Choosing a type from a bypassed node's right-click menu.
    let mut h = Harness::new();
    set_plain(&h.params, "eq3_gain", -5.0);
    h.frame(Vec::new());
    let (_, p) = h.node(2);
    h.click_with(p, PointerButton::Secondary);
    h.click(h.text_rect("Low Shelf").center());
    assert_eq!(h.params.eq3.shape.value(), strata::dsp::eq::Shape::LowShelf);
    assert_eq!(plain(&h.params, "eq3_on"), 1.0, "menu type");
    assert!(
        h.texts().iter().all(|(t, _)| t != "Delete band"),
        "menu closed"
    );

    // Choosing a type in the strip for a free band.
    let mut h = Harness::new();
    h.frame(Vec::new());
    h.click(h.text_rect("7").center());
    h.click(h.text_rect("High Shelf").center());
    h.click(h.text_rect("Notch").center());
    assert_eq!(h.params.eq7.shape.value(), strata::dsp::eq::Shape::Notch);
    assert_eq!(plain(&h.params, "eq7_on"), 1.0, "strip type");
    for id in ["eq7_on", "eq7_type"] {
        assert_gestures(&h.calls(), id);
    }
}

#[test]
fn right_click_delete_switches_a_band_off_and_frees_it() {
    let mut h = Harness::new();
    set_plain(&h.params, "eq3_on", 1.0);
    set_plain(&h.params, "eq3_freq", 320.0);
    set_plain(&h.params, "eq3_gain", 4.5);
    set_plain(&h.params, "eq3_q", 2.0);
    h.frame(Vec::new());
    assert_eq!(used(&h), vec![2]);
    let (_, p) = h.node(2);
    h.click_with(p, PointerButton::Secondary);
    for item in ["Bell", "Notch", "Switch off", "Delete band"] {
        h.text_rect(item);
    }
    h.click(h.text_rect("Delete band").center());
    assert!(used(&h).is_empty(), "no band in use after delete");
    assert_eq!(plain(&h.params, "eq3_on"), 0.0);
    assert!((plain(&h.params, "eq3_freq") - 250.0).abs() < 0.01);
    assert_eq!(plain(&h.params, "eq3_gain"), 0.0);
    assert!((plain(&h.params, "eq3_q") - 0.707).abs() < 1e-4);
    let calls = h.calls();
    for id in [
        "eq3_on",
        "eq3_freq",
        "eq3_gain",
        "eq3_q",
        "eq3_type",
        "eq3_slope",
    ] {
        assert_gestures(&calls, id);
    }
    // Nothing else was touched.
    assert!(
        calls.iter().all(|c| c.id().starts_with("eq3_")),
        "{calls:?}"
    );
}

#[test]
fn values_are_shown_beside_a_node_while_it_is_dragged() {
    let mut h = Harness::new();
    set_plain(&h.params, "eq6_on", 1.0);
    h.frame(Vec::new());
    let (axes, p) = h.node(5);
    let to = p + Vec2::new(-60.0, -50.0);
    h.drag_to(p, to);
    // Button still down: the readout follows the node (drawn in the frame after the move).
    h.frame(Vec::new());
    let (label, rect) = h
        .texts()
        .into_iter()
        .find(|(t, _)| t.starts_with("6  "))
        .expect("a readout while dragging");
    let freq_text = h.params.eq6.freq.to_string();
    let gain_text = h.params.eq6.gain.to_string();
    println!("while dragging: {label:?}");
    assert!(
        label.contains(&freq_text) && label.contains(&gain_text),
        "{label} vs {freq_text} {gain_text}"
    );
    let node = axes.node_pos(&eq_panel::nodes(&h.params)[5]);
    assert!(node.distance(to) < 2.0, "the node follows the pointer");
    assert!(rect.center().distance(node) < 120.0);
    h.button(to, false);
}

#[test]
fn the_display_range_is_chosen_in_the_toolbar_and_kept() {
    let mut h = Harness::new();
    set_plain(&h.params, "eq5_on", 1.0);
    set_plain(&h.params, "eq5_gain", 2.0);
    h.frame(Vec::new());
    assert_eq!(eq_panel::range_db(&h.params), 12.0, "the default");
    h.click(h.text_rect("±3").center());
    assert_eq!(eq_panel::range_db(&h.params), 3.0);
    h.frame(Vec::new());
    // +2 dB in ±3 dB sits two thirds of the way from the centre line to the top.
    let rect = h.model.eq_rect.unwrap();
    let (_, p) = h.node(4);
    let up = (rect.center().y - p.y) / (rect.height() / 2.0);
    assert!((up - 2.0 / 3.0).abs() < 1e-3, "{up}");
    // The grid is labelled in 1 dB steps.
    for label in ["+2", "+1", "-1", "-2"] {
        h.text_rect(label);
    }
    // The setting is part of the plugin's persisted state, not a parameter.
    assert!(
        h.params
            .serialize_fields()
            .get("view-eq-range-db")
            .is_some_and(|v| v == "3"),
        "{:?}",
        h.params.serialize_fields()
    );
}

/// The band strip's Solo auditions the selected band while it is held, and only then; it
/// makes no undo step and touches no parameter (it is not part of the settings).
#[test]
fn holding_solo_auditions_the_selected_band_until_release() {
    use std::sync::atomic::Ordering;
    use strata::params::NO_SOLO;
    let mut h = Harness::new();
    h.frame(Vec::new());
    h.click(h.text_rect("5").center());
    let solo = h.text_rect("Solo").center();
    h.frame(vec![egui::Event::PointerMoved(solo)]);
    h.button(solo, true);
    h.frame(Vec::new());
    assert_eq!(h.params.soloed_band.load(Ordering::Relaxed), 4, "held");
    // Still held a few frames on.
    for _ in 0..3 {
        h.frame(Vec::new());
    }
    assert_eq!(h.params.soloed_band.load(Ordering::Relaxed), 4);
    h.button(solo, false);
    h.frame(Vec::new());
    assert_eq!(
        h.params.soloed_band.load(Ordering::Relaxed),
        NO_SOLO,
        "released"
    );
    assert!(
        h.calls().is_empty(),
        "no parameter gesture: {:?}",
        h.calls()
    );
}

/// Placing a band in the strip: a gesture on `eq{N}_place` that also switches a band that is
/// off on; its node wears the placement's letter, and the graph draws its part of the image
/// (the mid here) as its own total beside the stereo one, with a legend naming both.
#[test]
fn placing_a_band_badges_its_node_and_draws_its_part_of_the_image() {
    use strata::dsp::eq::Placement;
    let mut h = Harness::new();
    // Band 3: a +6 dB bell at 250 Hz, set up but off; band 6 a stereo −4 dB bell at 3.5 kHz.
    set_plain(&h.params, "eq3_gain", 6.0);
    set_plain(&h.params, "eq6_on", 1.0);
    set_plain(&h.params, "eq6_gain", -4.0);
    h.frame(Vec::new());
    assert!(h.texts().iter().all(|(t, _)| t != "M"), "no badge yet");
    h.click(h.text_rect("3").center());
    h.click(h.text_rect("Stereo").center());
    h.click(h.text_rect("Mid").center());
    h.frame(Vec::new());
    assert_eq!(h.params.eq3.placement.value(), Placement::Mid);
    assert_eq!(
        plain(&h.params, "eq3_on"),
        1.0,
        "placing switched the band on"
    );
    for id in ["eq3_on", "eq3_place"] {
        assert_gestures(&h.calls(), id);
    }
    assert_eq!(eq_panel::nodes(&h.params)[2].badge, Some('M'));
    assert_eq!(eq_panel::nodes(&h.params)[5].badge, None);
    let texts = h.texts();
    for name in ["M", "Stereo", "Mid"] {
        assert!(texts.iter().any(|(t, _)| t == name), "{name} painted");
    }
    // The totals at the curve point nearest 250 Hz and 3.5 kHz: the stereo one has only the
    // −4 dB bell, the mid's has both.
    let freqs = &h.model.curve_freqs_hz;
    let near = |f: f32| {
        (0..freqs.len())
            .min_by(|a, b| (freqs[*a] - f).abs().total_cmp(&(freqs[*b] - f).abs()))
            .unwrap()
    };
    let (low, high) = (near(250.0), near(3500.0));
    let stereo = h.model.sum_db();
    let components = h.model.components();
    assert_eq!(components.len(), 1);
    let (placement, mid) = &components[0];
    assert_eq!(*placement, Placement::Mid);
    println!(
        "totals at 250 Hz / 3.5 kHz: stereo {:+.2} / {:+.2} dB, mid {:+.2} / {:+.2} dB",
        stereo[low], stereo[high], mid[low], mid[high]
    );
    assert!(stereo[low].abs() < 0.3 && (stereo[high] + 4.0).abs() < 0.1);
    assert!((mid[low] - 6.0).abs() < 0.3 && (mid[high] + 4.0).abs() < 0.1);
}
