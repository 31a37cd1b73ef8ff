//! Band solo: the part of the spectrum one band acts on, heard alone. A bell, notch or band
//! pass is auditioned through a band-pass at its frequency and Q; a low shelf or low cut
//! through a low-pass at its corner (what it shapes lies below), a high shelf or high cut
//! through a high-pass; a tilt, broad around its pivot. Every region filter peaks at 0 dB, so
//! the audition is as loud as that part of the input is. A placed band's region is taken from,
//! and heard on, the component it acts on. Engaging and releasing fade over
//! `FADE_MS`, and the region glides when the band moves while soloed: no clicks.

use std::f64::consts::PI;

use super::band::BandDesign;
use super::{BandSettings, Domain, EqRates, Placement, Shape};
use crate::dsp::blocks::biquad::Biquad;
use crate::dsp::blocks::fade::Fade;
use crate::dsp::blocks::section::{Section, coefs};

/// Fade in and out (ms).
pub const FADE_MS: f64 = 10.0;
/// The Q of the corner filters and of a tilt's band.
const CORNER_Q: f64 = std::f64::consts::FRAC_1_SQRT_2;
const TILT_Q: f64 = 0.5;

#[derive(Debug, Clone)]
pub struct Solo {
    sample_rate: f64,
    region: Section,
    fade: Fade,
    /// The band the region was designed for.
    designed: Option<BandSettings>,
}

impl Solo {
    pub fn new(sample_rate: f64) -> Solo {
        Solo {
            sample_rate,
            region: Section::default(),
            fade: Fade::new(FADE_MS * sample_rate / 1000.0),
            designed: None,
        }
    }

    /// Audition `band` from the next block on (`None`: the full chain again), gliding to a new
    /// region over the block's `block_len` samples.
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn set(&mut self, band: Option<&BandSettings>, block_len: usize) {
        let Some(band) = band else {
            self.fade.set_target(false);
            return;
        };
        if self.designed != Some(*band) {
            let target = coefs(&region(band, self.sample_rate));
            if self.fade.is_silent() {
                // From silence: start clean, on the new region.
                self.region.set(target);
                self.region.reset();
            } else {
                self.region.glide_to(target, block_len as u32);
            }
            self.designed = Some(*band);
        }
        self.fade.set_target(true);
    }

    /// Whether the audition is heard (or fading).
    pub fn is_active(&self) -> bool {
        !self.fade.is_silent()
    }

    /// Blend the soloed region of `source` into `out` (source and out aligned, one block).
    ///
    /// Runs on the audio thread: must not allocate or block.
    pub fn process(&mut self, source: &[[f64; 2]], out: &mut [[f64; 2]]) {
        // A placed band's region is heard on its component only (the mid of a mid band, the
        // left of a left band); the other component is silent.
        let placement = self.designed.map_or(Placement::Stereo, |b| b.placement);
        let domain = placement.domain().unwrap_or_default();
        let keep = placement.lanes().map(|on| if on { 1.0 } else { 0.0 });
        let lr = Domain::LeftRight;
        for (o, s) in out.iter_mut().zip(source) {
            let y = self.region.tick(lr.convert(domain, *s));
            let y = domain.convert(lr, [keep[0] * y[0], keep[1] * y[1]]);
            let m = self.fade.advance(1);
            *o = [o[0] + m * (y[0] - o[0]), o[1] + m * (y[1] - o[1])];
        }
        if self.fade.is_silent() {
            self.region.reset();
        }
    }
}

