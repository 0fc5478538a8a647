#!/usr/bin/env python3
"""Dump the LLVM IR of compiled Numba dispatchers in the numba-wasm input format.

For every overload of every dispatcher the output holds:

    ; numba-wasm-return: <mangled symbol> <numba return type>
    ; ---- numba-wasm module: <qualname> <signature> ----
    <IR text of dispatcher.inspect_llvm(sig)>

This is the input of `numba-wasm build`.

Library use (numba must already be imported with the wanted NUMBA_OPT):

    from numba_dump import dump_dispatchers
    dump_dispatchers([f, g], sys.stdout)

CLI:

    numba_dump.py [--form opt|noopt] [-o OUT.ll] MODULE.py [NAME ...]

imports MODULE.py, runs its `cases()` (if any) to compile lazily typed
kernels, and dumps the named dispatchers (default: all dispatchers defined
in the module). `--form noopt` re-executes the script in a subprocess with
NUMBA_OPT=0 set before numba is imported.
"""
import argparse
import importlib.util
import os
import subprocess
import sys

NOOPT_MARK = "NUMBA_WASM_DUMP_CHILD"


def overload_entries(dispatcher):
    """Yield (signature, compile result) for each overload, in compile order."""
    for sig, cres in dispatcher.overloads.items():
        yield sig, cres


def entry_symbol(cres):
    """The mangled name of the function the cpython wrapper calls."""
    return cres.fndesc.mangled_name


def format_overload(dispatcher, sig, cres):
    sym = entry_symbol(cres)
    ret = str(cres.signature.return_type)
    ir = dispatcher.inspect_llvm(sig)
    if ("define" not in ir) or (sym not in ir):
        raise RuntimeError(f"symbol {sym} not found in IR of "
                           f"{dispatcher.py_func.__qualname__}{sig}")
    qualname = f"{dispatcher.py_func.__module__}.{dispatcher.py_func.__qualname__}"
    parts = [
        f"; numba-wasm-return: {sym} {ret}\n",
        f"; ---- numba-wasm module: {qualname} {cres.signature} ----\n",
        ir,
    ]
    if not ir.endswith("\n"):
        parts.append("\n")
    return "".join(parts)


def dump_dispatcher(dispatcher, stream):
    n = 0
    for sig, cres in overload_entries(dispatcher):
        stream.write(format_overload(dispatcher, sig, cres))
        n += 1
    return n


def dump_dispatchers(dispatchers, stream):
    return sum(dump_dispatcher(d, stream) for d in dispatchers)


def is_dispatcher(obj):
    from numba.core.dispatcher import Dispatcher
    return isinstance(obj, Dispatcher)


def load_module(path):
    path = os.path.abspath(path)
    name = os.path.splitext(os.path.basename(path))[0]
    sys.path.insert(0, os.path.dirname(path))
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def materialize(arg):
    """Generated inputs (objects with a materialize() method) -> arrays."""
    m = getattr(arg, "materialize", None)
    return m() if callable(m) else arg


def run_cases(mod):
    """Run mod.cases() so lazily typed kernels get compiled."""
    if not hasattr(mod, "cases"):
        return
    for case in mod.cases():
        _cid, func, args = case
        args = [materialize(a) for a in args]
        try:
            func(*args)
        except Exception:  # a case may test an exception; it still compiled
            pass


def module_dispatchers(mod, names=None):
    if names:
        return [getattr(mod, n) for n in names]
    return [v for v in vars(mod).values()
            if is_dispatcher(v) and v.py_func.__module__ == mod.__name__
            and v.overloads]


def reexec_noopt(argv):
    """Re-run this script with NUMBA_OPT=0; returns the exit code."""
    env = dict(os.environ, NUMBA_OPT="0")
    env[NOOPT_MARK] = "1"
    return subprocess.call([sys.executable, os.path.abspath(__file__)] + argv,
                           env=env)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--form", choices=["opt", "noopt"], default="opt")
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("module")
    ap.add_argument("names", nargs="*")
    a = ap.parse_args(argv)
    if a.form == "noopt" and os.environ.get(NOOPT_MARK) != "1":
        if "numba" in sys.modules:
            raise SystemExit("numba already imported; cannot set NUMBA_OPT")
        return reexec_noopt(argv)
    if a.form == "opt" and os.environ.get("NUMBA_OPT") == "0":
        raise SystemExit("--form opt requested but NUMBA_OPT=0 is set")
    mod = load_module(a.module)
    run_cases(mod)
    disps = module_dispatchers(mod, a.names)
    if a.output == "-":
        dump_dispatchers(disps, sys.stdout)
    else:
        with open(a.output, "w") as f:
            dump_dispatchers(disps, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
