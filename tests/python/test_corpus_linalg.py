"""LAPACK corpus (fixtures/corpus/linalg.py): np.linalg natively (SciPy's
OpenBLAS LAPACK) and in wasm (shims/src/lapack.rs), case by case.

Both sides are backward stable but use different algorithms (blocked LU,
divide and conquer vs Jacobi, ...), so results agree to rounding, within
bounds from the standard perturbation theory, with n = the largest
dimension, eps = the dtype's machine epsilon and C = 32 (the constants of
the textbook bounds, for both sides, with room):
- solutions, inverses, pseudo-inverses, Cholesky factors, Q and R, cond,
  norms ("close"): |wasm - native| <= C n eps kappa * max|native|, kappa
  the 2-norm condition number of A (squared for least squares, pinv and
  negative powers: their sensitivity has a kappa^2 term); det by the
  Hadamard bound |err| <= C n eps prod|a_j| (it also covers singular A);
- Hermitian eigenvalues and singular values (Weyl): C n eps |A|_2;
- general eigenvalues (Bauer-Fike), as sets: C n eps |A|_2 kappa(V);
- eigenvectors and singular vectors are unique only up to sign/phase (and
  `eig`'s order), so the wasm ones are checked by their defining properties:
  orthonormal (Q, eigh's V, U, V^H), A V = V diag(w), U S V^H = A, within
  C n eps |A|_2;
- integers (ranks) exactly; exceptions: same class and message.
All cases are built into one module, once.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import numba_wasm
import numpy as np
import pytest
import scipy  # noqa: F401 - Numba's np.linalg needs it; fail loudly without
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures" / "corpus"))
import linalg  # noqa: E402

CASES = linalg.cases()
C = 32.0
FORM = "noopt" if os.environ.get("NUMBA_OPT") == "0" else "opt"


@pytest.fixture(scope="module")
def wasm_module():
    """Every case's overload in one build (one CLI run, not one per case)."""
    targets: dict = {}
    for _cid, func, args in CASES:
        targets.setdefault(func, []).append(tuple(args))
    with tempfile.TemporaryDirectory() as tmp:
        out = numba_wasm.build(targets, tmp)
        return numba_wasm.load(out.wasm.read_bytes())


def _call(fn, args):
    try:
        return fn(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args]), None
    except Exception as e:  # noqa: BLE001 - the kernel's own exception
        return None, e


def _eps(dtype) -> float:
    return float(np.finfo(np.dtype(dtype)).eps)


def _wide(a: np.ndarray) -> np.ndarray:
    return a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)


def _svals(a: np.ndarray) -> np.ndarray:
    return np.linalg.svd(_wide(a), compute_uv=False) if a.size else np.zeros(0)


def _kappa(a: np.ndarray) -> float:
    """Effective 2-norm condition number (singular values below 1e-4 s_max,
    i.e. exact rank deficiency, left out)."""
    s = _svals(a)
    if s.size == 0 or s[0] == 0:
        return 1.0
    s = s[s > 1e-4 * s[0]]
    return float(s[0] / s[-1])


def _norm2(a: np.ndarray) -> float:
    s = _svals(a)
    return float(s[0]) if s.size else 0.0


def _items(x):
    return list(x) if isinstance(x, tuple) else [x]


def _assert_close(native, wasm, tol, what):
    n, w = np.asarray(native), np.asarray(wasm)
    assert n.dtype == w.dtype and n.shape == w.shape, (what, n.dtype, w.dtype, n.shape, w.shape)
    if n.size == 0:
        return
    err = float(np.max(np.abs(_wide(w) - _wide(n))))
    assert err <= tol, f"{what}: max error {err!r} > {tol!r}"


def _assert_orthonormal(q, tol, what):
    q = _wide(np.asarray(q))
    err = float(np.max(np.abs(np.conj(q.T) @ q - np.eye(q.shape[1])), initial=0.0))
    assert err <= tol, f"{what}: not orthonormal ({err!r} > {tol!r})"


