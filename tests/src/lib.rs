//! Shared pieces of the host tests: a CLAP host, a VST3 host and Strata's ids in them.
//! Signals and measurements come from `strata-test-support`.

pub mod clap_host;
pub mod strata;
pub mod vst3_host;

use std::path::PathBuf;

/// Where the host tests find the built bundles: `$STRATA_TEST_BUNDLES` (set by
/// `cargo xtask test`), else `target/host-test/bundled`.
pub fn bundle_path(file: &str) -> PathBuf {
    let dir = std::env::var_os("STRATA_TEST_BUNDLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/host-test/bundled")
        });
    dir.join(file)
}
