//! Presets: complete settings with a name and a category, in one versioned JSON format for the
//! factory presets (embedded in the binary, `factory.rs`) and the user's own (files under
//! `$XDG_DATA_HOME/strata/presets`, `user.rs`):
//!
//! ```json
//! { "strata_preset": 1, "name": "Low cut 80 Hz", "category": "Utility",
//!   "params": { "eq1_on": true, "eq1_type": "low_cut", "eq1_freq": 80, "eq1_slope": "24" } }
//! ```
//!
//! Values are plain: numbers in the parameter's own unit, `true`/`false` for switches, a
//! choice's id (or its display name) for choices. A parameter a preset does not list takes its
//! default: a preset is a whole setting. Loading turns a preset into a complete
//! [`PluginState`] against the parameter tree, or refuses it whole, saying what was wrong; the
//! older format (the bare plugin state that `--save-preset` wrote before presets had names) is
//! migrated, a newer one refused. Nothing here runs on the audio thread.

pub mod ab;
pub mod discovery;
pub mod factory;
pub mod user;

use std::collections::BTreeMap;

use nice_plug::params::InternalParamMut;
use nice_plug::plugin::ParamValue;
use nice_plug::prelude::*;
use serde_json::{Map, Value, json};

use crate::Strata;
use crate::params::StrataParams;

/// The format this build writes and the newest it reads.
pub const FORMAT_VERSION: u64 = 1;

/// A named, categorised setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Preset {
    pub name: String,
    pub category: String,
    /// Plain values by parameter id (see the module's documentation).
    pub params: BTreeMap<String, Value>,
}

/// Why a preset was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum PresetError {
    /// Not JSON at all (a corrupt or foreign file).
    NotJson(String),
    /// JSON, but neither this format nor the older plugin-state one.
    NotAPreset,
    /// Written by a newer Strata.
    Newer {
        version: u64,
    },
    /// A field of the right name with the wrong content.
    BadField(&'static str),
    UnknownParameter(String),
    /// A value this parameter cannot take.
    BadValue {
        id: String,
        problem: String,
    },
}

impl std::fmt::Display for PresetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PresetError::NotJson(e) => write!(f, "not a readable preset (corrupt JSON: {e})"),
            PresetError::NotAPreset => write!(f, "JSON, but not a Strata preset"),
            PresetError::Newer { version } => write!(
                f,
                "written by a newer Strata (preset format {version}; this one reads up to \
                 {FORMAT_VERSION}): update Strata to load it"
            ),
            PresetError::BadField(field) => write!(f, "its '{field}' is not what it should be"),
            PresetError::UnknownParameter(id) => write!(f, "unknown parameter '{id}'"),
            PresetError::BadValue { id, problem } => write!(f, "'{id}': {problem}"),
        }
    }
}

impl std::error::Error for PresetError {}

impl Preset {
    /// Read a preset file's text. `fallback_name` names a migrated old-format preset (they had
    /// no name of their own: the file's name is used).
    pub fn parse(text: &str, fallback_name: &str) -> Result<Preset, PresetError> {
        let json: Value =
            serde_json::from_str(text).map_err(|e| PresetError::NotJson(e.to_string()))?;
        let object = json.as_object().ok_or(PresetError::NotAPreset)?;
        match object.get("strata_preset") {
            Some(version) => {
                let version = version
                    .as_u64()
                    .ok_or(PresetError::BadField("strata_preset"))?;
                if version > FORMAT_VERSION {
                    return Err(PresetError::Newer { version });
                }
                let text_field = |field: &'static str| -> Result<String, PresetError> {
                    object
                        .get(field)
                        .and_then(Value::as_str)
                        .filter(|s| !s.trim().is_empty())
                        .map(|s| s.trim().to_string())
                        .ok_or(PresetError::BadField(field))
                };
                let params = object
                    .get("params")
                    .and_then(Value::as_object)
                    .ok_or(PresetError::BadField("params"))?;
                Ok(Preset {
                    name: text_field("name")?,
                    category: text_field("category")?,
                    params: params.clone().into_iter().collect(),
                })
            }
            None => migrate_plugin_state(object, fallback_name),
        }
    }

    /// The preset as this format's JSON text.
    pub fn to_json(&self) -> String {
        let params: Map<String, Value> = self.params.clone().into_iter().collect();
        let json = json!({
            "strata_preset": FORMAT_VERSION,
            "name": self.name,
            "category": self.category,
            "params": params,
        });
        serde_json::to_string_pretty(&json).expect("JSON values serialize") + "\n"
    }

    /// Every parameter's value once this preset is loaded (defaults for those it does not
    /// list), as a plugin state; refused whole if any entry is unknown or out of place. The
    /// values are tried on a scratch parameter tree: nothing live is touched.
    pub fn to_state(&self) -> Result<PluginState, PresetError> {
        let scratch = StrataParams::default();
        let map = scratch.param_map();
        for (id, value) in &self.params {
            let ptr = map
                .iter()
                .find(|(known, _, _)| known == id)
                .map(|(_, ptr, _)| *ptr)
                .ok_or_else(|| PresetError::UnknownParameter(id.clone()))?;
            // SAFETY: `ptr` points into `scratch`, alive until the end of this function.
            unsafe { set_plain(ptr, value) }.map_err(|problem| PresetError::BadValue {
                id: id.clone(),
                problem,
            })?;
        }
        Ok(capture(&scratch))
    }

    /// A preset of the settings in `state` (the parameters only), with every value plain.
    pub fn from_state(name: &str, category: &str, state: &PluginState) -> Preset {
        Preset {
            name: name.to_string(),
            category: category.to_string(),
            params: state
                .params
                .iter()
                .map(|(id, v)| (id.clone(), json_of(v)))
                .collect(),
        }
    }
}

