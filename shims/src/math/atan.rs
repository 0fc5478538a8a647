//! Correctly rounded `atan`, `atan2`, `asin` and `acos` (float64).
//!
//! glibc's are correctly rounded in practice; musl's (fdlibm) are up to ~0.9
//! ulp off, atan2 ~1.2. Every one is reduced to base ± atan(t), t in [0, 1]
//! a ratio carried in double-double, base 0, π/2 or π (C99 Annex F's
//! quadrants; the special operands are handled first):
//!
//! - atan(x) = atan(|x|) or π/2 - atan(1/|x|), signed;
//! - atan2(y, x) from t = min(|x|, |y|) / max(|x|, |y|), the operands scaled
//!   by a power of two first;
//! - asin(x) = atan2(x, √(1-x²)) and acos(x) = atan2(√(1-x²), x), with 1-x²
//!   exact in double-double and its square root corrected by a Newton step.
//!
//! atan(t) = atan(c) + atan(u), c = i/64 nearest to t, u = (t-c)/(1+t·c),
//! |u| <= 1/128: atan(c) from a double-double table, atan(u) a Taylor series.
//! Ziv's strategy as in `trig.rs`: a fast evaluation (series in double, the
//! leading terms in double-double; relative error below 2^-66 measured,
//! bounded by 2^-62) rounded when its error interval holds no rounding
//! boundary, else the whole sum in double-double (~2^-100).

use super::aor::invalid;
use super::dd::{Dd, add, div, fast_two_sum, horner, mul, round_or_none, sqrt, two_prod, two_sum};
use super::trig_data::{ATAN, ATAN_T, PI, PIO2};

const EPS_FAST: f64 = 2.168_404_344_971_009e-19; // 2^-62

/// atan(c) and u for t = c + (t - c), c = i/64 nearest t (0 <= t <= ~1).
#[inline(always)]
fn split(t: Dd) -> (Dd, Dd) {
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

/// base + atan(t) (or base - atan(t) when `sub`), correctly rounded.
fn base_atan(t: Dd, base: Dd, sub: bool) -> f64 {
    let (a, u) = split(t);
    let z = u.0 * u.0;
    let c = |k: usize| f64::from_bits(ATAN_T[k].0);
    let tail = u.0 * z * (c(0) + z * (c(1) + z * (c(2) + z * c(3)))); // atan u - u
    let sg = if sub { -1.0 } else { 1.0 };
    let h = two_sum(a.0, u.0);
    let lo = h.1 + (a.1 + u.1 + tail);
    let h2 = two_sum(base.0, sg * h.0);
    let r = fast_two_sum(h2.0, h2.1 + base.1 + sg * lo);
    if let Some(v) = round_or_none(r, EPS_FAST) {
        return v;
    }
    base_atan_slow(a, u, base, sub)
}

#[inline(never)]
fn base_atan_slow(a: Dd, u: Dd, base: Dd, sub: bool) -> f64 {
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
            atan2_pos(Dd(scale(ay, k), 0.0), Dd(scale(ax, k), 0.0), neg_x)
        }
    };
    if y.is_sign_negative() { -r } else { r }
}

/// 1 - x² in double-double for 0 < x < 1 (exact before the last rounding).
fn one_minus_sq(x: f64) -> Dd {
    let (p, e) = two_prod(x, x);
    let h = two_sum(1.0, -p);
    fast_two_sum(h.0, h.1 - e)
}

pub fn asin(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 1.490_116_119_384_765_6e-8 {
        // 2^-26: x³/6 is below half an ulp of x (also ±0 and subnormals)
        return x;
    }
    if ax > 1.0 || x.is_nan() {
        return invalid(x);
    }
    let r = if ax == 1.0 {
        f64::from_bits(PIO2.0)
    } else {
        atan2_pos(Dd(ax, 0.0), sqrt(one_minus_sq(ax)), false)
    };
    if x < 0.0 { -r } else { r }
}

pub fn acos(x: f64) -> f64 {
    let ax = x.abs();
    if ax < 8.673_617_379_884_035e-19 {
        // 2^-60: π/2 - x rounds to π/2's double
        return f64::from_bits(PIO2.0);
    }
    if ax > 1.0 || x.is_nan() {
        return invalid(x);
    }
    if ax == 1.0 {
        return if x > 0.0 { 0.0 } else { f64::from_bits(PI.0) };
    }
    atan2_pos(sqrt(one_minus_sq(ax)), Dd(ax, 0.0), x < 0.0)
}
