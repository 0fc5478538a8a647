"""Random numbers inside kernels (fixtures/corpus/random_kernels.py): each
kernel seeds np.random or random from its argument, so native Numba and the
wasm build must produce exactly the same stream; unseeded kernels draw from
the entropy the host passes to `nw_random_init`."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numba_wasm
import numpy as np
import pytest
from numba_wasm.build import build_overloads
from numba_wasm.runtime import load

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures" / "corpus"))
import random_kernels as rk  # noqa: E402

CASES = rk.cases()

# Generators that call `log`, `exp` or `pow` (Box-Muller, inversion,
# Marsaglia-Tsang, Johnk) match too: the shim's exp/log/pow are glibc's
# algorithms, fused as glibc's x86-64 build fuses them.


@pytest.mark.parametrize("kcase", CASES, ids=[c[0] for c in CASES])
def test_random_case(kcase):
    _cid, func, args = kcase
    native, wasm = numba_wasm.verify(func, *args)
    assert type(native) is type(wasm)


def test_cases_cover_every_seeded_kernel():
    seeded = {k for k in rk.KERNELS if not k.py_func.__name__.startswith("unseeded_")}
    assert seeded == {c[1] for c in CASES}


def test_reseeding_restarts_the_stream():
    # The state lives in the module between calls; the second call reseeds it.
    first = numba_wasm.verify(rk.np_random_array, 77, 5)
    second = numba_wasm.verify(rk.np_random_array, 77, 5)
    assert np.array_equal(first.wasm, second.wasm)


def _build(func) -> bytes:
    key = func.signatures[0]
    with tempfile.TemporaryDirectory(prefix="numba_wasm_random_") as tmp:
        res = build_overloads([(func, key)], Path(tmp), name="rnd")
        return res.wasm.read_bytes()


@pytest.mark.parametrize("func", [rk.unseeded_np_random, rk.unseeded_py_random],
                         ids=lambda f: f.py_func.__name__)
def test_unseeded_streams_differ_between_instances(func):
    wasm = _build(func)
    name = func.py_func.__name__
    a = getattr(load(wasm), name)(64)
    b = getattr(load(wasm), name)(64)
    for x in (a, b):
        assert x.shape == (64,) and ((x >= 0.0) & (x < 1.0)).all()
    assert not np.array_equal(a, b)
    # Natively too, two processes (here: two draws) differ; the stream
    # continues within an instance.
    m = load(wasm)
    assert not np.array_equal(getattr(m, name)(64), getattr(m, name)(64))


def test_unseeded_state_without_host_entropy_traps(monkeypatch):
    # A host that does not call nw_random_init: an unseeded draw traps
    # instead of yielding a stream every instance would share.
    import numba_wasm.runtime as rt

    wasm = _build(rk.unseeded_np_random)
    monkeypatch.setattr(rt.WasmModule, "_seed_random_states", lambda self: None)
    m = load(wasm)
    with pytest.raises(Exception, match="unreachable|wasm trap"):
        m.unseeded_np_random(4)


# Unoptimized IR of a 2-D row swap (`x[i], x[j] = x[j].copy(), x[i].copy()`,
# as np.random.shuffle does for 2-D arrays) keeps CPython API calls that the
# optimizer removes; any kernel doing that swap is refused, random or not.
NOOPT_REFUSED = {"np_shuffle_2d"}


def test_corpus_noopt_form(tmp_path):
    """Every case again from NUMBA_OPT=0 IR (a fresh process)."""
    import os
    import subprocess

    code = (
        "import numba_wasm, random_kernels as rk\n"
        "for cid, f, args in rk.cases():\n"
        f"    if cid in {sorted(NOOPT_REFUSED)!r}: continue\n"
        "    numba_wasm.verify(f, *args, form='noopt')\n"
        "print('ok', len(rk.cases()))\n")
    root = Path(__file__).resolve().parents[2]
    pkg_parent = str(Path(numba_wasm.__file__).resolve().parents[1])
    env = dict(os.environ, NUMBA_OPT="0",
               PYTHONPATH=os.pathsep.join([pkg_parent, str(root / "fixtures" / "corpus")]))
    proc = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.startswith("ok ")


def test_js_runtime_seeds_from_entropy_and_keeps_native_stream(tmp_path):
    """The JS glue: two loads draw different unseeded streams (entropy from
    crypto.getRandomValues); a seeded kernel gives native's exact stream."""
    import json
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    rk.np_random_array(1, 1)  # compile the (int64, int64) overload
    overloads = [(rk.unseeded_np_random, rk.unseeded_np_random.signatures[0]),
                 (rk.np_random_array, rk.np_random_array.signatures[0])]
    res = build_overloads(overloads, tmp_path, name="rnd")
    script = tmp_path / "run.mjs"
    script.write_text(
        f"import {{ load }} from {json.dumps(res.js.as_uri())};\n"
        "const bits = (a) => Array.from(new BigUint64Array(a.data.buffer, a.data.byteOffset, a.data.length), String);\n"
        "const [a, b] = [await load(), await load()];\n"
        "console.log(JSON.stringify({\n"
        "  a: bits(a.unseeded_np_random(32n)), b: bits(b.unseeded_np_random(32n)),\n"
        "  seeded: bits(a.np_random_array(2024n, 700n)),\n"
        "}));\n")
    proc = subprocess.run([node, str(script)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout)
    a, b = (np.array([int(v) for v in out[k]], dtype=np.uint64).view(np.float64) for k in "ab")
    assert ((a >= 0.0) & (a < 1.0)).all() and ((b >= 0.0) & (b < 1.0)).all()
    assert not np.array_equal(a, b)
    seeded = np.array([int(v) for v in out["seeded"]], dtype=np.uint64)
    assert np.array_equal(seeded, rk.np_random_array(2024, 700).view(np.uint64))
