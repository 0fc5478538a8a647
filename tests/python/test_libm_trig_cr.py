"""The shim's float64 sin, cos, tan, asin, acos, atan and atan2
(shims/src/math/trig.rs, atan.rs) are correctly rounded: each result of a
wasm kernel equals mpmath's exact value rounded to double, on random
arguments of several kinds (moderate, near multiples of π/2, huge, near ±1,
tiny ratios) and on known hard cases. A few thousand points per function, so
the slow path (~0.3% of arguments) is reached too."""
from __future__ import annotations

import math
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

mpmath = pytest.importorskip("mpmath")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import libm_accuracy as la  # noqa: E402

N = 1500  # random points per kind
PREC = 200  # mpmath bits beyond the argument's own magnitude


def _near_pio2(rng: np.random.Generator, n: int) -> np.ndarray:
    """Doubles next to k·π/2 for k up to 2^40, both signs."""
    k = np.round(2.0 ** rng.uniform(0, 40, n))
    x = k * (math.pi / 2) * rng.choice([-1.0, 1.0], n)
    return np.nextafter(x, np.where(rng.random(n) < 0.5, -np.inf, np.inf))


def _inputs(name: str, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    sign = rng.choice([-1.0, 1.0], N)
    if name in ("sin", "cos", "tan"):
        hard = [6381956970095103.0 * 2.0**797, 1e22, 1e300, 1.6e6, 0.7853981633974483, 355.0]
        x = np.concatenate([rng.uniform(-10, 10, N), rng.uniform(-1.6e6, 1.6e6, N),
                            sign * 2.0 ** rng.uniform(-30, 1024, N), _near_pio2(rng, N), hard])
        return (x,)
    if name in ("asin", "acos"):
        near1 = sign * (1 - 2.0 ** -rng.uniform(1, 53, N))
        x = np.concatenate([rng.uniform(-1, 1, N), near1, sign * 2.0 ** rng.uniform(-70, 0, N),
                            [0.5, -0.5, 0.9999999999999999, 1e-8]])
        return (x,)
    if name == "atan":
        x = np.concatenate([rng.uniform(-20, 20, N), sign * 2.0 ** rng.uniform(-30, 60, N),
                            [1.0, 1.0 / 64, 63.0 / 64, 1.8e16, 7.450580596923828e-9]])
        return (x,)
    # atan2: moderate, wide-ranging, and 2^-k over 1 - m·2^-53 (quotients
    # ~2^-106 from a midpoint)
    k = rng.integers(20, 70, N)
    m = rng.integers(0, 6, N)
    ty = sign * 2.0 ** -k.astype(float) * (1 + rng.integers(0, 8, N) * 2.0**-52)
    tx = np.where(rng.random(N) < 0.5, 1 - m * 2.0**-53, 1 + m * 2.0**-52)
    y = np.concatenate([rng.uniform(-10, 10, N), sign * 2.0 ** rng.uniform(-300, 300, N), ty,
                        [2.0**-60]])
    x = np.concatenate([rng.uniform(-10, 10, N), 2.0 ** rng.uniform(-300, 300, N) * sign[::-1], tx,
                        [0.9999999999999999]])
    return y, x


FUNCS: dict[str, tuple[str, Callable[..., object]]] = {
    "sin": ("math.sin(x)", mpmath.sin), "cos": ("math.cos(x)", mpmath.cos),
    "tan": ("math.tan(x)", mpmath.tan), "asin": ("math.asin(x)", mpmath.asin),
    "acos": ("math.acos(x)", mpmath.acos), "atan": ("math.atan(x)", mpmath.atan),
    "atan2": ("math.atan2(x, y)", mpmath.atan2),
}


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[tuple[np.ndarray, ...], np.ndarray]]:
    from numba_wasm.build import build_overloads
    from numba_wasm.runtime import load

    from numba import njit

    rng = np.random.default_rng(20261129)
    jobs = []
    for name, (expr, _ref) in FUNCS.items():
        f = la.Func(f"cr.{name}", expr, _ref, arity=2 if name == "atan2" else 1)
        inputs = _inputs(name, rng)
        disp = njit(la.kernel(f, "float64"))
        disp(*inputs)
        jobs.append((name, disp, inputs))
    with tempfile.TemporaryDirectory(prefix="numba_wasm_trig_cr_") as tmp:
        res = build_overloads([(d, d.signatures[-1]) for _n, d, _i in jobs], Path(tmp), name="trigcr")
        mod = load(res.wasm.read_bytes())
    return {name: (inputs, getattr(mod, d.py_func.__name__)(*inputs)) for name, d, inputs in jobs}


@pytest.mark.parametrize("name", list(FUNCS))
def test_correctly_rounded(results, name):
    inputs, out = results[name]
    ref = FUNCS[name][1]
    wrong = []
    for j in range(out.shape[0]):
        args = [float(a[j]) for a in inputs]
        big = max(abs(a) for a in args)
        # huge arguments of sin/cos/tan need their magnitude's bits for the reduction
        extra = max(0, math.frexp(big)[1]) if name in ("sin", "cos", "tan") else 0
        with mpmath.workprec(PREC + extra):
            v = ref(*(mpmath.mpf(a) for a in args))
            expect = la._to_float(v, "float64")
        got = float(out[j])
        if not (got == expect or (math.isnan(got) and math.isnan(expect))):
            wrong.append(f"{name}{tuple(args)}: {got!r} != {expect!r}")
    assert not wrong, "\n".join(wrong[:10]) + f"\n({len(wrong)} of {out.shape[0]})"
