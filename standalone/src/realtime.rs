//! Real-time scheduling for the threads on the audio path, so that nothing else on the machine
//! — the editor's software rendering takes most of a core — can delay a callback.
//!
//! The supervisor promotes the device threads once they exist, from outside: found by name in
//! `/proc/self/task` (cpal's ALSA threads, the simulated devices' clocks) and set to
//! `SCHED_FIFO` by thread id, so the audio threads themselves make no system call for it.
//! JACK's process thread is the server's business (real-time when the server is); it is only
//! reported. cpal's own `realtime` feature was not used: on Linux it asks rtkit over D-Bus
//! only, which a machine without a session bus (or a user with an `rtprio` limit) lacks.

use std::fmt;

/// The priority asked for: above the kernel's interrupt threads (50), as JACK and PipeWire
/// set theirs.
pub const PRIORITY: i32 = 80;

/// Thread names (as `/proc/…/comm` shows them, at most 15 bytes) of the device threads the
/// program can promote.
pub const AUDIO_THREADS: [&str; 4] = [
    "cpal_alsa_in",
    "cpal_alsa_out",
    "strata-sim-in",
    "strata-sim-out",
];

/// How the audio server's threads (JACK's) are named in the report.
const AUDIO_SERVER: &str = "the audio server's";

/// A policy flag (libc lacks it): threads the audio thread might start must not inherit
/// real-time scheduling. `sched_getscheduler` reports it with the policy.
const SCHED_RESET_ON_FORK: libc::c_int = 0x4000_0000;

/// What the audio threads got.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scheduling {
    /// Threads on the audio path and the real-time priority each runs at (None: normal).
    pub threads: Vec<(String, Option<i32>)>,
    /// Why promotion failed, if it did.
    pub denied: Option<String>,
}

impl fmt::Display for Scheduling {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(why) = &self.denied {
            return write!(f, "audio threads at normal priority: {why}");
        }
        let priorities: Vec<i32> = self.threads.iter().filter_map(|(_, p)| *p).collect();
        match (priorities.iter().min(), priorities.iter().max()) {
            (Some(lo), Some(hi)) if lo == hi => {
                write!(f, "audio threads: real-time priority {lo}")?
            }
            (Some(lo), Some(hi)) => write!(f, "audio threads: real-time priority {lo}–{hi}")?,
            _ => return write!(f, "audio threads: none found to promote"),
        }
        // Each name once, with a count where several threads share it.
        let mut names: Vec<(&str, usize)> = Vec::new();
        for (name, _) in &self.threads {
            match names.iter_mut().find(|(n, _)| n == name) {
                Some((_, count)) => *count += 1,
                None => names.push((name, 1)),
            }
        }
        let names: Vec<String> = names
            .into_iter()
            .map(|(n, count)| match count {
                1 => n.to_string(),
                _ => format!("{n} ×{count}"),
            })
            .collect();
        write!(f, " ({})", names.join(", "))
    }
}

/// Promote every audio thread of this process that is not real-time yet, and report what
/// each runs at (JACK's threads, already real-time, included).
pub fn promote_audio_threads() -> Scheduling {
    let mut report = Scheduling::default();
    for (tid, name) in threads() {
        let ours = AUDIO_THREADS.contains(&name.as_str());
        let now = realtime_priority(tid);
        if ours
            && now.is_none()
            && let Err(why) = promote(tid)
        {
            report.denied.get_or_insert(why);
        }
        // Real-time threads that are not ours are the audio server's (JACK's process thread,
        // named after the thread that opened the client: no name to show).
        if ours {
            report.threads.push((name, realtime_priority(tid)));
        } else if now.is_some() {
            report.threads.push((AUDIO_SERVER.to_string(), now));
        }
    }
    report
}

/// This process's threads: (thread id, name).
fn threads() -> Vec<(i32, String)> {
    let Ok(dir) = std::fs::read_dir("/proc/self/task") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|entry| {
            let tid = entry.file_name().to_str()?.parse().ok()?;
            let name = std::fs::read_to_string(entry.path().join("comm")).ok()?;
            Some((tid, name.trim_end().to_string()))
        })
        .collect()
}

