//! Signal processing, free of any plugin-framework type so it can be tested and benchmarked
//! without a host. One folder per stage of the strip, over shared building blocks:
//!
//! - `eq/`: the 8-band parametric EQ;
//! - `dynamics/compressor/`, `dynamics/limiter/`: the compressor and the true-peak limiter;
//! - `meter/`: level, true-peak and loudness meters;
//! - `blocks/`: what more than one stage uses (biquads, the Kaiser window, fades, SIMD
//!   selection, fast math, a sliding minimum), one copy each.

pub mod blocks;
pub mod dynamics;
pub mod eq;
pub mod meter;
