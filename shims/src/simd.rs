//! The 128-bit vector operations `blas.rs` uses, for each SIMD level the
//! shim is built at (build.rs builds one archive per level; the CLI links
//! the one matching `--no-simd` / `--relaxed-simd`).
//!
//! - `simd128` (the default) and `relaxed-simd`: `core::arch::wasm32`'s
//!   intrinsics, one wasm instruction each.
//! - neither: the same functions on two `u64` words, lane by lane in scalar
//!   code, so that the module holds no SIMD opcode. Every lane operation is
//!   the IEEE operation of the simd128 instruction, so the results are the
//!   same bits as with simd128: only the speed differs.
//!
//! [`f64x2_madd`] / [`f32x4_madd`] (`c + a * b`) are the one place the levels
//! compute differently: with `relaxed-simd` they are `relaxed_madd`, which
//! the engine may fuse (one rounding instead of two), elsewhere a multiply
//! and an add.

#[cfg(target_feature = "simd128")]
pub use core::arch::wasm32::{
    f32x4_add, f32x4_extract_lane, f32x4_mul, f32x4_splat, f64x2_abs, f64x2_add,
    f64x2_extract_lane, f64x2_max, f64x2_mul, f64x2_promote_low_f32x4, f64x2_splat, f64x2_sub,
    i32x4_shuffle, v128, v128_load, v128_load32_splat, v128_load64_splat, v128_store,
};

#[cfg(not(target_feature = "simd128"))]
pub use scalar::*;

/// `c + a * b` lane-wise: fused or not at the engine's choice with
/// relaxed SIMD, rounded twice otherwise.
#[inline(always)]
pub fn f64x2_madd(a: v128, b: v128, c: v128) -> v128 {
    #[cfg(target_feature = "relaxed-simd")]
    {
        core::arch::wasm32::f64x2_relaxed_madd(a, b, c)
    }
    #[cfg(not(target_feature = "relaxed-simd"))]
    {
        f64x2_add(c, f64x2_mul(a, b))
    }
}

/// `c + a * b` on four float32 lanes; see [`f64x2_madd`].
#[inline(always)]
pub fn f32x4_madd(a: v128, b: v128, c: v128) -> v128 {
    #[cfg(target_feature = "relaxed-simd")]
    {
        core::arch::wasm32::f32x4_relaxed_madd(a, b, c)
    }
    #[cfg(not(target_feature = "relaxed-simd"))]
    {
        f32x4_add(c, f32x4_mul(a, b))
    }
}

/// Scalar stand-ins with the simd128 instructions' lane semantics.
#[cfg(not(target_feature = "simd128"))]
mod scalar {
    /// 128 bits as two little-endian words: lane 0 in the low bits of
    /// `.0[0]`, as in wasm memory.
    #[allow(non_camel_case_types)]
    #[derive(Clone, Copy)]
    #[repr(C, align(16))]
    pub struct v128([u64; 2]);

    #[inline(always)]
    fn f64s(v: v128) -> [f64; 2] {
        [f64::from_bits(v.0[0]), f64::from_bits(v.0[1])]
    }

    #[inline(always)]
    fn from_f64s(x: [f64; 2]) -> v128 {
        v128([x[0].to_bits(), x[1].to_bits()])
    }

    #[inline(always)]
    fn u32s(v: v128) -> [u32; 4] {
        let [lo, hi] = v.0;
        [lo as u32, (lo >> 32) as u32, hi as u32, (hi >> 32) as u32]
    }

    #[inline(always)]
    fn from_u32s(x: [u32; 4]) -> v128 {
        let word = |a: u32, b: u32| a as u64 | (b as u64) << 32;
        v128([word(x[0], x[1]), word(x[2], x[3])])
    }

    #[inline(always)]
    fn f32s(v: v128) -> [f32; 4] {
        u32s(v).map(f32::from_bits)
    }

    #[inline(always)]
    fn from_f32s(x: [f32; 4]) -> v128 {
        from_u32s(x.map(f32::to_bits))
    }

    #[inline(always)]
    fn map2_f64(a: v128, b: v128, f: impl Fn(f64, f64) -> f64) -> v128 {
        let (a, b) = (f64s(a), f64s(b));
        from_f64s([f(a[0], b[0]), f(a[1], b[1])])
    }

