//! The VST3 bundle in a real VST3 host: pedalboard (Python), driven by tests/vst3/test_vst3.py.

use std::path::PathBuf;
use std::process::Command;

use strata_tests::bundle_path;
use strata_tests::clap_host::require;

#[test]
fn pedalboard_loads_the_vst3_and_measures_the_bell() {
    let bundle = bundle_path("Strata.vst3");
    require(&bundle).unwrap();
    let python = std::env::var_os("STRATA_TEST_PYTHON")
        .map(PathBuf::from)
        .expect(
            "STRATA_TEST_PYTHON is not set: run `cargo xtask test`, which provides a Python venv \
         with pedalboard (tests/vst3/requirements.txt)",
        );
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vst3/test_vst3.py");
    let output = Command::new(&python)
        .arg(&script)
        .arg(&bundle)
        .output()
        .unwrap_or_else(|e| panic!("could not run {}: {e}", python.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success(),
        "VST3 host test failed:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("all VST3 checks passed"));
}
