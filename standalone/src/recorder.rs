//! Recording the processed output: the output callback pushes frames into an `rtrb` ring
//! (`OutputSide::record_into`); a writer thread drains it into a WAV file. Frames the ring had
//! no room for are counted, never waited for. Finishing (window closed, Ctrl-C, end of run)
//! drains what is left and finalizes the file's header.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::wav::{self, Bits};

/// Stereo frames the ring holds: 4 s at 192 kHz. The writer thread may stall that long (a slow
/// disk) before frames are dropped.
const RING_FRAMES: usize = 4 * 192_000;

pub struct Recorder {
    path: PathBuf,
    stop: Arc<AtomicBool>,
    written_frames: Arc<AtomicU64>,
    rate_hz: Arc<AtomicU32>,
    thread: Option<JoinHandle<Result<(), String>>>,
}

impl Recorder {
    /// Create `path` (stereo) and the ring the output callback writes into. The file's rate is
    /// the output's, known once the devices run: frames wait in the ring until `set_rate`.
    pub fn start(path: &Path, bits: Bits) -> Result<(Recorder, rtrb::Producer<f32>), String> {
        // Fail now, not when the devices run, if the file cannot be made.
        std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        let (producer, mut consumer) = rtrb::RingBuffer::new(2 * RING_FRAMES);
        let stop = Arc::new(AtomicBool::new(false));
        let written_frames = Arc::new(AtomicU64::new(0));
        let rate_hz = Arc::new(AtomicU32::new(0));
        let thread = {
            let (stop, written, rate) = (stop.clone(), written_frames.clone(), rate_hz.clone());
            let path = path.to_path_buf();
            std::thread::Builder::new()
                .name("strata-recorder".into())
                .spawn(move || {
                    let shown = path.display().to_string();
                    let fail = |e: hound::Error| format!("writing {shown} failed: {e}");
                    let mut writer = None;
                    loop {
                        // Read the flag first: whatever was pushed before it was set is drained.
                        let stopping = stop.load(Ordering::Acquire);
                        let rate = rate.load(Ordering::Acquire);
                        if writer.is_none() && rate > 0 {
                            writer = Some(wav::writer(&path, 2, rate, bits)?);
                        }
                        let n = consumer.slots() - consumer.slots() % 2;
                        match &mut writer {
                            Some(w) if n > 0 => {
                                let chunk = consumer.read_chunk(n).expect("n slots are there");
                                let (a, b) = chunk.as_slices();
                                for s in a.iter().chain(b) {
                                    wav::write_sample(w, bits, *s).map_err(fail)?;
                                }
                                chunk.commit_all();
                                written.fetch_add(n as u64 / 2, Ordering::Relaxed);
                            }
                            _ if stopping => {
                                return match writer {
                                    Some(w) => w.finalize().map_err(fail),
                                    None => Ok(()),
                                };
                            }
                            _ => std::thread::sleep(Duration::from_millis(20)),
                        }
                    }
                })
                .map_err(|e| format!("cannot start the recorder: {e}"))?
        };
        Ok((
            Recorder {
                path: path.to_path_buf(),
                stop,
                written_frames,
                rate_hz,
                thread: Some(thread),
            },
            producer,
        ))
    }

    /// The output's rate: the file is written at it from now on.
    pub fn set_rate(&self, rate_hz: u32) {
        let _ = self
            .rate_hz
            .compare_exchange(0, rate_hz, Ordering::AcqRel, Ordering::Relaxed);
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn written_frames(&self) -> u64 {
        self.written_frames.load(Ordering::Relaxed)
    }

    /// Drain the ring, finalize the file; the frames written.
    pub fn finish(mut self) -> Result<u64, String> {
        self.stop.store(true, Ordering::Release);
        let result = match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err("the recorder thread panicked".into()),
            None => Ok(()),
        };
        result.map(|()| self.written_frames())
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
