//! Strata without a plugin host: the same `Plugin`, driven through nice-plug's public API
//! (activation, a `ProcessContext`, `Buffer::set_slices`, parameters by their stable ids).
//! The standalone program and the in-process tests use it.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use nice_plug::context::gui::GuiContext;
use nice_plug::prelude::*;

use crate::Strata;
use crate::editor::StrataEditor;
use crate::gui_host::{self, ParamQueue};

/// Why a parameter could not be set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParamError {
    UnknownId {
        id: String,
        known: Vec<String>,
    },
    BadValue {
        id: String,
        text: String,
        /// The values it takes: every choice, or the range.
        valid: String,
    },
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ParamError::UnknownId { id, known } => {
                write!(
                    f,
                    "unknown parameter id '{id}'; valid ids: {}",
                    known.join(", ")
                )
            }
            ParamError::BadValue { id, text, valid } => {
                write!(f, "'{text}' is not a valid value for '{id}'; {valid}")
            }
        }
    }
}

impl std::error::Error for ParamError {}

/// An activated Strata instance processing plain channel slices.
pub struct EmbeddedStrata {
    plugin: Strata,
    params: HashMap<String, ParamPtr>,
    ids: Vec<String>,
    sample_rate: f32,
    max_block: usize,
    channels: usize,
    latency: Arc<AtomicU32>,
    transport: Transport,
    buffer: Buffer<'static>,
    /// The editor's parameter changes, applied before each block.
    gui_queue: Option<ParamQueue>,
    gui_context: Option<GuiContext>,
}

// SAFETY: the parameter pointers point into the plugin's own `Arc<StrataParams>`, which the
// plugin (owned by this struct) keeps alive; they are only dereferenced through `&self`/`&mut self`.
unsafe impl Send for EmbeddedStrata {}

impl EmbeddedStrata {
    /// Create and activate an instance for `channels` (1 or 2) at `sample_rate`, processing
    /// blocks of at most `max_block` samples.
    pub fn new(sample_rate: f32, max_block: usize, channels: usize) -> EmbeddedStrata {
        let plugin = Strata::default();
        let map = plugin.params().param_map();
        let ids = map.iter().map(|(id, _, _)| id.clone()).collect();
        let params = map.into_iter().map(|(id, ptr, _)| (id, ptr)).collect();
        let mut this = EmbeddedStrata {
            plugin,
            params,
            ids,
            sample_rate,
            max_block,
            channels: channels.clamp(1, 2),
            latency: Arc::new(AtomicU32::new(0)),
            transport: Transport::new(sample_rate),
            buffer: Buffer::default(),
            gui_queue: None,
            gui_context: None,
        };
        this.activate();
        this
    }

    fn activate(&mut self) {
        let layout = Strata::AUDIO_IO_LAYOUTS
            .iter()
            .find(|l| l.main_output_channels.map(|c| c.get() as usize) == Some(self.channels))
            .copied()
            .unwrap_or(Strata::AUDIO_IO_LAYOUTS[0]);
        let config = BufferConfig {
            sample_rate: self.sample_rate,
            min_buffer_size: None,
            max_buffer_size: self.max_block as u32,
            process_mode: ProcessMode::Realtime,
        };
        for ptr in self.params.values() {
            // SAFETY: see the `Send` impl; the pointers are valid while `plugin` lives.
            unsafe { ptr._internal_update_smoother(self.sample_rate, true) };
        }
        let mut context = Context {
            latency: &self.latency,
            transport: &self.transport,
        };
        self.plugin.activate(&layout, &config, &mut context);
        self.plugin.reset();
        // Room for the channel slices, so processing never allocates.
        let mut slices = Vec::with_capacity(self.channels);
        slices.clear();
        unsafe { self.buffer.set_slices(0, |s| *s = slices) };
    }

    /// Re-activate at a new rate and block size (a device re-opened differently), keeping the
    /// parameters, the editor's connection and the meters' readers.
    pub fn reconfigure(&mut self, sample_rate: f32, max_block: usize) {
        self.sample_rate = sample_rate;
        self.max_block = max_block;
        self.transport = Transport::new(sample_rate);
        self.settle();
    }

