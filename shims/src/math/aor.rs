//! `exp`, `exp2`, `log`, `log2`, `log10` and `pow` as glibc computes them on
//! x86-64.
//!
//! glibc's exp/exp2/log/log2/pow are the ARM optimized-routines algorithms
//! (math/exp.c, exp2.c, log.c, log2.c, pow.c; Copyright (c) 2018-2026, Arm
//! Limited; MIT OR Apache-2.0 WITH LLVM-exception); exp, log, log2 and pow are
//! built for x86-64 in an FMA variant: GCC contracts `a*b + c` into `fma`
//! wherever the source allows. Those contractions change the last bit of a
//! few results in a thousand, so this port fuses where GCC's code for glibc
//! 2.36 does (read from its disassembly) and the fusion can change a result;
//! fusions of exact products, and of terms too small to move the result in
//! tens of millions of comparisons, are left plain: wasm has no fused
//! multiply-add and [`fma`] emulates it with an exact product (~20 flops).
//! The results equal glibc's on every input compared (a native test harness
//! calling both, ~10^7 inputs per function, random and random-bits).

use super::aor_data::*;

/// `a*b` as an unevaluated sum `hi + lo` (Dekker; exact for the magnitudes
/// used here: no overflow of the split, no underflow of the error term).
#[inline(always)]
pub(crate) fn two_prod(a: f64, b: f64) -> (f64, f64) {
    const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
    let p = a * b;
    let t = SPLIT * a;
    let ah = t - (t - a);
    let al = a - ah;
    let t = SPLIT * b;
    let bh = t - (t - b);
    let bl = b - bh;
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    (p, e)
}

/// `a*b + c` with one rounding (up to a double rounding in the last step,
/// which needs the exact sum to sit within 2^-106 of a midpoint).
#[inline(always)]
pub(crate) fn fma(a: f64, b: f64, c: f64) -> f64 {
    let (p, e) = two_prod(a, b);
    let s = p + c;
    let bp = s - c;
    let t = (p - bp) + (c - (s - bp));
    s + (t + e)
}

/// nan for a domain error (a nan argument passes through).
#[inline(always)]
pub(crate) fn invalid(x: f64) -> f64 {
    if x.is_nan() { x } else { f64::NAN }
}

#[inline(always)]
fn top12(x: f64) -> u32 {
    (x.to_bits() >> 52) as u32
}

const N: u64 = 1 << 7; // EXP_TABLE_BITS
const SIGN_BIAS: u64 = 0x800 << 7;

#[inline(always)]
fn oflow(sign: u64) -> f64 {
    if sign != 0 {
        -f64::INFINITY
    } else {
        f64::INFINITY
    }
}

#[inline(always)]
fn uflow(sign: u64) -> f64 {
    if sign != 0 { -0.0 } else { 0.0 }
}

/// exp's result `scale * (1 + tmp)` when it may overflow or be subnormal.
fn specialcase(tmp: f64, sbits: u64, ki: u64) -> f64 {
    if ki & 0x8000_0000 == 0 {
        // k > 0: the exponent of scale may have overflowed by <= 460.
        let scale = f64::from_bits(sbits.wrapping_sub(1009u64 << 52));
        let y = fma(scale, tmp, scale);
        return f64::from_bits(0x7f00_0000_0000_0000) * y; // 0x1p1009
    }
    // k < 0: round once in the subnormal range.
    let sbits = sbits.wrapping_add(1022u64 << 52);
    let scale = f64::from_bits(sbits);
    let st = scale * tmp;
    let mut y = scale + st;
    if y.abs() < 1.0 {
        let one = if y < 0.0 { -1.0 } else { 1.0 };
        let lo = scale - y + st;
        let hi = one + y;
        let lo = one - hi + y + lo;
        y = (hi + lo) - one;
        if y == 0.0 {
            y = f64::from_bits(sbits & 0x8000_0000_0000_0000);
        }
    }
    f64::from_bits(0x0010_0000_0000_0000) * y // 0x1p-1022
}

