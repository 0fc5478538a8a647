"""The boundary corpus (fixtures/corpus/boundary.py): omitted and None
arguments, literal results, named tuples, tuples of arrays and str, native
Numba vs its wasm build through the Python runtime (numba_wasm.verify) and
through the generated JS glue in Node; str arguments and results must not
leak; what still cannot cross is refused at build time, naming the function
and the type."""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from collections import namedtuple
from pathlib import Path

import numba_wasm
import numpy as np
import pytest
from numba_wasm.build import build_overloads
from numba_wasm.errors import BuildError
from numba_wasm.runtime import load

import numba
from numba import njit, typed

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "fixtures" / "corpus"))
import boundary  # noqa: E402

CASES = boundary.cases()
FORM = "noopt" if os.environ.get("NUMBA_OPT") == "0" else "opt"


@pytest.mark.parametrize("bcase", CASES, ids=[c[0] for c in CASES])
def test_boundary_case(bcase):
    _cid, func, args = bcase
    native, wasm = numba_wasm.verify(func, *args, form=FORM)
    if isinstance(native, tuple) and hasattr(type(native), "_fields"):
        assert type(wasm).__name__ == type(native).__name__
        assert type(wasm)._fields == type(native)._fields
    else:
        assert type(native) is type(wasm), (native, wasm)


def test_corpus_covers_every_kernel():
    used = {id(func) for _cid, func, _args in CASES}
    missing = [k.py_func.__name__ for k in boundary.KERNELS if id(k) not in used]
    assert not missing, f"kernels without a case: {missing}"
    assert len(boundary.KERNELS) >= 15


def _build(tmp_path, name="bd"):
    from numba_wasm.verify import clone
    for _cid, func, args in CASES:
        try:
            func(*clone(args))  # compile every overload
        except ValueError:  # a case that raises natively
            pass
    overloads = [(k, sig) for k in boundary.KERNELS for sig in k.signatures]
    return build_overloads(overloads, tmp_path, name=name)


def test_omitted_arguments_are_not_parameters(tmp_path):
    res = _build(tmp_path)
    m = load(res.wasm)
    entries = [e for e in m.metadata["exports"] if e["name"] == "bd_defaults"]
    kinds = sorted(tuple(a["kind"] for a in e["args"]) for e in entries)
    assert ("scalar", "omitted", "omitted") in kinds and ("scalar", "scalar", "none") in kinds
    # The overload is chosen by the arguments given, as Numba does.
    assert m.bd_defaults(4) == boundary.bd_defaults(4)
    assert m.bd_defaults(4, 1, None) == boundary.bd_defaults(4, 1, None)
    with pytest.raises(TypeError, match="bd_scale"):
        m.bd_scale()
    dts = res.dts.read_text()
    assert "(a: bigint | number): bigint;" in dts
    assert "(a: bigint | number, b: bigint | number, c: null | undefined): bigint;" in dts


def test_wrong_argument_names_kernel_and_parameter(tmp_path):
    m = load(_build(tmp_path).wasm)
    with pytest.raises(TypeError) as e:
        m.bd_str_len(b"bytes")
    assert "bd_str_len" in str(e.value) and "(s)" in str(e.value) and "str" in str(e.value)
    Other = namedtuple("Other", ["a", "b"])
    with pytest.raises(TypeError, match="Point"):
        m.bd_point_norm2(Other(1.0, 2.0))


def test_str_calls_do_not_leak(tmp_path):
    m = load(_build(tmp_path).wasm)
    m.bd_str_concat("a", "b")
    before = m.stats()
    for i in range(2000):
        s = [boundary.ASCII, boundary.LATIN1, boundary.BMP, boundary.ASTRAL][i % 4] * (i % 5)
        assert m.bd_str_concat(s, "\u00e9") == s + "\u00e9"
        assert m.bd_str_tuple((s, i)) == (s + s, 2 * i)
        assert m.bd_str_len(s) == len(s)
        assert m.bd_str_build(i % 40) == boundary.bd_str_build(i % 40)
        assert m.bd_tagged(boundary.Tagged(s, i)) == boundary.bd_tagged(boundary.Tagged(s, i))
    after = m.stats()
    assert after["live_allocations"] == before["live_allocations"], (before, after)
    assert after["live_bytes"] == before["live_bytes"], (before, after)


