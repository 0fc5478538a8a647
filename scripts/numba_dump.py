#!/usr/bin/env python3
"""Dump the LLVM IR of compiled Numba dispatchers in the numba-wasm input format.

A thin CLI over `numba_wasm._ir` (python/numba_wasm/_ir.py), which holds the
one implementation; see its docstring for the format.

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
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                os.pardir, "python"))

from numba_wasm._ir import (  # noqa: E402,F401  (re-exported)
    dump_dispatcher,
    dump_dispatchers,
    dump_overloads,
    entry_symbol,
    format_overload,
    is_dispatcher,
    load_module,
    materialize,
    module_dispatchers,
    overload_entries,
    run_cases,
)

NOOPT_MARK = "NUMBA_WASM_DUMP_CHILD"


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
