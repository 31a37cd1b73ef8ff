//! Level meters: vertical bars with peak hold, an RMS mark and a dB scale; and a gain-reduction
//! bar that grows downwards from 0 dB. They draw what they are given (see `ballistics.rs` for
//! the motion).

use egui::{Align2, Color32, FontId, Pos2, Rect, Response, Sense, Stroke, Ui, Vec2};

use crate::scale::DbAxis;
use crate::theme;

/// What one bar shows, in dB.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    pub level_db: f32,
    pub hold_db: f32,
    /// RMS, drawn as a short mark, if any.
    pub rms_db: Option<f32>,
}

/// The meter's range.
pub const TOP_DB: f32 = 6.0;
pub const BOTTOM_DB: f32 = -60.0;

/// Colour of a level: green, yellow above −18 dBFS, red above −3 dBFS.
pub fn level_colour(db: f32) -> Color32 {
    if db > -3.0 {
        theme::CLIP
    } else if db > -18.0 {
        theme::WARN
    } else {
        theme::METER_LOW
    }
}

/// Scale marks for a meter.
const MARKS: [f32; 8] = [6.0, 0.0, -6.0, -12.0, -18.0, -24.0, -36.0, -48.0];

/// Draw `bars` side by side in `size`, with a scale on the left; returns the response (click to
/// reset the holds is up to the caller).
pub fn level_meter(ui: &mut Ui, size: Vec2, label: &str, bars: &[Bar]) -> Response {
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let painter = ui.painter_at(rect);
    let scale_width = 22.0;
    let label_height = 20.0;
    let area = Rect::from_min_max(
        Pos2::new(rect.left() + scale_width, rect.top() + label_height),
        rect.max,
    );
    let axis = DbAxis {
        top_db: TOP_DB,
        bottom_db: BOTTOM_DB,
        top: area.top(),
        bottom: area.bottom(),
    };
    painter.text(
        Pos2::new(area.center().x, rect.top()),
        Align2::CENTER_TOP,
        label,
        FontId::proportional(11.0),
        theme::TEXT_DIM,
    );
    for db in MARKS {
        let y = axis.y(db);
        painter.text(
            Pos2::new(rect.left() + scale_width - 3.0, y),
            Align2::RIGHT_CENTER,
            format!("{db:.0}"),
            FontId::monospace(9.0),
            theme::TEXT_DIM,
        );
        painter.line_segment(
            [Pos2::new(area.left(), y), Pos2::new(area.right(), y)],
            Stroke::new(1.0, theme::GRID),
        );
    }
    let gap = 2.0;
    let width = (area.width() - gap * (bars.len() as f32 - 1.0)) / bars.len().max(1) as f32;
    for (k, bar) in bars.iter().enumerate() {
        let left = area.left() + k as f32 * (width + gap);
        let column = Rect::from_min_max(
            Pos2::new(left, area.top()),
            Pos2::new(left + width, area.bottom()),
        );
        painter.rect_filled(column, 1.0, theme::PANEL_RAISED.gamma_multiply(0.6));
        let level = bar.level_db.clamp(BOTTOM_DB, TOP_DB);
        if bar.level_db > BOTTOM_DB {
            // Segments in their zone colours.
            for (from, to) in [(BOTTOM_DB, -18.0), (-18.0, -3.0), (-3.0, TOP_DB)] {
                if level > from {
                    let top = axis.y(level.min(to));
                    let bottom = axis.y(from);
                    painter.rect_filled(
                        Rect::from_min_max(Pos2::new(left, top), Pos2::new(left + width, bottom)),
                        0.0,
                        level_colour(to - 0.01),
                    );
                }
            }
        }
        if bar.hold_db > BOTTOM_DB {
            let y = axis.y(bar.hold_db.min(TOP_DB));
            painter.line_segment(
                [Pos2::new(left, y), Pos2::new(left + width, y)],
                Stroke::new(2.0, level_colour(bar.hold_db)),
            );
        }
        if let Some(rms) = bar.rms_db.filter(|r| *r > BOTTOM_DB) {
            let y = axis.y(rms.min(TOP_DB));
            painter.line_segment(
                [
                    Pos2::new(left + width * 0.2, y),
                    Pos2::new(left + width * 0.8, y),
                ],
                Stroke::new(2.0, theme::TEXT),
            );
        }
    }
    response
}

/// Range of the gain-reduction meter.
pub const GR_RANGE_DB: f32 = 24.0;

/// A gain-reduction bar: `reduction_db` (≥ 0) grows down from the top; `hold_db` marks the
/// recent maximum.
pub fn gain_reduction_meter(
    ui: &mut Ui,
    size: Vec2,
    label: &str,
    reduction_db: f32,
    hold_db: f32,
) -> Response {
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    let label_height = 20.0;
    painter.text(
        Pos2::new(rect.center().x, rect.top()),
        Align2::CENTER_TOP,
        label,
        FontId::proportional(11.0),
        theme::TEXT_DIM,
    );
    let area = Rect::from_min_max(
        Pos2::new(rect.left() + 18.0, rect.top() + label_height),
        rect.max - Vec2::new(0.0, 6.0),
    );
    let axis = DbAxis {
        top_db: 0.0,
        bottom_db: -GR_RANGE_DB,
        top: area.top(),
        bottom: area.bottom(),
    };
    painter.rect_filled(area, 1.0, theme::PANEL_RAISED.gamma_multiply(0.6));
    for db in [0.0, -3.0, -6.0, -12.0, -18.0, -24.0] {
        let y = axis.y(db);
        painter.text(
            Pos2::new(area.left() - 3.0, y),
            Align2::RIGHT_CENTER,
            format!("{:.0}", db.abs()),
            FontId::monospace(9.0),
            theme::TEXT_DIM,
        );
    }
    let r = reduction_db.clamp(0.0, GR_RANGE_DB);
    if r > 0.0 {
        painter.rect_filled(
            Rect::from_min_max(area.min, Pos2::new(area.right(), axis.y(-r))),
            0.0,
            theme::GAIN_REDUCTION,
        );
    }
    if hold_db > 0.05 {
        let y = axis.y(-hold_db.min(GR_RANGE_DB));
        painter.line_segment(
            [Pos2::new(area.left(), y), Pos2::new(area.right(), y)],
            Stroke::new(2.0, theme::TEXT),
        );
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_colours() {
        assert_eq!(level_colour(-40.0), theme::METER_LOW);
        assert_eq!(level_colour(-10.0), theme::WARN);
        assert_eq!(level_colour(-1.0), theme::CLIP);
    }
}
