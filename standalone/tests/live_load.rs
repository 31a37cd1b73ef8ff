//! Live under load: `strata-standalone` headless for 40 s, compressor and limiter on, while
//! `stress-ng --cpu 2` keeps both cores busy — on simulated devices (44.1 kHz +300 ppm mic
//! into a 48 kHz −200 ppm output, both callbacks up to 1 ms late) and on a private JACK
//! server's dummy driver. The audio threads must run at real-time priority, the drift loop
//! must lock within 2 s and the correction settle, all read from `--summary-json`.

use std::process::{Child, Command};

use serde_json::Value;

use common::jack_server::{JackServer, XRUN_STORM};

// Each test binary uses part of the shared helpers.
#[allow(dead_code)]
mod common;

/// CPU hogs for the length of the run; killed when dropped.
struct Hogs(Child);

impl Drop for Hogs {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One loaded run at a time: the test harness runs tests in parallel, and two runs side by
/// side would each have the other's hogs (and a JACK server starting) besides their own.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn alone() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

/// Run `strata-standalone` with `args` (and `env`) for 40 s beside two CPU hogs, compressor
/// and limiter on; its `--summary-json` (kept under a directory named by `tag`).
fn run_loaded(tag: &str, args: &[&str], env: &[(&str, &str)]) -> Value {
    let dir = std::env::temp_dir().join(format!("strata-load-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let summary_path = dir.join("summary.json");
    let hogs = Command::new("stress-ng")
        .args(["--cpu", "2", "--timeout", "120s", "--quiet"])
        .spawn()
        .map(Hogs)
        .expect("stress-ng runs (scripts/debian-packages.txt installs it)");
    let out = Command::new(env!("CARGO_BIN_EXE_strata-standalone"))
        .args(args)
        .args(["--set", "comp_on=On", "--set", "lim_on=On", "--no-gui"])
        .args([
            "--seconds",
            "40",
            "--summary-json",
            summary_path.to_str().unwrap(),
        ])
        .envs(env.iter().copied())
        .output()
        .unwrap();
    drop(hogs);
    let stdout = String::from_utf8_lossy(&out.stdout);
    println!("{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "the run failed");
    let text = std::fs::read_to_string(&summary_path).expect("the summary was written");
    println!("{text}");
    serde_json::from_str(&text).unwrap()
}

/// What a loaded run must show; `clocks_ppm`: the devices' real clock ratio. `server_xruns`:
/// the devices are an audio server's, whose own xruns (its deadlines missed under the load)
/// are reported, not held.
fn check(summary: &Value, clocks_ppm: f64, server_xruns: bool) {
    let scheduling = summary["scheduling"].as_str().unwrap();
    assert!(
        scheduling.starts_with("audio threads: real-time priority"),
        "this test needs real-time scheduling (root or an rtprio limit): {scheduling}"
    );
    let lock_s = summary["lock_s"].as_f64().expect("the loop locked");
    // An audio server's xruns before the lock hold it back for reasons of the server's own.
    let xruns_before_lock = summary["totals"]["device_xruns"].as_u64().unwrap()
        - summary["after_lock"]["device_xruns"].as_u64().unwrap();
    if xruns_before_lock == 0 {
        assert!(lock_s <= 2.0, "lock after {lock_s} s");
    }
    let after = &summary["after_lock"];
    for count in ["overruns", "resyncs"] {
        assert_eq!(after[count], 0, "{count} after lock");
    }
    let device_xruns = after["device_xruns"].as_u64().unwrap();
    if !server_xruns {
        assert_eq!(device_xruns, 0, "device xruns after lock");
    }
    // A margin from measurement covers stalls like those already seen (1.5 × the longest);
    // a stall longer than that still empties the ring once. Measured 0, 0 and 1 (a stall
    // that raised the margin to 9.2 ms at 15 s); with a cargo build beside the hogs, stalls
    // of 27 and 53 ms cost 2 each. Since the margin starts from measurement (0.25 ms and
    // what acquisition saw): 0 or 1 in each of eleven runs on simulated devices (seven with
    // one), 0–2 on JACK. A server's xrun can skip one client's cycle, and cost one underrun,
    // beyond that.
    let underruns = after["underruns"].as_u64().unwrap();
    assert!(underruns <= 2 || underruns <= device_xruns, "{after}");
    let target = summary["target_latency_ms"].as_f64().unwrap();
    let margin = summary["margin_ms"].as_f64().unwrap();
    let (low, high) = (
        summary["latency_ms"]["min"].as_f64().unwrap(),
        summary["latency_ms"]["max"].as_f64().unwrap(),
    );
    let correction = &summary["correction_ppm"];
    let mean = correction["mean"].as_f64().unwrap();
    let spread = correction["spread"].as_f64().unwrap();
    if device_xruns > 0 {
        // A server xrun can skip one client's cycles and not the other's: the ring really
        // gains or loses what was skipped, and the trim (8 s or more once settled) takes it
        // back, 125 ppm per ms of fill off target. Measured: +4.6 ms, +414 ppm after two
        // server xruns. What it must not do is resync or swing beyond that.
        let range_ms = high - low;
        println!("{device_xruns} server xruns after lock: fill range {range_ms:.2} ms");
        assert!(
            spread <= 20.0 + 1.2 * 125.0 * range_ms,
            "spread {spread} ppm for a fill range of {range_ms} ms"
        );
        return;
    }
    // The ring never ran below the two periods, and never above its final target.
    assert!(
        low >= target - margin - 0.5 && high <= target + 0.5,
        "{summary}"
    );
    // This VM wakes even a real-time thread 7.6–25 ms late now and then (cyclictest, CI): the
    // margin grows to cover it, and after the lock the trim glides the fill up, which lasts
    // several of its time constants, into the settled window (measured: 206 ppm of spread for
    // a raise from 2 to 5.8 ms after settling; 657 ppm for one to 23.9 ms at 2 s, in CI).
    let glide_ppm = common::glide_allowance_ppm(summary);
    if glide_ppm > 0.0 {
        assert!(
            spread <= 20.0 + 1.2 * glide_ppm,
            "spread {spread} ppm, glide {glide_ppm}"
        );
    } else {
        // Nothing moved the target once settled: the clocks' ratio alone. Measured 7.5, 10.1
        // and 12.6 ppm of spread here, 26 in a CI run whose threads stalled up to 25 ms (the
        // fast-forwarded simulation of the same clocks: 4–7 ppm).
        assert!(spread <= 40.0, "correction spread {spread} ppm");
        assert!(
            (mean - clocks_ppm).abs() < 5.0,
            "correction mean {mean} ppm, clocks {clocks_ppm}"
        );
    }
}

#[test]
fn simulated_devices_hold_real_time_beside_two_cpu_hogs() {
    let _alone = alone();
    let summary = run_loaded(
        "simulated",
        &[&common::DRIFTING_TONE[..], &["--jitter-ms", "1"]].concat(),
        &[],
    );
    // (1 + 300 ppm) / (1 − 200 ppm)
    check(&summary, 500.1, false);
}

#[test]
fn jack_dummy_server_holds_real_time_beside_two_cpu_hogs() {
    let _alone = alone();
    for attempt in 1..=3 {
        let server = JackServer::start("load", 48_000);
        let args = ["--audio-host", "JACK", "--input-channel", "1"];
        let summary = run_loaded("jack", &args, &[("JACK_DEFAULT_SERVER", &server.name)]);
        drop(server);
        let total = summary["totals"]["device_xruns"].as_u64().unwrap();
        let after_lock = summary["after_lock"]["device_xruns"].as_u64();
        // Xruns of the server's own while it starts (it missed 6 deadlines in the first 2 s
        // of one run here) hold the lock back for reasons outside the program: such a run
        // says nothing about the lock time.
        let before_lock = total - after_lock.unwrap_or(total);
        // The last attempt is judged whatever the server did, by what it allows (`check`).
        if (total <= XRUN_STORM && before_lock == 0) || attempt == 3 {
            // Both sides run on the server's one clock.
            check(&summary, 0.0, true);
            return;
        }
        println!(
            "attempt {attempt}: the dummy JACK server had {before_lock} xruns before the lock, \
             {total} in all; again with a new one"
        );
    }
}