/// `sign * exp(x + xtail)`, |xtail| < 2^-8/N; `sign_bias` is 0 or SIGN_BIAS.
#[inline(always)]
fn exp_inline(x: f64, xtail: f64, sign_bias: u64, from_pow: bool) -> f64 {
    let mut abstop = top12(x) & 0x7ff;
    if abstop.wrapping_sub(top12(5.551115123125783e-17))
        >= top12(512.0) - top12(5.551115123125783e-17)
    {
        if abstop.wrapping_sub(top12(5.551115123125783e-17)) >= 0x8000_0000 {
            // tiny x (0 included)
            let one = 1.0 + x;
            return if sign_bias != 0 { -one } else { one };
        }
        if abstop >= top12(1024.0) {
            if x.to_bits() == f64::NEG_INFINITY.to_bits() {
                return 0.0;
            }
            if abstop >= top12(f64::INFINITY) {
                return 1.0 + x;
            }
            return if x.to_bits() >> 63 != 0 {
                uflow(sign_bias)
            } else {
                oflow(sign_bias)
            };
        }
        abstop = 0; // large |x|: specialcase below
    }
    // exp(x) = 2^(k/N) * exp(r), |r| <= ln2/2N; GCC fuses InvLn2N*x + Shift.
    let z = EXP_INVLN2N * x;
    let mut kd = z + EXP_SHIFT;
    if ((z - (kd - EXP_SHIFT)).abs() - 0.5).abs() < 1e-9 {
        kd = fma(EXP_INVLN2N, x, EXP_SHIFT); // near a tie, round as the fused op
    }
    let ki = kd.to_bits();
    let kd = kd - EXP_SHIFT;
    let idx = 2 * (ki % N) as usize;
    let top = ki.wrapping_add(sign_bias) << (52 - 7);
    let tail = f64::from_bits(EXP_TAB[idx]);
    let sbits = EXP_TAB[idx + 1].wrapping_add(top);
    let a = x + kd * EXP_NEGLN2HIN; // exact product
    if abstop != 0 {
        // The same steps without fusion, at a fraction of the cost of
        // emulating three fused multiply-adds. They reach a sum
        // scale + p within B of the fused steps' exact final sum, so both
        // round to the same result unless that sum lies within B of a
        // midpoint between doubles: the fused steps below decide those
        // (a few percent of inputs). B: r and tmp (|tmp| < 2^-8) differ
        // from their fused values by at most a few of their ulps, under
        // 2^-58 in all; the product p is rounded once.
        let mut r = kd * EXP_NEGLN2LON + a;
        if from_pow {
            r += xtail;
        }
        let r2 = r * r;
        let tmp = r2 * r2 * (r * EXP_C5 + EXP_C4) + (r2 * (r * EXP_C3 + EXP_C2) + (tail + r));
        let scale = f64::from_bits(sbits);
        let p = scale * tmp;
        let y = scale + p;
        let e = (scale - y) + p; // exact: |scale| > |p|
        let ybits = y.to_bits();
        // Half an ulp of y (exact for normal y); at a power of two the
        // midpoint below is nearer: leave those to the fused steps.
        let half = f64::from_bits(ybits & 0x7ff0_0000_0000_0000) * f64::EPSILON * 0.5;
        let b = scale.abs() * 3.469446951953614e-18 + p.abs() * f64::EPSILON; // 2^-58, 2^-52
        if ybits & 0x000f_ffff_ffff_ffff != 0 && e.abs() + b < half {
            return y;
        }
    }
    let mut r = fma(kd, EXP_NEGLN2LON, a);
    if from_pow {
        r += xtail;
    }
    let r2 = r * r;
    // tail + r + r2*(C2 + r*C3) + r2*r2*(C4 + r*C5), fused as GCC does
    let tmp = r2 * r2 * (r * EXP_C5 + EXP_C4) + fma(r2, r * EXP_C3 + EXP_C2, tail + r);
    if abstop == 0 {
        return specialcase(tmp, sbits, ki);
    }
    let scale = f64::from_bits(sbits);
    fma(scale, tmp, scale)
}

