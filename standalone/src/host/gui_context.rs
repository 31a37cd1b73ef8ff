//! The host side of the editor: a `GuiContext` whose parameter changes travel to the audio
//! thread through `rtrb` queues. The audio thread applies them (value and smoother) before its
//! next block, so the GUI never touches a smoother and the audio thread never waits.
//!
//! A whole state from the GUI (`set_state`, e.g. a preset) is checked and resolved into one
//! value per parameter on the GUI thread, then applied by the audio thread between two blocks,
//! all at once — never half-applied — as nih-plug's own wrappers do. The audio thread hands the
//! resolved values back so they are freed on the GUI side.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use nice_plug::context::gui::GuiContext;
use nice_plug::prelude::*;

use super::params::ParamTable;

/// Changes that fit in the queue between two audio blocks (a fast drag produces a few per
/// GUI frame).
const CAPACITY: usize = 4096;
/// Whole states in flight (a user clicking through presets faster than blocks run).
const STATES: usize = 8;

/// One normalised value per parameter.
type Resolved = Box<[f32]>;

/// What the GUI sends, in the order it happened.
enum Message {
    Change { index: usize, normalized: f32 },
    State(Resolved),
}

/// The GUI's end: what the editor's `ParamSetter` calls.
struct QueuedContext {
    params: Arc<ParamTable>,
    /// Only GUI-side code takes these locks.
    messages: Mutex<rtrb::Producer<Message>>,
    /// States the audio thread applied, to be freed here.
    spent: Mutex<rtrb::Consumer<Resolved>>,
    /// States sent and not yet freed: at most `STATES`, so `spent` never fills.
    states_out: AtomicUsize,
}

impl QueuedContext {
    /// False when the queue is full: the audio thread has not run for thousands of changes
    /// (the devices stopped), and the change is dropped.
    fn push(&self, message: Message) -> bool {
        self.messages
            .lock()
            .map(|mut q| q.push(message).is_ok())
            .unwrap_or(false)
    }

    fn free_spent(&self) {
        if let Ok(mut spent) = self.spent.lock() {
            while spent.pop().is_ok() {
                self.states_out.fetch_sub(1, Ordering::Relaxed);
            }
        }
    }
}

impl GuiContextInner for QueuedContext {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Standalone
    }

    unsafe fn raw_begin_set_parameter(&self, _param: ParamPtr) {}

    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        if let Some(index) = self.params.index_of(param) {
            let normalized = normalized.clamp(0.0, 1.0);
            self.push(Message::Change { index, normalized });
        }
    }

    unsafe fn raw_end_set_parameter(&self, _param: ParamPtr) {}

    fn get_state(&self) -> PluginState {
        self.free_spent();
        self.params.capture()
    }

    fn set_state(&self, new_state: PluginState) {
        self.free_spent();
        let resolved = match self.params.resolve(&new_state) {
            Ok(resolved) => resolved,
            Err(e) => {
                eprintln!("strata: state not loaded: {e}");
                return;
            }
        };
        let room = self.states_out.load(Ordering::Relaxed) < STATES;
        if room && self.push(Message::State(resolved)) {
            self.states_out.fetch_add(1, Ordering::Relaxed);
        } else {
            eprintln!("strata: state not loaded: the audio thread is not taking changes");
        }
    }

    fn request_restart(&self) {}
}

/// The audio thread's end.
pub struct ParamQueue {
    messages: rtrb::Consumer<Message>,
    spent: rtrb::Producer<Resolved>,
    context: Arc<QueuedContext>,
}

impl ParamQueue {
    /// Apply every queued change and state, in the order the GUI made them.
    ///
    /// Runs on the audio thread: must not allocate or block (a spent state is handed back,
    /// never freed here).
    pub fn apply(&mut self, sample_rate: f32) {
        let params = &self.context.params;
        while let Ok(message) = self.messages.pop() {
            match message {
                Message::Change { index, normalized } => {
                    params.set_normalized(index, normalized);
                    params.update_smoother(index, sample_rate, false);
                }
                Message::State(values) => {
                    params.set_all_normalized(&values, sample_rate, false);
                    if let Err(rtrb::PushError::Full(values)) = self.spent.push(values) {
                        // Cannot happen (`states_out` bounds it); leak rather than free here.
                        std::mem::forget(values);
                    }
                }
            }
        }
    }
}

/// A connected pair for `params`. Allocates: create it outside the audio thread.
pub fn channel(params: Arc<ParamTable>) -> (GuiContext, ParamQueue) {
    let (messages_in, messages_out) = rtrb::RingBuffer::new(CAPACITY);
    let (spent_in, spent_out) = rtrb::RingBuffer::new(STATES);
    let context = Arc::new(QueuedContext {
        params,
        messages: Mutex::new(messages_in),
        spent: Mutex::new(spent_out),
        states_out: AtomicUsize::new(0),
    });
    (
        GuiContext::new(context.clone()),
        ParamQueue {
            messages: messages_out,
            spent: spent_in,
            context,
        },
    )
}
