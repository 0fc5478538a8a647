"""The parallel corpus (fixtures/corpus/parallel.py): `@njit(parallel=True)`
kernels natively and in wasm, where the parfors run on one thread
(shims/src/parallel.rs).

Native Numba is pinned to one thread here: a reduction keeps one partial
result per thread and combines them after the loop, so with several
threads a float sum is added up in another order (and the thread ids
differ). With one thread the order is the one wasm uses, and every case
must agree bit for bit.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numba_wasm
import numpy as np
import pytest
from numba_wasm import _ir
from numba_wasm._binary import find_binary

import numba
from numba import prange

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures" / "corpus"))
import parallel  # noqa: E402

CASES = parallel.cases()
# The IR form Numba produces in this process (NUMBA_OPT=0 gives "noopt").
FORM = "noopt" if os.environ.get("NUMBA_OPT") == "0" else "opt"
NOTE = "compiled with parallel=True; runs on one thread in wasm"


@pytest.fixture(autouse=True, scope="module")
def one_native_thread() -> Iterator[None]:
    """Native Numba on one thread (see the module docstring), restored after."""
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    yield
    numba.set_num_threads(before)


@pytest.mark.parametrize("pcase", CASES, ids=[c[0] for c in CASES])
def test_parallel_case(pcase):
    _cid, func, args = pcase
    native, wasm = numba_wasm.verify(func, *args, form=FORM)
    assert type(native) is type(wasm)


def test_corpus_covers_every_kernel():
    used = {id(func) for _cid, func, _args in CASES}
    missing = [k.py_func.__name__ for k in parallel.KERNELS if id(k) not in used]
    assert not missing, f"kernels without a case: {missing}"
    assert len(parallel.KERNELS) >= 10


def test_kernels_really_run_parfors():
    # Each kernel must have become a parfor launched through the threading
    # layer, else the corpus would test nothing parallel.
    for k in parallel.KERNELS + parallel.RAISING_KERNELS:
        for sig in k.overloads:
            assert "numba_parallel_for" in k.inspect_llvm(sig), k.py_func.__name__


NOOPT_CASES = ["sum_float_1000", "sum_int_7", "min_max_7", "write_out", "alloc_in_body",
               "nested_2d", "nested_sum_2d", "np_sum", "unsigned_range", "signed_range_7",
               "complex_sum"]


def test_noopt_form_matches_native(tmp_path):
    # The NUMBA_OPT=0 IR keeps the gufunc wrapper's error paths and the
    # threading-layer calls unoptimized; it needs a fresh process. One
    # kernel of each shape (compiling them all takes minutes).
    code = ("import numba, numba_wasm, parallel\n"
            "numba.set_num_threads(1)\n"
            f"ids = {NOOPT_CASES!r}\n"
            "cases = [c for c in parallel.cases() if c[0] in ids]\n"
            "assert len(cases) == len(ids)\n"
            "for cid, f, args in cases:\n"
            "    numba_wasm.verify(f, *args, form='noopt')\n"
            "print('ok', len(cases))\n")
    pkg_parent = str(Path(numba_wasm.__file__).resolve().parents[1])
    corpus = str(Path(parallel.__file__).resolve().parent)
    env = dict(os.environ, NUMBA_OPT="0", PYTHONPATH=os.pathsep.join([pkg_parent, corpus]))
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("ok ")


@numba.njit
def serial_sum(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s


def _reports(inspect_out: str) -> dict[str, str]:
    """`inspect`'s text output split per entry point, keyed by qualname."""
    reports: dict[str, str] = {}
    name = ""
    for line in inspect_out.splitlines():
        if line and not line.startswith(" "):
            name = line.split()[0].rsplit(".", 1)[-1]
        reports[name] = reports.get(name, "") + line + "\n"
    return reports


