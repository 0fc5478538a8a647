"""Run a numba-wasm module in Python with wasmtime.

    from numba_wasm.runtime import load
    mod = load("out/kernels.wasm")
    mod.total(np.arange(10.0))

Implements the host side of docs/ABI.md (the same contract as
src/glue/runtime.js): NumPy arrays and Python/NumPy scalars in, values as the
Numba dispatcher returns them out. Every layout, offset and status code comes
from the module's metadata section (its `abi` table, argument slots and
return leaves, computed by the CLI); nothing here re-derives them.
"""
from __future__ import annotations

import builtins
import collections
import ctypes
import io
import json
import os
import pickle
import struct
from pathlib import Path
from typing import Any

import numpy as np
import wasmtime

__all__ = ["load", "WasmModule", "WasmFunction", "RestrictedUnpickler", "decode_exception",
           "FORMAT", "MetadataError"]

# The metadata section format this runtime reads: `metadata::FORMAT` in the
# CLI (src/metadata.rs). tests/python/test_runtime.py fails when they differ.
FORMAT = 5

# LLVM param type -> struct format; integers are written as unsigned after masking.
_SLOT = {"i1": "<B", "i8": "<B", "i16": "<H", "i32": "<I", "i64": "<Q", "ptr": "<I",
         "f32": "<f", "f64": "<d"}
_INT_DTYPES = {"int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"}
_LAYOUT_NAME = {"C": "C-contiguous", "F": "Fortran-contiguous"}


# ---------------------------------------------------------------- metadata

def _leb128(b: bytes, p: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = b[p]
        p += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, p


class MetadataError(ValueError):
    """The module's metadata section is missing or of another format."""


def read_metadata(wasm: bytes) -> dict:
    """The JSON of the `numba_wasm` custom section (wasmtime-py has no
    custom_sections), after checking its format and dtype table."""
    if wasm[:4] != b"\0asm":
        raise ValueError("not a WebAssembly binary")
    p = 8
    while p < len(wasm):
        sec_id = wasm[p]
        size, p = _leb128(wasm, p + 1)
        end = p + size
        if sec_id == 0:
            n, q = _leb128(wasm, p)
            if wasm[q:q + n] == b"numba_wasm":
                return _checked(json.loads(wasm[q + n:end].decode("utf-8")))
        p = end
    raise MetadataError("no metadata (numba_wasm section missing): not built by numba-wasm?")


def _checked(meta: dict) -> dict:
    if meta.get("format") != FORMAT:
        raise MetadataError(
            f"the module's metadata has format {meta.get('format')}, this numba_wasm runtime "
            f"reads format {FORMAT}: rebuild the module with the numba-wasm of this package")
    for name, d in meta["abi"]["dtypes"].items():
        if np.dtype(name).itemsize != d["size"]:
            raise MetadataError(f"dtype {name}: the module says {d['size']} bytes, NumPy "
                                f"{np.dtype(name).itemsize}")
    return meta


# ---------------------------------------------------------------- exceptions

class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles Numba's excinfo payload, resolving only builtin exception classes."""

    # Exception classes outside builtins that Numba raises (AxisError from
    # `sum(axis=k)` and other axis checks), resolved by name from NumPy only.
    _EXTRA = {("numpy.exceptions", "AxisError"), ("numpy.core._exceptions", "AxisError"),
              ("numpy._core._exceptions", "AxisError"), ("numpy", "AxisError")}
    # np.linalg's errors (singular matrix, not positive definite, ...).
    _LINALG = {("numpy.linalg", "LinAlgError"), ("numpy.linalg.linalg", "LinAlgError"),
               ("numpy.linalg._linalg", "LinAlgError")}

    def find_class(self, module: str, name: str) -> Any:
        obj = getattr(builtins, name, None) if module == "builtins" else None
        if (module, name) in self._EXTRA:
            obj = getattr(np.exceptions if hasattr(np, "exceptions") else np, name, None)
        if (module, name) in self._LINALG:
            obj = np.linalg.LinAlgError
        if isinstance(obj, type) and issubclass(obj, BaseException):
            return obj
        raise pickle.UnpicklingError(f"numba-wasm: refusing to unpickle {module}.{name}")


def decode_exception(data: bytes) -> BaseException | None:
    """Numba's pickled (exc_class, args, location) -> exception instance, or None."""
    try:
        value = RestrictedUnpickler(io.BytesIO(data)).load()
        cls, args = value[0], value[1]
        if isinstance(cls, type) and issubclass(cls, BaseException) and isinstance(args, tuple):
            return cls(*args)
    except Exception:  # malformed, truncated, or a class we refuse
        pass
    return None


# ---------------------------------------------------------------- type checks

def _array_layout(a: np.ndarray) -> str:
    """Numba's typeof layout: C wins when an array is both C and F contiguous."""
    return "C" if a.flags.c_contiguous else "F" if a.flags.f_contiguous else "A"


class _Named(tuple):
    """Snapshot of a named tuple argument: its items and its class's fields."""

    name: str = ""
    fields: tuple = ()


class _Omitted:
    """The place of an argument the overload was compiled without."""


_OMITTED = _Omitted()

# (name, fields) -> the namedtuple class results are returned as.
_NAMEDTUPLES: dict[tuple[str, tuple[str, ...]], type] = {}


def _namedtuple(name: str, fields: tuple[str, ...]) -> type:
    """The namedtuple class a result of this name and fields is returned as
    (a plain tuple if the metadata's names are not Python identifiers)."""
    key = (name, fields)
    if key not in _NAMEDTUPLES:
        try:
            _NAMEDTUPLES[key] = collections.namedtuple(name, fields)  # type: ignore[misc]
        except ValueError:
            _NAMEDTUPLES[key] = tuple
    return _NAMEDTUPLES[key]


def _typeof(v: Any) -> str:
    """Numba's name for the type of v, as in its "No matching definition" errors."""
    if isinstance(v, np.ndarray):
        layout = _array_layout(v)
        ro = "readonly " if not v.flags.writeable else ""
        return f"{ro}array({v.dtype.name}, {v.ndim}d, {layout})"
    if isinstance(v, _Named):
        return f"{v.name}({', '.join(map(_typeof, v))})"
    if isinstance(v, tuple):
        return f"Tuple({', '.join(map(_typeof, v))})"
    if isinstance(v, str):
        return "unicode_type"
    scalar = _scalar_dtype(v)
    return scalar or ("none" if v is None else f"pyobject({type(v).__name__})")


def _scalar_dtype(v: Any) -> str | None:
    if isinstance(v, np.generic):
        return v.dtype.name
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):  # Numba types a Python int as int64, or uint64 if only that fits
        return "int64" if -2**63 <= v < 2**63 else "uint64" if 0 <= v < 2**64 else None
    return {float: "float64", complex: "complex128"}.get(type(v))


