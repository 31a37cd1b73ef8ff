//! The editor driven headless by synthetic egui input: a host that records every gesture, and
//! a harness that runs editor frames, clicks, drags and reads back what was painted (texts and
//! their rectangles, widget rectangles).

use std::sync::{Arc, Mutex};

use egui::epaint::ClippedShape;
use egui::{Event, Modifiers, PointerButton, Pos2, RawInput, Rect, Shape, Vec2};
use nice_plug::context::gui::GuiContext;
use nice_plug::params::InternalParamMut;
use nice_plug::plugin::ParamValue;
use nice_plug::prelude::*;
use strata::editor::{self, EditorModel};
use strata::params::StrataParams;
use strata_ui::eq_view::Axes;

#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    Begin(String),
    Set(String),
    End(String),
}

impl Call {
    pub fn id(&self) -> &str {
        let (Call::Begin(i) | Call::Set(i) | Call::End(i)) = self;
        i
    }
}

/// A host that applies every change at once and writes down what the editor called (whole
/// states apart: a host applies those between two blocks, as one).
pub struct RecordingHost {
    ids: Vec<(String, ParamPtr)>,
    calls: Mutex<Vec<Call>>,
    states: Mutex<Vec<PluginState>>,
}

impl RecordingHost {
    fn id(&self, param: ParamPtr) -> String {
        self.ids
            .iter()
            .find(|(_, p)| *p == param)
            .map(|(id, _)| id.clone())
            .expect("a Strata parameter")
    }
    fn record(&self, call: Call) {
        self.calls.lock().unwrap().push(call);
    }

    /// Set every parameter `state` lists, as a host restoring it does (no gestures).
    pub fn apply(&self, state: &PluginState) {
        for (id, value) in &state.params {
            let (_, ptr) = self.ids.iter().find(|(i, _)| i == id).expect("a Strata id");
            // SAFETY: the pointers are into `params`, alive for the whole test.
            unsafe {
                match (ptr, value) {
                    (ParamPtr::EnumParam(p), ParamValue::String(choice)) => {
                        assert!((**p).set_from_id(choice), "{id}: {choice}");
                    }
                    // Exactly the plain value, as nice-plug's state loading sets it.
                    (ParamPtr::FloatParam(p), ParamValue::F32(v)) => {
                        (**p)._internal_set_plain_value(*v);
                    }
                    (_, ParamValue::Bool(b)) => {
                        ptr._internal_set_normalized_value(if *b { 1.0 } else { 0.0 });
                    }
                    (_, other) => panic!("{id}: {other:?}"),
                }
            }
        }
    }

    /// The whole states the editor asked the host to load.
    pub fn states(&self) -> Vec<PluginState> {
        self.states.lock().unwrap().clone()
    }
}

impl GuiContextInner for RecordingHost {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Standalone
    }
    unsafe fn raw_begin_set_parameter(&self, param: ParamPtr) {
        self.record(Call::Begin(self.id(param)));
    }
    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        self.record(Call::Set(self.id(param)));
        // SAFETY: the pointer is into `params`, alive for the whole test.
        unsafe { param._internal_set_normalized_value(normalized) };
    }
    unsafe fn raw_end_set_parameter(&self, param: ParamPtr) {
        self.record(Call::End(self.id(param)));
    }
    fn get_state(&self) -> PluginState {
        unimplemented!("not used by the editor")
    }
    fn set_state(&self, state: PluginState) {
        self.apply(&state);
        self.states.lock().unwrap().push(state);
    }
    fn request_restart(&self) {}
}

pub const DEFAULT_SIZE: Vec2 = Vec2::new(editor::DEFAULT_SIZE.0, editor::DEFAULT_SIZE.1);

pub struct Harness {
    pub ctx: egui::Context,
    pub params: Arc<StrataParams>,
    pub host: Arc<RecordingHost>,
    pub gui: GuiContext,
    pub model: EditorModel,
    pub time_s: f64,
    pub size: Vec2,
    /// What the last frame painted.
    pub shapes: Vec<ClippedShape>,
}

impl Harness {
    pub fn new() -> Harness {
        Harness::with_size(DEFAULT_SIZE)
    }

    pub fn with_size(size: Vec2) -> Harness {
        let params = Arc::new(StrataParams::default());
        let ids = params
            .param_map()
            .into_iter()
            .map(|(id, ptr, _)| (id, ptr))
            .collect();
        let host = Arc::new(RecordingHost {
            ids,
            calls: Mutex::new(Vec::new()),
            states: Mutex::new(Vec::new()),
        });
        let ctx = egui::Context::default();
        strata_ui::theme::apply(&ctx);
        // As the editor's `build` wires it: every change through the undo history.
        let history = Arc::new(editor::history::History::new(
            GuiContext::new(host.clone()),
            params.clone(),
            Default::default(),
        ));
        Harness {
            ctx,
            params,
            gui: GuiContext::new(history.clone()),
            host,
            model: {
                let mut model = EditorModel::new();
                // Factory presets only: the machine's own user presets are not the test's.
                model.presets.user_dir = None;
                model.history = Some(history);
                model
            },
            time_s: 0.0,
            size,
            shapes: Vec::new(),
        }
    }

