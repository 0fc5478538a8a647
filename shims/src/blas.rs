//! BLAS for Numba's linear algebra (`_lapack.c`, `np/linalg.py`).
//!
//! Numba lowers `np.dot`, `@`, `np.vdot` and `np.linalg.norm` to four C
//! wrappers that call SciPy's BLAS: `numba_xxdot`, `numba_xxgemv`,
//! `numba_xxgemm` and `numba_xxnrm2`. Each takes a kind letter (`s d c z`:
//! float32, float64, complex64, complex128), Fortran (column-major)
//! conventions for matrices, and returns 0, or -1 for an argument BLAS would
//! refuse (the IR then calls `numba_fatal_error`). Sizes are `Py_ssize_t`
//! (i64); the caller (Numba) has checked they fit in a C int.
//!
//! The products are computed here: a packed, blocked matrix product
//! (GotoBLAS/BLIS layout: panels of op(B) and op(A) copied contiguous, a
//! register-tiled micro-kernel) with 128-bit vector kernels for every kind,
//! and vector loops for the float32/float64 dot and gemv (`simd.rs`: simd128
//! instructions, or the same lane operations in scalar code for `--no-simd`,
//! with bit-identical results). The summation order differs from OpenBLAS's,
//! so products of non-integer values can differ from native Numba in the last
//! bits (within the usual k * eps bound); exact sums (small integer-valued
//! floats) come out identical. With `--relaxed-simd` the products are summed
//! with `relaxed_madd`, which the engine may fuse: different rounding, the
//! same bound. `nrm2` is computed to (nearly)
//! correct rounding, as OpenBLAS's extended-precision x86-64 kernel does.

use crate::alloc;
use crate::simd::*;
use core::ffi::{c_char, c_int};

const STATUS_SUCCESS: c_int = 0;
const STATUS_ERROR: c_int = -1;

// ---------------------------------------------------------------------------
// Element types

/// `npy_complex64`: `{float re, im}`.
#[repr(C)]
#[derive(Clone, Copy, PartialEq)]
pub struct C32 {
    pub re: f32,
    pub im: f32,
}

/// `npy_complex128`: `{double re, im}`.
#[repr(C)]
#[derive(Clone, Copy, PartialEq)]
pub struct C64 {
    pub re: f64,
    pub im: f64,
}

/// Arithmetic the generic code needs; complex products are the textbook
/// formula, as in OpenBLAS's kernels (no C99 Annex G special cases).
pub trait Elem: Copy + PartialEq {
    const ZERO: Self;
    const ONE: Self;
    fn add(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn conj(self) -> Self;
}

impl Elem for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    fn add(self, o: Self) -> Self {
        self + o
    }
    fn mul(self, o: Self) -> Self {
        self * o
    }
    fn conj(self) -> Self {
        self
    }
}

impl Elem for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    fn add(self, o: Self) -> Self {
        self + o
    }
    fn mul(self, o: Self) -> Self {
        self * o
    }
    fn conj(self) -> Self {
        self
    }
}

macro_rules! complex_elem {
    ($t:ident, $f:ty) => {
        impl Elem for $t {
            const ZERO: Self = $t { re: 0.0, im: 0.0 };
            const ONE: Self = $t { re: 1.0, im: 0.0 };
            fn add(self, o: Self) -> Self {
                $t {
                    re: self.re + o.re,
                    im: self.im + o.im,
                }
            }
            fn mul(self, o: Self) -> Self {
                $t {
                    re: self.re * o.re - self.im * o.im,
                    im: self.re * o.im + self.im * o.re,
                }
            }
            fn conj(self) -> Self {
                $t {
                    re: self.re,
                    im: -self.im,
                }
            }
        }
    };
}
complex_elem!(C32, f32);
complex_elem!(C64, f64);

/// BLAS `trans` argument: 'n' (op(X) = X), 't' (X^T), 'c' (X^H).
#[derive(Clone, Copy, PartialEq)]
enum Trans {
    N,
    T,
    C,
}

fn trans(c: c_char) -> Option<Trans> {
    match c as u8 {
        b'n' | b'N' => Some(Trans::N),
        b't' | b'T' => Some(Trans::T),
        b'c' | b'C' => Some(Trans::C),
        _ => None,
    }
}

