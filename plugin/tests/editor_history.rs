//! Undo, redo and A/B in the editor, driven headless with egui events: one drag is one step,
//! a preset load is one step, an A/B switch is one step, and each undo or redo brings back every
//! parameter exactly; more than 100 steps are kept; both A/B slots are in the saved state.

use egui::{Event, Key, Modifiers, Vec2};
use nice_plug::prelude::*;
use strata::params::StrataParams;
use strata::presets::{self, ab::Slot};

// Each test binary uses part of the shared helpers.
#[allow(dead_code)]
mod common;

use common::editor::{Harness, key_press, param, plain, set_plain};

/// Every parameter's value, comparable.
fn settings(params: &StrataParams) -> String {
    format!("{:?}", presets::capture(params).params)
}

fn key(h: &mut Harness, shift: bool) {
    let modifiers = Modifiers {
        ctrl: true,
        command: true,
        shift,
        ..Default::default()
    };
    let mut up = key_press(Key::Z, modifiers);
    if let Event::Key { pressed, .. } = &mut up {
        *pressed = false;
    }
    h.frame(vec![key_press(Key::Z, modifiers), up]);
    h.frame(Vec::new());
}

fn undo_key(h: &mut Harness) {
    key(h, false);
}

fn redo_key(h: &mut Harness) {
    key(h, true);
}

/// One gesture on `id`, as a widget makes it.
fn gesture(h: &Harness, id: &str, plain_value: f32) {
    let p = param(&h.params, id);
    let setter = h.gui.param_setter();
    // SAFETY: `p` points into the harness's parameters.
    unsafe {
        setter.raw_context.raw_begin_set_parameter(p);
        setter
            .raw_context
            .raw_set_parameter_normalized(p, p.preview_normalized(plain_value));
        setter.raw_context.raw_end_set_parameter(p);
    }
}

#[test]
fn a_drag_is_one_step_that_undo_and_redo_take_back_and_forth_exactly() {
    let mut h = Harness::new();
    set_plain(&h.params, "eq4_on", 1.0); // The host's doing: no step.
    h.frame(Vec::new());
    let before = settings(&h.params);
    let (_, start) = h.node(3);
    let to = start + Vec2::new(-90.0, -60.0);
    h.drag_to(start, to);
    h.button(to, false);
    h.frame(Vec::new());
    let after = settings(&h.params);
    assert_ne!(before, after, "the drag moved band 4");
    let moves = h.calls().iter().filter(|c| c.id() == "eq4_freq").count();
    assert!(moves > 3, "the drag was several changes: {moves}");

    undo_key(&mut h);
    assert_eq!(
        settings(&h.params),
        before,
        "one undo takes the whole drag back"
    );
    undo_key(&mut h);
    assert_eq!(settings(&h.params), before, "and it was the only step");
    redo_key(&mut h);
    assert_eq!(settings(&h.params), after, "redo brings the drag back");
    redo_key(&mut h);
    assert_eq!(settings(&h.params), after);

    // The buttons do the same.
    h.click(h.text_rect("Undo").center());
    assert_eq!(settings(&h.params), before);
    h.click(h.text_rect("Redo").center());
    assert_eq!(settings(&h.params), after);
}

#[test]
fn more_than_a_hundred_steps_are_kept_and_a_new_edit_ends_redo() {
    let mut h = Harness::new();
    h.frame(Vec::new());
    let mut history = vec![settings(&h.params)];
    for k in 0..120 {
        gesture(&h, "comp_thresh", -1.0 - 0.25 * k as f32);
        history.push(settings(&h.params));
    }
    // A click that changes nothing is not a step.
    gesture(&h, "comp_thresh", plain(&h.params, "comp_thresh"));
    for k in (0..120).rev() {
        undo_key(&mut h);
        assert_eq!(settings(&h.params), history[k], "after {} undos", 120 - k);
    }
    for want in &history[1..=3] {
        redo_key(&mut h);
        assert_eq!(&settings(&h.params), want);
    }
    // A new edit: what was undone past it is gone.
    gesture(&h, "eq2_gain", 4.0);
    let edited = settings(&h.params);
    redo_key(&mut h);
    assert_eq!(
        settings(&h.params),
        edited,
        "nothing to redo after a new edit"
    );
    undo_key(&mut h);
    assert_eq!(settings(&h.params), history[3]);
}

