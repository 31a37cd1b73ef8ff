//! Strata: a channel strip (parametric EQ → compressor → true-peak limiter) as a CLAP and
//! VST3 plugin. This file holds the plugin-format glue only; see `chain.rs` for the signal
//! path, `params.rs` for the parameters and `dsp/` for the processing.

use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use nice_plug::prelude::*;
use nice_plug::wrapper::clap::preset_discovery::ClapPresets;
use nice_plug_egui::RepaintNotifier;

pub mod chain;
mod denormals;
pub mod dsp;
pub mod editor;
pub mod params;
pub mod presets;
pub mod telemetry;
pub mod value_text;

use chain::{BlockGains, Chain, MAX_BLOCK};
use dsp::meter::Meters;
use params::StrataParams;
use telemetry::{TelemetryReceiver, TelemetrySender};

pub struct Strata {
    params: Arc<StrataParams>,
    chain: Chain,
    /// The latency last reported to the host.
    reported_latency: u32,
    telemetry: TelemetrySender,
    /// The GUI's end of the telemetry. Only GUI-side code locks it; the audio thread never.
    telemetry_receiver: Arc<Mutex<TelemetryReceiver>>,
    /// `meter_reset` as it was in the last block (resets happen on its rising edge).
    meter_reset_was_on: bool,
    /// The flag the telemetry raises to wake an open editor.
    repaint: RepaintNotifier,
    /// The editor window's size, kept while the plugin lives.
    editor_state: Arc<nice_plug_egui::EguiEditorState>,
}

impl Default for Strata {
    fn default() -> Self {
        let repaint = RepaintNotifier::new();
        let (telemetry, receiver) = telemetry::channel(repaint.clone());
        Strata {
            params: Arc::new(StrataParams::default()),
            chain: Chain::new(48_000.0),
            reported_latency: 0,
            telemetry,
            repaint,
            telemetry_receiver: Arc::new(Mutex::new(receiver)),
            meter_reset_was_on: false,
            editor_state: editor::default_state(),
        }
    }
}

impl Strata {
    /// The meters and analyzer feed, for an editor (or a host that shows them).
    pub fn telemetry(&self) -> Arc<Mutex<TelemetryReceiver>> {
        self.telemetry_receiver.clone()
    }

    /// The parameter tree, typed (nice-plug's `params()` hands it out as `dyn Params`).
    pub fn strata_params(&self) -> Arc<StrataParams> {
        self.params.clone()
    }

    /// The editor with what a program embedding it adds (the standalone's status line).
    pub fn embedded_editor(
        &self,
        host: Arc<dyn editor::EmbeddingHost>,
    ) -> Option<<Self as Plugin>::Editor> {
        editor::create(self.editor_parts(), Some(host))
    }

    fn editor_parts(&self) -> editor::EditorParts {
        editor::EditorParts {
            params: self.params.clone(),
            telemetry: self.telemetry_receiver.clone(),
            repaint: self.repaint.clone(),
            state: self.editor_state.clone(),
        }
    }
}

impl Plugin for Strata {
    const NAME: &'static str = "Strata";
    const VENDOR: &'static str = "Strata";
    const URL: &'static str = "https://example.invalid/strata";
    const EMAIL: &'static str = "strata@example.invalid";
    const VERSION: &'static str = env!("CARGO_PKG_VERSION");

