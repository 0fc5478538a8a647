"""Accuracy of the shim's libm against native Numba (glibc) and mpmath.

Every `math`, `cmath` and NumPy ufunc that calls libm is compiled, float64
and float32, into a kernel `k(x[, y]) -> out` natively and to wasm (one
numba-wasm module for all of them, run on wasmtime). Both are evaluated on a
seeded grid (edge cases, log-spaced magnitudes of both signs, random points in
the function's domain) and compared with mpmath, correctly rounded to the
target precision: max/mean ulp error of native and wasm, inputs where wasm
differs from native, and special-value mismatches (inputs whose exact result,
or native's result, is ±0, ±inf, nan or subnormal, or whose input is one).

    python scripts/libm_accuracy.py            # writes docs/libm.md
    python scripts/libm_accuracy.py --check    # regenerates, compares, checks invariants

tests/python/test_libm.py imports this module and runs it on a smaller grid.
"""
from __future__ import annotations

import argparse
import cmath
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import mpmath
import numpy as np

from numba import njit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "python") not in sys.path:
    sys.path.insert(0, str(ROOT / "python"))  # the checkout's numba_wasm
# the checkout's CLI (and the shim it embeds), unless one is chosen explicitly
if (ROOT / "target" / "release" / "numba-wasm").is_file():
    os.environ.setdefault("NUMBA_WASM_BIN", str(ROOT / "target" / "release" / "numba-wasm"))
DOC = ROOT / "docs" / "libm.md"
SEED = 20261129
PREC = 160  # mpmath working precision (bits) of the reference

# Where wasm may have a larger max error than native on the grid, and why.
# Keys: (function, dtype). Values: extra ulps allowed over native's max.
# (The shim's float64 sin/cos/tan/asin/acos/atan/atan2 are correctly rounded,
# shims/src/math/trig.rs and atan.rs, so the cmath functions built on them
# need no allowance either.)
TOLERANCE: dict[tuple[str, str], float] = {}


@dataclass
class Func:
    """One function under test: `expr` uses `x` (and `y`) and `M` (math, cmath, np)."""

    name: str
    expr: str
    ref: Callable[..., object]
    arity: int = 1
    lo: float = -1e3      # random uniform points in [lo, hi]
    hi: float = 1e3
    edges: tuple[float, ...] = ()
    complex_: bool = False
    positive: bool = False  # log-spaced magnitudes positive only
    dtypes: tuple[str, ...] = ("float64", "float32")


def _real(v: object) -> object:
    """mpmath result as a real; a non-real value is nan (C's domain error)."""
    if isinstance(v, mpmath.mpc):
        return v.real if v.imag == 0 else mpmath.mpf("nan")
    return v


def _r(f: Callable[..., object]) -> Callable[..., object]:
    return lambda *a: _real(f(*a))


def _cbrt(x: object) -> object:
    return mpmath.sign(x) * mpmath.cbrt(abs(x))


def _lgamma(x: object) -> object:
    if x <= 0 and x == mpmath.floor(x):
        return mpmath.inf
    return mpmath.re(mpmath.loggamma(x))


def _gamma(x: object) -> object:
    if x <= 0 and x == mpmath.floor(x):
        return mpmath.nan  # zeros are special inputs, scored against native
    return mpmath.gamma(x)


def _pow(x: object, y: object) -> object:
    if x == 0:
        if y == 0:
            return mpmath.mpf(1)
        return mpmath.mpf(0) if y > 0 else mpmath.inf
    if x < 0:
        if y != mpmath.floor(y):
            return mpmath.nan
        v = mpmath.power(-x, y)
        return -v if int(y) % 2 else v
    return mpmath.power(x, y)


def _logaddexp(x: object, y: object) -> object:
    return max(x, y) + mpmath.log1p(mpmath.exp(-abs(x - y)))


def _logaddexp2(x: object, y: object) -> object:
    return max(x, y) + mpmath.log1p(mpmath.power(2, -abs(x - y))) / mpmath.log(2)


E_TRIG = (0.0, 1.0, -1.0, 0.5, 1.5707963267948966, 3.141592653589793, 1e22, 1e300, 2.0**-1074,
          2.0**-149, 1e-300, 5e-324)
E_EXP = (0.0, 1.0, -1.0, 709.78, 709.7827128933840, -708.39, -745.13, -745.2, 88.72, 88.7228394,
         -87.3, -103.97, -104.0, 1e-300, 2.0**-1074, 1e300, -1e300, 0.5, 2.0**-30)
