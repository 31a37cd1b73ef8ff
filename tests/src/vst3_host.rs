//! A minimal VST3 host for the tests (the `vst3` crate's bindings + libloading): loads
//! `Strata.vst3`, reads its parameter infos, negotiates bus arrangements and runs its
//! processor with the host's own sample-accurate parameter queues. Pedalboard covers the
//! everyday host; this one reaches what pedalboard cannot: dense per-sample automation,
//! large blocks and the processor's calls while processing.

use std::ffi::{CStr, c_void};
use std::mem::ManuallyDrop;
use std::path::Path;
use std::ptr::null_mut;

use anyhow::{Context, Result, bail};
use libloading::Library;
use vst3::Steinberg::Vst::{
    AudioBusBuffers, AudioBusBuffers__type0, BusDirections_, IAudioProcessor, IAudioProcessorTrait,
    IComponent, IComponentTrait, IEditController, IEditControllerTrait, IParamValueQueue,
    IParamValueQueueTrait, IParameterChanges, IParameterChangesTrait, MediaTypes_, ParamID,
    ParamValue, ParameterInfo, ProcessData, ProcessModes_, ProcessSetup, SpeakerArrangement,
    SymbolicSampleSizes_,
};
use vst3::Steinberg::{
    IPluginBaseTrait, IPluginFactory, IPluginFactoryTrait, PClassInfo, kResultOk, tresult,
};
use vst3::{Class, ComPtr, ComWrapper, Interface};

/// A loaded `.vst3` bundle. Like a DAW, the tests never unload a module: closing it while the
/// plugin's own threads (its event loop) still wind down crashes the process, and several
/// tests load the same module at once.
pub struct Vst3Library {
    factory: ComPtr<IPluginFactory>,
    _library: ManuallyDrop<Library>,
}

impl Vst3Library {
    /// Load `bundle` (a `.vst3` directory) and enter the module.
    pub fn load(bundle: &Path) -> Result<Vst3Library> {
        let name = bundle.file_stem().context("bundle has no name")?;
        let so = bundle
            .join("Contents/x86_64-linux")
            .join(name)
            .with_extension("so");
        // SAFETY: loading a plugin runs its initialisers; this is what the test is for.
        let library = unsafe { Library::new(&so) }
            .with_context(|| format!("could not load {}", so.display()))?;
        // SAFETY: both symbols have these signatures in the VST3 module ABI (Linux).
        let factory = unsafe {
            let entry = library.get::<unsafe extern "C" fn(*mut c_void) -> bool>(b"ModuleEntry")?;
            if !entry(null_mut()) {
                bail!("ModuleEntry failed");
            }
            let get_factory = library
                .get::<unsafe extern "system" fn() -> *mut IPluginFactory>(b"GetPluginFactory")?;
            ComPtr::from_raw(get_factory()).context("GetPluginFactory returned null")?
        };
        Ok(Vst3Library {
            factory,
            _library: ManuallyDrop::new(library),
        })
    }

    /// A new instance of the bundle's first audio effect class, initialised.
    pub fn instantiate(&self) -> Result<Vst3Instance> {
        // SAFETY: plain COM calls on the factory with valid out-pointers.
        unsafe {
            for index in 0..self.factory.countClasses() {
                let mut info: PClassInfo = std::mem::zeroed();
                if self.factory.getClassInfo(index, &mut info) != kResultOk {
                    continue;
                }
                let category = CStr::from_ptr(info.category.as_ptr());
                if category.to_bytes() != b"Audio Module Class" {
                    continue;
                }
                let mut object = null_mut();
                let result = self.factory.createInstance(
                    info.cid.as_ptr(),
                    IComponent::IID.as_ptr() as *const _,
                    &mut object,
                );
                check(result, "createInstance")?;
                let component = ComPtr::<IComponent>::from_raw(object as *mut IComponent)
                    .context("createInstance returned null")?;
                check(component.initialize(null_mut()), "initialize")?;
                let processor = component
                    .cast::<IAudioProcessor>()
                    .context("no IAudioProcessor")?;
                let controller = component
                    .cast::<IEditController>()
                    .context("no IEditController on the component (single-component plugin)")?;
                return Ok(Vst3Instance {
                    component,
                    processor,
                    controller,
                });
            }
        }
        bail!("the bundle has no audio effect class")
    }
}

/// One parameter as the controller describes it.
#[derive(Debug, Clone)]
pub struct Vst3Param {
    pub id: ParamID,
    pub title: String,
    pub step_count: i32,
    pub default: f64,
    pub flags: i32,
}

/// An instance: its component, processor and controller (one object in Strata).
pub struct Vst3Instance {
    pub component: ComPtr<IComponent>,
    pub processor: ComPtr<IAudioProcessor>,
    pub controller: ComPtr<IEditController>,
}

