//! Live under load: `strata-standalone` on simulated devices (44.1 kHz +300 ppm mic into a
//! 48 kHz −200 ppm output, both callbacks up to 1 ms late), compressor and limiter on,
//! headless for 40 s while `stress-ng --cpu 2` keeps both cores busy. The audio threads must
//! get real-time priority, the drift loop must lock within 2 s and the correction settle,
//! all read from `--summary-json`.

use std::process::{Child, Command};

/// CPU hogs for the length of the run; killed when dropped.
struct Hogs(Child);

impl Drop for Hogs {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn simulated_devices_hold_real_time_beside_two_cpu_hogs() {
    let dir = std::env::temp_dir().join(format!("strata-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let summary_path = dir.join("summary.json");
    let hogs = Command::new("stress-ng")
        .args(["--cpu", "2", "--timeout", "120s", "--quiet"])
        .spawn()
        .map(Hogs)
        .expect("stress-ng runs (scripts/debian-packages.txt installs it)");
    let out = Command::new(env!("CARGO_BIN_EXE_strata-standalone"))
        .args([
            "--audio-host",
            "Simulated",
            "--input-device",
            "tone",
            "--input-rate",
            "44100",
            "--output-rate",
            "48000",
            "--input-ppm",
            "300",
            "--output-ppm",
            "-200",
            "--jitter-ms",
            "1",
            "--set",
            "comp_on=On",
            "--set",
            "lim_on=On",
            "--no-gui",
            "--seconds",
            "40",
            "--summary-json",
            summary_path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    drop(hogs);
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the run failed");
    let text = std::fs::read_to_string(&summary_path).expect("the summary was written");
    println!("{text}");
    let summary: serde_json::Value = serde_json::from_str(&text).unwrap();
    let scheduling = summary["scheduling"].as_str().unwrap();
    assert!(
        scheduling.starts_with("audio threads: real-time priority"),
        "this test needs real-time scheduling (root or an rtprio limit): {scheduling}"
    );
    let lock_s = summary["lock_s"].as_f64().expect("the loop locked");
    assert!(lock_s <= 2.0, "lock after {lock_s} s");
    let after = &summary["after_lock"];
    for count in ["overruns", "resyncs", "device_xruns"] {
        assert_eq!(after[count], 0, "{count} after lock");
    }
    // Underruns after lock are not yet held to zero: measured 0, 2 and 5 in three loaded
    // runs. The ring's margin for late callbacks is still a fixed 2 ms (not yet measured
    // from the callbacks), and on this shared two-core VM the hypervisor also stalls a busy
    // vCPU now and then (steal time), which no thread priority prevents.
    assert!(after["underruns"].as_u64().unwrap() <= 10, "{after}");
    // Settled from 8 s on: measured spreads 10.1 and 7.5 ppm (14.5 when it settled at 5 s).
    let correction = &summary["correction_ppm"];
    let spread = correction["spread"].as_f64().unwrap();
    assert!(spread <= 20.0, "correction spread {spread} ppm");
    let mean = correction["mean"].as_f64().unwrap();
    assert!((mean - 500.15).abs() < 5.0, "correction mean {mean} ppm");
    // The ring held its target: the host's latency within ±0.5 ms of it.
    let target = summary["target_latency_ms"].as_f64().unwrap();
    for end in ["min", "max"] {
        let ms = summary["latency_ms"][end].as_f64().unwrap();
        assert!(
            (ms - target).abs() <= 0.5,
            "latency {end} {ms} ms, target {target} ms"
        );
    }
}