E_LOG = (0.0, 1.0, 2.0, 10.0, 0.5, 1.0000000000000002, 0.9999999999999999, 2.0**-1074, 2.0**-1022,
         2.0**-149, 2.0**-126, 1.7976931348623157e308, 3.4028234663852886e38, -1.0, -0.0, 1e-300)
E_UNIT = (0.0, 1.0, -1.0, 0.5, -0.5, 0.9999999999999999, -0.9999999999999999, 1.0000000000000002,
          1e-300, 2.0**-1074, 2.0, -2.0)
E_HYP = (0.0, 1.0, -1.0, 710.0, 710.4758600739439, 711.0, -710.5, 89.4, 89.5, 20.0, 22.0, 0.5,
         2.0**-1074, 1e-300, 1e300, -1e300, 19.06, 9.01)
E_GAMMA = (0.0, 1.0, 2.0, 0.5, -0.5, -1.0, -2.0, -2.5, 171.6, 171.7, 172.0, 35.04, 35.05, -170.5,
           -171.5, -184.5, 2.0**-1074, 1e-300, 1e300, -1e300, 3.0, 1e17, -2.4570247382208006,
           -2.7476826467274127, -3.1435808883499797, -3.9552942848585694, 2.0**-149)
E_ERF = (0.0, 1.0, -1.0, 0.84375, 1.25, 2.857, 6.0, 26.5, 27.3, 28.0, -6.0, 10.0, 9.1, 3.8,
         2.0**-1074, 1e-300, 1e300)

