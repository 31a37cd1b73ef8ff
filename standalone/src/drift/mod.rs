//! Drift control: keeps the input ring's fill — the latency — constant while the input and
//! output clocks wander, as alsa_in, zita-ajbridge and PipeWire do.
//!
//! Two pieces:
//! - `CallbackClock` (`clock.rs`): each device's true line — when each frame passed, at what
//!   rate — from callback instants that come late by varying amounts;
//! - `DriftLoop` (`control.rs`): the resampler's correction, the two lines' rate ratio plus
//!   a trim on the ring's fill, estimated at one instant on both lines (input frames passed by
//!   then, minus frames consumed).
//!
//! Measuring the fill at callback times directly would see a sawtooth of up to a whole input
//! period (the phase between the two callbacks) plus the callbacks' lateness; the lines
//! remove both, so the correction — the pitch — stays nearly constant.

mod clock;
mod control;
mod record;

pub use clock::{Anchor, CallbackClock, ClockLine, Late, MIN_FIT_SPAN_S};
pub use control::DriftLoop;
pub use record::{AfterLock, LockRecord};
