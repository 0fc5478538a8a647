#!/usr/bin/env python3
"""Regenerate fixtures/numba-<V>/ from fixtures/kernels.py.

    /path/to/venv/bin/python scripts/dump_fixtures.py

Writes fixtures/numba-<V>/opt/<func>.ll, fixtures/numba-<V>/noopt/<func>.ll
(the latter from a subprocess with NUMBA_OPT=0) and fixtures/numba-<V>/cases.json.
See fixtures/README.md for the format.
"""
import argparse
import base64
import ctypes
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = os.path.join(ROOT, "fixtures")
sys.path.insert(0, HERE)
sys.path.insert(0, FIXTURES)

CHILD_MARK = "NUMBA_WASM_FIXTURES_CHILD"


# ---------------------------------------------------------------- encoding

def _float_bits(x, dtype):
    import numpy as np
    if dtype == "float32":
        return format(int(np.array(x, dtype=np.float32).view(np.uint32)), "08x")
    return format(int(np.array(x, dtype=np.float64).view(np.uint64)), "016x")


def _region(a):
    """(bytes, offset) of the smallest contiguous region holding all of a."""
    if any(s < 0 for s in a.strides):
        raise ValueError("negative strides are not supported")
    if a.size == 0:
        return b"", 0
    addr = a.__array_interface__["data"][0]
    span = sum((n - 1) * s for n, s in zip(a.shape, a.strides)) + a.itemsize
    return ctypes.string_at(addr, span), 0


def enc_array(a, contiguous=False):
    import numpy as np
    if contiguous:
        a = np.ascontiguousarray(a)
    buf, off = _region(a)
    return {"t": "array", "dtype": a.dtype.name, "shape": list(a.shape),
            "strides": list(a.strides), "offset": off,
            "buffer_b64": base64.b64encode(buf).decode("ascii")}


def enc_scalar(v, dtype):
    """Encode a scalar given its dtype name (numpy naming)."""
    if dtype == "bool":
        return {"t": "bool", "v": bool(v)}
    if dtype.startswith(("int", "uint")):
        return {"t": "int", "dtype": dtype, "v": str(int(v))}
    if dtype.startswith("float"):
        return {"t": "float", "dtype": dtype, "bits": _float_bits(v, dtype)}
    if dtype.startswith("complex"):
        fd = "float32" if dtype == "complex64" else "float64"
        c = complex(v)
        return {"t": "complex", "dtype": dtype, "re": _float_bits(c.real, fd),
                "im": _float_bits(c.imag, fd)}
    raise TypeError(f"unsupported scalar dtype {dtype}")


def enc_typed(v, ty, contiguous=True):
    """Encode value v of Numba type ty."""
    from numba.core import types
    from numba.np.numpy_support import as_dtype
    if isinstance(ty, types.NoneType):
        assert v is None, v
        return {"t": "none"}
    if isinstance(ty, types.Array):
        if ty.dtype.__class__.__name__ == "Record":
            raise TypeError(f"record arrays are not in the case format ({ty})")
        return enc_array(v, contiguous=contiguous)
    if isinstance(ty, (types.UnicodeType, types.StringLiteral)):
        return {"t": "str", "v": str(v)}
    if isinstance(ty, types.Optional):
        return {"t": "none"} if v is None else enc_typed(v, ty.type, contiguous)
    if isinstance(ty, (types.NamedTuple, types.NamedUniTuple)):
        return {"t": "named", "name": ty.instance_class.__name__,
                "fields": list(ty.fields),
                "items": [enc_typed(x, t, contiguous) for x, t in zip(v, ty.types)]}
    if isinstance(ty, types.BaseTuple):
        assert len(v) == len(ty.types)
        return {"t": "tuple",
                "items": [enc_typed(x, t, contiguous) for x, t in zip(v, ty.types)]}
    if isinstance(ty, (types.Boolean, types.Integer, types.Float, types.Complex)):
        return enc_scalar(v, as_dtype(ty).name)
    if isinstance(ty, (types.ListType, types.List)):
        # Hosts give lists of real numbers as their TypedArray (`dtype`).
        item = ty.item_type if isinstance(ty, types.ListType) else ty.dtype
        real = isinstance(item, (types.Integer, types.Float)) and not isinstance(item, types.Boolean)
        return {"t": "list", "dtype": as_dtype(item).name if real else None,
                "items": [enc_typed(x, item, contiguous) for x in v]}
    if isinstance(ty, types.Record):
        # A record scalar (numpy.void): its fields, an object in JS.
        return {"t": "record", "fields": [name for name, _ in ty.members],
                "items": [enc_scalar(v[name], as_dtype(ft).name) for name, ft in ty.members]}
    if isinstance(ty, types.DictType):
        return {"t": "dict", "items": [[enc_typed(k, ty.key_type, contiguous),
                                        enc_typed(x, ty.value_type, contiguous)]
                                       for k, x in v.items()]}
    raise TypeError(f"unsupported type {ty}")


