//! A compressor's static curve: output level against input level, with the live operating
//! point on it, dB labels on both axes and the threshold marked. The output axis reaches above
//! 0 dB when makeup lifts the curve there, so makeup is shown as it is, not clipped flat.

use egui::{Align2, Color32, FontId, Pos2, Response, Sense, Shape, Stroke, Ui, Vec2};

use crate::scale::DbAxis;
use crate::theme;

/// Smallest text (px at 100 %).
const TEXT_PX: f32 = 11.0;
/// Room for the output axis's labels (left) and the input axis's (bottom).
const LABEL_LEFT: f32 = 24.0;
const LABEL_BOTTOM: f32 = 14.0;

/// The output axis's top: 0 dB, or the curve's highest output rounded up to 6 dB.
pub fn output_top_db(curve: &dyn Fn(f32) -> f32) -> f32 {
    let highest = curve(0.0).max(0.0);
    (highest / 6.0).ceil() * 6.0
}

/// Draw `curve` (input dB → output dB) from `min_db` to 0 dB in, and `min_db` to
/// `output_top_db` out, in a square of `side` pixels (labels included), with the threshold
/// marked and the operating point (`input_db`) on the curve. `active` false draws it dimmed
/// (the stage is off or bypassed).
pub fn transfer_curve(
    ui: &mut Ui,
    side: f32,
    min_db: f32,
    curve: &dyn Fn(f32) -> f32,
    threshold_db: f32,
    input_db: Option<f32>,
    active: bool,
) -> Response {
    let (outer, response) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
    let painter = ui.painter_at(outer);
    let rect = egui::Rect::from_min_max(
        outer.min + Vec2::new(LABEL_LEFT, 0.0),
        outer.max - Vec2::new(0.0, LABEL_BOTTOM),
    );
    painter.rect_filled(rect, 3.0, theme::PANEL_RAISED.gamma_multiply(0.5));
    let top_db = output_top_db(curve);
    let x_axis = DbAxis {
        top_db: min_db,
        bottom_db: 0.0,
        top: rect.left(),
        bottom: rect.right(),
    };
    let y_axis = DbAxis {
        top_db,
        bottom_db: min_db,
        top: rect.top(),
        bottom: rect.bottom(),
    };
    let font = FontId::proportional(TEXT_PX);
    // Labels every 12 dB where there is room, else every 24.
    let step = if rect.width() >= 120.0 { 12 } else { 24 };
    for db in (0..=((-min_db) as i32)).step_by(step).map(|d| -(d as f32)) {
        let x = x_axis.y(db);
        painter.line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(1.0, theme::GRID),
        );
        painter.text(
            Pos2::new(x, rect.bottom() + 1.0),
            if db == 0.0 {
                Align2::RIGHT_TOP
            } else {
                Align2::CENTER_TOP
            },
            format!("{db:.0}"),
            font.clone(),
            theme::TEXT_DIM,
        );
    }
    let mut db = top_db;
    while db > min_db {
        let y = y_axis.y(db);
        painter.line_segment(
            [Pos2::new(rect.left(), y), Pos2::new(rect.right(), y)],
            Stroke::new(1.0, theme::GRID),
        );
        painter.text(
            Pos2::new(rect.left() - 3.0, y),
            if db == top_db {
                Align2::RIGHT_TOP
            } else {
                Align2::RIGHT_CENTER
            },
            if db > 0.0 {
                format!("+{db:.0}")
            } else {
                format!("{db:.0}")
            },
            font.clone(),
            theme::TEXT_DIM,
        );
        db -= step as f32;
    }
    // Unity for reference, then the curve.
    painter.line_segment(
        [
            Pos2::new(x_axis.y(min_db), y_axis.y(min_db)),
            Pos2::new(x_axis.y(0.0), y_axis.y(0.0)),
        ],
        Stroke::new(1.0, theme::GRID.gamma_multiply(1.8)),
    );
    let colour = |c: Color32| if active { c } else { theme::TEXT_DIM };
    let x_t = x_axis.y(threshold_db.clamp(min_db, 0.0));
    painter.add(Shape::dashed_line(
        &[Pos2::new(x_t, rect.top()), Pos2::new(x_t, rect.bottom())],
        Stroke::new(1.0, colour(theme::WARN).gamma_multiply(0.7)),
        4.0,
        3.0,
    ));
    let points: Vec<Pos2> = (0..=64)
        .map(|k| {
            let input = min_db * (1.0 - k as f32 / 64.0);
            Pos2::new(
                x_axis.y(input),
                y_axis.y(curve(input).clamp(min_db, top_db)),
            )
        })
        .collect();
    painter.add(Shape::line(points, Stroke::new(2.0, colour(theme::ACCENT))));
    if let Some(input) = input_db.filter(|d| active && *d > min_db) {
        let input = input.min(0.0);
        let p = Pos2::new(
            x_axis.y(input),
            y_axis.y(curve(input).clamp(min_db, top_db)),
        );
        painter.circle_filled(p, 4.5, theme::WARN);
    }
    painter.text(
        rect.min + Vec2::new(4.0, 2.0),
        Align2::LEFT_TOP,
        "out dB",
        font.clone(),
        theme::TEXT_DIM,
    );
    painter.text(
        rect.max - Vec2::new(4.0, 2.0),
        Align2::RIGHT_BOTTOM,
        "in dB",
        font,
        theme::TEXT_DIM,
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_axis_grows_to_show_makeup() {
        assert_eq!(output_top_db(&|i| i), 0.0);
        assert_eq!(output_top_db(&|i| i.min(-10.0) + 4.0), 0.0);
        // A curve lifted 8 dB by makeup ends at +8 dB: the axis reaches +12.
        assert_eq!(output_top_db(&|i| 0.5 * i + 8.0), 12.0);
    }
}
