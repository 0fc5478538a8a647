//! LAPACK for Numba's `np.linalg` (`_lapack.c`, `np/linalg.py`).
//!
//! Numba lowers `solve`, `inv`, `det`, `slogdet`, `cholesky`, `qr`, `eigh`,
//! `eigvalsh`, `eig`, `eigvals`, `svd`, `lstsq`, `pinv`, `matrix_rank`,
//! `cond`, `matrix_power` and `norm(ord=2/-2/'nuc')` to the wrappers of
//! `_lapack.c`: `numba_xxgetrf`, `numba_ez_xxgetri`, `numba_xgesv`,
//! `numba_xxpotrf`, `numba_ez_geqrf`, `numba_ez_xxgqr`, `numba_ez_xxxevd`,
//! `numba_ez_gesdd`, `numba_ez_gelsd`, `numba_ez_rgeev`, `numba_ez_cgeev`.
//! Each takes a kind letter (`s d c z`), column-major (Fortran) matrices with
//! a leading dimension, and returns LAPACK's `info`: 0, > 0 for a numerical
//! failure that Numba turns into its own exception (singular matrix, not
//! positive definite, no convergence), or -1 for an argument LAPACK would
//! refuse (Numba then calls `numba_fatal_error`).
//!
//! Design choice: the algorithms are written here, generic over the four
//! kinds, rather than compiling nalgebra or faer for wasm32. Both need the
//! `alloc` crate and their own matrix types (the shim has neither: it is
//! `no_std` with its own allocator), faer is a large generic code base built
//! for std and threads, and neither speaks LAPACK's conventions that Numba
//! relies on: column-major storage with a leading dimension, `info` codes,
//! `geqrf`'s reflectors kept in A for a separate `orgqr` call, `gelsd`'s
//! rcond rule and residual rows, `geev`'s packing of complex pairs. A
//! translation layer would be needed on top of either. Written here, a
//! module links only the wrappers its IR calls (a kernel calling `solve`
//! grows by ~90 KB: the LU of the four kinds, the blocked updates' gemm
//! and Numba's own checks; `eig` by ~20 KB).
//! The algorithms are the robust textbook ones, not LAPACK's fastest:
//! - LU with partial pivoting (the pivot is the first entry of largest
//!   |re| + |im|, as `i?amax`), solves and inverse from it, blocked (panels
//!   of 64 columns, the updates by `blas.rs`'s simd128 gemm);
//! - Cholesky (`potf2`), Householder QR and Q (`geqr2`/`ung2r`, LAPACK's
//!   `larfg` reflector convention, so R's signs are LAPACK's);
//! - real symmetric eigenproblems by Householder tridiagonalisation and
//!   implicit QL (EISPACK `tred2`/`tql2`); complex Hermitian ones by cyclic
//!   two-sided Jacobi, the SVD by one-sided (Hestenes) Jacobi: backward
//!   stable, simple for complex kinds, and at least as accurate as LAPACK's
//!   divide and conquer, though slower (~10-25x native at n = 200);
//!   least squares as `gelsd` does: QR first, then the SVD of R, singular
//!   values <= rcond * s_max treated as zero (rows n.. of B keep Q^H b, so
//!   Numba's residuals are right);
//! - general eigenproblems: real ones by Hessenberg reduction and Francis
//!   double-shift QR with eigenvectors from the real Schur form (EISPACK
//!   `orthes`/`hqr2`), complex ones by Hessenberg reduction and single-shift
//!   complex QR; eigenvectors are normalised as LAPACK's `geev` does (unit
//!   2-norm, largest component real).
//!
//! Results therefore agree with native (OpenBLAS/LAPACK) to rounding, not bit
//! for bit; eigenvector signs/phases and the order of `eig`'s eigenvalues
//! are those of the algorithms and may differ from native, as they may
//! between LAPACK builds. Not done: `geev`'s balancing and `gelsd`'s
//! scaling of extreme norms (badly scaled inputs lose accuracy that LAPACK
//! keeps), left eigenvectors (Numba never asks for them). Sizes are
//! `Py_ssize_t`; work space comes from the shim's allocator and is freed
//! before returning.

use crate::alloc;
use crate::blas::{C32, C64};
use core::ffi::{c_char, c_int, c_void};
use core::ops::{Add, Div, Mul, Neg, Sub};

const STATUS_ERROR: c_int = -1;
/// Jacobi sweeps before giving up (they converge quadratically: ~10 suffice).
const MAX_SWEEPS: usize = 80;

// ---------------------------------------------------------------------------
// Scalars

/// The real types: float32 and float64.
pub trait Real:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    const ZERO: Self;
    const ONE: Self;
    /// Relative machine precision, LAPACK's `lamch('E')` (2^-24, 2^-53).
    const EPS: Self;
    fn sqrt(self) -> Self;
    fn abs(self) -> Self;
    fn copysign(self, sign: Self) -> Self;
    fn of(x: f64) -> Self;
    fn is_finite(self) -> bool;
}

impl Real for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const EPS: Self = f32::EPSILON * 0.5;
    fn sqrt(self) -> Self {
        libm::sqrtf(self)
    }
    fn abs(self) -> Self {
        libm::fabsf(self)
    }
    fn copysign(self, sign: Self) -> Self {
        libm::copysignf(self, sign)
    }
    fn of(x: f64) -> Self {
        x as f32
    }
    fn is_finite(self) -> bool {
        self.is_finite()
    }
}

impl Real for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    const EPS: Self = f64::EPSILON * 0.5;
    fn sqrt(self) -> Self {
        libm::sqrt(self)
    }
    fn abs(self) -> Self {
        libm::fabs(self)
    }
    fn copysign(self, sign: Self) -> Self {
        libm::copysign(self, sign)
    }
    fn of(x: f64) -> Self {
        x
    }
    fn is_finite(self) -> bool {
        self.is_finite()
    }
}

fn rmax<R: Real>(a: R, b: R) -> R {
    if b > a { b } else { a }
}

/// sqrt(a^2 + b^2 + c^2) without overflow (LAPACK `lapy3`).
fn lapy3<R: Real>(a: R, b: R, c: R) -> R {
    let (a, b, c) = (a.abs(), b.abs(), c.abs());
    let w = rmax(a, rmax(b, c));
    if w == R::ZERO {
        a + b + c
    } else {
        let (x, y, z) = (a / w, b / w, c / w);
        w * (x * x + y * y + z * z).sqrt()
    }
}

/// An element of one of the four kinds.
pub trait Scalar:
    Copy
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    type R: Real;
    const ZERO: Self;
    const ONE: Self;
    const COMPLEX: bool;
    /// The BLAS/LAPACK kind letter.
    const KIND: u8;
    fn re(self) -> Self::R;
    fn im(self) -> Self::R;
    /// `re + i*im`; real kinds drop `im`.
    fn new(re: Self::R, im: Self::R) -> Self;
    fn conj(self) -> Self;
    fn scale(self, r: Self::R) -> Self;
    fn from_re(r: Self::R) -> Self {
        Self::new(r, Self::R::ZERO)
    }
    /// |re| + |im|, the pivot measure of `i?amax`.
    fn abs1(self) -> Self::R {
        self.re().abs() + self.im().abs()
    }
    /// The modulus, without overflow.
    fn abs(self) -> Self::R {
        lapy3(self.re(), self.im(), Self::R::ZERO)
    }
    fn abs2(self) -> Self::R {
        self.re() * self.re() + self.im() * self.im()
    }
    fn is_finite(self) -> bool {
        self.re().is_finite() && self.im().is_finite()
    }
}

macro_rules! real_scalar {
    ($t:ty, $k:expr) => {
        impl Scalar for $t {
            type R = $t;
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const COMPLEX: bool = false;
            const KIND: u8 = $k;
            fn re(self) -> $t {
                self
            }
            fn im(self) -> $t {
                0.0
            }
            fn new(re: $t, _im: $t) -> Self {
                re
            }
            fn conj(self) -> Self {
                self
            }
            fn scale(self, r: $t) -> Self {
                self * r
            }
            fn abs(self) -> $t {
                Real::abs(self)
            }
        }
    };
}
real_scalar!(f32, b's');
real_scalar!(f64, b'd');

macro_rules! complex_scalar {
    ($t:ident, $f:ty, $k:expr) => {
        impl Add for $t {
            type Output = $t;
            fn add(self, o: $t) -> $t {
                $t {
                    re: self.re + o.re,
                    im: self.im + o.im,
                }
            }
        }
        impl Sub for $t {
            type Output = $t;
            fn sub(self, o: $t) -> $t {
                $t {
                    re: self.re - o.re,
                    im: self.im - o.im,
                }
            }
        }
        impl Mul for $t {
            type Output = $t;
            fn mul(self, o: $t) -> $t {
                $t {
                    re: self.re * o.re - self.im * o.im,
                    im: self.re * o.im + self.im * o.re,
                }
            }
        }
        impl Div for $t {
            type Output = $t;
            /// Smith's algorithm (LAPACK `ladiv` is a refinement of it).
            fn div(self, o: $t) -> $t {
                let (a, b, c, d) = (self.re, self.im, o.re, o.im);
                if Real::abs(d) <= Real::abs(c) {
                    let r = d / c;
                    let den = c + d * r;
                    $t {
                        re: (a + b * r) / den,
                        im: (b - a * r) / den,
                    }
                } else {
                    let r = c / d;
                    let den = c * r + d;
                    $t {
                        re: (a * r + b) / den,
                        im: (b * r - a) / den,
                    }
                }
            }
        }
        impl Neg for $t {
            type Output = $t;
            fn neg(self) -> $t {
                $t {
                    re: -self.re,
                    im: -self.im,
                }
            }
        }
        impl Scalar for $t {
            type R = $f;
            const ZERO: Self = $t { re: 0.0, im: 0.0 };
            const ONE: Self = $t { re: 1.0, im: 0.0 };
            const COMPLEX: bool = true;
            const KIND: u8 = $k;
            fn re(self) -> $f {
                self.re
            }
            fn im(self) -> $f {
                self.im
            }
            fn new(re: $f, im: $f) -> Self {
                $t { re, im }
            }
            fn conj(self) -> Self {
                $t {
                    re: self.re,
                    im: -self.im,
                }
            }
            fn scale(self, r: $f) -> Self {
                $t {
                    re: self.re * r,
                    im: self.im * r,
                }
            }
        }
    };
}
complex_scalar!(C32, f32, b'c');
complex_scalar!(C64, f64, b'z');

// ---------------------------------------------------------------------------
// Buffers and arguments

/// A zeroed work array from the shim's allocator, freed on drop.
struct Buf<T> {
    ptr: *mut T,
    len: usize,
}

impl<T: Copy> Buf<T> {
    fn filled(len: usize, value: T) -> Option<Self> {
        let bytes = (len.max(1) as u64).checked_mul(core::mem::size_of::<T>() as u64)?;
        let ptr = alloc::alloc(bytes, 16) as *mut T;
        if ptr.is_null() {
            return None;
        }
        for i in 0..len {
            // SAFETY: i < len elements were allocated.
            unsafe { ptr.add(i).write(value) };
        }
        Some(Buf { ptr, len })
    }
}

impl<T: Scalar> Buf<T> {
    fn new(len: usize) -> Option<Self> {
        Self::filled(len, T::ZERO)
    }

    fn identity(n: usize) -> Option<Self> {
        let mut b = Self::new(n * n)?;
        for i in 0..n {
            b[i + i * n] = T::ONE;
        }
        Some(b)
    }
}