impl Vst3Instance {
    /// Every parameter's info.
    pub fn params(&self) -> Vec<Vst3Param> {
        // SAFETY: COM calls with a valid out-pointer.
        unsafe {
            (0..self.controller.getParameterCount())
                .filter_map(|index| {
                    let mut info: ParameterInfo = std::mem::zeroed();
                    (self.controller.getParameterInfo(index, &mut info) == kResultOk).then(|| {
                        Vst3Param {
                            id: info.id,
                            title: String::from_utf16_lossy(&info.title)
                                .trim_end_matches('\0')
                                .to_string(),
                            step_count: info.stepCount,
                            default: info.defaultNormalizedValue,
                            flags: info.flags,
                        }
                    })
                })
                .collect()
        }
    }

    /// The parameter titled `title`.
    pub fn param(&self, title: &str) -> Vst3Param {
        self.params()
            .into_iter()
            .find(|p| p.title == title)
            .unwrap_or_else(|| panic!("no parameter titled {title:?}"))
    }

    /// `setBusArrangements` with one arrangement per input and output bus.
    pub fn set_bus_arrangements(
        &self,
        inputs: &[SpeakerArrangement],
        outputs: &[SpeakerArrangement],
    ) -> tresult {
        let (mut inputs, mut outputs) = (inputs.to_vec(), outputs.to_vec());
        // SAFETY: the arrays are valid for their lengths.
        unsafe {
            self.processor.setBusArrangements(
                inputs.as_mut_ptr(),
                inputs.len() as i32,
                outputs.as_mut_ptr(),
                outputs.len() as i32,
            )
        }
    }

    /// `getBusArrangement` of input (`output == false`) or output bus `index`.
    pub fn bus_arrangement(&self, output: bool, index: i32) -> Option<SpeakerArrangement> {
        let dir = if output {
            BusDirections_::kOutput
        } else {
            BusDirections_::kInput
        };
        let mut arrangement = 0;
        // SAFETY: valid out-pointer.
        let result = unsafe {
            self.processor
                .getBusArrangement(dir as _, index, &mut arrangement)
        };
        (result == kResultOk).then_some(arrangement)
    }

    /// Set up, activate the sidechain bus and start processing.
    pub fn start(&self, sample_rate: f64, max_block: usize) -> Result<()> {
        let mut setup = ProcessSetup {
            processMode: ProcessModes_::kRealtime as i32,
            symbolicSampleSize: SymbolicSampleSizes_::kSample32 as i32,
            maxSamplesPerBlock: max_block as i32,
            sampleRate: sample_rate,
        };
        // SAFETY: plain COM calls with valid pointers.
        unsafe {
            check(
                self.processor.setupProcessing(&mut setup),
                "setupProcessing",
            )?;
            let audio = MediaTypes_::kAudio as i32;
            let input = BusDirections_::kInput as i32;
            check(
                self.component.activateBus(audio, input, 1, 1),
                "activateBus",
            )?;
            check(self.component.setActive(1), "setActive")?;
            check(self.processor.setProcessing(1), "setProcessing")?;
        }
        Ok(())
    }

    /// Process `main` (stereo; the output replaces it) with a silent sidechain and `changes`
    /// as the block's parameter queues.
    pub fn process(&self, main: &mut [Vec<f32>; 2], changes: &HostParamChanges) -> tresult {
        self.process_measuring_heap(main, changes).0
    }

    /// `process`, also returning by how many bytes the C heap's in-use total grew across the
    /// processor's `process()` call alone (the host's own buffers are made before it and freed
    /// after the measurement).
    pub fn process_measuring_heap(
        &self,
        main: &mut [Vec<f32>; 2],
        changes: &HostParamChanges,
    ) -> (tresult, i64) {
        let frames = main[0].len();
        let input = main.clone();
        let mut input_ptrs: Vec<*mut f32> = vec![input[0].as_ptr() as _, input[1].as_ptr() as _];
        let mut sidechain = [vec![0.0f32; frames], vec![0.0f32; frames]];
        let mut sidechain_ptrs: Vec<*mut f32> =
            sidechain.iter_mut().map(|c| c.as_mut_ptr()).collect();
        let mut output_ptrs: Vec<*mut f32> = main.iter_mut().map(|c| c.as_mut_ptr()).collect();
        let bus = |ptrs: &mut Vec<*mut f32>| AudioBusBuffers {
            numChannels: ptrs.len() as i32,
            silenceFlags: 0,
            __field0: AudioBusBuffers__type0 {
                channelBuffers32: ptrs.as_mut_ptr(),
            },
        };
        let mut inputs = [bus(&mut input_ptrs), bus(&mut sidechain_ptrs)];
        let mut outputs = [bus(&mut output_ptrs)];
        let changes = changes.as_com();
        let mut data = ProcessData {
            processMode: ProcessModes_::kRealtime as i32,
            symbolicSampleSize: SymbolicSampleSizes_::kSample32 as i32,
            numSamples: frames as i32,
            numInputs: 2,
            numOutputs: 1,
            inputs: inputs.as_mut_ptr(),
            outputs: outputs.as_mut_ptr(),
            inputParameterChanges: changes.as_ptr(),
            outputParameterChanges: null_mut(),
            inputEvents: null_mut(),
            outputEvents: null_mut(),
            processContext: null_mut(),
        };
        let before = heap_in_use();
        // SAFETY: every pointer in `data` outlives the call.
        let result = unsafe { self.processor.process(&mut data) };
        (result, heap_in_use() - before)
    }

