//! The EQ response view: log-frequency axis 20 Hz–20 kHz, dB grid, the live spectrum behind,
//! each band's curve and their sum, and a draggable node per band.
//!
//! Drag a node to move its frequency and gain; drag it with Ctrl (or Alt) held, or scroll over
//! it, to change its Q; double-click it to switch the band on or off; click it to select it.
//! The view knows nothing of filters: it draws the curves it is given and reports what the
//! user did as `Action`s.

use egui::epaint::Mesh;
use egui::{Align2, Color32, FontId, Pos2, Rect, Sense, Shape, Stroke, Ui, Vec2};

use crate::scale::{DbAxis, FreqAxis};
use crate::theme;

/// Node radius and the distance within which a press picks a node.
pub const NODE_RADIUS: f32 = 7.0;
pub const HIT_RADIUS: f32 = 12.0;
/// Q changes by a factor of 2 per this many pixels of modifier-drag (up: narrower).
pub const Q_DRAG_PIXELS: f32 = 100.0;

/// One band as the view shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node {
    pub freq_hz: f32,
    pub gain_db: f32,
    pub enabled: bool,
    /// Whether vertical movement means gain (not for cuts, notch and band-pass).
    pub uses_gain: bool,
    pub colour: Color32,
}

/// Response curves at `freqs_hz`: one per band (`None` for a band that is off) and their sum.
pub struct Curves<'a> {
    pub freqs_hz: &'a [f32],
    pub bands_db: &'a [Option<&'a [f32]>],
    pub sum_db: &'a [f32],
}

/// The analyzer's spectra at `freqs_hz`, in dBFS.
pub struct Spectrum<'a> {
    pub freqs_hz: &'a [f32],
    pub pre_db: &'a [f32],
    pub post_db: &'a [f32],
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    Select(usize),
    /// A drag of the node's position begins (frequency and gain gestures start).
    BeginDrag(usize),
    /// The node's new position (gain unchanged for bands that do not use it).
    Drag {
        band: usize,
        freq_hz: f32,
        gain_db: f32,
    },
    EndDrag(usize),
    /// A modifier-drag of the node's Q begins; `ScaleQ`s follow until `EndQ`.
    BeginQ(usize),
    /// Multiply the band's Q by `factor` (alone, from a scroll: a gesture of its own).
    ScaleQ {
        band: usize,
        factor: f32,
    },
    EndQ(usize),
    ToggleEnabled(usize),
}

/// What a drag in progress does.
#[derive(Debug, Clone, Copy, PartialEq)]
enum DragMode {
    Move(usize),
    Q(usize),
}

/// The view's axes inside `rect`.
pub struct Axes {
    pub freq: FreqAxis,
    pub gain: DbAxis,
    pub spectrum: DbAxis,
}

impl Axes {
    /// ±`range_db` for the EQ; −96…0 dBFS for the spectrum.
    pub fn new(rect: Rect, range_db: f32) -> Axes {
        Axes {
            freq: FreqAxis::audio(rect.left(), rect.right()),
            gain: DbAxis {
                top_db: range_db,
                bottom_db: -range_db,
                top: rect.top(),
                bottom: rect.bottom(),
            },
            spectrum: DbAxis {
                top_db: 0.0,
                bottom_db: -96.0,
                top: rect.top(),
                bottom: rect.bottom(),
            },
        }
    }

    /// Where a node sits: bands without gain sit on the 0 dB line.
    pub fn node_pos(&self, node: &Node) -> Pos2 {
        let db = if node.uses_gain { node.gain_db } else { 0.0 };
        Pos2::new(self.freq.x(node.freq_hz), self.gain.y(db))
    }
}

/// The node nearest to `pointer` within `HIT_RADIUS`, preferring enabled nodes on ties.
pub fn hit_node(axes: &Axes, nodes: &[Node], pointer: Pos2) -> Option<usize> {
    nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (i, axes.node_pos(n).distance(pointer), n.enabled))
        .filter(|(_, d, _)| *d <= HIT_RADIUS)
        .min_by(|a, b| a.1.total_cmp(&b.1).then(b.2.cmp(&a.2)))
        .map(|(i, _, _)| i)
}

