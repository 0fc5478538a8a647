"""`numba_wasm.verify`: run a kernel natively and in wasm, compare bit for bit."""
from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from . import _ir
from .build import build_overloads, overload_for_args
from .errors import NumbaWasmError, VerificationError


class VerifyResult(NamedTuple):
    """What the native call and the wasm call returned (or raised)."""

    native: Any
    wasm: Any


# (id(dispatcher), overload key) -> (dispatcher, wasm module); the dispatcher
# is kept alive so that its id is not reused.
_MODULES: dict[tuple[int, tuple], tuple[Any, Any]] = {}


def verify(func: Any, *args: Any, rtol: float | None = None, ulps: int = 0,
           form: str = "opt") -> VerifyResult:
    """Call `func(*args)` natively and in wasm, on copies of `args`, and compare.

    Integers and booleans must be equal; floats bit-identical (NaNs included)
    unless `ulps` (units in the last place) or `rtol` (relative tolerance)
    loosen that; arrays need the same dtype, shape and elements; tuples are
    compared item by item; array arguments must be changed in place alike;
    if the native call raises, the wasm call must raise the same class with
    the same message (the exceptions are then returned).
    `form` is the IR form ("opt" or "noopt", i.e. NUMBA_OPT=0), which must be
    the one this process runs Numba with.
    Raises VerificationError (an AssertionError) with a readable diff.
    """
    if not _ir.is_dispatcher(func):
        raise TypeError(f"verify() expects a Numba @njit dispatcher, got {func!r}")
    _check_form(form)
    native_args, wasm_args = clone(args), clone(args)
    native, native_exc = _call(func, native_args)   # compiles the overload too
    key = overload_for_args(func, args)
    cres = func.overloads[key]
    wasm, wasm_exc = _call(_wasm_module(func, key), wasm_args, fname=func.py_func.__name__)

    sig = cres.signature
    name = f"{func.py_func.__qualname__}({', '.join(map(str, sig.args))}) -> {sig.return_type}"
    if native_exc is not None or wasm_exc is not None:
        if not _same_exception(native_exc, wasm_exc):
            raise VerificationError(
                f"{name}: exceptions differ\n  native: {_exc_str(native_exc, native)}"
                f"\n  wasm:   {_exc_str(wasm_exc, wasm)}")
        return VerifyResult(native_exc, wasm_exc)
    cmp = _Comparer(ulps=ulps, rtol=rtol)
    cmp.compare(native, wasm, "result", cres.signature.return_type)
    for i, (n, w, t) in enumerate(zip(native_args, wasm_args, key)):
        cmp.compare(n, w, f"argument {i} (after the call)", t)
    if cmp.diffs:
        raise VerificationError(f"{name}: native and wasm differ\n" + "\n".join("  " + d for d in cmp.diffs))
    return VerifyResult(native, wasm)


def _check_form(form: str) -> None:
    from numba.core import config

    if form not in ("opt", "noopt"):
        raise ValueError(f"form must be 'opt' or 'noopt', not {form!r}")
    current = "noopt" if int(config.OPT) == 0 else "opt"
    if form != current:
        raise NumbaWasmError(
            f"form={form!r} but Numba runs with NUMBA_OPT={int(config.OPT)}: "
            f"set NUMBA_OPT={'0' if form == 'noopt' else '3'} before numba is imported")


def _wasm_module(func: Any, key: tuple) -> Any:
    """The loaded wasm build of one overload, built once per process."""
    from .runtime import load

    cache_key = (id(func), key)
    if cache_key not in _MODULES:
        with tempfile.TemporaryDirectory(prefix="numba_wasm_verify_") as tmp:
            res = build_overloads([(func, key)], Path(tmp), name="verify")
            _MODULES[cache_key] = (func, load(res.wasm.read_bytes()))
    return _MODULES[cache_key][1]


def _call(target: Any, args: tuple, fname: str | None = None) -> tuple[Any, BaseException | None]:
    """(result, None) or (None, exception); compile errors propagate."""
    from numba.core.errors import NumbaError

    fn = getattr(target, fname) if fname else target
    try:
        return fn(*args), None
    except NumbaError:
        raise
    except Exception as e:  # noqa: BLE001 - the kernel's own exception
        return None, e


def _same_exception(a: BaseException | None, b: BaseException | None) -> bool:
    return (a is not None and b is not None and type(a) is type(b)
            and str(a) == str(b))


def _exc_str(e: BaseException | None, value: Any) -> str:
    return f"returned {_short(value)}" if e is None else f"{type(e).__name__}: {e}"


# ---------------------------------------------------------------- copies

