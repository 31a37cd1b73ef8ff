//! Undo and redo of what the editor changes, and the A/B switch (which is itself a step).
//!
//! [`History`] stands between the editor and the host's GUI context: every gesture passes
//! through it on its way to the host, so it sees each one begin and end without the widgets
//! knowing. One gesture (a drag, a click, a typed value, all the parameters one action touches
//! together) is one step; so is a whole state the editor loads (a preset, a copy from the
//! other A/B slot). A step keeps the settings from before it; undoing loads those as a whole
//! state (applied between two blocks, gliding there) and keeps the settings it replaced for
//! redo. Host automation is not the editor's and makes no step. Runs on the GUI thread only.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};
use nice_plug::context::gui::GuiContext;
use nice_plug::prelude::*;

use crate::params::StrataParams;
use crate::presets::{self, ab::AbSlots, ab::Slot};

/// Steps kept; older ones are forgotten.
pub const DEPTH: usize = 200;

const UNDO: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Z);
const REDO: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::Z);

#[derive(Debug)]
enum Step {
    /// The parameters before the step.
    Settings(PluginState),
    /// The A/B switch: undone by switching back.
    AbSwitch,
}

/// The steps, kept with the plugin's editor so closing and reopening the window keeps them.
#[derive(Debug, Default)]
pub struct Steps {
    undo: VecDeque<Step>,
    redo: Vec<Step>,
    gesture: Option<Gesture>,
}

/// A gesture under way: the settings before it, the parameters it holds (with their values
/// when it took them), and whether any value has moved.
#[derive(Debug)]
struct Gesture {
    before: PluginState,
    open: Vec<(ParamPtr, f32)>,
    moved: bool,
}

impl Steps {
    fn push(&mut self, step: Step) {
        self.undo.push_back(step);
        if self.undo.len() > DEPTH {
            self.undo.pop_front();
        }
        self.redo.clear();
    }
}

/// The editor's GUI context: the host's, with every change recorded.
pub struct History {
    host: GuiContext,
    params: Arc<StrataParams>,
    steps: Arc<Mutex<Steps>>,
}

impl History {
    pub fn new(host: GuiContext, params: Arc<StrataParams>, steps: Arc<Mutex<Steps>>) -> History {
        History {
            host,
            params,
            steps,
        }
    }

    fn steps(&self) -> std::sync::MutexGuard<'_, Steps> {
        // Only the GUI thread takes it; a panic while held leaves steps that are still whole.
        self.steps.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn can_undo(&self) -> bool {
        let steps = self.steps();
        !steps.undo.is_empty() && steps.gesture.is_none()
    }

    pub fn can_redo(&self) -> bool {
        let steps = self.steps();
        !steps.redo.is_empty() && steps.gesture.is_none()
    }

    /// Undo the last step (nothing while a gesture is under way).
    pub fn undo(&self) {
        self.replay(|s| s.undo.pop_back(), |s, inverse| s.redo.push(inverse));
    }

    /// Redo the last step undone.
    pub fn redo(&self) {
        self.replay(|s| s.redo.pop(), |s, inverse| s.undo.push_back(inverse));
    }

    /// Carry out the step `take` gives and `keep` the step that takes it back.
    fn replay(
        &self,
        take: impl FnOnce(&mut Steps) -> Option<Step>,
        keep: impl FnOnce(&mut Steps, Step),
    ) {
        let mut steps = self.steps();
        if steps.gesture.is_some() {
            return;
        }
        if let Some(step) = take(&mut steps) {
            let inverse = self.apply(step);
            keep(&mut steps, inverse);
        }
    }

    /// Carry out `step` without recording it; the step that takes it back.
    fn apply(&self, step: Step) -> Step {
        match step {
            Step::Settings(state) => {
                let now = presets::capture(&self.params);
                self.host.set_state(state);
                Step::Settings(now)
            }
            Step::AbSwitch => {
                self.switch_slots();
                Step::AbSwitch
            }
        }
    }

    /// Switch between A and B: one step.
    pub fn switch_ab(&self) {
        if self.switch_slots() {
            self.steps().push(Step::AbSwitch);
        }
    }

    /// Whether the other slot's settings could be loaded (a stored slot that no longer
    /// loads is left as it is, and so are the live settings).
    fn switch_slots(&self) -> bool {
        let live = presets::capture(&self.params);
        let target = self.ab().switch(&live);
        match target {
            Ok(state) => {
                self.host.set_state(state);
                true
            }
            Err(_) => false,
        }
    }

    /// Copy the live slot over the other one (the settings do not change: no step).
    pub fn copy_to_other(&self) {
        let live = presets::capture(&self.params);
        self.ab().copy_to_other(&live);
    }

    /// Copy the other slot over the live one: one step.
    pub fn copy_from_other(&self) {
        let other = self.ab().other_state();
        if let Some(Ok(state)) = other {
            self.set_state(state);
        }
    }

