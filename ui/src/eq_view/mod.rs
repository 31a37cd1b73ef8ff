//! The EQ response view: a log-frequency axis over the bands' whole range (10 Hz–22 kHz), the
//! EQ's dB grid (labels on the left), the live spectrum on its own dBFS scale (labels on the
//! right), each band's curve and their sum, and a node for each band in use.
//!
//! The gestures are a Pro-Q user's: click empty space to add a band there; drag a node to move
//! its frequency and gain; drag it with Ctrl (or Alt) held, or scroll over it, to change its
//! Q; double-click it to switch it on or off; right-click it for its menu. While a node is
//! hovered or moved, its values are shown beside it; over empty space, where a click would put
//! a band. The view knows nothing of filters: it draws what it is given and reports what the
//! user did as `Action`s.

mod paint;

use egui::{Color32, Pos2, Rect, Sense, Ui, Vec2};

use crate::scale::{DbAxis, FreqAxis};

/// The frequency axis: the bands' own range, so every band has a node to grab.
pub const MIN_HZ: f32 = 10.0;
pub const MAX_HZ: f32 = 22_000.0;
/// The display ranges offered (± dB).
pub const RANGES_DB: [f32; 5] = [3.0, 6.0, 12.0, 24.0, 30.0];
/// The spectrum's own scale (dBFS).
pub const SPECTRUM_TOP_DB: f32 = 0.0;
pub const SPECTRUM_BOTTOM_DB: f32 = -90.0;
/// The display tilt offered for the spectrum, pivoting at 1 kHz: pink noise reads flat.
pub const TILT_DB_PER_OCTAVE: f32 = 4.5;
/// Node radius and the distance within which a press picks a node.
pub const NODE_RADIUS: f32 = 7.0;
pub const HIT_RADIUS: f32 = 12.0;
/// Q changes by a factor of 2 per this many pixels of modifier-drag (up: narrower).
pub const Q_DRAG_PIXELS: f32 = 100.0;
/// A double-click whose first click added a band does not then switch it off.
const ADD_THEN_DOUBLE_CLICK_S: f64 = 0.6;

/// One band as the view shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Node {
    pub freq_hz: f32,
    pub gain_db: f32,
    /// Whether the band is switched on (processing).
    pub enabled: bool,
    /// Whether the band is drawn at all: on, or off but set up (bypassed). An unused band (off
    /// and at its defaults) has no node; a click on empty space brings one.
    pub in_use: bool,
    /// Whether vertical movement means gain (not for cuts, notch and band-pass).
    pub uses_gain: bool,
    pub colour: Color32,
    /// A letter beside the node for a band that acts on part of the stereo image (`M`, `S`,
    /// `L`, `R`); its curve is then drawn dashed.
    pub badge: Option<char>,
}

/// Response curves at `freqs_hz`: one per band (`None` for a band that is off) and their sum.
/// Where bands act on parts of the stereo image, `sum_db` is what the other parts get, and
/// each part a band is placed on has its own total in `components`.
pub struct Curves<'a> {
    pub freqs_hz: &'a [f32],
    pub bands_db: &'a [Option<&'a [f32]>],
    pub sum_db: &'a [f32],
    pub components: &'a [Component<'a>],
}

/// The total response of one part of the stereo image (the mid, the left channel…).
pub struct Component<'a> {
    pub name: &'a str,
    pub colour: Color32,
    pub db: &'a [f32],
}

/// The analyzer's spectra at `freqs_hz`, in dBFS, and what each one is (for the legend).
pub struct Spectrum<'a> {
    pub freqs_hz: &'a [f32],
    pub pre_db: &'a [f32],
    pub post_db: &'a [f32],
    pub names: [&'a str; 2],
}

/// How the view is set up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// The EQ's display range: ±`range_db`.
    pub range_db: f32,
    /// Display tilt of the spectrum in dB per octave around 1 kHz (0: none).
    pub tilt_db_per_octave: f32,
    /// Whether a free band is left for a click to add.
    pub can_add: bool,
}