#[test]
fn a_preset_load_is_one_step() {
    let mut h = Harness::new();
    gesture(&h, "eq3_gain", -4.5);
    h.frame(Vec::new());
    let before = settings(&h.params);
    h.click(h.text_rect("Presets").center());
    let utility = h.text_rect("Utility").center();
    h.frame(vec![Event::PointerMoved(utility)]);
    h.frame(Vec::new());
    h.click(h.text_rect("Low cut 80 Hz").center());
    let loaded = settings(&h.params);
    assert_eq!(plain(&h.params, "eq1_freq"), 80.0);
    h.click(h.text_rect("Undo").center());
    assert_eq!(
        settings(&h.params),
        before,
        "every parameter as before the load"
    );
    assert_eq!(plain(&h.params, "eq3_gain"), -4.5);
    h.click(h.text_rect("Redo").center());
    assert_eq!(settings(&h.params), loaded);
}

fn active(params: &StrataParams) -> Slot {
    params.ab.lock().unwrap().active
}

/// Click the header's A/B control showing `text` (the first such text: the header's).
fn click_header(h: &mut Harness, text: &str) {
    let rect = h
        .texts()
        .into_iter()
        .filter(|(t, r)| t == text && r.top() < 40.0)
        .map(|(_, r)| r)
        .next()
        .unwrap_or_else(|| panic!("no {text:?} in the header"));
    h.click(rect.center());
}

#[test]
fn a_and_b_keep_their_own_settings_switch_as_one_step_and_are_saved() {
    let mut h = Harness::new();
    h.frame(Vec::new());
    gesture(&h, "eq2_gain", 3.0);
    let a = settings(&h.params);

    click_header(&mut h, "B");
    assert_eq!(active(&h.params), Slot::B);
    assert_eq!(settings(&h.params), a, "B starts as a copy of A");
    gesture(&h, "eq2_gain", -2.0);
    gesture(&h, "comp_on", 1.0);
    let b = settings(&h.params);

    click_header(&mut h, "A");
    assert_eq!(
        (active(&h.params), settings(&h.params)),
        (Slot::A, a.clone())
    );
    click_header(&mut h, "B");
    assert_eq!(
        (active(&h.params), settings(&h.params)),
        (Slot::B, b.clone())
    );

    // Undoing the switch switches back; redo switches again.
    undo_key(&mut h);
    assert_eq!(
        (active(&h.params), settings(&h.params)),
        (Slot::A, a.clone())
    );
    redo_key(&mut h);
    assert_eq!(
        (active(&h.params), settings(&h.params)),
        (Slot::B, b.clone())
    );

    // Both slots are in the plugin's saved state, and come back from it.
    let fields = h.params.serialize_fields();
    let restored = StrataParams::default();
    restored.deserialize_fields(&fields);
    let slots = restored.ab.lock().unwrap().clone();
    assert_eq!(slots.active, Slot::B);
    let stored_a = slots.other_state().unwrap().unwrap();
    assert_eq!(format!("{:?}", stored_a.params), a, "A's settings saved");

    // Copy B over A (B live: "B»A" writes the other slot, settings unchanged).
    click_header(&mut h, "B»A");
    assert_eq!(settings(&h.params), b);
    click_header(&mut h, "A");
    assert_eq!(settings(&h.params), b, "A is now B's copy");
    // And "B»A" while A is live loads B's settings over A: one undoable step.
    gesture(&h, "eq2_gain", 6.0);
    let edited_a = settings(&h.params);
    click_header(&mut h, "B»A");
    assert_eq!(settings(&h.params), b);
    undo_key(&mut h);
    assert_eq!(settings(&h.params), edited_a);
}
