//! Flush-to-zero while processing: denormal numbers (a decaying filter tail) are up to a
//! hundred times slower on x86, and clap-validator warns about a plugin that produces them.
//! The guard sets the current thread's flags and restores the host's when it is dropped, so
//! the host's own code never runs with ours.

use std::marker::PhantomData;

/// Sets flush-to-zero (and denormals-are-zero on x86) for the current thread while it lives.
pub struct FlushDenormals {
    #[cfg(target_arch = "x86_64")]
    mxcsr: u32,
    #[cfg(target_arch = "aarch64")]
    fpcr: u64,
    /// The flags belong to one thread: the guard must stay on it.
    _not_send: PhantomData<*const ()>,
}

#[cfg(target_arch = "x86_64")]
const FTZ_DAZ: u32 = 0x8040;
#[cfg(target_arch = "aarch64")]
const FZ: u64 = 1 << 24;

impl FlushDenormals {
    /// Runs on the audio thread: must not allocate or block (two register accesses).
    #[allow(deprecated)] // `_mm_getcsr`/`_mm_setcsr` are deprecated for general use; this is the use.
    pub fn new() -> FlushDenormals {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_getcsr, _mm_setcsr};
            // SAFETY: SSE is part of x86-64; FTZ and DAZ change only how this thread rounds
            // tiny results, which the code run under the guard is written to accept.
            let mxcsr = unsafe { _mm_getcsr() };
            // SAFETY: as above.
            unsafe { _mm_setcsr(mxcsr | FTZ_DAZ) };
            FlushDenormals {
                mxcsr,
                _not_send: PhantomData,
            }
        }
        #[cfg(target_arch = "aarch64")]
        {
            let fpcr: u64;
            // SAFETY: reading FPCR has no side effect.
            unsafe { std::arch::asm!("mrs {}, fpcr", out(reg) fpcr) };
            // SAFETY: FZ changes only how this thread rounds tiny results (as on x86).
            unsafe { std::arch::asm!("msr fpcr, {}", in(reg) fpcr | FZ) };
            FlushDenormals {
                fpcr,
                _not_send: PhantomData,
            }
        }
        #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
        FlushDenormals {
            _not_send: PhantomData,
        }
    }
}

impl Default for FlushDenormals {
    fn default() -> Self {
        FlushDenormals::new()
    }
}

impl Drop for FlushDenormals {
    #[allow(deprecated)]
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: restores the flags this thread had when the guard was made.
        unsafe {
            std::arch::x86_64::_mm_setcsr(self.mxcsr)
        };
        #[cfg(target_arch = "aarch64")]
        // SAFETY: as above.
        unsafe {
            std::arch::asm!("msr fpcr, {}", in(reg) self.fpcr)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest normal f32 halved is a denormal unless flushed.
    fn halved_min() -> f32 {
        std::hint::black_box(f32::MIN_POSITIVE) * std::hint::black_box(0.5)
    }

    #[test]
    fn flushes_while_alive_and_restores_after() {
        assert!(halved_min() > 0.0, "the test thread already flushes");
        {
            let _guard = FlushDenormals::new();
            assert_eq!(halved_min(), 0.0, "not flushed under the guard");
        }
        assert!(halved_min() > 0.0, "the thread's flags were not restored");
    }
}
