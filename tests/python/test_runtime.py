"""numba_wasm.runtime against Numba's recorded results (fixtures/numba-<V>/cases.json)."""
from __future__ import annotations

import base64
import builtins
import functools
import io
import os
import pickle
import struct
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numba_wasm import runtime
from numba_wasm.runtime import RestrictedUnpickler, WasmModule, decode_exception, load

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures"))
from kernels import xorshift_array  # noqa: E402

FORMS = ["opt", "noopt"]


@pytest.fixture(scope="module")
def modules(corpus_builds: dict[str, Path]) -> dict[str, WasmModule]:
    return {form: load(path) for form, path in corpus_builds.items()}


@pytest.fixture
def mod(modules: dict[str, WasmModule]) -> WasmModule:
    return modules["opt"]


# ---------------------------------------------------------------- case values

_FLOAT_FMT = {"float32": ">f", "float64": ">d"}


def _float(dtype: str, bits: str) -> float:
    return struct.unpack(_FLOAT_FMT[dtype], bytes.fromhex(bits))[0]


@functools.cache
def _gen(dtype: str, n: int, seed: int, lo: int, hi: int) -> np.ndarray:
    return xorshift_array(n, seed, lo, hi, dtype)


def decode(v: dict) -> Any:
    """A case value as the Python/NumPy value Numba was called with (a fresh copy)."""
    t = v["t"]
    if t == "int":  # int64 as a Python int (Numba's typeof), other dtypes as NumPy scalars
        return int(v["v"]) if v["dtype"] == "int64" else np.dtype(v["dtype"]).type(int(v["v"]))
    if t == "float":
        x = _float(v["dtype"], v["bits"])
        return x if v["dtype"] == "float64" else np.float32(x)
    if t == "bool":
        return bool(v["v"])
    if t == "complex":
        part = "float32" if v["dtype"] == "complex64" else "float64"
        z = complex(_float(part, v["re"]), _float(part, v["im"]))
        return z if v["dtype"] == "complex128" else np.complex64(z)
    if t == "array":  # the recorded layout, over a writable copy of the buffer
        buf = bytearray(base64.b64decode(v["buffer_b64"]))
        return np.ndarray(v["shape"], np.dtype(v["dtype"]), buf, v["offset"], v["strides"])
    if t == "gen":
        return _gen(v["dtype"], v["n"], v["seed"], v["lo"], v["hi"]).copy()
    if t == "tuple":
        return tuple(decode(x) for x in v["items"])
    if t == "none":
        return None
    raise ValueError(f"unknown case value {t}")


def assert_same(got: Any, want: dict, what: str) -> None:
    """got equals the recorded value exactly: Python type, bits, dtype and shape."""
    t = want["t"]
    if t == "int":
        assert type(got) is int and got == int(want["v"]), f"{what}: {got!r} != {want['v']}"
    elif t == "bool":
        assert type(got) is bool and got == want["v"], f"{what}: {got!r} != {want['v']}"
    elif t == "float":
        assert type(got) is float, f"{what}: {got!r} is not a float"
        assert struct.pack(_FLOAT_FMT[want["dtype"]], got).hex() == want["bits"], f"{what}: {got!r}"
    elif t == "complex":
        assert type(got) is complex, f"{what}: {got!r} is not a complex"
        fmt = ">f" if want["dtype"] == "complex64" else ">d"
        assert (struct.pack(fmt, got.real).hex(), struct.pack(fmt, got.imag).hex()) == \
            (want["re"], want["im"]), f"{what}: {got!r}"
    elif t == "array":
        assert isinstance(got, np.ndarray), f"{what}: {got!r} is not an array"
        assert got.dtype == np.dtype(want["dtype"]) and list(got.shape) == want["shape"], \
            f"{what}: {got.dtype}{got.shape} != {want['dtype']}{want['shape']}"
        assert np.ascontiguousarray(got).tobytes() == base64.b64decode(want["buffer_b64"]), f"{what}: {got!r}"
    elif t == "tuple":
        assert type(got) is tuple and len(got) == len(want["items"]), f"{what}: {got!r}"
        for i, (g, w) in enumerate(zip(got, want["items"])):
            assert_same(g, w, f"{what}[{i}]")
    elif t == "none":
        assert got is None, f"{what}: {got!r} is not None"
    else:
        raise ValueError(f"unknown case value {t}")


