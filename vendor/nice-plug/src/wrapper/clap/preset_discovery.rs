//! CLAP preset discovery (`clap.preset-discovery-factory/2`) for plugins that describe their
//! presets through [`ClapPresets`] (PATCHES.md, 8): one provider per such plugin, declaring the
//! plugin's locations and file type and reporting each preset's metadata, so hosts' preset
//! browsers list them. Loading goes through the plugin's `clap.preset-load/2` extension
//! (`Wrapper::ext_preset_load_from_location`). Everything here runs on the host's main or
//! indexing thread, never on the audio thread.

use std::ffi::{CStr, CString, c_char, c_void};
use std::path::PathBuf;
use std::ptr;

use clap_sys::factory::preset_discovery::{
    CLAP_PRESET_DISCOVERY_IS_FACTORY_CONTENT, CLAP_PRESET_DISCOVERY_IS_USER_CONTENT,
    CLAP_PRESET_DISCOVERY_LOCATION_FILE, CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN,
    clap_preset_discovery_factory, clap_preset_discovery_filetype, clap_preset_discovery_indexer,
    clap_preset_discovery_location, clap_preset_discovery_location_kind,
    clap_preset_discovery_metadata_receiver, clap_preset_discovery_provider,
    clap_preset_discovery_provider_descriptor,
};
use clap_sys::universal_plugin_id::clap_universal_plugin_id;
use clap_sys::version::CLAP_VERSION;
use nice_plug_core::plugin::PluginState;

use super::ClapPlugin;

/// Where presets are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresetLocation {
    /// A preset file, or a folder of them.
    File(PathBuf),
    /// Inside the plugin itself (presets built into the binary).
    Plugin,
}

/// A location a plugin declares to the host.
#[derive(Debug, Clone)]
pub struct DeclaredLocation {
    /// What a host shows for it.
    pub name: String,
    pub location: PresetLocation,
    /// The user's own presets (else the plugin's factory content).
    pub user_content: bool,
}

/// One preset at a location.
#[derive(Debug, Clone)]
pub struct PresetInfo {
    pub name: String,
    /// Which preset of several at one location (`None` for a file holding one).
    pub load_key: Option<String>,
    /// A category the host may show (sent as the extra info `category`).
    pub category: Option<String>,
    /// The user's own (else the plugin's factory content).
    pub user_content: bool,
}

/// A plugin's presets, as its CLAP preset-discovery provider and `preset-load` extension see
/// them. Called on the host's main thread (or its indexer's thread).
pub trait ClapPresets: Send + Sync {
    /// The locations to declare; a folder location must exist.
    fn locations(&self) -> Vec<DeclaredLocation>;
    /// The extension of preset files, without the dot (`"json"`).
    fn file_extension(&self) -> &'static str;
    /// The presets at `location` (a file, or `Plugin`), or why they cannot be read.
    fn presets(&self, location: &PresetLocation) -> Result<Vec<PresetInfo>, String>;
    /// The state that loading preset `load_key` at `location` sets, or why it cannot.
    fn load(
        &self,
        location: &PresetLocation,
        load_key: Option<&str>,
    ) -> Result<PluginState, String>;
}

/// The location a host passed: `None` when it is not one this module can name.
///
/// # Safety
/// `location` must be null or a valid C string.
pub(crate) unsafe fn location_from_raw(
    kind: clap_preset_discovery_location_kind,
    location: *const c_char,
) -> Option<PresetLocation> {
    match kind {
        CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN => Some(PresetLocation::Plugin),
        CLAP_PRESET_DISCOVERY_LOCATION_FILE if !location.is_null() => {
            // SAFETY: non-null, and the caller promises a C string.
            let path = unsafe { CStr::from_ptr(location) }.to_str().ok()?;
            Some(PresetLocation::File(PathBuf::from(path)))
        }
        _ => None,
    }
}

/// One plugin's provider as the factory lists it.
pub struct ProviderEntry {
    descriptor: clap_preset_discovery_provider_descriptor,
    plugin_id: CString,
    presets: &'static dyn ClapPresets,
    // Owned strings the descriptor points into (their heap buffers never move).
    _strings: [CString; 3],
}

// SAFETY: the raw pointers point into the entry's own immutable strings.
unsafe impl Send for ProviderEntry {}
unsafe impl Sync for ProviderEntry {}

