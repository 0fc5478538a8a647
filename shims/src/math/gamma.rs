//! `tgamma` and `lgamma` (negative arguments) in double-double arithmetic.
//!
//! musl's tgamma (Lanczos) is up to ~5 ulp off, and its lgamma loses all
//! relative accuracy near the zeros of lgamma at x < -2 (glibc handles those
//! with lgamma_neg.c). Here Γ(x), 1 <= |x| <= 184, is reduced to Γ(y) with
//! y = x ± n in [1, 2) — exact in double — and the rising product of the n
//! factors, both carried in double-double (~2^-100 relative): 1/Γ(y) is a
//! Taylor polynomial at 1.5 (`gamma_data.rs`, generated with mpmath). For
//! lgamma, log|Γ(x)| = -log1p(|D| - 1) with D = 1/Γ(x) in double-double, which
//! stays accurate relative to the result however close it is to zero.

use super::aor::two_prod;
use super::gamma_data::{RGAMMA_D, RGAMMA_DD};

#[derive(Clone, Copy)]
struct Dd(f64, f64);

#[inline(always)]
fn fast_two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    Dd(s, b - (s - a))
}

#[inline(always)]
fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd(s, (a - (s - bb)) + (b - bb))
}

#[inline(always)]
fn mul_d(x: Dd, d: f64) -> Dd {
    let (p, e) = two_prod(x.0, d);
    fast_two_sum(p, e + x.1 * d)
}

#[inline(always)]
fn mul(x: Dd, y: Dd) -> Dd {
    let (p, e) = two_prod(x.0, y.0);
    fast_two_sum(p, e + (x.0 * y.1 + x.1 * y.0))
}

#[inline(always)]
fn add(x: Dd, y: Dd) -> Dd {
    let s = two_sum(x.0, y.0);
    fast_two_sum(s.0, s.1 + (x.1 + y.1))
}

/// 1 / x.
fn recip(x: Dd) -> Dd {
    let q = 1.0 / x.0;
    // r = 1 - q*x, exactly enough
    let qx = mul_d(x, q);
    let r = add(Dd(1.0, 0.0), Dd(-qx.0, -qx.1));
    fast_two_sum(q, r.0 / x.0)
}

/// 1/Γ(y) for y in [1, 2).
fn rgamma_1_2(y: f64) -> Dd {
    let h = y - 1.5; // exact
    let mut t = 0.0;
    for &c in RGAMMA_D.iter().rev() {
        t = t * h + f64::from_bits(c);
    }
    let mut acc = Dd(t, 0.0);
    for &(hi, lo) in RGAMMA_DD.iter().rev() {
        acc = add(mul_d(acc, h), Dd(f64::from_bits(hi), f64::from_bits(lo)));
    }
    acc
}

const TWO600: f64 = 4.149_515_568_880_993e180;

/// 1/Γ(x) for 1 <= |x| <= 184, x not an integer <= 0, as a double-double
/// times 2^(600·k): returns (value, k).
fn rgamma_dd(x: f64) -> (Dd, i32) {
    let mut k = 0;
    if x >= 1.0 {
        // Γ(x) = Γ(y) · y (y+1) ... (x-1)
        let n = libm::floor(x) - 1.0;
        let y = x - n;
        let mut p = Dd(1.0, 0.0);
        let mut f = y;
        while f < x {
            p = mul_d(p, f);
            if p.0 > TWO600 {
                p = Dd(p.0 / TWO600, p.1 / TWO600);
                k -= 1;
            }
            f += 1.0;
        }
        let r = rgamma_1_2(y);
        (mul(r, recip(p)), k)
    } else {
        // Γ(x) = Γ(y) / (x (x+1) ... (y-1)): 1/Γ(x) = P / Γ(y)
        let n = libm::ceil(-x) + 1.0;
        let y = x + n;
        let mut p = Dd(1.0, 0.0);
        let mut f = x;
        while f < 1.0 {
            p = mul_d(p, f);
            if p.0.abs() > TWO600 {
                p = Dd(p.0 / TWO600, p.1 / TWO600);
                k += 1;
            }
            f += 1.0;
        }
        (mul(rgamma_1_2(y), p), k)
    }
}

/// Γ(x), or None where musl's tgamma is used (|x| < 1, x < -184, integers
/// <= 0, inf, nan).
pub fn tgamma(x: f64) -> Option<f64> {
    let ax = x.abs();
    if !(1.0..=184.0).contains(&ax) || (x < 0.0 && x == libm::floor(x)) {
        return None;
    }
    if x > 171.7 {
        return Some(f64::INFINITY);
    }
    let (d, k) = rgamma_dd(x);
    let g = recip(d);
    let mut v = g.0 + g.1;
    // undo the scaling: Γ = v · 2^(-600·k)
    for _ in 0..k.unsigned_abs() {
        v = if k > 0 { v / TWO600 } else { v * TWO600 };
    }
    Some(v)
}

/// log|Γ(x)| for -19 < x < -2, x not an integer; None elsewhere.
pub fn lgamma_neg(x: f64) -> Option<f64> {
    if !(x > -19.0 && x < -2.0) || x == libm::floor(x) {
        return None;
    }
    let (d, _) = rgamma_dd(x); // |x| < 19: no scaling
    let d = if d.0 < 0.0 { Dd(-d.0, -d.1) } else { d };
    if (0.5..=2.0).contains(&d.0) {
        // dh - 1 is exact: near the zeros only the tiny difference matters
        Some(-libm::log1p((d.0 - 1.0) + d.1))
    } else {
        Some(-(super::aor::log(d.0) + d.1 / d.0))
    }
}
