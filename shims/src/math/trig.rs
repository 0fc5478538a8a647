//! Correctly rounded `sin`, `cos` and `tan` (float64).
//!
//! glibc's are correctly rounded in practice; musl's (fdlibm) are up to ~0.7
//! ulp off. Method:
//!
//! 1. Argument reduction x = k·π/2 + r, |r| <= ~π/4. Fast: Cody–Waite with
//!    π/2 in two 33-bit parts and a double (k·part exact for |k| < 2^20, so
//!    |x| < 1.6e6), r to ~2^-79 relative when |r| >= 2^-20. Accurate, r in
//!    double-double to ~2^-104 relative: four 33-bit parts and a fifth double,
//!    the partial sums kept exactly, so that the cancellation of up to ~60
//!    bits near a multiple of π/2 costs no relative accuracy; Payne–Hanek for
//!    larger |x|: x's integer significand times a 256-bit window of the bits
//!    of 2/π at x's exponent, in integer arithmetic, the fraction normalized
//!    to 128 significant bits.
//! 2. |r| = a + d with a = i/64 and |d| <= 1/128: sin(a + d) and cos(a + d)
//!    from a table of sin(a), cos(a) (26-bit head, so that its product with
//!    the 26-bit half of d is exact, and two more doubles) and short Taylor
//!    series of sin d - d and cos d - 1.
//! 3. Ziv's strategy: a fast evaluation (the series in double, the leading
//!    terms in double-double; relative error below 2^-65.7 measured on 10^6
//!    arguments, bounded by `EPS_FAST` = 2^-62) whose rounding is taken when
//!    the error interval contains no rounding boundary; otherwise (~0.3% of
//!    arguments) the accurate reduction and everything in double-double
//!    (~2^-100), correctly rounded unless the exact result is within ~2^-100
//!    relative of a midpoint between doubles.
//!
//! tan = sin r / cos r (or -cos r / sin r) in double-double. Measured against
//! mpmath on 10^6 random arguments per range (uniform to 10 and to 1.6e6,
//! log-uniform to 2^1024, next to multiples of π/2, random bits): every result
//! correctly rounded (glibc's differ from it on ~0.1%; docs/libm.md).

use super::dd::{Dd, add, div, domain_nan, fast_two_sum, horner, mul, round_or_none, two_sum};
use super::trig_data::{COS_T, INV_PIO2, PIO2, PIO2_CW, PIO2_CW_TAIL, SIN_T, SINCOS, TWO_OVER_PI};

/// Relative error bound of the fast path (measured: below 2^-66).
const EPS_FAST: f64 = 2.168_404_344_971_009e-19; // 2^-62

/// Cody–Waite below this |x| (|k| < 2^20), Payne–Hanek above.
const CW_MAX: f64 = 1.6e6;

#[inline(always)]
fn cw(i: usize) -> f64 {
    f64::from_bits(PIO2_CW[i])
}

const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5·2^52: adding it rounds to an integer

/// Fast reduction: x = k·π/2 + r, (k mod 4, r) with r to ~2^-79 relative,
/// or None when |r| < 2^-20 (some of r's bits cancelled), for finite x.
#[inline(always)]
fn reduce_fast(x: f64) -> Option<(u32, Dd)> {
    if x.abs() <= core::f64::consts::FRAC_PI_4 {
        return Some((0, Dd(x, 0.0)));
    }
    if x.abs() >= CW_MAX {
        return Some(reduce(x));
    }
    let k = (x * f64::from_bits(INV_PIO2) + SHIFT) - SHIFT;
    let a = x - k * cw(0); // exact (Sterbenz)
    let s = two_sum(a, -k * cw(1));
    // k·tail rounds off ~2^-99: relative 2^-79 of |r| >= 2^-20
    let lo = s.1 - k * f64::from_bits(PIO2_CW_TAIL);
    if s.0.abs() < 9.5367431640625e-7 {
        return None;
    }
    Some(((k as i64 & 3) as u32, fast_two_sum(s.0, lo)))
}

