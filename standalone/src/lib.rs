//! The standalone host's parts, as a library so tests reach them: the duplex engine, drift
//! control, the resampler, the device layers and their scheduling, recording and offline rendering.

pub mod device;
pub mod drift;
pub mod duplex;
pub mod host;
pub mod realtime;
pub mod recorder;
pub mod render;
pub mod resampler;
pub mod session;
pub mod settings;
pub mod status;
pub mod wav;
