//! Colours and spacing shared by every widget.

use egui::{Color32, Context, CornerRadius, Stroke, Visuals};

pub const BACKGROUND: Color32 = Color32::from_rgb(0x16, 0x18, 0x1d);
pub const PANEL: Color32 = Color32::from_rgb(0x1f, 0x22, 0x29);
pub const PANEL_RAISED: Color32 = Color32::from_rgb(0x2a, 0x2e, 0x37);
pub const GRID: Color32 = Color32::from_rgb(0x2e, 0x33, 0x3d);
/// A knob's track: visible on the knob's face (about 1.8:1) even where no value arc covers it.
pub const KNOB_TRACK: Color32 = Color32::from_rgb(0x4b, 0x52, 0x61);
pub const TEXT: Color32 = Color32::from_rgb(0xd8, 0xdc, 0xe3);
pub const TEXT_DIM: Color32 = Color32::from_rgb(0x8a, 0x91, 0x9e);
pub const ACCENT: Color32 = Color32::from_rgb(0x4f, 0xc3, 0xf7);
pub const WARN: Color32 = Color32::from_rgb(0xff, 0xb7, 0x4d);
pub const CLIP: Color32 = Color32::from_rgb(0xef, 0x53, 0x50);
pub const METER_LOW: Color32 = Color32::from_rgb(0x66, 0xbb, 0x6a);
pub const GAIN_REDUCTION: Color32 = Color32::from_rgb(0xff, 0x8a, 0x65);
/// The analyzer: input spectrum (line), output spectrum (line over a fill), and its dBFS scale.
/// The fill stands at about 1.9:1 against the panel, the lines and the scale at 5:1 or more.
pub const SPECTRUM_PRE: Color32 = Color32::from_rgb(0x9a, 0xa3, 0xb3);
pub const SPECTRUM_POST: Color32 = Color32::from_rgb(0x5f, 0xa8, 0xd8);
pub const SPECTRUM_POST_FILL: Color32 = Color32::from_rgb(0x26, 0x50, 0x6f);
pub const SPECTRUM_SCALE: Color32 = Color32::from_rgb(0x6f, 0x9f, 0xc0);

/// The totals of the parts of the stereo image bands can be placed on: mid, side, left, right.
pub const PLACEMENT_COLOURS: [Color32; 4] = [
    Color32::from_rgb(0xf0, 0xc8, 0x78),
    Color32::from_rgb(0xb3, 0x9d, 0xdb),
    Color32::from_rgb(0x80, 0xd8, 0xc0),
    Color32::from_rgb(0xf4, 0x8f, 0xb1),
];

/// One colour per EQ band, distinct on the dark background.
pub const BAND_COLOURS: [Color32; 8] = [
    Color32::from_rgb(0xef, 0x53, 0x50),
    Color32::from_rgb(0xff, 0xa7, 0x26),
    Color32::from_rgb(0xff, 0xee, 0x58),
    Color32::from_rgb(0x66, 0xbb, 0x6a),
    Color32::from_rgb(0x26, 0xc6, 0xda),
    Color32::from_rgb(0x42, 0xa5, 0xf5),
    Color32::from_rgb(0xab, 0x47, 0xbc),
    Color32::from_rgb(0xec, 0x40, 0x7a),
];

/// Apply the Strata look to an egui context.
pub fn apply(ctx: &Context) {
    let mut visuals = Visuals::dark();
    visuals.panel_fill = BACKGROUND;
    visuals.window_fill = PANEL;
    visuals.extreme_bg_color = BACKGROUND;
    visuals.widgets.noninteractive.bg_stroke = Stroke::new(1.0, GRID);
    visuals.widgets.noninteractive.fg_stroke = Stroke::new(1.0, TEXT);
    visuals.selection.bg_fill = ACCENT.gamma_multiply(0.5);
    visuals.window_corner_radius = CornerRadius::same(6);
    ctx.set_visuals(visuals);
}