/// Accurate reduction: x = k·π/2 + r, (k mod 4, r), |r| <= π/4 (1 + 2^-50),
/// r to ~2^-104 relative, for finite x.
#[inline(never)]
fn reduce(x: f64) -> (u32, Dd) {
    let ax = x.abs();
    if ax <= core::f64::consts::FRAC_PI_4 {
        return (0, Dd(x, 0.0));
    }
    if ax < CW_MAX {
        let k = (x * f64::from_bits(INV_PIO2) + SHIFT) - SHIFT;
        let a = x - k * cw(0); // exact (Sterbenz)
        let s1 = two_sum(a, -k * cw(1));
        let s2 = two_sum(s1.0, -k * cw(2));
        // s1.1 (up to 2^-66) minus k·C[3] exactly: rounding them together
        // would cost relative accuracy when s2.0 is tiny
        let m = two_sum(s1.1, -k * cw(3));
        let h = two_sum(s2.0, m.0);
        let r = fast_two_sum(h.0, h.1 + (s2.1 + (m.1 - k * cw(4))));
        return ((k as i64 & 3) as u32, r);
    }
    let (q, r) = reduce_huge(ax);
    if x < 0.0 {
        ((4 - q) & 3, r.neg())
    } else {
        (q, r)
    }
}

/// `p <<= n` over 320 bits (little-endian limbs), n < 320.
fn shl(p: &mut [u64; 5], n: u32) {
    let (w, b) = ((n / 64) as usize, n % 64);
    for j in (0..5).rev() {
        let hi = if j >= w { p[j - w] } else { 0 };
        let lo = if j > w { p[j - w - 1] } else { 0 };
        p[j] = if b == 0 {
            hi
        } else {
            (hi << b) | (lo >> (64 - b))
        };
    }
}

/// Payne–Hanek for finite x >= CW_MAX: (k mod 4, r).
#[inline(never)]
fn reduce_huge(x: f64) -> (u32, Dd) {
    let bits = x.to_bits();
    let m = (bits & ((1 << 52) - 1)) | (1 << 52);
    let e = ((bits >> 52) & 0x7ff) as i32 - 1075; // x = m·2^e, e >= -32
    // x·2/π = Σ_i b_i·m·2^(e-i) over the bits b_i of 2/π; the terms with
    // i <= e - 2 are multiples of 4 and drop out of k mod 4.
    let s = (e - 1).max(1);
    let mut win = [0u64; 4]; // bits s..s+255 of 2/π, most significant first
    for (j, w) in win.iter_mut().enumerate() {
        let pos = (s - 1) as usize + 64 * j;
        let (i, o) = (pos / 64, pos % 64);
        *w = if o == 0 {
            TWO_OVER_PI[i]
        } else {
            (TWO_OVER_PI[i] << o) | (TWO_OVER_PI[i + 1] >> (64 - o))
        };
    }
    // p = m · window (309 bits); x·2/π ≡ p·2^-sh (mod 4), sh = s + 255 - e
    let mut p = [0u64; 5];
    let mut carry = 0u128;
    for j in 0..4 {
        let t = m as u128 * win[3 - j] as u128 + carry;
        p[j] = t as u64;
        carry = t >> 64;
    }
    p[4] = carry as u64;
    let sh = (s + 255 - e) as u32; // 254..=288
    // binary point 2 bits below the top: the bits above it drop out (mod 4)
    shl(&mut p, 318 - sh);
    let mut q = (p[4] >> 62) as u32;
    p[4] &= (1 << 62) - 1;
    // the fraction f = p/2^318; f >= 1/2 rounds k up and leaves f - 1
    let neg = p[4] >> 61 != 0;
    if neg {
        q += 1;
        let mut borrow = true;
        for l in p.iter_mut() {
            *l = !*l;
            if borrow {
                *l = l.wrapping_add(1);
                borrow = *l == 0;
            }
        }
        p[4] &= (1 << 62) - 1;
    }
    // normalize to 128 significant bits (f >= ~2^-64 for every double)
    let lz = if p[4] != 0 {
        p[4].leading_zeros()
    } else if p[3] != 0 {
        64 + p[3].leading_zeros()
    } else {
        128 + p[2].leading_zeros()
    };
    shl(&mut p, lz);
    let top = ((p[4] as u128) << 64) | p[3] as u128;
    // f = top·2^(-126 - lz): top as truncated 53 bits plus the rest
    let hi = (top >> 75 << 75) as f64;
    let lo = (top & ((1 << 75) - 1)) as f64;
    let scale = f64::from_bits(((1023 - 126 - lz as i64) as u64) << 52);
    let f = fast_two_sum(hi * scale, lo * scale);
    let r = mul(f, Dd::from_bits(PIO2));
    (q & 3, if neg { r.neg() } else { r })
}

