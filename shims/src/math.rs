//! libm symbols and Numba's C math helpers (`_helperlib.c`).
//!
//! On wasm32 LLVM lowers `llvm.sin`, `llvm.pow`, `llvm.exp`, ... to libm
//! calls, and Numba's `mathimpl.py` calls tan, asin, erf, ... by name.
//! Rust's `compiler_builtins` (always linked into the staticlib) already
//! defines most of libm as weak symbols for wasm32-unknown-unknown: sin cos
//! tan asin acos atan atan2 sinh cosh tanh exp exp2 expm1 log log2 log10
//! log1p pow fmod hypot cbrt erf erfc tgamma fma round rint ceil floor trunc
//! sqrt fabs copysign fmin fmax fdim ldexp (and their `f` versions). Defining
//! them again would only duplicate code, so this module adds the rest, all
//! from the `libm` crate (a Rust port of musl).

use core::ffi::c_int;

/// `double name(double)` and `float namef(float)` forwarding to `libm`.
macro_rules! unary {
    ($($name:ident),* $(,)?) => {
        $(
            #[unsafe(no_mangle)]
            pub extern "C" fn $name(x: f64) -> f64 {
                libm::$name(x)
            }
        )*
    };
}

macro_rules! unaryf {
    ($($name:ident),* $(,)?) => {
        $(
            #[unsafe(no_mangle)]
            pub extern "C" fn $name(x: f32) -> f32 {
                libm::$name(x)
            }
        )*
    };
}

macro_rules! binary {
    ($($name:ident: $t:ty),* $(,)?) => {
        $(
            #[unsafe(no_mangle)]
            pub extern "C" fn $name(x: $t, y: $t) -> $t {
                libm::$name(x, y)
            }
        )*
    };
}

unary!(acosh, asinh, atanh, lgamma, exp10);
unaryf!(acoshf, asinhf, atanhf, lgammaf, exp10f);
binary!(
    nextafter: f64,
    nextafterf: f32,
    remainder: f64,
    remainderf: f32,
);

/// `nearbyint`: no FP exceptions on wasm, so it is `rint`.
#[unsafe(no_mangle)]
pub extern "C" fn nearbyint(x: f64) -> f64 {
    libm::rint(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn nearbyintf(x: f32) -> f32 {
    libm::rintf(x)
}

/// `double scalbn(double, int)`.
#[unsafe(no_mangle)]
pub extern "C" fn scalbn(x: f64, n: c_int) -> f64 {
    libm::scalbn(x, n)
}

#[unsafe(no_mangle)]
pub extern "C" fn scalbnf(x: f32, n: c_int) -> f32 {
    libm::scalbnf(x, n)
}

/// `double frexp(double, int *)`.
///
/// # Safety
/// `exp` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frexp(x: f64, exp: *mut c_int) -> f64 {
    let (m, e) = libm::frexp(x);
    // SAFETY: caller passes a writable int.
    unsafe { *exp = e };
    m
}

/// # Safety
/// `exp` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn frexpf(x: f32, exp: *mut c_int) -> f32 {
    let (m, e) = libm::frexpf(x);
    // SAFETY: caller passes a writable int.
    unsafe { *exp = e };
    m
}

/// `double modf(double, double *)`.
///
/// # Safety
/// `iptr` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn modf(x: f64, iptr: *mut f64) -> f64 {
    let (frac, int) = libm::modf(x);
    // SAFETY: caller passes a writable double.
    unsafe { *iptr = int };
    frac
}

/// # Safety
/// `iptr` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn modff(x: f32, iptr: *mut f32) -> f32 {
    let (frac, int) = libm::modff(x);
    // SAFETY: caller passes a writable float.
    unsafe { *iptr = int };
    frac
}

/// `void sincos(double, double *, double *)`: LLVM may merge sin+cos.
///
/// # Safety
/// `s` and `c` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sincos(x: f64, s: *mut f64, c: *mut f64) {
    let (sv, cv) = libm::sincos(x);
    // SAFETY: caller passes writable doubles.
    unsafe {
        *s = sv;
        *c = cv;
    }
}

/// # Safety
/// `s` and `c` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn sincosf(x: f32, s: *mut f32, c: *mut f32) {
    let (sv, cv) = libm::sincosf(x);
    // SAFETY: caller passes writable floats.
    unsafe {
        *s = sv;
        *c = cv;
    }
}

// ---------------------------------------------------------------------------
// Numba helpers (_helperlib.c), same names and C signatures.