/// `exp(x)`.
pub fn exp(x: f64) -> f64 {
    exp_inline(x, 0.0, 0, false)
}

/// `log(x)`.
pub fn log(x: f64) -> f64 {
    const LO: u64 = 0x3fee_0000_0000_0000; // 1 - 0x1p-4
    const HI: u64 = 0x3ff1_0900_0000_0000; // 1 + 0x1.09p-4
    const OFF: u64 = 0x3fe6_0000_0000_0000;
    let mut ix = x.to_bits();
    let top = (ix >> 48) as u32;
    if ix.wrapping_sub(LO) < HI - LO {
        // close to 1: log1p polynomial, fused as GCC does
        if ix == 1.0f64.to_bits() {
            return 0.0;
        }
        let b = &LOG_B;
        let r = x - 1.0;
        let r2 = r * r;
        let r3 = r * r2;
        let l1 = fma(r2, b[3], fma(r, b[2], b[1]));
        let l2 = fma(r2, b[6], fma(r, b[5], b[4]));
        let l3 = fma(r3, b[10], fma(r2, b[9], fma(r, b[8], b[7])));
        let s = fma(fma(l3, r3, l2), r3, l1);
        // r = rhi + rlo with rhi*rhi exact
        let w = r * 134_217_728.0;
        let rhi = r + w - w;
        let rlo = r - rhi;
        let w = rhi * rhi * b[0]; // b[0] == -0.5: exact
        let hi = r + w;
        let lo = r - hi + w;
        let lo = fma(b[0] * rlo, rhi + r, lo);
        let y = fma(s, r3, lo);
        return hi + y;
    }
    if top.wrapping_sub(0x0010) >= 0x7ff0 - 0x0010 {
        // x < 0x1p-1022 or inf or nan
        if ix << 1 == 0 {
            return f64::NEG_INFINITY;
        }
        if ix == f64::INFINITY.to_bits() {
            return x;
        }
        if top & 0x8000 != 0 || top & 0x7ff0 == 0x7ff0 {
            return invalid(x);
        }
        // subnormal: normalize
        ix = (x * 4_503_599_627_370_496.0).to_bits(); // 0x1p52
        ix = ix.wrapping_sub(52u64 << 52);
    }
    let tmp = ix.wrapping_sub(OFF);
    let i = ((tmp >> (52 - 7)) % N) as usize;
    let k = (tmp as i64) >> 52;
    let iz = ix.wrapping_sub(tmp & (0xfffu64 << 52));
    let (invc, logc) = (f64::from_bits(LOG_TAB[i].0), f64::from_bits(LOG_TAB[i].1));
    let z = f64::from_bits(iz);
    // r = z/c - 1 is exact: the fma's product minus 1 loses nothing
    let (p, e) = two_prod(z, invc);
    let r = (p - 1.0) + e;
    let kd = k as f64;
    let w = kd * LOG_LN2HI + logc; // exact product
    let hi = w + r;
    let lo = (w - hi) + r + kd * LOG_LN2LO;
    let a = &LOG_A;
    let r2 = r * r;
    let r3 = r2 * r;
    let inner = r2 * (r * a[4] + a[3]) + (r * a[2] + a[1]);
    // Without fusion first (see exp_inline): the two sums hi + y differ by
    // under 2^-66 (|r| < 2^-8: each fused step's result is below 2^-16),
    // and |hi| > 2^-5 here, so only sums within that of a midpoint need
    // the fused steps.
    let y = r3 * inner + (r2 * a[0] + lo);
    let res = hi + y;
    let e = (hi - res) + y; // exact: |hi| > |y|
    let bits = res.to_bits();
    let half = f64::from_bits(bits & 0x7ff0_0000_0000_0000) * f64::EPSILON * 0.5;
    if bits & 0x000f_ffff_ffff_ffff != 0 && e.abs() + 1.3552527156068805e-20 < half {
        return res; // 2^-66
    }
    let y = fma(r3, inner, fma(r2, a[0], lo));
    y + hi
}

