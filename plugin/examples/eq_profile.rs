//! Runs the benchmark's 8-band EQ for a few seconds of audio (for perf/callgrind).
use strata::dsp::eq::{BandSettings, Equalizer, MAX_BLOCK, Shape, Slope};
fn main() {
    let rate = 48_000.0;
    let mut eq = Equalizer::new(rate);
    let bands = [
        (Shape::LowCut, 30.0, 0.0, 0.7),
        (Shape::LowShelf, 120.0, 3.0, 0.7),
        (Shape::Bell, 300.0, -4.0, 1.2),
        (Shape::Bell, 800.0, 2.0, 2.0),
        (Shape::Bell, 2500.0, -3.0, 4.0),
        (Shape::Bell, 5000.0, 2.5, 1.0),
        (Shape::HighShelf, 10_000.0, 2.0, 0.7),
        (Shape::HighCut, 18_000.0, 0.0, 0.7),
    ];
    for (i, (shape, freq_hz, gain_db, q)) in bands.into_iter().enumerate() {
        eq.set_band(
            i,
            BandSettings {
                enabled: true,
                shape,
                freq_hz,
                gain_db,
                q,
                slope: Slope::Db12,
            },
        );
    }
    let secs: f64 = std::env::args()
        .nth(1)
        .map(|s| s.parse().unwrap())
        .unwrap_or(5.0);
    let input: Vec<[f64; 2]> = (0..MAX_BLOCK * 64)
        .map(|i| {
            let x = (i as f64 * 0.01).sin() * 0.3;
            [x, -x]
        })
        .collect();
    let mut buf = vec![[0.0f64; 2]; MAX_BLOCK];
    let t = std::time::Instant::now();
    for i in 0..(rate * secs) as usize / MAX_BLOCK {
        let k = (i % 64) * MAX_BLOCK;
        buf.copy_from_slice(&input[k..k + MAX_BLOCK]);
        eq.process_block(&mut buf);
    }
    println!("{:.0}x real time", secs / t.elapsed().as_secs_f64());
}