# ---------------------------------------------------------------- JS glue

def _js_value(v, result=False):
    """A JSON description of an argument (rebuilt in JS) or, with `result`,
    of a value as the JS runner reports it (arrays as their bytes, in C
    order, so floats compare bit for bit)."""
    if isinstance(v, np.ndarray) and v.dtype.names:  # records travel as their bytes
        if result:  # compared field by field: padding bytes hold anything
            return {"fields": {f: np.ascontiguousarray(v[f]).tobytes().hex() for f in v.dtype.names}}
        return {"bytes": np.ascontiguousarray(v).tobytes().hex(), "shape": list(v.shape), "dtype": "records"}
    if isinstance(v, np.ndarray):
        if result:
            return {"bytes": np.ascontiguousarray(v).tobytes().hex(), "shape": list(v.shape),
                    "dtype": v.dtype.name}
        return {"array": [float(x) for x in v.ravel()], "shape": list(v.shape), "dtype": v.dtype.name}
    if isinstance(v, tuple) and hasattr(type(v), "_fields"):
        return {"named": {f: _js_value(x, result) for f, x in zip(v._fields, v)}}
    if isinstance(v, tuple):
        return {"tuple": [_js_value(x, result) for x in v]}
    if v is None or isinstance(v, (bool, np.bool_, str)):
        return v if not isinstance(v, np.bool_) else bool(v)
    if isinstance(v, (int, np.integer)):
        return {"int": str(int(v))}
    f = float(v)
    return f if math.isfinite(f) else {"float": str(f)}


def _fields_of(js, native):
    """A JS result of records (their bytes) decoded with the native value's
    dtype, in _js_value's result form."""
    if isinstance(native, np.ndarray) and native.dtype.names and isinstance(js, dict) and "bytes" in js:
        if len(js["bytes"]) // 2 != native.dtype.itemsize * math.prod(js["shape"]):
            return js  # not these records: the comparison shows it
        a = np.frombuffer(bytes.fromhex(js["bytes"]), native.dtype).reshape(js["shape"])
        return _js_value(a, True)
    return js


JS_RUNNER = """
import { load } from __JS__;
const cases = __CASES__;
const TA = { float64: Float64Array, int32: Int32Array, int64: BigInt64Array };
const DT = { Float64Array: "float64", Int32Array: "int32", BigInt64Array: "int64", Uint8Array: "records" };
const arg = (v) => v === null || typeof v !== "object" ? v
  : "int" in v ? BigInt(v.int)
  : "float" in v ? Number(v.float)
  : "tuple" in v ? v.tuple.map(arg)
  : "bytes" in v ? { data: Uint8Array.from(Buffer.from(v.bytes, "hex")), shape: v.shape }
  : "named" in v ? Object.fromEntries(Object.entries(v.named).map(([k, x]) => [k, arg(x)]))
  : { data: TA[v.dtype].from(v.array, v.dtype === "int64" ? BigInt : Number), shape: v.shape };
// Results back in the JSON form of _js_value.
const out = (v) => v === undefined || v === null ? null
  : typeof v === "bigint" ? { int: String(v) }
  : typeof v === "number" ? (Number.isFinite(v) ? v : { float: String(v) })
  : typeof v !== "object" ? v
  : Array.isArray(v) ? { tuple: v.map(out) }
  : v.data && v.shape ? { bytes: Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength).toString("hex"),
                          shape: v.shape, dtype: DT[v.data.constructor.name] }
  : { named: Object.fromEntries(Object.entries(v).map(([k, x]) => [k, out(x)])) };
const m = await load();
const res = {};
for (const [cid, fname, args] of cases) {
  try {
    const a = args.map(arg);
    const r = m[fname](...a);
    res[cid] = { result: out(r), args: a.map(out) };
  } catch (e) {
    res[cid] = { error: `${e.name}: ${e.message}` };
  }
}
// Wrong types: a TypeError naming the kernel and the parameter.
const wrong = [];
for (const call of [() => m.bd_str_len(42), () => m.bd_point_norm2({ x: 1 }), () => m.bd_defaults()]) {
  try { call(); wrong.push(null); } catch (e) { wrong.push(`${e.name}: ${e.message}`); }
}
res.__wrong__ = wrong;
const s0 = m.stats();
for (let i = 0; i < 2000; i++) {
  const s = ["abc", "caf\\u00e9", "\\u4e2d\\u6587", "\\u{1f600}x"][i % 4].repeat(i % 5);
  if (m.bd_str_concat(s, "\\u00e9") !== s + "\\u00e9") throw new Error(`concat ${s}`);
  if (m.bd_str_len(s) !== BigInt([...s].length)) throw new Error(`len ${s}`);
  m.bd_tagged({ name: s, count: BigInt(i) });
}
const s1 = m.stats();
res.__leak__ = [s0.liveAllocations, s1.liveAllocations, s0.liveBytes, s1.liveBytes];
console.log(JSON.stringify(res));
"""