/// `(y, tail)`: log(x) with ~15 extra bits; `ix` normalized as in pow.
#[inline(always)]
fn pow_log(ix: u64) -> (f64, f64) {
    const OFF: u64 = 0x3fe6_9555_0000_0000;
    let tmp = ix.wrapping_sub(OFF);
    let i = ((tmp >> (52 - 7)) % N) as usize;
    let k = (tmp as i64) >> 52;
    let iz = ix.wrapping_sub(tmp & (0xfffu64 << 52));
    let z = f64::from_bits(iz);
    let kd = k as f64;
    let (invc, logc, logctail) = (
        f64::from_bits(POW_TAB[i].0),
        f64::from_bits(POW_TAB[i].1),
        f64::from_bits(POW_TAB[i].2),
    );
    let (p, e) = two_prod(z, invc);
    let r = (p - 1.0) + e;
    let t1 = kd * POW_LN2HI + logc; // exact product
    let t2 = t1 + r;
    let lo1 = kd * POW_LN2LO + logctail;
    let lo2 = t1 - t2 + r;
    let a = &POW_A;
    let ar = a[0] * r;
    let ar2 = r * ar;
    let ar3 = r * ar2;
    let hi = t2 + ar2;
    let lo3 = fma(ar, r, -ar2);
    let lo4 = t2 - hi + ar2;
    let q = ar2 * (r * a[6] + a[5]) + (r * a[4] + a[3]);
    let poly = ar2 * q + (r * a[2] + a[1]);
    let lo = fma(ar3, poly, lo1 + lo2 + lo3 + lo4);
    let y = hi + lo;
    (y, hi - y + lo)
}

/// 0 if `iy` is not an integer, 1 if odd, 2 if even.
fn checkint(iy: u64) -> i32 {
    let e = (iy >> 52 & 0x7ff) as i32;
    if e < 0x3ff {
        return 0;
    }
    if e > 0x3ff + 52 {
        return 2;
    }
    if iy & ((1u64 << (0x3ff + 52 - e)) - 1) != 0 {
        return 0;
    }
    if iy & (1u64 << (0x3ff + 52 - e)) != 0 {
        return 1;
    }
    2
}

/// x is ±0, ±inf or nan.
fn zeroinfnan(i: u64) -> bool {
    (i << 1).wrapping_sub(1) >= (f64::INFINITY.to_bits() << 1).wrapping_sub(1)
}

/// `pow(x, y)`.
pub fn pow(x: f64, y: f64) -> f64 {
    let mut sign_bias = 0u64;
    let mut ix = x.to_bits();
    let iy = y.to_bits();
    let mut topx = top12(x);
    let topy = top12(y);
    if topx.wrapping_sub(0x001) >= 0x7ff - 0x001
        || (topy & 0x7ff).wrapping_sub(0x3be) >= 0x43e - 0x3be
    {
        if zeroinfnan(iy) {
            if iy << 1 == 0 {
                return 1.0;
            }
            if ix == 1.0f64.to_bits() {
                return 1.0;
            }
            if ix << 1 > f64::INFINITY.to_bits() << 1 || iy << 1 > f64::INFINITY.to_bits() << 1 {
                return x + y;
            }
            if ix << 1 == 1.0f64.to_bits() << 1 {
                return 1.0;
            }
            if (ix << 1 < 1.0f64.to_bits() << 1) == (iy >> 63 == 0) {
                return 0.0;
            }
            return y * y;
        }
        if zeroinfnan(ix) {
            let mut x2 = x * x;
            if ix >> 63 != 0 && checkint(iy) == 1 {
                x2 = -x2;
            }
            return if iy >> 63 != 0 { 1.0 / x2 } else { x2 };
        }
        // x and y are non-zero finite
        if ix >> 63 != 0 {
            let yint = checkint(iy);
            if yint == 0 {
                return invalid(x);
            }
            if yint == 1 {
                sign_bias = SIGN_BIAS;
            }
            ix &= 0x7fff_ffff_ffff_ffff;
            topx &= 0x7ff;
        }
        if (topy & 0x7ff).wrapping_sub(0x3be) >= 0x43e - 0x3be {
            if ix == 1.0f64.to_bits() {
                return 1.0;
            }
            if (topy & 0x7ff) < 0x3be {
                // |y| < 2^-65: x^y ~= 1 + y*log(x)
                return if ix > 1.0f64.to_bits() {
                    1.0 + y
                } else {
                    1.0 - y
                };
            }
            return if (ix > 1.0f64.to_bits()) == (topy < 0x800) {
                f64::INFINITY
            } else {
                0.0
            };
        }
        if topx == 0 {
            // subnormal x: normalize, the exponent becomes negative
            ix = (f64::from_bits(ix) * 4_503_599_627_370_496.0).to_bits();
            ix &= 0x7fff_ffff_ffff_ffff;
            ix = ix.wrapping_sub(52u64 << 52);
        }
    }
    let (hi, lo) = pow_log(ix);
    let ehi = y * hi;
    let elo = fma(y, lo, fma(hi, y, -ehi));
    exp_inline(ehi, elo, sign_bias, true)
}

