//! The plugin's editor in a top-level window (baseview, through nice-plug's `Editor`), with
//! the program's status line in its header.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use nice_plug::context::gui::GuiContext;
use nice_plug::editor::{Editor, EditorHandle};
use nice_plug_egui::{EguiEditor, RepaintNotifier};
use strata::editor::{EmbeddingHost, StrataEditor};

/// What the editor's header shows (devices, rates, drift, latency, xruns), and a way to close
/// the window from another thread. GUI-side only: the audio thread never touches it.
pub struct WindowStatus {
    line: Mutex<Option<String>>,
    close: AtomicBool,
    /// Set once the editor exists: the flag its window polls.
    repaint: Mutex<Option<RepaintNotifier>>,
}

impl WindowStatus {
    pub fn new() -> Arc<WindowStatus> {
        Arc::new(WindowStatus {
            line: Mutex::new(None),
            close: AtomicBool::new(false),
            repaint: Mutex::new(None),
        })
    }

    /// Show `line` in the header from the next repaint on; with `repaint`, ask for one now.
    /// (Every repaint redraws the whole window: a host refreshing figures that change all the
    /// time should ask only when something the user must see changed, or now and then.)
    pub fn set(&self, line: Option<String>, repaint: bool) {
        if let Ok(mut current) = self.line.lock()
            && *current != line
        {
            *current = line;
            if repaint {
                self.repaint();
            }
        }
    }

    /// Ask the window to close (the program is stopping).
    pub fn close_window(&self) {
        self.close.store(true, Ordering::Relaxed);
        self.repaint();
    }

    fn repaint(&self) {
        if let Ok(Some(r)) = self.repaint.lock().as_deref() {
            r.request_repaint();
        }
    }
}

impl EmbeddingHost for WindowStatus {
    fn status_line(&self) -> Option<String> {
        self.line.lock().ok().and_then(|l| l.clone())
    }

    fn close_requested(&self) -> bool {
        self.close.load(Ordering::Relaxed)
    }

    fn attach(&self, repaint: RepaintNotifier) {
        if let Ok(mut r) = self.repaint.lock() {
            *r = Some(repaint);
        }
    }
}

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
