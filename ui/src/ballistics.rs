//! Meter ballistics on the GUI side: the audio thread sends raw per-frame peaks; the display
//! rises at once, falls at a steady rate (like a digital PPM), and a peak-hold marker stays at
//! the highest value for a while before it falls too. Time comes from the caller (seconds), so
//! the behaviour is independent of the repaint rate and testable.

/// How a meter bar moves.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ballistics {
    /// Fall rate of the bar, dB per second.
    pub fall_db_per_s: f32,
    /// How long the peak marker stays before it falls.
    pub hold_s: f32,
    /// Fall rate of the peak marker once released.
    pub hold_fall_db_per_s: f32,
    /// Nothing falls below this.
    pub floor_db: f32,
}

impl Default for Ballistics {
    /// 20 dB in 1.5 s (a digital PPM's return time), a 1.5 s peak hold.
    fn default() -> Self {
        Ballistics {
            fall_db_per_s: 20.0 / 1.5,
            hold_s: 1.5,
            hold_fall_db_per_s: 20.0,
            floor_db: -90.0,
        }
    }
}

/// One meter bar's displayed state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeterState {
    /// The bar, dB.
    pub level_db: f32,
    /// The peak-hold marker, dB.
    pub hold_db: f32,
    /// When the marker was last raised, seconds.
    held_since_s: f64,
    last_s: Option<f64>,
}

impl MeterState {
    pub fn new(b: &Ballistics) -> MeterState {
        MeterState {
            level_db: b.floor_db,
            hold_db: b.floor_db,
            held_since_s: 0.0,
            last_s: None,
        }
    }

    /// Whether the bar or its marker is still above the floor (the display is still moving).
    pub fn is_moving(&self, b: &Ballistics) -> bool {
        self.level_db > b.floor_db || self.hold_db > b.floor_db
    }

    /// Move to time `now_s` with `input_db` the loudest reading since the last update (−∞ for
    /// silence or no reading).
    pub fn update(&mut self, b: &Ballistics, now_s: f64, input_db: f32) {
        let dt = self.last_s.map_or(0.0, |t| (now_s - t).max(0.0)) as f32;
        self.last_s = Some(now_s);
        let input = input_db.max(b.floor_db);
        self.level_db = input
            .max(self.level_db - b.fall_db_per_s * dt)
            .max(b.floor_db);
        if input >= self.hold_db {
            self.hold_db = input;
            self.held_since_s = now_s;
        } else if (now_s - self.held_since_s) as f32 > b.hold_s {
            // Fall only for the time past the hold.
            let past = ((now_s - self.held_since_s) as f32 - b.hold_s).min(dt);
            self.hold_db = (self.hold_db - b.hold_fall_db_per_s * past)
                .max(self.level_db)
                .max(b.floor_db);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rises_at_once_falls_steadily_and_holds_the_peak() {
        let b = Ballistics::default();
        let mut m = MeterState::new(&b);
        m.update(&b, 0.0, -6.0);
        assert_eq!((m.level_db, m.hold_db), (-6.0, -6.0));
        // One second of silence at 60 frames per second: the bar falls 13.3 dB, the marker holds.
        for k in 1..=60 {
            m.update(&b, k as f64 / 60.0, f32::NEG_INFINITY);
        }
        assert!(
            (m.level_db - (-6.0 - 20.0 / 1.5)).abs() < 1e-3,
            "{}",
            m.level_db
        );
        assert_eq!(m.hold_db, -6.0);
        // At 2.5 s the marker has fallen for one second: 20 dB.
        for k in 61..=150 {
            m.update(&b, k as f64 / 60.0, f32::NEG_INFINITY);
        }
        assert!((m.hold_db - (-26.0)).abs() < 1e-3, "{}", m.hold_db);
        // The repaint rate does not change the result.
        let mut slow = MeterState::new(&b);
        slow.update(&b, 0.0, -6.0);
        slow.update(&b, 1.0, f32::NEG_INFINITY);
        slow.update(&b, 2.5, f32::NEG_INFINITY);
        assert!(
            (slow.hold_db - m.hold_db).abs() < 1e-3 && (slow.level_db - m.level_db).abs() < 1e-3
        );
        // Nothing goes below the floor.
        m.update(&b, 100.0, f32::NEG_INFINITY);
        assert_eq!((m.level_db, m.hold_db), (b.floor_db, b.floor_db));
    }
}
