//! The EQ's measured magnitude (impulse response → exact DTFT) against the analog prototypes,
//! at 44.1, 48 and 96 kHz. Spec: within 0.1 dB up to 20 kHz for bell/shelf/notch/band-pass
//! centres up to 16 kHz and Q from 0.1 to 4.

// Each test binary uses part of the shared helpers.
#[allow(dead_code)]
mod common;

use common::eq::{BandError, band_error, eq_impulse_response};
use strata::dsp::eq::{BandSettings, Equalizer, Placement, Shape, Slope};
use strata_test_support::response::dtft_db;

const RATES: [f64; 3] = [44_100.0, 48_000.0, 96_000.0];
const CENTRES: [f64; 10] = [
    20.0, 45.0, 100.0, 250.0, 600.0, 1500.0, 4000.0, 8000.0, 12_000.0, 16_000.0,
];
const QS: [f64; 5] = [0.1, 0.3, 0.7, 1.5, 4.0];
const GAINS: [f64; 4] = [-24.0, -6.0, 6.0, 24.0];
const TOLERANCE_DB: f64 = 0.1;

fn settings(shape: Shape, freq_hz: f64, gain_db: f64, q: f64, slope: Slope) -> BandSettings {
    BandSettings {
        enabled: true,
        shape,
        freq_hz,
        gain_db,
        q,
        slope,
        placement: Placement::Stereo,
    }
}

/// Check every configuration of `shape` at every rate; print the worst per rate.
fn check_shape(shape: Shape, gains: &[f64], qs: &[f64], floor_db: f64) {
    for rate in RATES {
        let mut worst: Option<(BandError, BandSettings)> = None;
        for &f0 in &CENTRES {
            for &q in qs {
                for &gain in gains {
                    let s = settings(shape, f0, gain, q, Slope::Db12);
                    let e = band_error(&s, rate, floor_db);
                    // Narrow band-passes have few points above the floor; the rest ≥ 30.
                    let min_points = if floor_db.is_finite() { 8 } else { 30 };
                    assert!(e.points >= min_points, "only {} points for {s:?}", e.points);
                    if worst.is_none_or(|(w, _)| e.error_db.abs() > w.error_db.abs()) {
                        worst = Some((e, s));
                    }
                }
            }
        }
        let (e, s) = worst.unwrap();
        println!(
            "{shape:?} @ {rate} Hz: worst {:+.4} dB at {:.0} Hz (f0 {} Hz, gain {} dB, Q {})",
            e.error_db, e.at_hz, s.freq_hz, s.gain_db, s.q
        );
        assert!(
            e.error_db.abs() < TOLERANCE_DB,
            "{shape:?} @ {rate}: {e:?} for {s:?}"
        );
    }
}

#[test]
fn bell_matches_analog() {
    check_shape(Shape::Bell, &GAINS, &QS, f64::NEG_INFINITY);
}

#[test]
fn low_shelf_matches_analog() {
    check_shape(Shape::LowShelf, &GAINS, &QS, f64::NEG_INFINITY);
}

#[test]
fn high_shelf_matches_analog() {
    check_shape(Shape::HighShelf, &GAINS, &QS, f64::NEG_INFINITY);
}

#[test]
fn tilt_matches_analog() {
    check_shape(Shape::Tilt, &GAINS, &[0.7], f64::NEG_INFINITY);
}

/// Notch and band-pass are compared where the prototype is above −30 dB (the dB error inside
/// a null is meaningless); the notch depth is checked separately.
#[test]
fn notch_matches_analog() {
    check_shape(Shape::Notch, &[0.0], &QS, -30.0);
}

#[test]
fn band_pass_matches_analog() {
    check_shape(Shape::BandPass, &[0.0], &QS, -30.0);
}

/// A placed band keeps its prototype's shape on the component it acts on (the other component
/// passing untouched is checked while measuring): every shape, at every rate, at the ends and
/// the middle of the range.
#[test]
fn every_placement_matches_analog() {
    for placement in [
        Placement::Mid,
        Placement::Side,
        Placement::Left,
        Placement::Right,
    ] {
        for rate in RATES {
            let mut worst = 0.0f64;
            for shape in Shape::ALL {
                let (gain, floor_db) = if shape.uses_gain() {
                    (-9.0, f64::NEG_INFINITY)
                } else {
                    (0.0, -30.0)
                };
                for f0 in [45.0, 1500.0, 16_000.0] {
                    let s = BandSettings {
                        placement,
                        ..settings(shape, f0, gain, 1.5, Slope::Db24)
                    };
                    let e = band_error(&s, rate, floor_db);
                    assert!(e.error_db.abs() < TOLERANCE_DB, "{s:?} @ {rate}: {e:?}");
                    worst = worst.max(e.error_db.abs());
                }
            }
            println!("{placement:?} @ {rate} Hz: worst {worst:.4} dB over every shape");
        }
    }
}