/// The region filter of `band` at `sample_rate` (RBJ cookbook designs, 0 dB at their peak).
pub fn region(band: &BandSettings, sample_rate: f64) -> Biquad {
    let rates = EqRates {
        base_hz: sample_rate,
        design_hz: sample_rate,
    };
    let freq_hz = BandDesign::centre_hz(band, rates);
    let w0 = 2.0 * PI * freq_hz / sample_rate;
    let (sin, cos) = w0.sin_cos();
    let q = match band.shape {
        Shape::Bell | Shape::Notch | Shape::BandPass => band.q.max(0.1),
        Shape::Tilt => TILT_Q,
        Shape::LowShelf | Shape::HighShelf | Shape::LowCut | Shape::HighCut => CORNER_Q,
    };
    let alpha = sin / (2.0 * q);
    let b = match band.shape {
        Shape::LowShelf | Shape::LowCut => [(1.0 - cos) / 2.0, 1.0 - cos, (1.0 - cos) / 2.0],
        Shape::HighShelf | Shape::HighCut => [(1.0 + cos) / 2.0, -(1.0 + cos), (1.0 + cos) / 2.0],
        _ => [alpha, 0.0, -alpha],
    };
    let a0 = 1.0 + alpha;
    Biquad {
        b: b.map(|x| x / a0),
        a: [1.0, -2.0 * cos / a0, (1.0 - alpha) / a0],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsp::eq::Slope;

    const RATE: f64 = 48_000.0;

    fn band(shape: Shape, freq_hz: f64, q: f64) -> BandSettings {
        BandSettings {
            enabled: true,
            shape,
            freq_hz,
            gain_db: 6.0,
            q,
            slope: Slope::Db12,
            placement: Placement::Stereo,
        }
    }

    fn db(bq: &Biquad, freq_hz: f64) -> f64 {
        10.0 * bq.magnitude_sq(2.0 * PI * freq_hz / RATE).log10()
    }

    /// Each shape's region passes what the band acts on at 0 dB and keeps the rest out.
    #[test]
    fn each_region_passes_what_its_band_acts_on() {
        let bell = region(&band(Shape::Bell, 1000.0, 2.0), RATE);
        assert!(db(&bell, 1000.0).abs() < 1e-9, "{}", db(&bell, 1000.0));
        // A Q of 2: −3 dB at the band edges, far out well down.
        let edge = 1000.0 * ((1.0 + 1.0 / 16.0f64).sqrt() + 1.0 / 4.0);
        assert!((db(&bell, edge) + 3.01).abs() < 0.05, "{}", db(&bell, edge));
        assert!(db(&bell, 100.0) < -20.0 && db(&bell, 10_000.0) < -20.0);
        let low = region(&band(Shape::LowShelf, 200.0, 1.0), RATE);
        assert!(db(&low, 20.0).abs() < 0.01 && db(&low, 2000.0) < -35.0);
        let high = region(&band(Shape::HighCut, 8000.0, 1.0), RATE);
        assert!(db(&high, 20_000.0).abs() < 0.5 && db(&high, 800.0) < -35.0);
        for r in [bell, low, high] {
            assert!(r.is_stable());
        }
    }

    /// Engaged, a sine at the band's frequency comes out at its own level (within 0.05 dB) and
    /// one far off is gone; released, the chain's output is back, bit for bit; neither step
    /// jumps by more than the signal moves from one sample to the next.
    #[test]
    fn fades_in_level_matched_and_out_to_the_chain_without_a_step() {
        let mut solo = Solo::new(RATE);
        let bell = band(Shape::Bell, 1000.0, 1.0);
        let tone = |f: f64, n: usize| -> Vec<[f64; 2]> {
            (0..n)
                .map(|i| {
                    let x = 0.5 * (2.0 * PI * f * i as f64 / RATE).sin();
                    [x, x]
                })
                .collect()
        };
        let rms =
            |x: &[[f64; 2]]| (x.iter().map(|f| f[0] * f[0]).sum::<f64>() / x.len() as f64).sqrt();
        let mut max_step: f64 = 0.0;
        let mut last = 0.0;
        let mut run = |solo: &mut Solo, on: bool, source: &[[f64; 2]]| -> Vec<[f64; 2]> {
            // The "chain's output": silence, so what is heard is the audition alone.
            let mut out = vec![[0.0; 2]; source.len()];
            for (s, o) in source.chunks(64).zip(out.chunks_mut(64)) {
                solo.set(on.then_some(&bell), s.len());
                solo.process(s, o);
            }
            for o in &out {
                max_step = max_step.max((o[0] - last).abs());
                last = o[0];
            }
            out
        };
        let at_centre = run(&mut solo, true, &tone(1000.0, 48_000));
        let level_db = 20.0 * (rms(&at_centre[24_000..]) / (0.5 / 2f64.sqrt())).log10();
        println!("solo: 1 kHz through a 1 kHz bell's region {level_db:.4} dB");
        assert!(level_db.abs() < 0.05, "{level_db}");
        let off = run(&mut solo, true, &tone(100.0, 48_000));
        let off_db = 20.0 * (rms(&off[24_000..]) / (0.5 / 2f64.sqrt())).log10();
        assert!(off_db < -15.0, "{off_db}");
        let released = run(&mut solo, false, &tone(1000.0, 4800));
        // After the 10 ms fade (480 samples), only the chain's (silent) output.
        assert!(released[500..].iter().all(|f| *f == [0.0, 0.0]));
        assert!(!solo.is_active());
        // A 1 kHz sine at 0.5 moves at most 0.066 a sample; the fades add no step beyond that.
        println!("solo: largest sample-to-sample step {max_step:.4}");
        assert!(max_step < 0.07, "{max_step}");
    }
    /// A placed band's audition is its component's region, heard on that component: for a mid
    /// band an opposed (all-side) tone is silent and a correlated one comes out on both sides;
    /// for a left band the right channel is silent.
    #[test]
    fn a_placed_band_is_auditioned_on_its_component() {
        // (placement, input right = sign × left, expected level per channel in dB, None: silent)
        let cases = [
            (Placement::Mid, 1.0, [Some(0.0), Some(0.0)]),
            (Placement::Mid, -1.0, [None, None]),
            (Placement::Side, -1.0, [Some(0.0), Some(0.0)]),
            (Placement::Left, 1.0, [Some(0.0), None]),
            (Placement::Right, -1.0, [None, Some(0.0)]),
        ];
        for (placement, sign, expected) in cases {
            let mut solo = Solo::new(RATE);
            let bell = BandSettings {
                placement,
                ..band(Shape::Bell, 1000.0, 1.0)
            };
            let source: Vec<[f64; 2]> = (0..24_000)
                .map(|i| {
                    let x = 0.5 * (2.0 * PI * 1000.0 * i as f64 / RATE).sin();
                    [x, sign * x]
                })
                .collect();
            let mut out = vec![[0.0; 2]; source.len()];
            for (s, o) in source.chunks(64).zip(out.chunks_mut(64)) {
                solo.set(Some(&bell), s.len());
                solo.process(s, o);
            }
            for (ch, want) in expected.into_iter().enumerate() {
                let rms =
                    (out[12_000..].iter().map(|f| f[ch] * f[ch]).sum::<f64>() / 12_000.0).sqrt();
                let level_db = 20.0 * (rms / (0.5 / 2f64.sqrt())).log10();
                match want {
                    Some(db) => assert!((level_db - db).abs() < 0.05, "{placement:?}: {level_db}"),
                    None => assert!(level_db < -200.0, "{placement:?} ch {ch}: {level_db}"),
                }
            }
        }
    }
}