impl<T> core::ops::Deref for Buf<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        // SAFETY: ptr holds len initialised elements, owned by self.
        unsafe { core::slice::from_raw_parts(self.ptr, self.len) }
    }
}

impl<T> core::ops::DerefMut for Buf<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in deref, and &mut self is unique.
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl<T> Drop for Buf<T> {
    fn drop(&mut self) {
        // SAFETY: ptr came from alloc::alloc.
        unsafe { alloc::free(self.ptr as *mut u8) };
    }
}

/// A LAPACK size (`F_INT`), refused when negative or too large.
fn dim(n: i64) -> Option<usize> {
    if (0..=i32::MAX as i64).contains(&n) {
        Some(n as usize)
    } else {
        None
    }
}

/// A leading dimension: at least max(1, rows), as LAPACK requires.
fn ld(l: i64, rows: usize) -> Option<usize> {
    dim(l).filter(|&l| l >= rows.max(1))
}

/// The `rows x cols` column-major matrix at `p` (leading dimension `ld`).
///
/// # Safety
/// `p` must point at such a matrix of `T`, valid and unaliased for `'a`.
unsafe fn mat<'a, T>(p: *mut c_void, ld: usize, rows: usize, cols: usize) -> &'a mut [T] {
    if rows == 0 || cols == 0 || p.is_null() {
        return &mut [];
    }
    // SAFETY: the caller's contract; the last column ends at row `rows`.
    unsafe { core::slice::from_raw_parts_mut(p as *mut T, ld * (cols - 1) + rows) }
}

/// Two distinct columns `j < k` of a column-major matrix, both mutable.
fn cols2<T>(a: &mut [T], ld: usize, rows: usize, j: usize, k: usize) -> (&mut [T], &mut [T]) {
    debug_assert!(j < k);
    let (l, r) = a.split_at_mut(k * ld);
    (&mut l[j * ld..j * ld + rows], &mut r[..rows])
}

/// Euclidean norm, scaled against overflow and underflow.
fn nrm2<T: Scalar>(x: &[T]) -> T::R {
    let mut big = T::R::ZERO;
    for v in x {
        big = rmax(big, rmax(v.re().abs(), v.im().abs()));
    }
    if big == T::R::ZERO || !big.is_finite() {
        return big;
    }
    let inv = T::R::ONE / big;
    let mut s = T::R::ZERO;
    for v in x {
        s = s + v.scale(inv).abs2();
    }
    big * s.sqrt()
}

/// Euclidean norm of a real vector, scaled.
fn rnrm2<R: Real>(x: &[R]) -> R {
    let mut big = R::ZERO;
    for v in x {
        big = rmax(big, v.abs());
    }
    if big == R::ZERO || !big.is_finite() {
        return big;
    }
    let mut s = R::ZERO;
    for v in x {
        let t = *v / big;
        s = s + t * t;
    }
    big * s.sqrt()
}

/// `x^H y`.
fn dotc<T: Scalar>(x: &[T], y: &[T]) -> T {
    let mut s = T::ZERO;
    for (a, b) in x.iter().zip(y) {
        s = s + a.conj() * *b;
    }
    s
}

/// `y += alpha * x`.
fn axpy<T: Scalar>(alpha: T, x: &[T], y: &mut [T]) {
    for (a, b) in x.iter().zip(y.iter_mut()) {
        *b = *b + alpha * *a;
    }
}

// ---------------------------------------------------------------------------
// LU: getrf, getrs, getri, gesv

/// LU with partial pivoting, `A = P L U`, in place, unblocked (LAPACK
/// `getf2`).
fn getf2<T: Scalar>(m: usize, n: usize, a: &mut [T], lda: usize, ipiv: &mut [i32]) -> c_int {
    let mut info = 0;
    for j in 0..m.min(n) {
        let mut p = j;
        let mut best = a[j + j * lda].abs1();
        for i in j + 1..m {
            let v = a[i + j * lda].abs1();
            if v > best {
                best = v;
                p = i;
            }
        }
        ipiv[j] = (p + 1) as i32;
        if a[p + j * lda] != T::ZERO {
            if p != j {
                for c in 0..n {
                    a.swap(p + c * lda, j + c * lda);
                }
            }
            let r = T::ONE / a[j + j * lda];
            for v in &mut a[j * lda + j + 1..j * lda + m] {
                *v = *v * r;
            }
        } else if info == 0 {
            info = (j + 1) as c_int;
        }
        for c in j + 1..n {
            let (lcol, ccol) = cols2(a, lda, m, j, c);
            let f = ccol[j];
            if f != T::ZERO {
                axpy(-f, &lcol[j + 1..], &mut ccol[j + 1..]);
            }
        }
    }
    info
}

/// Block size of the blocked LU and solves: panels of NB columns, the
/// updates as matrix products (the shim's simd128 gemm, `blas.rs`).
const NB: usize = 64;

/// `C -= A B` (m x k times k x n, column-major) through the shim's gemm.
///
/// # Safety
/// The three matrices must be valid for their sizes and C must not overlap
/// A or B.
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_sub<T: Scalar>(
    m: usize,
    n: usize,
    k: usize,
    a: *const T,
    lda: usize,
    b: *const T,
    ldb: usize,
    c: *mut T,
    ldc: usize,
) {
    if m == 0 || n == 0 || k == 0 {
        return;
    }
    let (alpha, beta) = (-T::ONE, T::ONE);
    let nn = b'n' as c_char;
    // SAFETY: the caller's contract; alpha and beta are T.
    unsafe {
        crate::blas::numba_xxgemm(
            T::KIND as c_char,
            nn,
            nn,
            m as i64,
            n as i64,
            k as i64,
            &alpha as *const T as *const u8,
            a as *const u8,
            lda as i64,
            b as *const u8,
            ldb as i64,
            &beta as *const T as *const u8,
            c as *mut u8,
            ldc as i64,
        )
    };
}

/// `B <- L^-1 B`, L the unit lower triangle of the jb x jb `l`; B jb x nrhs.
fn trsm_lower_unit<T: Scalar>(
    jb: usize,
    nrhs: usize,
    l: &[T],
    ldl: usize,
    b: &mut [T],
    ldb: usize,
) {
    for r in 0..nrhs {
        let x = &mut b[r * ldb..r * ldb + jb];
        for j in 0..jb {
            let xj = x[j];
            if xj != T::ZERO {
                axpy(-xj, &l[j * ldl + j + 1..j * ldl + jb], &mut x[j + 1..]);
            }
        }
    }
}

/// `B <- U^-1 B`, U the upper triangle of the jb x jb `u`; B jb x nrhs.
fn trsm_upper<T: Scalar>(jb: usize, nrhs: usize, u: &[T], ldu: usize, b: &mut [T], ldb: usize) {
    for r in 0..nrhs {
        let x = &mut b[r * ldb..r * ldb + jb];
        for j in (0..jb).rev() {
            if x[j] != T::ZERO {
                x[j] = x[j] / u[j + j * ldu];
                let xj = x[j];
                axpy(-xj, &u[j * ldu..j * ldu + j], &mut x[..j]);
            }
        }
    }
}

/// LU with partial pivoting, `A = P L U`, in place (LAPACK `getrf`):
/// right-looking, panels of NB columns by `getf2`, the trailing update by
/// gemm. `info = j` if U(j, j) is exactly zero (the first such j).
fn getrf<T: Scalar>(m: usize, n: usize, a: &mut [T], lda: usize, ipiv: &mut [i32]) -> c_int {
    let k = m.min(n);
    if k <= NB {
        return getf2(m, n, a, lda, ipiv);
    }
    let mut info = 0;
    let mut j0 = 0;
    while j0 < k {
        let jb = NB.min(k - j0);
        let pinfo = getf2(
            m - j0,
            jb,
            &mut a[j0 + j0 * lda..],
            lda,
            &mut ipiv[j0..j0 + jb],
        );
        if info == 0 && pinfo > 0 {
            info = pinfo + j0 as c_int;
        }
        for (i, piv) in ipiv.iter_mut().enumerate().skip(j0).take(jb) {
            *piv += j0 as i32;
            let p = (*piv - 1) as usize;
            if p != i {
                for c in (0..j0).chain(j0 + jb..n) {
                    a.swap(i + c * lda, p + c * lda);
                }
            }
        }
        if j0 + jb < n {
            let (left, right) = a.split_at_mut((j0 + jb) * lda);
            let ncols = n - j0 - jb;
            trsm_lower_unit(
                jb,
                ncols,
                &left[j0 + j0 * lda..],
                lda,
                &mut right[j0..],
                lda,
            );
            let l21 = left[j0 + jb + j0 * lda..].as_ptr();
            let u12 = right[j0..].as_ptr();
            let a22 = right[j0 + jb..].as_mut_ptr();
            // SAFETY: L21 (columns j0..j0+jb) lies in `left`, U12 (rows
            // j0..j0+jb) and A22 (rows j0+jb..) are disjoint parts of `right`.
            unsafe { gemm_sub(m - j0 - jb, ncols, jb, l21, lda, u12, lda, a22, lda) };
        }
        j0 += jb;
    }
    info
}

/// Solve `A X = B` from `getrf`'s factors (LAPACK `getrs`, no transpose),
/// blocked as `getrf`.
fn getrs<T: Scalar>(
    n: usize,
    lu: &[T],
    ldlu: usize,
    ipiv: &[i32],
    b: &mut [T],
    ldb: usize,
    nrhs: usize,
) {
    for r in 0..nrhs {
        let x = &mut b[r * ldb..r * ldb + n];
        for (i, &p) in ipiv.iter().enumerate().take(n) {
            let p = (p - 1) as usize;
            if p != i {
                x.swap(i, p);
            }
        }
    }
    if nrhs == 0 || n == 0 {
        return;
    }
    let mut j0 = 0;
    while j0 < n {
        let jb = NB.min(n - j0);
        trsm_lower_unit(jb, nrhs, &lu[j0 + j0 * ldlu..], ldlu, &mut b[j0..], ldb);
        let l21 = lu[(j0 + jb).min(n - 1) + j0 * ldlu..].as_ptr();
        let (x1, b2) = (b[j0..].as_ptr(), b[(j0 + jb).min(n - 1)..].as_mut_ptr());
        // SAFETY: rows j0..j0+jb (X1) and j0+jb..n (B2) of B are disjoint;
        // nothing is read or written when j0 + jb == n (m = 0).
        unsafe { gemm_sub(n - j0 - jb, nrhs, jb, l21, ldlu, x1, ldb, b2, ldb) };
        j0 += jb;
    }
    backward_upper(n, lu, ldlu, b, ldb, nrhs);
}

/// `B <- U^-1 B`, U the upper triangle of the n x n `lu`, blocked.
fn backward_upper<T: Scalar>(
    n: usize,
    lu: &[T],
    ldlu: usize,
    b: &mut [T],
    ldb: usize,
    nrhs: usize,
) {
    let mut end = n;
    while end > 0 {
        let jb = NB.min(end);
        let j0 = end - jb;
        trsm_upper(jb, nrhs, &lu[j0 + j0 * ldlu..], ldlu, &mut b[j0..], ldb);
        let u01 = lu[j0 * ldlu..].as_ptr();
        let (x1, b0) = (b[j0..].as_ptr(), b.as_mut_ptr());
        // SAFETY: rows 0..j0 (B0) and j0..end (X1) of B are disjoint.
        unsafe { gemm_sub(j0, nrhs, jb, u01, ldlu, x1, ldb, b0, ldb) };
        end = j0;
    }
}