def _np_dtype(t: dict) -> np.dtype:
    """The NumPy dtype of an array type's elements (a structured dtype for
    an array of records: its fields at their offsets, and its itemsize)."""
    if t["kind"] not in ("records", "record"):
        return np.dtype(t["dtype"])
    fields = t["record"]["fields"]
    return np.dtype({"names": [f["name"] for f in fields], "formats": [f["dtype"] for f in fields],
                     "offsets": [f["offset"] for f in fields], "itemsize": t["record"]["size"]})


def _check(t: dict, v: Any, strict: bool) -> str | None:
    """None if v fits Numba type t, else the reason. strict=False also allows the
    conversions Numba makes when no exact overload exists."""
    kind = t["kind"]
    if kind == "none":
        return None if v is None else f"expected None, got {_typeof(v)}"
    if kind == "tuple":
        items = t["items"]
        if not isinstance(v, tuple) or len(v) != len(items):
            return f"expected a tuple of {len(items)} items, got {_typeof(v)}"
        for i, (it, x) in enumerate(zip(items, v)):
            if err := _check(it, x, strict):
                return f"item {i}: {err}"
        return None
    if kind == "namedtuple":
        # Any tuple of the right length; a named one must have these fields.
        fields = tuple(t["fields"])
        if not isinstance(v, tuple) or len(v) != len(fields):
            return f"expected {t['name']}{fields}, got {_typeof(v)}"
        if isinstance(v, _Named) and v.fields != fields:
            return f"expected {t['name']}{fields}, got {v.name}{v.fields}"
        for f, it, x in zip(fields, t["items"], v):
            if err := _check(it, x, strict):
                return f"field {f}: {err}"
        return None
    if kind == "unicode":
        return None if isinstance(v, str) else f"expected str, got {_typeof(v)}"
    if kind == "list":
        typed_list = type(v).__name__ == "List" and type(v).__module__.startswith("numba.typed")
        if not (isinstance(v, list) or (t["typed"] and typed_list)):
            return f"expected a {'numba.typed.List or ' if t['typed'] else ''}list (its changes are " \
                   f"written back), got {_typeof(v)}"
        for i, x in enumerate(v):
            if err := _check(t["item"], x, strict):
                return f"item {i}: {err}"
        return None
    if kind == "dict":
        return _check_dict(t, v, strict)
    if kind == "record":
        want_dtype = _np_dtype(t)
        def layout(dt: np.dtype) -> tuple:  # fields at offsets and the size, packed or aligned alike
            return dt.itemsize, [(n, *dt.fields[n][:2]) for n in dt.names or ()]
        if not isinstance(v, np.void) or layout(v.dtype) != layout(want_dtype):
            got = f"a record of dtype {v.dtype}" if isinstance(v, np.void) else _typeof(v)
            return f"expected a record (numpy.void) of dtype {want_dtype}, got {got}"
        return None
    if kind == "scalar":
        want, got = t["dtype"], _scalar_dtype(v)
        if got == want:
            return None
        if not strict and type(v) is int and want in _INT_DTYPES:
            info = np.iinfo(want)
            if info.min <= v <= info.max:
                return None
        if not strict and type(v) is float and want == "float32":
            return None
        return f"expected {want}, got {_typeof(v)}"
    if kind in ("array", "records"):
        if not isinstance(v, np.ndarray):
            return f"expected an array, got {_typeof(v)}"
        want_dtype = _np_dtype(t)
        if v.dtype != want_dtype:  # also rejects non-native byte order
            return f"expected dtype {want_dtype}, got {v.dtype if v.dtype.isnative else v.dtype.str}"
        if v.ndim != t["ndim"]:
            return f"expected a {t['ndim']}-d array, got {v.ndim}-d"
        if not v.flags.writeable and not t.get("readonly"):
            return "expected a writeable array, got a readonly one"
        if strict and bool(t.get("readonly")) == v.flags.writeable:
            return "readonly flag differs"
        layout = t["layout"]
        flag = {"C": v.flags.c_contiguous, "F": v.flags.f_contiguous}.get(layout, True)
        if not flag:
            return f"expected a {_LAYOUT_NAME[layout]} array"
        if strict and _array_layout(v) != layout:
            return "layout differs"
        return None
    return f"unsupported argument kind {kind}"


