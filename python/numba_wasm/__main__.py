"""`python -m numba_wasm`: build Numba kernels from a shell.

    python -m numba_wasm build path/to/file.py:func1,func2 [more specs] -o out/ [--name NAME]
        [--no-simd | --relaxed-simd]
    python -m numba_wasm inspect ...        (passed through to the numba-wasm binary)

`build` imports each file as a module; the named dispatchers must have
explicit signatures (or be compiled when the module is imported).
Errors print `error: <message>` and exit with status 1.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from . import _ir
from ._binary import find_binary
from .build import build
from .errors import NumbaWasmError


def parse_spec(spec: str) -> tuple[Path, list[str]]:
    """`path/to/file.py:f1,f2` -> (path, [f1, f2]); no names = all compiled dispatchers."""
    path, sep, names = spec.rpartition(":")
    if not sep or not path.endswith(".py"):
        path, names = spec, ""
    return Path(path), [n for n in names.split(",") if n]


def collect(specs: list[str]) -> list:
    """The dispatchers the specs name, each checked to have overloads."""
    out = []
    for spec in specs:
        path, names = parse_spec(spec)
        if not path.is_file():
            raise NumbaWasmError(f"{path}: no such file")
        mod = _ir.load_module(path)
        if not names:
            found = _ir.module_dispatchers(mod)
            if not found:
                raise NumbaWasmError(f"{path}: no compiled Numba dispatchers in it")
            out.extend(found)
            continue
        for name in names:
            disp = getattr(mod, name, None)
            if disp is None:
                raise NumbaWasmError(f"{path}: no function `{name}`")
            if not _ir.is_dispatcher(disp):
                raise NumbaWasmError(f"{path}: `{name}` is not a Numba @njit dispatcher")
            if not disp.overloads:
                raise NumbaWasmError(
                    f"`{_ir.full_name(disp)}` has no compiled overloads: give it an "
                    f"explicit signature, e.g. @njit(\"float64(float64[:])\")")
            out.append(disp)
    return out


def cmd_build(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m numba_wasm build",
                                 description="Compile Numba kernels to wasm + JS/TS.")
    ap.add_argument("specs", nargs="+", metavar="FILE.py[:f1,f2]")
    ap.add_argument("-o", "--out", required=True, metavar="OUTDIR")
    ap.add_argument("--name", default="kernels")
    level = ap.add_mutually_exclusive_group()
    level.add_argument("--no-simd", dest="simd", action="store_const", const="none",
                       default="simd128", help="no SIMD instructions (engines without SIMD)")
    level.add_argument("--relaxed-simd", dest="simd", action="store_const", const="relaxed",
                       help="also relaxed SIMD (fused multiply-add; rounding may differ)")
    ap.add_argument("--minify", action="store_true",
                    help="smaller output: NAME.js without comments, layout or long local names, "
                         "NAME.wasm without names for debuggers")
    a = ap.parse_args(argv)
    res = build(collect(a.specs), a.out, name=a.name, simd=a.simd, minify=a.minify)
    for p in (res.wasm, res.js, res.dts):
        print(p)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    usage = "usage: python -m numba_wasm {build,inspect,wrap} ..."
    if not argv or argv[0] in ("-h", "--help"):
        print(usage + "\n\n" + __doc__.strip())
        return 0
    try:
        if argv[0] == "build":
            return cmd_build(argv[1:])
        return subprocess.call([str(find_binary()), *argv])   # inspect, wrap, --version
    except NumbaWasmError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except Exception as e:  # noqa: BLE001 - e.g. the user's module failed to import
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
