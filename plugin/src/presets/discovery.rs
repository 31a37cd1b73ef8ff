//! The presets as CLAP hosts' preset browsers see them (preset discovery and `preset-load`,
//! added to the vendored wrapper: vendor/PATCHES.md, 8): two folders of preset files, the
//! factory's (written from the presets built into the plugin, `$XDG_DATA_HOME/strata/
//! factory-presets`) and the user's.
//!
//! Why files and not one container inside the plugin (`CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN`
//! with a load key per preset): hosts index files either way, and clap-validator 0.4.1 hangs on
//! any container of two presets or more (its `begin_preset` holds the receiver's result lock
//! while `flush_preset` takes it again), so a container could not be validated.

use std::path::PathBuf;

use nice_plug::prelude::PluginState;
use nice_plug::wrapper::clap::preset_discovery::{
    ClapPresets, DeclaredLocation, PresetInfo, PresetLocation,
};

use super::{factory, user};

/// The provider `Strata::CLAP_PRESETS` names.
pub struct StrataPresets;

/// The folder hosts index the factory presets in.
pub fn factory_dir() -> Option<PathBuf> {
    user::data_dir().map(|d| d.join("factory-presets"))
}

impl ClapPresets for StrataPresets {
    fn locations(&self) -> Vec<DeclaredLocation> {
        let mut locations = Vec::new();
        // Written afresh each time a host asks, so an updated Strata's presets replace the old.
        if let Some(dir) = factory_dir().filter(|d| factory::write_files(d).is_ok()) {
            locations.push(DeclaredLocation {
                name: "Strata factory presets".into(),
                location: PresetLocation::File(dir),
                user_content: false,
            });
        }
        // A host crawls a declared folder: only one that exists can be declared.
        if let Some(dir) = user::dir().filter(|d| d.is_dir()) {
            locations.push(DeclaredLocation {
                name: "Strata user presets".into(),
                location: PresetLocation::File(dir),
                user_content: true,
            });
        }
        locations
    }

    fn file_extension(&self) -> &'static str {
        "json"
    }

    fn presets(&self, location: &PresetLocation) -> Result<Vec<PresetInfo>, String> {
        let PresetLocation::File(path) = location else {
            return Err("Strata's presets are files".into());
        };
        let preset = user::read(path)?;
        Ok(vec![PresetInfo {
            name: preset.name,
            load_key: None,
            category: Some(preset.category),
            user_content: user::dir().is_some_and(|d| path.starts_with(d)),
        }])
    }

    fn load(&self, location: &PresetLocation, _key: Option<&str>) -> Result<PluginState, String> {
        let PresetLocation::File(path) = location else {
            return Err("Strata's presets are files".into());
        };
        let preset = user::read(path)?;
        preset
            .to_state()
            .map_err(|e| format!("preset {}: {e}", path.display()))
    }
}