FUNCS: list[Func] = [
    # math.*
    Func("math.sin", "math.sin(x)", mpmath.sin, lo=-10, hi=10, edges=E_TRIG),
    Func("math.cos", "math.cos(x)", mpmath.cos, lo=-10, hi=10, edges=E_TRIG),
    Func("math.tan", "math.tan(x)", mpmath.tan, lo=-10, hi=10, edges=E_TRIG),
    Func("math.asin", "math.asin(x)", _r(mpmath.asin), lo=-1, hi=1, edges=E_UNIT),
    Func("math.acos", "math.acos(x)", _r(mpmath.acos), lo=-1, hi=1, edges=E_UNIT),
    Func("math.atan", "math.atan(x)", mpmath.atan, lo=-20, hi=20, edges=E_UNIT),
    Func("math.sinh", "math.sinh(x)", mpmath.sinh, lo=-30, hi=30, edges=E_HYP),
    Func("math.cosh", "math.cosh(x)", mpmath.cosh, lo=-30, hi=30, edges=E_HYP),
    Func("math.tanh", "math.tanh(x)", mpmath.tanh, lo=-10, hi=10, edges=E_HYP),
    Func("math.asinh", "math.asinh(x)", mpmath.asinh, lo=-100, hi=100, edges=E_HYP),
    Func("math.acosh", "math.acosh(x)", _r(mpmath.acosh), lo=-10, hi=100, edges=E_HYP + (-2.5, -3.0)),
    Func("math.atanh", "math.atanh(x)", _r(mpmath.atanh), lo=-1, hi=1, edges=E_UNIT),
    Func("math.exp", "math.exp(x)", mpmath.exp, lo=-750, hi=710, edges=E_EXP),
    Func("math.exp2", "math.exp2(x)", lambda x: mpmath.power(2, x), lo=-1080, hi=1025, edges=E_EXP),
    Func("math.expm1", "math.expm1(x)", mpmath.expm1, lo=-40, hi=710, edges=E_EXP),
    Func("math.log", "math.log(x)", _r(mpmath.log), lo=0, hi=1e3, positive=True, edges=E_LOG),
    Func("math.log2", "math.log2(x)", _r(lambda x: mpmath.log(x, 2)), lo=0, hi=1e3, positive=True,
         edges=E_LOG),
    Func("math.log10", "math.log10(x)", _r(mpmath.log10), lo=0, hi=1e3, positive=True, edges=E_LOG),
    Func("math.log1p", "math.log1p(x)", _r(mpmath.log1p), lo=-1, hi=10, edges=E_LOG + (-1.0, -0.5)),
    Func("math.sqrt", "math.sqrt(x)", _r(mpmath.sqrt), lo=0, hi=1e3, positive=True, edges=E_LOG),
    Func("math.erf", "math.erf(x)", mpmath.erf, lo=-6, hi=6, edges=E_ERF),
    Func("math.erfc", "math.erfc(x)", mpmath.erfc, lo=-6, hi=28, edges=E_ERF),
    Func("math.gamma", "math.gamma(x)", _gamma, lo=-30, hi=172, edges=E_GAMMA),
    Func("math.lgamma", "math.lgamma(x)", _lgamma, lo=-30, hi=100, edges=E_GAMMA),
    Func("math.pow", "math.pow(x, y)", _pow, arity=2, lo=0, hi=10),
    Func("math.atan2", "math.atan2(x, y)", mpmath.atan2, arity=2, lo=-10, hi=10),
    Func("math.hypot", "math.hypot(x, y)", mpmath.hypot, arity=2, lo=-10, hi=10),
    # NumPy ufuncs with their own lowering (the others reach the same libm
    # calls as math.*: np.exp -> llvm.exp, np.arcsinh -> asinh, ...)
    Func("np.power", "np.power(x, y)", _pow, arity=2, lo=0, hi=10),
    Func("np.arctan2", "np.arctan2(x, y)", mpmath.atan2, arity=2, lo=-10, hi=10),
    Func("np.logaddexp", "np.logaddexp(x, y)", _logaddexp, arity=2, lo=-50, hi=50),
    Func("np.logaddexp2", "np.logaddexp2(x, y)", _logaddexp2, arity=2, lo=-50, hi=50),
    Func("np.exp", "np.exp(x)", mpmath.exp, lo=-750, hi=710, edges=E_EXP),
    Func("np.log", "np.log(x)", _r(mpmath.log), lo=0, hi=1e3, positive=True, edges=E_LOG),
    Func("np.expm1", "np.expm1(x)", mpmath.expm1, lo=-40, hi=710, edges=E_EXP),
    Func("np.log1p", "np.log1p(x)", _r(mpmath.log1p), lo=-1, hi=10, edges=E_LOG + (-1.0,)),
    Func("np.cbrt", "np.cbrt(x)", _cbrt, lo=-1e3, hi=1e3, edges=E_LOG),
    Func("np.arcsinh", "np.arcsinh(x)", mpmath.asinh, lo=-100, hi=100, edges=E_HYP),
    Func("np.arccosh", "np.arccosh(x)", _r(mpmath.acosh), lo=-10, hi=100, edges=E_HYP + (-2.5,)),
    Func("np.arctanh", "np.arctanh(x)", _r(mpmath.atanh), lo=-1, hi=1, edges=E_UNIT),
    # cmath.* (complex128 and complex64): error per component
    *[Func(f"cmath.{n}", f"cmath.{n}(x)", getattr(mpmath, m), lo=-3, hi=3, complex_=True)
      for n, m in (("exp", "exp"), ("log", "log"), ("log10", "log10"), ("sqrt", "sqrt"),
                   ("sin", "sin"), ("cos", "cos"), ("tan", "tan"), ("sinh", "sinh"),
                   ("cosh", "cosh"), ("tanh", "tanh"), ("asin", "asin"), ("acos", "acos"),
                   ("atan", "atan"), ("asinh", "asinh"), ("acosh", "acosh"), ("atanh", "atanh"))],
]

# Formats: (mantissa bits incl. hidden, min normal exponent, max finite).
FMT = {"float64": (53, -1022, float(np.finfo(np.float64).max)),
       "float32": (24, -126, float(np.finfo(np.float32).max))}
CTYPE = {"float64": "complex128", "float32": "complex64"}


