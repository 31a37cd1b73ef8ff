//! Value ↔ pixel mappings for the displays: a log frequency axis and a linear dB axis.

/// A logarithmic frequency axis from `min_hz` to `max_hz` over `[left, right]` pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FreqAxis {
    pub min_hz: f32,
    pub max_hz: f32,
    pub left: f32,
    pub right: f32,
}

impl FreqAxis {
    pub fn new(min_hz: f32, max_hz: f32, left: f32, right: f32) -> FreqAxis {
        FreqAxis {
            min_hz,
            max_hz,
            left,
            right,
        }
    }

    pub fn x(&self, hz: f32) -> f32 {
        let t = (hz / self.min_hz).ln() / (self.max_hz / self.min_hz).ln();
        self.left + t * (self.right - self.left)
    }

    pub fn hz(&self, x: f32) -> f32 {
        let t = (x - self.left) / (self.right - self.left);
        self.min_hz * (self.max_hz / self.min_hz).powf(t)
    }

    /// Grid frequencies: 1-2-5 steps per decade inside the axis.
    pub fn grid(&self) -> impl Iterator<Item = f32> + '_ {
        (0..6)
            .flat_map(|d| [1.0, 2.0, 5.0].map(|m| m * 10f32.powi(d)))
            .filter(|f| *f >= self.min_hz && *f <= self.max_hz)
    }
}

/// A linear dB axis: `top_db` at pixel `top`, `bottom_db` at pixel `bottom`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DbAxis {
    pub top_db: f32,
    pub bottom_db: f32,
    pub top: f32,
    pub bottom: f32,
}

impl DbAxis {
    pub fn y(&self, db: f32) -> f32 {
        let t = (db - self.top_db) / (self.bottom_db - self.top_db);
        self.top + t * (self.bottom - self.top)
    }

    pub fn db(&self, y: f32) -> f32 {
        let t = (y - self.top) / (self.bottom - self.top);
        self.top_db + t * (self.bottom_db - self.top_db)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequency_axis_is_logarithmic_and_invertible() {
        let axis = FreqAxis::new(20.0, 20_000.0, 0.0, 300.0);
        assert!((axis.x(20.0) - 0.0).abs() < 1e-4);
        assert!((axis.x(20_000.0) - 300.0).abs() < 1e-3);
        // Three decades in 300 px: one decade per 100 px.
        assert!((axis.x(200.0) - 100.0).abs() < 1e-3);
        for x in [0.0, 17.5, 150.0, 299.0] {
            assert!((axis.x(axis.hz(x)) - x).abs() < 1e-3);
        }
        let grid: Vec<f32> = axis.grid().collect();
        assert_eq!(grid.first(), Some(&20.0));
        assert_eq!(grid.last(), Some(&20_000.0));
    }

    #[test]
    fn db_axis_maps_both_ways() {
        let axis = DbAxis {
            top_db: 24.0,
            bottom_db: -24.0,
            top: 10.0,
            bottom: 110.0,
        };
        assert_eq!(axis.y(0.0), 60.0);
        assert_eq!(axis.y(24.0), 10.0);
        assert!((axis.db(85.0) + 12.0).abs() < 1e-5);
    }
}
