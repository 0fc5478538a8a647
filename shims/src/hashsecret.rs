//! CPython's hash secret as Numba reads it (`numba/cpython/hashing.py`
//! `_build_hashsecret`): `str`/`bytes` hashing loads these three words.
//!
//! Natively they come from the running interpreter, so `hash(s)` depends on
//! PYTHONHASHSEED. A wasm module has no interpreter; it uses the secret of a
//! CPython started with `PYTHONHASHSEED=0` (all zero, which CPython uses to
//! disable hash randomization), so `hash(s)` equals native under that seed.
//! Dict iteration order does not depend on it (insertion order); set order
//! of strings does.

#[unsafe(no_mangle)]
pub static _numba_hashsecret_djbx33a_suffix: u64 = 0;

#[unsafe(no_mangle)]
pub static _numba_hashsecret_siphash_k0: u64 = 0;

#[unsafe(no_mangle)]
pub static _numba_hashsecret_siphash_k1: u64 = 0;