def grid(f: Func, dtype: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """Edge cases, log-spaced magnitudes of both signs, random points."""
    with np.errstate(over="ignore"):  # float32 casts of large magnitudes give inf
        return _grid(f, dtype, n, rng)


def _grid(f: Func, dtype: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    dt = np.dtype(dtype)
    fi = np.finfo(dt)
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, float(fi.smallest_subnormal),
                -float(fi.smallest_subnormal), float(fi.tiny), float(fi.max), -float(fi.max)]
    if f.complex_:
        # components from a small set of specials, then random points in a box
        comp = [0.0, -0.0, 1.0, -1.0, np.inf, -np.inf, np.nan, 1e-30, 1e30, 0.5]
        pts = [complex(a, b) for a in comp for b in comp]
        re = rng.uniform(f.lo, f.hi, n)
        im = rng.uniform(f.lo, f.hi, n)
        vals = np.array(pts + list(re + 1j * im), dtype=CTYPE[dtype])
        return (vals,)
    nlog = n // 3
    emax = math.log10(float(fi.max))
    mags = np.logspace(-emax, emax, nlog)
    logs = np.concatenate([mags, mags if f.positive else -mags])
    uni = rng.uniform(f.lo, f.hi, n - nlog)
    base = np.concatenate([np.array(specials + list(f.edges)), logs, uni])
    if f.arity == 1:
        x = base.astype(dt)
        return (x,)
    # binary: the specials crossed, then random pairs
    sp = np.array(specials + [1.0, -1.0, 2.0, 0.5, 3.0, -3.0])
    xs, ys = np.meshgrid(sp, sp)
    rx = rng.uniform(f.lo, f.hi, n)
    ry = rng.uniform(-50 if f.name.endswith("pow") or f.name == "np.power" else f.lo,
                     50 if f.name.endswith("pow") or f.name == "np.power" else f.hi, n)
    if f.name in ("math.pow", "np.power"):
        # near 1 with large exponents, negative bases with integer exponents
        k = n // 4
        rx[:k] = 1 + rng.uniform(-1e-3, 1e-3, k)
        ry[:k] = rng.uniform(-1e5, 1e5, k)
        rx[k:2 * k] = -rng.uniform(0, 10, k)
        ry[k:2 * k] = np.round(rng.uniform(-60, 60, k))
    return (np.concatenate([xs.ravel(), rx]).astype(dt), np.concatenate([ys.ravel(), ry]).astype(dt))


def kernel(f: Func, dtype: str) -> Callable[..., np.ndarray]:
    """`k(x[, y])`: f applied elementwise, into a fresh array."""
    args = "x, y" if f.arity == 2 else "x"
    elem = f.expr.replace("(x, y)", "(x[i], y[i])").replace("(x)", "(x[i])")
    src = (f"def k({args}):\n"
           f"    out = np.empty_like(x)\n"
           f"    for i in range(x.shape[0]):\n"
           f"        out[i] = {elem}\n"
           f"    return out\n")
    ns: dict[str, object] = {"math": math, "cmath": cmath, "np": np}
    exec(compile(src, f"<libm {f.name}>", "exec"), ns)  # noqa: S102 - fixed templates above
    k = ns["k"]
    # distinct names: they become the module's exports
    k.__name__ = k.__qualname__ = f"{f.name.replace('.', '_')}_{dtype}"  # type: ignore[attr-defined]
    return k  # type: ignore[return-value]


@dataclass
class Row:
    name: str
    dtype: str
    n: int = 0
    native_max: float = 0.0
    native_sum: float = 0.0
    wasm_max: float = 0.0
    wasm_sum: float = 0.0
    differ: int = 0
    far: int = 0  # results more than 1 ulp (of native's result) away from native's
    special_mismatch: list[str] = field(default_factory=list)
    worst: str = ""

    @property
    def native_mean(self) -> float:
        return self.native_sum / max(self.n, 1)

    @property
    def wasm_mean(self) -> float:
        return self.wasm_sum / max(self.n, 1)


def _to_float(r: object, dtype: str) -> float:
    """Correctly rounded value of mpmath `r` in `dtype` (as a Python float)."""
    if mpmath.isnan(r):
        return math.nan
    p, emin, fmax = FMT[dtype]
    if mpmath.isinf(r):
        return math.copysign(math.inf, float(r))
    with mpmath.workprec(p):
        if r == 0:
            return 0.0
        _m, e = mpmath.frexp(r)
        # subnormals: fewer bits
        bits = p - max(0, (emin + 1) - e)
        if bits <= 0:
            return math.copysign(0.0, float(r)) if abs(r) <= mpmath.ldexp(1, emin - p) else \
                math.copysign(2.0 ** (emin - p + 1), float(r))
        with mpmath.workprec(bits):
            v = float(+r)
    if abs(v) > fmax:
        return math.copysign(math.inf, v)
    return v


def ulp_error(y: float, r: object, dtype: str) -> float:
    """|y - r| in ulps of the format at r; 0 if both are the same special, inf if not."""
    ry = _to_float(r, dtype)
    if math.isnan(ry) or math.isinf(ry) or math.isnan(y) or math.isinf(y):
        same = (math.isnan(ry) and math.isnan(y)) or ry == y
        return 0.0 if same else math.inf
    if y == 0 or ry == 0:
        return 0.0 if y == ry else math.inf
    p, emin, _ = FMT[dtype]
    if r == 0:
        return math.inf
    _m, e = mpmath.frexp(r)
    ulp = mpmath.ldexp(1, max(e - 1, emin) - p + 1)
    return float(abs(mpmath.mpf(y) - r) / ulp)


def _same(a: complex, b: complex) -> bool:
    """Bit-identical up to NaN payload and sign (glibc's NaN sign is not specified)."""
    if isinstance(a, complex):
        return _same(a.real, b.real) and _same(a.imag, b.imag)  # type: ignore[union-attr]
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return a == b and math.copysign(1, a) == math.copysign(1, b)


def evaluate(funcs: list[Func], n: int, progress: bool = True) -> list[Row]:
    """Build, run and score every function in `funcs` on an `n`-point grid."""
    from numba_wasm.build import build_overloads
    from numba_wasm.runtime import load

    rng = np.random.default_rng(SEED)
    jobs = []
    for f in funcs:
        for dtype in f.dtypes:
            inputs = grid(f, dtype, n, rng)
            disp = njit(kernel(f, dtype))
            native = disp(*inputs)
            jobs.append((f, dtype, disp, inputs, native, disp.signatures[-1]))
    # one dispatcher per (function, dtype) keeps the overload names distinct
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="numba_wasm_libm_") as tmp:
        overloads = [(disp, sig) for _f, _d, disp, _i, _n, sig in jobs]
        res = build_overloads(overloads, Path(tmp), name="libm")
        mod = load(res.wasm.read_bytes())
    if progress:
        print(f"built {len(jobs)} kernels into wasm in {time.time() - t0:.1f}s", file=sys.stderr)
    rows = []
    for i, (f, dtype, disp, inputs, native, _sig) in enumerate(jobs):
        wasm = getattr(mod, disp.py_func.__name__)(*inputs)
        rows.append(score(f, dtype, inputs, native, wasm))
        if progress:
            r = rows[-1]
            print(f"[{i + 1}/{len(jobs)}] {f.name:16} {dtype}: native max {r.native_max:.3g}"
                  f" wasm max {r.wasm_max:.3g} differ {r.differ}/{r.n}"
                  f" far {r.far} special {len(r.special_mismatch)} worst {r.worst}", file=sys.stderr)
            for m in r.special_mismatch[:3]:
                print("   ", m, file=sys.stderr)
    return rows