# ---------------------------------------------------------------- the corpus

@pytest.mark.parametrize("form", FORMS)
def test_case(modules: dict[str, WasmModule], form: str, case: dict) -> None:
    mod = modules[form]
    args = [decode(a) for a in case["args"]]
    before = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
    live = mod.stats()["live_allocations"]
    fn = mod.functions[case["func"]]
    if "raises" in case:
        with pytest.raises(BaseException) as info:
            fn(*args)
        assert type(info.value).__name__ == case["raises"]["type"]
        assert type(info.value) is getattr(builtins, case["raises"]["type"])
        assert str(info.value) == case["raises"]["message"]
    else:
        assert_same(fn(*args), case["result"], "result")
        for i, (arg, after) in enumerate(zip(args, case["args_after"])):
            if after is not None:
                assert_same(arg, after, f"argument {i + 1} after the call")
            elif before[i] is not None:
                assert np.array_equal(arg, before[i], equal_nan=True), f"argument {i + 1} changed"
    assert mod.stats()["live_allocations"] == live, "the call leaked wasm memory"


def test_exceptions_map_to_python_classes(mod: WasmModule, cases: list[dict]) -> None:
    raising = [c for c in cases if "raises" in c]
    assert raising, "the corpus has no exception cases"
    for c in raising:
        cls = getattr(builtins, c["raises"]["type"])
        with pytest.raises(cls) as info:
            mod.functions[c["func"]](*[decode(a) for a in c["args"]])
        assert type(info.value) is cls and info.value.args == (c["raises"]["message"],)


# ---------------------------------------------------------------- API

def test_metadata_and_functions(mod: WasmModule, cases: list[dict]) -> None:
    # The CLI writes the format this runtime reads (src/metadata.rs FORMAT).
    assert mod.metadata["format"] == runtime.FORMAT
    assert {c["func"] for c in cases} <= set(mod.functions)
    assert mod.sum1d is mod.functions["sum1d"]
    assert len(mod.functions["weighted_sum2d"].signatures) == 3
    with pytest.raises(AttributeError):
        mod.no_such_kernel


def test_other_metadata_format_is_refused(corpus_builds: dict[str, Path]) -> None:
    wasm = corpus_builds["opt"].read_bytes()
    this = f'"format":{runtime.FORMAT}'.encode()
    assert wasm.count(this) == 1
    other = wasm.replace(this, b'"format":9')
    with pytest.raises(runtime.MetadataError, match=f"format 9, this numba_wasm runtime reads format {runtime.FORMAT}"):
        load(other)


def test_load_from_bytes(corpus_builds: dict[str, Path]) -> None:
    mod = load(corpus_builds["opt"].read_bytes())
    assert mod.add_i32(np.int32(2), np.int32(3)) == 5


@pytest.mark.parametrize("bad, why", [
    ((np.arange(4, dtype=np.int64),), "dtype"),             # wrong dtype
    ((np.zeros((2, 2)),), "1-d"),                          # wrong ndim
    (([1.0, 2.0],), "expected an array"),                  # not an array
    ((np.zeros(3), np.zeros(3)), "arguments"),             # wrong count
    ((np.zeros(3).astype(">f8"),), "dtype"),               # non-native byte order
])
def test_type_errors_before_any_wasm_runs(mod: WasmModule, bad: tuple, why: str) -> None:
    before = mod.stats()
    with pytest.raises(TypeError, match="No matching definition") as info:
        mod.sum1d(*bad)
    assert why in str(info.value)
    assert "float64(array(float64, 1d, A))" in str(info.value)
    assert mod.stats() == before


