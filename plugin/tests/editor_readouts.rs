//! What the editor's meters and dynamics panels say, driven headless with meter frames as the
//! audio thread publishes them: a true-peak over latched (red box) until clicked, gain
//! reduction as numbers, a stage that does not run says why, and an external sidechain with
//! no signal warns that nothing is compressed.

use strata::dsp::meter::MeterFrame;
use strata::telemetry;

// Each test binary uses part of the shared helpers.
#[allow(dead_code)]
mod common;

use common::editor::{Harness, set_plain};

/// Publish `frame` and let the editor take it and draw.
fn show(
    h: &mut Harness,
    tx: &mut telemetry::TelemetrySender,
    rx: &mut telemetry::TelemetryReceiver,
    frame: MeterFrame,
) {
    tx.publish(frame);
    h.model.poll(rx, h.time_s);
    h.frame(Vec::new());
}

fn frame(seq: u64) -> MeterFrame {
    let mut f = MeterFrame {
        seq,
        seq_check: seq,
        sample_rate: 48_000.0,
        ..MeterFrame::default()
    };
    f.input.true_peak_db = [-6.0, -7.5];
    f.input.peak_db = [-6.2, -7.7];
    f.output.true_peak_db = [0.4, -2.0];
    f.output.peak_db = [-0.2, -2.1];
    f.compressor_gr_db = 2.5;
    f.limiter_gr_db = 0.8;
    f.compressor_level_db = -20.0;
    f
}

fn painted(h: &Harness, text: &str) -> bool {
    h.texts().iter().any(|(t, _)| t == text)
}

#[test]
fn an_over_stays_latched_until_clicked_and_gain_reduction_reads_in_numbers() {
    let mut h = Harness::new();
    set_plain(&h.params, "comp_on", 1.0);
    set_plain(&h.params, "lim_on", 1.0);
    let (mut tx, mut rx) = telemetry::channel(());
    show(&mut h, &mut tx, &mut rx, frame(1));
    // Peak boxes: the input's highest true peak, the output's over.
    assert!(
        painted(&h, "-6.0") && painted(&h, "+0.4"),
        "{:?}",
        h.texts()
    );
    // Gain reduction now (top) and held (bottom), for both stages.
    let count = |t: &str| h.texts().iter().filter(|(x, _)| x == t).count();
    assert_eq!(count("2.5"), 2, "compressor GR now and held");
    assert_eq!(count("0.8"), 2, "limiter GR now and held");

    // Quieter frames after the over: the box keeps it.
    let mut quiet = frame(2);
    quiet.output.true_peak_db = [-3.0; 2];
    show(&mut h, &mut tx, &mut rx, quiet);
    assert!(painted(&h, "+0.4"), "the over stays latched");
    // A click on it clears it; the next frame starts it again from what it measures.
    h.click(h.text_rect("+0.4").center());
    assert!(!painted(&h, "+0.4"));
    let mut quiet = frame(3);
    quiet.output.true_peak_db = [-3.0; 2];
    show(&mut h, &mut tx, &mut rx, quiet);
    assert!(painted(&h, "-3.0"), "{:?}", h.texts());
}

#[test]
fn a_stage_that_does_not_run_says_why_instead_of_a_reading() {
    let mut h = Harness::new();
    let (mut tx, mut rx) = telemetry::channel(());
    // Both stages off: their meters say so, and show no number.
    show(&mut h, &mut tx, &mut rx, frame(1));
    let offs = h.texts().iter().filter(|(t, _)| t == "off").count();
    assert_eq!(offs, 2, "{:?}", h.texts());
    assert!(!painted(&h, "2.5"));
    // On, but the whole strip bypassed.
    set_plain(&h.params, "comp_on", 1.0);
    set_plain(&h.params, "lim_on", 1.0);
    set_plain(&h.params, "bypass", 1.0);
    show(&mut h, &mut tx, &mut rx, frame(2));
    let bypassed = h.texts().iter().filter(|(t, _)| t == "bypass").count();
    assert_eq!(bypassed, 2, "{:?}", h.texts());
    assert!(painted(&h, "BYPASSED: you hear the dry input"));
    assert!(painted(&h, "OUT (dry)"));
}

#[test]
fn an_external_sidechain_without_signal_warns_that_nothing_is_compressed() {
    let warning = "⚠ no signal on the sidechain input: nothing is compressed";
    let mut h = Harness::new();
    set_plain(&h.params, "comp_on", 1.0);
    set_plain(&h.params, "comp_sc_src", 1.0);
    let (mut tx, mut rx) = telemetry::channel(());
    let mut silent = frame(1);
    silent.compressor_level_db = f32::NEG_INFINITY;
    show(&mut h, &mut tx, &mut rx, silent);
    assert!(painted(&h, warning), "{:?}", h.texts());
    // A key with signal: no warning.
    show(&mut h, &mut tx, &mut rx, frame(2));
    assert!(!painted(&h, warning));
    // Internal: no warning whatever the level.
    set_plain(&h.params, "comp_sc_src", 0.0);
    let mut silent = frame(3);
    silent.compressor_level_db = f32::NEG_INFINITY;
    show(&mut h, &mut tx, &mut rx, silent);
    assert!(!painted(&h, warning));
}
