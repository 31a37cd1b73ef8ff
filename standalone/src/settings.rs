//! Setting the processor up from the command line: a preset (factory or user, by name, or a
//! file), then `--set ID=VALUE` assignments in the parameters' own display units; saving the
//! result as a preset; listing the presets.

use std::path::{Path, PathBuf};

use strata::presets::{Preset, factory, user};

use crate::host::EmbeddedStrata;

/// Load `preset` (if any), then apply each `ID=VALUE`; settle on the result. On any error the
/// message says what was wrong and what would be valid, and nothing is half-applied: a
/// refused preset changes nothing.
pub fn apply(
    strata: &mut EmbeddedStrata,
    preset: Option<&str>,
    assignments: &[String],
) -> Result<(), String> {
    if let Some(wanted) = preset {
        let preset = find_preset(wanted)?;
        let state = preset
            .to_state()
            .map_err(|e| format!("preset '{wanted}': {e}"))?;
        strata
            .load_state(&state)
            .map_err(|e| format!("preset '{wanted}' refused: {e}"))?;
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

/// Every preset this program knows: the factory's, then the user's (a user file that cannot
/// be read is left out; `list_presets` says why).
fn all_presets() -> (Vec<Preset>, Vec<String>) {
    let mut presets = factory::all();
    let mut refused = Vec::new();
    if let Some(dir) = user::dir() {
        let (mine, bad) = user::list(&dir);
        presets.extend(mine.into_iter().map(|(_, p)| p));
        refused = bad;
    }
    (presets, refused)
}

/// A preset file (if `wanted` is a file's path), else the factory or user preset called
/// `wanted` (`Category/Name` or just the name, any case).
pub fn find_preset(wanted: &str) -> Result<Preset, String> {
    let path = Path::new(wanted);
    if path.is_file() {
        return user::read(path);
    }
    let (presets, _) = all_presets();
    let key = wanted.trim().to_lowercase();
    presets
        .iter()
        .find(|p| {
            format!("{}/{}", p.category, p.name).to_lowercase() == key
                || p.name.to_lowercase() == key
        })
        .cloned()
        .ok_or_else(|| {
            format!(
                "no preset or preset file '{wanted}'; the presets are:\n{}",
                list_presets().trim_end()
            )
        })
}

/// Every preset, one per line as `Category/Name`; user files that cannot be read are named
/// on standard error with the reason.
pub fn list_presets() -> String {
    let (presets, refused) = all_presets();
    for problem in refused {
        eprintln!("warning: {problem}");
    }
    presets
        .iter()
        .map(|p| format!("{}/{}\n", p.category, p.name))
        .collect()
}

/// Write the processor's settings as a preset: to `target` if it looks like a path (has a
/// folder or ends in `.json`), else among the user presets under that name. Returns the file.
pub fn save_preset(strata: &EmbeddedStrata, target: &str) -> Result<PathBuf, String> {
    let as_path = Path::new(target);
    let is_path = target.ends_with(".json") || as_path.components().count() > 1;
    if is_path {
        let name = as_path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| target.to_string());
        let preset = Preset::from_state(&name, "User", &strata.state());
        user::write(as_path, &preset)?;
        Ok(as_path.to_path_buf())
    } else {
        let dir = user::dir().ok_or("no home folder to keep user presets in (set HOME)")?;
        let preset = Preset::from_state(target.trim(), "User", &strata.state());
        user::save(&dir, &preset)
    }
}
