//! The standalone host's parts, as a library so tests reach them: the duplex engine, drift
//! control, the resampler and the device layers.

pub mod device;
pub mod drift;
pub mod duplex;
pub mod resampler;
