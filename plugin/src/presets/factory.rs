//! The factory presets: the JSON files in `plugin/presets/`, in the same format as the user's,
//! embedded in the binary at build time.

use std::path::Path;

use super::Preset;

/// (file name, text) of every factory preset.
const FILES: &[(&str, &str)] = &[
    (
        "acoustic-guitar.json",
        include_str!("../../presets/acoustic-guitar.json"),
    ),
    (
        "bass-di-warmth.json",
        include_str!("../../presets/bass-di-warmth.json"),
    ),
    (
        "bass-tight.json",
        include_str!("../../presets/bass-tight.json"),
    ),
    (
        "broadcast-23.json",
        include_str!("../../presets/broadcast-23.json"),
    ),
    (
        "drum-bus-glue.json",
        include_str!("../../presets/drum-bus-glue.json"),
    ),
    (
        "electric-guitar.json",
        include_str!("../../presets/electric-guitar.json"),
    ),
    ("keys-air.json", include_str!("../../presets/keys-air.json")),
    (
        "kick-punch.json",
        include_str!("../../presets/kick-punch.json"),
    ),
    (
        "low-cut-80.json",
        include_str!("../../presets/low-cut-80.json"),
    ),
    (
        "mix-bus-gentle.json",
        include_str!("../../presets/mix-bus-gentle.json"),
    ),
    (
        "phone-band.json",
        include_str!("../../presets/phone-band.json"),
    ),
    (
        "podcast-voice.json",
        include_str!("../../presets/podcast-voice.json"),
    ),
    (
        "safety-limiter.json",
        include_str!("../../presets/safety-limiter.json"),
    ),
    (
        "snare-crack.json",
        include_str!("../../presets/snare-crack.json"),
    ),
    (
        "streaming-14.json",
        include_str!("../../presets/streaming-14.json"),
    ),
    (
        "vocal-de-mud.json",
        include_str!("../../presets/vocal-de-mud.json"),
    ),
    (
        "vocal-presence.json",
        include_str!("../../presets/vocal-presence.json"),
    ),
];

/// The categories a mixing engineer looks for, in the order menus show them.
pub const CATEGORIES: [&str; 8] = [
    "Vocals",
    "Drums",
    "Bass",
    "Guitars & Keys",
    "Buses",
    "Mastering",
    "Podcast & Broadcast",
    "Utility",
];

/// Every factory preset, by category (in `CATEGORIES` order) and then name. The files are
/// checked by the tests (each parses and loads), so a failure here is a broken build.
pub fn all() -> Vec<Preset> {
    let mut presets: Vec<Preset> = FILES
        .iter()
        .map(|(file, text)| {
            Preset::parse(text, file)
                .unwrap_or_else(|e| panic!("factory preset {file} is broken: {e}"))
        })
        .collect();
    let rank = |p: &Preset| CATEGORIES.iter().position(|c| *c == p.category);
    presets.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name)));
    presets
}

/// Write the factory presets as files into `dir` (created if needed), one per preset, as the
/// repository has them — for hosts' preset browsers, which index files. A file that already
/// holds the right text is left alone; any other `.json` file there (a preset an older Strata
/// had) is removed: the folder is the factory's, not the user's.
pub fn write_files(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "factory preset folder {}: cannot create it: {e}",
            dir.display()
        )
    })?;
    for (file, text) in FILES {
        let path = dir.join(file);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text) {
            super::user::write_text(&path, text)?;
        }
    }
    let stale = std::fs::read_dir(dir)
        .map_err(|e| format!("factory preset folder {}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| {
            !FILES
                .iter()
                .any(|(file, _)| p.file_name().is_some_and(|n| n == *file))
        });
    for path in stale {
        std::fs::remove_file(&path)
            .map_err(|e| format!("factory preset {}: cannot remove it: {e}", path.display()))?;
    }
    Ok(())
}