/// A table value: 26-bit head, mid and low parts.
#[derive(Clone, Copy)]
struct T3(f64, f64, f64);

impl T3 {
    fn from_bits(p: &[u64]) -> T3 {
        T3(
            f64::from_bits(p[0]),
            f64::from_bits(p[1]),
            f64::from_bits(p[2]),
        )
    }

    fn dd(self) -> Dd {
        let h = fast_two_sum(self.0, self.1);
        Dd(h.0, h.1 + self.2)
    }
}

/// Table entry and remainder for r >= 0: r = i/64 + d, d = (r.0 - i/64) +
/// r.1 (the subtraction is exact; the sum is left unnormalized: the fast
/// path's terms of degree >= 2 need only d's leading part).
#[inline(always)]
fn split(r: Dd) -> (T3, T3, Dd) {
    let i = (r.0 * 64.0 + 0.5) as usize;
    let e = &SINCOS[i];
    let d = Dd(r.0 - i as f64 * (1.0 / 64.0), r.1);
    (T3::from_bits(&e[..3]), T3::from_bits(&e[3..]), d)
}

/// Fast sin(r), cos(r) (as requested) for 0 <= r <= ~π/4; error < 2^-65.
#[inline(always)]
fn sincos_fast(r: Dd, want_sin: bool, want_cos: bool) -> (Dd, Dd) {
    let (s, c, d) = split(r);
    let z = d.0 * d.0;
    let t = |k: usize| f64::from_bits(SIN_T[k].0);
    let u = |k: usize| f64::from_bits(COS_T[k].0);
    let sm = d.0 * z * (t(0) + z * (t(1) + z * t(2))); // sin d - d
    let cm = z * (u(0) + z * (u(1) + z * u(2))) - d.0 * d.1; // cos d - 1
    // d = d1 + d2 with 26-bit d1: the tables' 26-bit heads times d1 are exact
    const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
    let g = SPLIT * d.0;
    let d1 = g - (g - d.0);
    let d2 = d.0 - d1;
    // the full values for the small terms
    let (sf, cf) = (s.0 + s.1, c.0 + c.1);
    let mut rs = Dd(0.0, 0.0);
    let mut rc = Dd(0.0, 0.0);
    if want_sin {
        // s + c·d + s·cm + c·sm
        let h = fast_two_sum(s.0, c.0 * d1);
        let tail = (sf * cm + cf * sm) + (h.1 + s.1 + (c.0 * d2 + c.1 * d.0 + cf * d.1));
        rs = fast_two_sum(h.0, tail);
    }
    if want_cos {
        // c - s·d + c·cm - s·sm
        let h = fast_two_sum(c.0, -(s.0 * d1));
        let tail = (cf * cm - sf * sm) + (h.1 + c.1 - (s.0 * d2 + s.1 * d.0 + sf * d.1));
        rc = fast_two_sum(h.0, tail);
    }
    (rs, rc)
}

/// sin(r), cos(r) in double-double (~2^-100) for 0 <= r <= ~π/4.
#[inline(never)]
fn sincos_slow(r: Dd) -> (Dd, Dd) {
    let (s, c, d) = split(r);
    let (s, c, d) = (s.dd(), c.dd(), two_sum(d.0, d.1));
    let z = mul(d, d);
    let sm = mul(mul(d, z), horner(z, &SIN_T));
    let cm = mul(z, horner(z, &COS_T));
    let rs = add(s, add(mul(c, d), add(mul(s, cm), mul(c, sm))));
    let rc = add(c, add(mul(s, d).neg(), add(mul(c, cm), mul(s, sm).neg())));
    (rs, rc)
}

