//! Presets through the CLAP plugin as a host's preset browser uses them (`preset-load`, added
//! to the vendored wrapper: vendor/PATCHES.md, 7 and 8), and the A/B slots in the CLAP state.

use std::sync::atomic::Ordering;
use std::time::Duration;

use strata_test_support::fit::gain_db_at;
use strata_test_support::signal::sine;
use strata_tests::strata::{changes, instance, stereo};

const RATE: f64 = 48_000.0;

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

/// A preset file in a fresh folder of its own.
fn preset_file(name: &str, params: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("strata-clap-presets-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.json"));
    let text = format!(
        r#"{{ "strata_preset": 1, "name": "{name}", "category": "User", "params": {params} }}"#
    );
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn a_preset_loaded_while_playing_glides_without_a_step() {
    let mut plugin = instance();
    plugin.activate(RATE, 32, 512).unwrap();
    let path = preset_file("Quieter", r#"{ "out_gain": -12 }"#);
    // A slow, loud sine: its own largest sample-to-sample change is small (2π·50·0.5/48000 =
    // 0.0033), so an output gain that stepped at a block boundary would stand out at almost
    // any phase (a 12 dB step of 0.5 moves a sample by up to 0.37).
    let amplitude = 0.5;
    let x = sine(50.0, amplitude, RATE, 30 * RATE as usize);
    let loader = plugin.preset_loader().unwrap();
    let host = plugin.host_state.clone();
    let y = std::thread::scope(|scope| {
        // The host's main thread loads the preset while the audio thread plays (from 1 s on).
        let load = scope.spawn(move || {
            while host.frames_processed.load(Ordering::SeqCst) < RATE as u64 {
                std::thread::sleep(Duration::from_micros(200));
            }
            loader.load_file(&path)
        });
        let y = plugin.run(&stereo(x.clone()), &[], &[512], &[]).unwrap();
        load.join().unwrap().unwrap();
        y
    });
    let y = &y[0];
    // Where the level fell, in 10 ms windows: the load happened mid-run.
    let window = (RATE / 100.0) as usize;
    let start_rms = rms(&y[window..2 * window]);
    let end_rms = rms(&y[y.len() - window..]);
    let fell_at = (0..y.len() / window)
        .position(|k| rms(&y[k * window..(k + 1) * window]) < start_rms * 0.9)
        .expect("the preset took effect while playing")
        * window;
    let largest_step = y
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    let sine_step = 2.0 * std::f64::consts::PI * 50.0 * amplitude / RATE;
    let change_db = 20.0 * (end_rms / start_rms).log10();
    println!(
        "preset loaded at {:.2} s of {:.0} s: level {change_db:+.2} dB; largest step {largest_step:.5} \
         (the sine's own: {sine_step:.5})",
        fell_at as f64 / RATE,
        y.len() as f64 / RATE
    );
    assert!(
        fell_at > window && fell_at < y.len() - 20 * window,
        "{fell_at}"
    );
    assert!((change_db + 12.0).abs() < 0.05, "{change_db:+.3} dB");
    assert!(
        (largest_step as f64) < sine_step * 1.3,
        "the load stepped the output: {largest_step} against the sine's {sine_step}"
    );
}

/// nice-plug's CLAP state: the JSON's length (u64, little-endian), then the JSON.
fn state_json(bytes: &[u8]) -> serde_json::Value {
    let len = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    serde_json::from_slice(&bytes[8..8 + len]).expect("a JSON state")
}

fn state_bytes(state: &serde_json::Value) -> Vec<u8> {
    let json = serde_json::to_vec(state).unwrap();
    let mut bytes = (json.len() as u64).to_le_bytes().to_vec();
    bytes.extend(json);
    bytes
}

/// A session saved before bands had a placement loads them as Stereo, even into an instance
/// whose band 1 sat on Side (nice-plug alone would leave that where it was).
#[test]
fn a_state_from_before_placements_loads_every_band_as_stereo() {
    let mut plugin = instance();
    let settings = changes(
        &plugin,
        &[
            ("EQ1 On", "On"),
            ("EQ1 Type", "Bell"),
            ("EQ1 Freq", "1 kHz"),
            ("EQ1 Gain", "6"),
            ("EQ1 Placement", "Side"),
        ],
    );
    plugin.flush(&settings);
    let mut old = state_json(&plugin.save_state().unwrap());
    let params = old["params"].as_object_mut().unwrap();
    let before = params.len();
    params.retain(|id, _| !id.ends_with("_place"));
    assert_eq!(params.len(), before - 8, "eight placements in the state");
    plugin.load_state(&state_bytes(&old)).unwrap();
    let (place, stereo) = plugin.value_from_text("EQ1 Placement", "Stereo");
    assert_eq!(plugin.get_value(place), Some(stereo));
    // And it sounds so: the bell acts on a correlated (all-mid) signal.
    let rate = 48_000.0;
    plugin.activate(rate, 1, 512).unwrap();
    let x = sine(1000.0, 0.1, rate, 24_000);
    let y = plugin
        .run(&[x.clone(), x.clone()], &[], &[512], &[])
        .unwrap();
    let g = gain_db_at(&x, &y[0], 1000.0, rate, 6000);
    assert!((g - 6.0).abs() < 0.05, "old state, L = R: {g:.3} dB");
}

#[test]
fn both_ab_slots_survive_saving_and_reopening_the_session() {
    // A session whose plugin had B live and A stored (as the editor leaves it after a switch).
    let mut first = instance();
    let mut state = state_json(&first.save_state().unwrap());
    let slots = serde_json::json!({
        "active": "B",
        "other": { "eq2_on": true, "eq2_gain": 5.5, "comp_on": true, "comp_thresh": -30.0 }
    });
    state["fields"]["ab-slots"] = serde_json::Value::String(slots.to_string());
    first.load_state(&state_bytes(&state)).unwrap();

    // Saved by the host, reopened in a new instance, saved again: both slots are there.
    let session = first.save_state().unwrap();
    drop(first);
    let mut reopened = instance();
    reopened.load_state(&session).unwrap();
    let again = state_json(&reopened.save_state().unwrap());
    let field = again["fields"]["ab-slots"]
        .as_str()
        .expect("the A/B field is saved");
    let back: serde_json::Value = serde_json::from_str(field).unwrap();
    println!("A/B after reopening: {back}");
    assert_eq!(back["active"], "B");
    assert_eq!(back["other"]["eq2_gain"], 5.5);
    assert_eq!(back["other"]["comp_thresh"], -30.0);
}

#[test]
fn many_preset_loads_while_playing_neither_allocate_nor_step_on_the_audio_thread() {
    // The debug bundle aborts on any allocation inside `process()` (nice-plug's
    // `assert_process_allocs`): the hand-over of each state to the audio thread and back must
    // not allocate (vendor/PATCHES.md, 9), however the two threads meet.
    let mut plugin = instance();
    plugin.activate(RATE, 32, 512).unwrap();
    let quiet = preset_file("Quiet", r#"{ "out_gain": -6 }"#);
    let loud = preset_file("Loud", r#"{ "out_gain": 0 }"#);
    let amplitude = 0.5;
    let x = sine(50.0, amplitude, RATE, 60 * RATE as usize);
    let loader = plugin.preset_loader().unwrap();
    let host = plugin.host_state.clone();
    let (y, loads) = std::thread::scope(|scope| {
        let load = scope.spawn(move || {
            let mut loads = 0;
            // One load every ~0.2 s of audio, until 50 s of it have played.
            let mut next = RATE as u64;
            while next < 50 * RATE as u64 {
                if host.frames_processed.load(Ordering::SeqCst) >= next {
                    let file = if loads % 2 == 0 { &quiet } else { &loud };
                    loader.load_file(file).unwrap();
                    loads += 1;
                    next += RATE as u64 / 5;
                } else {
                    std::thread::sleep(Duration::from_micros(100));
                }
            }
            loads
        });
        let y = plugin.run(&stereo(x.clone()), &[], &[512], &[]).unwrap();
        (y, load.join().unwrap())
    });
    let largest_step = y[0]
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    let sine_step = 2.0 * std::f64::consts::PI * 50.0 * amplitude / RATE;
    println!("{loads} loads while playing; largest step {largest_step:.5} (sine's {sine_step:.5})");
    assert_eq!(loads, 245);
    assert!((largest_step as f64) < sine_step * 1.3, "{largest_step}");
}
