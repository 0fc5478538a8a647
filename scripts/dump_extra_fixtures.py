#!/usr/bin/env python3
"""Regenerate the fixtures that are not the kernel corpus:

- fixtures/numba-<V>/captures/: raw captures of Numba's NUMBA_DUMP_OPTIMIZED=1
  and NUMBA_DUMP_LLVM=1 output for fixtures/capture_kernels.py, and their
  cases.json (native results);
- fixtures/numba-<V>/errors/: IR of fixtures/error_kernels.py, which
  numba-wasm must refuse with a clear message.

    /path/to/venv/bin/python scripts/dump_extra_fixtures.py
    /path/to/venv/bin/python -c 'import dump_extra_fixtures as d; d.dump_errors()'  # errors/ only
"""
import io
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures")
sys.path.insert(0, HERE)
sys.path.insert(0, FIXTURES)


def capture(env_var, path):
    env = dict(os.environ, **{env_var: "1"})
    env.pop("NUMBA_OPT", None)
    out = subprocess.run([sys.executable, os.path.join(FIXTURES, "capture_kernels.py")],
                         env=env, check=True, capture_output=True, text=True).stdout
    from dump_fixtures import without_host_addresses
    with open(path, "w") as f:
        f.write(without_host_addresses(out))


def dump_errors():
    """Write fixtures/numba-<V>/errors/ alone; returns that directory."""
    import error_kernels
    import numba_dump
    from dump_fixtures import without_host_addresses

    import numba
    error_kernels.compile_all()
    errors = os.path.join(FIXTURES, f"numba-{numba.__version__}", "errors")
    os.makedirs(errors, exist_ok=True)
    for k in (error_kernels.objmode_fn, error_kernels.uses_external):
        buf = io.StringIO()
        numba_dump.dump_dispatcher(k, buf)
        with open(os.path.join(errors, k.__name__ + ".ll"), "w") as f:
            f.write(without_host_addresses(buf.getvalue()))
    return errors


def main():
    import capture_kernels
    import numpy as np
    from dump_fixtures import run_case

    import numba

    out = os.path.join(FIXTURES, f"numba-{numba.__version__}", "captures")
    os.makedirs(out, exist_ok=True)
    capture("NUMBA_DUMP_OPTIMIZED", os.path.join(out, "dump_optimized.txt"))
    capture("NUMBA_DUMP_LLVM", os.path.join(out, "dump_llvm.txt"))
    cases = [run_case(*c) for c in capture_kernels.cases()]
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"numba": numba.__version__, "numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    errors = dump_errors()
    print(f"wrote {out} and {errors}")


if __name__ == "__main__":
    main()
