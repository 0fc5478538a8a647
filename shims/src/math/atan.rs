//! Correctly rounded `atan`, `atan2`, `asin` and `acos` (float64).
//!
//! glibc's are correctly rounded in practice; musl's (fdlibm) are up to ~0.9
//! ulp off, atan2 ~1.2. atan and atan2 are base ± atan(t), t in [0, 1] a
//! ratio carried in double-double, base 0, π/2 or π (C99 Annex F's quadrants;
//! the special operands are handled first):
//!
//! - atan(x) = atan(|x|) or π/2 - atan(1/|x|), signed;
//! - atan2(y, x) from t = min(|x|, |y|) / max(|x|, |y|), the operands scaled
//!   by a power of two first; for t < 2^-43 with x > 0, the rounding of
//!   t - t³/3 is decided exactly (`atan_tiny_ratio`).
//!
//! atan(t) = atan(c) + atan(u), c = i/64 nearest to t, u = (t-c)/(1+t·c),
//! |u| <= 1/128: atan(c) from a double-double table, atan(u) a Taylor series.
//! The fast path forms u without t in double-double where it can: (1-c·x)/
//! (x+c) for atan(x), 1 < |x| <= 128, and (n-c·d)/(d+c·n) for atan2's n/d,
//! with the operands rounded to few bits so that every product is exact and
//! the quotient's residual needs a single split.
//!
//! asin(a), 0 <= a <= 1/2, is a Taylor polynomial at c = i/64 (degree 12,
//! the linear term exact); above, asin(a) = π/2 - 2·asin(s) and acos(a) =
//! 2·asin(s), s = √((1-a)/2) in double-double; acos(a) = π/2 - asin(a) below.
//!
//! Ziv's strategy as in `trig.rs`: a fast evaluation (series in double, the
//! leading terms in double-double; relative error below 2^-64.6 measured,
//! bounded by 2^-62) rounded when its error interval holds no rounding
//! boundary, else (~0.3%) in double-double (~2^-100): for asin and acos the
//! atan2 form atan2(x, √(1-x²)) and atan2(√(1-x²), x), 1-x² exact in
//! double-double and its square root corrected by a Newton step. Measured
//! against mpmath on 10^6 random arguments per range (uniform, log-uniform,
//! near ±1, random bits; atan2 also near-structured pairs such as 2^-k
//! over 1 - m·2^-53): every result correctly rounded.

use super::dd::{
    Dd, add, div, domain_nan, fast_two_sum, horner, mul, round_or_none, sqrt, two_prod, two_sum,
};
use super::trig_data::{ASIN_POLY, ATAN, ATAN_T, PI, PIO2};

const EPS_FAST: f64 = 2.168_404_344_971_009e-19; // 2^-62

/// atan(c) and u = (t-c)/(1+t·c) in double-double (~2^-104) for t = c +
/// (t-c), c = i/64 nearest t (0 <= t <= ~1).
fn split_accurate(t: Dd) -> (Dd, Dd) {
    let i = (t.0 * 64.0 + 0.5) as usize;
    if i == 0 {
        return (Dd(0.0, 0.0), t);
    }
    let c = i as f64 * (1.0 / 64.0);
    let num = two_sum(t.0 - c, t.1); // the subtraction is exact
    let (p, e) = two_prod(t.0, c);
    let h = two_sum(1.0, p);
    let den = fast_two_sum(h.0, h.1 + (e + t.1 * c));
    (Dd::from_bits(ATAN[i]), div(num, den))
}