/// A BLAS size or leading dimension (`F_INT`), refused when negative.
fn dim(n: i64) -> Option<usize> {
    if (0..=i32::MAX as i64).contains(&n) {
        Some(n as usize)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Dot products

/// `sum(op(x_i) * y_i)` over contiguous vectors, op = conj if `conj`.
///
/// # Safety
/// `x` and `y` must hold `n` readable elements.
unsafe fn dot_generic<T: Elem>(n: usize, x: *const T, y: *const T, conj: bool) -> T {
    // Two partial sums halve the dependency chain.
    let (mut s0, mut s1) = (T::ZERO, T::ZERO);
    let mut i = 0;
    while i + 2 <= n {
        // SAFETY: i + 1 < n.
        let (x0, x1, y0, y1) = unsafe { (*x.add(i), *x.add(i + 1), *y.add(i), *y.add(i + 1)) };
        let (x0, x1) = if conj {
            (x0.conj(), x1.conj())
        } else {
            (x0, x1)
        };
        s0 = s0.add(x0.mul(y0));
        s1 = s1.add(x1.mul(y1));
        i += 2;
    }
    if i < n {
        // SAFETY: i < n.
        let (x0, y0) = unsafe { (*x.add(i), *y.add(i)) };
        s0 = s0.add(if conj { x0.conj() } else { x0 }.mul(y0));
    }
    s0.add(s1)
}

/// float64 dot product with four f64x2 accumulators.
///
/// # Safety
/// `x` and `y` must hold `n` readable elements.
unsafe fn dot_f64(n: usize, x: *const f64, y: *const f64) -> f64 {
    let mut acc = [f64x2_splat(0.0); 4];
    let mut i = 0;
    // SAFETY (loop): every load reads elements i..i+8 < n; v128_load
    // accepts any alignment.
    while i + 8 <= n {
        for (j, a) in acc.iter_mut().enumerate() {
            let (xv, yv) = unsafe {
                (
                    v128_load(x.add(i + 2 * j) as *const v128),
                    v128_load(y.add(i + 2 * j) as *const v128),
                )
            };
            *a = f64x2_madd(xv, yv, *a);
        }
        i += 8;
    }
    let v = f64x2_add(f64x2_add(acc[0], acc[1]), f64x2_add(acc[2], acc[3]));
    let mut s = f64x2_extract_lane::<0>(v) + f64x2_extract_lane::<1>(v);
    while i < n {
        // SAFETY: i < n.
        s += unsafe { *x.add(i) * *y.add(i) };
        i += 1;
    }
    s
}

/// float32 dot product with four f32x4 accumulators.
///
/// # Safety
/// `x` and `y` must hold `n` readable elements.
unsafe fn dot_f32(n: usize, x: *const f32, y: *const f32) -> f32 {
    let mut acc = [f32x4_splat(0.0); 4];
    let mut i = 0;
    while i + 16 <= n {
        for (j, a) in acc.iter_mut().enumerate() {
            // SAFETY: elements i..i+16 < n; unaligned loads are allowed.
            let (xv, yv) = unsafe {
                (
                    v128_load(x.add(i + 4 * j) as *const v128),
                    v128_load(y.add(i + 4 * j) as *const v128),
                )
            };
            *a = f32x4_madd(xv, yv, *a);
        }
        i += 16;
    }
    let v = f32x4_add(f32x4_add(acc[0], acc[1]), f32x4_add(acc[2], acc[3]));
    let mut s = (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v))
        + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v));
    while i < n {
        // SAFETY: i < n.
        s += unsafe { *x.add(i) * *y.add(i) };
        i += 1;
    }
    s
}

/// `int numba_xxdot(char kind, char conjugate, Py_ssize_t n, void *dx,
/// void *dy, void *result)`: `result = sum(dx_i * dy_i)`, with `dx`
/// conjugated when `conjugate` (`cdotc`/`zdotc`, for `np.vdot`).
///
/// # Safety
/// `dx`, `dy` must hold `n` contiguous elements of the kind; `result` one.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_xxdot(
    kind: c_char,
    conjugate: c_char,
    n: i64,
    dx: *const u8,
    dy: *const u8,
    result: *mut u8,
) -> c_int {
    let n = n.max(0) as usize; // BLAS: n <= 0 gives 0
    let conj = conjugate != 0;
    // SAFETY (all arms): the caller's contract, typed by `kind`.
    unsafe {
        match kind as u8 {
            b's' => *(result as *mut f32) = dot_f32(n, dx as _, dy as _),
            b'd' => *(result as *mut f64) = dot_f64(n, dx as _, dy as _),
            b'c' => *(result as *mut C32) = dot_generic::<C32>(n, dx as _, dy as _, conj),
            b'z' => *(result as *mut C64) = dot_generic::<C64>(n, dx as _, dy as _, conj),
            _ => return STATUS_ERROR,
        }
    }
    STATUS_SUCCESS
}

// ---------------------------------------------------------------------------
// Matrix * vector

/// `y = alpha * op(A) x + beta * y`, A column-major `m x n` with leading
/// dimension `lda`, unit increments (what Numba passes).
///
/// # Safety
/// The BLAS contract: A holds `lda * (n - 1) + m` elements, x and y the
/// lengths op(A) needs.
#[allow(clippy::too_many_arguments)]
unsafe fn gemv<T: Elem + Dot>(
    tr: Trans,
    m: usize,
    n: usize,
    alpha: T,
    a: *const T,
    lda: usize,
    x: *const T,
    beta: T,
    y: *mut T,
) {
    // BLAS returns at once for an empty A, leaving y unscaled.
    if m == 0 || n == 0 {
        return;
    }
    let leny = if tr == Trans::N { m } else { n };
    // SAFETY (whole body): indices stay inside the extents above.
    unsafe {
        // y = beta * y; beta == 0 writes zeros without reading y (BLAS).
        for i in 0..leny {
            let yi = y.add(i);
            *yi = if T::is_zero(beta) {
                T::ZERO
            } else {
                beta.mul(*yi)
            };
        }
        if T::is_zero(alpha) {
            return;
        }
        match tr {
            // Columns of A are contiguous: y += (alpha * x_j) * A[:, j].
            Trans::N => {
                for j in 0..n {
                    let t = alpha.mul(*x.add(j));
                    T::axpy(m, t, a.add(j * lda), y);
                }
            }
            // y_j = alpha * dot(op(A[:, j]), x).
            Trans::T | Trans::C => {
                for j in 0..n {
                    let d = T::dot(m, a.add(j * lda), x, tr == Trans::C);
                    let yj = y.add(j);
                    *yj = (*yj).add(alpha.mul(d));
                }
            }
        }
    }
}

/// The vector kernels gemv and dot need, per element type.
pub trait Dot: Elem {
    fn is_zero(v: Self) -> bool;
    /// `sum(op(x_i) * y_i)`, op = conj if `conj`.
    ///
    /// # Safety
    /// `x`, `y` hold `n` elements.
    unsafe fn dot(n: usize, x: *const Self, y: *const Self, conj: bool) -> Self;
    /// `y += t * x`.
    ///
    /// # Safety
    /// `x`, `y` hold `n` elements.
    unsafe fn axpy(n: usize, t: Self, x: *const Self, y: *mut Self) {
        for i in 0..n {
            // SAFETY: i < n.
            unsafe { *y.add(i) = (*y.add(i)).add(t.mul(*x.add(i))) };
        }
    }
}