/// Text the view shows beside a node, or where a band would be added.
pub trait Readout {
    /// A band's values (frequency, gain, Q), in the parameters' own text.
    fn band(&self, band: usize) -> String;
    /// A point of the graph.
    fn point(&self, freq_hz: f32, gain_db: f32) -> String;
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Action {
    Select(usize),
    /// Add a band here (the caller picks which free band).
    Add {
        freq_hz: f32,
        gain_db: f32,
    },
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
    /// ±`range_db` for the EQ; the spectrum on its own dBFS scale.
    pub fn new(rect: Rect, range_db: f32) -> Axes {
        let db_axis = |top_db, bottom_db| DbAxis {
            top_db,
            bottom_db,
            top: rect.top(),
            bottom: rect.bottom(),
        };
        Axes {
            freq: FreqAxis::new(MIN_HZ, MAX_HZ, rect.left(), rect.right()),
            gain: db_axis(range_db, -range_db),
            spectrum: db_axis(SPECTRUM_TOP_DB, SPECTRUM_BOTTOM_DB),
        }
    }

    /// Where a node sits: bands without gain sit on the 0 dB line; gains beyond the display
    /// range sit on its edge (still reachable).
    pub fn node_pos(&self, node: &Node) -> Pos2 {
        let db = if node.uses_gain { node.gain_db } else { 0.0 };
        let db = db.clamp(self.gain.bottom_db, self.gain.top_db);
        Pos2::new(self.freq.x(node.freq_hz), self.gain.y(db))
    }
}

/// The drawn node nearest to `pointer` within `HIT_RADIUS`, preferring enabled ones on ties.
pub fn hit_node(axes: &Axes, nodes: &[Node], pointer: Pos2) -> Option<usize> {
    nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.in_use)
        .map(|(i, n)| (i, axes.node_pos(n).distance(pointer), n.enabled))
        .filter(|(_, d, _)| *d <= HIT_RADIUS)
        .min_by(|a, b| a.1.total_cmp(&b.1).then(b.2.cmp(&a.2)))
        .map(|(i, _, _)| i)
}

/// What the view draws and is given.
pub struct Content<'a> {
    pub nodes: &'a [Node],
    pub curves: &'a Curves<'a>,
    pub spectrum: Option<&'a Spectrum<'a>>,
    pub selected: Option<usize>,
}

