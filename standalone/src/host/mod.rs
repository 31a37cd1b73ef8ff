//! Strata without a plugin host: the same `Plugin`, driven through nice-plug's public API
//! (activation, a `ProcessContext`, `Buffer::set_slices`, parameters by their stable ids).
//! The standalone program and the in-process tests use it; a DAW never loads this code.

mod gui_context;
mod params;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use nice_plug::context::gui::GuiContext;
use nice_plug::prelude::*;
use strata::Strata;
use strata::editor::{EmbeddingHost, StrataEditor};
use strata::params::StrataParams;
use strata::telemetry::TelemetryReceiver;

use gui_context::ParamQueue;
pub use params::{ParamTable, StateError};

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
    params: Arc<ParamTable>,
    sample_rate: f32,
    max_block: usize,
    channels: usize,
    latency: Arc<AtomicU32>,
    /// The tail the plugin reported with its last block (samples).
    tail: u32,
    transport: Transport,
    buffer: Buffer<'static>,
    /// The editor's parameter changes, applied before each block.
    gui_queue: Option<ParamQueue>,
    gui_context: Option<GuiContext>,
}

impl EmbeddedStrata {
    /// Create and activate an instance for `channels` (1 or 2) at `sample_rate`, processing
    /// blocks of at most `max_block` samples.
    pub fn new(sample_rate: f32, max_block: usize, channels: usize) -> EmbeddedStrata {
        let plugin = Strata::default();
        let params = Arc::new(ParamTable::new(plugin.strata_params()));
        let mut this = EmbeddedStrata {
            plugin,
            params,
            sample_rate,
            max_block: max_block.max(1),
            channels: channels.clamp(1, 2),
            latency: Arc::new(AtomicU32::new(0)),
            tail: 0,
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
        for index in 0..self.params.len() {
            self.params.update_smoother(index, self.sample_rate, true);
        }
        let mut context = Context {
            latency: &self.latency,
            transport: &self.transport,
        };
        self.plugin.activate(&layout, &config, &mut context);
        self.plugin.reset();
        // Room for the channel slices, so processing never allocates.
        let slices = Vec::with_capacity(self.channels);
        // SAFETY: an empty buffer of no slices.
        unsafe { self.buffer.set_slices(0, |s| *s = slices) };
    }

    /// Re-activate at a new rate and block size (a device re-opened differently), keeping the
    /// parameters, the editor's connection and the meters' readers.
    pub fn reconfigure(&mut self, sample_rate: f32, max_block: usize) {
        self.sample_rate = sample_rate;
        self.max_block = max_block.max(1);
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
            let (context, queue) = gui_context::channel(self.params.clone());
            self.gui_context = Some(context);
            self.gui_queue = Some(queue);
        }
        self.gui_context.clone().expect("just made")
    }

    /// The plugin's editor (spawn it with `gui_context()`), showing `host`'s status line.
    pub fn editor(
        &self,
        host: Arc<dyn EmbeddingHost>,
    ) -> Option<nice_plug_egui::EguiEditor<StrataEditor>> {
        self.plugin.embedded_editor(host)
    }

    /// The plugin's parameters, for an editor's `ParamSetter`.
    pub fn params(&self) -> Arc<StrataParams> {
        self.plugin.strata_params()
    }

    /// The plugin's meter frames and analyzer feed (the GUI's end).
    pub fn telemetry(&self) -> Arc<std::sync::Mutex<TelemetryReceiver>> {
        self.plugin.telemetry()
    }

    /// Latency the plugin reports, in samples.
    pub fn latency_samples(&self) -> u32 {
        self.latency.load(Ordering::Relaxed)
    }

    /// How long the output may go on after the input falls silent, as the plugin reported it
    /// with its last block (samples).
    pub fn tail_samples(&self) -> u32 {
        self.tail
    }

    /// Every parameter's stable id, in the plugin's order.
    pub fn param_ids(&self) -> Vec<String> {
        self.params.ids().map(str::to_owned).collect()
    }