def check_close(cid, func, args, native, wasm):
    a = args[0]
    n = max(a.shape) if a.ndim else 1
    eps = _eps(a.dtype)
    kappa = _kappa(a)
    if func in (linalg.la_lstsq, linalg.la_lstsq_rcond, linalg.la_pinv, linalg.la_matrix_power):
        kappa = kappa ** 2
    tol = C * n * eps * kappa
    if func is linalg.la_det:
        hadamard = float(np.prod(np.linalg.norm(_wide(a), axis=0)))
        _assert_close(native, wasm, C * n * eps * hadamard, cid)
        return
    for i, (nv, wv) in enumerate(zip(_items(native), _items(wasm), strict=True)):
        if isinstance(nv, (int, np.integer)):
            assert nv == wv, (cid, i, nv, wv)
            continue
        scale = max(float(np.max(np.abs(nv), initial=0.0)), 1.0 if func is linalg.la_slogdet else 0.0)
        _assert_close(nv, wv, tol * scale, f"{cid}[{i}]")


def check_exact(cid, func, args, native, wasm):
    assert type(native) is type(wasm) and native == wasm, (cid, native, wasm)


def check_small(cid, func, args, native, wasm):
    a, b = _wide(args[0]), _wide(args[1])
    x = np.linalg.solve(a, b)
    bound = C * a.shape[0] * _eps(args[0].dtype) * (_norm2(a) * np.abs(x).max() + np.abs(b).max())
    assert type(native) is type(wasm)
    assert wasm <= bound and native <= bound, (cid, native, wasm, bound)


def check_qr(cid, func, args, native, wasm):
    a = args[0]
    q, r = wasm
    tol = C * max(a.shape) * _eps(a.dtype)
    assert np.array_equal(np.triu(r), r), f"{cid}: R not upper triangular"
    _assert_orthonormal(q, tol, cid)
    _assert_close(_wide(a), _wide(q) @ _wide(r), tol * _norm2(a), f"{cid}: QR != A")
    # Same reflector convention as LAPACK (larfg): Q and R match native.
    check_close(cid, func, args, native, wasm)


def check_eigh(cid, func, args, native, wasm):
    a = args[0]
    w, v = wasm
    n = max(a.shape[0], 1)
    tol = C * n * _eps(a.dtype) * max(_norm2(a), 1e-30)
    _assert_close(native[0], w, tol, f"{cid}: eigenvalues")
    assert np.all(np.diff(w) >= 0), f"{cid}: eigenvalues not ascending"
    assert v.dtype == native[1].dtype and v.shape == native[1].shape
    _assert_orthonormal(v, C * n * _eps(a.dtype), cid)
    aw, vw = _wide(a), _wide(v)
    _assert_close(aw @ vw, vw * _wide(w), tol, f"{cid}: A V != V diag(w)")


def _match_sets(native_w, wasm_w, tol, what):
    n, w = _wide(np.asarray(native_w)), _wide(np.asarray(wasm_w))
    assert n.shape == w.shape
    cost = np.abs(n[:, None] - w[None, :])
    rows, cols = linear_sum_assignment(cost)
    err = float(cost[rows, cols].max(initial=0.0))
    assert err <= tol, f"{what}: eigenvalues differ by {err!r} > {tol!r}"


def _eig_tol(a, native):
    n = max(a.shape[0], 1)
    kv = 1.0
    if isinstance(native, tuple) and native[1].size:
        kv = float(np.linalg.cond(_wide(native[1])))
    else:
        kv = float(np.linalg.cond(np.linalg.eig(_wide(a))[1])) if a.size else 1.0
    return C * n * _eps(a.dtype) * max(_norm2(a), 1e-30) * kv


def check_eig(cid, func, args, native, wasm):
    a = args[0]
    w, v = wasm
    assert w.dtype == native[0].dtype and v.dtype == native[1].dtype and v.shape == native[1].shape
    _match_sets(native[0], w, _eig_tol(a, native), cid)
    n = max(a.shape[0], 1)
    tol = C * n * _eps(a.dtype)
    if v.size:
        norms = np.linalg.norm(_wide(v), axis=0)
        assert np.all(np.abs(norms - 1) <= tol), f"{cid}: eigenvectors not unit norm"
    _assert_close(_wide(a) @ _wide(v), _wide(v) * _wide(w), tol * max(_norm2(a), 1e-30), f"{cid}: A V != V diag(w)")


