//! What the SIMD kernels share: a multiply-add that is fused where the CPU can, and the CPU
//! feature checks that pick a kernel.

/// `a·b + c`. `f64::mul_add` is a library call without hardware FMA, so kernels are generic
/// over this and the FMA version is only used inside functions compiled with `fma` enabled.
pub trait MulAdd {
    fn madd(a: f64, b: f64, c: f64) -> f64;
}

/// Fused multiply-add (one rounding). Only for code compiled with the `fma` target feature.
pub struct Fused;

impl MulAdd for Fused {
    #[inline(always)]
    fn madd(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}

/// Separate multiply and add: portable.
pub struct Plain;

impl MulAdd for Plain {
    #[inline(always)]
    fn madd(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
}

/// Whether the CPU runs AVX2 with FMA (x86-64-v3). Cached by the standard library.
#[inline]
pub fn has_avx2_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// Whether the CPU runs AVX-512F.
#[inline]
pub fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx512f")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}