impl Dot for f64 {
    fn is_zero(v: Self) -> bool {
        v == 0.0
    }
    unsafe fn dot(n: usize, x: *const Self, y: *const Self, _conj: bool) -> Self {
        // SAFETY: forwarded.
        unsafe { dot_f64(n, x, y) }
    }
    unsafe fn axpy(n: usize, t: Self, x: *const Self, y: *mut Self) {
        let tv = f64x2_splat(t);
        let mut i = 0;
        while i + 2 <= n {
            // SAFETY: elements i, i+1 < n.
            unsafe {
                let yv = v128_load(y.add(i) as *const v128);
                let xv = v128_load(x.add(i) as *const v128);
                v128_store(y.add(i) as *mut v128, f64x2_madd(tv, xv, yv));
            }
            i += 2;
        }
        if i < n {
            // SAFETY: i < n.
            unsafe { *y.add(i) += t * *x.add(i) };
        }
    }
}

impl Dot for f32 {
    fn is_zero(v: Self) -> bool {
        v == 0.0
    }
    unsafe fn dot(n: usize, x: *const Self, y: *const Self, _conj: bool) -> Self {
        // SAFETY: forwarded.
        unsafe { dot_f32(n, x, y) }
    }
    unsafe fn axpy(n: usize, t: Self, x: *const Self, y: *mut Self) {
        let tv = f32x4_splat(t);
        let mut i = 0;
        while i + 4 <= n {
            // SAFETY: elements i..i+4 < n.
            unsafe {
                let yv = v128_load(y.add(i) as *const v128);
                let xv = v128_load(x.add(i) as *const v128);
                v128_store(y.add(i) as *mut v128, f32x4_madd(tv, xv, yv));
            }
            i += 4;
        }
        while i < n {
            // SAFETY: i < n.
            unsafe { *y.add(i) += t * *x.add(i) };
            i += 1;
        }
    }
}

impl Dot for C32 {
    fn is_zero(v: Self) -> bool {
        v.re == 0.0 && v.im == 0.0
    }
    unsafe fn dot(n: usize, x: *const Self, y: *const Self, conj: bool) -> Self {
        // SAFETY: forwarded.
        unsafe { dot_generic(n, x, y, conj) }
    }
}

impl Dot for C64 {
    fn is_zero(v: Self) -> bool {
        v.re == 0.0 && v.im == 0.0
    }
    unsafe fn dot(n: usize, x: *const Self, y: *const Self, conj: bool) -> Self {
        // SAFETY: forwarded.
        unsafe { dot_generic(n, x, y, conj) }
    }
}

/// `int numba_xxgemv(char kind, char trans, Py_ssize_t m, Py_ssize_t n,
/// void *alpha, void *a, Py_ssize_t lda, void *x, void *beta, void *y)`:
/// `y = alpha * op(a) x + beta * y` (xGEMV with unit increments).
///
/// # Safety
/// The BLAS contract for the given kind, sizes and leading dimension.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_xxgemv(
    kind: c_char,
    trans_: c_char,
    m: i64,
    n: i64,
    alpha: *const u8,
    a: *const u8,
    lda: i64,
    x: *const u8,
    beta: *const u8,
    y: *mut u8,
) -> c_int {
    let (Some(tr), Some(m), Some(n), Some(lda)) = (trans(trans_), dim(m), dim(n), dim(lda)) else {
        return STATUS_ERROR;
    };
    if lda < m.max(1) {
        return STATUS_ERROR;
    }
    // SAFETY (all arms): the caller's contract, typed by `kind`.
    unsafe {
        match kind as u8 {
            b's' => gemv::<f32>(
                tr,
                m,
                n,
                *(alpha as *const f32),
                a as _,
                lda,
                x as _,
                *(beta as *const f32),
                y as _,
            ),
            b'd' => gemv::<f64>(
                tr,
                m,
                n,
                *(alpha as *const f64),
                a as _,
                lda,
                x as _,
                *(beta as *const f64),
                y as _,
            ),
            b'c' => gemv::<C32>(
                tr,
                m,
                n,
                *(alpha as *const C32),
                a as _,
                lda,
                x as _,
                *(beta as *const C32),
                y as _,
            ),
            b'z' => gemv::<C64>(
                tr,
                m,
                n,
                *(alpha as *const C64),
                a as _,
                lda,
                x as _,
                *(beta as *const C64),
                y as _,
            ),
            _ => return STATUS_ERROR,
        }
    }
    STATUS_SUCCESS
}

// ---------------------------------------------------------------------------
// Matrix * matrix

/// Cache blocking (in elements): a KC x NR panel of op(B) and an MR x KC
/// panel of op(A) stay in L1 during the micro-kernel, the MC x KC block of
/// op(A) in L2.
const KC: usize = 256;
const MC: usize = 128;
const NC: usize = 1024;
/// Largest MR * NR of any kernel (the tile buffer's size).
const MAX_TILE: usize = 32;

/// A register-tiled micro-kernel: `tile[i + MR*j] = sum_p a[MR*p + i] *
/// b[NR*p + j]` over `kc` steps of packed panels.
pub trait Kernel: Dot {
    const MR: usize;
    const NR: usize;
    /// # Safety
    /// `a` holds `MR * kc`, `b` `NR * kc` elements; `tile` `MR * NR`.
    unsafe fn micro(kc: usize, a: *const Self, b: *const Self, tile: *mut Self);
}

