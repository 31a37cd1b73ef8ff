//! Setting the processor up from the command line: a preset file, then `--set ID=VALUE`
//! assignments in the parameters' own display units.

use std::path::Path;

use crate::host::EmbeddedStrata;
use nice_plug::prelude::PluginState;

/// Load `preset` (if any), then apply each `ID=VALUE`; settle on the result. On any error the
/// message says what was wrong and what would be valid.
pub fn apply(
    strata: &mut EmbeddedStrata,
    preset: Option<&Path>,
    assignments: &[String],
) -> Result<(), String> {
    if let Some(path) = preset {
        let state = read_preset(path)?;
        strata
            .load_state(&state)
            .map_err(|e| format!("preset {} refused: {e}", path.display()))?;
    }
    for assignment in assignments {
        let Some((id, value)) = assignment.split_once('=') else {
            return Err(format!(
                "--set takes ID=VALUE, e.g. --set eq3_gain=6 (got '{assignment}')"
            ));
        };
        strata
            .set_param_text(id.trim(), value.trim())
            .map_err(|e| format!("--set {assignment}: {e}"))?;
    }
    strata.settle();
    Ok(())
}

/// A preset: the plugin state as JSON (what `--save-preset` writes).
pub fn read_preset(path: &Path) -> Result<PluginState, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read preset {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("preset {} is not valid: {e}", path.display()))
}

/// Write the processor's settings as a preset.
pub fn save_preset(strata: &EmbeddedStrata, path: &Path) -> Result<(), String> {
    let json = serde_json::to_string_pretty(&strata.state()).expect("a state serializes");
    std::fs::write(path, json + "\n")
        .map_err(|e| format!("cannot write preset {}: {e}", path.display()))
}