    #[inline(always)]
    fn map2_f32(a: v128, b: v128, f: impl Fn(f32, f32) -> f32) -> v128 {
        let (a, b) = (f32s(a), f32s(b));
        from_f32s([f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])])
    }

    /// # Safety
    /// `p` addresses 16 readable bytes (any alignment).
    #[inline(always)]
    pub unsafe fn v128_load(p: *const v128) -> v128 {
        // SAFETY: the caller's 16 bytes.
        unsafe { p.read_unaligned() }
    }

    /// # Safety
    /// `p` addresses 16 writable bytes (any alignment).
    #[inline(always)]
    pub unsafe fn v128_store(p: *mut v128, v: v128) {
        // SAFETY: the caller's 16 bytes.
        unsafe { p.write_unaligned(v) }
    }

    /// # Safety
    /// `p` addresses 8 readable bytes (any alignment).
    #[inline(always)]
    pub unsafe fn v128_load64_splat(p: *const u64) -> v128 {
        // SAFETY: the caller's 8 bytes.
        let x = unsafe { p.read_unaligned() };
        v128([x, x])
    }

    /// # Safety
    /// `p` addresses 4 readable bytes (any alignment).
    #[inline(always)]
    pub unsafe fn v128_load32_splat(p: *const u32) -> v128 {
        // SAFETY: the caller's 4 bytes.
        let x = unsafe { p.read_unaligned() };
        from_u32s([x; 4])
    }

    #[inline(always)]
    pub fn f64x2_splat(x: f64) -> v128 {
        from_f64s([x, x])
    }

    #[inline(always)]
    pub fn f32x4_splat(x: f32) -> v128 {
        from_f32s([x; 4])
    }

    #[inline(always)]
    pub fn f64x2_extract_lane<const N: usize>(a: v128) -> f64 {
        f64s(a)[N]
    }

    #[inline(always)]
    pub fn f32x4_extract_lane<const N: usize>(a: v128) -> f32 {
        f32s(a)[N]
    }

    #[inline(always)]
    pub fn f64x2_add(a: v128, b: v128) -> v128 {
        map2_f64(a, b, |x, y| x + y)
    }

    #[inline(always)]
    pub fn f64x2_sub(a: v128, b: v128) -> v128 {
        map2_f64(a, b, |x, y| x - y)
    }

    #[inline(always)]
    pub fn f64x2_mul(a: v128, b: v128) -> v128 {
        map2_f64(a, b, |x, y| x * y)
    }

    #[inline(always)]
    pub fn f32x4_add(a: v128, b: v128) -> v128 {
        map2_f32(a, b, |x, y| x + y)
    }

    #[inline(always)]
    pub fn f32x4_mul(a: v128, b: v128) -> v128 {
        map2_f32(a, b, |x, y| x * y)
    }

    #[inline(always)]
    pub fn f64x2_abs(a: v128) -> v128 {
        v128(a.0.map(|w| w & !(1 << 63)))
    }

    /// `f64x2.max`: NaN if either lane is NaN, and -0 < +0.
    #[inline(always)]
    pub fn f64x2_max(a: v128, b: v128) -> v128 {
        map2_f64(a, b, |x, y| {
            if x.is_nan() || y.is_nan() {
                f64::NAN
            } else if x == y {
                // Equal: differ only for zeros, where +0 wins.
                f64::from_bits(x.to_bits() & y.to_bits())
            } else if x > y {
                x
            } else {
                y
            }
        })
    }

    #[inline(always)]
    pub fn f64x2_promote_low_f32x4(a: v128) -> v128 {
        let x = f32s(a);
        from_f64s([x[0] as f64, x[1] as f64])
    }

    #[inline(always)]
    pub fn i32x4_shuffle<const I0: usize, const I1: usize, const I2: usize, const I3: usize>(
        a: v128,
        b: v128,
    ) -> v128 {
        let (a, b) = (u32s(a), u32s(b));
        let pick = |i: usize| if i < 4 { a[i] } else { b[i - 4] };
        from_u32s([pick(I0), pick(I1), pick(I2), pick(I3)])
    }
}