def test_readonly_array_needs_readonly_signature(mod: WasmModule) -> None:
    a = np.arange(4.0)
    a.flags.writeable = False
    with pytest.raises(TypeError, match="readonly"):
        mod.sum1d(a)


def test_overload_resolution(mod: WasmModule) -> None:
    m = np.arange(12.0).reshape(3, 4)
    pick = mod.functions["weighted_sum2d"].resolve
    assert pick((m,))["signature"].endswith("2d, C))")
    assert pick((np.asfortranarray(m),))["signature"].endswith("2d, F))")
    assert pick((m[:, ::2],))["signature"].endswith("2d, A))")
    # Python int is int64; it reaches narrower integer overloads only if it fits.
    assert mod.functions["scalar_mix"].resolve((1, 2))["signature"] == "int64(int64, int64)"
    assert mod.add_i32(2, 3) == 5
    with pytest.raises(TypeError):
        mod.add_i32(2**40, 1)
    assert mod.scalar_mix(np.int8(100), np.int8(0)) == 44
    with pytest.raises(TypeError):  # no implicit bool -> int or float -> int
        mod.add_i32(True, 1.0)


def test_strided_negative_and_aliased_arrays(mod: WasmModule) -> None:
    x = np.arange(30.0) * 0.25
    for view in (x[::-1], x[::-3], x[5:20]):
        assert mod.sum1d(view) == sum(view.tolist())
    y = np.arange(5.0)
    mod.axpy(2.0, y, y)  # x and y alias: one shared copy, as in NumPy
    assert y.tolist() == [0.0, 3.0, 6.0, 9.0, 12.0]
    z = np.arange(10.0)
    mod.axpy(1.0, z[0:5], z[1:6])  # overlapping views: the loop sees its own writes
    want = list(range(10))
    for i in range(5):
        want[i + 1] += want[i]
    assert z.tolist() == want


def test_no_leak_over_1000_calls(mod: WasmModule) -> None:
    expected = np.arange(1000) * 0.5
    assert np.array_equal(mod.arange_half(1000), expected)
    first = mod.stats()
    for _ in range(1000):
        mod.arange_half(1000)
    after = mod.stats()
    assert after["live_allocations"] == first["live_allocations"]
    assert after["live_bytes"] == first["live_bytes"]
    assert after["memory_bytes"] == first["memory_bytes"]
    assert after["total_allocations"] - first["total_allocations"] == \
        after["total_frees"] - first["total_frees"]


def test_exception_calls_do_not_leak(mod: WasmModule) -> None:
    mod.floor_div(1, 1)
    live = mod.stats()["live_allocations"]
    for _ in range(50):
        with pytest.raises(ZeroDivisionError):
            mod.floor_div(7, 0)
        with pytest.raises(ValueError):
            mod.zeros2d(-1, 4)
    assert mod.stats()["live_allocations"] == live


# ---------------------------------------------------------------- restricted unpickler

class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_restricted_unpickler_refuses_os_system() -> None:
    for payload in (pickle.dumps(os.system), pickle.dumps(_Evil()),
                    pickle.dumps((ValueError, ("x",), _Evil())), pickle.dumps(builtins.eval)):
        with pytest.raises(pickle.UnpicklingError, match="refusing"):
            RestrictedUnpickler(io.BytesIO(payload)).load()
        assert decode_exception(payload) is None


def test_decode_exception() -> None:
    e = decode_exception(pickle.dumps((ZeroDivisionError, ("integer division by zero",), None)))
    assert type(e) is ZeroDivisionError and e.args == ("integer division by zero",)
    assert decode_exception(b"garbage") is None
    assert decode_exception(pickle.dumps((dict, (), None))) is None


# ---------------------------------------------------------------- host edge cases