    pub fn max_block(&self) -> usize {
        self.max_block
    }

    pub fn sample_rate(&self) -> f32 {
        self.sample_rate
    }

    pub fn channels(&self) -> usize {
        self.channels
    }

    /// The context an editor of this instance talks to: its parameter changes reach the audio
    /// thread through a queue that `process` drains.
    pub fn gui_context(&mut self) -> GuiContext {
        if self.gui_context.is_none() {
            let params = self
                .ids
                .iter()
                .map(|id| (id.clone(), self.params[id]))
                .collect();
            let (context, queue) = gui_host::channel(params);
            self.gui_context = Some(context);
            self.gui_queue = Some(queue);
        }
        self.gui_context.clone().expect("just made")
    }

    /// The plugin's editor (spawn it with `gui_context()`).
    pub fn editor(&mut self) -> Option<nice_plug_egui::EguiEditor<StrataEditor>> {
        let executor = AsyncExecutor::new(Arc::new(|_| {}), Arc::new(|_| {}));
        self.plugin.editor(executor)
    }

    /// The plugin's parameters, for an editor's `ParamSetter`.
    pub fn params(&self) -> std::sync::Arc<crate::params::StrataParams> {
        self.plugin.strata_params()
    }

    /// The plugin's meter frames and analyzer feed (the GUI's end).
    pub fn telemetry(
        &self,
    ) -> std::sync::Arc<std::sync::Mutex<crate::telemetry::TelemetryReceiver>> {
        self.plugin.telemetry()
    }

    /// The editor header's host status line (and the window's close request).
    pub fn host_status(&self) -> crate::editor::HostStatus {
        self.plugin.host_status()
    }

    /// Latency the plugin reports, in samples.
    pub fn latency_samples(&self) -> u32 {
        self.latency.load(Ordering::Relaxed)
    }

    /// Every parameter's stable id, in the plugin's order.
    pub fn param_ids(&self) -> &[String] {
        &self.ids
    }

    fn ptr(&self, id: &str) -> Result<ParamPtr, ParamError> {
        self.params
            .get(id)
            .copied()
            .ok_or_else(|| ParamError::UnknownId {
                id: id.to_string(),
                known: self.ids.clone(),
            })
    }

    /// Set a parameter from text in its own display units (`"6"`, `"1.5 kHz"`, `"Bell"`).
    pub fn set_param_text(&mut self, id: &str, text: &str) -> Result<(), ParamError> {
        let ptr = self.ptr(id)?;
        // SAFETY: valid pointer (see `Send` impl).
        let normalized = unsafe { ptr.string_to_normalized_value(text) };
        match normalized {
            Some(n) => {
                self.set_param_normalized(id, n)?;
                Ok(())
            }
            None => Err(ParamError::BadValue {
                id: id.to_string(),
                text: text.to_string(),
                valid: unsafe { describe_values(ptr) },
            }),
        }
    }

    /// Set a parameter from its normalised value; it glides (smooths) from the next block on.
    pub fn set_param_normalized(&mut self, id: &str, normalized: f32) -> Result<(), ParamError> {
        let ptr = self.ptr(id)?;
        unsafe {
            ptr._internal_set_normalized_value(normalized.clamp(0.0, 1.0));
            ptr._internal_update_smoother(self.sample_rate, false);
        }
        Ok(())
    }

    /// Jump every parameter to its value, without gliding, and start the processing from rest
    /// (as a host does when it restores a session before playing).
    pub fn settle(&mut self) {
        for ptr in self.params.values() {
            // SAFETY: valid pointers (see the `Send` impl).
            unsafe { ptr._internal_update_smoother(self.sample_rate, true) };
        }
        self.activate();
    }

    /// Every parameter's current value, in the form presets and hosts store.
    pub fn state(&self) -> PluginState {
        let params: Vec<(String, ParamPtr)> = self
            .ids
            .iter()
            .map(|id| (id.clone(), self.params[id]))
            .collect();
        // SAFETY: valid pointers (see the `Send` impl).
        unsafe { crate::state::capture(params.iter().map(|(id, p)| (id, *p))) }
    }

