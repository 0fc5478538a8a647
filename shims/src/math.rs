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
//!
//! Where musl's algorithms are less accurate than glibc's (which native Numba
//! calls), strong definitions here take precedence over the weak ones:
//! `exp`, `exp2`, `log`, `log2`, `log10`, `pow` (`aor.rs`) and `expm1`,
//! `log1p`, `cosh`, `sinh`, `tanh`, `acosh`, `asinh`, `atanh` (`fdlibm.rs`)
//! are glibc's own algorithms, so they return what native returns; `tgamma`
//! and `lgamma` use double-double (`gamma.rs`), `hypot` an exact residual;
//! `sin`, `cos`, `tan` (`trig.rs`) and `atan`, `atan2`, `asin`, `acos`
//! (`atan.rs`) are correctly rounded (double-double, Ziv's rounding test);
//! float32 `expf`, `exp2f`, `logf`, `log2f`
//! are glibc's (`aorf.rs`); every other float32 function is its float64
//! counterpart rounded once to float32, which is correctly rounded except on
//! rare double-rounding cases (glibc's float32 functions are up to ~2 ulp off).
//! Accuracy against mpmath and native: docs/libm.md.

use core::ffi::c_int;

mod aor;
mod aor_data;
mod aorf;
mod aorf_data;
mod atan;
mod dd;
mod fdlibm;
mod gamma;
mod gamma_data;
mod trig;
mod trig_data;

/// `tgamma`: double-double for 1 <= |x| <= 184 (`gamma.rs`), musl elsewhere.
#[unsafe(no_mangle)]
pub extern "C" fn tgamma(x: f64) -> f64 {
    gamma::tgamma(x).unwrap_or_else(|| libm::tgamma(x))
}

/// `lgamma`: double-double near the negative zeros (`gamma.rs`), musl elsewhere.
#[unsafe(no_mangle)]
pub extern "C" fn lgamma(x: f64) -> f64 {
    gamma::lgamma_neg(x).unwrap_or_else(|| libm::lgamma(x))
}

