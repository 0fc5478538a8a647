//! Numba's random state helpers (`numba/_random.c`).
//!
//! The generators themselves (MT19937 output, doubles, gauss, randint, the
//! distributions) are emitted in IR by `cpython/randomimpl.py` and
//! `np/random/legacy.py`, which read and write the fields of `rnd_state_t`
//! directly. The shim holds the three states (`np.random`, `random`, and
//! Numba's internal one) and the C functions that IR calls: the state
//! getters, `numba_rnd_shuffle` (the MT refill), `numba_rnd_init` (seed) and
//! `numba_poisson_ptrs`.
//!
//! Seeding from entropy: native Numba seeds a state from 2496 bytes of
//! `os.urandom` at its first use. A module has no entropy of its own (it
//! imports nothing), so the host passes random bytes to `nw_random_init`
//! right after instantiation. A state the host never seeded and the kernel
//! never seeded traps at its first draw (its `index` starts at `MT_N`, so the
//! first draw calls `numba_rnd_shuffle`, which checks) rather than produce a
//! stream every instance would share.

use crate::Global;

const MT_N: usize = 624;
const MT_M: usize = 397;
const MT_MATRIX_A: u32 = 0x9908_b0df;
const MT_UPPER_MASK: u32 = 0x8000_0000;
const MT_LOWER_MASK: u32 = 0x7fff_ffff;

/// Bytes of entropy native Numba reads per state (`MT_N` 32-bit keys).
pub const ENTROPY_BYTES_PER_STATE: usize = MT_N * 4;

/// `rnd_state_t`.
#[repr(C)]
pub struct RndState {
    pub index: i32,
    pub mt: [u32; MT_N],
    pub has_gauss: i32,
    pub gauss: f64,
    pub is_initialized: i32,
}

const _: () = {
    use crate::layout::*;
    use core::mem::{offset_of, size_of};
    assert!(MT_N == RND_STATE_MT_N);
    assert!(size_of::<RndState>() == RND_STATE_SIZE_OF);
    assert!(offset_of!(RndState, index) == RND_STATE_INDEX);
    assert!(offset_of!(RndState, mt) == RND_STATE_MT);
    assert!(offset_of!(RndState, has_gauss) == RND_STATE_HAS_GAUSS);
    assert!(offset_of!(RndState, gauss) == RND_STATE_GAUSS);
    assert!(offset_of!(RndState, is_initialized) == RND_STATE_IS_INITIALIZED);
};

/// Not yet seeded: the first draw finds `index == MT_N` and calls
/// `numba_rnd_shuffle`, which traps unless a seed came first.
const UNSEEDED: RndState = RndState {
    index: MT_N as i32,
    mt: [0; MT_N],
    has_gauss: 0,
    gauss: 0.0,
    is_initialized: 0,
};

static PY_STATE: Global<RndState> = Global::new(UNSEEDED);
static NP_STATE: Global<RndState> = Global::new(UNSEEDED);
static INTERNAL_STATE: Global<RndState> = Global::new(UNSEEDED);

/// The `random` module's state. Native Numba seeds it from entropy here on
/// first use; in wasm the host did so already (`nw_random_init`).
#[unsafe(no_mangle)]
pub extern "C" fn numba_get_py_random_state() -> *mut RndState {
    PY_STATE.get()
}

/// `np.random`'s state.
#[unsafe(no_mangle)]
pub extern "C" fn numba_get_np_random_state() -> *mut RndState {
    NP_STATE.get()
}

/// Numba's internal state.
#[unsafe(no_mangle)]
pub extern "C" fn numba_get_internal_random_state() -> *mut RndState {
    INTERNAL_STATE.get()
}