// Complex kernels: with b = br + i bi, a * b = a * br + (i a) * bi. Each
// accumulator pair sums `a * splat(br)` = [ar br, ai br] and `a * splat(bi)`
// = [ar bi, ai bi] lane-wise; the product's parts are combined once, after
// the loop: re = sum(ar br) - sum(ai bi), im = sum(ai br) + sum(ar bi).

impl Kernel for C64 {
    // 2 x 2 complex: each element one f64x2 [re, im]; eight accumulators.
    const MR: usize = 2;
    const NR: usize = 2;
    unsafe fn micro(kc: usize, a: *const Self, b: *const Self, tile: *mut Self) {
        let z = f64x2_splat(0.0);
        // r[i][j]: sum a_i * br_j; s[i][j]: sum a_i * bi_j.
        let mut r = [[z; 2]; 2];
        let mut s = [[z; 2]; 2];
        let (mut a, mut b) = (a as *const f64, b as *const f64);
        for _ in 0..kc {
            // SAFETY: each step reads 2 complex of `a` and 2 of `b`.
            unsafe {
                let av = [
                    v128_load(a as *const v128),
                    v128_load(a.add(2) as *const v128),
                ];
                for j in 0..2 {
                    let br = v128_load64_splat(b.add(2 * j) as *const u64);
                    let bi = v128_load64_splat(b.add(2 * j + 1) as *const u64);
                    for i in 0..2 {
                        r[i][j] = f64x2_madd(av[i], br, r[i][j]);
                        s[i][j] = f64x2_madd(av[i], bi, s[i][j]);
                    }
                }
                a = a.add(4);
                b = b.add(4);
            }
        }
        for j in 0..2 {
            for i in 0..2 {
                let (x, y) = (r[i][j], s[i][j]);
                let re = f64x2_extract_lane::<0>(x) - f64x2_extract_lane::<1>(y);
                let im = f64x2_extract_lane::<1>(x) + f64x2_extract_lane::<0>(y);
                // SAFETY: i + 2j < 4.
                unsafe { *tile.add(i + 2 * j) = C64 { re, im } };
            }
        }
    }
}

impl Kernel for C32 {
    // 4 x 2 complex: two complex per f32x4 [re0, im0, re1, im1]; eight
    // accumulators.
    const MR: usize = 4;
    const NR: usize = 2;
    unsafe fn micro(kc: usize, a: *const Self, b: *const Self, tile: *mut Self) {
        let z = f32x4_splat(0.0);
        let mut r = [[z; 2]; 2];
        let mut s = [[z; 2]; 2];
        let (mut a, mut b) = (a as *const f32, b as *const f32);
        for _ in 0..kc {
            // SAFETY: each step reads 4 complex of `a` and 2 of `b`.
            unsafe {
                let av = [
                    v128_load(a as *const v128),
                    v128_load(a.add(4) as *const v128),
                ];
                for j in 0..2 {
                    let br = v128_load32_splat(b.add(2 * j) as *const u32);
                    let bi = v128_load32_splat(b.add(2 * j + 1) as *const u32);
                    for i in 0..2 {
                        r[i][j] = f32x4_madd(av[i], br, r[i][j]);
                        s[i][j] = f32x4_madd(av[i], bi, s[i][j]);
                    }
                }
                a = a.add(8);
                b = b.add(4);
            }
        }
        for j in 0..2 {
            for i in 0..2 {
                let mut x = [0.0f32; 4];
                let mut y = [0.0f32; 4];
                // SAFETY: 16-byte stores into 4-float arrays.
                unsafe {
                    v128_store(x.as_mut_ptr() as *mut v128, r[i][j]);
                    v128_store(y.as_mut_ptr() as *mut v128, s[i][j]);
                }
                for h in 0..2 {
                    let re = x[2 * h] - y[2 * h + 1];
                    let im = x[2 * h + 1] + y[2 * h];
                    // SAFETY: row 2i + h < 4, column j < 2.
                    unsafe { *tile.add(2 * i + h + 4 * j) = C32 { re, im } };
                }
            }
        }
    }
}

impl Kernel for f64 {
    // 4 x 4: eight f64x2 accumulators, leaving registers for the A column
    // and the broadcast B element (x86-64 hosts have 16 vector registers).
    const MR: usize = 4;
    const NR: usize = 4;
    unsafe fn micro(kc: usize, a: *const Self, b: *const Self, tile: *mut Self) {
        let z = f64x2_splat(0.0);
        let (mut c00, mut c10, mut c01, mut c11) = (z, z, z, z);
        let (mut c02, mut c12, mut c03, mut c13) = (z, z, z, z);
        let (mut a, mut b) = (a, b);
        for _ in 0..kc {
            // SAFETY: each step reads 4 elements of `a` and 4 of `b`, within
            // the panels; loads need no alignment.
            unsafe {
                let a0 = v128_load(a as *const v128);
                let a1 = v128_load(a.add(2) as *const v128);
                let b0 = v128_load64_splat(b as *const u64);
                let b1 = v128_load64_splat(b.add(1) as *const u64);
                let b2 = v128_load64_splat(b.add(2) as *const u64);
                let b3 = v128_load64_splat(b.add(3) as *const u64);
                c00 = f64x2_madd(a0, b0, c00);
                c10 = f64x2_madd(a1, b0, c10);
                c01 = f64x2_madd(a0, b1, c01);
                c11 = f64x2_madd(a1, b1, c11);
                c02 = f64x2_madd(a0, b2, c02);
                c12 = f64x2_madd(a1, b2, c12);
                c03 = f64x2_madd(a0, b3, c03);
                c13 = f64x2_madd(a1, b3, c13);
                a = a.add(4);
                b = b.add(4);
            }
        }
        // SAFETY: the tile holds 16 elements.
        unsafe {
            let t = tile as *mut v128;
            for (i, v) in [c00, c10, c01, c11, c02, c12, c03, c13]
                .into_iter()
                .enumerate()
            {
                v128_store(t.add(i), v);
            }
        }
    }
}

