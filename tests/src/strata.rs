//! Driving the built `Strata.clap` in the tests: loading it, parameter changes by display
//! name and text, and a run with one parameter automated in the middle of a block.

use std::sync::Arc;

use crate::bundle_path;
use crate::clap_host::{ClapInstance, ClapLibrary, ParamChange, require};

pub const PLUGIN_ID: &str = "org.strata.channel-strip";

/// The built bundle, loaded (fails with a hint when it is missing).
pub fn library() -> Arc<ClapLibrary> {
    let path = bundle_path("Strata.clap");
    require(&path).unwrap();
    ClapLibrary::load(&path).unwrap()
}

/// A fresh instance of the plugin.
pub fn instance() -> ClapInstance {
    library().instantiate(PLUGIN_ID).unwrap()
}

/// Changes at sample 0 setting each named parameter from its display text.
pub fn changes(plugin: &ClapInstance, settings: &[(&str, &str)]) -> Vec<ParamChange> {
    settings
        .iter()
        .map(|(name, text)| {
            let (id, value) = plugin.value_from_text(name, text);
            ParamChange { time: 0, id, value }
        })
        .collect()
}

/// The same signal on both channels.
pub fn stereo(x: Vec<f32>) -> Vec<Vec<f32>> {
    vec![x.clone(), x]
}

/// Run `x` through a fresh instance at `rate` in 512-sample blocks, set up by `settings`
/// (display names and texts) with parameter `name` at `before` and, when `event` is
/// `Some((at, text))`, changed to `text` at sample `at`. Returns the output and the reported
/// latency.
pub fn run_automated(
    rate: f64,
    x: &[Vec<f32>],
    settings: &[(&str, &str)],
    name: &str,
    before: &str,
    event: Option<(usize, &str)>,
) -> (Vec<Vec<f32>>, usize) {
    let mut plugin = instance();
    let id = plugin.param_id(name);
    let mut setup = changes(&plugin, settings);
    setup.retain(|c| c.id != id);
    setup.push(ParamChange {
        time: 0,
        id,
        value: plugin.value_from_text(name, before).1,
    });
    plugin.flush(&setup);
    plugin.activate(rate, 1, 512).unwrap();
    let latency = plugin.latency().unwrap() as usize;
    let events: Vec<ParamChange> = event
        .map(|(at, text)| ParamChange {
            time: at as u32,
            id,
            value: plugin.value_from_text(name, text).1,
        })
        .into_iter()
        .collect();
    (plugin.run(x, &[], &[512], &events).unwrap(), latency)
}