    fn ab(&self) -> std::sync::MutexGuard<'_, AbSlots> {
        self.params.ab.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl GuiContextInner for History {
    fn plugin_api(&self) -> PluginApi {
        self.host.plugin_api()
    }

    unsafe fn raw_begin_set_parameter(&self, param: ParamPtr) {
        {
            let mut steps = self.steps();
            let gesture = steps.gesture.get_or_insert_with(|| Gesture {
                before: presets::capture(&self.params),
                open: Vec::new(),
                moved: false,
            });
            // SAFETY: `param` points into the editor's parameters, alive while it runs.
            gesture
                .open
                .push((param, unsafe { param.unmodulated_normalized_value() }));
        }
        // SAFETY: passed on as received.
        unsafe { self.host.raw_begin_set_parameter(param) };
    }

    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        {
            let mut steps = self.steps();
            match &mut steps.gesture {
                Some(gesture) => {
                    let start = gesture.open.iter().find(|(p, _)| *p == param).map(|p| p.1);
                    // SAFETY: as above.
                    let start =
                        start.unwrap_or_else(|| unsafe { param.unmodulated_normalized_value() });
                    gesture.moved |= (normalized - start).abs() > 1e-6;
                }
                // A change outside any gesture is a step of its own.
                None => {
                    // SAFETY: as above.
                    if (normalized - unsafe { param.unmodulated_normalized_value() }).abs() > 1e-6 {
                        let before = presets::capture(&self.params);
                        steps.push(Step::Settings(before));
                    }
                }
            }
        }
        // SAFETY: passed on as received.
        unsafe { self.host.raw_set_parameter_normalized(param, normalized) };
    }

    unsafe fn raw_end_set_parameter(&self, param: ParamPtr) {
        {
            let mut steps = self.steps();
            if let Some(gesture) = &mut steps.gesture {
                if let Some(i) = gesture.open.iter().position(|(p, _)| *p == param) {
                    gesture.open.remove(i);
                }
                if gesture.open.is_empty() {
                    let gesture = steps.gesture.take().expect("matched above");
                    if gesture.moved {
                        steps.push(Step::Settings(gesture.before));
                    }
                }
            }
        }
        // SAFETY: passed on as received.
        unsafe { self.host.raw_end_set_parameter(param) };
    }

    fn get_state(&self) -> PluginState {
        self.host.get_state()
    }

    /// A whole state from the editor (a preset, the other A/B slot): one step.
    fn set_state(&self, state: PluginState) {
        let before = presets::capture(&self.params);
        self.steps().push(Step::Settings(before));
        self.host.set_state(state);
    }

    fn request_restart(&self) {
        self.host.request_restart();
    }
}

/// Undo and redo buttons, with Ctrl+Z and Ctrl+Shift+Z (not while a text field has the
/// keyboard: it has its own undo).
pub fn buttons(ui: &mut Ui, history: &History) {
    let typing = ui.ctx().egui_wants_keyboard_input();
    let (undo_key, redo_key) = if typing {
        (false, false)
    } else {
        // Redo first: Ctrl+Shift+Z also matches Ctrl+Z when modifiers are matched loosely.
        let redo = ui.input_mut(|i| i.consume_shortcut(&REDO));
        (ui.input_mut(|i| i.consume_shortcut(&UNDO)), redo)
    };
    let button = |ui: &mut Ui, enabled, label, hover, nothing| {
        ui.add_enabled(enabled, egui::Button::new(RichText::new(label).size(11.0)))
            .on_hover_text(hover)
            .on_disabled_hover_text(nothing)
            .clicked()
    };
    let undo = history.can_undo();
    if button(
        ui,
        undo,
        "Undo",
        "Undo the last change (Ctrl+Z)",
        "Nothing to undo",
    ) || undo_key
    {
        history.undo();
    }
    let redo = history.can_redo();
    let redo_hover = "Redo what was undone (Ctrl+Shift+Z)";
    if button(ui, redo, "Redo", redo_hover, "Nothing to redo") || redo_key {
        history.redo();
    }
}

/// The A/B switch (click the slot not live) and the copies between the slots.
pub fn ab_buttons(ui: &mut Ui, history: &History, params: &StrataParams) {
    let (active, other_empty) = params
        .ab
        .lock()
        .map(|ab| (ab.active, ab.other.is_none()))
        .unwrap_or_default();
    for slot in [Slot::A, Slot::B] {
        let live = slot == active;
        let text = RichText::new(slot.letter()).size(12.0).strong();
        let hover = if live {
            format!("{}: the settings you hear and edit", slot.letter())
        } else {
            format!("Switch to {} (its own complete settings)", slot.letter())
        };
        if ui
            .selectable_label(live, text)
            .on_hover_text(hover)
            .clicked()
            && !live
        {
            history.switch_ab();
        }
    }
    // Copy from the live slot to the other, or back.
    for (from, to) in [(Slot::A, Slot::B), (Slot::B, Slot::A)] {
        let outward = from == active;
        let enabled = outward || !other_empty;
        let label = format!("{}»{}", from.letter(), to.letter());
        let hover = format!("Copy {}'s settings over {}'s", from.letter(), to.letter());
        if ui
            .add_enabled(enabled, egui::Button::new(RichText::new(label).size(11.0)))
            .on_hover_text(hover)
            .on_disabled_hover_text(format!(
                "{} is empty until you switch or copy",
                from.letter()
            ))
            .clicked()
        {
            if outward {
                history.copy_to_other();
            } else {
                history.copy_from_other();
            }
        }
    }
}