impl Kernel for f32 {
    // 8 x 4: eight f32x4 accumulators.
    const MR: usize = 8;
    const NR: usize = 4;
    unsafe fn micro(kc: usize, a: *const Self, b: *const Self, tile: *mut Self) {
        let z = f32x4_splat(0.0);
        let (mut c00, mut c10, mut c01, mut c11) = (z, z, z, z);
        let (mut c02, mut c12, mut c03, mut c13) = (z, z, z, z);
        let (mut a, mut b) = (a, b);
        for _ in 0..kc {
            // SAFETY: each step reads 8 elements of `a` and 4 of `b`.
            unsafe {
                let a0 = v128_load(a as *const v128);
                let a1 = v128_load(a.add(4) as *const v128);
                let b0 = v128_load32_splat(b as *const u32);
                let b1 = v128_load32_splat(b.add(1) as *const u32);
                let b2 = v128_load32_splat(b.add(2) as *const u32);
                let b3 = v128_load32_splat(b.add(3) as *const u32);
                c00 = f32x4_madd(a0, b0, c00);
                c10 = f32x4_madd(a1, b0, c10);
                c01 = f32x4_madd(a0, b1, c01);
                c11 = f32x4_madd(a1, b1, c11);
                c02 = f32x4_madd(a0, b2, c02);
                c12 = f32x4_madd(a1, b2, c12);
                c03 = f32x4_madd(a0, b3, c03);
                c13 = f32x4_madd(a1, b3, c13);
                a = a.add(8);
                b = b.add(4);
            }
        }
        // SAFETY: the tile holds 32 elements.
        unsafe {
            let t = tile as *mut v128;
            for (i, v) in [c00, c10, c01, c11, c02, c12, c03, c13]
                .into_iter()
                .enumerate()
            {
                v128_store(t.add(i), v);
            }
        }
    }
}

/// A column-major operand and its `trans`: element (i, j) of op(X).
#[derive(Clone, Copy)]
struct Op<T> {
    p: *const T,
    ld: usize,
    tr: Trans,
}

impl<T: Elem> Op<T> {
    /// # Safety
    /// (i, j) inside op(X).
    #[inline(always)]
    unsafe fn get(&self, i: usize, j: usize) -> T {
        // SAFETY: caller keeps (i, j) inside the operand.
        unsafe {
            match self.tr {
                Trans::N => *self.p.add(i + j * self.ld),
                Trans::T => *self.p.add(j + i * self.ld),
                Trans::C => (*self.p.add(j + i * self.ld)).conj(),
            }
        }
    }
}

/// Copies a `rows x cols` block, element (r, c) = `get(r, c)`, into panels
/// of `w` rows (`dst[w*cols*(r/w) + w*c + r%w]`), zero-padding the last
/// panel to `w` rows. A block of op(A) is packed with `w = MR`; a block of
/// op(B), transposed, with `w = NR` (column panels).
///
/// The source is walked in memory order, down `r` if `r_contiguous`:
/// walking it across a large leading dimension misses the cache on every
/// element.
///
/// # Safety
/// `get` reads inside its operand for the block; `dst` holds
/// `ceil(rows/w)*w*cols` elements.
unsafe fn pack<T: Elem>(
    get: impl Fn(usize, usize) -> T,
    rows: usize,
    cols: usize,
    w: usize,
    r_contiguous: bool,
    dst: *mut T,
) {
    let at = |r: usize, c: usize| w * cols * (r / w) + w * c + r % w;
    // SAFETY (all loops): r < ceil(rows/w)*w and c < cols stay in `dst`.
    unsafe {
        if r_contiguous {
            for c in 0..cols {
                for r in 0..rows {
                    *dst.add(at(r, c)) = get(r, c);
                }
            }
        } else {
            for r in 0..rows {
                for c in 0..cols {
                    *dst.add(at(r, c)) = get(r, c);
                }
            }
        }
        for r in rows..rows.div_ceil(w) * w {
            for c in 0..cols {
                *dst.add(at(r, c)) = T::ZERO;
            }
        }
    }
}

