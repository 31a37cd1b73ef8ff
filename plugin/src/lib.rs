//! Strata: a channel strip (parametric EQ → compressor → true-peak limiter) as a CLAP and
//! VST3 plugin. This file holds the plugin-format glue only; see `chain.rs` for the signal
//! path, `params.rs` for the parameters and `dsp/` for the processing.

use std::num::NonZeroU32;
use std::sync::Arc;

use nice_plug::prelude::*;

pub mod chain;
pub mod dsp;
pub mod embedded;
pub mod params;

use chain::{BlockGains, Chain};
use dsp::eq::MAX_BLOCK;
use params::StrataParams;

pub struct Strata {
    params: Arc<StrataParams>,
    chain: Chain,
    /// The latency last reported to the host.
    reported_latency: u32,
}

impl Default for Strata {
    fn default() -> Self {
        Strata {
            params: Arc::new(StrataParams::default()),
            chain: Chain::new(48_000.0),
            reported_latency: 0,
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
    type Editor = ();

    fn params(&self) -> Arc<dyn Params> {
        self.params.clone()
    }

    fn activate(
        &mut self,
        _audio_io_layout: &AudioIOLayout,
        buffer_config: &BufferConfig,
        context: &mut impl ActivateContext<Self>,
    ) -> bool {
        self.chain = Chain::new(buffer_config.sample_rate);
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
        let mut start = 0;
        // SAFETY: the guard restores the caller's floating-point flags when it returns.
        unsafe {
            no_denormals::no_denormals(|| {
                for (_, mut block) in buffer.iter_blocks(MAX_BLOCK) {
                    let len = block.samples();
                    let mut input = [0.0f32; MAX_BLOCK];
                    let mut output = [0.0f32; MAX_BLOCK];
                    self.params.prepare_block(
                        &mut self.chain,
                        &mut input[..len],
                        &mut output[..len],
                    );
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
                        self.chain.process_block(left, channels.next(), key, &gains);
                    }
                    start += len;
                }
            })
        };
        ProcessStatus::Normal
    }
}

impl ClapPlugin for Strata {
    const CLAP_ID: &'static str = "org.strata.channel-strip";
    const CLAP_DESCRIPTION: Option<&'static str> =
        Some("Parametric EQ, compressor and true-peak limiter");
    const CLAP_MANUAL_URL: Option<&'static str> = None;
    const CLAP_SUPPORT_URL: Option<&'static str> = None;
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
