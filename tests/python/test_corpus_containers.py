"""The containers corpus (fixtures/corpus/containers.py): dict,
numba.typed.Dict/List, set, str and reflected lists inside kernels. Native
Numba is the oracle: every case must give the same result exactly (through
numba_wasm.verify), and building and dropping containers must not leak."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numba_wasm
import numpy as np
import pytest
from numba_wasm.build import build_overloads
from numba_wasm.runtime import load
from numba_wasm.verify import clone

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures" / "corpus"))
import containers  # noqa: E402

CASES = containers.cases()


@pytest.mark.parametrize("ccase", CASES, ids=[c[0] for c in CASES])
def test_containers_case(ccase):
    _cid, func, args = ccase
    numba_wasm.verify(func, *args)


def test_corpus_covers_every_kernel():
    used = {id(func) for _cid, func, _args in CASES + containers.hash_cases()}
    missing = [k.py_func.__name__ for k in containers.KERNELS if id(k) not in used]
    assert not missing, f"kernels without a case: {missing}"
    assert len(containers.KERNELS) >= 25


NOOPT_RUNNER = """
import numba_wasm, containers
for cid, f, args in containers.noopt_cases():
    numba_wasm.verify(f, *args, form="noopt")
print("ok", len(containers.noopt_cases()))
"""


def test_noopt_form_matches_native(tmp_path):
    # The NUMBA_OPT=0 IR keeps every container call behind allocas, loads
    # and stores; it needs a fresh process.
    pkg_parent = str(Path(numba_wasm.__file__).resolve().parents[1])
    corpus = str(Path(containers.__file__).resolve().parent)
    env = dict(os.environ, NUMBA_OPT="0", PYTHONPATH=os.pathsep.join([pkg_parent, corpus]))
    proc = subprocess.run([sys.executable, "-c", NOOPT_RUNNER], env=env, cwd=tmp_path, check=False,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines()[-1] == f"ok {len(containers.noopt_cases())}", proc.stdout


HASH_RUNNER = """
import numba_wasm, containers
for cid, f, args in containers.hash_cases():
    res = numba_wasm.verify(f, *args)
    print(cid, res.native)
# Numba's str hash is CPython's: check the oracle against the interpreter.
assert containers.ct_str_hash(7)[1] == hash("constant")
assert containers.ct_str_hash(7)[0] == hash("key7")
print("ok", len(containers.hash_cases()))
"""


def test_str_hashes_match_native_under_hash_seed_zero(tmp_path):
    # hash(str) and the order of a set of strings depend on CPython's hash
    # secret; the wasm module has the secret of PYTHONHASHSEED=0, so native
    # runs in a fresh interpreter started with that seed.
    pkg_parent = str(Path(numba_wasm.__file__).resolve().parents[1])
    corpus = str(Path(containers.__file__).resolve().parent)
    env = dict(os.environ, PYTHONHASHSEED="0",
               PYTHONPATH=os.pathsep.join([pkg_parent, corpus]))
    proc = subprocess.run([sys.executable, "-c", HASH_RUNNER], env=env, cwd=tmp_path, check=False,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.splitlines()[-1] == f"ok {len(containers.hash_cases())}", proc.stdout


LEAK_KERNELS = [
    ("ct_dict_int_order", (300,)),
    ("ct_dict_delete_reinsert", (100,)),
    ("ct_dict_popitem", (50,)),
    ("ct_dict_str_keys", (40,)),
    ("ct_dict_array_values", (30,)),
    ("ct_dict_of_lists", (40,)),
    ("ct_tlist_mutate", (60,)),
    ("ct_tlist_str", (30,)),
    ("ct_tlist_arrays", (20,)),
    ("ct_set_int_ops", (40,)),
    ("ct_set_str", (30,)),
    ("ct_str_split_join", (30,)),
    ("ct_list_ops", (40,)),
    ("ct_list_of_arrays", (20,)),
    ("ct_list_comprehension", (30,)),
]


def test_building_and_dropping_containers_does_not_leak(tmp_path):
    # Every block the kernels allocate (dict and list tables, MemInfos,
    # strings, arrays held by containers) is freed when they return: after
    # 200 calls of each, the live allocations are what they were. Results
    # are returned (and freed by the host) as usual.
    kernels = [getattr(containers, name) for name, _ in LEAK_KERNELS]
    for k, (_, args) in zip(kernels, LEAK_KERNELS):
        k(*args)  # compile the overload
    m = load(build_overloads([(k, k.signatures[0]) for k in kernels], tmp_path, name="ct").wasm)
    for name, args in LEAK_KERNELS:
        getattr(m, name)(*args)
    before = m.stats()
    for _ in range(200):
        for name, args in LEAK_KERNELS:
            getattr(m, name)(*args)
    after = m.stats()
    assert after["live_allocations"] == before["live_allocations"], (before, after)
    assert after["live_bytes"] == before["live_bytes"], (before, after)
    assert after["total_allocations"] - before["total_allocations"] > 200 * len(LEAK_KERNELS)


def _py_value(v):
    """A native result as JSON: 64-bit integers as strings (JS BigInt)."""
    if isinstance(v, tuple):
        return [_py_value(x) for x in v]
    if isinstance(v, np.ndarray):
        return {"shape": list(v.shape), "data": [_py_value(x) for x in v.ravel()]}
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, np.integer) and v.dtype.itemsize < 8:
        return int(v)
    if isinstance(v, (int, np.integer)):
        return {"int": str(int(v))}
    return float(v)


def _js_arg(v):
    if isinstance(v, np.ndarray):
        kind = "BigInt64Array" if v.dtype == np.int64 else "Float64Array"
        vals = [str(int(x)) for x in v] if v.dtype == np.int64 else [float(x) for x in v]
        return {"array": kind, "values": vals}
    return {"int": str(int(v))}


JS_RUNNER = """
import { load } from __JS__;
const cases = __CASES__;
const arg = (v) => "int" in v ? BigInt(v.int)
  : v.array === "BigInt64Array" ? BigInt64Array.from(v.values, BigInt)
  : Float64Array.from(v.values);