/// Refill `mt` (the MT19937 "generate" step); the IR calls it when `index`
/// reaches `MT_N`.
///
/// # Safety
/// `state` must point to a live `rnd_state_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_rnd_shuffle(state: *mut RndState) {
    // SAFETY: caller passes a live state (one of ours, from the getters).
    let state = unsafe { &mut *state };
    if state.is_initialized == 0 {
        // Neither the host (`nw_random_init`) nor the kernel seeded it.
        crate::trap();
    }
    let mt = &mut state.mt;
    let twist = |hi: u32, lo: u32, far: u32| {
        let y = (hi & MT_UPPER_MASK) | (lo & MT_LOWER_MASK);
        far ^ (y >> 1) ^ (0u32.wrapping_sub(y & 1) & MT_MATRIX_A)
    };
    for i in 0..MT_N - MT_M {
        mt[i] = twist(mt[i], mt[i + 1], mt[i + MT_M]);
    }
    for i in MT_N - MT_M..MT_N - 1 {
        mt[i] = twist(mt[i], mt[i + 1], mt[i + MT_M - MT_N]);
    }
    mt[MT_N - 1] = twist(mt[MT_N - 1], mt[0], mt[MT_M - 1]);
}

/// Seed with a 32-bit integer (`np.random.seed(s)`, `random.seed(s)`).
///
/// # Safety
/// `state` must point to a live `rnd_state_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_rnd_init(state: *mut RndState, seed: u32) {
    // SAFETY: caller passes a live state.
    rnd_init(unsafe { &mut *state }, seed);
}

fn rnd_init(state: &mut RndState, mut seed: u32) {
    // Knuth's PRNG as in the Mersenne Twister reference implementation.
    for pos in 0..MT_N {
        state.mt[pos] = seed;
        seed = 1_812_433_253u32
            .wrapping_mul(seed ^ (seed >> 30))
            .wrapping_add(pos as u32 + 1);
    }
    state.index = MT_N as i32;
    state.has_gauss = 0;
    state.gauss = 0.0;
    state.is_initialized = 1;
}

/// `rnd_init_by_array`: perturb `mt` with a key array.
fn rnd_init_by_array(state: &mut RndState, keys: impl Fn(usize) -> u32, key_length: usize) {
    rnd_init(state, 19_650_218);
    let mt = &mut state.mt;
    let (mut i, mut j) = (1usize, 0usize);
    for _ in 0..MT_N.max(key_length) {
        mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_664_525))
            .wrapping_add(keys(j))
            .wrapping_add(j as u32);
        i += 1;
        j += 1;
        if i >= MT_N {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
        if j >= key_length {
            j = 0;
        }
    }
    for _ in 0..MT_N - 1 {
        mt[i] = (mt[i] ^ (mt[i - 1] ^ (mt[i - 1] >> 30)).wrapping_mul(1_566_083_941))
            .wrapping_sub(i as u32);
        i += 1;
        if i >= MT_N {
            mt[0] = mt[MT_N - 1];
            i = 1;
        }
    }
    mt[0] = 0x8000_0000;
    state.index = MT_N as i32;
    state.has_gauss = 0;
    state.gauss = 0.0;
    state.is_initialized = 1;
}

/// `rnd_seed_with_bytes`: the bytes as little-endian 32-bit keys.
fn rnd_seed_with_bytes(state: &mut RndState, bytes: &[u8]) {
    let nkeys = bytes.len() / 4;
    let key = |j: usize| {
        u32::from_le_bytes([
            bytes[4 * j],
            bytes[4 * j + 1],
            bytes[4 * j + 2],
            bytes[4 * j + 3],
        ])
    };
    rnd_init_by_array(state, key, nkeys);
}

/// `nw_random_init(bytes, len)`: the host seeds the `random`, `np.random` and
/// internal states from `len` bytes of entropy, split in three equal parts
/// (in that order), each used as native Numba uses its `os.urandom` bytes.
/// Hosts pass `3 * 2496` bytes, the entropy native Numba reads. Fewer than
/// 12 bytes leaves the states as they were.
///
/// # Safety
/// `bytes` must be readable for `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn nw_random_init(bytes: *const u8, len: usize) {
    let part = len / 3 / 4 * 4;
    if part == 0 {
        return;
    }
    // SAFETY: caller passes `len` readable bytes.
    let bytes = unsafe { core::slice::from_raw_parts(bytes, len) };
    for (k, state) in [&PY_STATE, &NP_STATE, &INTERNAL_STATE]
        .into_iter()
        .enumerate()
    {
        // SAFETY: see `Global`; no other reference to the state is live.
        rnd_seed_with_bytes(
            unsafe { &mut *state.get() },
            &bytes[k * part..(k + 1) * part],
        );
    }
}