    /// The index of parameter `id`, for `set_param_normalized_at`: a host resolves an id once,
    /// as a DAW's automation lane speaks a parameter's number, not its name.
    pub fn param_index(&self, id: &str) -> Result<usize, ParamError> {
        self.params.index(id).ok_or_else(|| ParamError::UnknownId {
            id: id.to_string(),
            known: self.param_ids(),
        })
    }

    /// Set a parameter from text in its own display units (`"6"`, `"1.5 kHz"`, `"Bell"`).
    pub fn set_param_text(&mut self, id: &str, text: &str) -> Result<(), ParamError> {
        let index = self.param_index(id)?;
        match self.params.parse(index, text) {
            Some(n) => self.set_param_normalized(id, n),
            None => Err(ParamError::BadValue {
                id: id.to_string(),
                text: text.to_string(),
                valid: self.params.describe_values(index),
            }),
        }
    }

    /// Set a parameter from its normalised value; it glides (smooths) from the next block on.
    pub fn set_param_normalized(&mut self, id: &str, normalized: f32) -> Result<(), ParamError> {
        let index = self.param_index(id)?;
        self.set_param_normalized_at(index, normalized);
        Ok(())
    }

    /// `set_param_normalized` for the parameter at `index` (from `param_index`).
    pub fn set_param_normalized_at(&mut self, index: usize, normalized: f32) {
        self.params.set_normalized(index, normalized);
        self.params.update_smoother(index, self.sample_rate, false);
    }

    /// Jump every parameter to its value, without gliding, and start the processing from rest
    /// (as a host does when it restores a session before playing).
    pub fn settle(&mut self) {
        self.activate();
    }

    /// Every parameter's current value, in the form presets and hosts store.
    pub fn state(&self) -> PluginState {
        self.params.capture()
    }

    /// Load a stored state (a preset) and settle on it. A state with an unknown parameter or a
    /// value of the wrong kind is refused whole: the settings from before stay.
    pub fn load_state(&mut self, state: &PluginState) -> Result<(), StateError> {
        let values = self.params.resolve(state)?;
        self.params
            .set_all_normalized(&values, self.sample_rate, true);
        self.settle();
        Ok(())
    }

    pub fn param_normalized(&self, id: &str) -> Result<f32, ParamError> {
        Ok(self.params.normalized(self.param_index(id)?))
    }

    /// The parameter's value as display text, with unit.
    pub fn param_text(&self, id: &str) -> Result<String, ParamError> {
        Ok(self.params.text(self.param_index(id)?))
    }

    /// Process `channels` in place. Channels beyond the instance's count are left alone; a
    /// call longer than `max_block` samples is processed in blocks of at most that.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process(&mut self, channels: &mut [&mut [f32]]) {
        let count = channels.len().min(self.channels);
        let channels = &mut channels[..count];
        let n = channels.iter().map(|c| c.len()).min().unwrap_or(0);
        if let Some(queue) = &mut self.gui_queue {
            queue.apply(self.sample_rate);
        }
        let mut start = 0;
        while start < n {
            let end = (start + self.max_block).min(n);
            self.process_block(channels, start..end);
            start = end;
        }
    }

    /// One block of at most `max_block` samples, at most `self.channels` channels: the
    /// buffer's reserved capacity holds them.
    fn process_block(&mut self, channels: &mut [&mut [f32]], range: std::ops::Range<usize>) {
        // SAFETY: the slices live for this call only; the buffer forgets them before returning,
        // and there are no more of them than the capacity reserved in `activate`.
        unsafe {
            self.buffer.set_slices(range.len(), |slices| {
                slices.clear();
                for c in channels.iter_mut() {
                    let block = &mut c[range.clone()];
                    slices.push(std::mem::transmute::<&mut [f32], &'static mut [f32]>(block));
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
        if let ProcessStatus::Tail(tail) =
            self.plugin
                .process(&mut self.buffer, &mut aux, &mut context)
        {
            self.tail = tail;
        }
        // SAFETY: as above; no slice outlives the call.
        unsafe { self.buffer.set_slices(0, |slices| slices.clear()) };
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
