//! fdlibm functions as glibc 2.36 builds them for x86-64 (FMA variant).
//!
//! glibc's `expm1`, `log1p`, `cosh`, `sinh`, `tanh`, `acosh`, `asinh` and
//! `atanh` are Sun's fdlibm algorithms (freely distributable; musl's is
//! the same algorithm with another polynomial evaluation order), compiled
//! with FMA contractions; this port fuses the same operations (read from the
//! compiled code) so the results are glibc's bit for bit.

// fdlibm's constants, written as in its source (17+ digits)
#![allow(clippy::excessive_precision)]

use super::aor::fma;

const LN2: f64 = core::f64::consts::LN_2;

/// glibc's `__expm1`.
pub fn expm1(x: f64) -> f64 {
    const O_THRESHOLD: f64 = 7.097_827_128_933_84e2;
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const INVLN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
    const Q1: f64 = -3.333_333_333_333_313_164_28e-2;
    const Q2: f64 = 1.587_301_587_254_814_601_65e-3;
    const Q3: f64 = -7.936_507_578_674_879_424_73e-5;
    const Q4: f64 = 4.008_217_827_329_362_395_52e-6;
    const Q5: f64 = -2.010_992_181_836_243_713_26e-7;
    let mut x = x;
    let hxw = (x.to_bits() >> 32) as u32;
    let neg = hxw & 0x8000_0000 != 0;
    let hx = hxw & 0x7fff_ffff;
    if hx >= 0x4043_687a {
        // |x| >= 56*ln2
        if hx >= 0x4086_2e42 {
            if hx >= 0x7ff0_0000 {
                if x.is_nan() {
                    return x + x;
                }
                return if neg { -1.0 } else { x };
            }
            if x > O_THRESHOLD {
                return f64::INFINITY;
            }
        }
        if neg {
            return -1.0;
        }
    }
    let k: i32;
    let c: f64;
    if hx > 0x3fd6_2e42 {
        // |x| > 0.5 ln2: reduce
        let (hi, lo);
        if hx < 0x3ff0_a2b2 {
            if !neg {
                hi = x - LN2_HI;
                lo = LN2_LO;
                k = 1;
            } else {
                hi = x + LN2_HI;
                lo = -LN2_LO;
                k = -1;
            }
        } else {
            k = (INVLN2 * x + if neg { -0.5 } else { 0.5 }) as i32;
            let t = k as f64;
            hi = x - t * LN2_HI; // exact
            lo = t * LN2_LO;
        }
        x = hi - lo;
        c = (hi - x) - lo;
    } else if hx < 0x3c90_0000 {
        return x; // |x| < 2^-54
    } else {
        k = 0;
        c = 0.0;
    }
    let hfx = 0.5 * x;
    let hxs = x * hfx;
    let r1_ = fma(hxs, Q1, 1.0);
    let r2_ = fma(hxs, Q3, Q2);
    let r3_ = fma(hxs, Q5, Q4);
    let h2 = hxs * hxs;
    let h4 = h2 * h2;
    let r1 = fma(h4, r3_, fma(h2, r2_, r1_));
    let t = fma(-r1, hfx, 3.0);
    let e = ((r1 - t) / fma(-x, t, 6.0)) * hxs;
    if k == 0 {
        return x - fma(x, e, -hxs);
    }
    let e = fma(e - c, x, -c) - hxs;
    if k == -1 {
        return 0.5 * (x - e) - 0.5;
    }
    if k == 1 {
        if x < -0.25 {
            return -2.0 * (e - (x + 0.5));
        }
        return 1.0 + 2.0 * (x - e);
    }
    let add_exp = |y: f64| f64::from_bits(y.to_bits().wrapping_add((k as i64 as u64) << 52));
    if k <= -2 || k > 56 {
        let y = 1.0 - (e - x);
        return add_exp(y) - 1.0;
    }
    if k < 20 {
        let t = f64::from_bits((0x3ff0_0000u64 - (0x0020_0000u64 >> k)) << 32);
        add_exp(t - (e - x))
    } else {
        let t = f64::from_bits(((0x3ffu64 - k as u64) << 20) << 32);
        add_exp(x - (e + t) + 1.0)
    }
}