/// The thread's real-time priority, or None if it runs at normal priority.
fn realtime_priority(tid: i32) -> Option<i32> {
    // SAFETY: plain system calls on a thread id with a sched_param we own.
    let (policy, param) = unsafe {
        let mut param: libc::sched_param = std::mem::zeroed();
        let policy = libc::sched_getscheduler(tid) & !SCHED_RESET_ON_FORK;
        (
            policy,
            (libc::sched_getparam(tid, &mut param) == 0).then_some(param),
        )
    };
    let realtime = policy == libc::SCHED_FIFO || policy == libc::SCHED_RR;
    param.filter(|_| realtime).map(|p| p.sched_priority)
}

/// Set the thread to `SCHED_FIFO` at `PRIORITY`, or at the user's `RLIMIT_RTPRIO` where that
/// is lower but not zero.
fn promote(tid: i32) -> Result<(), String> {
    let limit = rtprio_limit();
    let priority = match limit {
        Some(0) => return Err(not_permitted("RLIMIT_RTPRIO is 0")),
        Some(l) => PRIORITY.min(l as i32),
        None => PRIORITY,
    };
    let param = libc::sched_param {
        sched_priority: priority,
    };
    // SAFETY: a system call on a thread id with a sched_param we own.
    let result =
        unsafe { libc::sched_setscheduler(tid, libc::SCHED_FIFO | SCHED_RESET_ON_FORK, &param) };
    if result == 0 {
        return Ok(());
    }
    let error = std::io::Error::last_os_error();
    Err(match error.raw_os_error() {
        Some(libc::EPERM) => not_permitted("the system refused it"),
        _ => format!("cannot set real-time scheduling: {error}"),
    })
}

/// The soft `RLIMIT_RTPRIO`, or None when unlimited (root, CAP_SYS_NICE).
fn rtprio_limit() -> Option<u64> {
    // SAFETY: getrlimit fills the struct we own.
    let limit = unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        (libc::getrlimit(libc::RLIMIT_RTPRIO, &mut limit) == 0).then_some(limit)
    };
    let is_root = unsafe { libc::geteuid() } == 0;
    match limit {
        _ if is_root => None,
        Some(l) if l.rlim_cur == libc::RLIM_INFINITY => None,
        Some(l) => Some(l.rlim_cur),
        None => Some(0),
    }
}

fn not_permitted(why: &str) -> String {
    format!(
        "real-time scheduling not permitted ({why}): add yourself to the audio group \
         (`sudo usermod -aG audio $USER`, with an rtprio limit in /etc/security/limits.d) \
         and log in again"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_thread_is_promoted_or_the_reason_is_given() {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (running_tx, running) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("strata-sim-in".into())
            .spawn(move || {
                // Named by now: the name is set as the thread starts.
                running_tx.send(()).unwrap();
                let _ = rx.recv();
            })
            .unwrap();
        running.recv().unwrap();
        let report = promote_audio_threads();
        println!("{report}");
        let ours = report.threads.iter().find(|(n, _)| n == "strata-sim-in");
        let ours = ours.expect("the thread is found by its name");
        // Root or an rtprio limit: promoted; otherwise the line says why not.
        match &report.denied {
            None => assert!(ours.1.is_some_and(|p| p > 0 && p <= PRIORITY), "{report:?}"),
            Some(why) => assert!(why.contains("audio group"), "{why}"),
        }
        tx.send(()).unwrap();
        thread.join().unwrap();
    }

    #[test]
    fn the_report_names_each_kind_of_thread_once() {
        let report = Scheduling {
            threads: vec![
                ("strata-sim-out".into(), Some(80)),
                (AUDIO_SERVER.into(), Some(5)),
                (AUDIO_SERVER.into(), Some(5)),
            ],
            denied: None,
        };
        assert_eq!(
            report.to_string(),
            "audio threads: real-time priority 5–80 (strata-sim-out, the audio server's ×2)"
        );
    }
}