def enc_arg(v):
    from numba import typeof
    if hasattr(v, "materialize"):  # kernels.Gen
        return {"t": "gen", "dtype": v.dtype.name, "n": v.n, "seed": v.seed,
                "lo": v.lo, "hi": v.hi}
    return enc_typed(v, typeof(v), contiguous=False)


# ---------------------------------------------------------------- running

def find_cres(func, args):
    from numba import typeof
    key = tuple(typeof(a) for a in args)
    if key not in func.overloads and func._can_compile:
        # Left-out arguments with defaults: Numba's Omitted types.
        key = tuple(func.fold_argument_types(key, {})[1])
    cres = func.overloads.get(key)
    if cres is None:
        raise KeyError(f"{func.__name__}: no overload for {key}; "
                       f"have {list(func.overloads)}")
    return cres


class Skipped(Exception):
    """A case this Numba or the fixture format cannot have (the reason)."""


def run_case(cid, func, args):
    import numpy as np
    try:
        enc_args = [enc_arg(a) for a in args]
    except ValueError as e:  # e.g. negative strides, which hosts refuse too
        raise Skipped(f"{cid}: arguments not encodable: {e}") from None
    live = [a.materialize() if hasattr(a, "materialize") else a for a in args]
    def typed_list(a):
        return type(a).__module__.startswith("numba.typed") and not hasattr(a, "keys")

    def typed_dict(a):
        return type(a).__module__.startswith("numba.typed") and hasattr(a, "keys")
    before = [a.copy() if isinstance(a, np.ndarray) else list(a) if isinstance(a, list) or typed_list(a)
              else list(a.items()) if typed_dict(a) else a.tobytes() if isinstance(a, np.void)
              else None for a in live]

    def containers_after():
        """A list, typed.Dict or record argument the kernel changed: its
        items (a list's as the JS Array holds them, a dict's in insertion
        order) or fields (a record's, which the kernel writes through)."""
        out = []
        for b, a in zip(before, live):
            if isinstance(a, np.void):
                out.append(enc_arg(a) if a.tobytes() != b else None)
            elif typed_dict(a):
                items = list(a.items())
                changed = b != items or any(type(x) is not type(y) for p, q in zip(items, b)
                                            for x, y in zip(p, q))
                out.append(enc_arg(a) if changed else None)
            elif isinstance(a, list) or typed_list(a):
                changed = b != list(a) or any(type(x) is not type(y) for x, y in zip(a, b))
                out.append(dict(enc_arg(a), dtype=None) if changed else None)
            else:
                out.append(None)
        return out
    try:
        result = func(*live)
    except Exception as e:  # the kernel raised: record Numba's class and message
        try:
            find_cres(func, live)
        except KeyError:
            # Not a raise at run time: this Numba cannot compile the kernel.
            raise Skipped(f"{cid}: Numba cannot compile {func.__name__} for these "
                          f"arguments: {type(e).__name__}: {(str(e).splitlines() or [''])[0][:200]}") from None
        case = {"id": cid, "func": func.__name__, "args": enc_args,
                "raises": {"type": type(e).__name__, "message": str(e)}}
        # Lists, dicts and records keep the changes made before the raise
        # (arrays too, but the case format has not recorded those).
        after = containers_after()
        if any(after):
            case["args_after"] = after
        return case
    cres = find_cres(func, live)
    after = []
    for b, a, c in zip(before, live, containers_after()):
        if isinstance(a, (list, np.void)) or typed_list(a) or typed_dict(a):
            after.append(c)
            continue
        changed = b is not None and (
            np.ascontiguousarray(b).tobytes() != np.ascontiguousarray(a).tobytes())
        after.append(enc_array(a, contiguous=True) if changed else None)
    return {"id": cid, "func": func.__name__, "args": enc_args,
            "result": enc_typed(result, cres.signature.return_type),
            "args_after": after}


_HOST_ADDRESS = re.compile(r"(__numba_array_expr_|__numba_parfor_gufunc_|object at )0x([0-9a-f]+)")
_OBJECT_ID = re.compile(r"(\.const\.pickle(?:data|buf)\.)(\d+)")
_DYNAMIC_GLOBAL = re.compile(r"numba\.dynamic\.globals\.([0-9a-f]+)")


