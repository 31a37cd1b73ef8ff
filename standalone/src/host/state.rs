//! The plugin's parameters as a `PluginState` and back: the form hosts and presets store
//! (plain values; enum parameters by their stable ids), written the way nice-plug's own
//! wrappers write it.

use std::collections::BTreeMap;

use nice_plug::params::InternalParamMut;
use nice_plug::plugin::ParamValue;
use nice_plug::prelude::*;

use crate::Strata;

/// The parameters' current values.
///
/// # Safety
/// Every pointer must point to a live parameter.
pub unsafe fn capture<'a>(params: impl IntoIterator<Item = (&'a String, ParamPtr)>) -> PluginState {
    let params = params
        .into_iter()
        .map(|(id, ptr)| {
            // SAFETY: the caller's contract.
            let value = unsafe {
                match ptr {
                    ParamPtr::FloatParam(p) => ParamValue::F32((*p).unmodulated_plain_value()),
                    ParamPtr::IntParam(p) => ParamValue::I32((*p).unmodulated_plain_value()),
                    ParamPtr::BoolParam(p) => ParamValue::Bool((*p).unmodulated_plain_value()),
                    ParamPtr::EnumParam(p) => match (*p).unmodulated_plain_id() {
                        Some(id) => ParamValue::String(id.to_owned()),
                        None => ParamValue::I32((*p).unmodulated_plain_value()),
                    },
                }
            };
            (id.clone(), value)
        })
        .collect::<BTreeMap<_, _>>();
    PluginState {
        version: Strata::VERSION.to_string(),
        params,
        fields: BTreeMap::new(),
    }
}

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

/// Set every parameter the state lists to its stored value (plain values; enum parameters by
/// their stable ids). If any entry is unknown or of the wrong kind, the values from before the
/// call are put back and the error returned: a corrupt state never leaves a half-loaded one.
/// Smoothers are not touched: the caller refreshes them where processing happens.
///
/// # Safety
/// Every pointer `params` yields must point to a live parameter.
pub unsafe fn apply(state: &PluginState, params: &[(String, ParamPtr)]) -> Result<(), StateError> {
    // SAFETY (whole function): the caller's contract.
    let before = unsafe { capture(params.iter().map(|(id, p)| (id, *p))) };
    let result = unsafe { set_all(state, params) };
    if result.is_err() {
        unsafe { set_all(&before, params) }.expect("a captured state applies");
    }
    result
}

unsafe fn set_all(state: &PluginState, params: &[(String, ParamPtr)]) -> Result<(), StateError> {
    for (id, value) in &state.params {
        let ptr = params
            .iter()
            .find(|(candidate, _)| candidate == id)
            .map(|(_, p)| *p)
            .ok_or_else(|| StateError::UnknownParameter(id.clone()))?;
        // SAFETY: the caller's contract.
        let ok = unsafe {
            match (ptr, value) {
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