/// r >= 0 with the sign of the original r.
#[inline(always)]
fn abs_r(r: Dd) -> (Dd, bool) {
    if r.0 < 0.0 {
        (r.neg(), true)
    } else {
        (r, false)
    }
}

/// sin(x + q·π/2) for q in 0..4 (q = 1 gives cos).
#[inline(always)]
fn sin_q(x: f64, q0: u32) -> f64 {
    if let Some((k, r)) = reduce_fast(x) {
        let (r, neg) = abs_r(r);
        let q = (k + q0) & 3;
        let (s, c) = sincos_fast(r, q & 1 == 0, q & 1 == 1);
        if let Some(v) = round_or_none(if q & 1 == 1 { c } else { s }, EPS_FAST) {
            // quadrants 2 and 3 negate; the sign of r only matters for sin
            return if (q >= 2) ^ (neg && q & 1 == 0) {
                -v
            } else {
                v
            };
        }
    }
    sin_q_slow(x, q0)
}

#[inline(never)]
fn sin_q_slow(x: f64, q0: u32) -> f64 {
    let (k, r) = reduce(x);
    let (r, neg) = abs_r(r);
    let q = (k + q0) & 3;
    let (s, c) = sincos_slow(r);
    let v = if q & 1 == 1 { c } else { s };
    let v = v.0 + v.1;
    if (q >= 2) ^ (neg && q & 1 == 0) {
        -v
    } else {
        v
    }
}

pub fn sin(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 1.490_116_119_384_765_6e-8 {
        // 2^-26: x³/6 is below half an ulp of x (also ±0 and subnormals)
        return x;
    }
    if !ax.is_finite() {
        return domain_nan(x);
    }
    sin_q(x, 0)
}

pub fn cos(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 7.450_580_596_923_828e-9 {
        // 2^-27: x²/2 is below half an ulp of 1
        return 1.0;
    }
    if !ax.is_finite() {
        return domain_nan(x);
    }
    sin_q(x, 1)
}

pub fn tan(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 7.450_580_596_923_828e-9 {
        // 2^-27: x³/3 is below half an ulp of x
        return x;
    }
    if !ax.is_finite() {
        return domain_nan(x);
    }
    let quot = |k: u32, s: Dd, c: Dd| {
        if k & 1 == 1 {
            div(c, s).neg()
        } else {
            div(s, c)
        }
    };
    if let Some((k, r)) = reduce_fast(x) {
        let (r, neg) = abs_r(r);
        let (s, c) = sincos_fast(r, true, true);
        // the quotient adds ~2^-104 to the two inputs' errors
        if let Some(v) = round_or_none(quot(k, s, c), 2.0 * EPS_FAST) {
            return if neg { -v } else { v };
        }
    }
    let (k, r) = reduce(x);
    let (r, neg) = abs_r(r);
    let (s, c) = sincos_slow(r);
    let v = quot(k, s, c);
    let v = v.0 + v.1;
    if neg { -v } else { v }
}

/// sin and cos of one argument, sharing the reduction.
pub fn sincos(x: f64) -> (f64, f64) {
    let ax = x.abs();
    if ax < 7.450_580_596_923_828e-9 {
        return (x, 1.0);
    }
    if !ax.is_finite() {
        return (domain_nan(x), domain_nan(x));
    }
    let fast = reduce_fast(x).and_then(|(k, r)| {
        let (r, neg) = abs_r(r);
        let (s, c) = sincos_fast(r, true, true);
        Some((
            k,
            round_or_none(s, EPS_FAST)?,
            round_or_none(c, EPS_FAST)?,
            neg,
        ))
    });
    let (k, s, c, neg) = fast.unwrap_or_else(|| {
        let (k, r) = reduce(x);
        let (r, neg) = abs_r(r);
        let (s, c) = sincos_slow(r);
        (k, s.0 + s.1, c.0 + c.1, neg)
    });
    let s = if neg { -s } else { s };
    // (sin, cos) of x = k·π/2 + r
    match k {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    }
}