/// As `split_accurate`, u to ~2^-72 relative, with cheap exact products:
/// t = t1 + t2 with t1 a multiple of 2^-19 makes d1 = 1 + t1·c exact with at
/// most 27 bits, so the quotient's residual needs only one split.
#[inline(always)]
fn split_fast(t: Dd) -> (Dd, Dd) {
    let i = (t.0 * 64.0 + 0.5) as usize;
    if i == 0 {
        return (Dd(0.0, 0.0), t);
    }
    let c = i as f64 * (1.0 / 64.0);
    const B: f64 = 6_442_450_944.0; // 1.5·2^32: rounds to a multiple of 2^-19
    let t1 = (t.0 + B) - B;
    let d1 = 1.0 + t1 * c; // exact
    let d2 = ((t.0 - t1) + t.1) * c; // <= 2^-20
    let d = d1 + d2;
    let n = two_sum(t.0 - c, t.1); // the subtraction is exact
    let inv = 1.0 / d;
    let uh = n.0 * inv;
    // uh·d1 = p + e exactly (26-bit halves of uh times 27-bit d1)
    const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
    let g = SPLIT * uh;
    let u1 = g - (g - uh);
    let (p, e) = (u1 * d1, (uh - u1) * d1);
    let r = ((n.0 - p) - e) + n.1 - uh * d2; // n.0 - p is exact
    (Dd::from_bits(ATAN[i]), Dd(uh, r * inv))
}

/// base + atan(t) (or base - atan(t) when `sub`), correctly rounded; base
/// is 0 or >= π/2.
#[inline(always)]
fn base_atan(t: Dd, base: Dd, sub: bool) -> f64 {
    let (a, u) = split_fast(t);
    base_atan_fast(a, u, base, sub).unwrap_or_else(|| base_atan_slow(t, base, sub))
}

/// base ± (a + atan(u)), a = atan(c), rounded if the fast evaluation's error
/// interval holds no rounding boundary.
#[inline(always)]
fn base_atan_fast(a: Dd, u: Dd, base: Dd, sub: bool) -> Option<f64> {
    let z = u.0 * u.0;
    let c = |k: usize| f64::from_bits(ATAN_T[k].0);
    let tail = u.0 * z * (c(0) + z * (c(1) + z * (c(2) + z * c(3)))); // atan u - u
    let sg = if sub { -1.0 } else { 1.0 };
    // |atan c| >= |u| unless c = 0
    let h = fast_two_sum(a.0, u.0);
    let lo = h.1 + (a.1 + u.1 + tail);
    let h2 = fast_two_sum(base.0, sg * h.0);
    round_or_none(fast_two_sum(h2.0, h2.1 + base.1 + sg * lo), EPS_FAST)
}

/// atan2(a, ±b) for a, b > 0, max(a, b) in [1, 2), `neg_x` for -b.
#[inline(always)]
fn atan2_scaled(a: f64, b: f64, neg_x: bool) -> f64 {
    let (n, d, base, sub) = if a <= b {
        (a, b, if neg_x { pi() } else { ZERO }, neg_x)
    } else {
        (b, a, pio2(), !neg_x)
    };
    let (at, u) = ratio_split(n, d);
    base_atan_fast(at, u, base, sub)
        .unwrap_or_else(|| base_atan_slow(div(Dd(n, 0.0), Dd(d, 0.0)), base, sub))
}

/// atan(c) and u = (n - c·d)/(d + c·n), c = i/64 nearest n/d, for
/// 0 < n <= d, d in [1, 2), without forming n/d in double-double: d rounded
/// to a multiple of 2^-44 times c is exact (and n - c·d1 too, by Sterbenz),
/// and d + c·n rounded to multiples of 2^-19 has at most 27 bits, so the
/// quotient's residual needs one split (as `split_fast`).
#[inline(always)]
fn ratio_split(n: f64, d: f64) -> (Dd, Dd) {
    let i = (n / d * 64.0 + 0.5) as usize;
    let c = i as f64 * (1.0 / 64.0);
    let d1 = (d + 384.0) - 384.0; // a multiple of 2^-44 (1.5·2^8)
    let n0 = n - c * d1; // exact
    let n1 = -(c * (d - d1));
    const B: f64 = 12_884_901_888.0; // 1.5·2^33: rounds to a multiple of 2^-19
    let (dr, nr) = ((d + B) - B, (n + B) - B);
    let e1 = dr + c * nr; // exact, a multiple of 2^-25 below 4
    let e2 = (d - dr) + c * (n - nr);
    let inv = 1.0 / (e1 + e2);
    let uh = (n0 + n1) * inv;
    const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
    let g = SPLIT * uh;
    let u1 = g - (g - uh);
    let (p, e) = (u1 * e1, (uh - u1) * e1);
    let r = ((n0 - p) - e) + n1 - uh * e2;
    (Dd::from_bits(ATAN[i]), Dd(uh, r * inv))
}

