//! A scrolling history of levels: the last few seconds of several dB traces against time, newest
//! at the right edge, on one dB axis from 0 dB at the top. A level trace reads as dBFS; a gain
//! reduction trace is drawn as its reduction below the top (6 dB of reduction: the −6 dB line),
//! so a stage's reduction hangs from the top while the levels rise from the bottom.

use egui::{Align2, Color32, FontId, Pos2, Rect, Response, Sense, Shape, Stroke, Ui, Vec2};

use crate::scale::DbAxis;
use crate::theme;

/// Smallest text (px at 100 %).
const TEXT_PX: f32 = 11.0;
/// Room for the dB labels at the left.
const LABEL_LEFT: f32 = 24.0;
/// The traces' line width (px).
pub const LINE_WIDTH: f32 = 1.5;

/// One trace: `(time in s, dB)` points, oldest first.
pub struct Trace<'a> {
    pub label: &'a str,
    pub colour: Color32,
    /// Filled down to the bottom (a level), or a line.
    pub filled: bool,
    pub points: &'a [(f64, f32)],
}

/// Draw `traces` over the `window_s` seconds up to `now_s` in `size` (labels included), the
/// axis from 0 dB down to `min_db`, with each trace's label as a legend. `active` false dims it
/// all (the stages are off or bypassed).
pub fn history_plot(
    ui: &mut Ui,
    size: Vec2,
    now_s: f64,
    window_s: f64,
    min_db: f32,
    traces: &[Trace],
    active: bool,
) -> Response {
    let (outer, response) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(outer);
    let rect = Rect::from_min_max(outer.min + Vec2::new(LABEL_LEFT, 0.0), outer.max);
    painter.rect_filled(rect, 3.0, theme::PANEL_RAISED.gamma_multiply(0.5));
    let axis = DbAxis {
        top_db: 0.0,
        bottom_db: min_db,
        top: rect.top(),
        bottom: rect.bottom(),
    };
    let font = FontId::proportional(TEXT_PX);
    let step = if rect.height() >= 120.0 { 12 } else { 24 };
    for db in (0..=((-min_db) as i32)).step_by(step).map(|d| -(d as f32)) {
        let y = axis.y(db);
        painter.line_segment(
            [Pos2::new(rect.left(), y), Pos2::new(rect.right(), y)],
            Stroke::new(1.0, theme::GRID),
        );
        // The end labels inside the plot's height.
        let anchor = if db == 0.0 {
            Align2::RIGHT_TOP
        } else if y + TEXT_PX / 2.0 > rect.bottom() {
            Align2::RIGHT_BOTTOM
        } else {
            Align2::RIGHT_CENTER
        };
        // (−0 would read as such.)
        let text = format!("{}", db as i32);
        painter.text(
            Pos2::new(rect.left() - 3.0, y),
            anchor,
            text,
            font.clone(),
            theme::TEXT_DIM,
        );
    }
    // One grid line a second, moving with the time.
    let x_at = |t: f64| rect.right() - ((now_s - t) / window_s) as f32 * rect.width();
    for s in 0..=(window_s.ceil() as i64) {
        let x = x_at(now_s.floor() - s as f64);
        if x >= rect.left() {
            painter.line_segment(
                [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
                Stroke::new(1.0, theme::GRID.gamma_multiply(0.6)),
            );
        }
    }
    let dim = |c: Color32| if active { c } else { c.gamma_multiply(0.35) };
    for trace in traces {
        let points: Vec<Pos2> = trace
            .points
            .iter()
            .map(|&(t, db)| {
                let db = if db.is_finite() { db } else { min_db };
                Pos2::new(x_at(t), axis.y(db.clamp(min_db, 0.0)))
            })
            .collect();
        if points.len() < 2 {
            continue;
        }
        let colour = dim(trace.colour);
        if trace.filled {
            // One quad per interval: egui fills convex shapes only.
            for pair in points.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                let quad = vec![
                    a,
                    b,
                    Pos2::new(b.x, rect.bottom()),
                    Pos2::new(a.x, rect.bottom()),
                ];
                painter.add(Shape::convex_polygon(
                    quad,
                    colour.gamma_multiply(0.35),
                    Stroke::NONE,
                ));
            }
        }
        painter.add(Shape::line(points, Stroke::new(LINE_WIDTH, colour)));
    }
    // The legend at the top right: in a row where it fits, else stacked.
    let galleys: Vec<_> = traces
        .iter()
        .map(|t| painter.layout_no_wrap(t.label.to_string(), font.clone(), dim(t.colour)))
        .collect();
    let gap = 8.0;
    let row_width: f32 = galleys.iter().map(|g| g.size().x + gap).sum();
    let in_a_row = row_width <= rect.width() - gap;
    let legend_size = if in_a_row {
        Vec2::new(row_width, TEXT_PX + 4.0)
    } else {
        let widest = galleys.iter().map(|g| g.size().x).fold(0.0, f32::max);
        let height: f32 = galleys.iter().map(|g| g.size().y).sum();
        Vec2::new(widest + gap, height + 4.0)
    };
    // Readable over the traces.
    let legend = Rect::from_min_size(
        Pos2::new(rect.right() - legend_size.x, rect.top()),
        legend_size,
    );
    painter.rect_filled(legend, 3.0, theme::PANEL.gamma_multiply(0.8));
    let mut at = Pos2::new(rect.right() - 4.0, rect.top() + 2.0);
    for galley in galleys.into_iter().rev() {
        let size = galley.size();
        painter.galley(at - Vec2::new(size.x, 0.0), galley, theme::TEXT);
        if in_a_row {
            at.x -= size.x + gap;
        } else {
            at.y += size.y;
        }
    }
    response
}
