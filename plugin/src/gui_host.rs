//! The host side of the editor for hosts that embed Strata themselves (the standalone program,
//! tests): a `GuiContext` whose parameter changes travel to the audio thread through an `rtrb`
//! queue. The audio thread applies them (value and smoother) before its next block, so the GUI
//! never touches a smoother and the audio thread never waits.

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use nice_plug::context::gui::GuiContext;
use nice_plug::prelude::*;

use crate::state;

/// Changes that fit in the queue between two audio blocks (a fast drag produces a few per
/// GUI frame).
const CAPACITY: usize = 4096;

#[derive(Clone, Copy)]
struct Change {
    ptr: ParamPtr,
    normalized: f32,
}

// SAFETY: a `ParamPtr` points into the plugin's parameters, which outlive both ends of the
// queue (the embedding owns the plugin and drops the queue with it); parameters are atomics.
unsafe impl Send for Change {}

/// The GUI's end: what the editor's `ParamSetter` calls.
struct QueuedContext {
    changes: Mutex<rtrb::Producer<Change>>,
    params: Vec<(String, ParamPtr)>,
    dropped: AtomicU64,
    gestures: AtomicU64,
}

// SAFETY: as for `Change`; the producer is behind a mutex only GUI-side code takes.
unsafe impl Send for QueuedContext {}
unsafe impl Sync for QueuedContext {}

impl QueuedContext {
    fn push(&self, ptr: ParamPtr, normalized: f32) {
        let pushed = self
            .changes
            .lock()
            .map(|mut q| q.push(Change { ptr, normalized }).is_ok())
            .unwrap_or(false);
        if !pushed {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl GuiContextInner for QueuedContext {
    fn plugin_api(&self) -> PluginApi {
        PluginApi::Standalone
    }

    unsafe fn raw_begin_set_parameter(&self, _param: ParamPtr) {
        self.gestures.fetch_add(1, Ordering::Relaxed);
    }

    unsafe fn raw_set_parameter_normalized(&self, param: ParamPtr, normalized: f32) {
        self.push(param, normalized.clamp(0.0, 1.0));
    }

    unsafe fn raw_end_set_parameter(&self, _param: ParamPtr) {}

    fn get_state(&self) -> PluginState {
        // SAFETY: the pointers are the plugin's own (see `Change`).
        unsafe { state::capture(self.params.iter().map(|(id, p)| (id, *p))) }
    }

    fn set_state(&self, new_state: PluginState) {
        // SAFETY: as above. Values are set directly, then queued so the audio thread moves the
        // smoothers to them.
        match unsafe { state::apply(&new_state, &self.params) } {
            Ok(()) => {
                for (_, ptr) in &self.params {
                    self.push(*ptr, unsafe { ptr.unmodulated_normalized_value() });
                }
            }
            Err(e) => eprintln!("strata: state not loaded: {e}"),
        }
    }

    fn request_restart(&self) {}
}

/// The audio thread's end.
pub struct ParamQueue {
    changes: rtrb::Consumer<Change>,
    context: Arc<QueuedContext>,
}

impl ParamQueue {
    /// Apply every queued change.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn apply(&mut self, sample_rate: f32) {
        while let Ok(c) = self.changes.pop() {
            // SAFETY: see `Change`.
            unsafe {
                c.ptr._internal_set_normalized_value(c.normalized);
                c.ptr._internal_update_smoother(sample_rate, false);
            }
        }
    }

    /// Changes dropped because the queue was full (the audio thread was not running).
    pub fn dropped(&self) -> u64 {
        self.context.dropped.load(Ordering::Relaxed)
    }

    /// Gestures the editor began.
    pub fn gestures(&self) -> u64 {
        self.context.gestures.load(Ordering::Relaxed)
    }
}

/// A connected pair for the parameters `params` (id, pointer). Allocates: create it outside
/// the audio thread.
pub fn channel(params: Vec<(String, ParamPtr)>) -> (GuiContext, ParamQueue) {
    let (producer, consumer) = rtrb::RingBuffer::new(CAPACITY);
    let context = Arc::new(QueuedContext {
        changes: Mutex::new(producer),
        params,
        dropped: AtomicU64::new(0),
        gestures: AtomicU64::new(0),
    });
    (
        GuiContext::new(context.clone()),
        ParamQueue {
            changes: consumer,
            context,
        },
    )
}
