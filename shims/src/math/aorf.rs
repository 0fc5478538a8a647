//! float32 `expf`, `exp2f`, `logf`, `log2f` as glibc computes them.
//!
//! glibc's are the ARM optimized-routines algorithms (math/expf.c, exp2f.c,
//! logf.c, log2f.c; Copyright (c) 2017-2024, Arm Limited; MIT OR Apache-2.0
//! WITH LLVM-exception): evaluated in double and rounded once, so the fused
//! operations of glibc's FMA build move a float result only when the double
//! lands within ~2^-29 of a float midpoint; no fusion is emulated here.

use super::aorf_data::*;

const N: u64 = 32; // EXP2F_TABLE_BITS = 5

#[inline(always)]
fn top12(x: f32) -> u32 {
    x.to_bits() >> 20
}

/// 2^(k/N) * (1 + poly(r)) for the reduced argument of expf/exp2f.
#[inline(always)]
fn exp2f_tail(kd: f64, shift: f64, r: f64, c: &[f64; 3]) -> f32 {
    let ki = (kd + shift).to_bits();
    let t = EXP2F_TAB[(ki % N) as usize].wrapping_add(ki << (52 - 5));
    let s = f64::from_bits(t);
    let z = c[0] * r + c[1];
    let r2 = r * r;
    let y = c[2] * r + 1.0;
    ((z * r2 + y) * s) as f32
}

/// `expf(x)`.
pub fn expf(x: f32) -> f32 {
    let xd = x as f64;
    let abstop = top12(x) & 0x7ff;
    if abstop >= top12(88.0) {
        if x.to_bits() == f32::NEG_INFINITY.to_bits() {
            return 0.0;
        }
        if abstop >= top12(f32::INFINITY) {
            return x + x;
        }
        if x > f32::from_bits(0x42b1_7217) {
            return f32::INFINITY; // x > log(0x1p128)
        }
        if x < f32::from_bits(0xc2cf_f1b4) {
            return 0.0; // x < log(0x1p-150)
        }
    }
    let z = EXP2F_INVLN2_SCALED * xd;
    let kd = (z + EXP2F_SHIFT) - EXP2F_SHIFT;
    exp2f_tail(kd, EXP2F_SHIFT, z - kd, &EXP2F_POLY_SCALED)
}

/// `exp2f(x)`.
pub fn exp2f(x: f32) -> f32 {
    let xd = x as f64;
    let abstop = top12(x) & 0x7ff;
    if abstop >= top12(128.0) {
        if x.to_bits() == f32::NEG_INFINITY.to_bits() {
            return 0.0;
        }
        if abstop >= top12(f32::INFINITY) {
            return x + x;
        }
        if x > 0.0 {
            return f32::INFINITY;
        }
        if x <= -150.0 {
            return 0.0;
        }
    }
    let kd = (xd + EXP2F_SHIFT_SCALED) - EXP2F_SHIFT_SCALED;
    exp2f_tail(kd, EXP2F_SHIFT_SCALED, xd - kd, &EXP2F_POLY)
}

/// `ix` normalized (subnormals scaled up), or the result for special `x`.
#[inline(always)]
fn log_arg(x: f32) -> Result<u32, f32> {
    let ix = x.to_bits();
    if ix.wrapping_sub(0x0080_0000) >= 0x7f80_0000 - 0x0080_0000 {
        if ix << 1 == 0 {
            return Err(f32::NEG_INFINITY);
        }
        if ix == 0x7f80_0000 {
            return Err(x);
        }
        if ix & 0x8000_0000 != 0 || ix << 1 >= 0xff00_0000 {
            return Err(if x.is_nan() { x } else { f32::NAN });
        }
        // subnormal: normalize
        return Ok((x * 8_388_608.0).to_bits().wrapping_sub(23 << 23));
    }
    Ok(ix)
}

/// `logf(x)`.
pub fn logf(x: f32) -> f32 {
    if x.to_bits() == 0x3f80_0000 {
        return 0.0;
    }
    let ix = match log_arg(x) {
        Ok(ix) => ix,
        Err(v) => return v,
    };
    let tmp = ix.wrapping_sub(0x3f33_0000);
    let i = ((tmp >> (23 - 4)) % 16) as usize;
    let k = (tmp as i32) >> 23;
    let iz = ix.wrapping_sub(tmp & 0xff80_0000);
    let (invc, logc) = (f64::from_bits(LOGF_TAB[i].0), f64::from_bits(LOGF_TAB[i].1));
    let z = f32::from_bits(iz) as f64;
    let r = z * invc - 1.0;
    let y0 = logc + k as f64 * LOGF_LN2;
    let a = &LOGF_POLY;
    let r2 = r * r;
    let y = a[1] * r + a[2];
    let y = a[0] * r2 + y;
    (y * r2 + (y0 + r)) as f32
}

/// `log2f(x)`.
pub fn log2f(x: f32) -> f32 {
    if x.to_bits() == 0x3f80_0000 {
        return 0.0;
    }
    let ix = match log_arg(x) {
        Ok(ix) => ix,
        Err(v) => return v,
    };
    let tmp = ix.wrapping_sub(0x3f33_0000);
    let i = ((tmp >> (23 - 4)) % 16) as usize;
    let k = (tmp as i32) >> 23;
    let iz = ix.wrapping_sub(tmp & 0xff80_0000);
    let (invc, logc) = (
        f64::from_bits(LOG2F_TAB[i].0),
        f64::from_bits(LOG2F_TAB[i].1),
    );
    let z = f32::from_bits(iz) as f64;
    let r = z * invc - 1.0;
    let y0 = logc + k as f64;
    let a = &LOG2F_POLY;
    let r2 = r * r;
    let y = a[1] * r + a[2];
    let y = a[0] * r2 + y;
    let p = a[3] * r + y0;
    (y * r2 + p) as f32
}
