//! A minimal CLAP host, written against `clap-sys`, that loads a `.clap` bundle the way a DAW
//! does: dlopen, `clap_entry.init`, the plugin factory, `create_plugin`, `init`, extensions,
//! `activate`, processing on a separate audio thread, parameter events, state.

use std::ffi::{CStr, CString, c_char, c_void};
use std::path::{Path, PathBuf};
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result, bail, ensure};
use clap_sys::audio_buffer::clap_audio_buffer;
use clap_sys::entry::clap_plugin_entry;
use clap_sys::events::{
    CLAP_CORE_EVENT_SPACE_ID, CLAP_EVENT_PARAM_VALUE, clap_event_header, clap_event_param_value,
    clap_input_events, clap_output_events,
};
use clap_sys::ext::audio_ports::{
    CLAP_EXT_AUDIO_PORTS, clap_audio_port_info, clap_plugin_audio_ports,
};
use clap_sys::ext::audio_ports_config::{
    CLAP_EXT_AUDIO_PORTS_CONFIG, clap_audio_ports_config, clap_plugin_audio_ports_config,
};
use clap_sys::ext::latency::{CLAP_EXT_LATENCY, clap_host_latency, clap_plugin_latency};
use clap_sys::ext::params::{
    CLAP_EXT_PARAMS, clap_host_params, clap_param_clear_flags, clap_param_info,
    clap_param_rescan_flags, clap_plugin_params,
};
use clap_sys::ext::preset_load::{CLAP_EXT_PRESET_LOAD, clap_plugin_preset_load};
use clap_sys::ext::state::{CLAP_EXT_STATE, clap_host_state, clap_plugin_state};
use clap_sys::factory::plugin_factory::{CLAP_PLUGIN_FACTORY_ID, clap_plugin_factory};
use clap_sys::factory::preset_discovery::CLAP_PRESET_DISCOVERY_LOCATION_FILE;
use clap_sys::host::clap_host;
use clap_sys::id::clap_id;
use clap_sys::plugin::{clap_plugin, clap_plugin_descriptor};
use clap_sys::process::{CLAP_PROCESS_ERROR, clap_process, clap_process_status};
use clap_sys::stream::{clap_istream, clap_ostream};
use clap_sys::version::CLAP_VERSION;

/// A loaded `.clap` library. Keep it alive as long as any instance made from it.
pub struct ClapLibrary {
    // Dropped last: `deinit` must run before the library is unloaded.
    entry: *const clap_plugin_entry,
    factory: *const clap_plugin_factory,
    _lib: libloading::Library,
}

// SAFETY: the entry and factory are immutable tables the CLAP spec allows to be shared.
unsafe impl Send for ClapLibrary {}
unsafe impl Sync for ClapLibrary {}

/// What the factory says about a plugin.
#[derive(Debug, Clone)]
pub struct Descriptor {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub version: String,
    pub features: Vec<String>,
}

impl ClapLibrary {
    /// Load the library at `path` once per process and share it: `clap_entry.init` runs once
    /// and `deinit` never runs while any test still holds an instance (hosts keep a plugin
    /// library loaded while they use it, and tests run in parallel threads).
    pub fn load(path: &Path) -> Result<Arc<ClapLibrary>> {
        static LOADED: Mutex<Vec<(PathBuf, Arc<ClapLibrary>)>> = Mutex::new(Vec::new());
        let mut loaded = LOADED.lock().unwrap();
        if let Some((_, lib)) = loaded.iter().find(|(p, _)| p == path) {
            return Ok(lib.clone());
        }
        let lib = ClapLibrary::load_new(path)?;
        loaded.push((path.to_path_buf(), lib.clone()));
        Ok(lib)
    }

