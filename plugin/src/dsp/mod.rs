//! Signal processing, free of any plugin-framework type so it can be tested and benchmarked
//! without a host.

pub mod analysis;
pub mod eq;
pub mod fade;
pub mod simd;
