"""The array-library corpus (fixtures/corpus/arrays.py): every case native
Numba vs its wasm build (wasmtime), bit for bit, exceptions included."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import numba_wasm
import numpy as np
import pytest

import numba

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures" / "corpus"))
import arrays  # noqa: E402

CASES = arrays.cases()
# The IR form Numba produces in this process (NUMBA_OPT=0 gives "noopt").
FORM = "noopt" if os.environ.get("NUMBA_OPT") == "0" else "opt"


@pytest.mark.parametrize("acase", CASES, ids=[c[0] for c in CASES])
def test_arrays_case(acase):
    _cid, func, args = acase
    name = func.py_func.__name__
    _skip_unless_numba_compiles(func, args)
    # Kernels that can raise a Numba "dynamic exception" (`sum(axis=k)`'s
    # axis check, slice assignment's shape check inside np.diff) build too.
    native, wasm = numba_wasm.verify(func, *args, form=FORM)
    assert type(native) is type(wasm), name


def _skip_unless_numba_compiles(func, args):
    """Older Numbas lack some of these (0.60 has no kind="stable" nor
    `arr.sort(kind=...)`): there is no native result to compare with."""
    try:
        func.compile(tuple(numba.typeof(a) for a in args))
    except Exception as e:  # noqa: BLE001 - TypingError, or 0.60's internal errors
        last = (str(e).strip().splitlines() or [""])[-1][:200]
        pytest.skip(f"Numba {numba.__version__} cannot compile it: {type(e).__name__}: {last}")


def test_corpus_covers_every_kernel():
    used = {id(func) for _cid, func, _args in CASES}
    missing = [k.py_func.__name__ for k in arrays.KERNELS if id(k) not in used]
    assert not missing, f"kernels without a case: {missing}"
    assert len(CASES) >= 30


def test_reshape_is_a_view():
    # The no-copy path (numba_attempt_nocopy_reshape) must give a view with
    # NumPy's strides; writing through it shows in the caller's array.
    a = np.arange(12.0)
    res = numba_wasm.verify(arrays.arr_reshape, a, 3, 4, form=FORM)
    assert res.wasm.shape == (3, 4) and res.wasm.strides == (32, 8)
    assert np.array_equal(res.wasm, np.arange(12.0).reshape(3, 4))


def test_raising_cases_raise_alike():
    # Cases where Numba raises must raise the same class and message in wasm.
    by_id = {c[0]: c for c in CASES}
    for cid, exc in [("reshape_bad", ValueError),
                     ("reshape_2d_f", NotImplementedError),
                     ("bincount_negative", ValueError),
                     ("percentile_out_of_range", ValueError)]:
        _cid, func, args = by_id[cid]
        res = numba_wasm.verify(func, *args, form=FORM)
        assert isinstance(res.native, exc) and isinstance(res.wasm, exc), cid
        assert str(res.native) == str(res.wasm)