def clone(value: Any) -> Any:
    """Deep copy of arguments that keeps each array's dtype, strides and flags
    (so Numba types the copy exactly like the original)."""
    if isinstance(value, np.ndarray):
        return _clone_array(value)
    if isinstance(value, np.void):  # a record: a copy the kernel may write through
        return np.array(value, dtype=value.dtype)[()]
    if isinstance(value, tuple):
        items = (clone(v) for v in value)
        return type(value)(*items) if hasattr(type(value), "_fields") else tuple(items)
    if isinstance(value, list):
        return [clone(v) for v in value]
    if type(value).__module__.startswith("numba.typed") and hasattr(value, "copy"):
        return value.copy()  # a numba.typed.List or Dict: the kernel may change it
    return value


def _clone_array(a: np.ndarray) -> np.ndarray:
    if a.flags.c_contiguous or a.flags.f_contiguous or a.size == 0:
        out = a.copy(order="C" if a.flags.c_contiguous else "F")
    else:  # a strided view: copy the memory span it covers, keep the strides
        lo = sum(s * (n - 1) for s, n in zip(a.strides, a.shape) if s < 0)
        hi = sum(s * (n - 1) for s, n in zip(a.strides, a.shape) if s > 0) + a.itemsize
        raw = np.zeros(hi - lo, dtype=np.uint8)
        out = np.ndarray(a.shape, a.dtype, buffer=raw, offset=-lo, strides=a.strides)
        out[...] = a
    if not a.flags.writeable:
        out.flags.writeable = False
    return out


# ---------------------------------------------------------------- comparing

class _Comparer:
    """Collects human-readable differences between native and wasm values."""

    def __init__(self, ulps: int, rtol: float | None):
        self.ulps, self.rtol = int(ulps), rtol
        self.diffs: list[str] = []

    def compare(self, n: Any, w: Any, path: str, nbtype: Any = None) -> None:
        # numba.typed.List / Dict (the runtime returns a list / dict; a
        # typed.List argument stays one): compared as a list / dict.
        if type(n).__module__.startswith("numba.typed"):
            n = dict(n) if hasattr(n, "keys") else list(n)
        if type(w).__module__.startswith("numba.typed"):
            w = dict(w) if hasattr(w, "keys") else list(w)
        if isinstance(n, np.void) or isinstance(w, np.void):  # records: field by field, bit for bit
            if not (isinstance(n, np.void) and isinstance(w, np.void)) or n.dtype != w.dtype \
                    or type(n) is not type(w):
                self.diffs.append(f"{path}: native {_short(n)} ({type(n).__name__}), "
                                  f"wasm {_short(w)} ({type(w).__name__})")
                return
            for name in n.dtype.names or ():
                if np.asarray(n[name]).tobytes() != np.asarray(w[name]).tobytes():
                    self.diffs.append(f"{path}.{name}: native {n[name]!r}, wasm {w[name]!r}")
        elif isinstance(n, np.ndarray) or isinstance(w, np.ndarray):
            self._arrays(n, w, path)
        elif isinstance(n, dict) or isinstance(w, dict):
            if not (isinstance(n, dict) and isinstance(w, dict)) or len(n) != len(w):
                self.diffs.append(f"{path}: native {_short(n)}, wasm {_short(w)}")
                return
            for i, ((kn, vn), (kw, vw)) in enumerate(zip(n.items(), w.items())):
                self.compare(kn, kw, f"{path} key {i}")  # insertion order, as Numba iterates
                self.compare(vn, vw, f"{path}[{kn!r}]")
        elif isinstance(n, tuple) or isinstance(w, tuple):
            if not (isinstance(n, tuple) and isinstance(w, tuple)) or len(n) != len(w):
                self.diffs.append(f"{path}: native {_short(n)}, wasm {_short(w)}")
                return
            named = [(type(v).__name__, getattr(type(v), "_fields", None)) for v in (n, w)]
            if named[0] != named[1]:
                self.diffs.append(f"{path}: native is {named[0]}, wasm {named[1]} (class, fields)")
                return
            items = getattr(nbtype, "types", None) or [None] * len(n)
            for i, (a, b) in enumerate(zip(n, w)):
                self.compare(a, b, f"{path}[{i}]", items[i] if i < len(items) else None)
        elif isinstance(n, list) or isinstance(w, list):
            self.compare(tuple(n) if isinstance(n, list) else n,
                         tuple(w) if isinstance(w, list) else w, path)
        else:
            self._scalars(n, w, path, nbtype)

    def _scalars(self, n: Any, w: Any, path: str, nbtype: Any) -> None:
        kn, kw = _kind(n), _kind(w)
        if kn != kw:
            self.diffs.append(f"{path}: native {_short(n)} ({type(n).__name__}), "
                              f"wasm {_short(w)} ({type(w).__name__})")
            return
        if kn in ("f", "c"):
            dt = _float_dtype(nbtype, n)
            a = np.array([n], dtype=dt)
            b = np.array([w], dtype=dt)
            if self._float_mismatch(a, b)[0]:
                self.diffs.append(f"{path}: native {_fmt(a[0])}, wasm {_fmt(b[0])}")
        elif kn == "other":
            if n is not w and n != w:
                self.diffs.append(f"{path}: native {_short(n)}, wasm {_short(w)}")
        elif n != w:
            self.diffs.append(f"{path}: native {_plain(n)!r}, wasm {_plain(w)!r}")

    def _arrays(self, n: Any, w: Any, path: str) -> None:
        if not (isinstance(n, np.ndarray) and isinstance(w, np.ndarray)):
            self.diffs.append(f"{path}: native {_short(n)}, wasm {_short(w)}")
            return
        if n.dtype != w.dtype:
            self.diffs.append(f"{path}: dtype native {n.dtype}, wasm {w.dtype}")
            return
        if n.shape != w.shape:
            self.diffs.append(f"{path}: shape native {n.shape}, wasm {w.shape}")
            return
        if n.dtype.kind in "fc":
            bad = self._float_mismatch(n, w)
        else:
            bad = np.asarray(n != w)
        if bad.any():
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            where = idx if len(idx) != 1 else idx[0]
            fmt = _fmt if n.dtype.kind in "fc" else (lambda v: repr(_plain(v)))
            self.diffs.append(
                f"{path}: {int(bad.sum())} of {n.size} elements differ; first at "
                f"index {where}: native {fmt(n[idx])}, wasm {fmt(w[idx])}")

    def _float_mismatch(self, n: np.ndarray, w: np.ndarray) -> np.ndarray:
        """Elementwise: True where float/complex elements are not equal enough."""
        if n.dtype.kind == "c":
            return (self._float_mismatch(n.real.copy(), w.real.copy())
                    | self._float_mismatch(n.imag.copy(), w.imag.copy()))
        itype = np.dtype(f"i{n.dtype.itemsize}")
        bn = np.ascontiguousarray(n).view(itype)
        bw = np.ascontiguousarray(w).view(itype)
        bad = bn != bw
        if not bad.any() or (self.ulps <= 0 and self.rtol is None):
            return bad
        both_nan = np.isnan(n) & np.isnan(w)
        ok = both_nan
        if self.ulps > 0:
            ok = ok | (_ulp_distance(bn, bw) <= self.ulps)
        if self.rtol is not None:
            with np.errstate(invalid="ignore", over="ignore"):
                ok = ok | (np.abs(n - w) <= self.rtol * np.abs(n)) | (n == w)
        return bad & ~ok