fn json_of(value: &ParamValue) -> Value {
    match value {
        // An f32's shortest decimal form ("10.31", not 10.309999465942383): readable, and it
        // reads back to the same f32.
        ParamValue::F32(v) if v.is_finite() => {
            serde_json::from_str(&v.to_string()).expect("a finite f32 prints as a JSON number")
        }
        ParamValue::F32(v) => json!(v),
        ParamValue::I32(v) => json!(v),
        ParamValue::Bool(v) => json!(v),
        ParamValue::String(v) => json!(v),
    }
}

/// The bare plugin state JSON of before (`{"version", "params": {id: {"f32": 80.0}, …},
/// "fields"}`) as a preset named `name`, category "User".
fn migrate_plugin_state(object: &Map<String, Value>, name: &str) -> Result<Preset, PresetError> {
    if !object.contains_key("params") || !object.contains_key("version") {
        return Err(PresetError::NotAPreset);
    }
    let state: PluginState = serde_json::from_value(Value::Object(object.clone()))
        .map_err(|_| PresetError::BadField("params"))?;
    Ok(Preset::from_state(name, "User", &state))
}

/// Every parameter's current plain value, in the form hosts and presets store (choices by
/// their stable id).
pub fn capture(params: &StrataParams) -> PluginState {
    let values = params
        .param_map()
        .into_iter()
        .map(|(id, ptr, _)| {
            // SAFETY: `ptr` points into `params`, borrowed for this call.
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
            (id, value)
        })
        .collect();
    PluginState {
        version: Strata::VERSION.to_string(),
        params: values,
        fields: BTreeMap::new(),
    }
}