/// glibc's `__log1p`.
pub fn log1p(x: f64) -> f64 {
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const LP: [f64; 8] = [
        0.0,
        6.666_666_666_666_735_130e-1,
        3.999_999_999_940_941_908e-1,
        2.857_142_874_366_239_149e-1,
        2.222_219_843_214_978_396e-1,
        1.818_357_216_161_805_012e-1,
        1.531_383_769_920_937_332e-1,
        1.479_819_860_511_658_591e-1,
    ];
    let hx = (x.to_bits() >> 32) as i32;
    let ax = hx & 0x7fff_ffff;
    let set_high =
        |u: f64, h: i32| f64::from_bits((u.to_bits() & 0xffff_ffff) | ((h as u32 as u64) << 32));
    let mut k: i32 = 1;
    let mut f = 0.0;
    let mut hu: i32 = 0;
    let mut c = 0.0;
    if hx < 0x3fda_827a {
        // x < 0.41422
        if ax >= 0x3ff0_0000 {
            // x <= -1
            return if x == -1.0 {
                f64::NEG_INFINITY
            } else {
                super::aor::invalid(x)
            };
        }
        if ax < 0x3e20_0000 {
            // |x| < 2^-29
            if ax < 0x3c90_0000 {
                return x;
            }
            return fma(-(x * x), 0.5, x);
        }
        if hx > 0 || hx <= 0xbfd2_bec3_u32 as i32 {
            // -0.2929 < x < 0.41422
            k = 0;
            f = x;
            hu = 1;
        }
    } else if hx >= 0x7ff0_0000 {
        return x + x;
    }
    if k != 0 {
        let mut u;
        if hx < 0x4340_0000 {
            u = 1.0 + x;
            hu = (u.to_bits() >> 32) as i32;
            k = (hu >> 20) - 1023;
            c = if k > 0 { 1.0 - (u - x) } else { x - (u - 1.0) };
            c /= u;
        } else {
            u = x;
            hu = (u.to_bits() >> 32) as i32;
            k = (hu >> 20) - 1023;
            c = 0.0;
        }
        hu &= 0x000f_ffff;
        if hu < 0x6a09e {
            u = set_high(u, hu | 0x3ff0_0000);
        } else {
            k += 1;
            u = set_high(u, hu | 0x3fe0_0000);
            hu = (0x0010_0000 - hu) >> 2;
        }
        f = u - 1.0;
    }
    let hfsq = 0.5 * f * f;
    let kd = k as f64;
    if hu == 0 {
        // |f| < 2^-20
        if f == 0.0 {
            if k == 0 {
                return 0.0;
            }
            return fma(kd, LN2_HI, fma(kd, LN2_LO, c));
        }
        let r = fma(-f, 0.666_666_666_666_666_66, 1.0) * hfsq;
        if k == 0 {
            return f - r;
        }
        return fma(kd, LN2_HI, -((r - fma(kd, LN2_LO, c)) - f));
    }
    let s = f / (2.0 + f);
    let z = s * s;
    let r2 = fma(z, LP[3], LP[2]);
    let r3 = fma(z, LP[5], LP[4]);
    let r4 = fma(z, LP[7], LP[6]);
    let z2 = z * z;
    let z4 = z2 * z2;
    let z6 = z4 * z2;
    let r = fma(z6, r4, fma(z4, r3, fma(z, LP[1], z2 * r2)));
    let sr = s * (hfsq + r);
    if k == 0 {
        return f - (hfsq - sr);
    }
    fma(kd, LN2_HI, -((hfsq - (sr + fma(kd, LN2_LO, c))) - f))
}

/// High word of a double as glibc's fdlibm code reads it (signed).
#[inline(always)]
fn hi_word(x: f64) -> i32 {
    (x.to_bits() >> 32) as i32
}

/// glibc's `__ieee754_cosh` (fdlibm).
pub fn cosh(x: f64) -> f64 {
    let ix = hi_word(x) & 0x7fff_ffff;
    let ax = x.abs();
    if ix < 0x4036_0000 {
        // |x| < 22
        if ix < 0x3fd6_2e43 {
            // |x| < ln2/2
            if ix < 0x3c80_0000 {
                return 1.0;
            }
            let t = expm1(ax);
            let w = 1.0 + t;
            return 1.0 + (t * t) / (w + w);
        }
        let t = super::aor::exp(ax);
        return 0.5 * t + 0.5 / t;
    }
    if ix < 0x4086_2e42 {
        return 0.5 * super::aor::exp(ax);
    }
    if ax.to_bits() <= 0x4086_33ce_8fb9_f87d {
        let w = super::aor::exp(0.5 * ax);
        let t = 0.5 * w;
        return t * w;
    }
    if ix >= 0x7ff0_0000 {
        return x * x;
    }
    f64::INFINITY // overflow
}