#[unsafe(no_mangle)]
pub extern "C" fn exp(x: f64) -> f64 {
    aor::exp(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn log(x: f64) -> f64 {
    aor::log(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn pow(x: f64, y: f64) -> f64 {
    aor::pow(x, y)
}

#[unsafe(no_mangle)]
pub extern "C" fn expm1(x: f64) -> f64 {
    fdlibm::expm1(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn exp2(x: f64) -> f64 {
    aor::exp2(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn log2(x: f64) -> f64 {
    aor::log2(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn log10(x: f64) -> f64 {
    aor::log10(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn log1p(x: f64) -> f64 {
    fdlibm::log1p(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn atanh(x: f64) -> f64 {
    fdlibm::atanh(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn cosh(x: f64) -> f64 {
    fdlibm::cosh(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn sinh(x: f64) -> f64 {
    fdlibm::sinh(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn tanh(x: f64) -> f64 {
    fdlibm::tanh(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn acosh(x: f64) -> f64 {
    fdlibm::acosh(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn asinh(x: f64) -> f64 {
    fdlibm::asinh(x)
}

/// Correctly rounded sin, cos, tan (`trig.rs`) and atan, atan2, asin, acos
/// (`atan.rs`), as glibc's are in practice.
#[unsafe(no_mangle)]
pub extern "C" fn sin(x: f64) -> f64 {
    trig::sin(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn cos(x: f64) -> f64 {
    trig::cos(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn tan(x: f64) -> f64 {
    trig::tan(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn atan(x: f64) -> f64 {
    atan::atan(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn atan2(y: f64, x: f64) -> f64 {
    atan::atan2(y, x)
}

#[unsafe(no_mangle)]
pub extern "C" fn asin(x: f64) -> f64 {
    atan::asin(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn acos(x: f64) -> f64 {
    atan::acos(x)
}

/// `hypot`: glibc's is correctly rounded in practice (musl's is not): the
/// square root of x²+y² formed exactly in double-double, with one Newton
/// correction from the exact residual.
#[unsafe(no_mangle)]
pub extern "C" fn hypot(x: f64, y: f64) -> f64 {
    if x.is_infinite() || y.is_infinite() {
        return f64::INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return x + y;
    }
    let (mut a, mut b) = (x.abs(), y.abs());
    if a < b {
        core::mem::swap(&mut a, &mut b);
    }
    if b == 0.0 || a > b * 9.007_199_254_740_992e15 * 4.0 {
        return a + b; // b is below half an ulp of a
    }
    // keep the squares and the split in range
    const BIG: f64 = 4.149_515_568_880_993e180; // 2^600
    let scale = if a > 1e150 {
        a /= BIG;
        b /= BIG;
        BIG
    } else if b < 1e-150 {
        a *= BIG;
        b *= BIG;
        1.0 / BIG
    } else {
        1.0
    };
    let (a2, a2l) = aor::two_prod(a, a);
    let (b2, b2l) = aor::two_prod(b, b);
    let sh = a2 + b2;
    let sl = (a2 - sh) + b2 + a2l + b2l;
    let h = libm::sqrt(sh);
    let (hh, hl) = aor::two_prod(h, h);
    let r = ((sh - hh) - hl + sl) / (2.0 * h);
    (h + r) * scale
}

/// glibc's own float32 exp/exp2/log/log2 (`aorf.rs`), bit for bit.
#[unsafe(no_mangle)]
pub extern "C" fn expf(x: f32) -> f32 {
    aorf::expf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn exp2f(x: f32) -> f32 {
    aorf::exp2f(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn logf(x: f32) -> f32 {
    aorf::logf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn log2f(x: f32) -> f32 {
    aorf::log2f(x)
}

/// Other float32 functions: the float64 function, rounded once.
macro_rules! via_f64 {
    ($($name:ident => $f:path),* $(,)?) => {
        $(
            #[unsafe(no_mangle)]
            pub extern "C" fn $name(x: f32) -> f32 {
                $f(x as f64) as f32
            }
        )*
    };
}

via_f64!(
    coshf => cosh, sinhf => sinh, tanhf => tanh,
    acoshf => acosh, asinhf => asinh, atanhf => fdlibm::atanh, sinf => trig::sin,
    cosf => trig::cos, tanf => trig::tan, asinf => atan::asin, acosf => atan::acos,
    atanf => atan::atan, expm1f => fdlibm::expm1,
    log10f => aor::log10, cbrtf => libm::cbrt, erff => libm::erf,
    erfcf => libm::erfc, lgammaf => lgamma, tgammaf => tgamma,
);

/// glibc's `log1pf` is fdlibm's float algorithm, as the `libm` crate's is
/// (they differ in the last bit on ~1 in 10^4 random inputs): Numba computes
/// float32 `np.logaddexp` as `x + log1pf(expf(-|x - y|))`, and with glibc's
/// roundings of that middle step the composition is as accurate as native's
/// (docs/libm.md), where a correctly rounded `log1pf` made it less so.
#[unsafe(no_mangle)]
pub extern "C" fn log1pf(x: f32) -> f32 {
    libm::log1pf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn powf(x: f32, y: f32) -> f32 {
    aor::pow(x as f64, y as f64) as f32
}

#[unsafe(no_mangle)]
pub extern "C" fn atan2f(y: f32, x: f32) -> f32 {
    atan::atan2(y as f64, x as f64) as f32
}

#[unsafe(no_mangle)]
pub extern "C" fn hypotf(x: f32, y: f32) -> f32 {
    hypot(x as f64, y as f64) as f32
}

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

unary!(exp10);
unaryf!(exp10f);
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
    let (sv, cv) = trig::sincos(x);
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
    let (sv, cv) = trig::sincos(x as f64);
    let (sv, cv) = (sv as f32, cv as f32);
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
    tgamma(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_gammaf(x: f32) -> f32 {
    tgammaf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_lgamma(x: f64) -> f64 {
    lgamma(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_lgammaf(x: f32) -> f32 {
    lgammaf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_erf(x: f64) -> f64 {
    libm::erf(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_erff(x: f32) -> f32 {
    erff(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_erfc(x: f64) -> f64 {
    libm::erfc(x)
}

#[unsafe(no_mangle)]
pub extern "C" fn numba_erfcf(x: f32) -> f32 {
    erfcf(x)
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
    let vabs = hypot(a.real, a.imag);
    let mut len = aor::pow(vabs, b.real);
    let at = atan::atan2(a.imag, a.real);
    let mut phase = at * b.real;
    if b.imag != 0.0 {
        len /= aor::exp(at * b.imag);
        phase += b.imag * aor::log(vabs);
    }
    Complex {
        real: len * trig::cos(phase),
        imag: len * trig::sin(phase),
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
