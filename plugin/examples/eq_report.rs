//! Worst measured deviation from the analog prototype, per shape and sample rate: inside the
//! spec (centres ≤ 16 kHz, Q 0.1–4) and over the whole parameter range (centres to 22 kHz,
//! Q to 18). Run with `cargo run --release -p strata --example eq_report`.

use strata::dsp::eq::{BandSettings, Shape, Slope};

// The EQ tests' measurement, shared rather than copied.
#[path = "../tests/common/eq.rs"]
mod eq_measure;
use eq_measure::band_error;

fn log_steps(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| lo * (hi / lo).powf(i as f64 / (n - 1) as f64))
        .collect()
}

fn main() {
    let rates = [44_100.0, 48_000.0, 96_000.0, 192_000.0];
    println!(
        "{:<10} {:>7} {:>22} {:>34}",
        "shape", "rate", "spec range worst (dB)", "full range worst (dB) @ f0/Q/gain"
    );
    for shape in Shape::ALL {
        for rate in rates {
            let (mut spec, mut full) = (0.0f64, (0.0f64, 0.0, 0.0, 0.0));
            let gains: &[f64] = if shape.uses_gain() {
                &[-24.0, -12.0, -3.0, 3.0, 12.0, 24.0]
            } else {
                &[0.0]
            };
            let qs = if shape.uses_q() {
                log_steps(0.1, 18.0, 9)
            } else {
                vec![0.707]
            };
            let slopes: &[Slope] = if shape.uses_slope() {
                &Slope::ALL
            } else {
                &[Slope::Db12]
            };
            // Cuts are compared down to −30 dB, notch/band-pass too (a null has no dB error).
            let floor = if matches!(
                shape,
                Shape::Notch | Shape::BandPass | Shape::LowCut | Shape::HighCut
            ) {
                -30.0
            } else {
                f64::NEG_INFINITY
            };
            for f0 in log_steps(20.0, 22_000.0, 12) {
                for &q in &qs {
                    for &gain_db in gains {
                        for &slope in slopes {
                            let s = BandSettings {
                                enabled: true,
                                shape,
                                freq_hz: f0,
                                gain_db,
                                q,
                                slope,
                                ..BandSettings::default()
                            };
                            let e = band_error(&s, rate, floor).error_db.abs();
                            if f0 <= 16_000.0 && q <= 4.0 {
                                spec = spec.max(e);
                            }
                            if e > full.0 {
                                full = (e, f0, q, gain_db);
                            }
                        }
                    }
                }
            }
            println!(
                "{:<10} {:>7} {:>22.4} {:>14.4} @ {:.0} Hz / {:.2} / {:+} dB",
                format!("{shape:?}"),
                rate,
                spec,
                full.0,
                full.1,
                full.2,
                full.3
            );
        }
    }
}
