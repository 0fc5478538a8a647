"""numba_wasm.build: the target forms, errors, and loading the result."""
from __future__ import annotations

import numba_wasm
import numpy as np
import pytest
from numba_wasm import BuildError, NumbaWasmError, _ir
from numba_wasm.build import run_binary

from numba import jit, njit, types

_GETPID = types.ExternalFunction("getpid", types.int32())


@njit("float64(float64[::1])")
def total(x):
    return x.sum()


@njit
def scaled(a, s):
    return a * s


@njit
def count_pos(a):
    n = 0
    for v in a:
        if v > 0:
            n += 1
    return n


def test_explicit_signature(tmp_path):
    out = numba_wasm.build(total, tmp_path, name="k")
    assert out.wasm == tmp_path / "k.wasm" and out.wasm.is_file()
    assert out.js.is_file() and out.dts.is_file()
    assert out.functions == [("total", "float64(array(float64, 1d, C))")]
    x = np.arange(10.0)
    assert numba_wasm.load(out.wasm).total(x) == total(x) == 45.0


@pytest.mark.parametrize("simd", ["none", "relaxed"])
def test_simd_level(tmp_path, simd):
    # The level reaches the binary; the metadata records the instructions
    # the module holds. The kernel (no fastmath) has nothing to fuse, so a
    # relaxed build holds simd128 instructions only, and gives native's
    # bits at every level.
    x = np.linspace(-3.0, 5.0, 101)
    out = numba_wasm.build(total, tmp_path, name="k", simd=simd)
    held = {"none": "none", "relaxed": "simd128"}[simd]
    section = out.wasm.read_bytes()
    assert (b'"simd":' not in section) if held == "simd128" else f'"simd":"{held}"'.encode() in section
    js = out.js.read_text()
    assert (f'const SIMD = "{held}";' in js) if held != "none" else "const SIMD" not in js
    assert numba_wasm.load(out.wasm).total(x) == total(x)


def test_simd_level_is_checked(tmp_path):
    with pytest.raises(ValueError, match="simd must be one of"):
        numba_wasm.build(total, tmp_path, simd="avx2")  # type: ignore[arg-type]


def test_compiled_by_a_call(tmp_path):
    @njit
    def mean_sq(a):
        return (a * a).mean()

    x = np.linspace(-1, 1, 7)
    native = mean_sq(x)
    out = numba_wasm.build([mean_sq], tmp_path)
    assert out.wasm.name == "kernels.wasm"
    assert numba_wasm.load(out.wasm).mean_sq(x) == native


def test_lazy_with_example_args_is_compiled_not_run(tmp_path):
    @njit
    def add_n(a, n):
        return a + n

    assert not add_n.overloads
    args = (np.arange(4, dtype=np.int32), 3)
    out = numba_wasm.build({add_n: [args]}, tmp_path)
    assert len(add_n.overloads) == 1
    assert out.functions == [("add_n", "array(int64, 1d, C)(array(int32, 1d, C), int64)")]
    got = numba_wasm.load(out.wasm).add_n(*args)
    np.testing.assert_array_equal(got, add_n(*args))
    assert got.dtype == add_n(*args).dtype


def test_two_functions_and_mixed_forms(tmp_path):
    x = np.array([1.0, -2.0, 3.0])
    out = numba_wasm.build({total: None,
                            scaled: [(x, 2.0), "float32[::1](float32[::1], float32)"],
                            count_pos: (x,)}, tmp_path, name="two")
    names = [n for n, _ in out.functions]
    assert names == ["total", "scaled", "scaled", "count_pos"]
    mod = numba_wasm.load(out.wasm)
    assert mod.total(x) == total(x)
    np.testing.assert_array_equal(mod.scaled(x, 2.0), scaled(x, 2.0))
    x32 = x.astype(np.float32)
    got = mod.scaled(x32, np.float32(0.5))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, scaled(x32, np.float32(0.5)))
    assert mod.count_pos(x) == 2


def test_unsupported_function(tmp_path):
    @njit
    def rnd(n):
        # A host libc function: the wasm runtime does not provide it.
        return n + _GETPID()

    with pytest.raises(BuildError) as ei:
        numba_wasm.build({rnd: [(3,)]}, tmp_path)
    err = ei.value
    assert isinstance(err, NumbaWasmError)
    assert "rnd" in str(err) and "getpid" in str(err)
    assert not str(err).startswith("numba-wasm: error:")
    assert err.functions == [rnd.py_func.__qualname__]
    assert "numba-wasm: error:" in err.stderr
    # The binary's diagnostics, as data: function and symbol at fault.
    assert err.diagnostics and all(d["function"] == _ir.full_name(rnd) for d in err.diagnostics)
    [random] = [d for d in err.diagnostics if d["symbol"] == "getpid"]
    assert random["level"] == "error" and random["input"] is None
    assert random["message"] in str(err).splitlines()
    assert str(err) == "\n".join(d["message"] for d in err.diagnostics)


