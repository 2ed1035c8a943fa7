//! Vector back ends: one 16-lane `f32` vector type per instruction set, chosen once at run
//! time.
//!
//! Every kernel is written once, generic over [`Simd`], and instantiated inside functions
//! compiled for the instruction set (`#[target_feature]`), so the generic code and the
//! intrinsics it calls inline into one body. The lane count is 16 on every back end (two
//! AVX2 registers, or a plain array for the portable one), so packed weights and the
//! channel padding of activations do not depend on the machine.

use crate::{Error, Result};

/// Lanes of one vector: output channels are computed and stored 16 at a time.
pub(crate) const LANES: usize = 16;

/// `n` rounded up to a whole number of vectors.
pub(crate) fn round_up(n: usize) -> usize {
    n.div_ceil(LANES) * LANES
}

/// The instruction set the fast path runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernels {
    /// AVX-512F with FMA (x86-64).
    Avx512,
    /// AVX2 with FMA (x86-64).
    Avx2,
    /// Plain Rust that the compiler vectorises for the build's baseline (SSE2 on x86-64,
    /// NEON on aarch64); no fused multiply-add, so results differ from the others in the
    /// last bits.
    Portable,
}

impl Kernels {
    /// Every back end, fastest first.
    pub const ALL: [Kernels; 3] = [Kernels::Avx512, Kernels::Avx2, Kernels::Portable];

    /// The fastest back end this CPU supports, unless the environment variable
    /// `HARESNET_KERNELS` names another supported one (`avx512`, `avx2` or `portable`),
    /// which is how a user rules out a back end or compares them.
    pub fn detect() -> Self {
        if let Ok(name) = std::env::var("HARESNET_KERNELS")
            && let Ok(k) = Self::parse(&name)
            && k.is_supported()
        {
            return k;
        }
        Self::ALL
            .into_iter()
            .find(|k| k.is_supported())
            .unwrap_or(Kernels::Portable)
    }

    /// Whether this CPU can run the back end.
    pub fn is_supported(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx512 => {
                std::arch::is_x86_feature_detected!("avx512f")
                    && std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            #[cfg(target_arch = "x86_64")]
            Kernels::Avx2 => {
                std::arch::is_x86_feature_detected!("avx2")
                    && std::arch::is_x86_feature_detected!("fma")
            }
            Kernels::Portable => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// Lower-case name, as [`parse`](Self::parse) reads it.
    pub fn name(self) -> &'static str {
        match self {
            Kernels::Avx512 => "avx512",
            Kernels::Avx2 => "avx2",
            Kernels::Portable => "portable",
        }
    }

    /// The back end called `name` (`avx512`, `avx2` or `portable`).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidArgument`] for any other name.
    pub fn parse(name: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|k| k.name() == name.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown kernel set {name:?}: expected avx512, avx2 or portable"
                ))
            })
    }
}

impl std::fmt::Display for Kernels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A 16-lane `f32` vector.
///
/// # Safety
///
/// Implementations use instructions of their back end: call them only from code compiled
/// for it (inside its `#[target_feature]` entry points), on a CPU that has it. Pointers
/// must be valid for 16 floats.
pub(crate) trait Simd: Copy {
    type V: Copy;
    /// Output pixels computed per micro-kernel call for `nv` vectors of output channels
    /// (index `nv`, 1 to 4): as many accumulators as the register file holds.
    const MAX_PIXELS: [usize; 5];
    unsafe fn zero() -> Self::V;
    unsafe fn splat(x: f32) -> Self::V;
    unsafe fn load(p: *const f32) -> Self::V;
    unsafe fn store(p: *mut f32, v: Self::V);
    /// `a · b + c` (fused where the back end has it).
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    unsafe fn relu(v: Self::V) -> Self::V;
}

/// The portable back end: arrays the compiler vectorises for the build's baseline.
#[derive(Clone, Copy)]
pub(crate) struct Portable;

