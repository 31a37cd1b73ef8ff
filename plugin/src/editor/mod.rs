//! The editor: an egui window composed from `strata_ui` widgets. Header (bypass), the EQ view
//! over the live spectrum with the band strip under it, compressor and limiter sections, and
//! the input/output meters with loudness readouts.
//!
//! Every parameter change goes through nice-plug's `ParamSetter` as a begin/set/end gesture.
//!
//! Repaints: while audio with signal flows, the audio thread raises a flag with each meter
//! frame and the window (polling it every 33 ms) repaints at that pace; while the meters
//! still fall it keeps repainting itself; when all is still (silence, stopped transport) it
//! does not repaint at all until the user, the host (a parameter change) or new signal asks.
//! Closed, it costs nothing (the meters keep running on the audio thread).

pub mod analyzer;
pub mod dynamics_history;
mod dynamics_panel;
pub mod eq_panel;
mod header;
pub mod history;
mod meters_panel;
pub mod model;
pub mod preset_bar;
pub mod ui_scale;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use egui::{Pos2, Rect, RichText, Ui, UiBuilder, Vec2};
use nice_plug::context::gui::GuiContext;
use nice_plug::editor::dpi::LogicalSize;
use nice_plug::prelude::*;
use nice_plug_egui::{EguiEditor, EguiEditorState, EguiNiceSettings, NiceEguiApp, RepaintNotifier};
use strata_ui::theme;

use crate::params::StrataParams;
use crate::telemetry::{self, TelemetryReceiver};
pub use model::EditorModel;

/// Initial and smallest window sizes (logical pixels).
pub const DEFAULT_SIZE: (f32, f32) = (1100.0, 740.0);
pub const MIN_SIZE: (f32, f32) = (960.0, 600.0);
/// Repaint interval while open: the meters' pace.
const REPAINT: Duration = Duration::from_millis(33);

/// The window's size, kept across openings.
pub fn default_state() -> Arc<EguiEditorState> {
    EguiEditorState::from_size(LogicalSize::new(DEFAULT_SIZE.0, DEFAULT_SIZE.1), 1.0)
}

/// The telemetry wakes the editor by raising the flag its window polls.
impl telemetry::Wake for RepaintNotifier {
    fn wake(&self) {
        self.request_repaint();
    }
}

/// What a program that embeds the editor itself (the standalone) adds to it. A DAW adds
/// nothing: it has its own status display and closes the window itself.
pub trait EmbeddingHost: Send + Sync + 'static {
    /// A status line for the header's right side (devices, rates, xruns), read every frame.
    fn status_line(&self) -> Option<String>;
    /// Whether the window should close now (the program is stopping).
    fn close_requested(&self) -> bool;
    /// The flag the editor's window polls: raising it asks for a repaint (a new status).
    fn attach(&self, repaint: RepaintNotifier);
}

pub struct StrataEditor {
    params: Arc<StrataParams>,
    telemetry: Arc<Mutex<TelemetryReceiver>>,
    gui: Option<GuiContext>,
    /// Undo and redo, kept while the window is closed.
    steps: Arc<Mutex<history::Steps>>,
    model: EditorModel,
    started: Instant,
    host: Option<Arc<dyn EmbeddingHost>>,
}

/// What an editor is made from: the plugin's parameters, the GUI's end of its telemetry, the
/// flag the telemetry raises to wake the window, and the window's size.
pub struct EditorParts {
    pub params: Arc<StrataParams>,
    pub telemetry: Arc<Mutex<TelemetryReceiver>>,
    pub repaint: RepaintNotifier,
    pub state: Arc<EguiEditorState>,
}

/// The nice-plug editor for a plugin instance, with `host`'s additions if it is embedded.
pub fn create(
    parts: EditorParts,
    host: Option<Arc<dyn EmbeddingHost>>,
) -> Option<EguiEditor<StrataEditor>> {
    let EditorParts {
        params,
        telemetry,
        repaint,
        state,
    } = parts;
    if let Some(host) = &host {
        host.attach(repaint.clone());
    }
    let settings = EguiNiceSettings::new()
        .with_tile("Strata")
        .with_resize_hint(
            ResizeHint::resizable().with_min_logical_size(LogicalSize::new(MIN_SIZE.0, MIN_SIZE.1)),
        )
        // How often the window checks the flag: the meters' pace.
        .with_repaint_poll_interval(REPAINT);
    nice_plug_egui::create_egui_editor(
        state,
        repaint,
        settings,
        StrataEditor {
            params,
            telemetry,
            gui: None,
            steps: Default::default(),
            model: EditorModel::new(),
            started: Instant::now(),
            host,
        },
    )
}

impl NiceEguiApp for StrataEditor {
    fn build(
        &mut self,
        egui_ctx: egui::Context,
        gui: GuiContext,
        _frame: &mut nice_plug_egui::Frame,
    ) -> Result<(), nice_plug_egui::baseview::HandlerError> {
        theme::apply(&egui_ctx);
        // The scale is the header's setting (kept with the plugin's state), not a keyboard
        // shortcut that would drift from it.
        egui_ctx.options_mut(|o| o.zoom_with_keyboard = false);
        // Every change the editor makes passes through its history on the way to the host.
        let history = Arc::new(history::History::new(
            gui,
            self.params.clone(),
            self.steps.clone(),
        ));
        self.model.history = Some(history.clone());
        self.gui = Some(GuiContext::new(history));
        Ok(())
    }