/// Draw the view in `size` and return what the user did.
pub fn show(
    ui: &mut Ui,
    size: Vec2,
    range_db: f32,
    nodes: &[Node],
    curves: &Curves,
    spectrum: Option<&Spectrum>,
    selected: Option<usize>,
) -> Vec<Action> {
    let (rect, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
    let axes = Axes::new(rect, range_db);
    let mut actions = Vec::new();
    let id = response.id.with("drag-mode");
    let (ctrl, press_origin, hover) = ui.input(|i| {
        (
            i.modifiers.ctrl || i.modifiers.alt,
            i.pointer.press_origin(),
            i.pointer.hover_pos(),
        )
    });

    if response.drag_started()
        && let Some(band) = press_origin.and_then(|p| hit_node(&axes, nodes, p))
    {
        let mode = if ctrl {
            DragMode::Q(band)
        } else {
            DragMode::Move(band)
        };
        ui.memory_mut(|m| m.data.insert_temp(id, mode));
        actions.push(Action::Select(band));
        actions.push(if ctrl {
            Action::BeginQ(band)
        } else {
            Action::BeginDrag(band)
        });
    }
    let mode: Option<DragMode> = ui.memory(|m| m.data.get_temp(id));
    if response.dragged() {
        match mode {
            Some(DragMode::Move(band)) => {
                if let Some(p) = response.interact_pointer_pos() {
                    let p = rect.clamp(p);
                    let gain_db = if nodes[band].uses_gain {
                        axes.gain.db(p.y)
                    } else {
                        nodes[band].gain_db
                    };
                    actions.push(Action::Drag {
                        band,
                        freq_hz: axes.freq.hz(p.x),
                        gain_db,
                    });
                }
            }
            Some(DragMode::Q(band)) => {
                let dy = response.drag_delta().y;
                if dy != 0.0 {
                    actions.push(Action::ScaleQ {
                        band,
                        factor: 2f32.powf(-dy / Q_DRAG_PIXELS),
                    });
                }
            }
            None => {}
        }
    }
    if response.drag_stopped() {
        match mode {
            Some(DragMode::Move(band)) => actions.push(Action::EndDrag(band)),
            Some(DragMode::Q(band)) => actions.push(Action::EndQ(band)),
            None => {}
        }
        ui.memory_mut(|m| m.data.remove::<DragMode>(id));
    }
    let under_pointer = hover
        .filter(|p| rect.contains(*p))
        .and_then(|p| hit_node(&axes, nodes, p));
    if response.double_clicked() {
        if let Some(band) = under_pointer {
            actions.push(Action::ToggleEnabled(band));
        }
    } else if response.clicked()
        && let Some(band) = under_pointer
    {
        actions.push(Action::Select(band));
    }
    if let Some(band) = under_pointer {
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        if scroll != 0.0 {
            actions.push(Action::ScaleQ {
                band,
                factor: 2f32.powf(scroll / 200.0),
            });
        }
    }

    draw(
        ui,
        rect,
        &axes,
        nodes,
        curves,
        spectrum,
        selected,
        under_pointer,
    );
    actions
}

#[allow(clippy::too_many_arguments)]
fn draw(
    ui: &Ui,
    rect: Rect,
    axes: &Axes,
    nodes: &[Node],
    curves: &Curves,
    spectrum: Option<&Spectrum>,
    selected: Option<usize>,
    hovered: Option<usize>,
) {
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 4.0, theme::PANEL);
    // Spectrum: output filled, input as a line.
    if let Some(s) = spectrum {
        let points = |db: &[f32]| -> Vec<Pos2> {
            s.freqs_hz
                .iter()
                .zip(db)
                .map(|(f, d)| Pos2::new(axes.freq.x(*f), axes.spectrum.y(d.max(-96.0))))
                .collect()
        };
        let post = points(s.post_db);
        painter.add(fill_to(&post, rect.bottom(), theme::SPECTRUM_POST));
        painter.add(Shape::line(
            post,
            Stroke::new(1.0, theme::SPECTRUM_POST.gamma_multiply(1.8)),
        ));
        painter.add(Shape::line(
            points(s.pre_db),
            Stroke::new(1.0, theme::SPECTRUM_PRE),
        ));
    }
    // Grid.
    for f in axes.freq.grid() {
        let x = axes.freq.x(f);
        let strong = [100.0, 1000.0, 10_000.0].contains(&f);
        painter.line_segment(
            [Pos2::new(x, rect.top()), Pos2::new(x, rect.bottom())],
            Stroke::new(
                1.0,
                if strong {
                    theme::GRID.gamma_multiply(1.6)
                } else {
                    theme::GRID
                },
            ),
        );
        let label = if f >= 1000.0 {
            format!("{}k", f / 1000.0)
        } else {
            format!("{f}")
        };
        painter.text(
            Pos2::new(x + 2.0, rect.bottom() - 2.0),
            Align2::LEFT_BOTTOM,
            label,
            FontId::proportional(10.0),
            theme::TEXT_DIM,
        );
    }
    let step = if axes.gain.top_db > 12.0 { 6.0 } else { 3.0 };
    // The outermost lines go unlabelled: the top one is off the edge, the bottom one would
    // sit on the frequency labels.
    let mut db = -axes.gain.top_db + step;
    while db < axes.gain.top_db - 1e-3 {
        let y = axes.gain.y(db);
        painter.line_segment(
            [Pos2::new(rect.left(), y), Pos2::new(rect.right(), y)],
            Stroke::new(
                1.0,
                if db == 0.0 {
                    theme::GRID.gamma_multiply(2.0)
                } else {
                    theme::GRID
                },
            ),
        );
        painter.text(
            Pos2::new(rect.left() + 2.0, y),
            Align2::LEFT_BOTTOM,
            format!("{db:+.0}"),
            FontId::proportional(10.0),
            theme::TEXT_DIM,
        );
        db += step;
    }
    // Curves: each band thin (the selected one filled towards 0 dB), the sum on top.
    let curve_points = |db: &[f32]| -> Vec<Pos2> {
        curves
            .freqs_hz
            .iter()
            .zip(db)
            .map(|(f, d)| {
                Pos2::new(
                    axes.freq.x(*f),
                    axes.gain
                        .y(d.clamp(-axes.gain.top_db * 1.5, axes.gain.top_db * 1.5)),
                )
            })
            .collect()
    };
    for (i, (band, node)) in curves.bands_db.iter().zip(nodes).enumerate() {
        if let Some(db) = band {
            let points = curve_points(db);
            if selected == Some(i) {
                painter.add(fill_to(
                    &points,
                    axes.gain.y(0.0),
                    node.colour.gamma_multiply(0.18),
                ));
            }
            painter.add(Shape::line(
                points,
                Stroke::new(1.2, node.colour.gamma_multiply(0.8)),
            ));
        }
    }
    painter.add(Shape::line(
        curve_points(curves.sum_db),
        Stroke::new(2.5, theme::TEXT),
    ));
    // Nodes.
    for (i, node) in nodes.iter().enumerate() {
        let p = axes.node_pos(node);
        let fill = if node.enabled {
            node.colour
        } else {
            node.colour.gamma_multiply(0.25)
        };
        let radius = if hovered == Some(i) {
            NODE_RADIUS + 2.0
        } else {
            NODE_RADIUS
        };
        painter.circle_filled(p, radius, fill);
        if selected == Some(i) {
            painter.circle_stroke(p, radius + 3.0, Stroke::new(1.5, theme::TEXT));
        }
        painter.text(
            p,
            Align2::CENTER_CENTER,
            format!("{}", i + 1),
            FontId::proportional(10.0),
            if node.enabled {
                theme::BACKGROUND
            } else {
                theme::TEXT_DIM
            },
        );
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn node(freq_hz: f32, gain_db: f32, enabled: bool, uses_gain: bool) -> Node {
        Node {
            freq_hz,
            gain_db,
            enabled,
            uses_gain,
            colour: Color32::WHITE,
        }
    }

    #[test]
    fn nodes_sit_where_their_values_say_and_are_hit_there() {
        let rect = Rect::from_min_size(Pos2::new(10.0, 20.0), Vec2::new(300.0, 200.0));
        let axes = Axes::new(rect, 24.0);
        let nodes = [
            node(200.0, 12.0, true, true),
            node(2000.0, -6.0, true, true),
            node(2000.0, 9.0, false, false),
        ];
        // 200 Hz is one decade in: 100 px; +12 dB is a quarter of the way down from +24.
        let p = axes.node_pos(&nodes[0]);
        assert!(
            (p.x - 110.0).abs() < 1e-3 && (p.y - 70.0).abs() < 1e-3,
            "{p:?}"
        );
        // A gainless band sits on 0 dB whatever its gain value.
        assert!((axes.node_pos(&nodes[2]).y - 120.0).abs() < 1e-3);
        assert_eq!(hit_node(&axes, &nodes, p + Vec2::new(5.0, -5.0)), Some(0));
        assert_eq!(hit_node(&axes, &nodes, p + Vec2::new(20.0, 0.0)), None);
        let p1 = axes.node_pos(&nodes[1]);
        assert_eq!(hit_node(&axes, &nodes, p1), Some(1));
        // Back from pixels to values.
        assert!((axes.freq.hz(p1.x) - 2000.0).abs() < 0.5);
        assert!((axes.gain.db(p1.y) + 6.0).abs() < 1e-4);
    }

    #[test]
    fn overlapping_nodes_prefer_the_nearest_then_the_enabled() {
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::new(300.0, 200.0));
        let axes = Axes::new(rect, 24.0);
        let nodes = [
            node(1000.0, 0.0, false, true),
            node(1000.0, 0.0, true, true),
        ];
        let p = axes.node_pos(&nodes[0]);
        assert_eq!(hit_node(&axes, &nodes, p), Some(1));
        let nodes = [
            node(1000.0, 0.0, false, true),
            node(1100.0, 0.0, true, true),
        ];
        assert_eq!(hit_node(&axes, &nodes, axes.node_pos(&nodes[0])), Some(0));
    }
}
