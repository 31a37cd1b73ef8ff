//! Drawing the EQ view: spectrum, grids with their scales, curves, nodes and readouts.

use egui::epaint::Mesh;
use egui::{Align2, Color32, FontId, Painter, Pos2, Rect, Shape, Stroke, Vec2};

use super::{Axes, Content, NODE_RADIUS, Settings};
use crate::theme;

/// Smallest text in the view (px at 100 %).
const TEXT_PX: f32 = 11.0;

pub(super) struct Scene<'a> {
    pub rect: Rect,
    pub axes: &'a Axes,
    pub settings: &'a Settings,
    pub content: &'a Content<'a>,
    pub hovered: Option<usize>,
    /// Values beside a node: its position, the text, its colour.
    pub label: Option<(Pos2, String, Color32)>,
    /// Where a click would add a band, and what it would be.
    pub ghost: Option<(Pos2, String)>,
}

pub(super) fn view(painter: &Painter, scene: &Scene) {
    painter.rect_filled(scene.rect, 4.0, theme::PANEL);
    spectrum(painter, scene);
    grid(painter, scene);
    curves(painter, scene);
    spectrum_scale(painter, scene);
    nodes(painter, scene);
    if let Some((p, text)) = &scene.ghost {
        painter.circle_stroke(*p, NODE_RADIUS, Stroke::new(1.0, theme::TEXT_DIM));
        tag(painter, scene.rect, *p, text, theme::TEXT_DIM);
    }
    if let Some((p, text, colour)) = &scene.label {
        tag(painter, scene.rect, *p, text, *colour);
    }
}

/// The spectra on their own dBFS scale (labelled on the right): the output filled, the input
/// as a line, with a legend.
fn spectrum(painter: &Painter, scene: &Scene) {
    let (rect, axes) = (scene.rect, scene.axes);
    let tilt = scene.settings.tilt_db_per_octave;
    if let Some(s) = scene.content.spectrum {
        let points = |db: &[f32]| -> Vec<Pos2> {
            s.freqs_hz
                .iter()
                .zip(db)
                .map(|(f, d)| {
                    let shown = d + tilt * (f / 1000.0).log2();
                    let shown = shown.max(axes.spectrum.bottom_db);
                    Pos2::new(axes.freq.x(*f), axes.spectrum.y(shown))
                })
                .collect()
        };
        let post = points(s.post_db);
        painter.add(fill_to(&post, rect.bottom(), theme::SPECTRUM_POST_FILL));
        painter.add(Shape::line(post, Stroke::new(1.0, theme::SPECTRUM_POST)));
        painter.add(Shape::line(
            points(s.pre_db),
            Stroke::new(1.0, theme::SPECTRUM_PRE),
        ));
        // Legend, top right under the scale's unit.
        let font = FontId::proportional(TEXT_PX);
        let mut y = rect.top() + 18.0;
        for (name, colour) in s
            .names
            .iter()
            .zip([theme::SPECTRUM_PRE, theme::SPECTRUM_POST])
        {
            let right = Pos2::new(rect.right() - 40.0, y);
            painter.line_segment(
                [right + Vec2::new(4.0, 0.0), right + Vec2::new(16.0, 0.0)],
                Stroke::new(2.0, colour),
            );
            painter.text(right, Align2::RIGHT_CENTER, *name, font.clone(), colour);
            y += 14.0;
        }
    }
}

/// The spectrum's scale, every 20 dB on the right edge, over everything else.
fn spectrum_scale(painter: &Painter, scene: &Scene) {
    let (rect, axes) = (scene.rect, scene.axes);
    let tilt = scene.settings.tilt_db_per_octave;
    let mut db = axes.spectrum.top_db - 20.0;
    while db > axes.spectrum.bottom_db {
        let at = Pos2::new(rect.right() - 3.0, axes.spectrum.y(db));
        backed_text(
            painter,
            at,
            Align2::RIGHT_CENTER,
            &format!("{db:.0}"),
            theme::SPECTRUM_SCALE,
        );
        db -= 20.0;
    }
    let unit = if tilt != 0.0 {
        format!("dBFS, +{tilt} dB/oct")
    } else {
        "dBFS".to_string()
    };
    let at = Pos2::new(rect.right() - 3.0, rect.top() + 2.0);
    backed_text(painter, at, Align2::RIGHT_TOP, &unit, theme::SPECTRUM_SCALE);
}