#[unsafe(no_mangle)]
pub extern "C" fn numba_gamma(x: f64) -> f64 {
    libm::tgamma(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_gammaf(x: f32) -> f32 {
    libm::tgammaf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_lgamma(x: f64) -> f64 {
    libm::lgamma(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_lgammaf(x: f32) -> f32 {
    libm::lgammaf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_erf(x: f64) -> f64 {
    libm::erf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_erff(x: f32) -> f32 {
    libm::erff(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_erfc(x: f64) -> f64 {
    libm::erfc(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_erfcf(x: f32) -> f32 {
    libm::erfcf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_nextafter(a: f64, b: f64) -> f64 {
    libm::nextafter(a, b)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_nextafterf(a: f32, b: f32) -> f32 {
    libm::nextafterf(a, b)
}

/// `numba_fixed_fmod`: the Windows fnclex work-around is moot here.
#[unsafe(no_mangle)]
pub extern "C" fn numba_fixed_fmod(x: f64, y: f64) -> f64 {
    libm::fmod(x, y)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_fixed_fmodf(x: f32, y: f32) -> f32 {
    libm::fmodf(x, y)
}

/// `numba_frexp`: zero, inf and nan give exponent 0 and `x` unchanged.
///
/// # Safety
/// `exp` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_frexp(x: f64, exp: *mut c_int) -> f64 {
    if !x.is_finite() || x == 0.0 {
        // SAFETY: caller passes a writable int.
        unsafe { *exp = 0 };
        return x;
    }
    // SAFETY: forwarded contract.
    unsafe { frexp(x, exp) }
}

/// # Safety
/// `exp` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_frexpf(x: f32, exp: *mut c_int) -> f32 {
    if !x.is_finite() || x == 0.0 {
        // SAFETY: caller passes a writable int.
        unsafe { *exp = 0 };
        return x;
    }
    // SAFETY: forwarded contract.
    unsafe { frexpf(x, exp) }
}

/// `numba_ldexp`: only finite non-zero `x` with non-zero `exp` change.
#[unsafe(no_mangle)]
pub extern "C" fn numba_ldexp(x: f64, exp: c_int) -> f64 {
    if x.is_finite() && x != 0.0 && exp != 0 {
        libm::ldexp(x, exp)
    } else {
        x
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_ldexpf(x: f32, exp: c_int) -> f32 {
    if x.is_finite() && x != 0.0 && exp != 0 {
        libm::ldexpf(x, exp)
    } else {
        x
    }
}

/// `Py_complex`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct Complex {
    pub real: f64,
    pub imag: f64,
}

/// `_complex_float_t`.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ComplexF {
    pub real: f32,
    pub imag: f32,
}

/// CPython 3.11 `_Py_c_pow`; its EDOM case (0 ** negative or complex)
/// gives nan+nanj, as `numba_cpow` does.
fn c_pow(a: Complex, b: Complex) -> Complex {
    if b.real == 0.0 && b.imag == 0.0 {
        return Complex {
            real: 1.0,
            imag: 0.0,
        };
    }
    if a.real == 0.0 && a.imag == 0.0 {
        if b.imag != 0.0 || b.real < 0.0 {
            return Complex {
                real: f64::NAN,
                imag: f64::NAN,
            };
        }
        return Complex {
            real: 0.0,
            imag: 0.0,
        };
    }
    let vabs = libm::hypot(a.real, a.imag);
    let mut len = libm::pow(vabs, b.real);
    let at = libm::atan2(a.imag, a.real);
    let mut phase = at * b.real;
    if b.imag != 0.0 {
        len /= libm::exp(at * b.imag);
        phase += b.imag * libm::log(vabs);
    }
    Complex {
        real: len * libm::cos(phase),
        imag: len * libm::sin(phase),
    }
}

/// `void numba_cpow(Py_complex *a, Py_complex *b, Py_complex *out)`.
///
/// # Safety
/// All three pointers must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_cpow(a: *const Complex, b: *const Complex, out: *mut Complex) {
    // SAFETY: caller passes valid complex numbers.
    unsafe { *out = c_pow(*a, *b) };
}

/// `void numba_cpowf(_complex_float_t *, _complex_float_t *, _complex_float_t *)`.
///
/// # Safety
/// All three pointers must be valid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_cpowf(a: *const ComplexF, b: *const ComplexF, out: *mut ComplexF) {
    // SAFETY: caller passes valid complex numbers.
    unsafe {
        let wide = |z: ComplexF| Complex {
            real: z.real as f64,
            imag: z.imag as f64,
        };
        let r = c_pow(wide(*a), wide(*b));
        *out = ComplexF {
            real: r.real as f32,
            imag: r.imag as f32,
        };
    }
}

/// 64-bit division helpers Numba provides for 32-bit hosts.
#[unsafe(no_mangle)]
pub extern "C" fn numba_sdiv(a: i64, b: i64) -> i64 {
    a.wrapping_div(b)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_udiv(a: u64, b: u64) -> u64 {
    a / b
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_srem(a: i64, b: i64) -> i64 {
    a.wrapping_rem(b)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_urem(a: u64, b: u64) -> u64 {
    a % b
}

/// `numba_fptoui`: through int64 first, as in C.
#[unsafe(no_mangle)]
pub extern "C" fn numba_fptoui(x: f64) -> u64 {
    x as i64 as u64
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_fptouif(x: f32) -> u64 {
    x as i64 as u64
}

/// `int numba_fatal_error(void)`: `Py_FatalError` aborts; here, trap.
#[unsafe(no_mangle)]
pub extern "C" fn numba_fatal_error() -> c_int {
    crate::trap()
}
