//! Numba's array helpers from `_helperlib.c` that its IR declares but does
//! not define.
//!
//! `numba_attempt_nocopy_reshape` backs `arr.reshape`, `np.reshape`, `ravel`
//! and `flatten` of contiguous arrays, and through them `np.median`,
//! `np.percentile`, `np.quantile`, `np.unique`, `np.cumsum`, `np.digitize`.

/// NumPy 2's `NPY_MAXDIMS`, the size of the C helper's scratch arrays.
const MAXDIMS: usize = 64;

/// `int numba_attempt_nocopy_reshape(npy_intp nd, const npy_intp *dims,
/// const npy_intp *strides, npy_intp newnd, const npy_intp *newdims,
/// npy_intp *newstrides, npy_intp itemsize, int is_f_order)`.
///
/// NumPy's `_attempt_nocopy_reshape` as Numba copies it: returns 1 and
/// fills `newstrides` when the array can be viewed with shape `newdims`
/// without copying, else 0 (the caller then raises or copies).
///
/// # Safety
/// `dims` and `strides` must hold `nd` values, `newdims` and `newstrides`
/// `newnd` values (as Numba's lowering in `np/arrayobj.py` passes them).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn numba_attempt_nocopy_reshape(
    nd: i64,
    dims: *const i64,
    strides: *const i64,
    newnd: i64,
    newdims: *const i64,
    newstrides: *mut i64,
    itemsize: i64,
    is_f_order: i32,
) -> i32 {
    let (nd, newnd) = (nd.max(0) as usize, newnd.max(0) as usize);
    // SAFETY: lengths as documented; Numba passes arrays of these lengths
    // (the array's own shape/strides and stack buffers for the new ones).
    let (dims, strides, newdims, newstrides) = unsafe {
        (
            core::slice::from_raw_parts(dims, nd),
            core::slice::from_raw_parts(strides, nd),
            core::slice::from_raw_parts(newdims, newnd),
            core::slice::from_raw_parts_mut(newstrides, newnd),
        )
    };
    let attempt = Reshape {
        dims,
        strides,
        newdims,
        itemsize,
        is_f_order: is_f_order != 0,
    };
    attempt.run(newstrides) as i32
}

struct Reshape<'a> {
    dims: &'a [i64],
    strides: &'a [i64],
    newdims: &'a [i64],
    itemsize: i64,
    is_f_order: bool,
}

impl Reshape<'_> {
    fn run(&self, newstrides: &mut [i64]) -> bool {
        let newdims = self.newdims;
        let newnd = newdims.len();
        // Axes of length 1 have no effect but would need special cases.
        let mut olddims = [0i64; MAXDIMS];
        let mut oldstrides = [0i64; MAXDIMS];
        let mut oldnd = 0;
        for (&d, &s) in self.dims.iter().zip(self.strides) {
            if d != 1 {
                if oldnd == MAXDIMS {
                    // More axes than any NumPy array has: C would overrun
                    // its buffers; "needs a copy" is the safe answer.
                    return false;
                }
                olddims[oldnd] = d;
                oldstrides[oldnd] = s;
                oldnd += 1;
            }
        }
        let (olddims, oldstrides) = (&olddims[..oldnd], &oldstrides[..oldnd]);

        // npy_intp products wrap like the C code's (two's complement).
        let np_ = newdims.iter().fold(1i64, |p, &d| p.wrapping_mul(d));
        let op = olddims.iter().fold(1i64, |p, &d| p.wrapping_mul(d));
        if np_ != op {
            return false; // different total sizes; no hope
        }
        if np_ == 0 {
            // NumPy's code does not handle empty arrays: any strides will do.
            newstrides.fill(self.itemsize);
            return true;
        }

        // oi..oj and ni..nj are the axis ranges currently worked with.
        let (mut oi, mut oj, mut ni, mut nj) = (0, 1, 0, 1);
        while ni < newnd && oi < oldnd {
            let mut np_ = newdims[ni];
            let mut op = olddims[oi];
            while np_ != op {
                // Indexing past the end traps (C would read out of bounds).
                if np_ < op {
                    np_ = np_.wrapping_mul(newdims[nj]); // trailing 1s come later
                    nj += 1;
                } else {
                    op = op.wrapping_mul(olddims[oj]);
                    oj += 1;
                }
            }
            // Can the original axes oi..oj be combined?
            for ok in oi..oj - 1 {
                let contiguous = if self.is_f_order {
                    oldstrides[ok + 1] == olddims[ok].wrapping_mul(oldstrides[ok])
                } else {
                    oldstrides[ok] == olddims[ok + 1].wrapping_mul(oldstrides[ok + 1])
                };
                if !contiguous {
                    return false;
                }
            }
            // New strides for the axes ni..nj.
            if self.is_f_order {
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
            self.itemsize
        };
        if self.is_f_order && ni >= 1 {
            // (C reads newdims[-1] when ni == 0; Numba never asks for F order.)
            last_stride = last_stride.wrapping_mul(newdims[ni - 1]);
        }
        newstrides[ni..].fill(last_stride);
        true
    }
}