/// Inverse from `getrf`'s factors; `info = i` if U(i,i) is exactly zero.
fn getri<T: Scalar>(n: usize, a: &mut [T], lda: usize, ipiv: &[i32]) -> c_int {
    for i in 0..n {
        if a[i + i * lda] == T::ZERO {
            return (i + 1) as c_int;
        }
    }
    let Some(mut lu) = Buf::<T>::new(n * n) else {
        return STATUS_ERROR;
    };
    for j in 0..n {
        lu[j * n..j * n + n].copy_from_slice(&a[j * lda..j * lda + n]);
        for i in 0..n {
            a[i + j * lda] = if i == j { T::ONE } else { T::ZERO };
        }
    }
    // A^-1 = U^-1 L^-1 P: L^-1 is unit lower triangular, so column r of the
    // forward solve starts at row r (a third of getrs's work); then U^-1,
    // then P as column interchanges in reverse order (as LAPACK `getri`).
    let mut j0 = 0;
    while j0 < n {
        let jb = NB.min(n - j0);
        let ncols = j0 + jb;
        trsm_lower_unit(jb, ncols, &lu[j0 + j0 * n..], n, &mut a[j0..], lda);
        let l21 = lu[(j0 + jb).min(n - 1) + j0 * n..].as_ptr();
        let (x1, b2) = (a[j0..].as_ptr(), a[(j0 + jb).min(n - 1)..].as_mut_ptr());
        // SAFETY: rows j0..j0+jb and j0+jb..n of `a` are disjoint; nothing
        // is touched when j0 + jb == n.
        unsafe { gemm_sub(n - j0 - jb, ncols, jb, l21, n, x1, lda, b2, lda) };
        j0 += jb;
    }
    backward_upper(n, &lu, n, a, lda, n);
    for j in (0..n).rev() {
        let p = (ipiv[j] - 1) as usize;
        if p != j {
            for i in 0..n {
                a.swap(i + j * lda, i + p * lda);
            }
        }
    }
    0
}

// ---------------------------------------------------------------------------
// Cholesky: potrf

/// `A = U^H U` ('U') or `A = L L^H` ('L'), reading and writing that
/// triangle; `info = j` if the leading minor of order j is not positive
/// definite (LAPACK `potf2`).
fn potrf<T: Scalar>(upper: bool, n: usize, a: &mut [T], lda: usize) -> c_int {
    // Element (i, j) of the factor's stored triangle, as the upper
    // factor U: U(i, j) = conj(L(j, i)).
    let idx = |i: usize, j: usize| if upper { i + j * lda } else { j + i * lda };
    let get = |a: &[T], i: usize, j: usize| {
        if upper {
            a[idx(i, j)]
        } else {
            a[idx(i, j)].conj()
        }
    };
    for j in 0..n {
        let mut ajj = a[idx(j, j)].re();
        for k in 0..j {
            ajj = ajj - get(a, k, j).abs2();
        }
        // Not `ajj <= 0`: a NaN must stop it too.
        if ajj.partial_cmp(&T::R::ZERO) != Some(core::cmp::Ordering::Greater) {
            a[idx(j, j)] = T::from_re(ajj);
            return (j + 1) as c_int;
        }
        let ujj = ajj.sqrt();
        a[idx(j, j)] = T::from_re(ujj);
        let inv = T::R::ONE / ujj;
        for i in j + 1..n {
            let mut s = get(a, j, i);
            for k in 0..j {
                s = s - get(a, k, j).conj() * get(a, k, i);
            }
            let v = s.scale(inv);
            a[idx(j, i)] = if upper { v } else { v.conj() };
        }
    }
    0
}

// ---------------------------------------------------------------------------
// Householder QR: geqrf, ungqr

/// Elementary reflector `H = I - tau v v^H` with `H^H (alpha, x) = (beta, 0)`,
/// beta real; `x` becomes v(2:) (LAPACK `larfg`).
fn larfg<T: Scalar>(alpha: &mut T, x: &mut [T]) -> T {
    let xnorm = nrm2(x);
    let (ar, ai) = (alpha.re(), alpha.im());
    if xnorm == T::R::ZERO && ai == T::R::ZERO {
        return T::ZERO;
    }
    let beta = -lapy3(ar, ai, xnorm).copysign(ar);
    let tau = T::new((beta - ar) / beta, -ai / beta);
    let scal = T::ONE / (*alpha - T::from_re(beta));
    for v in x.iter_mut() {
        *v = *v * scal;
    }
    *alpha = T::from_re(beta);
    tau
}

/// `c = (I - tau v v^H) c` with v(1) = 1 implied (LAPACK `larf`, one column).
fn larf<T: Scalar>(v_tail: &[T], tau: T, c: &mut [T]) {
    let (c0, ct) = c.split_first_mut().expect("larf on an empty column");
    let w = *c0 + dotc(v_tail, ct);
    let f = -(tau * w);
    *c0 = *c0 + f;
    axpy(f, v_tail, ct);
}

/// QR in place: R above the diagonal, the reflectors below (LAPACK `geqr2`).
fn geqrf<T: Scalar>(m: usize, n: usize, a: &mut [T], lda: usize, tau: &mut [T]) {
    for i in 0..m.min(n) {
        let col = &mut a[i * lda + i..i * lda + m];
        let (alpha, x) = col.split_first_mut().expect("non-empty column");
        tau[i] = larfg(alpha, x);
        let t = tau[i].conj();
        for j in i + 1..n {
            let (vcol, ccol) = cols2(a, lda, m, i, j);
            larf(&vcol[i + 1..], t, &mut ccol[i..]);
        }
    }
}

/// The first n columns of `Q = H(1)...H(k)` from `geqrf` (LAPACK `ung2r`).
fn ungqr<T: Scalar>(m: usize, n: usize, k: usize, a: &mut [T], lda: usize, tau: &[T]) {
    for j in k..n {
        for i in 0..m {
            a[i + j * lda] = if i == j { T::ONE } else { T::ZERO };
        }
    }
    for i in (0..k).rev() {
        for j in i + 1..n {
            let (vcol, ccol) = cols2(a, lda, m, i, j);
            larf(&vcol[i + 1..], tau[i], &mut ccol[i..]);
        }
        let col = &mut a[i * lda..i * lda + m];
        for v in &mut col[i + 1..] {
            *v = -(tau[i] * *v);
        }
        col[i] = T::ONE - tau[i];
        for v in &mut col[..i] {
            *v = T::ZERO;
        }
    }
}

// ---------------------------------------------------------------------------
// Jacobi rotations: Hermitian eigenproblems and the SVD

/// The unitary `G = [[c, s], [-s conj(e), c conj(e)]]` that diagonalises the
/// Hermitian `[[app, apq], [conj(apq), aqq]]` as `G^H A G`: `e` is the phase
/// of `apq`, then the classical real rotation (Rutishauser's formulas).
/// Returns `(c, s, conj(e), t)`; the new diagonal is `app - t |apq|`,
/// `aqq + t |apq|`.
fn jacobi_rotation<T: Scalar>(app: T::R, aqq: T::R, apq: T) -> (T::R, T::R, T, T::R) {
    let g = apq.abs();
    let ce = apq.conj().scale(T::R::ONE / g);
    let theta = (aqq - app) / (g + g);
    let t = if theta.abs() > T::R::of(1e15) {
        T::R::of(0.5) / theta
    } else {
        T::R::ONE.copysign(theta) / (theta.abs() + (theta * theta + T::R::ONE).sqrt())
    };
    let c = T::R::ONE / (t * t + T::R::ONE).sqrt();
    (c, t * c, ce, t)
}

/// Columns `x, y` <- `[x, y] G` for the rotation above.
fn rotate<T: Scalar>(x: &mut [T], y: &mut [T], c: T::R, s: T::R, ce: T) {
    for (p, q) in x.iter_mut().zip(y.iter_mut()) {
        let (xp, yq) = (*p, ce * *q);
        *p = xp.scale(c) - yq.scale(s);
        *q = xp.scale(s) + yq.scale(c);
    }
}

/// Eigen-decomposition of the Hermitian n x n `a` (full, ld n) by cyclic
/// Jacobi: `a` becomes diagonal, `v` (if any) collects the eigenvectors.
/// False if it did not converge.
fn jacobi_eigen<T: Scalar>(n: usize, a: &mut [T], mut v: Option<&mut [T]>) -> bool {
    let norm = nrm2(a);
    for _ in 0..MAX_SWEEPS {
        let mut off = T::R::ZERO;
        for q in 0..n {
            off = off + nrm2(&a[q * n..q * n + q]);
        }
        if off.partial_cmp(&(T::R::EPS * norm)) != Some(core::cmp::Ordering::Greater) {
            return true;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p + q * n];
                if apq == T::ZERO {
                    continue;
                }
                let (app, aqq) = (a[p + p * n].re(), a[q + q * n].re());
                let (c, s, ce, t) = jacobi_rotation(app, aqq, apq);
                {
                    let (x, y) = cols2(a, n, n, p, q);
                    rotate(x, y, c, s, ce);
                }
                // Rows: A <- G^H A, the conjugate of the column update.
                let e = ce.conj();
                for k in 0..n {
                    let (xp, yq) = (a[p + k * n], e * a[q + k * n]);
                    a[p + k * n] = xp.scale(c) - yq.scale(s);
                    a[q + k * n] = xp.scale(s) + yq.scale(c);
                }
                let g = apq.abs();
                a[p + q * n] = T::ZERO;
                a[q + p * n] = T::ZERO;
                a[p + p * n] = T::from_re(app - t * g);
                a[q + q * n] = T::from_re(aqq + t * g);
                if let Some(v) = v.as_deref_mut() {
                    let (x, y) = cols2(v, n, n, p, q);
                    rotate(x, y, c, s, ce);
                }
            }
        }
    }
    false
}