def score(f: Func, dtype: str, inputs: tuple[np.ndarray, ...], native: np.ndarray,
          wasm: np.ndarray) -> Row:
    row = Row(f.name, dtype)
    with mpmath.workprec(PREC):
        for j in range(inputs[0].shape[0]):
            args = tuple(a[j].item() for a in inputs)
            nv, wv = native[j].item(), wasm[j].item()
            if not _same(nv, wv):
                row.differ += 1
                if _ulps_apart(nv, wv, dtype) > 1:
                    row.far += 1
            if _klass(nv) != _klass(wv):
                row.special_mismatch.append(f"{f.name}({', '.join(map(repr, args))}):"
                                            f" native {nv!r} wasm {wv!r}")
                continue
            flat = [v for a in args for v in ((a.real, a.imag) if isinstance(a, complex) else (a,))]
            if any(v == 0 for v in flat):
                continue  # signed zeros: mpmath has none; compared as special values above
            try:
                if f.complex_:
                    z = args[0]
                    # extreme magnitudes: enough bits for the small component
                    wide = max(abs(z.real), abs(z.imag)) > 1e10
                    with mpmath.workprec(PREC * 8 if wide else PREC):
                        ref = f.ref(mpmath.mpc(z.real, z.imag))
                    errs = [(ulp_error(nv.real, ref.real, dtype), ulp_error(wv.real, ref.real, dtype)),
                            (ulp_error(nv.imag, ref.imag, dtype), ulp_error(wv.imag, ref.imag, dtype))]
                else:
                    ref = f.ref(*(mpmath.mpf(a) for a in args))
                    errs = [(ulp_error(nv, ref, dtype), ulp_error(wv, ref, dtype))]
            except (ValueError, ZeroDivisionError, OverflowError):
                continue
            for en, ew in errs:
                if math.isinf(en) and math.isinf(ew):
                    continue  # both special where the exact value is not: no accuracy to compare
                row.n += 1
                row.native_sum += min(en, 1e9)
                row.wasm_sum += min(ew, 1e9)
                row.native_max = max(row.native_max, en)
                if ew > row.wasm_max:
                    row.wasm_max = ew
                    row.worst = repr(args)
    return row


