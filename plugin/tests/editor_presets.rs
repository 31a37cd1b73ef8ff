//! The editor's preset bar, driven headless: a preset chosen from the categorised menu reaches
//! the host whole as one state (applied there between two blocks), its name is shown, a "*"
//! appears once a setting differs from it, and previous/next step through the list.

use egui::Event;
use strata::presets::factory;

// Each test binary uses part of the shared helpers.
#[allow(dead_code)]
mod common;

use common::editor::{Harness, key_press, plain, set_plain};

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

/// An editor whose user presets go to a fresh folder of the test's own.
fn with_user_folder(test: &str) -> (Harness, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("strata-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut h = Harness::new();
    h.model.presets.user_dir = Some(dir.clone());
    (h, dir)
}

#[test]
fn save_as_writes_a_user_preset_and_never_overwrites_one() {
    let (mut h, dir) = with_user_folder("save-as");
    set_plain(&h.params, "out_gain", -4.0);
    let key = |key| key_press(key, egui::Modifiers::NONE);
    let save_as = |h: &mut Harness, name: &str| {
        h.frame(Vec::new());
        h.click(
            h.texts()
                .iter()
                .find(|(t, _)| t == "Presets" || t.starts_with("My mix"))
                .unwrap()
                .1
                .center(),
        );
        h.click(h.text_rect("Save as…").center());
        h.frame(vec![Event::Text(name.into())]);
        h.frame(vec![key(egui::Key::Enter)]);
        h.frame(Vec::new());
    };
    save_as(&mut h, "My mix");
    let file = dir.join("My mix.json");
    let saved = std::fs::read_to_string(&file).expect("the preset file");
    assert!(saved.contains("\"out_gain\": -4"), "{saved}");
    assert!(saved.contains("\"category\": \"User\""), "{saved}");
    // It is the loaded preset now, and listed under User.
    h.text_rect("My mix");
    assert!(
        h.model
            .presets
            .list()
            .iter()
            .any(|p| p.category == "User" && p.name == "My mix")
    );

    // The same name again, with other settings: refused in the window, the file untouched.
    set_plain(&h.params, "out_gain", -2.0);
    save_as(&mut h, "My mix");
    h.text_rect("'My mix' exists already: choose another name");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), saved);
    // Escape closes the window without saving.
    h.frame(vec![key(egui::Key::Escape)]);
    h.frame(Vec::new());
    assert!(h.texts().iter().all(|(t, _)| t != "Save preset"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_loaded_user_preset_can_be_saved_over_renamed_and_deleted() {
    let (mut h, dir) = with_user_folder("rename");
    let key = |key| key_press(key, egui::Modifiers::NONE);
    // Open the preset menu (labelled with whatever is loaded) and pick `item`.
    let menu = |h: &mut Harness, label: &str, item: &str| {
        h.frame(Vec::new());
        h.click(h.text_rect(label).center());
        h.click(h.text_rect(item).center());
    };
    // Replace the dialog's name with `name` and confirm.
    let name_and_enter = |h: &mut Harness, name: &str| {
        let select_all = key_press(egui::Key::A, egui::Modifiers::COMMAND);
        h.frame(vec![select_all, Event::Text(name.into())]);
        h.frame(vec![key(egui::Key::Enter)]);
        h.frame(Vec::new());
    };
    set_plain(&h.params, "out_gain", -4.0);
    menu(&mut h, "Presets", "Save as…");
    name_and_enter(&mut h, "My mix");
    let first = dir.join("My mix.json");
    assert!(first.exists());
    // Factory presets cannot be renamed: only a user preset offers it.
    assert!(h.texts().iter().all(|(t, _)| t != "Rename…"));

    // Save over it on purpose.
    set_plain(&h.params, "out_gain", -2.5);
    h.frame(Vec::new());
    menu(&mut h, "My mix *", "Save over 'My mix'");
    assert!(
        std::fs::read_to_string(&first)
            .unwrap()
            .contains("\"out_gain\": -2.5")
    );
    h.frame(Vec::new());
    h.text_rect("My mix");

    // Rename: a new file, the old one gone, the bar shows the new name.
    menu(&mut h, "My mix", "Rename…");
    name_and_enter(&mut h, "Vocal take");
    let renamed = dir.join("Vocal take.json");
    assert!(renamed.exists() && !first.exists());
    assert!(
        std::fs::read_to_string(&renamed)
            .unwrap()
            .contains("\"name\": \"Vocal take\"")
    );
    h.text_rect("Vocal take");

    // Delete: asked first; the file goes, the settings stay.
    menu(&mut h, "Vocal take", "Delete…");
    h.text_rect("Delete the preset 'Vocal take'? Its file goes; the settings stay.");
    h.click(h.text_rect("Delete").center());
    h.frame(Vec::new());
    assert!(!renamed.exists());
    assert_eq!(plain(&h.params, "out_gain"), -2.5);
    h.text_rect("Presets");
    assert!(h.model.presets.list().iter().all(|p| p.category != "User"));
    std::fs::remove_dir_all(&dir).unwrap();
}
