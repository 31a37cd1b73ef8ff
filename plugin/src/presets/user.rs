//! The user's presets: one JSON file each in `$XDG_DATA_HOME/strata/presets` (by default
//! `~/.local/share/strata/presets`), named after the preset. Writes go to a temporary file
//! first and are renamed into place, so a crash never leaves half a preset. Every error names
//! the file and the problem.

use std::path::{Path, PathBuf};

use super::Preset;

/// Strata's data folder, `$XDG_DATA_HOME/strata` (by default `~/.local/share/strata`; not
/// created here), or `None` without a home to put it in.
pub fn data_dir() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".local/share"))
        })?;
    Some(data.join("strata"))
}

/// The user's preset folder (not created here).
pub fn dir() -> Option<PathBuf> {
    data_dir().map(|d| d.join("presets"))
}

/// Read one preset file.
pub fn read(path: &Path) -> Result<Preset, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("preset {}: cannot read it: {e}", path.display()))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Unnamed".into());
    let preset =
        Preset::parse(&text, &stem).map_err(|e| format!("preset {}: {e}", path.display()))?;
    // Refused here too, not only when loaded: a listed preset always loads.
    preset
        .to_state()
        .map_err(|e| format!("preset {}: {e}", path.display()))?;
    Ok(preset)
}

/// Every `.json` file in `dir`, read: the presets, and a message for each file refused. A
/// missing folder is no presets.
pub fn list(dir: &Path) -> (Vec<(PathBuf, Preset)>, Vec<String>) {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect(),
        Err(_) => Vec::new(),
    };
    paths.sort();
    let mut presets = Vec::new();
    let mut refused = Vec::new();
    for path in paths {
        match read(&path) {
            Ok(preset) => presets.push((path, preset)),
            Err(e) => refused.push(e),
        }
    }
    (presets, refused)
}

/// The file a preset called `name` is kept in: its name with characters a file system may
/// refuse replaced.
pub fn file_for(dir: &Path, name: &str) -> PathBuf {
    let safe: String = name
        .trim()
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || " -_.()+".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join(format!("{}.json", safe.trim_start_matches('.')))
}

/// Write `preset` into `dir` (created if needed) under its name; returns the file.
pub fn save(dir: &Path, preset: &Preset) -> Result<PathBuf, String> {
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("preset folder {}: cannot create it: {e}", dir.display()))?;
    let path = file_for(dir, &preset.name);
    write(&path, preset)?;
    Ok(path)
}

/// Write `preset` to `path` through a temporary file renamed into place.
pub fn write(path: &Path, preset: &Preset) -> Result<(), String> {
    write_text(path, &preset.to_json())
}

/// Write a preset file's `text` to `path` through a temporary file renamed into place, so a
/// crash never leaves half a preset.
pub fn write_text(path: &Path, text: &str) -> Result<(), String> {
    let temporary = path.with_extension("json.part");
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| format!("preset {}: cannot write it: {e}", path.display()))
}

/// Remove a user preset.
pub fn delete(path: &Path) -> Result<(), String> {
    std::fs::remove_file(path)
        .map_err(|e| format!("preset {}: cannot delete it: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::factory;

    #[test]
    fn saved_presets_are_listed_read_and_deleted_and_a_broken_one_is_named() {
        let dir = std::env::temp_dir().join(format!("strata-user-presets-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            list(&dir),
            (Vec::new(), Vec::new()),
            "a missing folder: none"
        );

        let mut preset = factory::all().remove(0);
        preset.name = "My vocal: take/2".into();
        preset.category = "User".into();
        let path = save(&dir, &preset).unwrap();
        assert_eq!(path, dir.join("My vocal_ take_2.json"));
        std::fs::write(dir.join("broken.json"), "{ \"strata_preset\": 1, ").unwrap();
        std::fs::write(dir.join("notes.txt"), "not a preset").unwrap();

        let (presets, refused) = list(&dir);
        assert_eq!(presets, vec![(path.clone(), preset.clone())]);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert!(
            refused[0].contains("broken.json") && refused[0].contains("corrupt JSON"),
            "{refused:?}"
        );
        assert_eq!(read(&path).unwrap(), preset);
        delete(&path).unwrap();
        assert!(list(&dir).0.is_empty());
        assert!(delete(&path).unwrap_err().contains("cannot delete"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_folder_follows_xdg() {
        // Read only: the variables are whatever the test run has.
        let dir = dir().expect("HOME or XDG_DATA_HOME is set");
        assert!(dir.ends_with("strata/presets"), "{}", dir.display());
    }
}