/// Real symmetric eigenproblem (EISPACK `tred2` + `tql2`, as in JAMA):
/// Householder tridiagonalisation, then implicit QL. `v` holds the full
/// symmetric matrix (ld n) on entry, its eigenvectors on exit; `d` the
/// eigenvalues (unsorted). False if QL did not converge. O(n^3) with a small
/// constant: much faster than Jacobi, which stays for the complex kinds.
// Index loops kept: a line-by-line port, easier to check against EISPACK.
#[allow(clippy::needless_range_loop)]
fn tred2_tql2<R: Real>(n: usize, v: &mut [R], d: &mut [R], e: &mut [R]) -> bool {
    if n == 0 {
        return true;
    }
    let zero = R::ZERO;
    macro_rules! vv {
        ($i:expr, $j:expr) => {
            v[$i + ($j) * n]
        };
    }
    for j in 0..n {
        d[j] = vv!(n - 1, j);
    }
    for i in (1..n).rev() {
        let mut scale = zero;
        let mut h = zero;
        for k in 0..i {
            scale = scale + d[k].abs();
        }
        if scale == zero {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = vv!(i - 1, j);
                vv!(i, j) = zero;
                vv!(j, i) = zero;
            }
        } else {
            for k in 0..i {
                d[k] = d[k] / scale;
                h = h + d[k] * d[k];
            }
            let mut f = d[i - 1];
            let mut g = h.sqrt();
            if f > zero {
                g = -g;
            }
            e[i] = scale * g;
            h = h - f * g;
            d[i - 1] = f - g;
            for ej in e.iter_mut().take(i) {
                *ej = zero;
            }
            for j in 0..i {
                f = d[j];
                vv!(j, i) = f;
                g = e[j] + vv!(j, j) * f;
                for k in j + 1..i {
                    g = g + vv!(k, j) * d[k];
                    e[k] = e[k] + vv!(k, j) * f;
                }
                e[j] = g;
            }
            f = zero;
            for j in 0..i {
                e[j] = e[j] / h;
                f = f + e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] = e[j] - hh * d[j];
            }
            for j in 0..i {
                f = d[j];
                g = e[j];
                for k in j..i {
                    vv!(k, j) = vv!(k, j) - (f * e[k] + g * d[k]);
                }
                d[j] = vv!(i - 1, j);
                vv!(i, j) = zero;
            }
        }
        d[i] = h;
    }
    for i in 0..n - 1 {
        vv!(n - 1, i) = vv!(i, i);
        vv!(i, i) = R::ONE;
        let h = d[i + 1];
        if h != zero {
            for k in 0..=i {
                d[k] = vv!(k, i + 1) / h;
            }
            for j in 0..=i {
                let mut g = zero;
                for k in 0..=i {
                    g = g + vv!(k, i + 1) * vv!(k, j);
                }
                for k in 0..=i {
                    vv!(k, j) = vv!(k, j) - g * d[k];
                }
            }
        }
        for k in 0..=i {
            vv!(k, i + 1) = zero;
        }
    }
    for j in 0..n {
        d[j] = vv!(n - 1, j);
        vv!(n - 1, j) = zero;
    }
    vv!(n - 1, n - 1) = R::ONE;
    e[0] = zero;

    // tql2: implicit QL on the tridiagonal (d, e).
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = zero;
    let mut f = zero;
    let mut tst1 = zero;
    let eps = R::EPS + R::EPS;
    let two = R::of(2.0);
    for l in 0..n {
        tst1 = rmax(tst1, d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n {
            if e[m].abs() <= eps * tst1 {
                break;
            }
            m += 1;
        }
        if m > l {
            let mut iter = 0;
            loop {
                iter += 1;
                if iter > itmax(n) {
                    return false;
                }
                let mut g = d[l];
                let mut p = (d[l + 1] - g) / (two * e[l]);
                let mut r = lapy3(p, R::ONE, zero);
                if p < zero {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let mut h = g - d[l];
                for di in d.iter_mut().take(n).skip(l + 2) {
                    *di = *di - h;
                }
                f = f + h;
                p = d[m];
                let (mut c, mut c2, mut c3) = (R::ONE, R::ONE, R::ONE);
                let el1 = e[l + 1];
                let (mut s, mut s2) = (zero, zero);
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    g = c * e[i];
                    h = c * p;
                    r = lapy3(p, e[i], zero);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    let (x, y) = cols2(v, n, n, i, i + 1);
                    for (vi, vi1) in x.iter_mut().zip(y.iter_mut()) {
                        h = *vi1;
                        *vi1 = s * *vi + c * h;
                        *vi = c * *vi - s * h;
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * tst1 {
                    break;
                }
            }
        }
        d[l] = d[l] + f;
        e[l] = zero;
    }
    true
}

/// One-sided Jacobi on the rows x cols `w` (rows >= cols, ld rows): its
/// columns become mutually orthogonal, `W_in V = W_out`, `v` collecting the
/// rotations (cols x cols). False if it did not converge.
fn jacobi_svd<T: Scalar>(rows: usize, cols: usize, w: &mut [T], v: &mut [T]) -> Option<bool> {
    // Rounding leaves |w_p^H w_q| ~ rows * eps * |w_p| |w_q|: that is converged.
    let tol = T::R::of(rows.max(1) as f64) * T::R::EPS;
    // Squared column norms: computed afresh each sweep, updated by each
    // rotation as the diagonal of W^H W (so the last, rotation-free sweep
    // decides on exact norms).
    let mut d = Buf::filled(cols, T::R::ZERO)?;
    for _ in 0..MAX_SWEEPS {
        for (j, dj) in d.iter_mut().enumerate() {
            let nj = nrm2(&w[j * rows..(j + 1) * rows]);
            *dj = nj * nj;
        }
        let mut rotated = false;
        for p in 0..cols {
            for q in p + 1..cols {
                let (x, y) = cols2(w, rows, rows, p, q);
                let gamma = dotc(x, y);
                let g = gamma.abs();
                let bound = tol * d[p].sqrt() * d[q].sqrt();
                if g.partial_cmp(&bound) != Some(core::cmp::Ordering::Greater) {
                    continue;
                }
                rotated = true;
                let (c, s, ce, t) = jacobi_rotation(d[p], d[q], gamma);
                rotate(x, y, c, s, ce);
                let (x, y) = cols2(v, cols, cols, p, q);
                rotate(x, y, c, s, ce);
                d[p] = d[p] - t * g;
                d[q] = d[q] + t * g;
            }
        }
        if !rotated {
            return Some(true);
        }
    }
    Some(false)
}

/// Indices of `s` in decreasing order (stable).
fn order_desc<R: Real>(s: &[R], idx: &mut [usize]) {
    for (i, v) in idx.iter_mut().enumerate() {
        *v = i;
    }
    for i in 1..idx.len() {
        let mut j = i;
        while j > 0 && s[idx[j - 1]] < s[idx[j]] {
            idx.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Fill the columns of the rows x ncols `u` not marked in `filled` so that
/// `u` has orthonormal columns (the filled ones already are): a Householder
/// QR of the filled columns gives the orthogonal complement.
fn complete<T: Scalar>(u: &mut [T], rows: usize, ncols: usize, filled: &[bool]) -> Option<()> {
    let r = filled.iter().filter(|f| **f).count();
    if r == ncols {
        return Some(());
    }
    let mut q = Buf::<T>::new(rows * rows)?;
    for (k, (j, _)) in filled.iter().enumerate().filter(|(_, f)| **f).enumerate() {
        q[k * rows..(k + 1) * rows].copy_from_slice(&u[j * rows..(j + 1) * rows]);
    }
    let mut tau = Buf::<T>::new(r)?;
    geqrf(rows, r, &mut q, rows, &mut tau);
    ungqr(rows, rows, r, &mut q, rows, &tau);
    for (next, (j, _)) in (r..).zip(filled.iter().enumerate().filter(|(_, f)| !**f)) {
        u[j * rows..(j + 1) * rows].copy_from_slice(&q[next * rows..(next + 1) * rows]);
    }
    Some(())
}

/// `A = U diag(s) V^H` of an m x n matrix, s decreasing, from one-sided
/// Jacobi on `A` (m >= n) or on `A^H` (`trans`, m < n).
struct Svd<T: Scalar> {
    /// rows x cols, rows = max(m, n): orthogonal columns, |w_j| = sigma_j.
    w: Buf<T>,
    /// cols x cols unitary: `A V = W` (or `A^H V = W`).
    v: Buf<T>,
    sigma: Buf<T::R>,
    /// Column indices by decreasing sigma.
    order: Buf<usize>,
    rows: usize,
    cols: usize,
    trans: bool,
    converged: bool,
}

impl<T: Scalar> Svd<T> {
    fn new(m: usize, n: usize, a: &[T], lda: usize) -> Option<Self> {
        let trans = m < n;
        let (rows, cols) = if trans { (n, m) } else { (m, n) };
        let mut w = Buf::<T>::new(rows * cols)?;
        for j in 0..n {
            for i in 0..m {
                let x = a[i + j * lda];
                if trans {
                    w[j + i * rows] = x.conj();
                } else {
                    w[i + j * rows] = x;
                }
            }
        }
        let mut v = Buf::<T>::identity(cols)?;
        let converged = jacobi_svd(rows, cols, &mut w, &mut v)?;
        let mut sigma = Buf::filled(cols, T::R::ZERO)?;
        for j in 0..cols {
            sigma[j] = nrm2(&w[j * rows..(j + 1) * rows]);
        }
        let mut order = Buf::filled(cols, 0usize)?;
        order_desc(&sigma, &mut order);
        Some(Svd {
            w,
            v,
            sigma,
            order,
            rows,
            cols,
            trans,
            converged,
        })
    }

    /// The k-th largest singular value.
    fn s(&self, k: usize) -> T::R {
        self.sigma[self.order[k]]
    }

    /// The left factor of the Jacobi matrix (`U` of A, or of A^H if
    /// `trans`), rows x ncols (ncols = cols, or rows for a full basis).
    fn left(&self, ncols: usize) -> Option<Buf<T>> {
        let rows = self.rows;
        let mut u = Buf::<T>::new(rows * ncols)?;
        let mut filled = Buf::filled(ncols, false)?;
        for k in 0..self.cols {
            let j = self.order[k];
            let s = self.sigma[j];
            if s > T::R::ZERO && s.is_finite() {
                let inv = T::R::ONE / s;
                for i in 0..rows {
                    u[i + k * rows] = self.w[i + j * rows].scale(inv);
                }
                filled[k] = true;
            }
        }
        complete(&mut u, rows, ncols, &filled)?;
        Some(u)
    }

    /// The right factor (`V` of A, or of A^H), cols x cols, sorted.
    fn right(&self) -> Option<Buf<T>> {
        let n = self.cols;
        let mut v = Buf::<T>::new(n * n)?;
        for k in 0..n {
            let j = self.order[k];
            v[k * n..(k + 1) * n].copy_from_slice(&self.v[j * n..(j + 1) * n]);
        }
        Some(v)
    }
}

/// `gesdd`: s, and with jobz 'A' (full) or 'S' (thin) U and V^H.
#[allow(clippy::too_many_arguments)]
fn gesdd<T: Scalar>(
    jobz: u8,
    m: usize,
    n: usize,
    a: &[T],
    lda: usize,
    s: &mut [T::R],
    u: &mut [T],
    ldu: usize,
    vt: &mut [T],
    ldvt: usize,
) -> Option<c_int> {
    let svd = Svd::new(m, n, a, lda)?;
    if !svd.converged {
        return Some(1);
    }
    let minmn = m.min(n);
    for (k, sk) in s.iter_mut().enumerate().take(minmn) {
        *sk = svd.s(k);
    }
    if jobz == b'N' {
        return Some(0);
    }
    let ucols = if jobz == b'A' { svd.rows } else { minmn };
    let left = svd.left(ucols)?;
    let right = svd.right()?;
    let rows = svd.rows;
    let cols = svd.cols;
    if !svd.trans {
        // u = left (m x ucols), vt = right^H (n x n).
        for k in 0..ucols {
            u[k * ldu..k * ldu + m].copy_from_slice(&left[k * rows..(k + 1) * rows]);
        }
        for i in 0..n {
            for k in 0..n {
                vt[k + i * ldvt] = right[i + k * cols].conj();
            }
        }
    } else {
        // A = right diag(s) left^H: u = right (m x m), vt = left^H.
        for k in 0..m {
            u[k * ldu..k * ldu + m].copy_from_slice(&right[k * cols..(k + 1) * cols]);
        }
        for i in 0..n {
            for k in 0..ucols {
                vt[k + i * ldvt] = left[i + k * rows].conj();
            }
        }
    }
    Some(0)
}

// ---------------------------------------------------------------------------
// Hermitian eigenproblem: syevd / heevd

/// Eigenvalues (ascending) into `w`, eigenvectors into `a` if `vectors`;
/// only the `uplo` triangle of `a` is read, as LAPACK does.
fn evd<T: Scalar>(
    vectors: bool,
    lower: bool,
    n: usize,
    a: &mut [T],
    lda: usize,
    w: &mut [T::R],
) -> Option<c_int> {
    let mut h = Buf::<T>::new(n * n)?;
    for j in 0..n {
        for i in 0..n {
            let stored = (i > j) == lower;
            h[i + j * n] = if i == j {
                T::from_re(a[i + i * lda].re())
            } else if stored {
                a[i + j * lda]
            } else {
                a[j + i * lda].conj()
            };
        }
    }
    let mut v = if vectors {
        Some(Buf::<T>::identity(n)?)
    } else {
        None
    };
    if !T::COMPLEX {
        // Real kinds: tridiagonal QL, with the eigenvectors in `hr`.
        let mut hr = Buf::filled(n * n, T::R::ZERO)?;
        let mut d = Buf::filled(n, T::R::ZERO)?;
        let mut e = Buf::filled(n, T::R::ZERO)?;
        for (x, y) in hr.iter_mut().zip(h.iter()) {
            *x = y.re();
        }
        if !tred2_tql2(n, &mut hr, &mut d, &mut e) {
            return Some(1);
        }
        for (i, x) in h.iter_mut().enumerate() {
            let (r, c) = (i % n, i / n);
            *x = if r == c { T::from_re(d[r]) } else { T::ZERO };
        }
        if let Some(v) = v.as_deref_mut() {
            for (x, y) in v.iter_mut().zip(hr.iter()) {
                *x = T::from_re(*y);
            }
        }
    } else if !jacobi_eigen(n, &mut h, v.as_deref_mut()) {
        return Some(1);
    }
    let mut order = Buf::filled(n, 0usize)?;
    let mut neg = Buf::filled(n, T::R::ZERO)?;
    for i in 0..n {
        neg[i] = -h[i + i * n].re();
    }
    // Decreasing -lambda is increasing lambda (stable for ties).
    order_desc(&neg, &mut order);
    for k in 0..n {
        w[k] = -neg[order[k]];
    }
    if let Some(v) = v {
        for k in 0..n {
            let j = order[k];
            a[k * lda..k * lda + n].copy_from_slice(&v[j * n..(j + 1) * n]);
        }
    }
    Some(0)
}

// ---------------------------------------------------------------------------
// Least squares: gelsd

/// Minimum-norm solution of `min |A X - B|` into the first n rows of `b`,
/// singular values into `s`, the effective rank into `rank`.
#[allow(clippy::too_many_arguments)]
fn gelsd<T: Scalar>(
    m: usize,
    n: usize,
    nrhs: usize,
    a: &mut [T],
    lda: usize,
    b: &mut [T],
    ldb: usize,
    s: &mut [T::R],
    rcond: T::R,
    rank: &mut i32,
) -> Option<c_int> {
    let minmn = m.min(n);
    let tall = m >= n;
    let svd = if tall {
        // Q^H B, then the SVD of R: rows n.. of B keep the residual part.
        let mut tau = Buf::<T>::new(n)?;
        geqrf(m, n, a, lda, &mut tau);
        for r in 0..nrhs {
            let col = &mut b[r * ldb..r * ldb + m];
            for i in 0..n {
                larf(
                    &a[i * lda + i + 1..i * lda + m],
                    tau[i].conj(),
                    &mut col[i..],
                );
            }
        }
        let mut rr = Buf::<T>::new(n * n)?;
        for j in 0..n {
            for i in 0..=j {
                rr[i + j * n] = a[i + j * lda];
            }
        }
        Svd::new(n, n, &rr, n)?
    } else {
        Svd::new(m, n, a, lda)?
    };
    if !svd.converged {
        return Some(1);
    }
    for (k, sk) in s.iter_mut().enumerate().take(minmn) {
        *sk = svd.s(k);
    }
    let rc = if rcond > T::R::ZERO && rcond < T::R::ONE {
        rcond
    } else {
        T::R::EPS
    };
    let thr = rc * svd.s(0);
    let kept = (0..minmn).take_while(|&k| svd.s(k) > thr).count();
    *rank = kept as i32;
    // With W = M V (M = R, or A^H when wide), M^+ = V diag(1/s^2) W^H
    // (tall), A^+ = W diag(1/s^2) V^H (wide).
    let (rows, cols) = (svd.rows, svd.cols);
    let xlen = n;
    let mut x = Buf::<T>::new(xlen)?;
    for r in 0..nrhs {
        let col = &mut b[r * ldb..r * ldb + m.max(n)];
        for v in x.iter_mut() {
            *v = T::ZERO;
        }
        for k in 0..kept {
            let j = svd.order[k];
            let s2 = svd.sigma[j] * svd.sigma[j];
            if tall {
                let c = dotc(&svd.w[j * rows..(j + 1) * rows], &col[..n]);
                axpy(
                    c.scale(T::R::ONE / s2),
                    &svd.v[j * cols..(j + 1) * cols],
                    &mut x,
                );
            } else {
                let c = dotc(&svd.v[j * cols..(j + 1) * cols], &col[..m]);
                axpy(
                    c.scale(T::R::ONE / s2),
                    &svd.w[j * rows..(j + 1) * rows],
                    &mut x,
                );
            }
        }
        col[..n].copy_from_slice(&x);
    }
    Some(0)
}

// ---------------------------------------------------------------------------
// General real eigenproblem: EISPACK orthes + hqr2 (as in JAMA)

/// Iterations allowed per eigenvalue before reporting non-convergence
/// (LAPACK's `lahqr` allows 30 * max(10, n) in all).
fn itmax(n: usize) -> usize {
    30 * n.max(10)
}

/// Complex division (xr + i xi) / (yr + i yi) of reals.
fn cdiv<R: Real>(xr: R, xi: R, yr: R, yi: R) -> (R, R) {
    if yr.abs() > yi.abs() {
        let r = yi / yr;
        let d = yr + r * yi;
        ((xr + r * xi) / d, (xi - r * xr) / d)
    } else {
        let r = yr / yi;
        let d = yi + r * yr;
        ((r * xr + xi) / d, (r * xi - xr) / d)
    }
}

/// Real Schur form and eigenvectors of the n x n real `h` (ld n): eigenvalues
/// into `wr`, `wi` (complex pairs adjacent, positive imaginary part first);
/// if `v` is given, eigenvectors as `geev` packs them (a complex pair's
/// vector is `v[:, j] + i v[:, j+1]`), not yet normalised. False if the QR
/// iteration did not converge.
fn hqr2<R: Real>(nn: usize, h: &mut [R], wr: &mut [R], wi: &mut [R], v: &mut [R]) -> bool {
    let ix = |i: isize, j: isize| i as usize + j as usize * nn;
    macro_rules! hh {
        ($i:expr, $j:expr) => {
            h[ix($i, $j)]
        };
    }
    macro_rules! vv {
        ($i:expr, $j:expr) => {
            v[ix($i, $j)]
        };
    }
    let zero = R::ZERO;
    let eps = R::EPS + R::EPS;
    let half = R::of(0.5);
    let high = nn as isize - 1;
    let low: isize = 0;

    // orthes: Householder reduction to Hessenberg form, accumulated in v.
    let mut ort = Buf::filled(nn, zero).expect("hqr2 work");
    for m in low + 1..high {
        let mut scale = zero;
        for i in m..=high {
            scale = scale + hh!(i, m - 1).abs();
        }
        if scale != zero {
            let mut hsum = zero;
            for i in (m..=high).rev() {
                ort[i as usize] = hh!(i, m - 1) / scale;
                hsum = hsum + ort[i as usize] * ort[i as usize];
            }
            let mut g = hsum.sqrt();
            if ort[m as usize] > zero {
                g = -g;
            }
            hsum = hsum - ort[m as usize] * g;
            ort[m as usize] = ort[m as usize] - g;
            for j in m..nn as isize {
                let mut f = zero;
                for i in (m..=high).rev() {
                    f = f + ort[i as usize] * hh!(i, j);
                }
                f = f / hsum;
                for i in m..=high {
                    hh!(i, j) = hh!(i, j) - f * ort[i as usize];
                }
            }
            for i in 0..=high {
                let mut f = zero;
                for j in (m..=high).rev() {
                    f = f + ort[j as usize] * hh!(i, j);
                }
                f = f / hsum;
                for j in m..=high {
                    hh!(i, j) = hh!(i, j) - f * ort[j as usize];
                }
            }
            ort[m as usize] = scale * ort[m as usize];
            hh!(m, m - 1) = scale * g;
        }
    }
    for j in 0..nn as isize {
        for i in 0..nn as isize {
            vv!(i, j) = if i == j { R::ONE } else { zero };
        }
    }
    for m in (low + 1..high).rev() {
        if hh!(m, m - 1) != zero {
            for i in m + 1..=high {
                ort[i as usize] = hh!(i, m - 1);
            }
            for j in m..=high {
                let mut g = zero;
                for i in m..=high {
                    g = g + ort[i as usize] * vv!(i, j);
                }
                g = (g / ort[m as usize]) / hh!(m, m - 1);
                for i in m..=high {
                    vv!(i, j) = vv!(i, j) + g * ort[i as usize];
                }
            }
        }
    }

    // hqr2: Francis double-shift QR to real Schur form.
    let mut n = nn as isize - 1;
    let mut exshift = zero;
    let (mut p, mut q, mut r, mut s, mut z) = (zero, zero, zero, zero, zero);
    let (mut t, mut w, mut x, mut y);
    let mut norm = zero;
    for i in 0..nn as isize {
        for j in (i - 1).max(0)..nn as isize {
            norm = norm + hh!(i, j).abs();
        }
    }
    let mut iter = 0usize;
    while n >= low {
        let mut l = n;
        while l > low {
            s = hh!(l - 1, l - 1).abs() + hh!(l, l).abs();
            if s == zero {
                s = norm;
            }
            if hh!(l, l - 1).abs() < eps * s {
                break;
            }
            l -= 1;
        }
        if l == n {
            hh!(n, n) = hh!(n, n) + exshift;
            wr[n as usize] = hh!(n, n);
            wi[n as usize] = zero;
            n -= 1;
            iter = 0;
        } else if l == n - 1 {
            w = hh!(n, n - 1) * hh!(n - 1, n);
            p = (hh!(n - 1, n - 1) - hh!(n, n)) * half;
            q = p * p + w;
            z = q.abs().sqrt();
            hh!(n, n) = hh!(n, n) + exshift;
            hh!(n - 1, n - 1) = hh!(n - 1, n - 1) + exshift;
            x = hh!(n, n);
            if q >= zero {
                z = if p >= zero { p + z } else { p - z };
                wr[n as usize - 1] = x + z;
                wr[n as usize] = wr[n as usize - 1];
                if z != zero {
                    wr[n as usize] = x - w / z;
                }
                wi[n as usize - 1] = zero;
                wi[n as usize] = zero;
                x = hh!(n, n - 1);
                s = x.abs() + z.abs();
                p = x / s;
                q = z / s;
                r = (p * p + q * q).sqrt();
                p = p / r;
                q = q / r;
                for j in n - 1..nn as isize {
                    z = hh!(n - 1, j);
                    hh!(n - 1, j) = q * z + p * hh!(n, j);
                    hh!(n, j) = q * hh!(n, j) - p * z;
                }
                for i in 0..=n {
                    z = hh!(i, n - 1);
                    hh!(i, n - 1) = q * z + p * hh!(i, n);
                    hh!(i, n) = q * hh!(i, n) - p * z;
                }
                for i in low..=high {
                    z = vv!(i, n - 1);
                    vv!(i, n - 1) = q * z + p * vv!(i, n);
                    vv!(i, n) = q * vv!(i, n) - p * z;
                }
            } else {
                wr[n as usize - 1] = x + p;
                wr[n as usize] = x + p;
                wi[n as usize - 1] = z;
                wi[n as usize] = -z;
            }
            n -= 2;
            iter = 0;
        } else {
            x = hh!(n, n);
            y = zero;
            w = zero;
            if l < n {
                y = hh!(n - 1, n - 1);
                w = hh!(n, n - 1) * hh!(n - 1, n);
            }
            // Wilkinson's original ad hoc shift.
            if iter == 10 {
                exshift = exshift + x;
                for i in low..=n {
                    hh!(i, i) = hh!(i, i) - x;
                }
                s = hh!(n, n - 1).abs() + hh!(n - 1, n - 2).abs();
                x = R::of(0.75) * s;
                y = x;
                w = R::of(-0.4375) * s * s;
            }
            // MATLAB's ad hoc shift.
            if iter == 30 {
                s = (y - x) * half;
                s = s * s + w;
                if s > zero {
                    s = s.sqrt();
                    if y < x {
                        s = -s;
                    }
                    s = x - w / ((y - x) * half + s);
                    for i in low..=n {
                        hh!(i, i) = hh!(i, i) - s;
                    }
                    exshift = exshift + s;
                    x = R::of(0.964);
                    y = x;
                    w = x;
                }
            }
            iter += 1;
            if iter > itmax(nn) {
                return false;
            }
            let mut m = n - 2;
            while m >= l {
                z = hh!(m, m);
                r = x - z;
                s = y - z;
                p = (r * s - w) / hh!(m + 1, m) + hh!(m, m + 1);
                q = hh!(m + 1, m + 1) - z - r - s;
                r = hh!(m + 2, m + 1);
                s = p.abs() + q.abs() + r.abs();
                p = p / s;
                q = q / s;
                r = r / s;
                if m == l {
                    break;
                }
                if hh!(m, m - 1).abs() * (q.abs() + r.abs())
                    < eps
                        * (p.abs() * (hh!(m - 1, m - 1).abs() + z.abs() + hh!(m + 1, m + 1).abs()))
                {
                    break;
                }
                m -= 1;
            }
            for i in m + 2..=n {
                hh!(i, i - 2) = zero;
                if i > m + 2 {
                    hh!(i, i - 3) = zero;
                }
            }
            let mut k = m;
            while k < n {
                let notlast = k != n - 1;
                if k != m {
                    p = hh!(k, k - 1);
                    q = hh!(k + 1, k - 1);
                    r = if notlast { hh!(k + 2, k - 1) } else { zero };
                    x = p.abs() + q.abs() + r.abs();
                    if x == zero {
                        k += 1;
                        continue;
                    }
                    p = p / x;
                    q = q / x;
                    r = r / x;
                }
                s = (p * p + q * q + r * r).sqrt();
                if p < zero {
                    s = -s;
                }
                if s != zero {
                    if k != m {
                        hh!(k, k - 1) = -s * x;
                    } else if l != m {
                        hh!(k, k - 1) = -hh!(k, k - 1);
                    }
                    p = p + s;
                    x = p / s;
                    y = q / s;
                    z = r / s;
                    q = q / p;
                    r = r / p;
                    for j in k..nn as isize {
                        p = hh!(k, j) + q * hh!(k + 1, j);
                        if notlast {
                            p = p + r * hh!(k + 2, j);
                            hh!(k + 2, j) = hh!(k + 2, j) - p * z;
                        }
                        hh!(k, j) = hh!(k, j) - p * x;
                        hh!(k + 1, j) = hh!(k + 1, j) - p * y;
                    }
                    for i in 0..=n.min(k + 3) {
                        p = x * hh!(i, k) + y * hh!(i, k + 1);
                        if notlast {
                            p = p + z * hh!(i, k + 2);
                            hh!(i, k + 2) = hh!(i, k + 2) - p * r;
                        }
                        hh!(i, k) = hh!(i, k) - p;
                        hh!(i, k + 1) = hh!(i, k + 1) - p * q;
                    }
                    for i in low..=high {
                        p = x * vv!(i, k) + y * vv!(i, k + 1);
                        if notlast {
                            p = p + z * vv!(i, k + 2);
                            vv!(i, k + 2) = vv!(i, k + 2) - p * r;
                        }
                        vv!(i, k) = vv!(i, k) - p;
                        vv!(i, k + 1) = vv!(i, k + 1) - p * q;
                    }
                }
                k += 1;
            }
        }
    }

    // Back substitution: eigenvectors of the quasi-triangular form.
    if norm == zero {
        return true;
    }
    for n in (0..nn as isize).rev() {
        p = wr[n as usize];
        q = wi[n as usize];
        if q == zero {
            let mut l = n;
            hh!(n, n) = R::ONE;
            for i in (0..n).rev() {
                w = hh!(i, i) - p;
                r = zero;
                for j in l..=n {
                    r = r + hh!(i, j) * hh!(j, n);
                }
                if wi[i as usize] < zero {
                    z = w;
                    s = r;
                } else {
                    l = i;
                    if wi[i as usize] == zero {
                        hh!(i, n) = if w != zero { -r / w } else { -r / (eps * norm) };
                    } else {
                        x = hh!(i, i + 1);
                        y = hh!(i + 1, i);
                        q = (wr[i as usize] - p) * (wr[i as usize] - p)
                            + wi[i as usize] * wi[i as usize];
                        t = (x * s - z * r) / q;
                        hh!(i, n) = t;
                        hh!(i + 1, n) = if x.abs() > z.abs() {
                            (-r - w * t) / x
                        } else {
                            (-s - y * t) / z
                        };
                    }
                    t = hh!(i, n).abs();
                    if (eps * t) * t > R::ONE {
                        for j in i..=n {
                            hh!(j, n) = hh!(j, n) / t;
                        }
                    }
                }
            }
        } else if q < zero {
            let mut l = n - 1;
            if hh!(n, n - 1).abs() > hh!(n - 1, n).abs() {
                hh!(n - 1, n - 1) = q / hh!(n, n - 1);
                hh!(n - 1, n) = -(hh!(n, n) - p) / hh!(n, n - 1);
            } else {
                let (cr, ci) = cdiv(zero, -hh!(n - 1, n), hh!(n - 1, n - 1) - p, q);
                hh!(n - 1, n - 1) = cr;
                hh!(n - 1, n) = ci;
            }
            hh!(n, n - 1) = zero;
            hh!(n, n) = R::ONE;
            for i in (0..n - 1).rev() {
                let (mut ra, mut sa) = (zero, zero);
                for j in l..=n {
                    ra = ra + hh!(i, j) * hh!(j, n - 1);
                    sa = sa + hh!(i, j) * hh!(j, n);
                }
                w = hh!(i, i) - p;
                if wi[i as usize] < zero {
                    z = w;
                    r = ra;
                    s = sa;
                } else {
                    l = i;
                    if wi[i as usize] == zero {
                        let (cr, ci) = cdiv(-ra, -sa, w, q);
                        hh!(i, n - 1) = cr;
                        hh!(i, n) = ci;
                    } else {
                        x = hh!(i, i + 1);
                        y = hh!(i + 1, i);
                        let d = wr[i as usize] - p;
                        let mut vr = d * d + wi[i as usize] * wi[i as usize] - q * q;
                        let vi = d * R::of(2.0) * q;
                        if vr == zero && vi == zero {
                            vr = eps * norm * (w.abs() + q.abs() + x.abs() + y.abs() + z.abs());
                        }
                        let (cr, ci) =
                            cdiv(x * r - z * ra + q * sa, x * s - z * sa - q * ra, vr, vi);
                        hh!(i, n - 1) = cr;
                        hh!(i, n) = ci;
                        if x.abs() > z.abs() + q.abs() {
                            hh!(i + 1, n - 1) = (-ra - w * hh!(i, n - 1) + q * hh!(i, n)) / x;
                            hh!(i + 1, n) = (-sa - w * hh!(i, n) - q * hh!(i, n - 1)) / x;
                        } else {
                            let (cr, ci) = cdiv(-r - y * hh!(i, n - 1), -s - y * hh!(i, n), z, q);
                            hh!(i + 1, n - 1) = cr;
                            hh!(i + 1, n) = ci;
                        }
                    }
                    t = rmax(hh!(i, n - 1).abs(), hh!(i, n).abs());
                    if (eps * t) * t > R::ONE {
                        for j in i..=n {
                            hh!(j, n - 1) = hh!(j, n - 1) / t;
                            hh!(j, n) = hh!(j, n) / t;
                        }
                    }
                }
            }
        }
    }
    // Back transformation: V <- V * (upper quasi-triangular vectors).
    for j in (0..nn as isize).rev() {
        for i in 0..nn as isize {
            z = zero;
            for k in 0..=j {
                z = z + vv!(i, k) * hh!(k, j);
            }
            vv!(i, j) = z;
        }
    }
    true
}

/// `rgeev`'s normalisation: unit 2-norm, a complex pair's largest
/// component made real.
fn normalize_real_vectors<R: Real>(n: usize, v: &mut [R], wi: &[R]) {
    let mut j = 0;
    while j < n {
        if wi[j] == R::ZERO {
            let col = &mut v[j * n..(j + 1) * n];
            let inv = R::ONE / rnrm2(col);
            for x in col.iter_mut() {
                *x = *x * inv;
            }
            j += 1;
        } else {
            let (re, im) = cols2(v, n, n, j, j + 1);
            let inv = R::ONE / lapy3(rnrm2(re), rnrm2(im), R::ZERO);
            let mut k = 0;
            let mut best = R::ZERO;
            for i in 0..n {
                re[i] = re[i] * inv;
                im[i] = im[i] * inv;
                let m = re[i] * re[i] + im[i] * im[i];
                if m > best {
                    best = m;
                    k = i;
                }
            }
            // Rotate by the phase of component k (LAPACK `lartg` + `rot`).
            let (f, g) = (re[k], im[k]);
            let d = lapy3(f, g, R::ZERO);
            if d != R::ZERO {
                let c = f.abs() / d;
                let s = g / d.copysign(f);
                for i in 0..n {
                    let (x, y) = (re[i], im[i]);
                    re[i] = c * x + s * y;
                    im[i] = c * y - s * x;
                }
            }
            im[k] = R::ZERO;
            j += 2;
        }
    }
}

// ---------------------------------------------------------------------------
// General complex eigenproblem: Hessenberg + single-shift QR

/// Schur form `A = Z T Z^H` of the complex n x n `h` (ld n), eigenvalues
/// into `w`, eigenvectors (unit norm, largest component real, as `zgeev`)
/// into `vr` (ld `ldvr`) when given. False if QR did not converge.
fn complex_eig<T: Scalar>(
    n: usize,
    h: &mut [T],
    w: &mut [T],
    vr: Option<(&mut [T], usize)>,
) -> Option<bool> {
    let mut z = Buf::<T>::identity(n)?;
    let mut v = Buf::<T>::new(n)?;
    // Householder reduction to Hessenberg form.
    for k in 0..n.saturating_sub(2) {
        let col = &mut h[k * n + k + 1..k * n + n];
        let (alpha, x) = col.split_first_mut().expect("non-empty");
        let tau = larfg(alpha, x);
        v[0] = T::ONE;
        v[1..n - k - 1].copy_from_slice(x);
        for e in x.iter_mut() {
            *e = T::ZERO;
        }
        let vs = &v[..n - k - 1];
        // H <- H^H(reflector) H: columns k+1.. (rows k+1..).
        for j in k + 1..n {
            larf(&vs[1..], tau.conj(), &mut h[j * n + k + 1..j * n + n]);
        }
        // H <- H * reflector, Z <- Z * reflector: rows r, columns k+1..
        for m in [&mut *h, &mut *z] {
            for r in 0..n {
                let mut s = T::ZERO;
                for (i, vi) in vs.iter().enumerate() {
                    s = s + m[r + (k + 1 + i) * n] * *vi;
                }
                let f = s * tau;
                for (i, vi) in vs.iter().enumerate() {
                    m[r + (k + 1 + i) * n] = m[r + (k + 1 + i) * n] - f * vi.conj();
                }
            }
        }
    }
    let mut norm = T::R::ZERO;
    for e in h.iter() {
        norm = rmax(norm, e.abs());
    }
    // Shifted QR with Givens rotations on the active window [l, hi].
    let eps = T::R::EPS;
    let mut hi = n as isize - 1;
    let mut iter = 0usize;
    let mut total = 0usize;
    while hi > 0 {
        let hiu = hi as usize;
        let mut l = hiu;
        while l > 0 {
            let mut s = h[(l - 1) * (n + 1)].abs1() + h[l * (n + 1)].abs1();
            if s == T::R::ZERO {
                s = norm;
            }
            if h[l + (l - 1) * n].abs1() <= eps * s {
                h[l + (l - 1) * n] = T::ZERO;
                break;
            }
            l -= 1;
        }
        if l == hiu {
            hi -= 1;
            iter = 0;
            continue;
        }
        iter += 1;
        total += 1;
        if total > itmax(n) * n.max(1) {
            return Some(false);
        }
        let (a, b, c, d) = (
            h[(hiu - 1) * (n + 1)],
            h[hiu - 1 + hiu * n],
            h[hiu + (hiu - 1) * n],
            h[hiu * (n + 1)],
        );
        let mu = if iter.is_multiple_of(10) {
            // Exceptional shift (as `lahqr`), out of a possible cycle.
            d + T::from_re(T::R::of(0.75) * c.re().abs())
        } else {
            // Wilkinson: the eigenvalue of the trailing 2x2 nearer d.
            let half = T::from_re(T::R::of(0.5));
            let m = (a - d) * half;
            let disc = csqrt(m * m + b * c);
            let (e1, e2) = (m + disc, m - disc);
            let e = if e1.abs() >= e2.abs() { e1 } else { e2 };
            if e == T::ZERO { d } else { d - (b * c) / e }
        };
        for k in l..hiu {
            let (x, y) = if k == l {
                (h[l * (n + 1)] - mu, h[l + 1 + l * n])
            } else {
                (h[k + (k - 1) * n], h[k + 1 + (k - 1) * n])
            };
            let (gc, gs) = givens(x, y);
            // Rows k, k+1 from the left by G.
            for j in k.saturating_sub(1).max(l)..n {
                let (p, q) = (h[k + j * n], h[k + 1 + j * n]);
                h[k + j * n] = p.scale(gc) + gs * q;
                h[k + 1 + j * n] = q.scale(gc) - gs.conj() * p;
            }
            if k > l {
                h[k + 1 + (k - 1) * n] = T::ZERO;
            }
            // Columns k, k+1 from the right by G^H, in H and Z.
            let last = (k + 2).min(hiu);
            for (m, rows) in [(&mut *h, last + 1), (&mut *z, n)] {
                let (p, q) = cols2(m, n, rows, k, k + 1);
                for (pi, qi) in p.iter_mut().zip(q.iter_mut()) {
                    let (x, y) = (*pi, *qi);
                    *pi = x.scale(gc) + gs.conj() * y;
                    *qi = y.scale(gc) - gs * x;
                }
            }
        }
    }
    for i in 0..n {
        w[i] = h[i * (n + 1)];
    }
    let Some((vr, ldvr)) = vr else {
        return Some(true);
    };
    // Eigenvectors of the triangular T, then back to A with Z.
    let small = if eps * norm > T::R::ZERO {
        eps * norm
    } else {
        T::R::EPS
    };
    let mut x = Buf::<T>::new(n)?;
    for k in 0..n {
        let lam = h[k * (n + 1)];
        for e in x.iter_mut() {
            *e = T::ZERO;
        }
        x[k] = T::ONE;
        for j in (0..k).rev() {
            let mut s = T::ZERO;
            for l in j + 1..=k {
                s = s + h[j + l * n] * x[l];
            }
            let mut den = h[j * (n + 1)] - lam;
            if den.abs1() < small {
                den = T::from_re(small);
            }
            x[j] = -(s / den);
        }
        let col = &mut vr[k * ldvr..k * ldvr + n];
        for i in 0..n {
            let mut s = T::ZERO;
            for l in 0..=k {
                s = s + z[i + l * n] * x[l];
            }
            col[i] = s;
        }
        let inv = T::R::ONE / nrm2(col);
        let mut best = T::R::ZERO;
        let mut kk = 0;
        for (i, e) in col.iter_mut().enumerate() {
            *e = e.scale(inv);
            if e.abs2() > best {
                best = e.abs2();
                kk = i;
            }
        }
        let ph = col[kk].conj().scale(T::R::ONE / best.sqrt());
        for e in col.iter_mut() {
            *e = *e * ph;
        }
        col[kk] = T::from_re(col[kk].re());
    }
    Some(true)
}

/// Principal square root of a complex number.
fn csqrt<T: Scalar>(z: T) -> T {
    let (a, b) = (z.re(), z.im());
    let r = z.abs();
    if r == T::R::ZERO {
        return T::ZERO;
    }
    let half = T::R::of(0.5);
    if a >= T::R::ZERO {
        let t = ((r + a) * half).sqrt();
        T::new(t, b / (t + t))
    } else {
        let t = ((r - a) * half).sqrt();
        T::new(b.abs() / (t + t), t.copysign(b))
    }
}

/// Complex Givens rotation `G = [[c, s], [-conj(s), c]]`, c real, with
/// `G [x; y] = [r; 0]`.
fn givens<T: Scalar>(x: T, y: T) -> (T::R, T) {
    let ax = x.abs();
    if ax == T::R::ZERO {
        return (T::R::ZERO, T::ONE);
    }
    let rho = lapy3(ax, y.abs(), T::R::ZERO);
    (
        ax / rho,
        (x.scale(T::R::ONE / ax) * y.conj()).scale(T::R::ONE / rho),
    )
}

// ---------------------------------------------------------------------------
// The `_lapack.c` entry points

/// Run `$f::<T>(args)` for the element type of `kind`; -1 for another kind.
macro_rules! by_kind {
    ($kind:expr, $f:ident ( $($arg:expr),* )) => {
        match $kind as u8 {
            b's' => $f::<f32>($($arg),*),
            b'd' => $f::<f64>($($arg),*),
            b'c' => $f::<C32>($($arg),*),
            b'z' => $f::<C64>($($arg),*),
            _ => None,
        }
        .unwrap_or(STATUS_ERROR)
    };
}

fn upper(c: c_char) -> u8 {
    (c as u8).to_ascii_uppercase()
}

/// `numba_xxgetrf`: LU factorisation with partial pivoting.
///
/// # Safety
/// Pointers as `_lapack.c` documents: `a` an m x n matrix (ld `lda`), `ipiv`
/// min(m, n) Fortran ints.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_xxgetrf(
    kind: c_char,
    m: i64,
    n: i64,
    a: *mut c_void,
    lda: i64,
    ipiv: *mut i32,
) -> c_int {
    unsafe fn run<T: Scalar>(
        m: i64,
        n: i64,
        a: *mut c_void,
        lda: i64,
        ipiv: *mut i32,
    ) -> Option<c_int> {
        let (m, n) = (dim(m)?, dim(n)?);
        let lda = ld(lda, m)?;
        // SAFETY: the caller's contract.
        let (a, ipiv) = unsafe {
            (
                mat::<T>(a, lda, m, n),
                mat::<i32>(ipiv as *mut c_void, 1, 1, m.min(n)),
            )
        };
        Some(getrf(m, n, a, lda, ipiv))
    }
    unsafe { by_kind!(kind, run(m, n, a, lda, ipiv)) }
}

/// `numba_ez_xxgetri`: inverse from `numba_xxgetrf`'s factors.
///
/// # Safety
/// As `numba_xxgetrf`, square.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_ez_xxgetri(
    kind: c_char,
    n: i64,
    a: *mut c_void,
    lda: i64,
    ipiv: *mut i32,
) -> c_int {
    unsafe fn run<T: Scalar>(n: i64, a: *mut c_void, lda: i64, ipiv: *mut i32) -> Option<c_int> {
        let n = dim(n)?;
        let lda = ld(lda, n)?;
        // SAFETY: the caller's contract.
        let (a, ipiv) = unsafe {
            (
                mat::<T>(a, lda, n, n),
                mat::<i32>(ipiv as *mut c_void, 1, 1, n),
            )
        };
        Some(getri(n, a, lda, ipiv))
    }
    unsafe { by_kind!(kind, run(n, a, lda, ipiv)) }
}

/// `numba_xgesv`: solve `A X = B` (A overwritten by its LU factors).
///
/// # Safety
/// `a` n x n (ld `lda`), `ipiv` n Fortran ints, `b` n x nrhs (ld `ldb`).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn numba_xgesv(
    kind: c_char,
    n: i64,
    nrhs: i64,
    a: *mut c_void,
    lda: i64,
    ipiv: *mut i32,
    b: *mut c_void,
    ldb: i64,
) -> c_int {
    unsafe fn run<T: Scalar>(
        n: i64,
        nrhs: i64,
        a: *mut c_void,
        lda: i64,
        ipiv: *mut i32,
        b: *mut c_void,
        ldb: i64,
    ) -> Option<c_int> {
        let (n, nrhs) = (dim(n)?, dim(nrhs)?);
        let (lda, ldb) = (ld(lda, n)?, ld(ldb, n)?);
        // SAFETY: the caller's contract.
        let (a, ipiv, b) = unsafe {
            (
                mat::<T>(a, lda, n, n),
                mat::<i32>(ipiv as *mut c_void, 1, 1, n),
                mat::<T>(b, ldb, n, nrhs),
            )
        };
        let info = getrf(n, n, a, lda, ipiv);
        if info == 0 {
            getrs(n, a, lda, ipiv, b, ldb, nrhs);
        }
        Some(info)
    }
    unsafe { by_kind!(kind, run(n, nrhs, a, lda, ipiv, b, ldb)) }
}

/// `numba_xxpotrf`: Cholesky factorisation of the `uplo` triangle.
///
/// # Safety
/// `a` n x n (ld `lda`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_xxpotrf(
    kind: c_char,
    uplo: c_char,
    n: i64,
    a: *mut c_void,
    lda: i64,
) -> c_int {
    unsafe fn run<T: Scalar>(uplo: u8, n: i64, a: *mut c_void, lda: i64) -> Option<c_int> {
        let n = dim(n)?;
        let lda = ld(lda, n)?;
        if uplo != b'U' && uplo != b'L' {
            return None;
        }
        // SAFETY: the caller's contract.
        let a = unsafe { mat::<T>(a, lda, n, n) };
        Some(potrf(uplo == b'U', n, a, lda))
    }
    unsafe { by_kind!(kind, run(upper(uplo), n, a, lda)) }
}

/// `numba_ez_geqrf`: Householder QR, R above the diagonal, reflectors below.
///
/// # Safety
/// `a` m x n (ld `lda`), `tau` min(m, n) elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_ez_geqrf(
    kind: c_char,
    m: i64,
    n: i64,
    a: *mut c_void,
    lda: i64,
    tau: *mut c_void,
) -> c_int {
    unsafe fn run<T: Scalar>(
        m: i64,
        n: i64,
        a: *mut c_void,
        lda: i64,
        tau: *mut c_void,
    ) -> Option<c_int> {
        let (m, n) = (dim(m)?, dim(n)?);
        let lda = ld(lda, m)?;
        // SAFETY: the caller's contract.
        let (a, tau) = unsafe { (mat::<T>(a, lda, m, n), mat::<T>(tau, 1, 1, m.min(n))) };
        geqrf(m, n, a, lda, tau);
        Some(0)
    }
    unsafe { by_kind!(kind, run(m, n, a, lda, tau)) }
}