def _args_after(args):
    """What the arguments hold after a native call (in-place writes)."""
    from numba_wasm.verify import clone
    return clone(args)


def test_js_glue_matches_native(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    res = _build(tmp_path)
    natives = {}
    # Record scalars (and their write-through, a raise) are compared in
    # every host by scripts/corpus_hosts.py (tests/js/cases.mjs).
    cases = [c for c in CASES if not c[1].py_func.__name__.startswith("bd_record_")]
    for cid, func, args in cases:
        a = _args_after(args)
        natives[cid] = (func(*a), a)
    cases = [(cid, func.py_func.__name__, [_js_value(a) for a in args]) for cid, func, args in cases]
    script = tmp_path / "run.mjs"
    script.write_text(JS_RUNNER.replace("__JS__", json.dumps(res.js.as_uri()))
                      .replace("__CASES__", json.dumps(cases)))
    proc = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    got = json.loads(proc.stdout)
    leak = got.pop("__leak__")
    assert leak[0] == leak[1] and leak[2] == leak[3], leak
    wrong = got.pop("__wrong__")
    assert wrong[0].startswith("TypeError: bd_str_len: argument 1 (s): expected a string"), wrong
    assert wrong[1].startswith("TypeError: bd_point_norm2: argument 1 (p): expected Point"), wrong
    assert wrong[2].startswith("TypeError: numba-wasm: no overload of bd_defaults"), wrong
    bad = []
    for cid, (value, args_after) in natives.items():
        want = {"result": _js_value(value, True), "args": [_js_value(a, True) for a in args_after]}
        got[cid] = {"result": _fields_of(got[cid].get("result"), value),
                    "args": [_fields_of(j, a) for j, a in zip(got[cid].get("args", []), args_after)]}
        if got[cid] != want:
            bad.append(f"{cid}: native {want}, js {got[cid]}")
    assert not bad, "\n".join(bad)


def test_dts_typechecks(tmp_path):
    tsc = ROOT / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        pytest.skip("typescript is not installed")
    res = _build(tmp_path)
    (tmp_path / "use.ts").write_text(TS_USE.replace("__MOD__", "./" + res.js.name))
    proc = subprocess.run([str(tsc), "--noEmit", "--strict", "--target", "es2022", "--module", "es2022",
                           "--moduleResolution", "bundler", str(tmp_path / "use.ts")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    # A wrong use of the new types is a type error.
    (tmp_path / "bad.ts").write_text(TS_BAD.replace("__MOD__", "./" + res.js.name))
    proc = subprocess.run([str(tsc), "--noEmit", "--strict", "--target", "es2022", "--module", "es2022",
                           "--moduleResolution", "bundler", str(tmp_path / "bad.ts")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path, check=False)
    errors = [line for line in proc.stdout.splitlines() if "error TS" in line]
    assert len(errors) == TS_BAD.count("// error"), proc.stdout


TS_USE = """
import { load } from "__MOD__";
const m = await load();
const a: bigint = m.bd_defaults(1n);
const b: bigint = m.bd_defaults(1n, 2n, null);
const c: bigint = m.bd_defaults(1n, 2n, 3n);
const p: { x: number; y: bigint } = m.bd_point_swap({ x: 3n, y: 0.5 });
const p2: { x: number; y: bigint } = m.bd_point_swap([3n, 0.5]);
const n: number = m.bd_point_norm2({ x: 3, y: 4 });
const st = m.bd_stats(new Float64Array(3));
const total: number = st.total, argmax: bigint = st.argmax, centered: Float64Array = st.centered.data;
const s: string = m.bd_str_concat("é", "中");
const t: [string, bigint] = m.bd_str_tuple(["x", 2n]);
const lit: "caf\\u00e9 \\u4e2d \\ud83d\\ude00" = m.bd_literal_str(0n);
const seven: bigint = m.bd_literal_int(1n);
const yes: boolean = m.bd_literal_bool(1.5);
const tg: { name: string; count: bigint } = m.bd_tagged({ name: "a", count: 1n });
const [sum, [k, total2]] = m.bd_nested([new Float64Array(2), [new Float64Array(2), 1.5]]);
console.log(a, b, c, p, p2, n, total, argmax, centered, s, t, lit, seven, yes, tg, sum, k, total2);
"""

TS_BAD = """
import { load } from "__MOD__";
const m = await load();
m.bd_str_len(42); // error
m.bd_point_norm2({ x: 3, z: 4 }); // error
const n: string = m.bd_str_len("a"); // error
m.bd_defaults(1n, 2n, 3n, 4n); // error
"""


# ---------------------------------------------------------------- refusals

@njit
def _takes_list(xs):
    return len(xs)


@njit
def _takes_typed_dict(d):
    return len(d)


@njit
def _takes_set(s):
    return len(s)


@njit
def _returns_list_of_arrays(n):
    return [np.zeros(i) for i in range(n)]


@njit
def _takes_records(a):
    return a[0].y


@njit
def _takes_record(r):
    return r.y


@njit
def _takes_bytes(b):
    return len(b)


def _refusal(func, args):
    func(*args)
    with pytest.raises(BuildError) as e:
        numba_wasm.verify(func, *args, form=FORM)
    return str(e.value)


@pytest.mark.parametrize("func,args,typename", [
    (_takes_list, lambda: (["a", "b"],), "list(unicode_type)"),
    (_takes_typed_dict, lambda: (_typed_dict(),), "DictType[float64"),
    (_takes_set, lambda: ({1, 2},), "reflected set"),
    (_returns_list_of_arrays, lambda: (3,), "list(array(float64, 1d, C))"),
    (_takes_record, lambda: (np.zeros(2, dtype=[("x", "f8", (2,)), ("y", "i4")])[0],), "Record"),
    (_takes_records, lambda: (np.zeros(2, dtype=[("x", "f8", (2,)), ("y", "i4")]),), "Record"),
    (_takes_bytes, lambda: (b"abc",), "Bytes"),
], ids=["reflected_list", "typed_dict_float_keys", "set", "list_of_arrays_result",
        "record_scalar_of_subarrays",
        "record_array_of_subarrays", "bytes"])
def test_unsupported_boundary_types_are_refused_at_build(func, args, typename):
    msg = _refusal(func, args())
    assert func.py_func.__name__ in msg, msg
    assert typename.lower() in msg.lower(), msg


def _typed_dict():
    d = typed.Dict.empty(numba.types.float64, numba.types.float64)  # float keys stay refused
    d[1.0] = 2.0
    return d


def test_js_hostile_record_arguments(tmp_path):
    # tests/js/hostile_records.mjs: fields read once (getters, Proxies),
    # checked like scalars, changed fields written back, frozen records,
    # no leaks.
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    res = _build(tmp_path)
    script = Path(__file__).resolve().parents[1] / "js" / "hostile_records.mjs"
    proc = subprocess.run([node, str(script), str(res.js)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_record_arguments_in_python(tmp_path):
    # A numpy.void of the record's layout (packed or aligned alike) is
    # written through, as natively; another dtype is refused before the call.
    m = load(_build(tmp_path).wasm)
    recs = np.zeros(2, boundary.PACKED)
    recs[0] = (1.5, 3, True)
    assert m.bd_record_write(recs[0], 2.0) == 4
    assert recs[0]["x"] == 3.0 and recs[0]["y"] == 4
    with pytest.raises(TypeError):
        m.bd_record_read(np.zeros(1, [("x", "f8"), ("y", "i8"), ("flag", "?")])[0])
    with pytest.raises(TypeError):
        m.bd_record_read((1.5, 3, True))
    before = m.stats()
    for _ in range(200):
        m.bd_record_write(recs[1], 0.5)
    assert m.stats()["live_allocations"] == before["live_allocations"]
