"""BLAS corpus (fixtures/corpus/blas.py): np.dot, `@`, np.vdot, np.outer,
np.linalg.norm natively (SciPy's OpenBLAS) and in wasm (shims/src/blas.rs).

Exact cases (integer-valued inputs) must agree bit for bit. Random-valued
products may differ in the last bits, because OpenBLAS sums in another
order (and with fused multiply-adds): both sides then obey the classical
bound |computed - exact| <= gamma_k * (|a| @ |b|), gamma_k ~ k * eps, so
|wasm - native| <= 2 * k * eps * (|a| @ |b|) elementwise (complex: per part,
with the magnitude of the complex products), which is asserted here.
Numba's BLAS needs SciPy (requirements.txt).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numba_wasm
import numpy as np
import pytest
import scipy  # noqa: F401 - Numba's np.dot needs it; fail loudly without

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures" / "corpus"))
import blas  # noqa: E402

CASES = blas.cases()
APPROX = blas.approx_cases()


@pytest.mark.parametrize("kcase", CASES, ids=[c[0] for c in CASES])
def test_exact_case(kcase):
    cid, func, args = kcase
    native, wasm = numba_wasm.verify(func, *args)
    if cid.startswith("err_"):
        assert isinstance(native, ValueError) and isinstance(wasm, ValueError)
        assert str(native) == str(wasm)
        assert "incompatible" in str(wasm)
    else:
        assert type(native) is type(wasm)


def _eps(dtype) -> float:
    return float(np.finfo(np.dtype(dtype)).eps)


@pytest.mark.parametrize("acase", APPROX, ids=[c[0] for c in APPROX])
def test_approx_case(acase):
    _cid, func, args, k, mag = acase
    dtype = args[0].dtype
    bound = 2.0 * max(k, 1) * _eps(dtype) * np.asarray(mag)
    # verify() checks everything but the last bits (dtype, shape, arguments
    # unchanged); the bound is then checked here, elementwise.
    rtol = 1e-2 if np.finfo(dtype).bits == 32 else 1e-9
    native, wasm = numba_wasm.verify(func, *args, rtol=rtol)
    n, w = np.asarray(native), np.asarray(wasm)
    assert n.shape == w.shape == np.shape(mag)
    for part in (np.real, np.imag):
        err = np.abs(part(w).astype(np.float64) - part(n).astype(np.float64))
        assert np.all(err <= bound), (
            f"max error {err.max()!r} > bound {bound[np.argmax(err - bound)]!r}")


def _wasm_call(func, *args):
    """The wasm build of `func` for these arguments, called directly."""
    with tempfile.TemporaryDirectory() as tmp:
        out = numba_wasm.build({func: [tuple(args)]}, tmp)
        mod = numba_wasm.load(out.wasm.read_bytes())
        return getattr(mod, func.__name__)(*args)


@pytest.mark.parametrize("dtype", blas.DTYPES)
def test_norm_negative_stride(dtype):
    # Native Numba passes the first element's address with a negative incx,
    # and OpenBLAS (Fortran convention: the lowest address) then reads
    # outside the array; the shim reads the array's elements, as NumPy.
    x = blas.ints(9, dtype, 31)
    got = _wasm_call(blas.blas_norm, x[::-2])
    real = np.finfo(dtype).dtype
    assert got == np.linalg.norm(x[::-2]).astype(real)
    assert got == blas.blas_norm(np.ascontiguousarray(x[::-2]))


def test_norm_random_matches_native():
    # nrm2 is (nearly) correctly rounded on both sides: equal bit for bit.
    rng = np.random.default_rng(5)
    for dtype in blas.DTYPES:
        for n in (1, 2, 7, 100, 1000):
            x = blas.rand(n, dtype, int(rng.integers(1 << 30))) * 10.0 ** rng.integers(-5, 5)
            numba_wasm.verify(blas.blas_norm, x.astype(dtype))