/// `numba_ez_xxgqr`: the first n columns of Q from `numba_ez_geqrf`.
///
/// # Safety
/// `a` m x n (ld `lda`), `tau` k elements.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_ez_xxgqr(
    kind: c_char,
    m: i64,
    n: i64,
    k: i64,
    a: *mut c_void,
    lda: i64,
    tau: *mut c_void,
) -> c_int {
    unsafe fn run<T: Scalar>(
        m: i64,
        n: i64,
        k: i64,
        a: *mut c_void,
        lda: i64,
        tau: *mut c_void,
    ) -> Option<c_int> {
        let (m, n, k) = (dim(m)?, dim(n)?, dim(k)?);
        let lda = ld(lda, m)?;
        if n > m || k > n {
            return None;
        }
        // SAFETY: the caller's contract.
        let (a, tau) = unsafe { (mat::<T>(a, lda, m, n), mat::<T>(tau, 1, 1, k)) };
        ungqr(m, n, k, a, lda, tau);
        Some(0)
    }
    unsafe { by_kind!(kind, run(m, n, k, a, lda, tau)) }
}

/// `numba_ez_xxxevd`: eigenvalues (ascending) of a Hermitian matrix read
/// from its `uplo` triangle, and eigenvectors in `a` if jobz is 'V'.
///
/// # Safety
/// `a` n x n (ld `lda`), `w` n reals.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_ez_xxxevd(
    kind: c_char,
    jobz: c_char,
    uplo: c_char,
    n: i64,
    a: *mut c_void,
    lda: i64,
    w: *mut c_void,
) -> c_int {
    unsafe fn run<T: Scalar>(
        jobz: u8,
        uplo: u8,
        n: i64,
        a: *mut c_void,
        lda: i64,
        w: *mut c_void,
    ) -> Option<c_int> {
        let n = dim(n)?;
        let lda = ld(lda, n)?;
        if !matches!(jobz, b'N' | b'V') || !matches!(uplo, b'U' | b'L') {
            return None;
        }
        // SAFETY: the caller's contract.
        let (a, w) = unsafe { (mat::<T>(a, lda, n, n), mat::<T::R>(w, 1, 1, n)) };
        evd(jobz == b'V', uplo == b'L', n, a, lda, w)
    }
    unsafe { by_kind!(kind, run(upper(jobz), upper(uplo), n, a, lda, w)) }
}