/// `C = alpha * op(A) op(B) + beta * C`, C column-major `m x n`.
///
/// # Safety
/// The BLAS contract for the operands' extents.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm<T: Kernel>(
    a: Op<T>,
    b: Op<T>,
    m: usize,
    n: usize,
    k: usize,
    alpha: T,
    beta: T,
    c: *mut T,
    ldc: usize,
) -> c_int {
    if m == 0 || n == 0 {
        return STATUS_SUCCESS;
    }
    let beta_zero = T::is_zero(beta);
    if k == 0 || T::is_zero(alpha) {
        for j in 0..n {
            for i in 0..m {
                // SAFETY: (i, j) inside C; beta == 0 does not read C.
                unsafe {
                    let cij = c.add(i + j * ldc);
                    *cij = if beta_zero { T::ZERO } else { beta.mul(*cij) };
                }
            }
        }
        return STATUS_SUCCESS;
    }
    let (mr, nr) = (T::MR, T::NR);
    let kc_max = KC.min(k);
    let mc_max = MC.min(m.div_ceil(mr) * mr);
    let nc_max = NC.min(n.div_ceil(nr) * nr);
    let size = core::mem::size_of::<T>();
    let abuf = alloc::alloc((mc_max * kc_max * size) as u64, 16) as *mut T;
    let bbuf = alloc::alloc((nc_max * kc_max * size) as u64, 16) as *mut T;
    if abuf.is_null() || bbuf.is_null() {
        // SAFETY: null or ours.
        unsafe {
            alloc::free(abuf as *mut u8);
            alloc::free(bbuf as *mut u8);
        }
        return STATUS_ERROR;
    }
    let alpha_one = alpha == T::ONE;
    let mut tile = [T::ZERO; MAX_TILE];
    let tile = tile.as_mut_ptr();
    // SAFETY (loop nest): blocks are clipped to m, n, k; buffers are sized
    // for the largest block; C indices stay inside m x n.
    unsafe {
        for jc in (0..n).step_by(NC) {
            let nc = NC.min(n - jc);
            for pc in (0..k).step_by(KC) {
                let kc = KC.min(k - pc);
                // op(B)[pc.., jc..] transposed: r = column, c = step of k.
                let get_b = |r: usize, c: usize| b.get(pc + c, jc + r);
                pack(get_b, nc, kc, nr, b.tr != Trans::N, bbuf);
                // The first K block applies beta; the later ones accumulate.
                let first = pc == 0;
                for ic in (0..m).step_by(MC) {
                    let mc = MC.min(m - ic);
                    let get_a = |r: usize, c: usize| a.get(ic + r, pc + c);
                    pack(get_a, mc, kc, mr, a.tr == Trans::N, abuf);
                    for jr in (0..nc).step_by(nr) {
                        let cols = nr.min(nc - jr);
                        let bp = bbuf.add(jr * kc);
                        for ir in (0..mc).step_by(mr) {
                            let rows = mr.min(mc - ir);
                            T::micro(kc, abuf.add(ir * kc), bp, tile);
                            for j in 0..cols {
                                let col = c.add(ic + ir + (jc + jr + j) * ldc);
                                for i in 0..rows {
                                    let mut v = *tile.add(i + mr * j);
                                    if !alpha_one {
                                        v = alpha.mul(v);
                                    }
                                    let cij = col.add(i);
                                    *cij = if !first {
                                        (*cij).add(v)
                                    } else if beta_zero {
                                        v
                                    } else {
                                        beta.mul(*cij).add(v)
                                    };
                                }
                            }
                        }
                    }
                }
            }
        }
        alloc::free(abuf as *mut u8);
        alloc::free(bbuf as *mut u8);
    }
    STATUS_SUCCESS
}

/// `int numba_xxgemm(char kind, char transa, char transb, Py_ssize_t m,
/// Py_ssize_t n, Py_ssize_t k, void *alpha, void *a, Py_ssize_t lda,
/// void *b, Py_ssize_t ldb, void *beta, void *c, Py_ssize_t ldc)`:
/// `c = alpha * op(a) op(b) + beta * c` (xGEMM, column-major).
///
/// # Safety
/// The BLAS contract for the given kind, transposes, sizes and leading
/// dimensions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_xxgemm(
    kind: c_char,
    transa: c_char,
    transb: c_char,
    m: i64,
    n: i64,
    k: i64,
    alpha: *const u8,
    a: *const u8,
    lda: i64,
    b: *const u8,
    ldb: i64,
    beta: *const u8,
    c: *mut u8,
    ldc: i64,
) -> c_int {
    let (Some(ta), Some(tb)) = (trans(transa), trans(transb)) else {
        return STATUS_ERROR;
    };
    let (Some(m), Some(n), Some(k)) = (dim(m), dim(n), dim(k)) else {
        return STATUS_ERROR;
    };
    let (Some(lda), Some(ldb), Some(ldc)) = (dim(lda), dim(ldb), dim(ldc)) else {
        return STATUS_ERROR;
    };
    // xerbla's checks on the leading dimensions.
    let rows_a = if ta == Trans::N { m } else { k };
    let rows_b = if tb == Trans::N { k } else { n };
    if lda < rows_a.max(1) || ldb < rows_b.max(1) || ldc < m.max(1) {
        return STATUS_ERROR;
    }
    #[allow(clippy::too_many_arguments)]
    fn run<T: Kernel>(
        ta: Trans,
        tb: Trans,
        dims: (usize, usize, usize),
        alpha: *const u8,
        a: (*const u8, usize),
        b: (*const u8, usize),
        beta: *const u8,
        c: (*mut u8, usize),
    ) -> c_int {
        let opa = Op {
            p: a.0 as *const T,
            ld: a.1,
            tr: ta,
        };
        let opb = Op {
            p: b.0 as *const T,
            ld: b.1,
            tr: tb,
        };
        let (m, n, k) = dims;
        // SAFETY: the caller's BLAS contract.
        unsafe {
            let (alpha, beta) = (*(alpha as *const T), *(beta as *const T));
            gemm(opa, opb, m, n, k, alpha, beta, c.0 as *mut T, c.1)
        }
    }
    let dims = (m, n, k);
    let (a, b, c) = ((a, lda), (b, ldb), (c, ldc));
    match kind as u8 {
        b's' => run::<f32>(ta, tb, dims, alpha, a, b, beta, c),
        b'd' => run::<f64>(ta, tb, dims, alpha, a, b, beta, c),
        b'c' => run::<C32>(ta, tb, dims, alpha, a, b, beta, c),
        b'z' => run::<C64>(ta, tb, dims, alpha, a, b, beta, c),
        _ => STATUS_ERROR,
    }
}

// ---------------------------------------------------------------------------
// Euclidean norm

/// Double-double `hi + lo` (|lo| <= ulp(hi)/2).
#[derive(Clone, Copy)]
struct Dd {
    hi: f64,
    lo: f64,
}

/// Exact `a * b = p + e` (Dekker; simd128 has no FMA).
fn two_prod(a: f64, b: f64) -> (f64, f64) {
    const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
    let p = a * b;
    let split = |x: f64| {
        let t = SPLIT * x;
        let h = t - (t - x);
        (h, x - h)
    };
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    (p, e)
}