def without_host_addresses(ir):
    """Numba puts the host address of Python objects into a few names:
    `__numba_array_expr_0x7f...` (whose symbols the uid tag keeps unique), a
    `CPUContext object at 0x...` message, `numba.dynamic.globals.<address>`,
    and the `id()` of exception pickles in `.const.pickledata.<id>`
    (internal names). Zeroing the
    addresses (same length) and numbering the ids in order of appearance
    makes regeneration deterministic and lets git and reviewers see that
    versions share files."""
    ir = _HOST_ADDRESS.sub(lambda m: m.group(1) + "0x" + "0" * len(m.group(2)), ir)
    # `numba.dynamic.globals.<hex>` holds a Python object's address, also
    # written in decimal in its initializer: both become one made-up address.
    fake = {}
    for h in _DYNAMIC_GLOBAL.findall(ir):
        fake.setdefault(h, 0x7F0000000000 + 16 * len(fake))
    for h, addr in fake.items():
        ir = ir.replace(f"numba.dynamic.globals.{h}", f"numba.dynamic.globals.{addr:x}")
        ir = ir.replace(f"i64 {int(h, 16)} to", f"i64 {addr} to")
    ids = {}
    return _OBJECT_ID.sub(lambda m: m.group(1) + str(ids.setdefault(m.group(2), len(ids) + 1)), ir)


def write_ir(kernels_mod, outdir):
    import io

    import numba_dump
    os.makedirs(outdir, exist_ok=True)
    for old in os.listdir(outdir):
        if old.endswith(".ll"):
            os.remove(os.path.join(outdir, old))
    for k in kernels_mod.KERNELS:
        if not k.overloads:
            continue  # every case of it was skipped (see cases.json "skipped")
        buf = io.StringIO()
        numba_dump.dump_dispatcher(k, buf)
        with open(os.path.join(outdir, k.__name__ + ".ll"), "w") as f:
            f.write(without_host_addresses(buf.getvalue()))


def check_names(kernels_mod):
    names = [k.__name__ for k in kernels_mod.KERNELS]
    assert len(set(names)) == len(names), names
    for n in names:
        assert n.isidentifier(), n
    ids = [c[0] for c in kernels_mod.cases()]
    assert len(set(ids)) == len(ids), "duplicate case ids"
    for c in kernels_mod.cases():
        assert c[1] in kernels_mod.KERNELS, c[0]
    missing = [n for n in names if n not in kernels_mod.GROUPS]
    assert not missing, f"kernels without a feature group (kernels.GROUPS): {missing}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--noopt-child", metavar="OUTDIR",
                    help=argparse.SUPPRESS)
    a = ap.parse_args()

    if a.noopt_child:
        assert os.environ.get("NUMBA_OPT") == "0"
        import kernels
        import numba_dump
        for _cid, func, args in kernels.cases():
            try:
                func(*[numba_dump.materialize(x) for x in args])
            except Exception:  # cases that raise still compile their overload
                pass
        write_ir(kernels, a.noopt_child)
        return 0

    if os.environ.get("NUMBA_OPT") == "0":
        raise SystemExit("run without NUMBA_OPT=0 (the opt form is the default)")
    import kernels
    import numpy as np

    import numba
    check_names(kernels)
    # NUMBA_WASM_FIXTURES_OUT: somewhere else (scripts/gen_fixtures.py --live).
    out = os.environ.get("NUMBA_WASM_FIXTURES_OUT") or os.path.join(
        FIXTURES, f"numba-{numba.__version__}")
    os.makedirs(out, exist_ok=True)

    cases, skipped = [], []
    for c in kernels.cases():
        try:
            cases.append(run_case(*c))
        except Skipped as e:
            skipped.append(str(e))
    for c in cases:
        c["group"] = "exceptions" if "raises" in c else kernels.GROUPS[c["func"]]
    from llvmlite import binding as llvm
    with open(os.path.join(out, "cases.json"), "w") as f:
        meta = {"numba": numba.__version__, "numpy": np.__version__,
                "llvm": ".".join(map(str, llvm.llvm_version_info))}
        if skipped:  # cases this Numba cannot compile, with the reason
            meta["skipped"] = skipped
        json.dump({**meta, "cases": cases}, f, indent=1)
        f.write("\n")
    write_ir(kernels, os.path.join(out, "opt"))

    env = dict(os.environ, NUMBA_OPT="0")
    env[CHILD_MARK] = "1"
    subprocess.check_call([sys.executable, os.path.abspath(__file__),
                           "--noopt-child", os.path.join(out, "noopt")], env=env)
    print(f"wrote {out}: {len(cases)} cases, {len(kernels.KERNELS)} kernels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
