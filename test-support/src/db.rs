//! Decibels, named for which way they go.

/// An amplitude ratio in dB (`20 log10`).
pub fn ratio_to_db(ratio: f64) -> f64 {
    20.0 * ratio.log10()
}

/// A dB figure as an amplitude ratio.
pub fn db_to_ratio(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// A power ratio (a mean square) in dB (`10 log10`).
pub fn power_to_db(power: f64) -> f64 {
    10.0 * power.log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_invert_each_other() {
        for db in [-120.0, -6.0, 0.0, 3.0, 24.0] {
            assert!((ratio_to_db(db_to_ratio(db)) - db).abs() < 1e-9);
            assert!((power_to_db(db_to_ratio(db).powi(2)) - db).abs() < 1e-9);
        }
        assert!((ratio_to_db(2.0) - 6.0206).abs() < 1e-4);
    }
}