/// atan(x) for 1 < x <= 128: π/2 - atan(c) - atan(u), c = i/64 nearest 1/x,
/// u = (1 - c·x)/(x + c), without forming 1/x: x rounded to a multiple of
/// 2^-39 times c is exact, and x + c rounded to a multiple of 2^-19 has at
/// most 27 bits, so the quotient's residual needs one split (as `split_fast`).
#[inline(always)]
fn atan_above_one(x: f64) -> f64 {
    let i = (64.0 / x + 0.5) as usize; // 1..=64
    let c = i as f64 * (1.0 / 64.0);
    let x1 = (x + 12_288.0) - 12_288.0; // a multiple of 2^-39 (1.5·2^13)
    let n0 = 1.0 - c * x1; // exact: c·x1 is exact and in [2/3, 2]
    let n1 = -(c * (x - x1));
    const B: f64 = 12_884_901_888.0; // 1.5·2^33: rounds to a multiple of 2^-19
    let xr = (x + B) - B;
    let d1 = xr + c; // exact, <= 27 bits
    let d2 = x - xr;
    let inv = 1.0 / (d1 + d2);
    let uh = (n0 + n1) * inv;
    const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
    let g = SPLIT * uh;
    let u1 = g - (g - uh);
    let (p, e) = (u1 * d1, (uh - u1) * d1);
    let r = ((n0 - p) - e) + n1 - uh * d2;
    base_atan_fast(Dd::from_bits(ATAN[i]), Dd(uh, r * inv), pio2(), true)
        .unwrap_or_else(|| base_atan_slow(div(Dd(1.0, 0.0), Dd(x, 0.0)), pio2(), true))
}

#[inline(never)]
fn base_atan_slow(t: Dd, base: Dd, sub: bool) -> f64 {
    let (a, u) = split_accurate(t);
    let z = mul(u, u);
    let th = add(a, add(u, mul(mul(u, z), horner(z, &ATAN_T))));
    let r = add(base, if sub { th.neg() } else { th });
    r.0 + r.1
}

const ZERO: Dd = Dd(0.0, 0.0);

fn pio2() -> Dd {
    Dd::from_bits(PIO2)
}

fn pi() -> Dd {
    Dd::from_bits(PI)
}

/// atan2(n, ±d) for n, d > 0 (moderate magnitudes), `neg_x` for -d: the
/// base and the sign of atan(t) by quadrant.
fn atan2_pos(n: Dd, d: Dd, neg_x: bool) -> f64 {
    if n.0 <= d.0 {
        let t = div(n, d);
        if neg_x {
            base_atan(t, pi(), true)
        } else {
            base_atan(t, ZERO, false)
        }
    } else {
        base_atan(div(d, n), pio2(), !neg_x)
    }
}

pub fn atan(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 7.450_580_596_923_828e-9 {
        // 2^-27: x³/3 is below half an ulp of x (also ±0 and subnormals)
        return x;
    }
    if x.is_nan() {
        return x + x;
    }
    let r = if ax > 1.0 {
        if ax > 1.8e16 {
            // π/2 - 1/x with 1/x < 2^-54 rounds to π/2's double (also inf)
            f64::from_bits(PIO2.0)
        } else if ax <= 128.0 {
            atan_above_one(ax)
        } else {
            base_atan(div(Dd(1.0, 0.0), Dd(ax, 0.0)), pio2(), true)
        }
    } else {
        base_atan(Dd(ax, 0.0), ZERO, false)
    };
    if x < 0.0 { -r } else { r }
}