/// Exact `a + b = s + e` (Knuth).
fn two_sum(a: f64, b: f64) -> (f64, f64) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

impl Dd {
    /// `sqrt(self)` as a double-double (one Newton step from the f64 root).
    fn sqrt(self) -> Dd {
        if self.hi <= 0.0 {
            return Dd { hi: 0.0, lo: 0.0 };
        }
        let y = libm::sqrt(self.hi);
        let (p, e) = two_prod(y, y);
        let r = ((self.hi - p) - e) + self.lo;
        let (hi, lo) = two_sum(y, r / (2.0 * y));
        Dd { hi, lo }
    }
}

/// A sum of squares, compensated (Ogita, Rump and Oishi's Dot2): `s` the
/// running sum, `c` the exact errors of its squares and additions. The
/// result is as accurate as a sum in twice the precision (error ~ n^2 eps^2
/// relative, far below the 80-bit accumulation of OpenBLAS's kernel).
#[derive(Clone, Copy)]
struct SumSq {
    s: f64,
    c: f64,
}

impl SumSq {
    const ZERO: SumSq = SumSq { s: 0.0, c: 0.0 };
    fn add(self, x: f64) -> SumSq {
        let (p, e) = two_prod(x, x);
        let (s, t) = two_sum(self.s, p);
        SumSq {
            s,
            c: self.c + (t + e),
        }
    }
    fn merge(self, o: SumSq) -> SumSq {
        let (s, t) = two_sum(self.s, o.s);
        SumSq {
            s,
            c: self.c + o.c + t,
        }
    }
    fn dd(self) -> Dd {
        let (hi, lo) = two_sum(self.s, self.c);
        Dd { hi, lo }
    }
}

/// `SumSq` on two lanes at once.
#[derive(Clone, Copy)]
struct SumSq2 {
    s: v128,
    c: v128,
}

impl SumSq2 {
    fn new() -> SumSq2 {
        SumSq2 {
            s: f64x2_splat(0.0),
            c: f64x2_splat(0.0),
        }
    }
    #[inline(always)]
    fn add(self, x: v128) -> SumSq2 {
        // two_prod(x, x): the cross terms ah*al + al*ah are 2*h*l (exact).
        let p = f64x2_mul(x, x);
        let t = f64x2_mul(f64x2_splat(134_217_729.0), x);
        let h = f64x2_sub(t, f64x2_sub(t, x));
        let l = f64x2_sub(x, h);
        let hl = f64x2_mul(h, l);
        let e = f64x2_add(
            f64x2_add(f64x2_sub(f64x2_mul(h, h), p), f64x2_add(hl, hl)),
            f64x2_mul(l, l),
        );
        // two_sum(s, p)
        let s = f64x2_add(self.s, p);
        let bb = f64x2_sub(s, self.s);
        let err = f64x2_add(f64x2_sub(self.s, f64x2_sub(s, bb)), f64x2_sub(p, bb));
        SumSq2 {
            s,
            c: f64x2_add(self.c, f64x2_add(err, e)),
        }
    }
    fn lanes(self) -> [SumSq; 2] {
        [
            SumSq {
                s: f64x2_extract_lane::<0>(self.s),
                c: f64x2_extract_lane::<0>(self.c),
            },
            SumSq {
                s: f64x2_extract_lane::<1>(self.s),
                c: f64x2_extract_lane::<1>(self.c),
            },
        ]
    }
}

/// The float types nrm2 reads, widened to f64.
trait Part: Copy + Into<f64> {
    /// Four contiguous values as two f64x2.
    ///
    /// # Safety
    /// `p` addresses four readable values.
    unsafe fn load4(p: *const Self) -> (v128, v128);
}

impl Part for f64 {
    unsafe fn load4(p: *const Self) -> (v128, v128) {
        // SAFETY: the caller's four values; loads need no alignment.
        unsafe {
            (
                v128_load(p as *const v128),
                v128_load(p.add(2) as *const v128),
            )
        }
    }
}

impl Part for f32 {
    unsafe fn load4(p: *const Self) -> (v128, v128) {
        // SAFETY: the caller's four values.
        let v = unsafe { v128_load(p as *const v128) };
        let high = i32x4_shuffle::<2, 3, 2, 3>(v, v);
        (f64x2_promote_low_f32x4(v), f64x2_promote_low_f32x4(high))
    }
}

/// 2^-e as two factors, each a normal power of two: multiplying by both is
/// exact, where 2^-e alone would overflow (e < -1022, subnormal amax) or be
/// subnormal (e = 1023).
fn scale_factors(e: i32) -> (f64, f64) {
    let pow2 = |k: i32| f64::from_bits(((1023 - k) as u64) << 52); // 2^-k, |k| <= 1022
    match e {
        ..-1000 => (pow2(-600), pow2(e + 600)),
        1001.. => (pow2(600), pow2(e - 600)),
        _ => (1.0, pow2(e)),
    }
}