def test_inspect_and_dts_say_one_thread(tmp_path):
    par = parallel.par_sum_float
    for f in (par, serial_sum):
        f(parallel._rand(5, 1))
    ir = tmp_path / "kernels.ll"
    with ir.open("w") as out:
        _ir.dump_dispatchers([par, serial_sum], out)
    exe = str(find_binary())
    inspect = subprocess.run([exe, "inspect", str(ir)], capture_output=True, text=True,
                             check=True).stdout
    reports = _reports(inspect)
    assert set(reports) == {"par_sum_float", "serial_sum"}
    assert f"    parallel: {NOTE}" in reports["par_sum_float"]
    assert "parallel:" not in reports["serial_sum"]

    build = subprocess.run([exe, "build", str(ir), "-o", str(tmp_path / "out")],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    dts = (tmp_path / "out" / "kernels.d.ts").read_text()
    docs = {ln.split("`")[1].rsplit(".", 1)[-1]: ln
            for ln in dts.splitlines() if "Numba signature" in ln}
    assert set(docs) == {"par_sum_float", "serial_sum"}
    assert NOTE in docs["par_sum_float"]
    assert NOTE not in docs["serial_sum"]


@numba.njit(parallel=True)
def _chunked_sum(a):
    old = numba.set_parallel_chunksize(4)
    s = 0.0
    for i in prange(a.shape[0]):
        s += a[i]
    numba.set_parallel_chunksize(old)
    return s


@numba.njit(parallel=True)
def _sizes(a):
    out = np.empty(a.shape[0])
    for i in prange(a.shape[0]):
        out[i] = np.empty(a[i]).size
    return out


def test_threading_calls_through_ctypes_refused_at_build(tmp_path):
    # `numba.set_parallel_chunksize` (and `set_num_threads`) inside a kernel
    # call a ctypes function at an address of the Numba process.
    with pytest.raises(numba_wasm.BuildError) as err:
        numba_wasm.build({_chunked_sum: [(np.ones(8),)]}, tmp_path)
    msg = str(err.value)
    assert "_chunked_sum" in msg and "numba.dynamic.globals." in msg
    assert "set_parallel_chunksize" in msg and "outside the kernel" in msg


def test_error_inside_a_parfor_body_raises_as_the_serial_run(tmp_path):
    # np.empty(-1) fails inside the gufunc. Native parallel Numba only sets
    # a Python error there (what surfaces depends on the process's history;
    # see parallel.ORACLES); wasm raises the body's exception, as the same
    # function compiled without parallel=True does, and stays usable.
    bad = np.array([1, -1, 2])
    out = numba_wasm.build({_sizes: [(bad,)]}, tmp_path)
    mod = numba_wasm.load(out.wasm.read_bytes())
    with pytest.raises(ValueError, match="^negative dimensions not allowed$"):
        numba.njit(_sizes.py_func)(bad)
    s0 = mod.stats()["live_allocations"]
    for _ in range(20):
        with pytest.raises(ValueError, match="^negative dimensions not allowed$"):
            mod._sizes(bad)
    assert mod.stats()["live_allocations"] == s0
    good = np.arange(5)
    assert np.array_equal(mod._sizes(good), _sizes(good))


RAISING = parallel.raising_cases()


@pytest.fixture(scope="module")
def raising_module(tmp_path_factory):
    targets: dict = {}
    for _cid, func, args in RAISING:
        targets.setdefault(func, []).append(tuple(args))
    out = numba_wasm.build(targets, tmp_path_factory.mktemp("raising"))
    return numba_wasm.load(out.wasm.read_bytes())


def _outcome(func, args):
    try:
        return func(*[np.copy(a) if isinstance(a, np.ndarray) else a for a in args]), None
    except Exception as e:  # noqa: BLE001 - compared below
        return None, e


@pytest.mark.parametrize("rcase", RAISING, ids=[c[0] for c in RAISING])
def test_exception_in_a_prange_body(rcase, raising_module):
    # The oracle is the serial compile of the same function (ORACLES).
    cid, func, args = rcase
    native, native_exc = _outcome(parallel.ORACLES[func], args)
    wasm_fn = getattr(raising_module, func.py_func.__name__)
    before = raising_module.stats()["live_allocations"]
    wasm, wasm_exc = _outcome(wasm_fn, args)
    if native_exc is None:
        assert wasm_exc is None, (cid, wasm_exc)
        np.testing.assert_array_equal(np.asarray(wasm), np.asarray(native))
        return
    assert type(wasm_exc) is type(native_exc) and str(wasm_exc) == str(native_exc), (
        cid, native_exc, wasm_exc)
    # The kernel's own result is released; what is left is what Numba's
    # dynamic exceptions leak natively too (their f-string), nothing else.
    for _ in range(10):
        _outcome(wasm_fn, args)
    leaked = raising_module.stats()["live_allocations"] - before
    assert leaked <= (11 if func is parallel.par_raise_dynamic else 0), (cid, leaked)


NODE_RUNNER = """
import { load } from __JS__;
const m = await load();
const a = Float64Array.from(__A__);
const grid = { data: Float64Array.from(__GRID__), shape: __SHAPE__ };
const s0 = m.stats();
const out = {
  sum: m.par_sum_float(a),
  nested: Array.from(m.par_nested_2d(grid).data),
  expr: Array.from(m.par_array_expr(a, a).data),
};
for (let i = 0; i < 1000; i++) { m.par_nested_2d(grid); m.par_sum_float(a); }
const s1 = m.stats();
out.leak = [s0.liveAllocations, s1.liveAllocations];
console.log(JSON.stringify(out));
"""


def test_js_glue_runs_parallel_kernels(tmp_path):
    # The same module through the generated JS glue in Node: floats print
    # as the shortest text that reads back to the same double, so the
    # comparison stays exact.
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    a = parallel._rand(101, 40)
    grid = parallel._rand((7, 9), 41)
    kernels = {parallel.par_sum_float: [(a,)], parallel.par_nested_2d: [(grid,)],
               parallel.par_array_expr: [(a, a)]}
    res = numba_wasm.build(kernels, tmp_path)
    script = tmp_path / "run.mjs"
    script.write_text(NODE_RUNNER.replace("__JS__", json.dumps(res.js.as_uri()))
                      .replace("__A__", json.dumps(a.tolist()))
                      .replace("__GRID__", json.dumps(grid.ravel().tolist()))
                      .replace("__SHAPE__", json.dumps(list(grid.shape))))
    proc = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    assert out["sum"] == parallel.par_sum_float(a)
    assert out["nested"] == parallel.par_nested_2d(grid).ravel().tolist()
    assert out["expr"] == parallel.par_array_expr(a, a).tolist()
    # Schedules, per-thread reduction arrays and results are all freed.
    assert isinstance(out["leak"][0], int) and out["leak"][0] == out["leak"][1]