/// `exp2(x)`. glibc 2.36 builds exp2 without FMA: no fused operations here.
pub fn exp2(x: f64) -> f64 {
    let mut abstop = top12(x) & 0x7ff;
    if abstop.wrapping_sub(top12(5.551115123125783e-17))
        >= top12(512.0) - top12(5.551115123125783e-17)
    {
        if abstop.wrapping_sub(top12(5.551115123125783e-17)) >= 0x8000_0000 {
            return 1.0 + x; // tiny x (0 included)
        }
        if abstop >= top12(1024.0) {
            if x.to_bits() == f64::NEG_INFINITY.to_bits() {
                return 0.0;
            }
            if abstop >= top12(f64::INFINITY) {
                return 1.0 + x;
            }
            if x.to_bits() >> 63 == 0 {
                return f64::INFINITY;
            } else if x.to_bits() >= (-1075.0f64).to_bits() {
                return 0.0;
            }
        }
        if x.to_bits() << 1 > 928.0f64.to_bits() << 1 {
            abstop = 0; // large |x|: specialcase below
        }
    }
    // x = k/N + r, |r| <= 1/2N
    let kd = x + EXP2_SHIFT;
    let ki = kd.to_bits();
    let kd = kd - EXP2_SHIFT;
    let r = x - kd;
    let idx = 2 * (ki % N) as usize;
    let top = ki << (52 - 7);
    let tail = f64::from_bits(EXP_TAB[idx]);
    let sbits = EXP_TAB[idx + 1].wrapping_add(top);
    let c = &EXP2_C;
    let r2 = r * r;
    let tmp = tail + r * c[0] + r2 * (c[1] + r * c[2]) + r2 * r2 * (c[3] + r * c[4]);
    if abstop == 0 {
        if ki & 0x8000_0000 == 0 {
            // k > 0: the exponent of scale may have overflowed by 1
            let scale = f64::from_bits(sbits.wrapping_sub(1u64 << 52));
            return 2.0 * (scale + scale * tmp);
        }
        let scale = f64::from_bits(sbits.wrapping_add(1022u64 << 52));
        let st = scale * tmp;
        let mut y = scale + st;
        if y < 1.0 {
            let lo = scale - y + st;
            let hi = 1.0 + y;
            let lo = 1.0 - hi + y + lo;
            y = (hi + lo) - 1.0;
            if y == 0.0 {
                y = 0.0;
            }
        }
        return f64::from_bits(0x0010_0000_0000_0000) * y; // 0x1p-1022
    }
    let scale = f64::from_bits(sbits);
    scale + scale * tmp
}