def _ulps_apart(a: complex, b: complex, dtype: str) -> float:
    """|a - b| in ulps of a (per component, the larger); inf across kinds."""
    if isinstance(a, complex):
        return max(_ulps_apart(a.real, b.real, dtype), _ulps_apart(a.imag, b.imag, dtype))
    if _klass(a) != _klass(b):
        return math.inf
    if not math.isfinite(a) or a == b:
        return 0.0
    return abs(a - b) / float(np.spacing(np.dtype(dtype).type(abs(a))))


def _klass(v: complex) -> tuple[str, ...]:
    """nan, ±inf, ±0 or finite (per component): what must match native exactly."""
    if isinstance(v, complex):
        return _klass(v.real) + _klass(v.imag)
    if math.isnan(v):
        return ("nan",)
    if v == 0 or math.isinf(v):
        return (repr(v),)
    return ("finite",)


def _fmt(v: float) -> str:
    if math.isinf(v):
        return "inf"
    return f"{v:.3g}" if v < 1000 else f"{v:.4g}"


def table(rows: list[Row], n: int) -> str:
    out = [
        "# libm accuracy: the wasm shim vs native Numba (glibc)",
        "",
        "Generated by `scripts/libm_accuracy.py` (do not edit; `--check` verifies it).",
        f"Grid: {n} points per function and type (seed {SEED}): edge cases, log-spaced",
        "magnitudes of both signs, random points in the function's domain; cmath: error",
        "per component. Errors in ulps against mpmath (exact result, ulp of the target",
        "format), over the points where both results are finite and no input is ±0.",
        "*Special mismatches* count inputs where wasm's result is not of native's kind",
        "(nan, +inf, -inf, +0, -0, finite), per component. *wasm ≠ native* counts",
        "results not bit-identical (NaN payloads aside), *> 1 ulp from native* those",
        "more than one ulp of native's result away.",
        "",
        ("| function | type | points | native max | native mean | wasm max | wasm mean |"
         " wasm ≠ native | > 1 ulp from native | special mismatches |"),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        out.append(f"| `{r.name}` | {r.dtype} | {r.n} | {_fmt(r.native_max)} | {r.native_mean:.3f} |"
                   f" {_fmt(r.wasm_max)} | {r.wasm_mean:.3f} | {r.differ} | {r.far} |"
                   f" {len(r.special_mismatch)} |")
    worse = [r for r in rows if r.wasm_max > r.native_max]
    listed = "".join(f"\n- `{r.name}` {r.dtype}: {_fmt(r.wasm_max)} vs {_fmt(r.native_max)} ulp"
                     for r in worse) if worse else " none."
    out += ["", ("Where wasm's max error exceeds native's (each allowed, with its reason, in"
                 " `TOLERANCE` of scripts/libm_accuracy.py):") + listed, ""]
    bad = violations(rows)
    out += [f"Violations of the guarantees (special values, max error beyond `TOLERANCE`): {len(bad)}.",
            ""]
    return "\n".join(out) + "\n"


def violations(rows: list[Row]) -> list[str]:
    """The two guarantees: special values as native, max error no worse than native's."""
    bad = []
    for r in rows:
        bad += [f"special value differs: {m}" for m in r.special_mismatch[:5]]
        tol = TOLERANCE.get((r.name, r.dtype), 0.0)
        if r.wasm_max > r.native_max + tol:
            bad.append(f"{r.name} {r.dtype}: wasm max {r.wasm_max:.3g} ulp > native max"
                       f" {r.native_max:.3g} (+{tol}) at {r.worst}")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare with docs/libm.md, check invariants")
    ap.add_argument("-n", type=int, default=2000, help="grid points per function and type")
    ap.add_argument("--only", default="", help="comma-separated function names (no doc written)")
    a = ap.parse_args()
    funcs = [f for f in FUNCS if not a.only or f.name in a.only.split(",")]
    rows = evaluate(funcs, a.n)
    text = table(rows, a.n)
    bad = violations(rows)
    for b in bad:
        print("VIOLATION:", b, file=sys.stderr)
    if a.only:
        print(text)
        return 1 if bad else 0
    if a.check:
        same = DOC.is_file() and DOC.read_text() == text
        if not same:
            print("docs/libm.md is out of date: regenerate with scripts/libm_accuracy.py",
                  file=sys.stderr)
        return 0 if same and not bad else 1
    DOC.write_text(text)
    print(f"wrote {DOC}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