impl Simd for Portable {
    type V = [f32; LANES];
    const MAX_PIXELS: [usize; 5] = [0, 8, 4, 3, 2];

    #[inline(always)]
    unsafe fn zero() -> Self::V {
        [0.0; LANES]
    }
    #[inline(always)]
    unsafe fn splat(x: f32) -> Self::V {
        [x; LANES]
    }
    #[inline(always)]
    unsafe fn load(p: *const f32) -> Self::V {
        // SAFETY: the caller guarantees 16 readable floats.
        unsafe { p.cast::<[f32; LANES]>().read_unaligned() }
    }
    #[inline(always)]
    unsafe fn store(p: *mut f32, v: Self::V) {
        // SAFETY: the caller guarantees 16 writable floats.
        unsafe { p.cast::<[f32; LANES]>().write_unaligned(v) }
    }
    #[inline(always)]
    unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        std::array::from_fn(|i| a[i] * b[i] + c[i])
    }
    #[inline(always)]
    unsafe fn relu(v: Self::V) -> Self::V {
        v.map(|x| x.max(0.0))
    }
}

#[cfg(target_arch = "x86_64")]
pub(crate) use x86::{Avx2, Avx512};

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::Simd;

    /// AVX-512F: one register per vector, 32 registers.
    #[derive(Clone, Copy)]
    pub(crate) struct Avx512;

    impl Simd for Avx512 {
        type V = __m512;
        // 32 registers: accumulators + weights + one broadcast.
        const MAX_PIXELS: [usize; 5] = [0, 14, 12, 8, 6];

        #[inline(always)]
        unsafe fn zero() -> __m512 {
            unsafe { _mm512_setzero_ps() }
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> __m512 {
            unsafe { _mm512_set1_ps(x) }
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> __m512 {
            unsafe { _mm512_loadu_ps(p) }
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, v: __m512) {
            unsafe { _mm512_storeu_ps(p, v) }
        }
        #[inline(always)]
        unsafe fn mul_add(a: __m512, b: __m512, c: __m512) -> __m512 {
            unsafe { _mm512_fmadd_ps(a, b, c) }
        }
        #[inline(always)]
        unsafe fn relu(v: __m512) -> __m512 {
            unsafe { _mm512_max_ps(v, _mm512_setzero_ps()) }
        }
    }

    /// AVX2 with FMA: a vector is two 8-lane registers, 16 registers.
    #[derive(Clone, Copy)]
    pub(crate) struct Avx2;

    impl Simd for Avx2 {
        type V = [__m256; 2];
        const MAX_PIXELS: [usize; 5] = [0, 6, 3, 2, 1];

        #[inline(always)]
        unsafe fn zero() -> Self::V {
            unsafe { [_mm256_setzero_ps(); 2] }
        }
        #[inline(always)]
        unsafe fn splat(x: f32) -> Self::V {
            unsafe { [_mm256_set1_ps(x); 2] }
        }
        #[inline(always)]
        unsafe fn load(p: *const f32) -> Self::V {
            unsafe { [_mm256_loadu_ps(p), _mm256_loadu_ps(p.add(8))] }
        }
        #[inline(always)]
        unsafe fn store(p: *mut f32, v: Self::V) {
            unsafe {
                _mm256_storeu_ps(p, v[0]);
                _mm256_storeu_ps(p.add(8), v[1]);
            }
        }
        #[inline(always)]
        unsafe fn mul_add(a: Self::V, b: Self::V, c: Self::V) -> Self::V {
            unsafe {
                [
                    _mm256_fmadd_ps(a[0], b[0], c[0]),
                    _mm256_fmadd_ps(a[1], b[1], c[1]),
                ]
            }
        }
        #[inline(always)]
        unsafe fn relu(v: Self::V) -> Self::V {
            unsafe {
                let z = _mm256_setzero_ps();
                [_mm256_max_ps(v[0], z), _mm256_max_ps(v[1], z)]
            }
        }
    }
}
