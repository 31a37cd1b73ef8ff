//! The editor's preset bar, driven headless: a preset chosen from the categorised menu reaches
//! the host whole as one state (applied there between two blocks), its name is shown, a "*"
//! appears once a setting differs from it, and previous/next step through the list.

use egui::Event;
use strata::presets::factory;

// Each test binary uses part of the shared helpers.
#[allow(dead_code)]
mod common;

use common::editor::{Harness, plain, set_plain};

#[test]
fn a_preset_from_the_menu_loads_whole_and_shows_its_name_and_changes() {
    let mut h = Harness::new();
    h.frame(Vec::new());
    h.click(h.text_rect("Presets").center());
    // The categories open on hover, as a menu does.
    let utility = h.text_rect("Utility").center();
    h.frame(vec![Event::PointerMoved(utility)]);
    h.frame(Vec::new());
    h.click(h.text_rect("Low cut 80 Hz").center());
    let states = h.host.states();
    assert_eq!(
        states.len(),
        1,
        "one whole state, not parameter by parameter"
    );
    assert!(
        h.calls().is_empty(),
        "no per-parameter gestures: {:?}",
        h.calls()
    );
    // The host applied it (between two blocks); the editor shows the preset.
    assert_eq!(plain(&h.params, "eq1_freq"), 80.0);
    assert_eq!(plain(&h.params, "eq1_on"), 1.0);
    h.frame(Vec::new());
    h.text_rect("Low cut 80 Hz");
    // A change: the name is marked.
    set_plain(&h.params, "eq1_freq", 100.0);
    h.frame(Vec::new());
    h.text_rect("Low cut 80 Hz *");
    // Back as it was: unmarked again.
    set_plain(&h.params, "eq1_freq", 80.0);
    h.frame(Vec::new());
    h.text_rect("Low cut 80 Hz");
}

#[test]
fn settings_that_are_a_preset_are_shown_as_that_preset() {
    let mut h = Harness::new();
    // As the standalone's --preset does before the editor opens.
    let preset = factory::all()
        .into_iter()
        .find(|p| p.name == "Telephone band")
        .unwrap();
    h.host.apply(&preset.to_state().unwrap());
    h.frame(Vec::new());
    h.text_rect("Telephone band");
}

#[test]
fn previous_and_next_step_through_every_preset() {
    let mut h = Harness::new();
    h.frame(Vec::new());
    let all = factory::all();
    let next = h.text_rect(">").center();
    h.click(next);
    h.text_rect(&all[0].name);
    h.click(next);
    h.text_rect(&all[1].name);
    let previous = h.text_rect("<").center();
    h.click(previous);
    h.click(previous);
    // Around the start: the last preset.
    assert_eq!(h.host.states().len(), 4);
    let last = h.host.states().last().cloned().unwrap();
    let want = all.last().unwrap().to_state().unwrap();
    assert_eq!(format!("{:?}", last.params), format!("{:?}", want.params));
    h.frame(Vec::new());
    h.text_rect(&all.last().unwrap().name);
}
