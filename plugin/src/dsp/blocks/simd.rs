//! What the SIMD kernels share: a multiply-add that is fused where the CPU can, and the choice
//! of instruction set (`Isa`), made once per processor.

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

/// The instruction sets a processor's kernels may use: detected once, when the processor is
/// built (never per call), and kept in it. A kernel compiled for a set runs only when the
/// processor's `Isa` has it; that check is what makes calling it sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Isa {
    /// Plain Rust; the compiler's baseline (SSE2 on x86-64).
    Portable,
    /// AVX2 with FMA (x86-64-v3).
    Avx2Fma,
    /// AVX-512F, on top of AVX2 and FMA.
    Avx512,
}

impl Isa {
    /// The best the CPU runs.
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2_fma = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
            if avx2_fma && is_x86_feature_detected!("avx512f") {
                return Isa::Avx512;
            }
            if avx2_fma {
                return Isa::Avx2Fma;
            }
        }
        Isa::Portable
    }

    /// Whether AVX2 + FMA kernels may run.
    pub fn avx2_fma(self) -> bool {
        self >= Isa::Avx2Fma
    }

    /// Whether AVX-512F kernels may run.
    pub fn avx512(self) -> bool {
        self >= Isa::Avx512
    }

    /// Every set this CPU runs, from `Portable` up: for tests that compare the kernels.
    pub fn available() -> Vec<Isa> {
        let found = Isa::detect();
        [Isa::Portable, Isa::Avx2Fma, Isa::Avx512]
            .into_iter()
            .filter(|isa| *isa <= found)
            .collect()
    }
}