    fn ui(&mut self, ui: &mut Ui, _frame: &mut nice_plug_egui::Frame) {
        let now_s = self.started.elapsed().as_secs_f64();
        // Only GUI-side code ever takes this lock.
        if let Ok(mut telemetry) = self.telemetry.lock() {
            self.model.poll(&mut telemetry, now_s);
            if std::mem::take(&mut self.model.reset_requested) {
                telemetry.request_loudness_reset();
            }
        }
        self.model.host_status = self.host.as_ref().and_then(|h| h.status_line());
        if let Some(gui) = &self.gui {
            draw(ui, &self.params, &gui.param_setter(), &mut self.model);
        }
        if self.host.as_ref().is_some_and(|h| h.close_requested()) {
            ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
        }
        if self.model.is_moving() {
            ui.ctx().request_repaint_after(REPAINT);
        }
    }

    fn editor_closed(&mut self) {
        // A solo held as the window closed must not outlive it.
        let none = crate::params::NO_SOLO;
        self.params
            .soloed_band
            .store(none, std::sync::atomic::Ordering::Relaxed);
        self.gui = None;
        self.model.history = None;
    }
}

/// Where each part of the editor goes in `full`: header, EQ view, band strip, dynamics,
/// meters. The EQ and the meters take what grows; the dynamics row grows a little with the
/// height (its curve with it) and keeps the compressor's two knob rows whole at any size from
/// the minimum up.
pub struct Layout {
    pub header: Rect,
    pub eq: Rect,
    pub strip: Rect,
    pub dynamics: Rect,
    pub meters: Rect,
}

impl Layout {
    pub fn new(full: Rect) -> Layout {
        let gap = 8.0;
        let header = Rect::from_min_size(full.min, Vec2::new(full.width(), 34.0));
        let body = Rect::from_min_max(
            Pos2::new(full.left() + gap, header.bottom()),
            full.max - Vec2::splat(gap),
        );
        let meters_width = 220.0;
        let meters =
            Rect::from_min_max(Pos2::new(body.right() - meters_width, body.top()), body.max);
        let main = Rect::from_min_max(body.min, Pos2::new(meters.left() - gap, body.bottom()));
        let dynamics_height = (body.height() * 0.3).clamp(212.0, 280.0);
        let strip_height = 96.0;
        let dynamics = Rect::from_min_max(
            Pos2::new(main.left(), main.bottom() - dynamics_height),
            main.max,
        );
        let strip = Rect::from_min_max(
            Pos2::new(main.left(), dynamics.top() - gap - strip_height),
            Pos2::new(main.right(), dynamics.top() - gap),
        );
        let eq = Rect::from_min_max(main.min, Pos2::new(main.right(), strip.top() - gap));
        Layout {
            header,
            eq,
            strip,
            dynamics,
            meters,
        }
    }
}

/// Lay the editor out in `ui`'s whole area. While bypassed, what is bypassed (EQ, band strip,
/// dynamics) is greyed out; it stays editable.
pub fn draw(ui: &mut Ui, params: &StrataParams, setter: &ParamSetter, model: &mut EditorModel) {
    ui_scale::apply(ui, params);
    let full = ui.max_rect();
    ui.painter().rect_filled(full, 0.0, theme::BACKGROUND);
    let l = Layout::new(full);
    in_rect(ui, l.header, |ui| header::show(ui, params, setter, model));
    in_rect(ui, l.eq, |ui| eq_panel::view(ui, params, setter, model));
    in_rect(ui, l.strip, |ui| {
        eq_panel::band_strip(ui, params, setter, model)
    });
    in_rect(ui, l.dynamics, |ui| {
        dynamics_panel::show(ui, params, setter, model)
    });
    if params.bypass.value() {
        let shade = theme::BACKGROUND.gamma_multiply(0.6);
        for rect in [l.eq, l.strip, l.dynamics] {
            ui.painter().rect_filled(rect, 6.0, shade);
        }
    }
    in_rect(ui, l.meters, |ui| {
        meters_panel::show(ui, params, setter, model)
    });
}

fn in_rect(ui: &mut Ui, rect: Rect, add: impl FnOnce(&mut Ui)) {
    ui.scope_builder(UiBuilder::new().max_rect(rect), add);
}

/// A titled panel filling its rectangle.
fn section(ui: &mut Ui, title: &str, add: impl FnOnce(&mut Ui)) {
    let rect = ui.max_rect();
    ui.painter().rect_filled(rect, 6.0, theme::PANEL);
    let inner = rect.shrink(8.0);
    in_rect(ui, inner, |ui| {
        if !title.is_empty() {
            ui.label(
                RichText::new(title)
                    .size(11.0)
                    .strong()
                    .color(theme::TEXT_DIM),
            );
        }
        add(ui);
    });
}
