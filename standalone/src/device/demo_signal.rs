//! The virtual input for machines without a sound card (and for screenshots): programme-like
//! stereo material — pink-ish noise, a bass line and a lead tone under a moving envelope —
//! around −18 dBFS RMS, so every meter and the analyzer have something to show.

use std::f32::consts::TAU;

pub struct TestSignal {
    sample_rate: f32,
    n: u64,
    rng: fastrand::Rng,
    /// Pink-ish noise: three one-pole low-passes of white noise, summed (per channel).
    pink: [[f32; 3]; 2],
}

impl TestSignal {
    pub fn new(sample_rate: f32) -> TestSignal {
        TestSignal {
            sample_rate,
            n: 0,
            rng: fastrand::Rng::with_seed(0x9e37_79b9_7f4a_7c15),
            pink: [[0.0; 3]; 2],
        }
    }

    fn white(&mut self) -> f32 {
        self.rng.f32() * 2.0 - 1.0
    }

    /// Fill the channels (one or two) with the next samples.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn fill(&mut self, channels: &mut [&mut [f32]]) {
        let len = channels.first().map_or(0, |c| c.len());
        let rate = self.sample_rate;
        for i in 0..len {
            let t = self.n as f32 / rate;
            // Bars of two seconds: the bass walks, the lead answers, the level breathes.
            let bar = (t / 2.0) as u32 % 4;
            let bass_hz = [55.0, 73.4, 65.4, 49.0][bar as usize];
            let bass = (TAU * bass_hz * t).sin() + 0.3 * (TAU * 2.0 * bass_hz * t).sin();
            let lead = (TAU * 880.0 * t).sin() * (0.5 + 0.5 * (TAU * 0.25 * t).sin()).powi(2);
            let envelope = 0.55 + 0.45 * (TAU * 0.13 * t).sin().abs();
            let beat = (-(t * 2.0).fract() * 8.0).exp();
            for ch in 0..channels.len().min(2) {
                let w = self.white();
                let p = &mut self.pink[ch];
                p[0] += 0.2 * (w - p[0]);
                p[1] += 0.02 * (w - p[1]);
                p[2] += 0.002 * (w - p[2]);
                let noise = 0.15 * w + 0.6 * p[0] + 1.5 * p[1] + 3.0 * p[2];
                let pan = if ch == 0 { 1.0 } else { 0.8 };
                channels[ch][i] =
                    envelope * (0.12 * noise * (0.4 + beat) + 0.18 * bass + 0.08 * pan * lead);
            }
            self.n += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sits_around_minus_18_dbfs_rms_without_clipping() {
        let rate = 48_000.0;
        let mut s = TestSignal::new(rate);
        let (mut l, mut r) = (vec![0.0; 48_000 * 8], vec![0.0; 48_000 * 8]);
        s.fill(&mut [&mut l[..], &mut r[..]]);
        let rms = (l.iter().map(|x| x * x).sum::<f32>() / l.len() as f32).sqrt();
        let peak = l.iter().chain(&r).fold(0.0f32, |m, x| m.max(x.abs()));
        let rms_db = 20.0 * rms.log10();
        assert!((-26.0..-12.0).contains(&rms_db), "{rms_db} dBFS RMS");
        assert!(peak < 1.0, "peak {peak}");
        assert!(l != r, "the channels differ");
    }
}
