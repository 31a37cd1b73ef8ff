//! ALSA's library errors through the program's logging instead of raw on stderr: the C
//! handler (`alsa_log.c`) formats each message and hands it here, where it is kept and shown
//! as one note ("ALSA said: … and 15 more"), or printed as it comes with `STRATA_ALSA_LOG=1`.
//!
//! ALSA calls the handler on whichever thread used it (cpal's stream threads included, never
//! inside the engine's callbacks): it only tries the lock, and keeps a bounded number.

use std::ffi::{CStr, c_char};
use std::sync::{Mutex, OnceLock};

/// Lines kept until shown: a machine without a sound card says eight per device opened.
const KEEP: usize = 256;

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// `STRATA_ALSA_LOG` is set: print each message as it comes (read once, by `route`).
static VERBOSE: OnceLock<bool> = OnceLock::new();

unsafe extern "C" {
    fn strata_alsa_route_errors(sink: extern "C" fn(*const c_char));
}

extern "C" fn keep(line: *const c_char) {
    // SAFETY: the handler passes a NUL-terminated buffer that lives for this call.
    let text = unsafe { CStr::from_ptr(line) }
        .to_string_lossy()
        .into_owned();
    if VERBOSE.get().copied().unwrap_or(false) {
        eprintln!("alsa: {text}");
    } else if let Ok(mut lines) = LINES.try_lock()
        && lines.len() < KEEP
    {
        lines.push(text);
    }
}

/// Route ALSA's messages here from now on: call before anything opens ALSA.
pub fn route() {
    VERBOSE.get_or_init(|| std::env::var_os("STRATA_ALSA_LOG").is_some());
    // SAFETY: installs a handler with the signature the C side expects; `keep` lives forever.
    unsafe { strata_alsa_route_errors(keep) }
}

/// What ALSA said since the last call, as one note.
pub fn note() -> Option<String> {
    let lines = std::mem::take(&mut *LINES.lock().ok()?);
    let first = lines.first()?;
    let more = match lines.len() - 1 {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Some(format!(
        "ALSA said: {first}{more} (STRATA_ALSA_LOG=1 prints each as it comes)"
    ))
}
