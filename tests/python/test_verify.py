"""numba_wasm.verify: the fixture corpus native vs wasm, and that differences
are caught with a readable message."""
from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numba_wasm
import numpy as np
import pytest
from numba_wasm import VerificationError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures"))
import kernels  # noqa: E402

verify_mod = importlib.import_module("numba_wasm.verify")  # the module, not the function
CASES = kernels.cases()


@pytest.mark.parametrize("kcase", CASES, ids=[c[0] for c in CASES])
def test_corpus_case(kcase):
    _cid, func, args = kcase
    args = [a.materialize() if isinstance(a, kernels.Gen) else a for a in args]
    native, wasm = numba_wasm.verify(func, *args)
    assert type(native) is type(wasm)


def test_exception_in_both():
    res = numba_wasm.verify(kernels.zeros2d, -1, 4)
    assert isinstance(res.native, ValueError) and isinstance(res.wasm, ValueError)
    assert str(res.native) == str(res.wasm) == "negative dimensions not allowed"


def test_in_place_result_returned():
    x, y = np.linspace(0.0, 1.0, 11), np.arange(11.0)
    res = numba_wasm.verify(kernels.axpy, 2.5, x, y)
    assert res == (None, None)
    assert np.array_equal(y, np.arange(11.0)), "verify must work on copies"


class Tampered:
    """Stands in for the wasm module: calls the real one, then alters things."""

    def __init__(self, real, fname, change):
        self._fn, self._fname, self._change = getattr(real, fname), fname, change

    def __getattr__(self, name):
        assert name == self._fname
        return self._call

    def _call(self, *args):
        try:
            result = self._fn(*args)
        except Exception as e:  # the change sees the exception as the result
            result = e
        result = self._change(result, args)
        if isinstance(result, Exception):
            raise result
        return result


@pytest.fixture
def tamper(monkeypatch):
    def install(change):
        real = verify_mod._wasm_module
        monkeypatch.setattr(verify_mod, "_wasm_module",
                            lambda f, key: Tampered(real(f, key), f.py_func.__name__, change))
    return install


def test_one_ulp_off_scalar(tamper):
    tamper(lambda r, args: float(np.nextafter(r, np.inf)))
    x = np.arange(30.0) * 0.25
    with pytest.raises(VerificationError) as ei:
        numba_wasm.verify(kernels.sum1d, x)
    msg = str(ei.value)
    assert "sum1d" in msg and "result: native 108.75 (0x405b300000000000)" in msg
    assert "wasm 108.75000000000001" in msg
    assert isinstance(ei.value, AssertionError)
    # one ulp is accepted when asked for
    assert numba_wasm.verify(kernels.sum1d, x, ulps=1).native == 108.75


def test_float32_ulps_use_float32_precision(tamper):
    tamper(lambda r, args: float(np.nextafter(np.float32(r), np.float32(np.inf))))
    a, b = np.float32(1.1), np.float32(-2.25)
    with pytest.raises(VerificationError):
        numba_wasm.verify(kernels.scalar_mix, a, b)
    numba_wasm.verify(kernels.scalar_mix, a, b, ulps=1)


def test_one_element_off_array(tamper):
    def change(r, args):
        r = r.copy()
        r[1, 2] += 1.0
        return r
    tamper(change)
    with pytest.raises(VerificationError) as ei:
        numba_wasm.verify(kernels.zeros2d, 3, 4)
    msg = str(ei.value)
    assert "1 of 12 elements differ; first at index (1, 2): native 0.0" in msg
    assert "wasm 1.0" in msg


def test_integer_array_and_dtype(tamper):
    tamper(lambda r, args: r.astype(np.int64))
    with pytest.raises(VerificationError, match="dtype native int32, wasm int64"):
        numba_wasm.verify(kernels.array_twice, np.arange(4, dtype=np.int32))


def test_in_place_difference(tamper):
    def change(r, args):
        args[2][3] = -1.0
        return r
    tamper(change)
    with pytest.raises(VerificationError, match=r"argument 2 \(after the call\): 1 of 11 elements differ; first at index 3"):  # noqa: E501
        numba_wasm.verify(kernels.axpy, 2.5, np.linspace(0.0, 1.0, 11), np.arange(11.0))


def test_tuple_item_difference(tamper):
    tamper(lambda r, args: (r[0], r[1] + 1))
    g = np.sin(np.arange(35.0) * 1.7).reshape(5, 7)
    with pytest.raises(VerificationError, match=r"result\[1\]: native"):
        numba_wasm.verify(kernels.argmax2d, g)


def test_exception_difference(tamper):
    def change(r, args):
        raise ValueError("something else")
    tamper(change)
    with pytest.raises(VerificationError) as ei:
        numba_wasm.verify(kernels.zeros2d, -1, 4)
    assert "exceptions differ" in str(ei.value)
    assert "ValueError: negative dimensions not allowed" in str(ei.value)
    assert "ValueError: something else" in str(ei.value)


def test_missing_exception(tamper):
    tamper(lambda r, args: 3)
    with pytest.raises(VerificationError, match="native: ZeroDivisionError"):
        numba_wasm.verify(kernels.floor_div, np.int64(7), np.int64(0))


def test_nan_bits():
    from numba import njit

    @njit("float64(float64)")
    def nan_of(x):
        return x - x

    res = numba_wasm.verify(nan_of, np.inf)
    assert np.isnan(res.native) and np.isnan(res.wasm)


def test_rejects_non_dispatcher():
    with pytest.raises(TypeError):
        numba_wasm.verify(lambda x: x, 1)


def test_bad_argument_types():
    # an explicit-signature kernel with arguments no overload accepts
    with pytest.raises(TypeError, match="No matching definition"):
        numba_wasm.verify(kernels.add_i32, np.arange(3), 1)


def test_clone_keeps_strides():
    base = np.arange(48.0).reshape(6, 8)
    for a in (base, base[1:5:2, ::3], base[::-1], np.asfortranarray(base), base[:, ::-2]):
        c = verify_mod.clone(a)
        assert c.strides == a.strides and np.array_equal(c, a)
        assert not np.shares_memory(c, a)


def test_form_must_match_numba_opt():
    with pytest.raises(numba_wasm.NumbaWasmError, match="NUMBA_OPT=0"):
        numba_wasm.verify(kernels.add_i32, 1, 2, form="noopt")


def test_corpus_noopt_form(tmp_path):
    """The whole corpus again from NUMBA_OPT=0 IR (a fresh process)."""
    import os
    import subprocess

    code = (
        "import sys, numba_wasm, kernels\n"
        "for cid, f, args in kernels.cases():\n"
        "    numba_wasm.verify(f, *[a.materialize() if isinstance(a, kernels.Gen) else a\n"
        "                           for a in args], form='noopt')\n"
        "print('ok', len(kernels.cases()))\n")
    root = Path(__file__).resolve().parents[2]
    pkg_parent = str(Path(numba_wasm.__file__).resolve().parents[1])
    env = dict(os.environ, NUMBA_OPT="0",
               PYTHONPATH=os.pathsep.join([pkg_parent, str(root / "fixtures")]))
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("ok ")