/// `log2(x)`, fused as glibc's FMA build.
pub fn log2(x: f64) -> f64 {
    const LO: u64 = 0x3fee_a4af_0000_0000; // 1 - 0x1.5b51p-5
    const HI: u64 = 0x3ff0_b559_0000_0000; // 1 + 0x1.6ab2p-5
    const OFF: u64 = 0x3fe6_0000_0000_0000;
    let mut ix = x.to_bits();
    let top = (ix >> 48) as u32;
    if ix.wrapping_sub(LO) < HI - LO {
        if ix == 1.0f64.to_bits() {
            return 0.0;
        }
        let b = &LOG2_B;
        let r = x - 1.0;
        let hi = r * LOG2_INVLN2HI;
        let lo = fma(r, LOG2_INVLN2LO, fma(LOG2_INVLN2HI, r, -hi));
        let r2 = r * r;
        let r4 = r2 * r2;
        let pb = fma(r, b[1], b[0]);
        let y = fma(r2, pb, hi);
        let lo = lo + fma(r2, pb, hi - y);
        let first = fma(r2, fma(r, b[5], b[4]), fma(r, b[3], b[2]));
        let second = fma(r2, fma(r, b[9], b[8]), fma(r, b[7], b[6]));
        let lo = fma(r4, fma(r4, second, first), lo);
        return y + lo;
    }
    if top.wrapping_sub(0x0010) >= 0x7ff0 - 0x0010 {
        if ix << 1 == 0 {
            return f64::NEG_INFINITY;
        }
        if ix == f64::INFINITY.to_bits() {
            return x;
        }
        if top & 0x8000 != 0 || top & 0x7ff0 == 0x7ff0 {
            return invalid(x);
        }
        ix = (x * 4_503_599_627_370_496.0).to_bits(); // subnormal: normalize
        ix = ix.wrapping_sub(52u64 << 52);
    }
    let tmp = ix.wrapping_sub(OFF);
    let i = ((tmp >> (52 - 6)) % 64) as usize;
    let k = (tmp as i64) >> 52;
    let iz = ix.wrapping_sub(tmp & (0xfffu64 << 52));
    let (invc, logc) = (f64::from_bits(LOG2_TAB[i].0), f64::from_bits(LOG2_TAB[i].1));
    let z = f64::from_bits(iz);
    let kd = k as f64;
    let (p, e) = two_prod(z, invc);
    let r = (p - 1.0) + e;
    let t1 = r * LOG2_INVLN2HI;
    let t2 = r * LOG2_INVLN2LO + fma(LOG2_INVLN2HI, r, -t1);
    let t3 = kd + logc;
    let hi = t3 + t1;
    let lo = t3 - hi + t1 + t2;
    let a = &LOG2_A;
    let r2 = r * r;
    let r4 = r2 * r2;
    let p = fma(
        r4,
        fma(r, a[5], a[4]),
        fma(r2, fma(r, a[3], a[2]), fma(r, a[1], a[0])),
    );
    fma(r2, p, lo) + hi
}

/// `log10(x)` as glibc 2.36's `__ieee754_log10` (fdlibm's formula on top of
/// the `log` above; no FMA build).
pub fn log10(x: f64) -> f64 {
    const TWO54: f64 = 1.801_439_850_948_198_4e16;
    const IVLN10: f64 = f64::from_bits(0x3fdb_cb7b_1526_e50e);
    const LOG10_2HI: f64 = f64::from_bits(0x3fd3_4413_509f_6000);
    const LOG10_2LO: f64 = f64::from_bits(0x3d59_fef3_11f1_2b36);
    let mut x = x;
    let mut hx = (x.to_bits() >> 32) as i32;
    let mut k: i32 = 0;
    if hx < 0x0010_0000 {
        if x.to_bits() << 1 == 0 {
            return f64::NEG_INFINITY;
        }
        if hx < 0 {
            return invalid(x);
        }
        k -= 54;
        x *= TWO54; // subnormal: scale up
        hx = (x.to_bits() >> 32) as i32;
    }
    if hx >= 0x7ff0_0000 {
        return x + x;
    }
    k += (hx >> 20) - 1023;
    let i = ((k as u32) & 0x8000_0000) >> 31;
    let hx = (hx & 0x000f_ffff) | ((0x3ff - i as i32) << 20);
    let y = (k + i as i32) as f64;
    let x = f64::from_bits(((hx as u32 as u64) << 32) | (x.to_bits() & 0xffff_ffff));
    let z = y * LOG10_2LO + IVLN10 * log(x);
    z + y * LOG10_2HI
}