/// `numba_ez_gesdd`: singular values, and U, V^H for jobz 'A' or 'S'.
///
/// # Safety
/// `a` m x n (ld `lda`), `s` min(m, n) reals, `u` m x (m or min(m, n))
/// (ld `ldu`), `vt` (n or min(m, n)) x n (ld `ldvt`).
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn numba_ez_gesdd(
    kind: c_char,
    jobz: c_char,
    m: i64,
    n: i64,
    a: *mut c_void,
    lda: i64,
    s: *mut c_void,
    u: *mut c_void,
    ldu: i64,
    vt: *mut c_void,
    ldvt: i64,
) -> c_int {
    #[allow(clippy::too_many_arguments)]
    unsafe fn run<T: Scalar>(
        jobz: u8,
        m: i64,
        n: i64,
        a: *mut c_void,
        lda: i64,
        s: *mut c_void,
        u: *mut c_void,
        ldu: i64,
        vt: *mut c_void,
        ldvt: i64,
    ) -> Option<c_int> {
        let (m, n) = (dim(m)?, dim(n)?);
        let lda = ld(lda, m)?;
        let minmn = m.min(n);
        let (ucols, vtrows) = match jobz {
            b'A' => (m, n),
            b'S' => (minmn, minmn),
            b'N' => (0, 0),
            _ => return None,
        };
        let (ldu, ldvt) = if jobz == b'N' {
            (1, 1)
        } else {
            (ld(ldu, m)?, ld(ldvt, vtrows)?)
        };
        if m == 0 || n == 0 {
            return Some(0);
        }
        // SAFETY: the caller's contract.
        let (a, s, u, vt) = unsafe {
            (
                mat::<T>(a, lda, m, n),
                mat::<T::R>(s, 1, 1, minmn),
                mat::<T>(u, ldu, m, ucols),
                mat::<T>(vt, ldvt, vtrows, n),
            )
        };
        gesdd(jobz, m, n, a, lda, s, u, ldu, vt, ldvt)
    }
    unsafe { by_kind!(kind, run(upper(jobz), m, n, a, lda, s, u, ldu, vt, ldvt)) }
}

