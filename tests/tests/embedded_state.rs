//! A whole state from the editor (a preset) reaches the audio thread at once: checked and
//! resolved on the GUI side, applied between two blocks, never half-applied; a bad one is
//! refused and the settings stay.

use nice_plug::plugin::ParamValue;
use strata_standalone::host::EmbeddedStrata;

fn texts(s: &EmbeddedStrata) -> Vec<String> {
    s.param_ids()
        .iter()
        .map(|id| s.param_text(id).unwrap())
        .collect()
}

fn silence(s: &mut EmbeddedStrata) {
    let mut left = [0.0f32; 64];
    let mut right = [0.0f32; 64];
    s.process(&mut [&mut left, &mut right]);
}

#[test]
fn a_state_from_the_editor_is_applied_whole_by_the_audio_thread() {
    let mut source = EmbeddedStrata::new(48_000.0, 64, 2);
    for (id, value) in [
        ("eq3_on", "On"),
        ("eq3_type", "Notch"),
        ("eq3_freq", "2 kHz"),
        ("comp_ratio", "8"),
        ("lim_on", "On"),
        ("bypass", "On"),
    ] {
        source.set_param_text(id, value).unwrap();
    }
    let wanted = texts(&source);

    let mut s = EmbeddedStrata::new(48_000.0, 64, 2);
    let before = texts(&s);
    assert_ne!(before, wanted);
    let gui = s.gui_context();
    gui.set_state(source.state());
    assert_eq!(
        texts(&s),
        before,
        "applied on the GUI thread, not the audio thread"
    );
    silence(&mut s);
    assert_eq!(texts(&s), wanted, "not applied whole by the next block");

    // A state naming a parameter Strata does not have is refused whole.
    let mut bad = source.state();
    bad.params.insert("eq3_gain".into(), ParamValue::F32(-7.0));
    bad.params.insert("eq9_gain".into(), ParamValue::F32(3.0));
    gui.set_state(bad);
    silence(&mut s);
    assert_eq!(texts(&s), wanted, "a bad state changed the settings");
    // Of the wrong kind: refused too.
    let mut wrong = source.state();
    wrong
        .params
        .insert("eq3_type".into(), ParamValue::String("Sideways".into()));
    gui.set_state(wrong);
    silence(&mut s);
    assert_eq!(
        texts(&s),
        wanted,
        "a state of the wrong kind changed the settings"
    );
}