def test_input_error_diagnostic(tmp_path):
    with pytest.raises(BuildError) as ei:
        run_binary("not LLVM IR\n", tmp_path, "k")
    [d] = ei.value.diagnostics
    assert d["input"] == "<stdin>" and d["function"] is None and d["symbol"] is None
    assert str(ei.value) == d["message"] and "holds no LLVM IR" in d["message"]
    assert ei.value.functions == []


def test_no_overloads_no_args(tmp_path):
    @njit
    def lazy(a):
        return a

    with pytest.raises(BuildError, match="signature or example arguments") as ei:
        numba_wasm.build(lazy, tmp_path)
    assert ei.value.functions == [lazy.py_func.__qualname__]


def test_object_mode(tmp_path):
    @jit(forceobj=True)
    def objmode(x):
        return x + 1

    objmode(1)
    with pytest.raises(BuildError, match="object mode"):
        numba_wasm.build(objmode, tmp_path)


def test_explicit_signature_without_that_overload(tmp_path):
    with pytest.raises(BuildError, match="explicit signatures"):
        numba_wasm.build({total: ["float32(float32[::1])"]}, tmp_path)


def test_not_a_dispatcher(tmp_path):
    with pytest.raises(TypeError, match="dispatcher"):
        numba_wasm.build([np.sum], tmp_path)


def test_wrong_dtype_in_built_module(tmp_path):
    mod = numba_wasm.load(numba_wasm.build(total, tmp_path).wasm)
    with pytest.raises(TypeError):
        mod.total(np.arange(10, dtype=np.int32))
    with pytest.raises(TypeError):
        mod.total("not an array")


def test_find_binary_env_override(monkeypatch, tmp_path):
    from numba_wasm import _binary

    monkeypatch.setattr(_binary, "_installed_candidates", list)
    monkeypatch.setenv("NUMBA_WASM_BIN", str(tmp_path / "missing"))
    with pytest.raises(NumbaWasmError, match="NUMBA_WASM_BIN"):
        _binary.find_binary()
    monkeypatch.delenv("NUMBA_WASM_BIN")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(_binary, "_checkout_candidate", lambda: tmp_path / "target" / "numba-wasm")
    with pytest.raises(NumbaWasmError, match="pip install") as ei:
        _binary.find_binary()
    # The message lists every place searched, in order.
    assert "$NUMBA_WASM_BIN (not set)" in str(ei.value)
    assert str(tmp_path / "target" / "numba-wasm") in str(ei.value)
    assert "numba-wasm on PATH" in str(ei.value)


@njit
def grid_2d(a, out):
    """In place; `_2d` is also Numba's escape of `-`."""
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] * (i - j)


@njit
def λ_sum_3d(a):
    return a.sum()


@njit
def f_c3_a9(x):
    """Mangles exactly like a function named `fé`."""
    return x * 2


def test_names_numba_mangles_ambiguously(tmp_path):
    a = np.arange(12.0).reshape(3, 4)
    t = np.arange(24.0).reshape(2, 3, 4)
    out = numba_wasm.build({grid_2d: [(a, np.zeros_like(a))], λ_sum_3d: [(t,)],
                            f_c3_a9: [(3,)]}, tmp_path)
    assert [n for n, _ in out.functions] == ["grid_2d", "λ_sum_3d", "f_c3_a9"]
    mod = numba_wasm.load(out.wasm)
    native, wasm = np.zeros_like(a), np.zeros_like(a)
    assert grid_2d(a, native) is None and mod.grid_2d(a, wasm) is None
    assert np.array_equal(native, wasm)
    assert mod.λ_sum_3d(t) == λ_sum_3d(t)
    assert mod.f_c3_a9(21) == f_c3_a9(21) == 42
    assert not hasattr(mod, "fé")


def test_error_names_a_function_with_an_ambiguous_name(tmp_path):
    @njit
    def noise_2d(n):
        return n + _GETPID()

    with pytest.raises(BuildError) as ei:
        numba_wasm.build({noise_2d: [(2,)]}, tmp_path)
    assert "noise_2d" in str(ei.value) and "noise-" not in str(ei.value)
    assert ei.value.functions == [noise_2d.py_func.__qualname__]


def test_untested_numba_is_a_warning_not_an_error(monkeypatch, tmp_path):
    import importlib

    from numba_wasm import UntestedNumbaWarning

    import numba
    bmod = importlib.import_module("numba_wasm.build")  # the module, not the function

    tested = bmod.tested_numba_versions(str(bmod.find_binary()))
    assert numba.__version__ in tested, "the suite runs with a listed Numba"
    monkeypatch.setattr(numba, "__version__", "0.99.0")
    with pytest.warns(UntestedNumbaWarning, match=r"0\.99\.0 is not among them"):
        out = numba_wasm.build(total, tmp_path)
    assert out.wasm.is_file()