    /// Load a stored state (a preset) and settle on it. A state with an unknown parameter or a
    /// value of the wrong kind is refused whole: the settings from before stay.
    pub fn load_state(&mut self, state: &PluginState) -> Result<(), crate::state::StateError> {
        let params: Vec<(String, ParamPtr)> = self
            .ids
            .iter()
            .map(|id| (id.clone(), self.params[id]))
            .collect();
        // SAFETY: valid pointers (see the `Send` impl).
        unsafe { crate::state::apply(state, &params) }?;
        self.settle();
        Ok(())
    }

    pub fn param_normalized(&self, id: &str) -> Result<f32, ParamError> {
        Ok(unsafe { self.ptr(id)?.unmodulated_normalized_value() })
    }

    /// The parameter's value as display text, with unit.
    pub fn param_text(&self, id: &str) -> Result<String, ParamError> {
        let ptr = self.ptr(id)?;
        Ok(unsafe { ptr.normalized_value_to_string(ptr.unmodulated_normalized_value(), true) })
    }

    /// Process `channels` in place (each the same length, at most `max_block` samples).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        let n = channels.first().map_or(0, |c| c.len());
        debug_assert!(n <= self.max_block && channels.len() == self.channels);
        if let Some(queue) = &mut self.gui_queue {
            queue.apply(self.sample_rate);
        }
        // SAFETY: the slices live for this call only; the buffer forgets them before returning.
        unsafe {
            self.buffer.set_slices(n, |slices| {
                slices.clear();
                for c in channels.iter_mut() {
                    slices.push(std::mem::transmute::<&mut [f32], &'static mut [f32]>(
                        &mut **c,
                    ));
                }
            });
        }
        let mut aux = AuxiliaryBuffers {
            inputs: &mut [],
            outputs: &mut [],
        };
        let mut context = Context {
            latency: &self.latency,
            transport: &self.transport,
        };
        self.plugin
            .process(&mut self.buffer, &mut aux, &mut context);
        unsafe { self.buffer.set_slices(0, |slices| slices.clear()) };
    }
}

/// The values a parameter takes, as text: every choice of a stepped parameter with few steps,
/// else its range and default.
///
/// # Safety
/// `ptr` must point to a live parameter.
unsafe fn describe_values(ptr: ParamPtr) -> String {
    // SAFETY: the caller's contract.
    let text = |n: f32| unsafe { ptr.normalized_value_to_string(n, true) };
    match unsafe { ptr.step_count() } {
        Some(steps) if steps <= 16 => {
            let values: Vec<String> = (0..=steps)
                .map(|i| format!("'{}'", text(i as f32 / steps as f32)))
                .collect();
            format!("one of {}", values.join(", "))
        }
        _ => format!(
            "from '{}' to '{}' (default '{}')",
            text(0.0),
            text(1.0),
            text(unsafe { ptr.default_normalized_value() })
        ),
    }
}

/// The process and activation context of an embedded instance.
struct Context<'a> {
    latency: &'a AtomicU32,
    transport: &'a Transport,
}

impl ProcessContext<Strata> for Context<'_> {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Standalone
    }

    fn execute_background(&self, _task: ()) {}

    fn execute_gui(&self, _task: ()) {}

    fn transport(&self) -> &Transport {
        self.transport
    }

    fn next_event(&mut self) -> Option<PluginNoteEvent<Strata>> {
        None
    }

    fn try_send_event(
        &mut self,
        event: PluginNoteEvent<Strata>,
    ) -> Result<
        (),
        (
            PluginNoteEvent<Strata>,
            nice_plug::context::process::SendEventError,
        ),
    > {
        Err((
            event,
            nice_plug::context::process::SendEventError::NoOutputBuffer,
        ))
    }

    fn set_latency_samples(&self, samples: u32) {
        self.latency.store(samples, Ordering::Relaxed);
    }

    fn request_restart(&self) {}

    fn set_current_voice_capacity(&self, _capacity: u32) {}
}

impl ActivateContext<Strata> for Context<'_> {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Standalone
    }

    fn execute(&self, _task: ()) {}

    fn set_latency_samples(&self, samples: u32) {
        self.latency.store(samples, Ordering::Relaxed);
    }

    fn set_current_voice_capacity(&self, _capacity: u32) {}
}