def _is_typed_dict(v: Any) -> bool:
    return type(v).__name__ == "Dict" and type(v).__module__.startswith("numba.typed")


def _dict_key(t: dict, k: Any) -> Any:
    """A checked key as the dict holds it (keys equal here are one key)."""
    return k if t["kind"] == "unicode" else int(k)


def _check_dict(t: dict, v: Any, strict: bool) -> str | None:
    """A typed dict argument: a numba.typed.Dict or a dict, its keys and
    values checked as scalar (or str) arguments; its changes are written back."""
    if not (isinstance(v, dict) or _is_typed_dict(v)):
        return f"expected a numba.typed.Dict or dict (its changes are written back), got {_typeof(v)}"
    seen = set()
    for i, (k, x) in enumerate(v.items()):
        if err := _check(t["key"], k, strict):
            return f"key {i}: {err}"
        if err := _check(t["value"], x, strict):
            return f"value {i}: {err}"
        key = _dict_key(t["key"], k)
        if key in seen:
            return f"key {i} ({k!r}) is another key of the dict as {t['key'].get('dtype', 'str')}"
        seen.add(key)
    return None


def _placed(entry: dict, args: tuple) -> tuple | None:
    """The passed arguments at their positions in entry["args"] (an omitted
    argument is not passed), or None if their number is wrong."""
    kinds = [t["kind"] for t in entry["args"]]
    if len(args) != len(kinds) - kinds.count("omitted"):
        return None
    it = iter(args)
    return tuple(_OMITTED if k == "omitted" else next(it) for k in kinds)


def _check_args(entry: dict, args: tuple, strict: bool) -> str | None:
    full = _placed(entry, args)
    if full is None:
        n = sum(t["kind"] != "omitted" for t in entry["args"])
        return f"takes {n} arguments, got {len(args)}"
    names = entry.get("arg_names", [])
    k = 0
    for i, (t, v) in enumerate(zip(entry["args"], full)):
        if t["kind"] == "omitted":
            continue
        k += 1
        if err := _check(t, v, strict):
            name = names[i] if i < len(names) else f"arg{i}"
            return f"argument {k} ({name}): {err}"
    return None


def _extent(a: np.ndarray) -> tuple[int, int]:
    """Absolute [lo, hi) byte range in process memory that holds every element of a."""
    addr = a.__array_interface__["data"][0]
    lo = addr + sum((n - 1) * s for n, s in zip(a.shape, a.strides) if s < 0)
    hi = addr + sum((n - 1) * s for n, s in zip(a.shape, a.strides) if s > 0) + a.itemsize
    return lo, hi


# ---------------------------------------------------------------- module

class WasmFunction:
    """One Python function name; several entries are overloads."""

    def __init__(self, module: WasmModule, name: str, entries: list[dict]):
        self._module, self.__name__, self.entries = module, name, entries
        self.signatures = [e["signature"] for e in entries]
        self.__doc__ = f"{name}: " + "; ".join(self.signatures)

    def resolve(self, args: tuple) -> dict:
        """The overload Numba would pick for args, or TypeError (nothing runs)."""
        for strict in (True, False):
            for e in self.entries:
                if _check_args(e, args, strict) is None:
                    return e
        why = "\n".join(f"  {e['signature']}: {_check_args(e, args, False)}" for e in self.entries)
        types = ", ".join(map(_typeof, args))
        raise TypeError(f"No matching definition for argument type(s) {types} of {self.__name__}; "
                        f"signatures:\n{why}")

    def __call__(self, *args: Any) -> Any:
        # Read the arguments once; the checks and the call see that snapshot.
        args = tuple(_snapshot(a) for a in args)
        entry = self.resolve(args)
        return self._module._invoke(entry, _placed(entry, args) or ())

    def __repr__(self) -> str:
        return f"<numba-wasm function {self.__name__} {self.signatures}>"


