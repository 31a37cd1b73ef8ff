//! What the benches share.

use strata::dsp::eq::{BANDS, BandSettings, Placement, Shape, Slope};

/// A realistic mix of eight bands across the spectrum: low cut, low shelf, four bells, high
/// shelf, high cut.
pub fn eight_bands() -> [BandSettings; BANDS] {
    let shapes = [
        (Shape::LowCut, 30.0, 0.0, 0.7),
        (Shape::LowShelf, 120.0, 3.0, 0.7),
        (Shape::Bell, 300.0, -4.0, 1.2),
        (Shape::Bell, 800.0, 2.0, 2.0),
        (Shape::Bell, 2500.0, -3.0, 4.0),
        (Shape::Bell, 5000.0, 2.5, 1.0),
        (Shape::HighShelf, 10_000.0, 2.0, 0.7),
        (Shape::HighCut, 18_000.0, 0.0, 0.7),
    ];
    shapes.map(|(shape, freq_hz, gain_db, q)| BandSettings {
        enabled: true,
        shape,
        freq_hz,
        gain_db,
        q,
        slope: Slope::Db12,
        placement: Placement::Stereo,
    })
}
