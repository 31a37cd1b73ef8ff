//! The last seconds of the dynamics, for the editor's scrolling history: the strip's input and
//! output level and the compressor's and the limiter's gain reduction, one point per meter frame
//! the editor read. Fed from the telemetry the meters already use, on the GUI thread only: a
//! closed editor reads no frames and keeps no history, and the audio thread does nothing extra.

use std::collections::VecDeque;

use crate::dsp::meter::MeterFrame;

/// How much history is shown and kept, in seconds.
pub const WINDOW_S: f64 = 5.0;
/// More points than 5 s of frames at any pace the editor reads them (50 a second, or one per
/// repaint when it polls faster): the oldest leave first, so memory stays bounded.
const CAPACITY: usize = 2048;

/// One moment: levels in dBFS (the louder channel's sample peak since the last frame read),
/// reductions in dB ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HistoryPoint {
    pub time_s: f64,
    pub input_db: f32,
    pub output_db: f32,
    pub compressor_gr_db: f32,
    pub limiter_gr_db: f32,
}

impl HistoryPoint {
    pub fn from_frame(frame: &MeterFrame, time_s: f64) -> HistoryPoint {
        let loudest = |p: [f32; 2]| p[0].max(p[1]);
        HistoryPoint {
            time_s,
            input_db: loudest(frame.input.peak_db),
            output_db: loudest(frame.output.peak_db),
            compressor_gr_db: frame.compressor_gr_db,
            limiter_gr_db: frame.limiter_gr_db,
        }
    }
}

/// The points of the last `WINDOW_S` seconds (and the one just before, so a line reaches the
/// left edge), oldest first.
#[derive(Debug)]
pub struct DynamicsHistory {
    points: VecDeque<HistoryPoint>,
}

impl Default for DynamicsHistory {
    fn default() -> Self {
        DynamicsHistory {
            points: VecDeque::with_capacity(CAPACITY),
        }
    }
}

impl DynamicsHistory {
    /// Add the newest point; points that have scrolled out leave. A point older than the last
    /// one (the editor's clock started again) starts a new history.
    pub fn push(&mut self, point: HistoryPoint) {
        if self.points.back().is_some_and(|p| p.time_s > point.time_s) {
            self.points.clear();
        }
        if self.points.len() == CAPACITY {
            self.points.pop_front();
        }
        self.points.push_back(point);
        let start = point.time_s - WINDOW_S;
        // Keep one point before the window's start: the traces run to the edge.
        while self.points.len() > 2 && self.points[1].time_s <= start {
            self.points.pop_front();
        }
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// One field of every point as `(time, dB)` (for a plot trace); a reduction comes out
    /// negated, as the level it pulls the signal down to from 0 dB.
    pub fn trace(&self, field: Field) -> Vec<(f64, f32)> {
        self.points
            .iter()
            .map(|p| {
                let db = match field {
                    Field::Input => p.input_db,
                    Field::Output => p.output_db,
                    Field::CompressorGr => -p.compressor_gr_db,
                    Field::LimiterGr => -p.limiter_gr_db,
                };
                (p.time_s, db)
            })
            .collect()
    }
}

/// What a trace shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Input,
    Output,
    CompressorGr,
    LimiterGr,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(time_s: f64, gr: f32) -> HistoryPoint {
        HistoryPoint {
            time_s,
            input_db: -12.0,
            output_db: -14.0,
            compressor_gr_db: gr,
            limiter_gr_db: 0.5 * gr,
        }
    }

    #[test]
    fn keeps_five_seconds_plus_the_point_before_them() {
        let mut h = DynamicsHistory::default();
        // 64 frames a second (exact in binary) for 12 s.
        for k in 0..768 {
            h.push(point(k as f64 / 64.0, k as f32));
        }
        let trace = h.trace(Field::CompressorGr);
        let newest = 767.0 / 64.0;
        assert_eq!(trace.last(), Some(&(newest, -767.0)));
        // 320 points inside the window, and the one exactly at its start.
        assert_eq!(h.len(), 321);
        assert_eq!(trace[0], (newest - WINDOW_S, -447.0));
        assert_eq!(h.trace(Field::LimiterGr)[0].1, -223.5);
        assert_eq!(h.trace(Field::Input)[0].1, -12.0);
    }

    #[test]
    fn stays_bounded_at_any_pace_and_restarts_when_the_clock_does() {
        let mut h = DynamicsHistory::default();
        // A frame every 0.1 ms: far more than 5 s of them fit in memory.
        for k in 0..100_000 {
            h.push(point(k as f64 * 1e-4, 1.0));
        }
        assert_eq!(h.len(), CAPACITY);
        h.push(point(0.5, 3.0));
        assert_eq!(h.trace(Field::CompressorGr), vec![(0.5, -3.0)]);
    }

    #[test]
    fn reads_the_louder_channel_of_a_frame() {
        let mut frame = MeterFrame::default();
        frame.input.peak_db = [-20.0, -6.0];
        frame.output.peak_db = [-3.0, -9.0];
        frame.compressor_gr_db = 4.0;
        frame.limiter_gr_db = 1.5;
        let p = HistoryPoint::from_frame(&frame, 2.0);
        assert_eq!(
            (p.input_db, p.output_db, p.compressor_gr_db, p.limiter_gr_db),
            (-6.0, -3.0, 4.0, 1.5)
        );
    }
}