class WasmModule:
    def __init__(self, wasm: bytes):
        self.metadata: dict = read_metadata(wasm)
        self._abi: dict = self.metadata["abi"]
        engine = wasmtime.Engine()
        self._store = wasmtime.Store(engine)
        module = wasmtime.Module(engine, wasm)
        instance = wasmtime.Instance(self._store, module, [self._stub(i) for i in module.imports])
        self._ex = instance.exports(self._store)
        self._memory: wasmtime.Memory = self._ex["memory"]
        # One block for the life of the instance (metadata `call_block`): the
        # stats counters, so that stats() itself never changes the stats, and
        # every call's argument slots, result (retptr) and excinfo pointer.
        # The shim's static block where the module exports it, else allocated.
        block = self.metadata["call_block"]
        self._scratch = (self._call("nw_scratch") & 0xFFFFFFFF if "nw_scratch" in self._ex
                         else self._alloc(block["size"], 8))
        self._argp, self._retp, self._excp = (self._scratch + block[k] for k in ("argp", "retp", "excp"))
        self._seed_random_states()
        groups: dict[str, list[dict]] = {}
        for e in self.metadata["exports"]:
            groups.setdefault(e["name"], []).append(e)
        self.functions: dict[str, WasmFunction] = {n: WasmFunction(self, n, es) for n, es in groups.items()}

    def _seed_random_states(self) -> None:
        """Seed the module's random states from OS entropy, as native Numba
        does at first use (modules built before `nw_random_init` lack it)."""
        if "nw_random_init" not in self._ex:
            return
        entropy = os.urandom(self._abi["random_entropy_bytes"])
        p = self._alloc(len(entropy), 8)
        self._memory.write(self._store, entropy, p)
        self._call("nw_random_init", p, len(entropy))
        self._call("nw_free", p)

    def _stub(self, imp: wasmtime.ImportType) -> wasmtime.Func:
        # Modules normally import nothing; a stray call should fail with its name.
        if not isinstance(imp.type, wasmtime.FuncType):
            raise RuntimeError(f"numba-wasm: module imports {imp.module}.{imp.name}, which is not a function")

        def missing(*_: Any) -> None:
            raise RuntimeError(f"numba-wasm: the module called missing import {imp.module}.{imp.name}")
        return wasmtime.Func(self._store, imp.type, missing)

    def __getattr__(self, name: str) -> WasmFunction:
        functions = self.__dict__.get("functions", {})
        if name in functions:
            return functions[name]
        raise AttributeError(f"numba-wasm module has no function {name!r}")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.functions))

    # ------------------------------------------------------------ memory

    def _mem(self) -> np.ndarray:
        """uint8 view of linear memory; invalid after any wasm call (memory may grow)."""
        n = self._memory.data_len(self._store)
        return np.ctypeslib.as_array(self._memory.data_ptr(self._store), shape=(n,))

    def _call(self, name: str, *args: int) -> Any:
        # i32 params are signed in wasmtime-py; pointers above 2 GiB must wrap.
        return self._ex[name](self._store, *[a - 2**32 if a >= 2**31 else a for a in args])

    def _alloc(self, size: int, align: int) -> int:
        p = self._call("nw_alloc", max(size, 8), align) & 0xFFFFFFFF
        if p == 0:
            raise MemoryError(f"numba-wasm: out of wasm memory (allocating {size} bytes)")
        return p

    def stats(self) -> dict[str, int]:
        self._call("nw_stats", self._scratch)
        keys = self._abi["stats"]
        raw = self._memory.read(self._store, self._scratch, self._scratch + 8 * len(keys))
        q = struct.unpack_from(f"<{len(keys)}Q", raw)
        return dict(zip(keys, q)) | {"memory_bytes": self._memory.data_len(self._store)}

    # ------------------------------------------------------------ calling

    def _copy_in(self, arrays: list[np.ndarray], bufs: list[int]) -> list[int]:
        """Copies arrays into wasm memory; returns each one's data pointer there.
        Arrays whose bytes overlap (views of one buffer, one array passed twice)
        share a single copy, so aliasing behaves as in NumPy."""
        ptrs = [0] * len(arrays)
        spans = sorted((_extent(a) + (i,) for i, a in enumerate(arrays) if a.size), key=lambda s: s[0])
        k = 0
        while k < len(spans):
            lo, hi, j = spans[k][0], spans[k][1], k + 1
            while j < len(spans) and spans[j][0] < hi:
                hi = max(hi, spans[j][1])
                j += 1
            p = self._alloc(hi - lo, 64)
            bufs.append(p)
            self._mem()[p:p + hi - lo] = np.frombuffer((ctypes.c_ubyte * (hi - lo)).from_address(lo), np.uint8)
            for _, _, i in spans[k:j]:
                ptrs[i] = p + (arrays[i].__array_interface__["data"][0] - lo)
            k = j
        for i, a in enumerate(arrays):
            if not a.size:  # nothing to copy, but the data pointer must be valid
                ptrs[i] = self._alloc(8, 64)
                bufs.append(ptrs[i])
        return ptrs

    def _word(self, p: int) -> int:
        """The 32-bit word (a pointer) at `p`."""
        (w,) = struct.unpack("<I", self._memory.read(self._store, p, p + 4))
        return int(w)

    def _meminfo_data(self, mi: int) -> int:
        """A meminfo's data pointer."""
        return self._word(mi + self._abi["meminfo"]["data"])

    def _new_string(self, text: str) -> dict[str, int]:
        """A str in Numba's unicode layout: code points of `kind` bytes (the
        narrowest that holds them, as CPython's PEP 393 does) and a 0
        terminator, in memory owned by a new meminfo."""
        top = max(map(ord, text), default=0)
        kind = 1 if top < 0x100 else 2 if top < 0x10000 else 4
        codec = {1: "latin-1", 2: "utf-16-le", 4: "utf-32-le"}[kind]
        raw = text.encode(codec, "surrogatepass") + bytes(kind)
        mi = self._call("NRT_MemInfo_alloc_aligned", len(raw), 8) & 0xFFFFFFFF
        if mi == 0:
            raise MemoryError(f"numba-wasm: out of wasm memory (allocating {len(raw)} bytes)")
        ptr = self._meminfo_data(mi)
        self._memory.write(self._store, raw, ptr)
        return {"meminfo": mi, "data": ptr, "length": len(text), "kind": kind,
                "is_ascii": int(top < 0x80), "hash": -1, "parent": 0}

    def _read_string(self, raw: bytes, off: int, decrefs: list[int]) -> str:
        u = self._abi["unicode"]
        (meminfo,) = struct.unpack_from("<I", raw, off + u["meminfo"])
        if meminfo:
            decrefs.append(meminfo)
        (data,) = struct.unpack_from("<I", raw, off + u["data"])
        (length,) = struct.unpack_from("<q", raw, off + u["length"])
        (kind,) = struct.unpack_from("<i", raw, off + u["kind"])
        if kind not in (1, 2, 4) or length < 0 or data + length * kind > self._memory.data_len(self._store):
            raise RuntimeError(f"numba-wasm: a returned str has kind {kind} and length {length}, "
                               f"which do not fit wasm memory")
        codec = {1: "latin-1", 2: "utf-16-le", 4: "utf-32-le"}[kind]
        return bytes(self._memory.read(self._store, data, data + length * kind)).decode(codec, "surrogatepass")

    @staticmethod
    def _slot_value(slot: dict, args: tuple, arrays: dict[tuple, tuple[np.ndarray, int]],
                    strings: dict[tuple, dict[str, int]], boxes: dict[tuple, int]) -> Any:
        """The value of one argument slot: `part` of the argument at `arg`/`path`."""
        path = tuple(slot.get("path", ()))
        v = args[slot["arg"]]
        for i in path:
            v = v[i]
        part = slot["part"]
        if part == "value":
            return v.item() if isinstance(v, np.generic) else v
        if part in ("re", "im"):
            c = complex(v)
            return c.real if part == "re" else c.imag
        if part == "none":
            return 0
        if (slot["arg"], *path) in boxes:  # a list: meminfo, NB_List* or a null parent
            mi, data = boxes[(slot["arg"], *path)]
            return mi if part == "meminfo" else data if part == "data" else 0
        if (slot["arg"], *path) in strings:
            return strings[(slot["arg"], *path)][part]
        a, ptr = arrays[(slot["arg"], *path)]
        fields = {"meminfo": 0, "parent": 0, "nitems": a.size, "itemsize": a.itemsize, "data": ptr}
        if part in fields:
            return fields[part]
        return (a.shape if part == "shape" else a.strides)[slot["dim"]]

    def _read(self, entry: dict, raw: bytes, decrefs: list[int]) -> Any:
        """The result: each leaf at its offset, placed into the tuples of `entry["ret"]`."""
        # An optional value inside a tuple is None when its `valid` byte is 0.
        values = [(tuple(leaf.get("path", ())),
                   None if "valid" in leaf and raw[leaf["valid"]] == 0
                   else self._read_leaf(leaf["type"], raw, leaf["offset"], decrefs))
                  for leaf in entry["ret_leaves"]]
        by_path = dict(values)

        def build(t: dict, path: tuple) -> Any:
            if t["kind"] == "optional" and t["item"]["kind"] in ("tuple", "namedtuple"):
                return build(t["item"], path)
            if t["kind"] in ("tuple", "namedtuple"):
                items = tuple(build(it, (*path, i)) for i, it in enumerate(t["items"]))
                if t["kind"] == "namedtuple":
                    cls = _namedtuple(t["name"], tuple(t["fields"]))
                    return items if cls is tuple else cls(*items)
                return items
            return by_path.get(path)
        return build(entry["ret"], ())

    def _read_leaf(self, t: dict, raw: bytes, off: int, decrefs: list[int]) -> Any:
        if t["kind"] == "unicode":
            return self._read_string(raw, off, decrefs)
        if t["kind"] == "strliteral":
            return str(t["value"])
        if t["kind"] in ("list", "dict"):
            return self._read_container(t, raw, off, decrefs)
        if t["kind"] == "record":  # a pointer to its bytes, copied out as Numba boxes it
            (ptr,) = struct.unpack_from("<I", raw, off)
            size = t["record"]["size"]
            if ptr == 0 or ptr + size > self._memory.data_len(self._store):
                raise RuntimeError(f"numba-wasm: a returned record at {ptr} does not fit wasm memory")
            data = bytearray(self._memory.read(self._store, ptr, ptr + size))
            return np.frombuffer(data, np.dtype((np.record, _np_dtype(t))))[0]
        if t["kind"] == "scalar":
            # Python int/float/bool/complex, as Numba's dispatcher boxes them.
            return np.frombuffer(raw, np.dtype(t["dtype"]), 1, off)[0].item()
        a = self._abi["array"]
        (meminfo,) = struct.unpack_from("<I", raw, off + a["meminfo"])
        (data,) = struct.unpack_from("<I", raw, off + a["data"])
        if meminfo:
            decrefs.append(meminfo)
        n = t["ndim"]
        dims = struct.unpack_from(f"<{2 * n}q", raw, off + a["shape"])
        shape, strides = dims[:n], dims[n:]
        dtype = _np_dtype(t)
        if 0 in shape:
            return np.empty(shape, dtype)
        view = np.ndarray(shape, dtype, self._mem(), data, strides)
        return view.copy(order="K")  # keeps C or F order, like Numba's result

    def _read_container(self, t: dict, raw: bytes, off: int, decrefs: list[int]) -> Any:
        """A returned list (typed.List or reflected list) as a Python list, or a
        typed.Dict as a dict in insertion order. The container's reference is
        released afterwards; its str items belong to it."""
        abi, mem = self._abi, self._mem()  # no wasm call runs while it is read
        meminfo, data = struct.unpack_from("<I4xI", raw, off)
        if meminfo:
            decrefs.append(meminfo)

        def size_of(it: dict) -> int:
            return abi["unicode"]["size_of"] if it["kind"] == "unicode" else np.dtype(it["dtype"]).itemsize

        def read(it: dict, at: int) -> Any:
            if it["kind"] == "unicode":
                return self._read_string(mem, at, [])
            return np.frombuffer(mem, np.dtype(it["dtype"]), 1, at)[0].item()

        def check(at: int, n: int, stride: int, least: int) -> None:
            if n < 0 or stride < least or at + n * stride > len(mem):
                raise RuntimeError(f"numba-wasm: a returned {t['kind']} of {n} items does not fit wasm memory")

        def word(at: int) -> int:
            return int(struct.unpack_from("<q", mem, at)[0])

        if t["kind"] == "list":
            item = t["item"]
            if t["typed"]:
                lst = abi["list"]
                n, stride = word(data + lst["size"]), word(data + lst["item_size"])
                (at,) = struct.unpack_from("<I", mem, data + lst["items"])
            else:
                (payload,) = struct.unpack_from("<I", mem, meminfo + abi["meminfo"]["data"])
                align = abi["unicode"]["align"] if item["kind"] == "unicode" else abi["dtypes"][item["dtype"]]["align"]
                n, stride = word(payload + abi["list_payload"]["size"]), size_of(item)
                at = payload + -(-abi["list_payload"]["dirty_end"] // align) * align
            check(at, n, stride, size_of(item))
            return [read(item, at + i * stride) for i in range(n)]
        d = abi["dict"]
        (keys,) = struct.unpack_from("<I", mem, data + d["keys"])
        n, entry_size = word(keys + d["nentries"]), word(keys + d["entry_size"])
        entries = keys + d["indices"] + word(keys + d["entry_offset"])
        va = d["value_align"]
        value = d["entry_key"] + -(-word(keys + d["key_size"]) // va) * va
        check(entries, n, entry_size, value + size_of(t["value"]))
        out = {}
        for i in range(n):
            e = entries + i * entry_size
            if word(e) != -1:  # -1: a deleted entry
                out[read(t["key"], e + d["entry_key"])] = read(t["value"], e + value)
        return out

    def _invoke(self, entry: dict, args: tuple) -> Any:
        name, bufs = entry["name"], []
        keyed: dict[tuple, np.ndarray] = {}
        texts: dict[tuple, str] = {}
        lists: dict[tuple, tuple[dict, list]] = {}
        for i, (t, v) in enumerate(zip(entry["args"], args)):
            _collect(t, v, (i,), keyed, texts, lists)
        strings: dict[tuple, dict[str, int]] = {}
        boxes: dict[tuple, tuple[int, int]] = {}  # list argument -> (meminfo, NB_List* or 0)
        arrays = list(keyed.values())
        # Arrays the kernel never writes to are not copied back.
        read_only = {(i,) for i in entry.get("read_only_args", [])}
        written = [key not in read_only for key in keyed]
        ptrs: list[int] = []
        called = False
        status_codes = self._abi["status"]
        slot = self._abi["pointer_slot"]
        try:
            ptrs = self._copy_in(arrays, bufs)
            placed = dict(zip(keyed, zip(arrays, ptrs)))
            for key, text in texts.items():
                strings[key] = self._new_string(text)
            for key, (t, lst) in lists.items():
                boxes[key] = (self._new_dict(t, lst) if t["kind"] == "dict"
                              else self._new_record(t, lst) if t["kind"] == "record"
                              else self._new_list(t, lst))
            params = entry["params"]
            packed = bytearray(slot * len(params))
            for i, p in enumerate(params):
                ty, v = p["ty"], self._slot_value(p, args, placed, strings, boxes)
                if ty[0] != "f":
                    v = int(v) & ((1 << (8 * struct.calcsize(_SLOT[ty]))) - 1)
                struct.pack_into(_SLOT[ty], packed, slot * i, v)
            argp, retp, excp = self._argp, self._retp, self._excp  # excp receives an excinfo*
            self._memory.write(self._store, bytes(packed), argp)
            self._memory.write(self._store, b"\0\0\0\0", excp)
            called = True
            status = self._call(entry["wasm_export"], argp, retp, excp)
            if status == status_codes["ok"]:
                decrefs: list[int] = []
                try:  # copy the result out before any input buffer is freed
                    raw = bytes(self._memory.read(self._store, retp, retp + entry["ret_size"]))
                    return self._read(entry, raw, decrefs)
                finally:
                    for mi in decrefs:
                        self._call("NRT_decref", mi)
            if status == status_codes["none"]:
                return None
            raise self._exception(name, status, excp)
        finally:
            # Copy back even after an exception: NumPy semantics keep partial in-place writes.
            if called:
                mem = self._mem()
                for a, p, w in zip(arrays, ptrs, written):
                    if w and a.flags.writeable and a.size:
                        np.copyto(a, np.ndarray(a.shape, a.dtype, mem, p, a.strides))
            for p in bufs:
                self._call("nw_free", p)
            # The host's reference to each str argument (the kernel may keep others).
            for s in strings.values():
                self._call("NRT_decref", s["meminfo"])
            # A list the kernel changed is written back into the caller's
            # list, after an exception too, as Numba reflects it.
            # A dict is shared with the caller, as a typed.Dict is.
            # A record writes through, as into the array element natively.
            for key, (mi, data) in boxes.items():
                kind = lists[key][0]["kind"]
                try:
                    if called and kind == "dict":
                        self._reflect_dict(*lists[key], data)
                    elif called and kind == "record":
                        self._reflect_record(*lists[key], data)
                    elif called:
                        self._reflect_list(*lists[key], mi, data)
                finally:
                    if kind == "record":
                        self._call("nw_free", data)
                    else:
                        self._call("NRT_decref", mi)

    def _list_items(self, t: dict) -> tuple[np.dtype, int]:
        """A reflected list's item dtype and where its items start in the payload."""
        dtype = np.dtype(t["item"]["dtype"])
        align = self._abi["dtypes"][t["item"]["dtype"]]["align"]
        return dtype, -(-self._abi["list_payload"]["dirty_end"] // align) * align

    def _new_list(self, t: dict, lst: Any) -> tuple[int, int]:
        """A list argument in Numba's layout, as (meminfo, NB_List* or 0).
        Reflected: a meminfo whose data is the payload {size, allocated,
        dirty, items}; typed: an NB_List (the shim's nw_list_from) owned by a
        meminfo."""
        lay = self._abi["list_payload"]
        dtype, at = self._list_items(t)
        items = np.array(list(lst), dtype=dtype) if len(lst) else np.empty(0, dtype)
        if t["typed"]:
            buf = self._alloc(max(items.nbytes, 1), 8)
            try:
                self._memory.write(self._store, items.tobytes(), buf)
                mi = self._call("nw_list_from", dtype.itemsize, len(items), buf) & 0xFFFFFFFF
            finally:
                self._call("nw_free", buf)
            if mi == 0:
                raise MemoryError(f"numba-wasm: out of wasm memory (a list of {len(items)} items)")
            return mi, self._word(self._meminfo_data(mi))
        raw = bytearray(at + max(len(lst), 1) * dtype.itemsize)
        struct.pack_into("<q", raw, lay["size"], len(lst))
        struct.pack_into("<q", raw, lay["allocated"], len(lst))
        raw[at:at + items.nbytes] = items.tobytes()
        mi = self._call("NRT_MemInfo_new_varsize_dtor", len(raw), 0) & 0xFFFFFFFF
        if mi == 0:
            raise MemoryError(f"numba-wasm: out of wasm memory (allocating {len(raw)} bytes)")
        ptr = self._meminfo_data(mi)
        self._memory.write(self._store, bytes(raw), ptr)
        return mi, 0

    def _reflect_list(self, t: dict, lst: Any, mi: int, data: int) -> None:
        """The caller's list gets the list's items: for a reflected list when
        the kernel changed it (its dirty flag), as Numba reflects it; a typed
        list is shared with the caller, so always."""
        dtype, at = self._list_items(t)
        mem = self._mem()  # no wasm call runs while it is read
        if t["typed"]:
            lay = self._abi["list"]
            (n,) = struct.unpack_from("<q", mem, data + lay["size"])
            (stride,) = struct.unpack_from("<q", mem, data + lay["item_size"])
            (ptr,) = struct.unpack_from("<I", mem, data + lay["items"])
        else:
            lay = self._abi["list_payload"]
            (payload,) = struct.unpack_from("<I", mem, mi + self._abi["meminfo"]["data"])
            if mem[payload + lay["dirty"]] == 0:
                return
            (n,) = struct.unpack_from("<q", mem, payload + lay["size"])
            ptr, stride = payload + at, dtype.itemsize
        if n < 0 or stride < dtype.itemsize or ptr + n * stride > len(mem):
            raise RuntimeError(f"numba-wasm: a list argument of {n} items does not fit wasm memory")
        items = np.ndarray((n,), dtype, mem, ptr, (stride,)).tolist()
        if isinstance(lst, list):
            lst[:] = items
        else:  # a numba.typed.List
            lst.clear()
            lst.extend(items)

    def _new_dict(self, t: dict, d: Any) -> tuple[int, int]:
        """A typed.Dict argument built by the shim (nw_dict_from) from the
        entries in their order, as (meminfo, NB_Dict*): keys and values laid
        out as the dict stores them (str as Numba's unicode struct, each in a
        new meminfo of which the dict takes a reference), hashed by the shim."""
        u = self._abi["unicode"]
        items = list(d.items())
        strings: list[dict[str, int]] = []
        bufs: list[int] = []

        def layout(it: dict, values: list) -> bytes:
            if it["kind"] != "unicode":
                return np.array(values, dtype=np.dtype(it["dtype"])).tobytes()
            raw = bytearray(u["size_of"] * len(values))
            for i, text in enumerate(values):
                s = self._new_string(str.__str__(text))
                strings.append(s)
                for part, fmt in (("data", "<I"), ("length", "<q"), ("kind", "<i"), ("is_ascii", "<I"),
                                  ("hash", "<q"), ("meminfo", "<I")):
                    struct.pack_into(fmt, raw, i * u["size_of"] + u[part], s[part])
            return bytes(raw)

        def size(it: dict) -> int:
            return u["size_of"] if it["kind"] == "unicode" else np.dtype(it["dtype"]).itemsize

        try:
            keys = layout(t["key"], [_dict_key(t["key"], k) for k, _ in items])
            vals = layout(t["value"], [v.item() if isinstance(v, np.generic) else v for _, v in items])
            kbuf, vbuf = self._alloc(max(len(keys), 1), 8), self._alloc(max(len(vals), 1), 8)
            bufs += [kbuf, vbuf]
            self._memory.write(self._store, keys, kbuf)
            self._memory.write(self._store, vals, vbuf)
            # The key kind the shim hashes and compares by: signed, unsigned (and bool), str.
            kinds = self._abi["dict"]["key_kinds"]
            kind = (kinds["str"] if t["key"]["kind"] == "unicode"
                    else kinds["signed"] if t["key"]["dtype"].startswith("int") else kinds["unsigned"])
            mi = self._call("nw_dict_from", kind, int(t["value"]["kind"] == "unicode"), size(t["key"]),
                            size(t["value"]), len(items), kbuf, vbuf) & 0xFFFFFFFF
        finally:
            for p in bufs:
                self._call("nw_free", p)
            for s in strings:
                self._call("NRT_decref", s["meminfo"])
        if mi == 0:
            raise MemoryError(f"numba-wasm: out of wasm memory (a dict of {len(items)} entries)")
        return mi, self._word(self._meminfo_data(mi))

    def _new_record(self, t: dict, v: np.void) -> tuple[int, int]:
        """A record argument: its bytes in a buffer whose address is the
        argument (Numba's RecordModel), as (0, address)."""
        raw = np.array(v, dtype=_np_dtype(t)).tobytes()
        ptr = self._alloc(max(len(raw), 1), 8)
        self._memory.write(self._store, raw, ptr)
        return 0, ptr

    def _reflect_record(self, t: dict, v: np.void, ptr: int) -> None:
        """The caller's record (a view into its array) gets the fields the
        kernel changed."""
        dtype = _np_dtype(t)
        old = np.array(v, dtype=dtype)
        new = np.frombuffer(bytes(self._memory.read(self._store, ptr, ptr + dtype.itemsize)), dtype)[0]
        for name in dtype.names or ():
            if old[name].tobytes() != np.asarray(new[name]).tobytes():
                v[name] = new[name]

    def _reflect_dict(self, t: dict, d: Any, data: int) -> None:
        """The caller's dict (or typed.Dict) gets the dict's entries, in its order."""
        raw = struct.pack("<II", 0, 0) + struct.pack("<I", data) + bytes(4)
        entries = self._read_container(t, raw, 0, [])
        d.clear()
        d.update(entries)

    def _exception(self, name: str, status: int, excp: int) -> BaseException:
        if status == self._abi["status"]["stop_iteration"]:
            return StopIteration()
        exc = struct.unpack("<I", self._memory.read(self._store, excp, excp + 4))[0]
        if exc:
            layout = self._abi["excinfo"]
            (buf,) = struct.unpack("<I", self._memory.read(
                self._store, exc + layout["pickle_buf"], exc + layout["pickle_buf"] + 4))
            (size,) = struct.unpack("<i", self._memory.read(
                self._store, exc + layout["bufsz"], exc + layout["bufsz"] + 4))
            data = (bytes(self._memory.read(self._store, buf, buf + size))
                    if buf and 0 < size and buf + size <= self._memory.data_len(self._store)
                    else None)
            # A dynamic exception's excinfo (built by the shim's nw_exc_finish)
            # lives until this; modules built before it lack the export.
            if "nw_exc_clear" in self._ex:
                self._call("nw_exc_clear")
            e = decode_exception(data) if data is not None else None
            if e is not None:
                return e
        return RuntimeError(f"{name} raised an exception (status {status})")


def _snapshot(v: Any) -> Any:
    """An argument as the call uses it, read once. An ndarray subclass becomes a
    plain ndarray view of the same memory, so its shape, strides and flags come
    from NumPy's C struct rather than from properties a subclass could make
    answer differently between the check and the copy; a tuple subclass
    becomes a tuple, read item by item once."""
    if isinstance(v, np.ndarray):
        return v if type(v) is np.ndarray else np.ndarray.view(v, np.ndarray)
    if isinstance(v, tuple):
        items = tuple(_snapshot(tuple.__getitem__(v, i)) for i in range(tuple.__len__(v)))
        fields = getattr(type(v), "_fields", None)
        if isinstance(fields, tuple) and all(isinstance(f, str) for f in fields):
            named = _Named(items)
            named.name, named.fields = type(v).__name__, fields
            return named
        return items
    return v


def _collect(t: dict, v: Any, key: tuple, out: dict[tuple, np.ndarray],
             texts: dict[tuple, str], lists: dict[tuple, tuple[dict, list]]) -> None:
    """Array arguments by (arg, *path), the key argument slots name them by;
    str arguments into `texts` and list arguments (with their type) into
    `lists` by the same key."""
    if t["kind"] in ("tuple", "namedtuple"):
        for i, (it, x) in enumerate(zip(t["items"], v)):
            _collect(it, x, (*key, i), out, texts, lists)
    elif t["kind"] in ("array", "records"):
        out[key] = v
    elif t["kind"] == "unicode":
        texts[key] = str.__str__(v)
    elif t["kind"] in ("list", "dict", "record"):
        lists[key] = (t, v)


def load(source: str | os.PathLike | bytes | bytearray | memoryview) -> WasmModule:
    """Instantiate a numba-wasm module from a path or the .wasm bytes."""
    wasm = bytes(source) if isinstance(source, (bytes, bytearray, memoryview)) else Path(source).read_bytes()
    return WasmModule(wasm)
