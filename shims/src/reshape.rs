//! `numba_attempt_nocopy_reshape` (`_helperlib.c`, from NumPy's
//! `_attempt_nocopy_reshape` in `shape.c`): `arr.reshape(...)` in nopython
//! code asks it whether the new shape can view the same memory, and for
//! which strides. `np.linalg.norm` of a matrix and `np.outer` reshape.

use core::ffi::c_int;

/// NumPy 2's `NPY_MAXDIMS`: the C code's stack arrays have this many slots.
const MAXDIMS: usize = 64;

/// `int numba_attempt_nocopy_reshape(npy_intp nd, const npy_intp *dims,
/// const npy_intp *strides, npy_intp newnd, const npy_intp *newdims,
/// npy_intp *newstrides, npy_intp itemsize, int is_f_order)`: 1 and
/// `newstrides` filled if no copy is needed, else 0.
///
/// # Safety
/// `dims`/`strides` hold `nd` values, `newdims`/`newstrides` `newnd`.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn numba_attempt_nocopy_reshape(
    nd: i64,
    dims: *const i64,
    strides: *const i64,
    newnd: i64,
    newdims: *const i64,
    newstrides: *mut i64,
    itemsize: i64,
    is_f_order: c_int,
) -> c_int {
    // Past NPY_MAXDIMS the C code overruns its arrays; say "copy" instead.
    if nd < 0 || newnd < 0 || nd as u64 > MAXDIMS as u64 || newnd as u64 > MAXDIMS as u64 {
        return 0;
    }
    let (nd, newnd) = (nd as usize, newnd as usize);
    // SAFETY: the caller's extents.
    let (dims, strides, newdims, newstrides) = unsafe {
        (
            core::slice::from_raw_parts(dims, nd),
            core::slice::from_raw_parts(strides, nd),
            core::slice::from_raw_parts(newdims, newnd),
            core::slice::from_raw_parts_mut(newstrides, newnd),
        )
    };
    let f_order = is_f_order != 0;

    // Axes of length 1 have no effect: drop them from the old array.
    let mut olddims = [0i64; MAXDIMS];
    let mut oldstrides = [0i64; MAXDIMS];
    let mut oldnd = 0;
    for (&d, &s) in dims.iter().zip(strides) {
        if d != 1 {
            olddims[oldnd] = d;
            oldstrides[oldnd] = s;
            oldnd += 1;
        }
    }
    // npy_intp arithmetic: wrapping, like C on 64-bit.
    let np: i64 = newdims.iter().fold(1i64, |a, &d| a.wrapping_mul(d));
    let op: i64 = olddims[..oldnd]
        .iter()
        .fold(1i64, |a, &d| a.wrapping_mul(d));
    if np != op {
        return 0; // different total sizes
    }
    if np == 0 {
        // nocopy_empty_reshape: any strides will do.
        newstrides.fill(itemsize);
        return 1;
    }

    // oi..oj and ni..nj: the axis ranges being matched.
    let (mut oi, mut oj, mut ni, mut nj) = (0usize, 1usize, 0usize, 1usize);
    while ni < newnd && oi < oldnd {
        let mut np = newdims[ni];
        let mut op = olddims[oi];
        while np != op {
            if np < op {
                // Trailing 1s are handled below. Equal totals keep nj, oj
                // in range; the guards only stop malformed input.
                if nj >= newnd {
                    return 0;
                }
                np = np.wrapping_mul(newdims[nj]);
                nj += 1;
            } else {
                if oj >= oldnd {
                    return 0;
                }
                op = op.wrapping_mul(olddims[oj]);
                oj += 1;
            }
        }
        // Can the original axes oi..oj be combined?
        for ok in oi..oj - 1 {
            let contiguous = if f_order {
                oldstrides[ok + 1] == olddims[ok].wrapping_mul(oldstrides[ok])
            } else {
                oldstrides[ok] == olddims[ok + 1].wrapping_mul(oldstrides[ok + 1])
            };
            if !contiguous {
                return 0;
            }
        }
        // New strides for the axes ni..nj.
        if f_order {
            newstrides[ni] = oldstrides[oi];
            for nk in ni + 1..nj {
                newstrides[nk] = newstrides[nk - 1].wrapping_mul(newdims[nk - 1]);
            }
        } else {
            newstrides[nj - 1] = oldstrides[oj - 1];
            for nk in (ni + 1..nj).rev() {
                newstrides[nk - 1] = newstrides[nk].wrapping_mul(newdims[nk]);
            }
        }
        ni = nj;
        nj += 1;
        oi = oj;
        oj += 1;
    }

    // Strides of the new shape's trailing 1s.
    let mut last_stride = if ni >= 1 {
        newstrides[ni - 1]
    } else {
        itemsize
    };
    // (C reads newdims[-1] when ni == 0 in F order; skip that multiply.)
    if f_order && ni >= 1 {
        last_stride = last_stride.wrapping_mul(newdims[ni - 1]);
    }
    for s in &mut newstrides[ni..] {
        *s = last_stride;
    }
    1
}