impl ProviderEntry {
    /// The provider for `P`, if it describes its presets.
    pub fn for_plugin<P: ClapPlugin>() -> Option<ProviderEntry> {
        let presets = P::CLAP_PRESETS?;
        let id = CString::new(format!("{}.presets", P::CLAP_ID)).ok()?;
        let name = CString::new(format!("{} presets", P::NAME)).ok()?;
        let vendor = CString::new(P::VENDOR).ok()?;
        Some(ProviderEntry {
            descriptor: clap_preset_discovery_provider_descriptor {
                clap_version: CLAP_VERSION,
                id: id.as_ptr(),
                name: name.as_ptr(),
                vendor: vendor.as_ptr(),
            },
            plugin_id: CString::new(P::CLAP_ID).ok()?,
            presets,
            _strings: [id, name, vendor],
        })
    }
}

/// The factory a library's `get_factory` hands out: keep it in a `static`.
#[repr(C)]
pub struct PresetDiscoveryFactory {
    // First: hosts get a pointer to this field, which is also one to the whole struct.
    clap: clap_preset_discovery_factory,
    providers: Vec<ProviderEntry>,
}

impl PresetDiscoveryFactory {
    pub fn new(providers: impl IntoIterator<Item = Option<ProviderEntry>>) -> Self {
        PresetDiscoveryFactory {
            clap: clap_preset_discovery_factory {
                count: Some(Self::count),
                get_descriptor: Some(Self::get_descriptor),
                create: Some(Self::create),
            },
            providers: providers.into_iter().flatten().collect(),
        }
    }

    /// The pointer to give a host, or null when no plugin has presets to offer.
    pub fn as_ptr(&'static self) -> *const c_void {
        if self.providers.is_empty() {
            ptr::null()
        } else {
            &self.clap as *const _ as *const c_void
        }
    }

    /// # Safety
    /// `factory` must come from [`Self::as_ptr`].
    unsafe fn from_raw<'a>(factory: *const clap_preset_discovery_factory) -> &'a Self {
        // SAFETY: `clap` is the first field of this `repr(C)` struct, which lives in a static.
        unsafe { &*(factory as *const Self) }
    }

    unsafe extern "C" fn count(factory: *const clap_preset_discovery_factory) -> u32 {
        // SAFETY: the host passes back the factory it was given.
        unsafe { Self::from_raw(factory) }.providers.len() as u32
    }

    unsafe extern "C" fn get_descriptor(
        factory: *const clap_preset_discovery_factory,
        index: u32,
    ) -> *const clap_preset_discovery_provider_descriptor {
        // SAFETY: as above.
        match unsafe { Self::from_raw(factory) }.providers.get(index as usize) {
            Some(entry) => &entry.descriptor,
            None => ptr::null(),
        }
    }

    unsafe extern "C" fn create(
        factory: *const clap_preset_discovery_factory,
        indexer: *const clap_preset_discovery_indexer,
        provider_id: *const c_char,
    ) -> *const clap_preset_discovery_provider {
        if factory.is_null() || indexer.is_null() || provider_id.is_null() {
            return ptr::null();
        }
        // SAFETY: as above; `provider_id` is a C string by the CLAP contract.
        let (factory, wanted) = unsafe { (Self::from_raw(factory), CStr::from_ptr(provider_id)) };
        // SAFETY: the descriptor's id points into the entry's own string.
        let Some(entry) = factory
            .providers
            .iter()
            .find(|e| unsafe { CStr::from_ptr(e.descriptor.id) } == wanted)
        else {
            return ptr::null();
        };
        let provider = Box::new(Provider {
            clap: clap_preset_discovery_provider {
                desc: &entry.descriptor,
                provider_data: ptr::null_mut(),
                init: Some(Provider::init),
                destroy: Some(Provider::destroy),
                get_metadata: Some(Provider::get_metadata),
                get_extension: Some(Provider::get_extension),
            },
            entry,
            indexer,
        });
        Box::into_raw(provider) as *const clap_preset_discovery_provider
    }
}

/// A provider a host created; freed by its `destroy`.
#[repr(C)]
struct Provider {
    // First, as for the factory.
    clap: clap_preset_discovery_provider,
    entry: &'static ProviderEntry,
    indexer: *const clap_preset_discovery_indexer,
}

impl Provider {
    /// # Safety
    /// `provider` must come from [`PresetDiscoveryFactory::create`] and not be destroyed.
    unsafe fn from_raw<'a>(provider: *const clap_preset_discovery_provider) -> &'a Self {
        // SAFETY: `clap` is the first field of this `repr(C)` struct.
        unsafe { &*(provider as *const Self) }
    }