/// The unbiased exponent of a finite non-zero x (subnormals included).
fn ilogb(x: f64) -> i32 {
    let e = ((x.to_bits() >> 52) & 0x7ff) as i32;
    if e == 0 {
        (63 - x.to_bits().leading_zeros() as i32) - 1074
    } else {
        e - 1023
    }
}

/// x·2^k for k in -2000..2000, exact when the result is normal.
fn scale(x: f64, k: i32) -> f64 {
    let p = |k: i32| f64::from_bits(((k + 1023) as u64) << 52);
    let h = k / 2;
    x * p(h) * p(k - h)
}

pub fn atan2(y: f64, x: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return x + y;
    }
    let (ay, ax) = (y.abs(), x.abs());
    let neg_x = x.is_sign_negative();
    let pio2h = f64::from_bits(PIO2.0);
    let pih = f64::from_bits(PI.0);
    let r = if ay == 0.0 {
        // ±0 with +x or +0, ±π with -x or -0
        if neg_x { pih } else { 0.0 }
    } else if ax == 0.0 {
        pio2h
    } else if ay.is_infinite() {
        if ax.is_infinite() {
            // ±π/4 or ±3π/4: π/4's and 3π/4's doubles
            if neg_x {
                2.356_194_490_192_345
            } else {
                core::f64::consts::FRAC_PI_4
            }
        } else {
            pio2h
        }
    } else if ax.is_infinite() {
        if neg_x { pih } else { 0.0 }
    } else {
        let (ey, ex) = (ilogb(ay), ilogb(ax));
        if ey - ex > 60 {
            // π/2 ± t, t < 2^-59: rounds to π/2's double
            pio2h
        } else if ex - ey > 60 {
            // t < 2^-59: atan t = t(1 - t²/3) rounds as the quotient does
            // (a quotient of doubles is exact or > 2^-106 relative from a
            // midpoint); π - t rounds to π's double
            if neg_x { pih } else { ay / ax }
        } else {
            // scale the larger to [1, 2): no over/underflow in the products
            let k = -ey.max(ex);
            let (a, b) = (scale(ay, k), scale(ax, k));
            if ex - ey > 44 && !neg_x {
                atan_tiny_ratio(a, b)
            } else {
                atan2_scaled(a, b, neg_x)
            }
        }
    };
    if y.is_sign_negative() { -r } else { r }
}

/// atan(a/b) for 0 < a < b·2^-43 (b in [1, 2)), decided exactly. The
/// quotient of two doubles can sit ~2^-106 relative from a midpoint between
/// doubles, closer than double-double resolves, and atan(t) = t - t³/3 moves
/// it by less than 2^-86: so the rounding is settled by the sign of the exact
/// a - m·b against b·t³/3, m the midpoint below the rounded quotient.
fn atan_tiny_ratio(a: f64, b: f64) -> f64 {
    let c = a / b;
    let (p, e) = two_prod(c, b);
    let ap = a - p; // exact
    if ap - e >= 0.0 {
        // c <= t: atan t > t - t³/3 > c - (half the gap below c)
        return c;
    }
    // c > t: m = c - h; t < m exactly when a - m·b = (a - c·b) + h·b < 0
    let below = f64::from_bits(c.to_bits() - 1);
    let h = (c - below) * 0.5; // exact
    let s = two_sum(ap, h * b);
    let d = s.0 + (s.1 - e); // a - m·b >= 0 (c rounds t)
    if d < b * (c * c * c * (1.0 / 3.0)) {
        below
    } else {
        c
    }
}

/// 1 - x² in double-double for 0 < x < 1 (exact before the last rounding).
fn one_minus_sq(x: f64) -> Dd {
    let (p, e) = two_prod(x, x);
    let h = two_sum(1.0, -p);
    fast_two_sum(h.0, h.1 - e)
}