#[test]
fn notch_is_deep_at_its_centre() {
    for rate in RATES {
        for f0 in [50.0, 1000.0, 12_000.0] {
            let mut eq = Equalizer::new(rate);
            eq.set_band(0, settings(Shape::Notch, f0, 0.0, 2.0, Slope::Db12));
            let ir = eq_impulse_response(&mut eq, 8192, 1 << 19);
            let depth = dtft_db(&ir, f0, rate);
            assert!(depth < -60.0, "notch at {f0} Hz @ {rate}: only {depth} dB");
        }
    }
}

/// Cuts: Butterworth passband/transition within 0.1 dB down to −30 dB, and the stopband slope
/// within 0.5 dB/oct of 6 dB/oct per order.
#[test]
fn cuts_match_analog_and_have_their_slope() {
    for rate in RATES {
        for slope in Slope::ALL {
            for shape in [Shape::LowCut, Shape::HighCut] {
                for f0 in [30.0, 200.0, 1000.0, 5000.0] {
                    let s = settings(shape, f0, 0.0, 0.7, slope);
                    let e = band_error(&s, rate, -30.0);
                    assert!(e.error_db.abs() < TOLERANCE_DB, "{s:?} @ {rate}: {e:?}");
                }
                // Slope, measured two and three octaves into the stopband of a 1 kHz cut.
                let mut eq = Equalizer::new(rate);
                eq.set_band(0, settings(shape, 1000.0, 0.0, 0.7, slope));
                let ir = eq_impulse_response(&mut eq, 8192, 1 << 19);
                let (near, far) = if shape == Shape::LowCut {
                    (250.0, 125.0)
                } else {
                    (4000.0, 8000.0)
                };
                let per_octave = dtft_db(&ir, near, rate) - dtft_db(&ir, far, rate);
                let expected = slope.db_per_octave();
                assert!(
                    (per_octave - expected).abs() < 0.5,
                    "{shape:?} {slope:?} @ {rate}: {per_octave:.2} dB/oct"
                );
            }
        }
    }
}

/// The EQ works from 22.05 kHz to 384 kHz: a bell and a low cut measure as designed (up to
/// 0.45 × the rate at the low end, where 20 kHz is out of reach).
#[test]
fn works_at_every_sample_rate_from_22k_to_384k() {
    for rate in [22_050.0, 32_000.0, 88_200.0, 176_400.0, 384_000.0] {
        for s in [
            settings(Shape::Bell, 1000.0, 6.0, 1.0, Slope::Db12),
            settings(Shape::Bell, 60.0, -9.0, 2.0, Slope::Db12),
            settings(Shape::LowCut, 80.0, 0.0, 0.7, Slope::Db24),
            settings(Shape::HighShelf, 8000.0, 4.0, 0.7, Slope::Db12),
        ] {
            let e = band_error(&s, rate, -30.0);
            println!(
                "{rate} Hz {:?} {} Hz: {:+.4} dB at {:.0} Hz",
                s.shape, s.freq_hz, e.error_db, e.at_hz
            );
            assert!(e.error_db.abs() < TOLERANCE_DB, "{s:?} @ {rate}: {e:?}");
        }
    }
}

/// Outside the spec's range the README names one exception: very resonant shelves right at the
/// top of the range (Q 18 at 22 kHz) miss their analog shape by up to 1.6 dB (`eq_report`
/// measured 1.578 dB at 48 kHz). Held to that, so it cannot quietly grow.
#[test]
fn resonant_shelves_at_22k_stay_within_the_documented_error() {
    let mut worst: f64 = 0.0;
    for shape in [Shape::LowShelf, Shape::HighShelf] {
        for gain in [-24.0, 24.0] {
            let s = settings(shape, 22_000.0, gain, 18.0, Slope::Db12);
            let e = band_error(&s, 48_000.0, f64::NEG_INFINITY);
            println!(
                "{shape:?} {gain:+} dB, Q 18, 22 kHz @ 48 kHz: {:+.4} dB at {:.0} Hz",
                e.error_db, e.at_hz
            );
            worst = worst.max(e.error_db.abs());
        }
    }
    assert!(worst < 1.7, "{worst} dB");
}
