//! Level meters: vertical bars with peak hold, an RMS mark, a dB scale and a latched peak box;
//! and a gain-reduction bar on a square-root scale with its numbers. They draw what they are
//! given (see `ballistics.rs` for the motion).

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
/// Above this a peak is an over (red, and latched in the meter's peak box).
pub const OVER_DB: f32 = 0.0;
/// Top of the green zone: programme below it is comfortably clear of full scale.
pub const GREEN_TOP_DB: f32 = -12.0;
/// Smallest text in the meters (px at 100 %).
const TEXT_PX: f32 = 11.0;

/// Colour of a level: green to −12 dBFS, yellow to full scale (a mastered −1 dBTP programme
/// sits there), red only for an over.
pub fn level_colour(db: f32) -> Color32 {
    if db > OVER_DB {
        theme::CLIP
    } else if db > GREEN_TOP_DB {
        theme::WARN
    } else {
        theme::METER_LOW
    }
}

/// Scale marks for a meter.
const MARKS: [f32; 8] = [6.0, 0.0, -6.0, -12.0, -18.0, -24.0, -36.0, -48.0];

/// Height of the label and peak box above a level meter's bars.
const HEAD_HEIGHT: f32 = 38.0;

/// Draw `bars` side by side in `size` under `label` and a box with `peak_max_db` (the highest
/// peak since it was last cleared: red once it went over 0 dBFS); returns whether the box was
/// clicked (to clear it).
pub fn level_meter(ui: &mut Ui, size: Vec2, label: &str, bars: &[Bar], peak_max_db: f32) -> bool {
    let (rect, _) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    let scale_width = 24.0;
    let area = Rect::from_min_max(
        Pos2::new(rect.left() + scale_width, rect.top() + HEAD_HEIGHT),
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
        FontId::proportional(TEXT_PX),
        theme::TEXT_DIM,
    );
    // The latched peak box.
    let peak_box = Rect::from_min_max(
        Pos2::new(area.left(), rect.top() + 16.0),
        Pos2::new(area.right(), rect.top() + HEAD_HEIGHT - 4.0),
    );
    let over = peak_max_db > OVER_DB;
    let peak = ui.interact(
        peak_box,
        ui.scope_id().with(("peak-box", label)),
        Sense::click(),
    );
    painter.rect_filled(
        peak_box,
        2.0,
        if over {
            theme::CLIP
        } else {
            theme::PANEL_RAISED
        },
    );
    let text = if peak_max_db.is_finite() {
        format!("{peak_max_db:+.1}")
    } else {
        "—".to_string()
    };
    painter.text(
        peak_box.center(),
        Align2::CENTER_CENTER,
        text,
        FontId::monospace(TEXT_PX),
        if over { theme::BACKGROUND } else { theme::TEXT },
    );
    let clicked = peak
        .on_hover_text(format!(
            "{label}: highest true peak (dBTP) since cleared; red after an over (above 0 dBTP). \
             Click to clear."
        ))
        .clicked();
    for db in MARKS {
        let y = axis.y(db);
        painter.text(
            Pos2::new(rect.left() + scale_width - 3.0, y),
            Align2::RIGHT_CENTER,
            format!("{db:.0}"),
            FontId::monospace(TEXT_PX),
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
            for (from, to) in [
                (BOTTOM_DB, GREEN_TOP_DB),
                (GREEN_TOP_DB, OVER_DB),
                (OVER_DB, TOP_DB),
            ] {
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
    clicked
}

/// Range of the gain-reduction meter.
pub const GR_RANGE_DB: f32 = 24.0;
/// Gain-reduction scale marks.
const GR_MARKS: [f32; 6] = [0.0, 1.0, 3.0, 6.0, 12.0, 24.0];

/// Where a reduction sits on the gain-reduction bar, 0 (top) … 1 (bottom): a square-root scale,
/// so the first dBs, where a mix limiter or a gentle compressor works, take most of the height
/// (1 dB: a fifth, 3 dB: a third, 6 dB: half).
pub fn gr_position(reduction_db: f32) -> f32 {
    (reduction_db.clamp(0.0, GR_RANGE_DB) / GR_RANGE_DB).sqrt()
}

/// A gain-reduction bar with its numbers: `reduction_db` (≥ 0) grows down from the top, the
/// current value above it; `hold_db`, the recent maximum, marked and written below. `inactive`
/// names why the stage does nothing (off, bypassed): the bar is then dimmed and says so.
pub fn gain_reduction_meter(
    ui: &mut Ui,
    size: Vec2,
    reduction_db: f32,
    hold_db: f32,
    inactive: Option<&str>,
) -> Response {
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(rect);
    let font = FontId::monospace(TEXT_PX);
    let head = 30.0;
    let foot = 16.0;
    let area = Rect::from_min_max(
        Pos2::new(rect.left() + 16.0, rect.top() + head),
        Pos2::new(rect.right(), rect.bottom() - foot),
    );
    let y = |db: f32| area.top() + gr_position(db) * area.height();
    painter.text(
        Pos2::new(area.center().x, rect.top()),
        Align2::CENTER_TOP,
        "GR dB",
        FontId::proportional(TEXT_PX),
        theme::TEXT_DIM,
    );
    painter.rect_filled(area, 1.0, theme::PANEL_RAISED.gamma_multiply(0.6));
    for db in GR_MARKS {
        painter.text(
            Pos2::new(area.left() - 2.0, y(db)),
            Align2::RIGHT_CENTER,
            format!("{db:.0}"),
            FontId::monospace(TEXT_PX),
            theme::TEXT_DIM,
        );
        painter.line_segment(
            [
                Pos2::new(area.left(), y(db)),
                Pos2::new(area.right(), y(db)),
            ],
            Stroke::new(1.0, theme::GRID),
        );
    }
    if let Some(why) = inactive {
        painter.text(
            Pos2::new(area.center().x, rect.top() + 15.0),
            Align2::CENTER_TOP,
            why,
            FontId::proportional(TEXT_PX),
            theme::TEXT_DIM,
        );
        return response.on_hover_text(format!("Gain reduction: none ({why})"));
    }
    let r = reduction_db.clamp(0.0, GR_RANGE_DB);
    if r > 0.0 {
        painter.rect_filled(
            Rect::from_min_max(area.min, Pos2::new(area.right(), y(r))),
            0.0,
            theme::GAIN_REDUCTION,
        );
    }
    if hold_db > 0.05 {
        painter.line_segment(
            [
                Pos2::new(area.left(), y(hold_db)),
                Pos2::new(area.right(), y(hold_db)),
            ],
            Stroke::new(2.0, theme::TEXT),
        );
    }
    painter.text(
        Pos2::new(area.center().x, rect.top() + 15.0),
        Align2::CENTER_TOP,
        format!("{:.1}", r),
        font.clone(),
        theme::GAIN_REDUCTION,
    );
    painter.text(
        Pos2::new(area.center().x, rect.bottom()),
        Align2::CENTER_BOTTOM,
        format!("{:.1}", hold_db.max(0.0)),
        font,
        theme::TEXT,
    );
    response.on_hover_text(
        "Gain reduction, dB: now (top, and the bar) and recent peak (bottom, and the line)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_colours_leave_a_mastered_programme_out_of_the_red() {
        assert_eq!(level_colour(-40.0), theme::METER_LOW);
        assert_eq!(level_colour(-10.0), theme::WARN);
        assert_eq!(level_colour(-1.0), theme::WARN);
        assert_eq!(level_colour(0.3), theme::CLIP);
    }

    #[test]
    fn small_reductions_take_most_of_the_gain_reduction_bar() {
        assert_eq!(gr_position(0.0), 0.0);
        assert!((gr_position(1.0) - 0.204).abs() < 1e-3);
        assert!((gr_position(3.0) - 0.354).abs() < 1e-3);
        assert!((gr_position(6.0) - 0.5).abs() < 1e-6);
        assert_eq!(gr_position(GR_RANGE_DB), 1.0);
        assert_eq!(gr_position(40.0), 1.0);
    }
}