    unsafe extern "C" fn init(provider: *const clap_preset_discovery_provider) -> bool {
        // SAFETY: the host passes back a provider it created; the indexer outlives it.
        let this = unsafe { Self::from_raw(provider) };
        let indexer = unsafe { &*this.indexer };
        let presets = this.entry.presets;

        let name = c"Preset";
        let Ok(extension) = CString::new(presets.file_extension()) else {
            return false;
        };
        let filetype = clap_preset_discovery_filetype {
            name: name.as_ptr(),
            description: ptr::null(),
            file_extension: extension.as_ptr(),
        };
        // SAFETY: the indexer's functions, called with structs valid for the call.
        if let Some(declare) = indexer.declare_filetype {
            if !unsafe { declare(indexer, &filetype) } {
                return false;
            }
        }
        let Some(declare) = indexer.declare_location else {
            return false;
        };
        for declared in presets.locations() {
            let Ok(name) = CString::new(declared.name) else {
                continue;
            };
            let (kind, path) = match &declared.location {
                PresetLocation::Plugin => (CLAP_PRESET_DISCOVERY_LOCATION_PLUGIN, None),
                PresetLocation::File(path) => match CString::new(path.to_string_lossy().as_ref()) {
                    Ok(path) => (CLAP_PRESET_DISCOVERY_LOCATION_FILE, Some(path)),
                    Err(_) => continue,
                },
            };
            let location = clap_preset_discovery_location {
                flags: content_flags(declared.user_content),
                name: name.as_ptr(),
                kind,
                location: path.as_ref().map_or(ptr::null(), |p| p.as_ptr()),
            };
            // SAFETY: as above.
            if !unsafe { declare(indexer, &location) } {
                return false;
            }
        }
        true
    }

    unsafe extern "C" fn destroy(provider: *const clap_preset_discovery_provider) {
        if !provider.is_null() {
            // SAFETY: made by `Box::into_raw` in `create`; the host destroys it once.
            drop(unsafe { Box::from_raw(provider as *mut Self) });
        }
    }

    unsafe extern "C" fn get_metadata(
        provider: *const clap_preset_discovery_provider,
        location_kind: clap_preset_discovery_location_kind,
        location: *const c_char,
        receiver: *const clap_preset_discovery_metadata_receiver,
    ) -> bool {
        if provider.is_null() || receiver.is_null() {
            return false;
        }
        // SAFETY: the host's provider and receiver, valid for this call; `location` a C string.
        let (this, receiver) = unsafe { (Self::from_raw(provider), &*receiver) };
        let Some(location) = (unsafe { location_from_raw(location_kind, location) }) else {
            return false;
        };
        let found = match this.entry.presets.presets(&location) {
            Ok(found) => found,
            Err(problem) => {
                if let (Some(on_error), Ok(message)) = (receiver.on_error, CString::new(problem)) {
                    // SAFETY: as above.
                    unsafe { on_error(receiver, 0, message.as_ptr()) };
                }
                return false;
            }
        };
        let abi = c"clap";
        let plugin_id = clap_universal_plugin_id {
            abi: abi.as_ptr(),
            id: this.entry.plugin_id.as_ptr(),
        };
        for preset in found {
            let (Ok(name), Ok(key)) = (
                CString::new(preset.name.as_str()),
                preset.load_key.as_deref().map(CString::new).transpose(),
            ) else {
                continue;
            };
            // SAFETY: the receiver's functions, with strings valid for each call.
            unsafe {
                let Some(begin) = receiver.begin_preset else {
                    return false;
                };
                if !begin(
                    receiver,
                    name.as_ptr(),
                    key.as_ref().map_or(ptr::null(), |k| k.as_ptr()),
                ) {
                    // The host wants no more presets from this location.
                    break;
                }
                if let Some(add) = receiver.add_plugin_id {
                    add(receiver, &plugin_id);
                }
                if let Some(set_flags) = receiver.set_flags {
                    set_flags(receiver, content_flags(preset.user_content));
                }
                if let (Some(add), Some(Ok(category))) = (
                    receiver.add_extra_info,
                    preset.category.as_deref().map(CString::new),
                ) {
                    add(receiver, c"category".as_ptr(), category.as_ptr());
                }
            }
        }
        true
    }

    unsafe extern "C" fn get_extension(
        _provider: *const clap_preset_discovery_provider,
        _extension_id: *const c_char,
    ) -> *const c_void {
        ptr::null()
    }
}

fn content_flags(user_content: bool) -> u32 {
    if user_content {
        CLAP_PRESET_DISCOVERY_IS_USER_CONTENT
    } else {
        CLAP_PRESET_DISCOVERY_IS_FACTORY_CONTENT
    }
}
