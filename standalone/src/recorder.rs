//! Recording the processed output: the output callback pushes frames into an `rtrb` ring
//! (`OutputSide::record_into`); a writer thread drains it into a WAV file. Frames the ring had
//! no room for are counted, never waited for. Finishing (window closed, Ctrl-C, end of run)
//! drains what is left and finalizes the file's header.
//!
//! A WAV file has one rate. When the session re-opens the output at another rate (a device
//! came back differently), the frames already queued are written out first, that file is
//! finalized, and the recording goes on in a new file beside it (`take-2.wav`, …) at the new
//! rate: nothing is written at a rate it was not played at.

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
    thread: Option<JoinHandle<Result<Vec<PathBuf>, String>>>,
}

/// What the session holds of a recording: the ring the output callback writes into (while an
/// engine runs, it lives in the engine's output side) and the rate the frames are played at.
pub struct RecordTap {
    pub ring: Option<rtrb::Producer<f32>>,
    rate_hz: Arc<AtomicU32>,
}

impl RecordTap {
    /// The frames pushed from now on play at `rate_hz`. If that is a new rate, wait (at most
    /// `DRAIN_WAIT`) for the writer to take every frame of the old one first. Called by the
    /// session while no engine runs (the ring is here), never on the audio thread.
    pub fn set_rate(&mut self, rate_hz: u32) {
        let old = self.rate_hz.load(Ordering::Acquire);
        if old == rate_hz {
            return;
        }
        if let Some(ring) = &self.ring {
            let start = std::time::Instant::now();
            while ring.slots() < ring.buffer().capacity() && start.elapsed() < DRAIN_WAIT {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        self.rate_hz.store(rate_hz, Ordering::Release);
    }
}

/// How long a rate change waits for the writer to drain the old rate's frames.
const DRAIN_WAIT: Duration = Duration::from_secs(5);

/// The `n`th file of a recording (1: `path` itself; then `stem-n.ext` beside it).
pub fn segment_path(path: &Path, n: usize) -> PathBuf {
    if n <= 1 {
        return path.to_path_buf();
    }
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
    let name = match ext {
        Some(ext) => format!("{}-{n}.{ext}", stem.unwrap_or_default()),
        None => format!("{}-{n}", stem.unwrap_or_default()),
    };
    path.with_file_name(name)
}

impl Recorder {
    /// Create `path` (stereo) and the ring the output callback writes into. The file's rate is
    /// the output's, known once the devices run: frames wait in the ring until the session
    /// sets it through the tap.
    pub fn start(path: &Path, bits: Bits) -> Result<(Recorder, RecordTap), String> {
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
                    let fail =
                        |p: &Path, e: hound::Error| format!("writing {} failed: {e}", p.display());
                    // The open file, its path and its rate.
                    let mut writer: Option<(wav::Writer, PathBuf, u32)> = None;
                    let mut files = Vec::new();
                    loop {
                        // Read the flag first: whatever was pushed before it was set is drained.
                        let stopping = stop.load(Ordering::Acquire);
                        let rate = rate.load(Ordering::Acquire);
                        let n = consumer.slots() - consumer.slots() % 2;
                        // A new rate comes only once the old one's frames are all taken (the
                        // tap waits for that), so a file holds one rate.
                        if rate > 0 && writer.as_ref().is_none_or(|w| w.2 != rate) {
                            if let Some((w, p, _)) = writer.take() {
                                w.finalize().map_err(|e| fail(&p, e))?;
                            }
                            let p = segment_path(&path, files.len() + 1);
                            writer = Some((wav::writer(&p, 2, rate, bits)?, p.clone(), rate));
                            files.push(p);
                        }
                        match &mut writer {
                            Some((w, p, _)) if n > 0 => {
                                let chunk = consumer.read_chunk(n).expect("n slots are there");
                                let (a, b) = chunk.as_slices();
                                for s in a.iter().chain(b) {
                                    wav::write_sample(w, bits, *s).map_err(|e| fail(p, e))?;
                                }
                                chunk.commit_all();
                                written.fetch_add(n as u64 / 2, Ordering::Relaxed);
                            }
                            _ if stopping => {
                                if let Some((w, p, _)) = writer {
                                    w.finalize().map_err(|e| fail(&p, e))?;
                                }
                                return Ok(files);
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
                thread: Some(thread),
            },
            RecordTap {
                ring: Some(producer),
                rate_hz,
            },
        ))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn written_frames(&self) -> u64 {
        self.written_frames.load(Ordering::Relaxed)
    }

    /// Drain the ring, finalize the files; the frames written and the files, in order (more
    /// than one if the output's rate changed during the recording).
    pub fn finish(mut self) -> Result<(u64, Vec<PathBuf>), String> {
        self.stop.store(true, Ordering::Release);
        let result = match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            Some(Err(_)) => Err("the recorder thread panicked".into()),
            None => Ok(Vec::new()),
        };
        result.map(|files| (self.written_frames(), files))
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