    // Each layout has a sidechain input for the compressor's external key.
    const AUDIO_IO_LAYOUTS: &'static [AudioIOLayout] = &[
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(2),
            main_output_channels: NonZeroU32::new(2),
            aux_input_ports: &[new_nonzero_u32(2)],
            names: PortNames {
                aux_inputs: &["Sidechain"],
                ..PortNames::const_default()
            },
            ..AudioIOLayout::const_default()
        },
        AudioIOLayout {
            main_input_channels: NonZeroU32::new(1),
            main_output_channels: NonZeroU32::new(1),
            aux_input_ports: &[new_nonzero_u32(1)],
            names: PortNames {
                aux_inputs: &["Sidechain"],
                ..PortNames::const_default()
            },
            ..AudioIOLayout::const_default()
        },
    ];

    const SAMPLE_ACCURATE_AUTOMATION: bool = true;

    type SysExMessage = ();
    type BackgroundTask = ();
    type Editor = nice_plug_egui::EguiEditor<editor::StrataEditor>;

    fn filter_state(state: &mut PluginState) {
        params::complete_old_state(state);
    }

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn editor(&mut self, _async_executor: AsyncExecutor<Self>) -> Option<Self::Editor> {
        editor::create(self.editor_parts(), None)
    }

    fn activate(
        &mut self,
        audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        self.chain = Chain::new(buffer_config.sample_rate);
        let channels = audio_io_layout
            .main_output_channels
            .map_or(2, |c| c.get() as usize);
        if channels == 1 {
            // A mono signal's loudness counts one channel, not the two copies the chain keeps;
            // it has no stereo image for a band to be placed in.
            *self.chain.meters_mut() = Meters::new(buffer_config.sample_rate as f64, 1);
            self.chain.set_mono(true);
        }
        // Settle the parameters that shape the latency before reporting it.
        self.chain.set_limiter(&self.params.limiter.settings(1));
        self.chain.force_bypass(self.params.bypass.value());
        self.chain.snap_next_block();
        self.reported_latency = self.chain.latency_samples();
        context.set_latency_samples(self.reported_latency);
        true
    }

    fn reset(&mut self) {
        self.chain.reset();
    }

    fn process(
        &mut self,
        buffer: &mut Buffer,
        aux: &mut AuxiliaryBuffers,
        context: &mut impl ProcessContext<Self>,
    ) -> ProcessStatus {
        // The sidechain port, if the host (or embedding) gave one.
        let sidechain: Option<&[&mut [f32]]> = aux.inputs.first().map(|b| b.as_slice_immutable());
        let reset_param = self.params.meter_reset.value();
        let reset_asked = self.telemetry.take_reset_request();
        if reset_asked || (reset_param && !self.meter_reset_was_on) {
            self.chain.meters_mut().reset_loudness();
        }
        self.meter_reset_was_on = reset_param;
        let mut start = 0;
        let _flush = denormals::FlushDenormals::new();
        for (_, mut block) in buffer.iter_blocks(MAX_BLOCK) {
            let len = block.samples();
            let mut input = [0.0f32; MAX_BLOCK];
            let mut output = [0.0f32; MAX_BLOCK];
            self.params
                .prepare_block(&mut self.chain, &mut input[..len], &mut output[..len]);
            let latency = self.chain.latency_samples();
            if latency != self.reported_latency {
                self.reported_latency = latency;
                context.set_latency_samples(latency);
            }
            let gains = BlockGains {
                input: &input[..len],
                output: &output[..len],
            };
            let key = sidechain.and_then(|sc| {
                let left = sc.first()?.get(start..start + len)?;
                let right = sc.get(1).and_then(|r| r.get(start..start + len));
                Some((left, right))
            });
            let mut channels = block.iter_mut();
            if let Some(left) = channels.next() {
                let right = channels.next();
                self.chain.process_block(left, right, key, &gains);
                let (eq_in, eq_out) = self.chain.spectrum_taps();
                self.telemetry.push_analyzer(eq_in, eq_out);
            }
            if self.chain.meters().frame_due() {
                let read = self.telemetry.last_frame_read();
                let frame = self.chain.meters_mut().take_frame(read);
                self.telemetry.publish(frame);
            }
            start += len;
        }
        // Once the input has been silent this long, the host may stop calling (CLAP
        // `CLAP_PROCESS_TAIL` with the tail extension: vendor/PATCHES.md, 10; VST3
        // `getTailSamples`).
        ProcessStatus::Tail(self.chain.tail_samples())
    }
}

impl ClapPlugin for Strata {
    const CLAP_ID: &'static str = "org.strata.channel-strip";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Parametric EQ, compressor and true-peak limiter");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
    const CLAP_PRESETS: Option<&'static dyn ClapPresets> = Some(&presets::discovery::StrataPresets);
    const CLAP_FEATURES: &'static [ClapFeature] = &[
        ClapFeature::AudioEffect,
        ClapFeature::Equalizer,
        ClapFeature::Compressor,
        ClapFeature::Limiter,
        ClapFeature::Stereo,
        ClapFeature::Mono,
    ];
}

impl Vst3Plugin for Strata {
    const VST3_CLASS_ID: [u8; 16] = *b"StrataChanStrip1";
    const VST3_SUBCATEGORIES: &'static [Vst3SubCategory] = &[
        Vst3SubCategory::Fx,
        Vst3SubCategory::Eq,
        Vst3SubCategory::Dynamics,
    ];
}

nice_export_clap!(Strata);
nice_export_vst3!(Strata);