    /// One editor frame with these input events.
    pub fn frame(&mut self, events: Vec<Event>) {
        let model = &mut self.model;
        self.shapes = Self::run(
            &self.ctx,
            &self.gui,
            &self.params,
            &mut self.time_s,
            self.size,
            events,
            |ui, params, setter| editor::draw(ui, params, setter, model),
        );
    }

    /// One frame of `draw` (the editor, or a single widget) with these input events; what it
    /// painted.
    pub fn run(
        ctx: &egui::Context,
        gui: &GuiContext,
        params: &StrataParams,
        time_s: &mut f64,
        size: Vec2,
        events: Vec<Event>,
        mut draw: impl FnMut(&mut egui::Ui, &StrataParams, &ParamSetter),
    ) -> Vec<ClippedShape> {
        *time_s += 1.0 / 30.0;
        let input = RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, size)),
            time: Some(*time_s),
            events,
            ..Default::default()
        };
        let setter = gui.param_setter();
        let mut output = ctx.run_ui(input, |ui| draw(ui, params, &setter));
        // No renderer here to take the font atlas.
        output.textures_delta.clear();
        output.shapes
    }

    pub fn press(&mut self, pos: Pos2, button: PointerButton, pressed: bool, modifiers: Modifiers) {
        self.frame(vec![Event::PointerButton {
            pos,
            button,
            pressed,
            modifiers,
        }]);
    }

    pub fn button(&mut self, pos: Pos2, pressed: bool) {
        self.press(pos, PointerButton::Primary, pressed, Modifiers::NONE);
    }

    /// Move there, press and release (a click), then let a frame pass.
    pub fn click_with(&mut self, pos: Pos2, button: PointerButton) {
        self.frame(vec![Event::PointerMoved(pos)]);
        self.press(pos, button, true, Modifiers::NONE);
        self.press(pos, button, false, Modifiers::NONE);
        self.frame(Vec::new());
    }

    pub fn click(&mut self, pos: Pos2) {
        self.click_with(pos, PointerButton::Primary);
    }

    /// Press at `from`, move to `to` in steps (egui needs movement to call it a drag); the
    /// button is still down afterwards.
    pub fn drag_to(&mut self, from: Pos2, to: Pos2) {
        self.frame(vec![Event::PointerMoved(from)]);
        self.button(from, true);
        for k in 1..=6 {
            let p = from + (to - from) * (k as f32 / 6.0);
            self.frame(vec![Event::PointerMoved(p)]);
        }
    }

    /// Where the editor draws `band`'s node, and the view's axes.
    pub fn node(&self, band: usize) -> (Axes, Pos2) {
        let axes = self.axes();
        let pos = axes.node_pos(&editor::eq_panel::nodes(&self.params)[band]);
        (axes, pos)
    }

    /// The EQ view's axes as last drawn.
    pub fn axes(&self) -> Axes {
        let rect = self.model.eq_rect.expect("the EQ view was drawn");
        Axes::new(rect, editor::eq_panel::range_db(&self.params))
    }

    pub fn calls(&self) -> Vec<Call> {
        self.host.calls.lock().unwrap().clone()
    }

    pub fn clear_calls(&self) {
        self.host.calls.lock().unwrap().clear();
    }

    /// Every (non-blank) text the last frame painted, with its rectangle.
    pub fn texts(&self) -> Vec<(String, Rect)> {
        fn walk(shape: &Shape, out: &mut Vec<(String, Rect)>) {
            match shape {
                Shape::Text(t) if !t.galley.text().trim().is_empty() => {
                    out.push((t.galley.text().to_string(), t.visual_bounding_rect()))
                }
                Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        for s in &self.shapes {
            walk(&s.shape, &mut out);
        }
        out
    }

    /// The rectangle of the painted text equal to `text` (panics, listing the texts, if none).
    pub fn text_rect(&self, text: &str) -> Rect {
        let texts = self.texts();
        texts
            .iter()
            .find(|(t, _)| t == text)
            .map(|(_, r)| *r)
            .unwrap_or_else(|| {
                let all: Vec<&String> = texts.iter().map(|(t, _)| t).collect();
                panic!("no text {text:?} painted; painted: {all:?}")
            })
    }
}

/// The parameter with id `id`.
pub fn param(params: &StrataParams, id: &str) -> ParamPtr {
    params
        .param_map()
        .into_iter()
        .find(|(i, _, _)| i == id)
        .map(|(_, p, _)| p)
        .unwrap_or_else(|| panic!("no parameter {id}"))
}

/// Set a parameter directly, as a restored state would (no gesture).
pub fn set_plain(params: &StrataParams, id: &str, plain: f32) {
    let p = param(params, id);
    // SAFETY: `params` is alive and owns what `p` points to.
    unsafe { p._internal_set_normalized_value(p.preview_normalized(plain)) };
}

/// A parameter's plain value.
pub fn plain(params: &StrataParams, id: &str) -> f32 {
    // SAFETY: as in `set_plain`.
    unsafe { param(params, id).unmodulated_plain_value() }
}

/// A key going down with `modifiers` held.
pub fn key_press(key: egui::Key, modifiers: Modifiers) -> Event {
    Event::Key {
        key,
        physical_key: None,
        pressed: true,
        repeat: false,
        modifiers,
    }
}
