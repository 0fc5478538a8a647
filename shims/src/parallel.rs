//! Numba's threading layer for `@njit(parallel=True)`, on one thread.
//!
//! Parfor lowering (`parfors/parfor_lowering.py`, `call_parallel_gufunc`)
//! turns each parallel loop nest into a gufunc and, in the kernel, asks the
//! threading layer for a schedule (`get_sched_size`, `allocate_sched`,
//! `do_scheduling_signed/unsigned`: `np/ufunc/gufunc_scheduler.cpp`) and
//! launches the gufunc through `numba_parallel_for` (`np/ufunc/workqueue.c`,
//! `parallel_for`). A wasm module runs on one thread: the threading layer
//! reports one thread (thread id 0), the schedule is one division holding
//! the whole iteration space, and `numba_parallel_for` calls the gufunc once,
//! as Numba's threading layer does when `NUMBA_NUM_THREADS=1`. Per-thread
//! reduction arrays then have one element and reductions combine in the
//! order of a one-thread native run.
//!
//! Signatures are those the IR declares (every size is `intp`, i64), not the
//! C headers' (`int num_threads`, `uintp set_parallel_chunksize`): wasm-ld
//! checks them exactly.

use crate::Global;

/// The gufunc Numba builds per parallel region: `void (char **args,
/// intp *dims, intp *steps, void *data)` (`build_gufunc_kernel`).
type Gufunc = unsafe extern "C" fn(*mut *mut u8, *mut i64, *mut i64, *mut u8);

/// `intp get_num_threads(void)`: the threads a parallel region may use.
#[unsafe(no_mangle)]
pub extern "C" fn get_num_threads() -> i64 {
    1
}

/// `intp get_thread_id(void)`: the id of the thread running the gufunc
/// (indexes the per-thread reduction arrays).
#[unsafe(no_mangle)]
pub extern "C" fn get_thread_id() -> i64 {
    0
}

/// Chunk size set by `numba.set_parallel_chunksize`; 0 means "one chunk
/// per thread". It does not change the one-thread schedule.
static CHUNKSIZE: Global<u64> = Global::new(0);

/// `uintp get_parallel_chunksize(void)`.
#[unsafe(no_mangle)]
pub extern "C" fn get_parallel_chunksize() -> u64 {
    // SAFETY: single-threaded; no reference is kept.
    unsafe { *CHUNKSIZE.get() }
}

/// `void set_parallel_chunksize(uintp)`: parfor lowering sets 0 around
/// each launch and restores the previous value after it.
#[unsafe(no_mangle)]
pub extern "C" fn set_parallel_chunksize(n: u64) {
    // SAFETY: single-threaded; no reference is kept.
    unsafe { *CHUNKSIZE.get() = n }
}

/// `uintp get_sched_size(uintp num_threads, uintp num_dim, intp *starts,
/// intp *ends)`: how many divisions the schedule has. With one thread the
/// chunks would run one after the other in order anyway, so one division
/// covering everything gives the same result for any chunk size.
#[unsafe(no_mangle)]
pub extern "C" fn get_sched_size(
    _num_threads: u64,
    _num_dim: u64,
    _s: *mut i64,
    _e: *mut i64,
) -> u64 {
    1
}

/// `intp *allocate_sched(uintp sched_size)`: room for `sched_size` intps.
#[unsafe(no_mangle)]
pub extern "C" fn allocate_sched(sched_size: u64) -> *mut i64 {
    crate::alloc::alloc(sched_size.saturating_mul(8), 8).cast()
}

/// `void deallocate_sched(intp *sched)`.
///
/// # Safety
/// `sched` must be null or come from `allocate_sched`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn deallocate_sched(sched: *mut i64) {
    if !sched.is_null() {
        // SAFETY: allocated by `allocate_sched` (caller's contract).
        unsafe { crate::alloc::free(sched.cast()) }
    }
}

