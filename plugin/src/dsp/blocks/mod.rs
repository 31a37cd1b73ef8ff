//! Building blocks more than one stage uses, one copy each.

pub mod biquad;
pub mod delay;
pub mod fade;
pub mod fastmath;
pub mod kaiser;
pub mod section;
pub mod simd;
pub mod sliding_min;