    fn load_new(path: &Path) -> Result<Arc<ClapLibrary>> {
        // SAFETY: loading a plugin runs its initialisers; that is what we are here to test.
        let lib = unsafe { libloading::Library::new(path) }
            .with_context(|| format!("dlopen {}", path.display()))?;
        let entry: *const clap_plugin_entry = unsafe {
            *lib.get::<*const clap_plugin_entry>(b"clap_entry\0")
                .context("no clap_entry symbol")?
        };
        ensure!(!entry.is_null(), "clap_entry is null");
        let path_c = CString::new(path.to_string_lossy().as_bytes())?;
        let ok = unsafe { ((*entry).init.context("no init")?)(path_c.as_ptr()) };
        ensure!(ok, "clap_entry.init failed");
        let factory = unsafe {
            ((*entry).get_factory.context("no get_factory")?)(CLAP_PLUGIN_FACTORY_ID.as_ptr())
        } as *const clap_plugin_factory;
        ensure!(!factory.is_null(), "no plugin factory");
        Ok(Arc::new(ClapLibrary {
            entry,
            factory,
            _lib: lib,
        }))
    }

    pub fn descriptors(&self) -> Vec<Descriptor> {
        unsafe {
            let f = &*self.factory;
            let count = (f.get_plugin_count.unwrap())(self.factory);
            (0..count)
                .map(|i| describe(&*(f.get_plugin_descriptor.unwrap())(self.factory, i)))
                .collect()
        }
    }

    /// Create and `init` an instance of plugin `id`.
    pub fn instantiate(self: &Arc<Self>, id: &str) -> Result<ClapInstance> {
        let host_state = Arc::new(HostState::default());
        let mut host = Box::new(clap_host {
            clap_version: CLAP_VERSION,
            host_data: ptr::null_mut(),
            name: c"strata-tests".as_ptr(),
            vendor: c"Strata".as_ptr(),
            url: c"https://example.invalid".as_ptr(),
            version: c"0.1".as_ptr(),
            get_extension: Some(host_get_extension),
            request_restart: Some(host_request_restart),
            request_process: Some(host_request_process),
            request_callback: Some(host_request_callback),
        });
        host.host_data = Arc::as_ptr(&host_state) as *mut c_void;
        let id_c = CString::new(id)?;
        let plugin = unsafe {
            ((*self.factory).create_plugin.unwrap())(self.factory, &*host, id_c.as_ptr())
        };
        ensure!(!plugin.is_null(), "create_plugin({id}) returned null");
        let ok = unsafe { ((*plugin).init.unwrap())(plugin) };
        ensure!(ok, "plugin init failed");
        let ext =
            |name: &CStr| unsafe { ((*plugin).get_extension.unwrap())(plugin, name.as_ptr()) };
        let instance = ClapInstance {
            plugin,
            params: ext(CLAP_EXT_PARAMS) as *const clap_plugin_params,
            state: ext(CLAP_EXT_STATE) as *const clap_plugin_state,
            latency: ext(CLAP_EXT_LATENCY) as *const clap_plugin_latency,
            audio_ports: ext(CLAP_EXT_AUDIO_PORTS) as *const clap_plugin_audio_ports,
            ports_config: ext(CLAP_EXT_AUDIO_PORTS_CONFIG) as *const clap_plugin_audio_ports_config,
            host_state,
            _host: host,
            _library: self.clone(),
            active: false,
            steady_time: 0,
        };
        ensure!(!instance.params.is_null(), "no params extension");
        Ok(instance)
    }
}

impl Drop for ClapLibrary {
    fn drop(&mut self) {
        unsafe {
            if let Some(deinit) = (*self.entry).deinit {
                deinit();
            }
        }
    }
}