/// glibc's `__ieee754_sinh` (fdlibm).
pub fn sinh(x: f64) -> f64 {
    let ix = hi_word(x) & 0x7fff_ffff;
    if ix >= 0x7ff0_0000 {
        return x + x;
    }
    let h = if x < 0.0 { -0.5 } else { 0.5 };
    let ax = x.abs();
    if ix < 0x4036_0000 {
        if ix < 0x3e30_0000 {
            return x; // |x| < 2^-28
        }
        let t = expm1(ax);
        if ix < 0x3ff0_0000 {
            return h * (2.0 * t - t * t / (t + 1.0));
        }
        return h * (t + t / (t + 1.0));
    }
    if ix < 0x4086_2e42 {
        return h * super::aor::exp(ax);
    }
    if ax.to_bits() <= 0x4086_33ce_8fb9_f87d {
        let w = super::aor::exp(0.5 * ax);
        let t = h * w;
        return t * w;
    }
    x * 1e307 // overflow, with x's sign
}

/// glibc's `__tanh` (fdlibm).
pub fn tanh(x: f64) -> f64 {
    let jx = hi_word(x);
    let ix = jx & 0x7fff_ffff;
    if ix >= 0x7ff0_0000 {
        return if jx >= 0 {
            1.0 / x + 1.0
        } else {
            1.0 / x - 1.0
        };
    }
    let z = if ix < 0x4036_0000 {
        if x == 0.0 {
            return x;
        }
        if ix < 0x3c80_0000 {
            return x * (1.0 + x);
        }
        if ix >= 0x3ff0_0000 {
            let t = expm1(2.0 * x.abs());
            1.0 - 2.0 / (t + 2.0)
        } else {
            let t = expm1(-2.0 * x.abs());
            -t / (t + 2.0)
        }
    } else {
        1.0 - 1e-300
    };
    if jx >= 0 { z } else { -z }
}

/// glibc's `__ieee754_acosh` (fdlibm): nan below 1 (musl's gave finite
/// numbers for x < -2).
pub fn acosh(x: f64) -> f64 {
    let hx = hi_word(x);
    if hx < 0x3ff0_0000 {
        return super::aor::invalid(x); // x < 1 (or nan)
    }
    if hx >= 0x41b0_0000 {
        if hx >= 0x7ff0_0000 {
            return x + x;
        }
        return super::aor::log(x) + LN2; // x > 2^28
    }
    if x == 1.0 {
        return 0.0;
    }
    if hx > 0x4000_0000 {
        let t = x * x;
        return super::aor::log(2.0 * x - 1.0 / (x + libm::sqrt(t - 1.0)));
    }
    let t = x - 1.0;
    log1p(t + libm::sqrt(2.0 * t + t * t))
}

/// glibc's `__asinh` (fdlibm).
pub fn asinh(x: f64) -> f64 {
    let ix = hi_word(x) & 0x7fff_ffff;
    if ix < 0x3e30_0000 {
        return x; // |x| < 2^-28
    }
    let xa = x.abs();
    let w = if ix > 0x41b0_0000 {
        if ix >= 0x7ff0_0000 {
            return x + x;
        }
        super::aor::log(xa) + LN2
    } else if ix > 0x4000_0000 {
        super::aor::log(2.0 * xa + 1.0 / (libm::sqrt(xa * xa + 1.0) + xa))
    } else {
        let t = xa * xa;
        log1p(xa + t / (1.0 + libm::sqrt(1.0 + t)))
    };
    libm::copysign(w, x)
}

/// glibc's `__ieee754_atanh` (fdlibm).
pub fn atanh(x: f64) -> f64 {
    let xa = x.abs();
    let t = if xa < 0.5 {
        if xa < f64::from_bits(0x3e30_0000_0000_0000) {
            return x; // |x| < 2^-28
        }
        let t = xa + xa;
        0.5 * log1p(t + t * xa / (1.0 - xa))
    } else if xa < 1.0 {
        0.5 * log1p((xa + xa) / (1.0 - xa))
    } else if xa > 1.0 {
        return super::aor::invalid(x);
    } else if xa == 1.0 {
        return x / 0.0;
    } else {
        return x + x; // nan
    };
    libm::copysign(t, x)
}
