"""LLVM IR of compiled Numba dispatchers in the numba-wasm input format.

For every overload the text holds:

    ; numba-wasm-args: <mangled symbol> <JSON list of argument types>
    ; numba-wasm-return: <mangled symbol> <numba return type>
    ; ---- numba-wasm module: <module.qualname> <signature> ----
    <IR text of dispatcher.inspect_llvm(sig)>

which is what `numba-wasm build` reads. The IR form (optimized or NUMBA_OPT=0)
is whatever the running Numba was configured with.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
from collections.abc import Iterable, Iterator
from typing import Any, TextIO


def is_dispatcher(obj: Any) -> bool:
    from numba.core.dispatcher import Dispatcher
    return isinstance(obj, Dispatcher)


def full_name(dispatcher) -> str:
    """`module.qualname`, the name numba-wasm uses in its messages."""
    f = dispatcher.py_func
    return f"{f.__module__}.{f.__qualname__}"


def overload_entries(dispatcher) -> Iterator[tuple[tuple, Any]]:
    """Yield (argument types, compile result) per overload, in compile order."""
    yield from dispatcher.overloads.items()


def entry_symbol(cres) -> str:
    """The mangled name of the function the CPython wrapper calls."""
    return cres.fndesc.mangled_name


def is_object_mode(cres) -> bool:
    return bool(getattr(cres, "objectmode", False))


def type_text(t: Any) -> str:
    """A Numba type as numba-wasm reads it: `str(t)`, except that literals
    are spelled as their underlying type (literal strings with their value,
    which Numba returns from the type, not from memory) and named tuples with their field
    names (`NamedTuple(P, x=int64, y=float64)`; Numba's `str` drops them)."""
    from numba.core import types

    if isinstance(t, types.StringLiteral):  # the value lives in the type
        return f"Literal[str]({json.dumps(t.literal_value)})"
    if isinstance(t, types.Literal) and not isinstance(t, types.Omitted):
        return type_text(types.unliteral(t))
    if isinstance(t, types.Array) and isinstance(t.dtype, types.Record):
        return _records_text(t)
    if isinstance(t, types.Record):
        return _record_text(t) or str(t)
    if isinstance(t, types.BaseNamedTuple):
        fields = "".join(f", {f}={type_text(i)}" for f, i in zip(t.fields, t.types))
        return f"NamedTuple({t.instance_class.__name__}{fields})"
    if isinstance(t, types.BaseTuple) and _has_own_spelling(t):
        return f"Tuple({', '.join(type_text(i) for i in t.types)})"
    return str(t)


def _record_text(rec: Any) -> str | None:
    """`record(x=float64@0, y=int32@8; 16)`, or None when a field is not a
    plain scalar (or its name not an ASCII identifier)."""
    from numba.core import types

    fields = []
    for name, _ in rec.members:
        ft = rec.typeof(name)
        if not isinstance(ft, (types.Number, types.Boolean)) or not name.isidentifier() \
                or not name.isascii():
            return None
        fields.append(f"{name}={ft}@{rec.offset(name)}")
    return f"record({', '.join(fields)}; {rec.size})"


def _records_text(t: Any) -> str:
    """`array(record(x=float64@0, y=int32@8; 16), 1d, C)`; `str(t)` (which
    numba-wasm refuses, naming it) when a field is not a plain scalar."""
    rec = _record_text(t.dtype)
    if rec is None:
        return str(t)
    ro = "" if t.mutable else "readonly "
    return f"{ro}array({rec}, {t.ndim}d, {t.layout})"


def _has_own_spelling(t: Any) -> bool:
    """Does tuple type t hold a named tuple, a literal str or a record, which
    `str(t)` does not spell the way numba-wasm reads?"""
    from numba.core import types

    if isinstance(t, (types.BaseNamedTuple, types.StringLiteral, types.Record)):
        return True
    return isinstance(t, types.BaseTuple) and any(_has_own_spelling(i) for i in t.types)


def format_overload(dispatcher, sig, cres=None) -> str:
    """The annotated IR text of one overload (`sig` = its argument types)."""
    if cres is None:
        cres = dispatcher.overloads[sig]
    sym = entry_symbol(cres)
    ret = type_text(cres.signature.return_type)
    args = json.dumps([type_text(a) for a in cres.signature.args])
    ir = dispatcher.inspect_llvm(sig)
    if "define" not in ir or sym not in ir:
        raise RuntimeError(f"symbol {sym} not found in IR of "
                           f"{dispatcher.py_func.__qualname__}{sig}")
    parts = [
        f"; numba-wasm-args: {sym} {args}\n",
        f"; numba-wasm-return: {sym} {ret}\n",
        f"; ---- numba-wasm module: {full_name(dispatcher)} {cres.signature} ----\n",
        ir,
    ]
    if not ir.endswith("\n"):
        parts.append("\n")
    return "".join(parts)


def dump_overloads(pairs: Iterable[tuple[Any, tuple]], stream: TextIO) -> int:
    """Write the given (dispatcher, argument types) overloads; returns the count."""
    n = 0
    for dispatcher, sig in pairs:
        stream.write(format_overload(dispatcher, sig))
        n += 1
    return n


def dump_dispatcher(dispatcher, stream: TextIO) -> int:
    """Write every overload of `dispatcher`; returns the count."""
    return dump_overloads(((dispatcher, sig) for sig in dispatcher.overloads), stream)


def dump_dispatchers(dispatchers: Iterable, stream: TextIO) -> int:
    return sum(dump_dispatcher(d, stream) for d in dispatchers)


def materialize(arg: Any) -> Any:
    """Generated inputs (objects with a materialize() method) -> arrays."""
    m = getattr(arg, "materialize", None)
    return m() if callable(m) else arg


def load_module(path: str | os.PathLike):
    """Import a Python file as a module named after it (its dir goes on sys.path)."""
    path = os.path.abspath(path)
    name = os.path.splitext(os.path.basename(path))[0]
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return mod


def run_cases(mod) -> None:
    """Run mod.cases() (if any) so lazily typed kernels get compiled."""
    if not hasattr(mod, "cases"):
        return
    for _cid, func, args in mod.cases():
        try:
            func(*[materialize(a) for a in args])
        except Exception:  # a case may test an exception; it still compiled
            pass


def module_dispatchers(mod, names: Iterable[str] | None = None) -> list:
    """The named dispatchers of `mod`, or all compiled ones defined in it."""
    if names:
        return [getattr(mod, n) for n in names]
    return [v for v in vars(mod).values()
            if is_dispatcher(v) and v.py_func.__module__ == mod.__name__
            and v.overloads]