/// asin(c + h) for c = i/64 <= 1/2 and h = hh + hl, |h| <= ~1/128, from the
/// Taylor coefficients at c (the linear term exact with a split h); relative
/// error below 2^-65.
#[inline(always)]
fn asin_poly(i: usize, hh: f64, hl: f64) -> Dd {
    let f = |k: usize| f64::from_bits(ASIN_POLY[i][k]);
    // a2 + a3 h + ... + a12 h^10 by Estrin's scheme (short dependency chains)
    let h2 = hh * hh;
    let h4 = h2 * h2;
    let p = (f(4) + f(5) * hh)
        + h2 * (f(6) + f(7) * hh)
        + h4 * ((f(8) + f(9) * hh)
            + h2 * (f(10) + f(11) * hh)
            + h4 * ((f(12) + f(13) * hh) + h2 * f(14)));
    const SPLIT: f64 = 134_217_729.0; // 2^27 + 1
    let g = SPLIT * hh;
    let h1 = g - (g - hh);
    // |asin c| >= |a1 h| unless c = 0
    let h = fast_two_sum(f(0), f(2) * h1);
    // hl enters through the first two derivatives (2·a2·h·hl is up to 2^-61)
    let tail = h.1 + f(1) + (f(2) * (hh - h1) + f(3) * hh + (f(2) + 2.0 * f(4) * hh) * hl) + h2 * p;
    fast_two_sum(h.0, tail)
}

/// asin(a) for 0 <= a <= 1/2.
#[inline(always)]
fn asin_small(a: f64) -> Dd {
    let i = (a * 64.0 + 0.5) as usize;
    asin_poly(i, a - i as f64 * (1.0 / 64.0), 0.0) // exact difference
}

/// asin(√((1-a)/2)) for 1/2 < a < 1: asin(a) = π/2 - 2·this, acos(a) =
/// 2·this, acos(-a) = π - 2·this.
#[inline(always)]
fn asin_half_versine(a: f64) -> Dd {
    let z = (1.0 - a) * 0.5; // exact
    let s = libm::sqrt(z);
    let (p, e) = two_prod(s, s);
    let sl = ((z - p) - e) / (2.0 * s);
    let i = (s * 64.0 + 0.5) as usize;
    asin_poly(i, s - i as f64 * (1.0 / 64.0), sl)
}

/// b + sg·t, |b| > |t|.
#[inline(always)]
fn plus(b: Dd, t: Dd, sg: f64) -> Dd {
    let h = fast_two_sum(b.0, sg * t.0);
    fast_two_sum(h.0, h.1 + b.1 + sg * t.1)
}

pub fn asin(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 1.490_116_119_384_765_6e-8 {
        // 2^-26: x³/6 is below half an ulp of x (also ±0 and subnormals)
        return x;
    }
    if ax > 1.0 || x.is_nan() {
        return domain_nan(x);
    }
    let fast = if ax <= 0.5 {
        asin_small(ax)
    } else if ax < 1.0 {
        plus(pio2(), asin_half_versine(ax), -2.0)
    } else {
        Dd(f64::from_bits(PIO2.0), 0.0)
    };
    let r = round_or_none(fast, EPS_FAST)
        .unwrap_or_else(|| atan2_pos(Dd(ax, 0.0), sqrt(one_minus_sq(ax)), false));
    if x < 0.0 { -r } else { r }
}

pub fn acos(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 8.673_617_379_884_035e-19 {
        // 2^-60: π/2 - x rounds to π/2's double
        return f64::from_bits(PIO2.0);
    }
    if ax > 1.0 || x.is_nan() {
        return domain_nan(x);
    }
    if ax == 1.0 {
        return if x > 0.0 { 0.0 } else { f64::from_bits(PI.0) };
    }
    let fast = if ax <= 0.5 {
        plus(pio2(), asin_small(ax), if x < 0.0 { 1.0 } else { -1.0 })
    } else if x > 0.0 {
        let t = asin_half_versine(ax);
        Dd(2.0 * t.0, 2.0 * t.1)
    } else {
        plus(pi(), asin_half_versine(ax), -2.0)
    };
    round_or_none(fast, EPS_FAST)
        .unwrap_or_else(|| atan2_pos(sqrt(one_minus_sq(ax)), Dd(ax, 0.0), x < 0.0))
}