    /// The controller's `setParamNormalized`.
    pub fn set_param_normalized(&self, id: ParamID, value: ParamValue) -> tresult {
        // SAFETY: plain COM call.
        unsafe { self.controller.setParamNormalized(id, value) }
    }

    /// The controller's `getParamNormalized`.
    pub fn param_normalized(&self, id: ParamID) -> ParamValue {
        // SAFETY: plain COM call.
        unsafe { self.controller.getParamNormalized(id) }
    }

    /// The latency the processor reports, in samples.
    pub fn latency(&self) -> u32 {
        // SAFETY: plain COM call.
        unsafe { self.processor.getLatencySamples() }
    }

    /// Stop processing and deactivate.
    pub fn stop(&self) {
        // SAFETY: plain COM calls.
        unsafe {
            self.processor.setProcessing(0);
            self.component.setActive(0);
        }
    }
}

impl Drop for Vst3Instance {
    fn drop(&mut self) {
        // SAFETY: plain COM call; the instance is not used afterwards.
        unsafe {
            self.component.terminate();
        }
    }
}

/// Bytes the C heap (glibc, all arenas; the plugin allocates there too) has handed out.
fn heap_in_use() -> i64 {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    unsafe { libc::mallinfo2().uordblks as i64 }
}

fn check(result: tresult, what: &str) -> Result<()> {
    if result != kResultOk {
        bail!("{what} returned {result}");
    }
    Ok(())
}

/// The host's parameter changes for one block: one queue per parameter, each a list of
/// (sample offset, normalized value) points in time order.
pub struct HostParamChanges {
    /// Owns the queues whose raw pointers `com` hands out.
    _queues: Vec<ComPtr<IParamValueQueue>>,
    com: ComPtr<IParameterChanges>,
}

impl HostParamChanges {
    pub fn new(queues: Vec<(ParamID, Vec<(i32, f64)>)>) -> HostParamChanges {
        let queues: Vec<ComPtr<IParamValueQueue>> = queues
            .into_iter()
            .map(|(id, points)| {
                ComWrapper::new(Queue { id, points })
                    .to_com_ptr::<IParamValueQueue>()
                    .unwrap()
            })
            .collect();
        let com = ComWrapper::new(Changes {
            queues: queues.iter().map(|q| q.as_ptr()).collect(),
        })
        .to_com_ptr::<IParameterChanges>()
        .unwrap();
        HostParamChanges {
            _queues: queues,
            com,
        }
    }

    fn as_com(&self) -> &ComPtr<IParameterChanges> {
        &self.com
    }
}

struct Queue {
    id: ParamID,
    points: Vec<(i32, f64)>,
}

impl Class for Queue {
    type Interfaces = (IParamValueQueue,);
}

impl IParamValueQueueTrait for Queue {
    unsafe fn getParameterId(&self) -> ParamID {
        self.id
    }

    unsafe fn getPointCount(&self) -> i32 {
        self.points.len() as i32
    }

    unsafe fn getPoint(&self, index: i32, sample_offset: *mut i32, value: *mut f64) -> tresult {
        match self.points.get(index as usize) {
            Some(&(offset, v)) => {
                // SAFETY: the caller passes valid out-pointers (the VST3 contract).
                unsafe {
                    *sample_offset = offset;
                    *value = v;
                }
                kResultOk
            }
            None => vst3::Steinberg::kInvalidArgument,
        }
    }

    unsafe fn addPoint(&self, _offset: i32, _value: f64, _index: *mut i32) -> tresult {
        vst3::Steinberg::kResultFalse
    }
}

struct Changes {
    /// Borrowed from `HostParamChanges::queues`, which outlives this object's use.
    queues: Vec<*mut IParamValueQueue>,
}

impl Class for Changes {
    type Interfaces = (IParameterChanges,);
}

impl IParameterChangesTrait for Changes {
    unsafe fn getParameterCount(&self) -> i32 {
        self.queues.len() as i32
    }

    unsafe fn getParameterData(&self, index: i32) -> *mut IParamValueQueue {
        self.queues
            .get(index as usize)
            .copied()
            .unwrap_or(null_mut())
    }

    unsafe fn addParameterData(
        &self,
        _id: *const ParamID,
        _index: *mut i32,
    ) -> *mut IParamValueQueue {
        null_mut()
    }
}
