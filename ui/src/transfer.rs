//! A compressor's static curve: output level against input level, with the live operating
//! point on it.

use egui::{Align2, FontId, Pos2, Rect, Response, Sense, Shape, Stroke, Ui, Vec2};

use crate::scale::DbAxis;
use crate::theme;

/// Draw `curve` (input dB → output dB) over `min_db`…0 dB on both axes in a square of `side`
/// pixels, with the threshold marked and the operating point (`input_db`) on the curve.
pub fn transfer_curve(
    ui: &mut Ui,
    side: f32,
    min_db: f32,
    curve: &dyn Fn(f32) -> f32,
    threshold_db: f32,
    input_db: Option<f32>,
) -> Response {
    let (rect, response) = ui.allocate_exact_size(Vec2::splat(side), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 3.0, theme::PANEL);
    let x_axis = DbAxis {
        top_db: min_db,
        bottom_db: 0.0,
        top: rect.left(),
        bottom: rect.right(),
    };
    let y_axis = DbAxis {
        top_db: 0.0,
        bottom_db: min_db,
        top: rect.top(),
        bottom: rect.bottom(),
    };
    for db in (0..=((-min_db) as i32)).step_by(12).map(|d| -(d as f32)) {
        let (x, y) = (x_axis.y(db), y_axis.y(db));
        painter.line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(1.0, theme::GRID),
        );
        painter.line_segment(
            [Pos2::new(rect.left(), y), Pos2::new(rect.right(), y)],
            Stroke::new(1.0, theme::GRID),
        );
    }
    // Unity for reference, then the curve.
    painter.line_segment(
        [
            Pos2::new(rect.left(), rect.bottom()),
            Pos2::new(rect.right(), rect.top()),
        ],
        Stroke::new(1.0, theme::GRID.gamma_multiply(1.8)),
    );
    let x_t = x_axis.y(threshold_db.clamp(min_db, 0.0));
    painter.add(Shape::dashed_line(
        &[Pos2::new(x_t, rect.top()), Pos2::new(x_t, rect.bottom())],
        Stroke::new(1.0, theme::WARN.gamma_multiply(0.6)),
        4.0,
        3.0,
    ));
    let points: Vec<Pos2> = (0..=64)
        .map(|k| {
            let input = min_db * (1.0 - k as f32 / 64.0);
            Pos2::new(x_axis.y(input), y_axis.y(curve(input).clamp(min_db, 0.0)))
        })
        .collect();
    painter.add(Shape::line(points, Stroke::new(2.0, theme::ACCENT)));
    if let Some(input) = input_db.filter(|d| *d > min_db) {
        let input = input.min(0.0);
        let p = Pos2::new(x_axis.y(input), y_axis.y(curve(input).clamp(min_db, 0.0)));
        painter.circle_filled(p, 4.5, theme::WARN);
    }
    painter.text(
        Rect::from_min_size(rect.min, Vec2::ZERO).min + Vec2::new(4.0, 2.0),
        Align2::LEFT_TOP,
        "out",
        FontId::proportional(9.0),
        theme::TEXT_DIM,
    );
    painter.text(
        rect.max - Vec2::new(4.0, 2.0),
        Align2::RIGHT_BOTTOM,
        "in",
        FontId::proportional(9.0),
        theme::TEXT_DIM,
    );
    response
}
