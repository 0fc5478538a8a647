//! Double-double arithmetic for the correctly rounded functions (`trig.rs`,
//! `atan.rs`): a value is the unevaluated sum `hi + lo` with |lo| <= ulp(hi)/2,
//! ~2^-104 relative per operation. Products use Dekker's exact `two_prod`
//! (wasm has no fused multiply-add); magnitudes stay well inside the range
//! where its splitting neither overflows nor underflows.

pub(crate) use super::aor::two_prod;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Dd(pub f64, pub f64);

impl Dd {
    #[inline(always)]
    pub(crate) fn from_bits(p: (u64, u64)) -> Dd {
        Dd(f64::from_bits(p.0), f64::from_bits(p.1))
    }

    #[inline(always)]
    pub(crate) fn neg(self) -> Dd {
        Dd(-self.0, -self.1)
    }
}

/// a + b exactly, given |a| >= |b| (or a = 0).
#[inline(always)]
pub(crate) fn fast_two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    Dd(s, b - (s - a))
}

/// a + b exactly.
#[inline(always)]
pub(crate) fn two_sum(a: f64, b: f64) -> Dd {
    let s = a + b;
    let bb = s - a;
    Dd(s, (a - (s - bb)) + (b - bb))
}

#[inline(always)]
pub(crate) fn add(x: Dd, y: Dd) -> Dd {
    // both parts summed exactly: accurate also when x and y nearly cancel
    let s = two_sum(x.0, y.0);
    let t = two_sum(x.1, y.1);
    let s = fast_two_sum(s.0, s.1 + t.0);
    fast_two_sum(s.0, s.1 + t.1)
}

#[inline(always)]
pub(crate) fn mul(x: Dd, y: Dd) -> Dd {
    let (p, e) = two_prod(x.0, y.0);
    fast_two_sum(p, e + (x.0 * y.1 + x.1 * y.0))
}

/// x / y: an approximate quotient corrected by the exact remainder (one
/// division: the quotient needs not be the rounded one).
#[inline(always)]
pub(crate) fn div(x: Dd, y: Dd) -> Dd {
    let inv = 1.0 / y.0;
    let q = x.0 * inv;
    let (p, e) = two_prod(q, y.0);
    // x.0 - p is exact (p is within a few ulps of x.0)
    let r = (((x.0 - p) - e) + x.1 - q * y.1) * inv;
    fast_two_sum(q, r)
}

/// sqrt(x) for x.0 > 0: one Newton correction from the exact residual.
#[inline(always)]
pub(crate) fn sqrt(x: Dd) -> Dd {
    let s = libm::sqrt(x.0);
    let (p, e) = two_prod(s, s);
    fast_two_sum(s, (((x.0 - p) - e) + x.1) / (2.0 * s))
}

/// Horner's scheme in double-double: c[0] + z (c[1] + z (c[2] + ...)).
#[inline(always)]
pub(crate) fn horner(z: Dd, c: &[(u64, u64)]) -> Dd {
    let mut p = Dd::from_bits(c[c.len() - 1]);
    for &ck in c[..c.len() - 1].iter().rev() {
        p = add(mul(p, z), Dd::from_bits(ck));
    }
    p
}

/// Ziv's rounding test: `hi + lo` with a relative error below `eps` rounds
/// to the same double as the exact value, which this returns; `None` when
/// the error interval straddles a rounding boundary.
#[inline(always)]
pub(crate) fn round_or_none(r: Dd, eps: f64) -> Option<f64> {
    let e = eps * r.0.abs();
    let a = r.0 + (r.1 - e);
    let b = r.0 + (r.1 + e);
    if a == b { Some(a) } else { None }
}

/// The nan of a domain error (sin(inf), asin(2)): x itself when it is a nan,
/// else the negative default nan that glibc's `x - x` gives on x86-64, which
/// Numba's cmath functions copy the sign of (musl's `x - x` gave the same
/// in wasm hosts on x86, but by the hardware's choice).
#[inline(always)]
pub(crate) fn domain_nan(x: f64) -> f64 {
    if x.is_nan() { x + x } else { -f64::NAN }
}