def _ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| in units in the last place, from the bit patterns (as ints)."""
    def ordered(x: np.ndarray) -> np.ndarray:
        x = x.astype(object)  # exact big ints, no overflow
        return np.where(x < 0, -(x & ((1 << (8 * a.itemsize - 1)) - 1)), x)
    return np.abs(ordered(a) - ordered(b))


def _kind(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "b"
    if isinstance(v, (int, np.integer)):
        return "i"
    if isinstance(v, (float, np.floating)):
        return "f"
    if isinstance(v, (complex, np.complexfloating)):
        return "c"
    return "other"


def _float_dtype(nbtype: Any, value: Any) -> np.dtype:
    """The precision to compare a scalar in: its Numba type's, else its own."""
    if isinstance(value, np.generic):
        return value.dtype
    try:
        from numba.np.numpy_support import as_dtype
        dt = as_dtype(nbtype)
        if dt.kind in "fc":
            return dt
    except Exception:  # noqa: BLE001 - not a scalar Numba type
        pass
    return np.dtype(np.complex128 if isinstance(value, complex) else np.float64)


def _fmt(x: Any) -> str:
    """A float with its bits (complex: both parts)."""
    x = np.asarray(x)[()]
    if np.iscomplexobj(x):
        return f"{x.item()!r} (re {_fmt(x.real)}, im {_fmt(x.imag)})"
    bits = np.asarray(x).view(f"u{x.dtype.itemsize}")[()]
    return f"{x.item()!r} (0x{int(bits):0{2 * x.dtype.itemsize}x})"


def _plain(v: Any) -> Any:
    """NumPy scalars as Python values (for short reprs)."""
    return v.item() if isinstance(v, np.generic) else v


def _short(v: Any) -> str:
    if isinstance(v, np.ndarray):
        return f"array(dtype={v.dtype}, shape={v.shape})"
    r = repr(_plain(v))
    return r if len(r) <= 80 else r[:77] + "..."
