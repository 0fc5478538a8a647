"""Adversarial arguments against the Python runtime (numba_wasm.runtime), on
the fixture corpus: seeded random mutations of valid arguments (dtypes,
shapes, strides, views, byte order, subclasses, read-only arrays, odd
objects). Every call must either run or raise TypeError before any wasm code
runs; canary blocks in wasm memory stay intact and no allocation leaks.
The seed is printed; NW_HOSTILE_SEED / NW_HOSTILE_CASES reproduce or widen."""
from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numba_wasm.runtime import WasmModule, load

CANARY = 0x5A


class _Sub(np.ndarray):
    pass


def _variants(rng: random.Random, n: int) -> Any:
    base = np.arange(n, dtype=np.float64)
    choices = [
        base,
        base.astype(np.float32),
        base.astype(np.int64),
        base.astype(">f8"),                       # non-native byte order
        base[::2],
        base[::-1],
        base.reshape(1, -1) if n else base,
        base.view(_Sub),
        np.lib.stride_tricks.as_strided(base, shape=(max(n, 1),), strides=(0,)) if n else base,
        base.copy(),
        [1.0, 2.0],
        "abc",
        None,
        3.5,
        (base, base),
        object(),
    ]
    v = rng.choice(choices)
    if isinstance(v, np.ndarray) and rng.random() < 0.2:
        v = v.copy()
        v.flags.writeable = False
    return v


@pytest.fixture
def mod(corpus_builds: dict[str, Path]) -> WasmModule:
    return load(corpus_builds["opt"])


@pytest.fixture
def canaries(mod: WasmModule):
    ptrs = [mod._alloc(4096, 64) for _ in range(4)]
    for p in ptrs:
        mod._memory.write(mod._store, bytes([CANARY]) * 4096, p)
    yield lambda: all(bytes(mod._memory.read(mod._store, p, p + 4096)) == bytes([CANARY]) * 4096
                      for p in ptrs)
    for p in ptrs:
        mod._call("nw_free", p)


def test_random_hostile_arguments(mod: WasmModule, canaries) -> None:
    seed = int(os.environ.get("NW_HOSTILE_SEED", "20261129"))
    cases = int(os.environ.get("NW_HOSTILE_CASES", "1500"))
    print(f"seed {seed} (rerun: NW_HOSTILE_SEED={seed})")
    rng = random.Random(seed)
    counts = {"rejected": 0, "ran": 0}
    live = mod.stats()["live_allocations"]
    for case in range(cases):
        n = rng.choice([0, 1, 3, 8])
        kernel = rng.choice(["sum1d", "axpy", "weighted_sum2d"])
        args: tuple
        if kernel == "sum1d":
            args = (_variants(rng, n),)
        elif kernel == "axpy":
            args = (rng.choice([2.0, np.float32(1), "x", 3]), _variants(rng, n), _variants(rng, n))
        else:
            args = (_variants(rng, n),)
        try:
            getattr(mod, kernel)(*args)
            counts["ran"] += 1
        except TypeError:
            counts["rejected"] += 1
        except Exception as e:  # noqa: BLE001 (an exception Numba raises natively is fine)
            assert type(e).__name__ in {"ValueError", "IndexError"}, f"case {case} seed {seed}: {e!r}"
            counts["rejected"] += 1
        assert canaries(), f"case {case} (seed {seed}): a canary was overwritten"
        assert mod.stats()["live_allocations"] == live, f"case {case} (seed {seed}): leak"
    print(f"{cases} cases: {counts['rejected']} rejected, {counts['ran']} ran, "
          "0 out-of-bounds writes, 0 leaks")
    assert counts["ran"] and counts["rejected"]