// ---------------------------------------------------------------------------
// Distribution helpers kept in C by Numba (from NumPy's distributions.c).

fn get_next_int32(state: &mut RndState) -> u32 {
    if state.index as usize >= MT_N {
        // SAFETY: `state` is a live exclusive reference.
        unsafe { numba_rnd_shuffle(state) };
        state.index = 0;
    }
    let mut y = state.mt[state.index as usize];
    state.index += 1;
    // Tempering
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c_5680;
    y ^= (y << 15) & 0xefc6_0000;
    y ^= y >> 18;
    y
}

fn get_next_double(state: &mut RndState) -> f64 {
    let a = f64::from(get_next_int32(state) >> 5);
    let b = f64::from(get_next_int32(state) >> 6);
    (a * 67_108_864.0 + b) / 9_007_199_254_740_992.0
}

/// `loggam`: log of the gamma function (NumPy's series).
fn loggam(x: f64) -> f64 {
    const A: [f64; 10] = [
        8.333333333333333e-02,
        -2.777777777777778e-03,
        7.936507936507937e-04,
        -5.952380952380952e-04,
        8.417508417508418e-04,
        -1.917526917526918e-03,
        6.41025641025641e-03,
        -2.955065359477124e-02,
        1.796443723688307e-01,
        -1.39243221690590e+00,
    ];
    if x == 1.0 || x == 2.0 {
        return 0.0;
    }
    let mut x0 = x;
    let mut n = 0i64;
    if x <= 7.0 {
        n = (7.0 - x) as i64;
        x0 = x + n as f64;
    }
    let x2 = 1.0 / (x0 * x0);
    let xp = 2.0 * core::f64::consts::PI;
    let mut gl0 = A[9];
    for &a in A[..9].iter().rev() {
        gl0 *= x2;
        gl0 += a;
    }
    let mut gl = gl0 / x0 + 0.5 * log(xp) + (x0 - 0.5) * log(x0) - x0;
    if x <= 7.0 {
        for _ in 1..=n {
            gl -= log(x0 - 1.0);
            x0 -= 1.0;
        }
    }
    gl
}

/// glibc's `log` natively; here the same musl/FreeBSD algorithm as the `log`
/// the kernels' own IR links (from `compiler_builtins`).
fn log(x: f64) -> f64 {
    libm::log(x)
}

/// C's `(int64_t) d` on x86-64 (`cvttsd2si`): out of range and NaN give
/// `INT64_MIN`.
fn c_f64_to_i64(d: f64) -> i64 {
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&d) {
        d as i64
    } else {
        i64::MIN
    }
}

/// Poisson deviate for `lam >= 10`: Hörmann's transformed rejection
/// (PTRS), as in NumPy.
///
/// # Safety
/// `state` must point to a live `rnd_state_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_poisson_ptrs(state: *mut RndState, lam: f64) -> i64 {
    // SAFETY: caller passes a live state.
    let state = unsafe { &mut *state };
    let slam = libm::sqrt(lam);
    let loglam = log(lam);
    let b = 0.931 + 2.53 * slam;
    let a = -0.059 + 0.02483 * b;
    let invalpha = 1.1239 + 1.1328 / (b - 3.4);
    let vr = 0.9277 - 3.6224 / (b - 2.0);
    loop {
        let u = get_next_double(state) - 0.5;
        let v = get_next_double(state);
        let us = 0.5 - libm::fabs(u);
        let k = c_f64_to_i64(libm::floor((2.0 * a / us + b) * u + lam + 0.43));
        if us >= 0.07 && v <= vr {
            return k;
        }
        if k < 0 || (us < 0.013 && v > us) {
            continue;
        }
        if (log(v) + log(invalpha) - log(a / (us * us) + b))
            <= (-lam + k as f64 * loglam - loggam(k as f64 + 1.0))
        {
            return k;
        }
    }
}