/// `numba_ez_gelsd`: minimum-norm least squares; `rank` is a Fortran int.
///
/// # Safety
/// `a` m x n (ld `lda`), `b` max(m, n) x nrhs (ld `ldb`), `s` min(m, n)
/// reals, `rank` one Fortran int.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn numba_ez_gelsd(
    kind: c_char,
    m: i64,
    n: i64,
    nrhs: i64,
    a: *mut c_void,
    lda: i64,
    b: *mut c_void,
    ldb: i64,
    s: *mut c_void,
    rcond: f64,
    rank: *mut i32,
) -> c_int {
    #[allow(clippy::too_many_arguments)]
    unsafe fn run<T: Scalar>(
        m: i64,
        n: i64,
        nrhs: i64,
        a: *mut c_void,
        lda: i64,
        b: *mut c_void,
        ldb: i64,
        s: *mut c_void,
        rcond: f64,
        rank: *mut i32,
    ) -> Option<c_int> {
        let (m, n, nrhs) = (dim(m)?, dim(n)?, dim(nrhs)?);
        let lda = ld(lda, m)?;
        let ldb = ld(ldb, m.max(n))?;
        if rank.is_null() {
            return None;
        }
        // SAFETY: the caller's contract.
        let (a, b, s, rank) = unsafe {
            (
                mat::<T>(a, lda, m, n),
                mat::<T>(b, ldb, m.max(n), nrhs),
                mat::<T::R>(s, 1, 1, m.min(n)),
                &mut *rank,
            )
        };
        if m == 0 || n == 0 {
            *rank = 0;
            for v in b.iter_mut() {
                *v = T::ZERO;
            }
            return Some(0);
        }
        gelsd(m, n, nrhs, a, lda, b, ldb, s, T::R::of(rcond), rank)
    }
    unsafe { by_kind!(kind, run(m, n, nrhs, a, lda, b, ldb, s, rcond, rank)) }
}