const val = (x) => typeof x === "bigint" ? { int: String(x) }
  : Array.isArray(x) ? x.map(val)
  : x !== null && typeof x === "object" && "data" in x
    ? { shape: x.shape, data: Array.from(x.data, val) }
  : x;
const m = await load();
const out = {};
for (const [cid, fname, args] of cases) {
  try {
    out[cid] = { ok: val(m[fname](...args.map(arg))) };
  } catch (e) {
    out[cid] = { err: [e.name, e.message] };
  }
}
const s0 = m.stats();
for (let i = 0; i < 20; i++) {
  // Raising calls leak what the kernel held, natively too (Numba does
  // not release live NRT objects on `raise`): only the returning cases.
  for (const [cid, fname, args] of cases) {
    if ("ok" in out[cid]) m[fname](...args.map(arg));
  }
}
const s1 = m.stats();
out.__leak__ = [s0.liveAllocations, s1.liveAllocations, s0.liveBytes, s1.liveBytes];
console.log(JSON.stringify(out));
"""


def test_js_glue_gives_native_results(tmp_path):
    # The same module through the generated JS wrapper in Node: every case's
    # result (or exception class and message) as native, and no leaks over
    # 20 more rounds of every returning case.
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    # Containers as results and list arguments are compared by type in
    # every host by scripts/corpus_hosts.py (tests/js/cases.mjs); this JSON
    # runner takes the kernels that reduce their containers.
    cases = [c for c in CASES if not c[1].py_func.__name__.startswith(("ct_ret_", "ct_arg_"))]
    natives = {}
    for cid, func, args in cases:
        try:
            natives[cid] = {"ok": _py_value(func(*args))}
        except Exception as e:  # noqa: BLE001 - the oracle's exception
            natives[cid] = {"err": [type(e).__name__, str(e)]}
    kernels = list(dict.fromkeys(func for _cid, func, _args in cases))
    assert all(len(k.signatures) == 1 for k in kernels)
    res = build_overloads([(k, k.signatures[0]) for k in kernels], tmp_path, name="ctjs")
    cases = [(cid, func.py_func.__name__, [_js_arg(a) for a in args]) for cid, func, args in cases]
    script = tmp_path / "run.mjs"
    script.write_text(JS_RUNNER.replace("__JS__", json.dumps(res.js.as_uri()))
                      .replace("__CASES__", json.dumps(cases)))
    proc = subprocess.run([node, str(script)], check=False, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    leak = out.pop("__leak__")
    assert leak[0] == leak[1] and leak[2] == leak[3], leak
    bad = [f"{cid}: native {want}, js {out[cid]}" for cid, want in natives.items() if out[cid] != want]
    assert not bad, "\n".join(bad)


DICT_ARG_KERNELS = [containers.ct_arg_tdict_mutate, containers.ct_arg_tdict_str,
                    containers.ct_arg_tdict_raises, containers.ct_arg_tdict_str_values]


@pytest.fixture(scope="module")
def dict_arg_module(tmp_path_factory):
    for _cid, func, args in CASES:  # compile the overloads the cases use
        if func in DICT_ARG_KERNELS:
            try:
                func(*[clone(a) for a in args])
            except (KeyError, ValueError):
                pass
    out = tmp_path_factory.mktemp("dictargs")
    return build_overloads([(k, k.signatures[0]) for k in DICT_ARG_KERNELS], out, name="dictargs")


def test_dict_arguments_in_python_plain_dict_and_no_leaks(dict_arg_module):
    # A plain dict is accepted like a typed.Dict and gets the changes, in
    # the dict's order, after a raise too; keys that are one key of the
    # dict, or of another type, are refused before the call.
    m = load(dict_arg_module.wasm)
    d = {1: 5, -20: 2, 8: 3}
    assert m.ct_arg_tdict_mutate(d, 0) == 2 and list(d.items()) == [(8, 3), (1, -1)]
    s = {"alpha": 1, "drop": 2, "\u00e9t\u00e9": 3}
    assert m.ct_arg_tdict_str(s, "\u00e9t\u00e9") == (1 * 5 + 4 * 2 + 3 * 3, 3, 4)
    assert list(s.items()) == [("alpha", 1), ("\u00e9t\u00e9", 4), ("new \u00e9t\u00e9", 3)]
    r = {3: 1.5}
    with pytest.raises(KeyError):
        m.ct_arg_tdict_raises(r, 5)
    assert list(r.items()) == [(3, 1.5), (5, 2.5), (6, -1.0)]
    for bad in ({1.5: 1}, {"a": 1}, {1: "x"}, [(1, 1)], {2**63: 1}):
        with pytest.raises(TypeError):
            m.ct_arg_tdict_mutate(bad, 0)
    before = m.stats()
    for i in range(100):
        m.ct_arg_tdict_str({"a": 1, "drop": 2}, f"w{i % 7}")
        m.ct_arg_tdict_mutate({1: 2, 2**62: 1}, 40)
        m.ct_arg_tdict_str_values({0: "zero", 1: "\u0101"}, 1)
    after = m.stats()
    assert after["live_allocations"] == before["live_allocations"], (before, after)
    assert after["live_bytes"] == before["live_bytes"], (before, after)


def test_dict_arguments_in_js_hostile_maps(dict_arg_module):
    # tests/js/hostile_maps.mjs: Map subclasses and Proxies, colliding and
    # out-of-range keys, getters growing the Map, write-back after a raise,
    # no leaks.
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = Path(__file__).resolve().parents[1] / "js" / "hostile_maps.mjs"
    proc = subprocess.run([node, str(script), str(dict_arg_module.js)], check=False,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_str_keyed_dict_argument_from_siphash24_ir_is_refused(tmp_path: Path) -> None:
    # The shim hashes str keys with Python >= 3.11's SipHash-1-3; IR compiled
    # under an older Python (SipHash-2-4) references hashing._DOUBLE_ROUND
    # instead of _SINGLE_ROUND, and the build stops rather than building a
    # dict whose lookups would miss. That IR is made here by renaming.
    from numba_wasm.build import dump_ir, run_binary
    from numba_wasm.errors import BuildError

    from numba import typed, types

    f = containers.ct_arg_tdict_str
    d = typed.Dict.empty(types.unicode_type, types.int64)
    d["a"] = 1
    f(d, "a")
    ir = dump_ir([(f, k) for k in f.overloads])
    assert "13_SINGLE_ROUND" in ir
    run_binary(ir, tmp_path, "ok")  # as dumped: builds
    with pytest.raises(BuildError, match=r"ct_arg_tdict_str.*SipHash-2-4.*Python 3.11 or later"):
        run_binary(ir.replace("13_SINGLE_ROUND", "13_DOUBLE_ROUND"), tmp_path, "old")