/// Set parameter `ptr` to the plain `value`, or say why it cannot take it.
///
/// # Safety
/// `ptr` must point into a live parameter tree.
unsafe fn set_plain(ptr: ParamPtr, value: &Value) -> Result<(), String> {
    // SAFETY: the caller's promise.
    unsafe {
        match ptr {
            ParamPtr::FloatParam(p) => {
                let v = value
                    .as_f64()
                    .ok_or_else(|| format!("{value} is not a number"))?
                    as f32;
                let (min, max) = ((*p).preview_plain(0.0), (*p).preview_plain(1.0));
                if !(min..=max).contains(&v) {
                    return Err(format!("{v} is outside {min}…{max}"));
                }
                (*p)._internal_set_plain_value(v);
            }
            ParamPtr::BoolParam(p) => {
                let v = value
                    .as_bool()
                    .ok_or_else(|| format!("{value} is not true or false"))?;
                (*p)._internal_set_plain_value(v);
            }
            ParamPtr::IntParam(p) => {
                let v = value
                    .as_i64()
                    .ok_or_else(|| format!("{value} is not a whole number"))?;
                let (min, max) = ((*p).preview_plain(0.0), (*p).preview_plain(1.0));
                if !(min as i64..=max as i64).contains(&v) {
                    return Err(format!("{v} is outside {min}…{max}"));
                }
                (*p)._internal_set_plain_value(v as i32);
            }
            ParamPtr::EnumParam(p) => {
                let wanted = value
                    .as_str()
                    .ok_or_else(|| format!("{value} is not the name of a choice"))?;
                // By stable id, or by the name a user reads.
                let count = (*p).len();
                let names: Vec<String> = (0..count)
                    .map(|i| {
                        let n = i as f32 / (count - 1).max(1) as f32;
                        (*p).normalized_value_to_string(n, false)
                    })
                    .collect();
                if !(*p).set_from_id(wanted) {
                    let index = names
                        .iter()
                        .position(|name| name.eq_ignore_ascii_case(wanted))
                        .ok_or_else(|| format!("'{wanted}' is not one of {}", names.join(", ")))?;
                    (*p)._internal_set_plain_value(index as i32);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(state: &PluginState, id: &str) -> String {
        format!("{:?}", state.params[id])
    }

    #[test]
    fn a_preset_is_a_whole_setting_with_plain_values() {
        let text = r#"{ "strata_preset": 1, "name": "Cut", "category": "Utility",
            "params": { "eq1_on": true, "eq1_type": "Low Cut", "eq1_freq": 80,
                        "eq1_slope": "24" } }"#;
        let preset = Preset::parse(text, "ignored").unwrap();
        assert_eq!(
            (preset.name.as_str(), preset.category.as_str()),
            ("Cut", "Utility")
        );
        let state = preset.to_state().unwrap();
        assert_eq!(value(&state, "eq1_on"), "Bool(true)");
        // A choice by the name a user reads is stored by its stable id.
        assert_eq!(value(&state, "eq1_type"), "String(\"low_cut\")");
        assert_eq!(value(&state, "eq1_freq"), "F32(80.0)");
        assert_eq!(value(&state, "eq1_slope"), "String(\"24\")");
        // Unlisted: the defaults, every parameter present.
        assert_eq!(value(&state, "eq3_gain"), "F32(0.0)");
        assert_eq!(value(&state, "comp_on"), "Bool(false)");
        assert_eq!(
            state.params.len(),
            StrataParams::default().param_map().len()
        );
    }

    #[test]
    fn a_saved_setting_round_trips_exactly() {
        let params = StrataParams::default();
        for (id, ptr, _) in params.param_map() {
            // SAFETY: `ptr` points into `params`.
            unsafe {
                match id.as_str() {
                    "eq3_freq" => ptr._internal_set_normalized_value(0.4321),
                    "comp_ratio" => ptr._internal_set_normalized_value(0.777),
                    "eq5_type" | "comp_on" => ptr._internal_set_normalized_value(1.0),
                    _ => true,
                };
            }
        }
        let state = capture(&params);
        let preset = Preset::from_state("Mine", "User", &state);
        let again = Preset::parse(&preset.to_json(), "x").unwrap();
        assert_eq!(again, preset);
        // Shortest forms: what the f32 holds, no float noise.
        assert!(
            preset.to_json().contains("\"eq3_freq\": 612.4775,"),
            "{}",
            preset.to_json()
        );
        let restored = again.to_state().unwrap();
        assert_eq!(
            format!("{:?}", restored.params),
            format!("{:?}", state.params)
        );
    }

    #[test]
    fn the_old_plugin_state_format_is_migrated() {
        let params = StrataParams::default();
        for (id, ptr, _) in params.param_map() {
            if id == "eq3_gain" {
                // SAFETY: as above.
                unsafe { ptr._internal_set_normalized_value(ptr.preview_normalized(4.0)) };
            }
        }
        let old = serde_json::to_string_pretty(&capture(&params)).unwrap();
        assert!(old.contains("\"f32\""), "the old form: {old}");
        let preset = Preset::parse(&old, "Old take").unwrap();
        assert_eq!(
            (preset.name.as_str(), preset.category.as_str()),
            ("Old take", "User")
        );
        assert_eq!(value(&preset.to_state().unwrap(), "eq3_gain"), "F32(4.0)");
    }

    #[test]
    fn bad_presets_are_refused_saying_why() {
        let refuse = |text: &str| Preset::parse(text, "x").and_then(|p| p.to_state().map(|_| p));
        let cases: [(&str, &str); 9] = [
            ("{ not json", "corrupt JSON"),
            ("[1, 2]", "not a Strata preset"),
            (r#"{"hello": 1}"#, "not a Strata preset"),
            (
                r#"{"strata_preset": 2, "name": "n", "category": "c", "params": {}}"#,
                "newer Strata (preset format 2; this one reads up to 1)",
            ),
            (
                r#"{"strata_preset": 1, "category": "c", "params": {}}"#,
                "'name'",
            ),
            (
                r#"{"strata_preset": 1, "name": "n", "category": "c", "params": {"eq9_on": true}}"#,
                "unknown parameter 'eq9_on'",
            ),
            (
                r#"{"strata_preset": 1, "name": "n", "category": "c", "params": {"eq1_freq": "high"}}"#,
                "'eq1_freq': \"high\" is not a number",
            ),
            (
                r#"{"strata_preset": 1, "name": "n", "category": "c", "params": {"eq1_freq": 50000}}"#,
                "'eq1_freq': 50000 is outside 10…22000",
            ),
            (
                r#"{"strata_preset": 1, "name": "n", "category": "c", "params": {"eq1_type": "wobble"}}"#,
                "'wobble' is not one of Bell, Low Shelf",
            ),
        ];
        for (text, says) in cases {
            let error = refuse(text).expect_err(text).to_string();
            assert!(error.contains(says), "{text}: {error}");
        }
    }

    #[test]
    fn the_factory_presets_cover_the_categories_and_all_load() {
        let presets = factory::all();
        assert!(presets.len() >= 16, "{} presets", presets.len());
        for category in factory::CATEGORIES {
            assert!(
                presets.iter().any(|p| p.category == category),
                "no {category} preset"
            );
        }
        let mut names: Vec<&str> = presets.iter().map(|p| p.name.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), presets.len(), "names are unique");
        for p in &presets {
            p.to_state()
                .unwrap_or_else(|e| panic!("{}/{}: {e}", p.category, p.name));
        }
    }
}