/// Text on a small panel-coloured plate, readable over the spectrum and curves.
fn backed_text(painter: &Painter, at: Pos2, align: Align2, text: &str, colour: Color32) {
    let galley = painter.layout_no_wrap(text.to_string(), FontId::proportional(TEXT_PX), colour);
    let rect = align.anchor_size(at, galley.size());
    painter.rect_filled(rect.expand(1.5), 2.0, theme::PANEL.gamma_multiply(0.85));
    painter.galley(rect.min, galley, colour);
}

/// Frequency lines (labelled at the bottom) and the EQ's dB lines (labelled on the left).
fn grid(painter: &Painter, scene: &Scene) {
    let (rect, axes) = (scene.rect, scene.axes);
    let font = FontId::proportional(TEXT_PX);
    for f in axes.freq.grid() {
        let x = axes.freq.x(f);
        let strong = [100.0, 1000.0, 10_000.0].contains(&f);
        let colour = if strong {
            theme::GRID.gamma_multiply(1.6)
        } else {
            theme::GRID
        };
        painter.line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(1.0, colour),
        );
        let label = if f >= 1000.0 {
            format!("{}k", f / 1000.0)
        } else {
            format!("{f}")
        };
        // A label that would run off the right edge is left out (the line stays).
        if x + 8.0 * label.len() as f32 <= rect.right() {
            painter.text(
                Pos2::new(x + 2.0, rect.bottom() - 2.0),
                Align2::LEFT_BOTTOM,
                label,
                font.clone(),
                theme::TEXT_DIM,
            );
        }
    }
    let range = axes.gain.top_db;
    let step = match range {
        r if r <= 3.0 => 1.0,
        r if r <= 6.0 => 2.0,
        r if r <= 12.0 => 3.0,
        _ => 6.0,
    };
    // The outermost lines go unlabelled: the top one is off the edge, the bottom one would
    // sit on the frequency labels.
    let mut db = -range + step;
    while db < range - 1e-3 {
        let y = axes.gain.y(db);
        let colour = if db == 0.0 {
            theme::GRID.gamma_multiply(2.0)
        } else {
            theme::GRID
        };
        painter.line_segment(
            [Pos2::new(rect.left(), y), Pos2::new(rect.right(), y)],
            Stroke::new(1.0, colour),
        );
        painter.text(
            Pos2::new(rect.left() + 3.0, y),
            Align2::LEFT_BOTTOM,
            if db == 0.0 {
                "0".to_string()
            } else {
                format!("{db:+.0}")
            },
            font.clone(),
            theme::TEXT_DIM,
        );
        db += step;
    }
    painter.text(
        Pos2::new(rect.left() + 3.0, rect.top() + 2.0),
        Align2::LEFT_TOP,
        format!("EQ ±{range:.0} dB"),
        font,
        theme::TEXT_DIM,
    );
}

/// Each band thin (the selected one filled towards 0 dB), the sum on top.
fn curves(painter: &Painter, scene: &Scene) {
    let (axes, content) = (scene.axes, scene.content);
    let curves = content.curves;
    let limit = axes.gain.top_db * 1.5;
    let curve_points = |db: &[f32]| -> Vec<Pos2> {
        curves
            .freqs_hz
            .iter()
            .zip(db)
            .map(|(f, d)| Pos2::new(axes.freq.x(*f), axes.gain.y(d.clamp(-limit, limit))))
            .collect()
    };
    for (i, (band, node)) in curves.bands_db.iter().zip(content.nodes).enumerate() {
        if let Some(db) = band {
            let points = curve_points(db);
            if content.selected == Some(i) {
                painter.add(fill_to(
                    &points,
                    axes.gain.y(0.0),
                    node.colour.gamma_multiply(0.18),
                ));
            }
            let stroke = Stroke::new(1.2, node.colour.gamma_multiply(0.8));
            if node.badge.is_some() {
                painter.extend(Shape::dashed_line(&points, stroke, 6.0, 4.0));
            } else {
                painter.add(Shape::line(points, stroke));
            }
        }
    }
    painter.add(Shape::line(
        curve_points(curves.sum_db),
        Stroke::new(2.5, theme::TEXT),
    ));
    // Each placed part's total, dashed in its colour, with a legend under the range label
    // that names the solid curve too.
    if curves.components.is_empty() {
        return;
    }
    let mut y = scene.rect.top() + 22.0;
    let mut legend = |name: &str, stroke: Stroke| {
        // Clear of the dB labels on the left edge.
        let left = Pos2::new(scene.rect.left() + 28.0, y);
        painter.line_segment([left, left + Vec2::new(14.0, 0.0)], stroke);
        let at = left + Vec2::new(18.0, 0.0);
        backed_text(painter, at, Align2::LEFT_CENTER, name, stroke.color);
        y += 14.0;
    };
    legend("Stereo", Stroke::new(2.5, theme::TEXT));
    for c in curves.components {
        let stroke = Stroke::new(2.0, c.colour);
        painter.extend(Shape::dashed_line(&curve_points(c.db), stroke, 8.0, 4.0));
        legend(c.name, stroke);
    }
}