/// `sqrt(sum x_i^2)` over the parts of `n` elements of `parts` floats each,
/// `inc` elements apart (a negative `inc` walks down from `x`), to (nearly)
/// correct rounding: as OpenBLAS's x86-64 kernel, which accumulates in
/// 80-bit extended precision, this neither overflows nor underflows for
/// representable results. The parts are scaled by a power of two (exactly)
/// so that the largest is about 1, their squares summed compensated, and the
/// square root rounded once. Returns the f64 root and the double-double low
/// part (to round to f32 once).
///
/// # Safety
/// Every element visited is readable.
unsafe fn nrm2<F: Part>(n: usize, x: *const F, inc: i64, parts: usize) -> (f64, f64) {
    // Contiguous parts go through simd128; strided ones one by one.
    let contiguous = inc == 1;
    let len = n * parts;
    let step = inc as isize * parts as isize;
    let each = |f: &mut dyn FnMut(f64)| {
        for i in 0..n {
            // SAFETY: the caller's extent.
            let e = unsafe { x.offset(i as isize * step) };
            for q in 0..parts {
                f(unsafe { *e.add(q) }.into());
            }
        }
    };
    // Pass 1: the largest magnitude; NaN propagates through f64x2.max.
    let mut amax = 0.0f64;
    if contiguous {
        let mut m = [f64x2_splat(0.0); 2];
        let mut i = 0;
        while i + 4 <= len {
            // SAFETY: parts i..i+4 < len.
            let (a, b) = unsafe { F::load4(x.add(i)) };
            m[0] = f64x2_max(m[0], f64x2_abs(a));
            m[1] = f64x2_max(m[1], f64x2_abs(b));
            i += 4;
        }
        let v = f64x2_max(m[0], m[1]);
        let (v0, v1) = (f64x2_extract_lane::<0>(v), f64x2_extract_lane::<1>(v));
        amax = if v0.is_nan() || v1.is_nan() {
            f64::NAN
        } else {
            v0.max(v1)
        };
        while i < len {
            // SAFETY: i < len.
            let v: f64 = unsafe { *x.add(i) }.into();
            amax = if v.is_nan() || amax.is_nan() {
                f64::NAN
            } else {
                amax.max(v.abs())
            };
            i += 1;
        }
    } else {
        each(&mut |v| {
            amax = if v.is_nan() || amax.is_nan() {
                f64::NAN
            } else {
                amax.max(v.abs())
            }
        });
    }
    if amax.is_nan() {
        // x87 arithmetic propagates the first NaN operand's payload, and
        // fabs clears its sign.
        let mut first = None;
        each(&mut |v| {
            if v.is_nan() {
                first.get_or_insert(v);
            }
        });
        let v = first.unwrap_or(f64::NAN);
        return (f64::from_bits((v.to_bits() & !(1 << 63)) | (1 << 51)), 0.0);
    }
    if amax == 0.0 || amax.is_infinite() {
        return (amax, 0.0);
    }
    // Pass 2: scaled squares.
    let e = libm::ilogb(amax);
    let (f1, f2) = scale_factors(e);
    let mut sum = SumSq::ZERO;
    if contiguous {
        let mut acc = [SumSq2::new(); 4];
        let (v1, v2) = (f64x2_splat(f1), f64x2_splat(f2));
        let sc = |v: v128| f64x2_mul(f64x2_mul(v, v1), v2);
        let mut i = 0;
        while i + 8 <= len {
            // SAFETY: parts i..i+8 < len.
            let ((a, b), (c, d)) = unsafe { (F::load4(x.add(i)), F::load4(x.add(i + 4))) };
            acc[0] = acc[0].add(sc(a));
            acc[1] = acc[1].add(sc(b));
            acc[2] = acc[2].add(sc(c));
            acc[3] = acc[3].add(sc(d));
            i += 8;
        }
        for a in acc {
            for l in a.lanes() {
                sum = sum.merge(l);
            }
        }
        while i < len {
            // SAFETY: i < len.
            let v: f64 = unsafe { *x.add(i) }.into();
            sum = sum.add(v * f1 * f2);
            i += 1;
        }
    } else {
        each(&mut |v| sum = sum.add(v * f1 * f2));
    }
    let r = sum.dd().sqrt();
    (libm::scalbn(r.hi, e), libm::scalbn(r.lo, e))
}

/// Rounds `hi + lo` (a double-double, |lo| tiny) to f32 once: `hi as f32`
/// unless `hi` is exactly halfway between two floats, where `lo` decides.
fn dd_to_f32(hi: f64, lo: f64) -> f32 {
    let r = hi as f32;
    if lo == 0.0 || !r.is_finite() {
        return r;
    }
    let d = hi - r as f64; // exact: hi and r share the exponent range
    let up = libm::nextafterf(r, f32::INFINITY);
    let down = libm::nextafterf(r, f32::NEG_INFINITY);
    if lo > 0.0 && d == (up as f64 - r as f64) / 2.0 {
        up
    } else if lo < 0.0 && d == (down as f64 - r as f64) / 2.0 {
        down
    } else {
        r
    }
}

/// `int numba_xxnrm2(char kind, Py_ssize_t n, void *x, Py_ssize_t incx,
/// void *result)`: the Euclidean norm of `n` elements of `x`, `incx`
/// elements apart; `result` is float32 for 's'/'c', float64 for 'd'/'z'.
///
/// Numba passes `incx = strides[0] / itemsize` and the first element's
/// address, also for a negative stride. OpenBLAS then follows the Fortran
/// convention (`x` is the lowest address) and reads outside the array; here
/// the elements of the array are read, as NumPy does.
///
/// # Safety
/// `x` addresses `n` elements `incx` apart; `result` one float.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_xxnrm2(
    kind: c_char,
    n: i64,
    x: *const u8,
    incx: i64,
    result: *mut u8,
) -> c_int {
    let n = n.max(0) as usize; // BLAS: n <= 0 gives 0
    // SAFETY (all arms): the caller's contract, typed by `kind`.
    unsafe {
        match kind as u8 {
            b's' | b'c' => {
                let parts = if kind as u8 == b'c' { 2 } else { 1 };
                let (hi, lo) = nrm2::<f32>(n, x as *const f32, incx, parts);
                *(result as *mut f32) = dd_to_f32(hi, lo);
            }
            b'd' | b'z' => {
                let parts = if kind as u8 == b'z' { 2 } else { 1 };
                *(result as *mut f64) = nrm2::<f64>(n, x as *const f64, incx, parts).0;
            }
            _ => return STATUS_ERROR,
        }
    }
    STATUS_SUCCESS
}