_SYNTHETIC_WAT = """
(module
  (import "env" "host_thing" (func $host (result i32)))
  (memory (export "memory") 1)
  (global $top (mut i32) (i32.const 1024))
  (global $live (mut i64) (i64.const 0))
  (func (export "nw_alloc") (param $size i32) (param $align i32) (result i32)
    (local $p i32)
    (local.set $p (i32.and (i32.add (global.get $top) (i32.sub (local.get $align) (i32.const 1)))
                           (i32.sub (i32.const 0) (local.get $align))))
    (global.set $top (i32.add (local.get $p) (local.get $size)))
    (global.set $live (i64.add (global.get $live) (i64.const 1)))
    (local.get $p))
  (func (export "nw_free") (param i32)
    (global.set $live (i64.sub (global.get $live) (i64.const 1))))
  (func (export "nw_stats") (param $out i32)
    (i64.store (local.get $out) (global.get $live)))
  (func (export "NRT_decref") (param i32))
  (func (export "nw_entry_0") (param i32 i32 i32) (result i32) (call $host))
  (func (export "nw_entry_1") (param i32 i32 i32) (result i32) (i32.const -3))
  (func (export "nw_entry_2") (param i32 i32 i32) (result i32) (i32.const -1))
  (func (export "nw_entry_3") (param i32 i32 i32) (result i32)
    ;; excinfo at 64 -> {pickle_buf = 128, bufsz = 3}: not a pickle
    (i32.store (i32.const 64) (i32.const 128))
    (i32.store (i32.const 72) (i32.const 3))
    (i32.store (local.get 2) (i32.const 64))
    (i32.const 1))
)
"""


def _leb(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _synthetic_module(abi_from: Path) -> WasmModule:
    """A hand-written module; its ABI table is the one the CLI wrote into `abi_from`."""
    import json

    import wasmtime
    names = ["calls_import", "stops", "fails", "garbled"]
    built = runtime.read_metadata(abi_from.read_bytes())
    abi = built["abi"]
    meta = {"format": runtime.FORMAT, "abi": abi, "exports": [
        {"name": n, "qualname": n, "symbol": n, "wasm_export": f"nw_entry_{i}", "signature": "none()",
         "args": [], "ret": {"kind": "none"}, "params": [], "ret_size": 8, "ret_leaves": []}
        for i, n in enumerate(names)],
        # the CLI's block: room for more slots and a larger result than these need
        "call_block": built["call_block"], "runtime_pickles": True}
    body = _leb(len("numba_wasm")) + b"numba_wasm" + json.dumps(meta).encode()
    return load(bytes(wasmtime.wat2wasm(_SYNTHETIC_WAT)) + b"\0" + _leb(len(body)) + body)


def test_imports_statuses_and_undecodable_exceptions(corpus_builds: dict[str, Path]) -> None:
    mod = _synthetic_module(corpus_builds["opt"])
    live = mod.stats()["live_allocations"]
    with pytest.raises(RuntimeError, match="missing import env.host_thing"):
        mod.calls_import()
    with pytest.raises(StopIteration):
        mod.stops()
    with pytest.raises(RuntimeError, match=r"^fails raised an exception \(status -1\)$"):
        mod.fails()
    with pytest.raises(RuntimeError, match=r"^garbled raised an exception \(status 1\)$"):
        mod.garbled()
    assert mod.stats()["live_allocations"] == live


class _ShiftyArray(np.ndarray):
    """An ndarray whose Python-level shape and strides answer differently
    every time they are read: the runtime must use NumPy's own geometry."""

    reads = 0

    @property  # type: ignore[override]
    def shape(self) -> tuple[int, ...]:
        _ShiftyArray.reads += 1
        return (1,) if _ShiftyArray.reads % 2 else (1 << 20,)

    @property  # type: ignore[override]
    def strides(self) -> tuple[int, ...]:
        return (1 << 20,)


def test_arguments_are_read_once_from_numpy_not_python(mod: WasmModule) -> None:
    x = np.arange(4.0).view(_ShiftyArray)
    live = mod.stats()["live_allocations"]
    assert mod.sum1d(x) == 6.0
    y = np.zeros(4).view(_ShiftyArray)
    assert mod.axpy(2.0, np.arange(4.0), y) is None
    assert np.array_equal(np.asarray(y).view(np.ndarray), [0.0, 2.0, 4.0, 6.0])
    assert mod.stats()["live_allocations"] == live