/// Nodes of the bands in use: filled when on, a ring when off (bypassed).
fn nodes(painter: &Painter, scene: &Scene) {
    let content = scene.content;
    for (i, node) in content.nodes.iter().enumerate() {
        if !node.in_use {
            continue;
        }
        let p = scene.axes.node_pos(node);
        let radius = if scene.hovered == Some(i) {
            NODE_RADIUS + 2.0
        } else {
            NODE_RADIUS
        };
        if node.enabled {
            painter.circle_filled(p, radius, node.colour);
        } else {
            painter.circle_filled(p, radius, theme::PANEL);
            painter.circle_stroke(p, radius, Stroke::new(1.5, node.colour));
        }
        if content.selected == Some(i) {
            painter.circle_stroke(p, radius + 3.0, Stroke::new(1.5, theme::TEXT));
        }
        painter.text(
            p,
            Align2::CENTER_CENTER,
            format!("{}", i + 1),
            FontId::proportional(TEXT_PX),
            if node.enabled {
                theme::BACKGROUND
            } else {
                node.colour
            },
        );
        if let Some(badge) = node.badge {
            // Above right of the node, clear of the selection ring.
            let at = p + Vec2::new(radius + 5.0, -radius - 5.0);
            painter.circle_filled(at, 6.0, theme::BACKGROUND.gamma_multiply(0.9));
            painter.circle_stroke(at, 6.0, Stroke::new(1.0, node.colour));
            painter.text(
                at,
                Align2::CENTER_CENTER,
                badge,
                FontId::proportional(9.0),
                node.colour,
            );
        }
    }
}

/// A text tag beside `at` (above right, flipped to stay inside `rect`).
fn tag(painter: &Painter, rect: Rect, at: Pos2, text: &str, colour: Color32) {
    let galley = painter.layout_no_wrap(text.to_string(), FontId::proportional(12.0), colour);
    let size = galley.size() + Vec2::new(10.0, 6.0);
    let mut min = at + Vec2::new(NODE_RADIUS + 6.0, -NODE_RADIUS - 6.0 - size.y);
    if min.x + size.x > rect.right() {
        min.x = at.x - NODE_RADIUS - 6.0 - size.x;
    }
    if min.y < rect.top() {
        min.y = at.y + NODE_RADIUS + 6.0;
    }
    let frame = Rect::from_min_size(min, size);
    painter.rect_filled(frame, 3.0, theme::BACKGROUND.gamma_multiply(0.92));
    painter.rect_stroke(
        frame,
        3.0,
        Stroke::new(1.0, colour.gamma_multiply(0.6)),
        egui::StrokeKind::Inside,
    );
    painter.galley(min + Vec2::new(5.0, 3.0), galley, colour);
}

/// A filled area between a curve and a horizontal line at `base_y` (a triangle strip; the
/// area is not convex, so it is not one polygon).
fn fill_to(points: &[Pos2], base_y: f32, colour: Color32) -> Shape {
    let mut mesh = Mesh::default();
    for (k, p) in points.iter().enumerate() {
        mesh.colored_vertex(*p, colour);
        mesh.colored_vertex(Pos2::new(p.x, base_y), colour);
        if k > 0 {
            let i = 2 * k as u32;
            mesh.add_triangle(i - 2, i - 1, i);
            mesh.add_triangle(i - 1, i + 1, i);
        }
    }
    Shape::mesh(mesh)
}
