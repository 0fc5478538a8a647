"""The shim's float64 exp, log and pow (shims/src/math/aor.rs) equal native
Numba's (glibc's FMA build on x86-64) bit for bit. They take unfused steps
first and the emulated fused multiply-adds only for results near a rounding
midpoint, a few percent of inputs: 2·10^5 random points per function reach
both paths, so a slip in either shows as a differing result. (The bound
that picks the path is argued in aor.rs: results where it matters are rarer
than one in 10^6, too rare for a test to find.)"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import libm_accuracy as la  # noqa: E402

N = 200_000


def _has_fma() -> bool:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " fma " in flags or " fma\n" in flags


pytestmark = pytest.mark.skipif(
    not _has_fma(), reason="glibc's exp/log/pow differ in the last bit without FMA hardware")


def _inputs(name: str, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    sign = rng.choice([-1.0, 1.0], N)
    if name == "exp":
        x = np.concatenate([rng.uniform(-745, 710, N), sign * 2.0 ** rng.uniform(-60, 9.4, N)])
        return (x,)
    if name == "log":
        x = np.concatenate([rng.uniform(0, 1000, N), 2.0 ** rng.uniform(-1074, 1024, N),
                            rng.uniform(0.9, 1.1, N)])
        return (x,)
    x = np.concatenate([rng.uniform(0, 100, N), 2.0 ** rng.uniform(-30, 30, N)])
    y = np.concatenate([rng.uniform(-100, 100, N), rng.uniform(-20, 20, N)])
    return x, y


FUNCS = {"exp": "math.exp(x)", "log": "math.log(x)", "pow": "math.pow(x, y)"}


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    from numba_wasm.build import build_overloads
    from numba_wasm.runtime import load

    from numba import njit

    rng = np.random.default_rng(20261130)
    jobs = []
    for name, expr in FUNCS.items():
        f = la.Func(f"bits.{name}", expr, lambda *a: None, arity=2 if name == "pow" else 1)
        inputs = _inputs(name, rng)
        disp = njit(la.kernel(f, "float64"))
        jobs.append((name, disp, inputs, disp(*inputs)))
    with tempfile.TemporaryDirectory(prefix="numba_wasm_exp_log_") as tmp:
        res = build_overloads([(d, d.signatures[-1]) for _n, d, _i, _o in jobs], Path(tmp),
                              name="explog")
        mod = load(res.wasm.read_bytes())
    return {name: (native, getattr(mod, d.py_func.__name__)(*inputs))
            for name, d, inputs, native in jobs}


@pytest.mark.parametrize("name", list(FUNCS))
def test_bit_identical_to_native(results, name):
    native, wasm = results[name]
    differ = np.flatnonzero((native.view(np.uint64) != wasm.view(np.uint64))
                            & ~(np.isnan(native) & np.isnan(wasm)))
    assert differ.size == 0, f"{differ.size} of {native.size} differ, first at {differ[:5]}"
