"""Random numbers inside kernels (fixtures/corpus/random_kernels.py): each
kernel seeds np.random or random from its argument, so native Numba and the
wasm build must produce exactly the same stream; unseeded kernels draw from
the entropy the host passes to `nw_random_init`."""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

import numba_wasm
from numba_wasm.build import build_overloads
from numba_wasm.runtime import load

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "fixtures" / "corpus"))
import random_kernels as rk  # noqa: E402

CASES = rk.cases()


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