/// Fill `sched` (`num_divisions` rows of `num_dim` starts then `num_dim`
/// inclusive ends) as `create_schedule` does for one worker: the first row
/// is the whole space; a 1-D space with no iteration is written `[1, 0]`,
/// as Numba writes an idle thread's row (so an unsigned loop whose end
/// wrapped below its start stays empty). Further rows, which only a larger
/// `get_sched_size` would ask for, are left idle.
///
/// # Safety
/// `starts`/`ends` hold `num_dim` intps, `sched` `2 * num_dim * num_divisions`.
unsafe fn schedule(
    num_dim: u64,
    starts: *const i64,
    ends: *const i64,
    num_divisions: u64,
    sched: *mut i64,
) {
    let d = num_dim as usize;
    // SAFETY: sizes are the caller's contract.
    unsafe {
        for row in 0..num_divisions as usize {
            let out = sched.add(row * 2 * d);
            for j in 0..d {
                let (s, e) = (*starts.add(j), *ends.add(j));
                let idle = row > 0 || (d == 1 && e < s);
                *out.add(j) = if idle { 1 } else { s };
                *out.add(d + j) = if idle { 0 } else { e };
            }
        }
    }
}

/// `void do_scheduling_signed(uintp num_dim, intp *starts, intp *ends,
/// uintp num_threads, intp *sched, intp debug)`; the IR declares it
/// returning `intp *`, which nothing reads.
///
/// # Safety
/// See [`schedule`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn do_scheduling_signed(
    num_dim: u64,
    starts: *mut i64,
    ends: *mut i64,
    num_threads: u64,
    sched: *mut i64,
    _debug: i64,
) -> *mut i64 {
    // SAFETY: forwarded contract.
    unsafe { schedule(num_dim, starts, ends, num_threads, sched) };
    sched
}

/// `do_scheduling_unsigned`: the same schedule; the bounds are intps in
/// both (`RangeActual` compares them signed).
///
/// # Safety
/// See [`schedule`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn do_scheduling_unsigned(
    num_dim: u64,
    starts: *mut i64,
    ends: *mut i64,
    num_threads: u64,
    sched: *mut i64,
    _debug: i64,
) -> *mut i64 {
    // SAFETY: forwarded contract.
    unsafe { schedule(num_dim, starts, ends, num_threads, sched) };
    sched
}

/// `void numba_parallel_for(void *fn, char **args, size_t *dims, size_t
/// *steps, void *data, size_t inner_ndim, size_t array_count, int
/// num_threads)` (declared with three intps): runs the gufunc over all of
/// `dims[0]` (the schedule's divisions) on this thread. `workqueue.c` gives
/// each thread a slice of `dims[0]`; one thread gets all of it, unchanged.
///
/// # Safety
/// `func` is the gufunc Numba emitted for these `args`, `dims` and `steps`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_parallel_for(
    func: *mut u8,
    args: *mut u8,
    dims: *mut u8,
    steps: *mut u8,
    data: *mut u8,
    _inner_ndim: i64,
    _array_count: i64,
    _num_threads: i64,
) {
    // SAFETY: `func` is a `Gufunc` (caller's contract); a wasm indirect
    // call checks the signature.
    unsafe {
        let gufunc: Gufunc = core::mem::transmute::<*mut u8, Gufunc>(func);
        gufunc(args.cast(), dims.cast(), steps.cast(), data);
    }
}

/// `PyThreadState *PyEval_SaveThread(void)`: the gufunc launcher releases
/// the GIL around `numba_parallel_for`; there is no GIL in wasm.
#[unsafe(no_mangle)]
pub extern "C" fn PyEval_SaveThread() -> *mut u8 {
    core::ptr::null_mut()
}

/// `void PyEval_RestoreThread(PyThreadState *)`.
#[unsafe(no_mangle)]
pub extern "C" fn PyEval_RestoreThread(_state: *mut u8) {}

/// `int printf(const char *, ...)`: parfor lowering prints the thread count
/// before raising "Invalid number of threads" (never here: there is always
/// one thread), and Numba's NUMBA_DEBUG_* traces print. A wasm module has
/// no stdout; wasm32 passes the variadic part as one pointer to a buffer.
#[unsafe(no_mangle)]
pub extern "C" fn printf(_format: *const u8, _varargs: *const u8) -> i32 {
    0
}