/// `numba_ez_rgeev`: eigenvalues (wr + i wi) of a general real matrix and,
/// for jobvr 'V', its right eigenvectors packed as LAPACK packs them.
/// Left eigenvectors (jobvl 'V') are not computed: Numba never asks.
///
/// # Safety
/// `a` n x n (ld `lda`), `wr`, `wi` n reals, `vr` n x n (ld `ldvr`) if
/// jobvr is 'V'.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn numba_ez_rgeev(
    kind: c_char,
    jobvl: c_char,
    jobvr: c_char,
    n: i64,
    a: *mut c_void,
    lda: i64,
    wr: *mut c_void,
    wi: *mut c_void,
    _vl: *mut c_void,
    _ldvl: i64,
    vr: *mut c_void,
    ldvr: i64,
) -> c_int {
    #[allow(clippy::too_many_arguments)]
    unsafe fn run<R: Real + Scalar<R = R>>(
        jobvl: u8,
        jobvr: u8,
        n: i64,
        a: *mut c_void,
        lda: i64,
        wr: *mut c_void,
        wi: *mut c_void,
        vr: *mut c_void,
        ldvr: i64,
    ) -> Option<c_int> {
        let n = dim(n)?;
        let lda = ld(lda, n)?;
        if jobvl != b'N' || !matches!(jobvr, b'N' | b'V') {
            return None;
        }
        let vectors = jobvr == b'V';
        let ldvr = if vectors { ld(ldvr, n)? } else { 1 };
        // SAFETY: the caller's contract.
        let (a, wr, wi) = unsafe {
            (
                mat::<R>(a, lda, n, n),
                mat::<R>(wr, 1, 1, n),
                mat::<R>(wi, 1, 1, n),
            )
        };
        let mut h = Buf::<R>::new(n * n)?;
        let mut v = Buf::<R>::new(n * n)?;
        for j in 0..n {
            h[j * n..(j + 1) * n].copy_from_slice(&a[j * lda..j * lda + n]);
        }
        if !hqr2(n, &mut h, wr, wi, &mut v) {
            return Some(1);
        }
        if vectors {
            normalize_real_vectors(n, &mut v, wi);
            // SAFETY: the caller's contract.
            let vr = unsafe { mat::<R>(vr, ldvr, n, n) };
            for j in 0..n {
                vr[j * ldvr..j * ldvr + n].copy_from_slice(&v[j * n..(j + 1) * n]);
            }
        }
        Some(0)
    }
    let (jl, jr) = (upper(jobvl), upper(jobvr));
    unsafe {
        match kind as u8 {
            b's' => run::<f32>(jl, jr, n, a, lda, wr, wi, vr, ldvr),
            b'd' => run::<f64>(jl, jr, n, a, lda, wr, wi, vr, ldvr),
            _ => None,
        }
        .unwrap_or(STATUS_ERROR)
    }
}

/// `numba_ez_cgeev`: eigenvalues of a general complex matrix and, for jobvr
/// 'V', its right eigenvectors. Left ones (jobvl 'V') are not computed.
///
/// # Safety
/// `a` n x n (ld `lda`), `w` n elements, `vr` n x n (ld `ldvr`) if jobvr
/// is 'V'.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn numba_ez_cgeev(
    kind: c_char,
    jobvl: c_char,
    jobvr: c_char,
    n: i64,
    a: *mut c_void,
    lda: i64,
    w: *mut c_void,
    _vl: *mut c_void,
    _ldvl: i64,
    vr: *mut c_void,
    ldvr: i64,
) -> c_int {
    #[allow(clippy::too_many_arguments)]
    unsafe fn run<T: Scalar>(
        jobvl: u8,
        jobvr: u8,
        n: i64,
        a: *mut c_void,
        lda: i64,
        w: *mut c_void,
        vr: *mut c_void,
        ldvr: i64,
    ) -> Option<c_int> {
        let n = dim(n)?;
        let lda = ld(lda, n)?;
        if jobvl != b'N' || !matches!(jobvr, b'N' | b'V') {
            return None;
        }
        let vectors = jobvr == b'V';
        let ldvr = if vectors { ld(ldvr, n)? } else { 1 };
        // SAFETY: the caller's contract.
        let (a, w) = unsafe { (mat::<T>(a, lda, n, n), mat::<T>(w, 1, 1, n)) };
        let mut h = Buf::<T>::new(n * n)?;
        for j in 0..n {
            h[j * n..(j + 1) * n].copy_from_slice(&a[j * lda..j * lda + n]);
        }
        // SAFETY: the caller's contract.
        let vr = if vectors {
            Some((unsafe { mat::<T>(vr, ldvr, n, n) }, ldvr))
        } else {
            None
        };
        Some(if complex_eig(n, &mut h, w, vr)? { 0 } else { 1 })
    }
    let (jl, jr) = (upper(jobvl), upper(jobvr));
    unsafe {
        match kind as u8 {
            b'c' => run::<C32>(jl, jr, n, a, lda, w, vr, ldvr),
            b'z' => run::<C64>(jl, jr, n, a, lda, w, vr, ldvr),
            _ => None,
        }
        .unwrap_or(STATUS_ERROR)
    }
}
