//! Measuring the EQ: impulse responses of an `Equalizer` and a band's worst deviation from its
//! analog prototype. Shared by the EQ tests, the editor's curve test and `eq_report`.

use strata::dsp::eq::{
    AnalogBand, BandDesign, BandSettings, Domain, EqRates, Equalizer, MAX_FRAMES, Placement,
};
use strata_test_support::response::{dtft_db, log_frequencies};

/// Let fades and glides settle (`settle` samples of silence), then return the left channel's
/// response to a unit impulse: at most `max_len` samples, cut short once the tail has decayed
/// below 1e-14 of the peak for 8192 samples. The right channel gets the same impulse and must
/// answer identically.
pub fn eq_impulse_response(eq: &mut Equalizer, settle: usize, max_len: usize) -> Vec<f64> {
    let ir = impulse_response_of(eq, settle, max_len, [1.0, 1.0]);
    ir.iter()
        .map(|frame| {
            assert_eq!(frame[0].to_bits(), frame[1].to_bits(), "channels differ");
            frame[0]
        })
        .collect()
}

/// As `eq_impulse_response`, for a band placed on one component: the impulse enters on that
/// component only (mid: L = R; side: L = −R; left; right), and the response is that
/// component's, read back out of the stereo output. The other component must stay silent.
pub fn placed_impulse_response(
    eq: &mut Equalizer,
    placement: Placement,
    settle: usize,
    max_len: usize,
) -> Vec<f64> {
    let Some(domain) = placement.domain() else {
        return eq_impulse_response(eq, settle, max_len);
    };
    let lane = usize::from(placement.lanes()[1]);
    let mut unit = [0.0; 2];
    unit[lane] = 1.0;
    let impulse = domain.convert(Domain::LeftRight, unit);
    impulse_response_of(eq, settle, max_len, impulse)
        .iter()
        .map(|frame| {
            let component = Domain::LeftRight.convert(domain, *frame);
            assert!(component[1 - lane].abs() < 1e-15, "leaked: {component:?}");
            component[lane]
        })
        .collect()
}

/// Both channels' response to `impulse` (see `eq_impulse_response`; the decay is judged on the
/// louder channel).
fn impulse_response_of(
    eq: &mut Equalizer,
    settle: usize,
    max_len: usize,
    impulse: [f64; 2],
) -> Vec<[f64; 2]> {
    let mut silence = [[0.0; 2]; MAX_FRAMES];
    let mut done = 0;
    while done < settle {
        let n = MAX_FRAMES.min(settle - done);
        silence[..n].fill([0.0; 2]);
        eq.process_block(&mut silence[..n]);
        done += n;
    }
    eq.reset();
    let mut ir = Vec::with_capacity(max_len);
    let mut block = [[0.0; 2]; MAX_FRAMES];
    let (mut peak, mut quiet) = (0.0f64, 0usize);
    while ir.len() < max_len && (ir.len() < 8192 || quiet < 8192) {
        let n = MAX_FRAMES.min(max_len - ir.len());
        block[..n].fill([0.0; 2]);
        if ir.is_empty() {
            block[0] = impulse;
        }
        eq.process_block(&mut block[..n]);
        for frame in &block[..n] {
            let level = frame[0].abs().max(frame[1].abs());
            peak = peak.max(level);
            quiet = if level < 1e-14 * peak { quiet + 1 } else { 0 };
            ir.push(*frame);
        }
    }
    ir
}

/// Worst deviation of a measured band from its analog prototype.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandError {
    /// Measured minus analog, at the worst point, in dB.
    pub error_db: f64,
    pub at_hz: f64,
    /// How many frequencies were compared.
    pub points: usize,
}

/// Run `settings` as band 1 of a fresh EQ at `sample_rate`, measure its impulse response (on
/// the component its placement acts on) and
/// compare it with the analog prototype at 48 log-spaced frequencies from 10 Hz to 20 kHz
/// (capped at 0.45 × the rate) plus eight around the band centre. Points where the prototype
/// is below `floor_db` (deep in a notch or a cut's stopband) are skipped.
pub fn band_error(settings: &BandSettings, sample_rate: f64, floor_db: f64) -> BandError {
    let mut eq = Equalizer::new(sample_rate);
    eq.set_band(0, *settings);
    // High-Q low-frequency bands ring for tens of seconds: allow long responses (the decay
    // check ends ordinary ones after a fraction of a second).
    let ir = placed_impulse_response(&mut eq, settings.placement, 8192, 1 << 23);
    let analog = AnalogBand::new(settings.shape, settings.gain_db, settings.q, settings.slope);
    // Compare with the prototype at the centre the design really uses (clamped below Nyquist).
    let centre_hz = BandDesign::centre_hz(settings, EqRates::for_sample_rate(sample_rate));
    let top = 20_000f64.min(0.45 * sample_rate);
    let mut freqs = log_frequencies(10.0, top, 48);
    let octaves = 1.0 / (4.0 * settings.q.max(0.5));
    for k in 1..=4 {
        for sign in [-1.0, 1.0] {
            let f = centre_hz * 2f64.powf(sign * k as f64 * octaves);
            if (10.0..=top).contains(&f) {
                freqs.push(f);
            }
        }
    }
    let mut worst = BandError {
        error_db: 0.0,
        at_hz: 0.0,
        points: 0,
    };
    for f in freqs {
        let expected = analog.magnitude_db(f, centre_hz);
        if expected < floor_db {
            continue;
        }
        let error = dtft_db(&ir, f, sample_rate) - expected;
        worst.points += 1;
        if error.is_nan() || error.abs() > worst.error_db.abs() {
            worst.error_db = error;
            worst.at_hz = f;
        }
    }
    worst
}
