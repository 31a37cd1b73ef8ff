//! A private JACK server on its dummy driver (paced in real time, no sound card needed) for
//! the tests that run real cpal streams.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Server xruns in a run beyond which the dummy JACK server itself is not keeping time (on
/// this shared VM it sometimes misses most of its cycles' deadlines: 58 in 8 s in one run).
/// Each xrun may skip one of two clients' cycles, which moves the ring's fill for real and
/// costs an underrun until the margin has learned it: such a run says nothing about us.
pub const XRUN_STORM: u64 = 20;

/// A jackd on the dummy driver (`rate_hz`, 256 frames) with a name of its own, real-time
/// scheduled where the system allows it (it carries on without); stopped on drop.
pub struct JackServer {
    child: Child,
    pub name: String,
}

impl JackServer {
    /// Start it and wait until a client can connect (10 s at most).
    pub fn start(tag: &str, rate_hz: u32) -> JackServer {
        let name = format!("strata-{tag}-{}", std::process::id());
        let child = Command::new("jackd")
            .args(["-n", &name, "-d", "dummy", "-r", &rate_hz.to_string(), "-p", "256"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("jackd (Debian package jackd2) must be installed: it is in scripts/debian-packages.txt");
        let server = JackServer { child, name };
        let deadline = Instant::now() + Duration::from_secs(10);
        while server.client("probe").is_err() {
            assert!(Instant::now() < deadline, "the JACK server did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
        server
    }

    /// A client of this server.
    pub fn client(&self, name: &str) -> Result<jack::Client, jack::Error> {
        // SAFETY: the tests that use a JACK server set this before any of their threads read
        // the environment for JACK, and only to this server's name.
        unsafe { std::env::set_var("JACK_DEFAULT_SERVER", &self.name) };
        jack::Client::new(name, jack::ClientOptions::NO_START_SERVER).map(|(client, _)| client)
    }
}

impl Drop for JackServer {
    /// SIGTERM first: a killed jackd leaves its registration in /dev/shm, and after a handful
    /// of those no new server starts ("Too many servers already active").
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
