//! What a host that embeds the editor itself (the standalone program) shows in its header: a
//! status line (devices, rates, drift, latency, xruns), and a way to close the window from
//! another thread. GUI-side only: the audio thread never touches it. In a DAW it stays empty.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use nice_plug_egui::RepaintNotifier;

#[derive(Clone)]
pub struct HostStatus {
    line: Arc<Mutex<Option<String>>>,
    close: Arc<AtomicBool>,
    repaint: RepaintNotifier,
}

impl HostStatus {
    pub fn new(repaint: RepaintNotifier) -> HostStatus {
        HostStatus {
            line: Arc::new(Mutex::new(None)),
            close: Arc::new(AtomicBool::new(false)),
            repaint,
        }
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
                self.repaint.request_repaint();
            }
        }
    }

    pub fn line(&self) -> Option<String> {
        self.line.lock().ok().and_then(|l| l.clone())
    }

    /// Ask the window to close (the host is stopping).
    pub fn close_window(&self) {
        self.close.store(true, Ordering::Relaxed);
        self.repaint.request_repaint();
    }

    pub fn close_requested(&self) -> bool {
        self.close.load(Ordering::Relaxed)
    }
}