/// Draw the view in `size` and return what the user did. `menu` fills the right-click menu
/// of a band's node.
pub fn show(
    ui: &mut Ui,
    size: Vec2,
    settings: &Settings,
    content: &Content,
    readout: &dyn Readout,
    menu: impl FnOnce(&mut Ui, usize),
) -> Vec<Action> {
    let nodes = content.nodes;
    let (rect, response) = ui.allocate_exact_size(size, Sense::click_and_drag());
    let axes = Axes::new(rect, settings.range_db);
    let mut actions = Vec::new();
    let id = response.id.with("drag-mode");
    let added_id = response.id.with("added");
    let menu_band_id = response.id.with("menu-band");
    let (ctrl, press_origin, hover, now_s) = ui.input(|i| {
        (
            i.modifiers.ctrl || i.modifiers.alt,
            i.pointer.press_origin(),
            i.pointer.hover_pos(),
            i.time,
        )
    });
    let menu_was_open = egui::Popup::menu(&response).is_open();

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
    let pointer = hover.filter(|p| rect.contains(*p));
    let under_pointer = pointer.and_then(|p| hit_node(&axes, nodes, p));
    let added: Option<(Pos2, f64)> = ui.memory(|m| m.data.get_temp(added_id));
    let just_added_here = |p: Pos2| {
        added.is_some_and(|(at, t)| {
            at.distance(p) <= HIT_RADIUS && now_s - t <= ADD_THEN_DOUBLE_CLICK_S
        })
    };
    if response.double_clicked() {
        if let Some(band) = under_pointer
            && !pointer.is_some_and(just_added_here)
        {
            actions.push(Action::ToggleEnabled(band));
        }
    } else if response.clicked() && !menu_was_open {
        match (under_pointer, pointer) {
            (Some(band), _) => actions.push(Action::Select(band)),
            (None, Some(p)) if settings.can_add => {
                actions.push(Action::Add {
                    freq_hz: axes.freq.hz(p.x),
                    gain_db: axes.gain.db(p.y),
                });
                ui.memory_mut(|m| m.data.insert_temp(added_id, (p, now_s)));
            }
            _ => {}
        }
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

    // The right-click menu belongs to the node under the pointer when it opened.
    let open = if response.secondary_clicked() {
        if let Some(band) = under_pointer {
            ui.memory_mut(|m| m.data.insert_temp(menu_band_id, band));
            actions.push(Action::Select(band));
        }
        Some(under_pointer.is_some())
    } else if response.clicked() {
        Some(false)
    } else {
        None
    };
    if let Some(band) = ui.memory(|m| m.data.get_temp::<usize>(menu_band_id)) {
        egui::Popup::menu(&response)
            .open_memory(open.map(egui::containers::SetOpenCommand::Bool))
            .at_pointer_fixed()
            .show(|ui| menu(ui, band));
    }

    // Values beside the node being moved, else the one under the pointer; over empty space,
    // where a click would add a band.
    let active = match mode {
        Some(DragMode::Move(b) | DragMode::Q(b)) => Some(b),
        None => under_pointer,
    };
    let label = active.map(|b| (axes.node_pos(&nodes[b]), readout.band(b), nodes[b].colour));
    let ghost = match (pointer, active, mode) {
        (Some(p), None, None) if !menu_was_open => {
            let text = if settings.can_add {
                readout.point(axes.freq.hz(p.x), axes.gain.db(p.y))
            } else {
                "all bands in use".to_string()
            };
            Some((p, text))
        }
        _ => None,
    };
    paint::view(
        &ui.painter_at(rect),
        &paint::Scene {
            rect,
            axes: &axes,
            settings,
            content,
            hovered: under_pointer,
            label,
            ghost,
        },
    );
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(freq_hz: f32, gain_db: f32, enabled: bool, uses_gain: bool) -> Node {
        Node {
            freq_hz,
            gain_db,
            enabled,
            in_use: true,
            uses_gain,
            colour: Color32::WHITE,
            badge: None,
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
        // 10 Hz … 22 kHz over 300 px; +12 dB is a quarter of the way down from +24.
        let p = axes.node_pos(&nodes[0]);
        let x = 10.0 + 300.0 * (20f32).ln() / (2200f32).ln();
        assert!((p.x - x).abs() < 1e-3 && (p.y - 70.0).abs() < 1e-3, "{p:?}");
        // A gainless band sits on 0 dB whatever its gain value.
        assert!((axes.node_pos(&nodes[2]).y - 120.0).abs() < 1e-3);
        assert_eq!(hit_node(&axes, &nodes, p + Vec2::new(5.0, -5.0)), Some(0));
        assert_eq!(hit_node(&axes, &nodes, p + Vec2::new(20.0, 0.0)), None);
        let p1 = axes.node_pos(&nodes[1]);
        assert_eq!(hit_node(&axes, &nodes, p1), Some(1));
        // Back from pixels to values.
        assert!((axes.freq.hz(p1.x) - 2000.0).abs() < 0.5);
        assert!((axes.gain.db(p1.y) + 6.0).abs() < 1e-4);
        // The axis ends are the bands' range ends.
        assert!((axes.freq.x(MIN_HZ) - 10.0).abs() < 1e-3);
        assert!((axes.freq.x(MAX_HZ) - 310.0).abs() < 1e-3);
    }

    #[test]
    fn nodes_beyond_the_range_sit_on_its_edge_and_unused_ones_are_not_hit() {
        let rect = Rect::from_min_size(Pos2::ZERO, Vec2::new(300.0, 200.0));
        let axes = Axes::new(rect, 6.0);
        let mut nodes = [node(1000.0, 12.0, true, true)];
        assert_eq!(axes.node_pos(&nodes[0]).y, 0.0);
        let p = axes.node_pos(&nodes[0]);
        assert_eq!(hit_node(&axes, &nodes, p), Some(0));
        nodes[0].in_use = false;
        assert_eq!(hit_node(&axes, &nodes, p), None);
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
