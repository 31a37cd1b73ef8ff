//! A/B: two complete settings to compare. The live parameters are the active slot; the other
//! slot is kept as plain values (a preset's `params`) in a persisted field, so both survive
//! saving and reopening a session. Switching swaps the two; copying makes one the other.
//! Nothing here runs on the audio thread.

use std::collections::BTreeMap;

use nice_plug::prelude::PluginState;
use serde::{Deserialize, Serialize};

use super::{Preset, PresetError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Slot {
    #[default]
    A,
    B,
}

impl Slot {
    pub fn other(self) -> Slot {
        match self {
            Slot::A => Slot::B,
            Slot::B => Slot::A,
        }
    }

    pub fn letter(self) -> &'static str {
        match self {
            Slot::A => "A",
            Slot::B => "B",
        }
    }
}

/// The two slots: which one the live parameters are, and the other one's settings (`None`
/// until the first switch or copy: it then starts as a copy of the active one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AbSlots {
    pub active: Slot,
    pub other: Option<BTreeMap<String, serde_json::Value>>,
}

impl AbSlots {
    /// Make the other slot active: `live` (the active slot's settings now) is kept as the other
    /// slot, and the state to load is returned. A stored slot that no longer loads (written by
    /// a Strata with other parameters) is refused and nothing changes.
    pub fn switch(&mut self, live: &PluginState) -> Result<PluginState, PresetError> {
        let target = match &self.other {
            Some(values) => as_preset(values).to_state()?,
            None => live.clone(),
        };
        self.other = Some(Preset::from_state("", "", live).params);
        self.active = self.active.other();
        Ok(target)
    }

    /// Copy the active slot (`live`) over the other one.
    pub fn copy_to_other(&mut self, live: &PluginState) {
        self.other = Some(Preset::from_state("", "", live).params);
    }

    /// The other slot's settings as a state to load over the active one (copying the other
    /// slot to the active one), or `None` while it is empty.
    pub fn other_state(&self) -> Option<Result<PluginState, PresetError>> {
        self.other
            .as_ref()
            .map(|values| as_preset(values).to_state())
    }
}

fn as_preset(values: &BTreeMap<String, serde_json::Value>) -> Preset {
    Preset {
        name: String::new(),
        category: String::new(),
        params: values.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::StrataParams;
    use crate::presets::capture;
    use nice_plug::plugin::ParamValue;

    fn state_with_gain(gain_db: f32) -> PluginState {
        let mut state = capture(&StrataParams::default());
        state
            .params
            .insert("eq2_gain".into(), ParamValue::F32(gain_db));
        state
    }

    fn gain(state: &PluginState) -> f32 {
        match state.params["eq2_gain"] {
            ParamValue::F32(v) => v,
            ref other => panic!("{other:?}"),
        }
    }

    #[test]
    fn switching_swaps_the_live_and_stored_settings() {
        let mut ab = AbSlots::default();
        // First switch: B starts as a copy of A.
        let b = ab.switch(&state_with_gain(3.0)).unwrap();
        assert_eq!((ab.active, gain(&b)), (Slot::B, 3.0));
        // Edit B to -2 dB, switch back: A's +3 dB returns, B is kept.
        let a = ab.switch(&state_with_gain(-2.0)).unwrap();
        assert_eq!((ab.active, gain(&a)), (Slot::A, 3.0));
        let b = ab.switch(&a).unwrap();
        assert_eq!((ab.active, gain(&b)), (Slot::B, -2.0));
    }

    #[test]
    fn copy_makes_the_other_slot_the_live_settings_and_survives_serde() {
        let mut ab = AbSlots::default();
        assert!(ab.other_state().is_none());
        ab.copy_to_other(&state_with_gain(5.5));
        let json = serde_json::to_string(&ab).unwrap();
        let back: AbSlots = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ab);
        assert_eq!(gain(&back.other_state().unwrap().unwrap()), 5.5);
    }

    #[test]
    fn a_stored_slot_that_no_longer_loads_is_refused_and_nothing_changes() {
        let mut ab = AbSlots::default();
        ab.copy_to_other(&state_with_gain(1.0));
        ab.other
            .as_mut()
            .unwrap()
            .insert("eq9_gain".into(), serde_json::json!(1.0));
        let before = ab.clone();
        let refused = ab.switch(&state_with_gain(0.0)).map(|_| ());
        assert_eq!(
            refused,
            Err(PresetError::UnknownParameter("eq9_gain".into()))
        );
        assert_eq!(ab, before);
    }
}
