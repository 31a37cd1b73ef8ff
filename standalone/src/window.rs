//! The plugin's editor in a top-level window (baseview, through nice-plug's `Editor`).

use nice_plug::context::gui::GuiContext;
use nice_plug::editor::{Editor, EditorHandle};
use nice_plug_egui::EguiEditor;
use strata::editor::StrataEditor;

/// Open `editor` talking to `context` and run its window until the user closes it.
pub fn run_until_closed(
    editor: EguiEditor<StrataEditor>,
    context: GuiContext,
) -> Result<(), String> {
    let spawned = editor
        .spawn(None, false, None, context, None)
        .map_err(|e| format!("could not open the editor window: {e}"))?;
    <EguiEditor<StrataEditor> as Editor>::Handle::run_until_closed(spawned.window)
        .map_err(|e| format!("the editor window failed: {e}"))
}
