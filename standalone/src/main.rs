//! `strata-standalone`: Strata on real audio devices. The host itself (devices, sample-rate
//! conversion, drift control) is the next stage of the project; today this binary only
//! describes itself and points at the plugin bundles.

use clap::Parser;

/// Strata channel strip, standalone (mic → EQ → compressor → limiter → headphones).
#[derive(Parser, Debug)]
#[command(version, about, long_about = None)]
struct Args {}

fn main() {
    let _args = Args::parse();
    println!(
        "strata-standalone {}: the standalone audio host is not available yet.\n\
         Use the plugin: `cargo xtask install` puts Strata.clap in ~/.clap and Strata.vst3 in\n\
         ~/.vst3, where Bitwig, REAPER, Ardour and other Linux DAWs find it.",
        env!("CARGO_PKG_VERSION")
    );
}
