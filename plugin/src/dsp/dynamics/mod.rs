//! The dynamics stages: the compressor and the true-peak limiter.

pub mod compressor;
pub mod limiter;