unsafe fn cstr(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

fn describe(d: &clap_plugin_descriptor) -> Descriptor {
    unsafe {
        let mut features = Vec::new();
        let mut f = d.features;
        while !f.is_null() && !(*f).is_null() {
            features.push(cstr(*f));
            f = f.add(1);
        }
        Descriptor {
            id: cstr(d.id),
            name: cstr(d.name),
            vendor: cstr(d.vendor),
            version: cstr(d.version),
            features,
        }
    }
}

/// What the plugin asked of the host.
#[derive(Default)]
pub struct HostState {
    pub callback_requested: AtomicBool,
    pub restart_requested: AtomicBool,
    pub latency_changed: AtomicBool,
    pub rescan_requested: AtomicBool,
    pub flush_requested: AtomicBool,
    /// Frames `run` has processed so far (for a main thread that acts while audio plays).
    pub frames_processed: AtomicU64,
}

unsafe fn host_state<'a>(host: *const clap_host) -> &'a HostState {
    unsafe { &*((*host).host_data as *const HostState) }
}

unsafe extern "C" fn host_get_extension(
    _host: *const clap_host,
    id: *const c_char,
) -> *const c_void {
    let id = unsafe { CStr::from_ptr(id) };
    if id == CLAP_EXT_LATENCY {
        &HOST_LATENCY as *const _ as *const c_void
    } else if id == CLAP_EXT_PARAMS {
        &HOST_PARAMS as *const _ as *const c_void
    } else if id == CLAP_EXT_STATE {
        &HOST_STATE as *const _ as *const c_void
    } else {
        ptr::null()
    }
}

unsafe extern "C" fn host_request_restart(host: *const clap_host) {
    unsafe { host_state(host) }
        .restart_requested
        .store(true, Ordering::SeqCst);
}
unsafe extern "C" fn host_request_process(_host: *const clap_host) {}
unsafe extern "C" fn host_request_callback(host: *const clap_host) {
    unsafe { host_state(host) }
        .callback_requested
        .store(true, Ordering::SeqCst);
}
unsafe extern "C" fn host_latency_changed(host: *const clap_host) {
    unsafe { host_state(host) }
        .latency_changed
        .store(true, Ordering::SeqCst);
}
unsafe extern "C" fn host_params_rescan(host: *const clap_host, _flags: clap_param_rescan_flags) {
    unsafe { host_state(host) }
        .rescan_requested
        .store(true, Ordering::SeqCst);
}
unsafe extern "C" fn host_params_clear(
    _host: *const clap_host,
    _id: clap_id,
    _f: clap_param_clear_flags,
) {
}
unsafe extern "C" fn host_params_request_flush(host: *const clap_host) {
    unsafe { host_state(host) }
        .flush_requested
        .store(true, Ordering::SeqCst);
}
unsafe extern "C" fn host_mark_dirty(_host: *const clap_host) {}

static HOST_LATENCY: clap_host_latency = clap_host_latency {
    changed: Some(host_latency_changed),
};
static HOST_PARAMS: clap_host_params = clap_host_params {
    rescan: Some(host_params_rescan),
    clear: Some(host_params_clear),
    request_flush: Some(host_params_request_flush),
};
static HOST_STATE: clap_host_state = clap_host_state {
    mark_dirty: Some(host_mark_dirty),
};

/// One parameter as the plugin describes it.
#[derive(Debug, Clone)]
pub struct ParamInfo {
    pub id: clap_id,
    pub flags: u32,
    pub name: String,
    pub module: String,
    pub min: f64,
    pub max: f64,
    pub default: f64,
}

/// A parameter change at `time` samples into a block (or into a whole run, for `run`).
#[derive(Debug, Clone, Copy)]
pub struct ParamChange {
    pub time: u32,
    pub id: clap_id,
    pub value: f64,
}

/// An audio port layout offered by the plugin's audio-ports-config extension.
#[derive(Debug, Clone)]
pub struct PortsConfig {
    pub id: clap_id,
    pub name: String,
    pub main_input_channels: u32,
    pub main_output_channels: u32,
}

/// A created and initialised plugin instance.
pub struct ClapInstance {
    plugin: *const clap_plugin,
    params: *const clap_plugin_params,
    state: *const clap_plugin_state,
    latency: *const clap_plugin_latency,
    audio_ports: *const clap_plugin_audio_ports,
    ports_config: *const clap_plugin_audio_ports_config,
    pub host_state: Arc<HostState>,
    _host: Box<clap_host>,
    _library: Arc<ClapLibrary>,
    active: bool,
    steady_time: i64,
}

// SAFETY: CLAP lets the host call audio-thread functions from another thread than the one that
// created the instance; the harness never calls from two threads at once.
unsafe impl Send for ClapInstance {}

impl ClapInstance {
    pub fn params(&self) -> Vec<ParamInfo> {
        unsafe {
            let p = &*self.params;
            let count = (p.count.unwrap())(self.plugin);
            (0..count)
                .map(|i| {
                    let mut info: clap_param_info = std::mem::zeroed();
                    assert!((p.get_info.unwrap())(self.plugin, i, &mut info));
                    ParamInfo {
                        id: info.id,
                        flags: info.flags,
                        name: cstr(info.name.as_ptr()),
                        module: cstr(info.module.as_ptr()),
                        min: info.min_value,
                        max: info.max_value,
                        default: info.default_value,
                    }
                })
                .collect()
        }
    }

    /// The CLAP id of the parameter with display name `name`.
    pub fn param_id(&self, name: &str) -> clap_id {
        self.params()
            .into_iter()
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no parameter named {name:?}"))
            .id
    }

    pub fn get_value(&self, id: clap_id) -> Option<f64> {
        let mut v = 0.0;
        unsafe { ((*self.params).get_value.unwrap())(self.plugin, id, &mut v) }.then_some(v)
    }

    pub fn value_to_text(&self, id: clap_id, value: f64) -> Option<String> {
        let mut buf = [0 as c_char; 256];
        let ok = unsafe {
            ((*self.params).value_to_text.unwrap())(self.plugin, id, value, buf.as_mut_ptr(), 256)
        };
        ok.then(|| unsafe { cstr(buf.as_ptr()) })
    }

    pub fn text_to_value(&self, id: clap_id, text: &str) -> Option<f64> {
        let text = CString::new(text).ok()?;
        let mut v = 0.0;
        unsafe { ((*self.params).text_to_value.unwrap())(self.plugin, id, text.as_ptr(), &mut v) }
            .then_some(v)
    }

    /// The host value for parameter `name` set from text (as a user would type it).
    pub fn value_from_text(&self, name: &str, text: &str) -> (clap_id, f64) {
        let id = self.param_id(name);
        let v = self
            .text_to_value(id, text)
            .unwrap_or_else(|| panic!("{name}: {text:?} not accepted"));
        (id, v)
    }

    /// Send parameter events outside of processing (`clap_plugin_params.flush`).
    pub fn flush(&mut self, changes: &[ParamChange]) {
        let events = EventList::new(changes);
        let out = null_output_events();
        unsafe { ((*self.params).flush.unwrap())(self.plugin, &events.list, &out) };
    }

    pub fn latency(&self) -> Option<u32> {
        (!self.latency.is_null()).then(|| unsafe { ((*self.latency).get.unwrap())(self.plugin) })
    }

    /// The channel counts of the main input and output ports.
    pub fn main_port_channels(&self) -> (u32, u32) {
        let get = |is_input: bool| unsafe {
            let ap = &*self.audio_ports;
            let mut info: clap_audio_port_info = std::mem::zeroed();
            if (ap.count.unwrap())(self.plugin, is_input) == 0 {
                return 0;
            }
            assert!((ap.get.unwrap())(self.plugin, 0, is_input, &mut info));
            info.channel_count
        };
        (get(true), get(false))
    }

    /// Channel counts of every input port, main first.
    pub fn input_ports(&self) -> Vec<u32> {
        unsafe {
            let ap = &*self.audio_ports;
            (0..(ap.count.unwrap())(self.plugin, true))
                .map(|i| {
                    let mut info: clap_audio_port_info = std::mem::zeroed();
                    assert!((ap.get.unwrap())(self.plugin, i, true, &mut info));
                    info.channel_count
                })
                .collect()
        }
    }

    pub fn ports_configs(&self) -> Vec<PortsConfig> {
        if self.ports_config.is_null() {
            return Vec::new();
        }
        unsafe {
            let pc = &*self.ports_config;
            let count = (pc.count.unwrap())(self.plugin);
            (0..count)
                .map(|i| {
                    let mut c: clap_audio_ports_config = std::mem::zeroed();
                    assert!((pc.get.unwrap())(self.plugin, i, &mut c));
                    PortsConfig {
                        id: c.id,
                        name: cstr(c.name.as_ptr()),
                        main_input_channels: c.main_input_channel_count,
                        main_output_channels: c.main_output_channel_count,
                    }
                })
                .collect()
        }
    }

    pub fn select_ports_config(&mut self, id: clap_id) -> Result<()> {
        ensure!(!self.active, "select a port config while inactive");
        ensure!(
            !self.ports_config.is_null(),
            "no audio-ports-config extension"
        );
        let ok = unsafe { ((*self.ports_config).select.unwrap())(self.plugin, id) };
        ensure!(ok, "config {id} refused");
        Ok(())
    }

    pub fn activate(&mut self, sample_rate: f64, min_frames: u32, max_frames: u32) -> Result<()> {
        let ok = unsafe {
            ((*self.plugin).activate.unwrap())(self.plugin, sample_rate, min_frames, max_frames)
        };
        ensure!(
            ok,
            "activate({sample_rate}, {min_frames}, {max_frames}) failed"
        );
        self.active = true;
        Ok(())
    }

    pub fn deactivate(&mut self) {
        if self.active {
            unsafe { ((*self.plugin).deactivate.unwrap())(self.plugin) };
            self.active = false;
        }
    }

    /// Run pending main-thread callbacks the plugin asked for.
    pub fn idle(&mut self) {
        if self
            .host_state
            .callback_requested
            .swap(false, Ordering::SeqCst)
        {
            unsafe { ((*self.plugin).on_main_thread.unwrap())(self.plugin) };
        }
    }

    /// A handle on the plugin's `preset-load` extension that the test's main thread can use
    /// while `run` processes on the audio thread, as a host's preset browser does.
    pub fn preset_loader(&self) -> Result<PresetLoader> {
        let ext = unsafe {
            ((*self.plugin).get_extension.unwrap())(self.plugin, CLAP_EXT_PRESET_LOAD.as_ptr())
        } as *const clap_plugin_preset_load;
        ensure!(!ext.is_null(), "no preset-load extension");
        Ok(PresetLoader {
            plugin: self.plugin,
            ext,
        })
    }

    pub fn save_state(&self) -> Result<Vec<u8>> {
        ensure!(!self.state.is_null(), "no state extension");
        let mut data: Vec<u8> = Vec::new();
        let stream = clap_ostream {
            ctx: &mut data as *mut Vec<u8> as *mut c_void,
            write: Some(ostream_write),
        };
        let ok = unsafe { ((*self.state).save.unwrap())(self.plugin, &stream) };
        ensure!(ok, "state save failed");
        Ok(data)
    }

    pub fn load_state(&mut self, data: &[u8]) -> Result<()> {
        ensure!(!self.state.is_null(), "no state extension");
        let mut reader = (data, 0usize);
        let stream = clap_istream {
            ctx: &mut reader as *mut (&[u8], usize) as *mut c_void,
            read: Some(istream_read),
        };
        let ok = unsafe { ((*self.state).load.unwrap())(self.plugin, &stream) };
        ensure!(ok, "state load failed");
        Ok(())
    }

    /// Process a whole signal on a separate audio thread, in blocks whose sizes come from
    /// `block_sizes` (cycled), with `changes` at absolute sample positions and optional
    /// auxiliary (sidechain) inputs; every declared port the test does not feed gets silence,
    /// as CLAP hosts do. Returns the main output, one Vec per channel.
    pub fn run(
        &mut self,
        input: &[Vec<f32>],
        aux: &[Vec<Vec<f32>>],
        block_sizes: &[usize],
        changes: &[ParamChange],
    ) -> Result<Vec<Vec<f32>>> {
        ensure!(self.active, "activate first");
        let (_, out_channels) = self.main_port_channels();
        let len = input.first().map_or(0, Vec::len);
        let mut output = vec![vec![0.0f32; len]; out_channels as usize];
        let mut aux = aux.to_vec();
        for &channels in self.input_ports().iter().skip(1 + aux.len()) {
            aux.push(vec![vec![0.0f32; len]; channels as usize]);
        }
        let aux = &aux[..];
        let mut changes = changes.to_vec();
        changes.sort_by_key(|c| c.time);
        let this = &mut *self;
        let output_ref = &mut output;
        std::thread::scope(|scope| {
            scope
                .spawn(move || {
                    this.run_on_audio_thread(input, aux, block_sizes, &changes, output_ref)
                })
                .join()
                .expect("audio thread panicked")
        })?;
        self.idle();
        Ok(output)
    }

    fn run_on_audio_thread(
        &mut self,
        input: &[Vec<f32>],
        aux: &[Vec<Vec<f32>>],
        block_sizes: &[usize],
        changes: &[ParamChange],
        output: &mut [Vec<f32>],
    ) -> Result<()> {
        ensure!(
            unsafe { ((*self.plugin).start_processing.unwrap())(self.plugin) },
            "start_processing failed"
        );
        let len = input.first().map_or(0, Vec::len);
        let mut pos = 0;
        let mut sizes = block_sizes.iter().cycle();
        let mut next_change = 0;
        while pos < len {
            let n = (*sizes.next().context("no block sizes")?).min(len - pos);
            let mut block_changes = Vec::new();
            while next_change < changes.len() && (changes[next_change].time as usize) < pos + n {
                let c = changes[next_change];
                block_changes.push(ParamChange {
                    time: (c.time as usize).saturating_sub(pos) as u32,
                    ..c
                });
                next_change += 1;
            }
            let status = self.process_block(input, aux, output, pos, n, &block_changes);
            ensure!(
                status != CLAP_PROCESS_ERROR,
                "process returned an error at {pos}"
            );
            pos += n;
            self.host_state
                .frames_processed
                .fetch_add(n as u64, Ordering::SeqCst);
        }
        unsafe { ((*self.plugin).stop_processing.unwrap())(self.plugin) };
        Ok(())
    }

    fn process_block(
        &mut self,
        input: &[Vec<f32>],
        aux: &[Vec<Vec<f32>>],
        output: &mut [Vec<f32>],
        pos: usize,
        n: usize,
        changes: &[ParamChange],
    ) -> clap_process_status {
        // Inputs are copied: the plugin must not write to them, and this way it cannot.
        let mut in_copy: Vec<Vec<f32>> = input.iter().map(|c| c[pos..pos + n].to_vec()).collect();
        let mut in_ptrs: Vec<*mut f32> = in_copy.iter_mut().map(|c| c.as_mut_ptr()).collect();
        let mut aux_copy: Vec<Vec<Vec<f32>>> = aux
            .iter()
            .map(|port| port.iter().map(|c| c[pos..pos + n].to_vec()).collect())
            .collect();
        let mut aux_ptrs: Vec<Vec<*mut f32>> = aux_copy
            .iter_mut()
            .map(|port| port.iter_mut().map(|c| c.as_mut_ptr()).collect())
            .collect();
        let mut out_ptrs: Vec<*mut f32> =
            output.iter_mut().map(|c| c[pos..].as_mut_ptr()).collect();
        let buffer = |ptrs: &mut Vec<*mut f32>| clap_audio_buffer {
            data32: ptrs.as_mut_ptr(),
            data64: ptr::null_mut(),
            channel_count: ptrs.len() as u32,
            latency: 0,
            constant_mask: 0,
        };
        let mut inputs = vec![buffer(&mut in_ptrs)];
        for port in aux_ptrs.iter_mut() {
            inputs.push(buffer(port));
        }
        let mut outputs = [buffer(&mut out_ptrs)];
        let events = EventList::new(changes);
        let out_events = null_output_events();
        let process = clap_process {
            steady_time: self.steady_time,
            frames_count: n as u32,
            transport: ptr::null(),
            audio_inputs: inputs.as_ptr(),
            audio_outputs: outputs.as_mut_ptr(),
            audio_inputs_count: inputs.len() as u32,
            audio_outputs_count: 1,
            in_events: &events.list,
            out_events: &out_events,
        };
        self.steady_time += n as i64;
        unsafe { ((*self.plugin).process.unwrap())(self.plugin, &process) }
    }
}

/// See [`ClapInstance::preset_loader`]; valid while its instance lives.
#[derive(Clone, Copy)]
pub struct PresetLoader {
    plugin: *const clap_plugin,
    ext: *const clap_plugin_preset_load,
}

// SAFETY: `from_location` is a main-thread function; the test calls it from one thread.
unsafe impl Send for PresetLoader {}

impl PresetLoader {
    /// `clap_plugin_preset_load::from_location` for a preset file.
    pub fn load_file(&self, path: &Path) -> Result<()> {
        let path_c = CString::new(path.to_string_lossy().as_ref())?;
        let ok = unsafe {
            ((*self.ext).from_location.unwrap())(
                self.plugin,
                CLAP_PRESET_DISCOVERY_LOCATION_FILE,
                path_c.as_ptr(),
                ptr::null(),
            )
        };
        ensure!(ok, "preset-load refused {}", path.display());
        Ok(())
    }
}

impl Drop for ClapInstance {
    fn drop(&mut self) {
        self.deactivate();
        unsafe { ((*self.plugin).destroy.unwrap())(self.plugin) };
    }
}

/// Parameter events laid out as CLAP wants them, plus the list object pointing at them.
struct EventList {
    events: Vec<clap_event_param_value>,
    list: clap_input_events,
}

impl EventList {
    fn new(changes: &[ParamChange]) -> Box<EventList> {
        let events = changes
            .iter()
            .map(|c| clap_event_param_value {
                header: clap_event_header {
                    size: std::mem::size_of::<clap_event_param_value>() as u32,
                    time: c.time,
                    space_id: CLAP_CORE_EVENT_SPACE_ID,
                    type_: CLAP_EVENT_PARAM_VALUE,
                    flags: 0,
                },
                param_id: c.id,
                cookie: ptr::null_mut(),
                note_id: -1,
                port_index: -1,
                channel: -1,
                key: -1,
                value: c.value,
            })
            .collect();
        let mut list = Box::new(EventList {
            events,
            list: clap_input_events {
                ctx: ptr::null_mut(),
                size: Some(events_size),
                get: Some(events_get),
            },
        });
        list.list.ctx = &list.events as *const Vec<clap_event_param_value> as *mut c_void;
        list
    }
}

unsafe extern "C" fn events_size(list: *const clap_input_events) -> u32 {
    unsafe { (*((*list).ctx as *const Vec<clap_event_param_value>)).len() as u32 }
}

unsafe extern "C" fn events_get(
    list: *const clap_input_events,
    index: u32,
) -> *const clap_event_header {
    let events = unsafe { &*((*list).ctx as *const Vec<clap_event_param_value>) };
    events
        .get(index as usize)
        .map_or(ptr::null(), |e| &e.header as *const clap_event_header)
}

fn null_output_events() -> clap_output_events {
    unsafe extern "C" fn push(_: *const clap_output_events, _: *const clap_event_header) -> bool {
        true
    }
    clap_output_events {
        ctx: ptr::null_mut(),
        try_push: Some(push),
    }
}

unsafe extern "C" fn ostream_write(
    stream: *const clap_ostream,
    buffer: *const c_void,
    size: u64,
) -> i64 {
    let data = unsafe { &mut *((*stream).ctx as *mut Vec<u8>) };
    let bytes = unsafe { std::slice::from_raw_parts(buffer as *const u8, size as usize) };
    data.extend_from_slice(bytes);
    size as i64
}

unsafe extern "C" fn istream_read(
    stream: *const clap_istream,
    buffer: *mut c_void,
    size: u64,
) -> i64 {
    let (data, pos) = unsafe { &mut *((*stream).ctx as *mut (&[u8], usize)) };
    let n = (size as usize).min(data.len() - *pos);
    unsafe { ptr::copy_nonoverlapping(data[*pos..].as_ptr(), buffer as *mut u8, n) };
    *pos += n;
    n as i64
}

/// nice-plug's CLAP parameter id: a Rabin fingerprint of the stable string id, with the top
/// bit cleared (VST3 reserves it for the host).
pub fn param_hash(id: &str) -> clap_id {
    id.bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        & !(1 << 31)
}

/// Fail with instructions when a bundle the host tests need is missing.
pub fn require(path: &Path) -> Result<()> {
    if !path.exists() {
        bail!(
            "{} not found. Host tests run against built bundles: use `cargo xtask test`, \
             or set STRATA_TEST_BUNDLES to a directory holding Strata.clap and Strata.vst3.",
            path.display()
        );
    }
    Ok(())
}
