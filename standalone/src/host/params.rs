//! The plugin's parameters by stable id, for the host side: text in display units, normalised
//! values, smoothers, and whole states (the form hosts and presets store: plain values, enum
//! parameters by their stable ids, written the way nice-plug's own wrappers write them).
//!
//! nice-plug hands a host raw `ParamPtr`s. This table is the one place that holds them: it
//! keeps the parameter tree they point into alive, so every method here is safe to call.

use std::sync::Arc;

use nice_plug::params::InternalParamMut;
use nice_plug::plugin::ParamValue;
use nice_plug::prelude::*;
use strata::params::StrataParams;

/// Every parameter of one plugin instance, in the plugin's order.
pub struct ParamTable {
    /// Keeps the pointees of `entries` alive (never read).
    tree: Arc<StrataParams>,
    entries: Vec<(String, ParamPtr)>,
}

// SAFETY: the pointers point into `tree`, which the table owns a reference to, so they stay
// valid wherever the table goes; nice-plug parameters are atomics, read and written from any
// thread (that is how a plugin's GUI and audio threads share them).
unsafe impl Send for ParamTable {}
unsafe impl Sync for ParamTable {}

/// Why a state could not be applied.
#[derive(Debug, Clone, PartialEq)]
pub enum StateError {
    UnknownParameter(String),
    WrongType { id: String, value: String },
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StateError::UnknownParameter(id) => write!(f, "unknown parameter '{id}'"),
            StateError::WrongType { id, value } => write!(f, "'{value}' is not a value for '{id}'"),
        }
    }
}

impl std::error::Error for StateError {}

impl ParamTable {
    pub fn new(tree: Arc<StrataParams>) -> ParamTable {
        let entries = tree
            .param_map()
            .into_iter()
            .map(|(id, ptr, _)| (id, ptr))
            .collect();
        ParamTable { tree, entries }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every stable id, in the plugin's order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(id, _)| id.as_str())
    }

    pub fn index(&self, id: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|(candidate, _)| candidate == id)
    }

    /// The index of the parameter `ptr` points to (an editor's `ParamSetter` speaks pointers).
    pub fn index_of(&self, ptr: ParamPtr) -> Option<usize> {
        self.entries.iter().position(|(_, p)| *p == ptr)
    }

    fn ptr(&self, index: usize) -> ParamPtr {
        self.entries[index].1
    }

    /// The value before modulation, normalised.
    pub fn normalized(&self, index: usize) -> f32 {
        // SAFETY: `tree` keeps the pointee alive (see the `Send` impl).
        unsafe { self.ptr(index).unmodulated_normalized_value() }
    }

    /// Set the value; smoothers follow only when `update_smoother` is called.
    pub fn set_normalized(&self, index: usize, normalized: f32) {
        // SAFETY: as above.
        unsafe {
            self.ptr(index)
                ._internal_set_normalized_value(normalized.clamp(0.0, 1.0));
        }
    }

    /// Move the parameter's smoother towards its value (or jump there with `reset`).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn update_smoother(&self, index: usize, sample_rate: f32, reset: bool) {
        // SAFETY: as above.
        unsafe {
            self.ptr(index)
                ._internal_update_smoother(sample_rate, reset)
        };
    }

    /// The value as display text with its unit.
    pub fn text(&self, index: usize) -> String {
        let ptr = self.ptr(index);
        // SAFETY: as above.
        unsafe { ptr.normalized_value_to_string(ptr.unmodulated_normalized_value(), true) }
    }

    /// Parse display text (`"6"`, `"1.5 kHz"`, `"Bell"`) into a normalised value.
    pub fn parse(&self, index: usize, text: &str) -> Option<f32> {
        // SAFETY: as above.
        unsafe { self.ptr(index).string_to_normalized_value(text) }
    }

    /// The values a parameter takes, as text: every choice of a stepped parameter with few
    /// steps, else its range and default.
    pub fn describe_values(&self, index: usize) -> String {
        let ptr = self.ptr(index);
        // SAFETY (whole function): as above.
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

    /// Every parameter's current value, in the form presets and hosts store.
    pub fn capture(&self) -> PluginState {
        strata::presets::capture(&self.tree)
    }

    /// The normalised value of every parameter once `state` is applied over the current
    /// values (parameters the state does not list keep theirs), without touching this
    /// instance: the state is tried on a scratch copy of the parameter tree. An unknown entry
    /// or a value of the wrong kind refuses the whole state. Allocates: not for the audio
    /// thread, which then applies the result with [`ParamTable::set_all_normalized`].
    pub fn resolve(&self, state: &PluginState) -> Result<Box<[f32]>, StateError> {
        let scratch = ParamTable::new(Arc::new(StrataParams::default()));
        debug_assert_eq!(scratch.len(), self.len());
        for index in 0..self.len() {
            scratch.set_normalized(index, self.normalized(index));
        }
        scratch.set_plain(state)?;
        Ok((0..scratch.len()).map(|i| scratch.normalized(i)).collect())
    }

    /// Set every value from `values` (one per parameter, as [`ParamTable::resolve`] makes
    /// them) and move the smoothers: they glide there, or jump with `reset`.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn set_all_normalized(&self, values: &[f32], sample_rate: f32, reset: bool) {
        for (index, &value) in values.iter().enumerate().take(self.len()) {
            self.set_normalized(index, value);
            self.update_smoother(index, sample_rate, reset);
        }
    }

    /// Set the plain values `state` lists; stops at the first bad entry.
    fn set_plain(&self, state: &PluginState) -> Result<(), StateError> {
        for (id, value) in &state.params {
            let index = self
                .index(id)
                .ok_or_else(|| StateError::UnknownParameter(id.clone()))?;
            // SAFETY: as above.
            let ok = unsafe {
                match (self.ptr(index), value) {
                    (ParamPtr::FloatParam(p), ParamValue::F32(v)) if v.is_finite() => {
                        (*p)._internal_set_plain_value(*v);
                        true
                    }
                    (ParamPtr::IntParam(p), ParamValue::I32(v)) => {
                        (*p)._internal_set_plain_value(*v);
                        true
                    }
                    (ParamPtr::BoolParam(p), ParamValue::Bool(v)) => {
                        (*p)._internal_set_plain_value(*v);
                        true
                    }
                    (ParamPtr::EnumParam(p), ParamValue::I32(v))
                        if (0..(*p).len() as i32).contains(v) =>
                    {
                        (*p)._internal_set_plain_value(*v);
                        true
                    }
                    (ParamPtr::EnumParam(p), ParamValue::String(name)) => (*p).set_from_id(name),
                    _ => false,
                }
            };
            if !ok {
                return Err(StateError::WrongType {
                    id: id.clone(),
                    value: format!("{value:?}"),
                });
            }
        }
        Ok(())
    }
}
