//! Signal processing, free of any plugin-framework type so it can be tested and benchmarked
//! without a host.

pub mod analysis;
pub mod compressor;
pub mod eq;
pub mod fade;
pub mod fastmath;
pub mod limiter;
pub mod meter;
pub mod simd;
pub mod sliding_min;
pub mod true_peak;