def check_eigvals(cid, func, args, native, wasm):
    a = args[0]
    assert np.asarray(wasm).dtype == np.asarray(native).dtype
    _match_sets(native, wasm, _eig_tol(a, native), cid)


def check_svd(cid, func, args, native, wasm):
    a = args[0]
    u, s, vh = wasm
    for nv, wv in zip(native, wasm, strict=True):
        assert nv.dtype == wv.dtype and nv.shape == wv.shape, cid
    k = s.shape[0]
    tol = C * max(a.shape) * _eps(a.dtype)
    _assert_close(native[1], s, tol * _norm2(a), f"{cid}: singular values")
    assert np.all(np.diff(s) <= 0), f"{cid}: singular values not decreasing"
    _assert_orthonormal(u, tol, f"{cid}: U")
    _assert_orthonormal(np.conj(vh.T), tol, f"{cid}: V")
    rec = (_wide(u[:, :k]) * s) @ _wide(vh[:k])
    _assert_close(_wide(a), rec, tol * _norm2(a), f"{cid}: U S V^H != A")


CHECKERS = {"close": check_close, "exact": check_exact, "small": check_small,
            "qr": check_qr, "eigh": check_eigh, "eig": check_eig,
            "eigvals": check_eigvals, "svd": check_svd}


@pytest.mark.parametrize("lcase", CASES, ids=[c[0] for c in CASES])
def test_linalg_case(lcase, wasm_module):
    cid, func, args = lcase
    native, native_exc = _call(func, args)
    wasm, wasm_exc = _call(getattr(wasm_module, func.py_func.__name__), args)
    if native_exc is not None or wasm_exc is not None:
        assert type(native_exc) is type(wasm_exc), (cid, native_exc, wasm_exc)
        assert str(native_exc) == str(wasm_exc)
        return
    CHECKERS[linalg.CHECKS[func]](cid, func, args, native, wasm)


def test_raising_cases_raise_alike(wasm_module):
    # The numerical failures come from the shim's `info`; Numba's own Python
    # code raises. Each must raise natively, and the same in wasm.
    expected = {
        "solve_singular_f64": "Matrix is singular to machine precision.",
        "inv_singular_c64": "Matrix is singular to machine precision.",
        "cholesky_not_pd_c128": "Matrix is not positive definite.",
        "cholesky_not_pd_f32": "Matrix is not positive definite.",
        "eig_domain_f64": "eig() argument must not cause a domain change.",
        "err_svd_empty": "Arrays cannot be empty",
    }
    by_id = {c[0]: c for c in CASES}
    for cid, msg in expected.items():
        _cid, func, args = by_id[cid]
        _n, native_exc = _call(func, args)
        _w, wasm_exc = _call(getattr(wasm_module, func.py_func.__name__), args)
        assert native_exc is not None and str(native_exc) == msg, (cid, native_exc)
        assert type(wasm_exc) is type(native_exc) and str(wasm_exc) == msg, (cid, wasm_exc)


def test_corpus_covers_every_kernel():
    used = {id(func) for _cid, func, _args in CASES}
    missing = [k.py_func.__name__ for k in linalg.KERNELS if id(k) not in used]
    assert not missing, f"kernels without a case: {missing}"
    assert set(linalg.CHECKS) == set(linalg.KERNELS)
    assert len(linalg.KERNELS) >= 20


def test_verify_solve():
    # The public helper agrees too, for a case that is exact in any order
    # (an integer-valued triangular system).
    a = np.triu(np.arange(1.0, 17.0).reshape(4, 4))
    b = np.arange(4.0)
    numba_wasm.verify(linalg.la_det, a, form=FORM)
    res = numba_wasm.verify(linalg.la_solve, a, b, rtol=1e-12, form=FORM)
    assert np.allclose(res.wasm, np.linalg.solve(a, b))
