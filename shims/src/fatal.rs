//! Numba's fatal-error path inside nopython code.
//!
//! When a BLAS/LAPACK wrapper returns an error, Numba's `check_blas_return`
//! and `check_lapack_return` (`np/linalg.py`) take the GIL and call
//! `Py_FatalError`, which aborts the process. These calls sit in the kernel
//! itself, not in the CPython wrapper, so the module needs them: wasm runs
//! one thread (the GIL calls do nothing) and the abort becomes a trap, as in
//! `numba_fatal_error`.

use core::ffi::c_char;

/// `void numba_gil_ensure(PyGILState_STATE *)`: nothing to lock.
#[unsafe(no_mangle)]
pub extern "C" fn numba_gil_ensure(_state: *mut u8) {}

/// `void numba_gil_release(PyGILState_STATE *)`.
#[unsafe(no_mangle)]
pub extern "C" fn numba_gil_release(_state: *mut u8) {}

/// `void Py_FatalError(const char *msg)`: aborts; here, trap.
#[unsafe(no_mangle)]
pub extern "C" fn Py_FatalError(_msg: *const c_char) -> ! {
    crate::trap()
}
