#!/usr/bin/env python3
"""The main job on the built-in example (examples/demo_kernels.py): run the
kernels natively with Numba, dump their IR, build them with numba-wasm, run
the wasm in Node and print both results side by side. Then build the
interactive demo page (examples/web/) into build/demo/web/ and say how to
open it.

    scripts/demo.sh        (sets everything up, then runs this)
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, os.path.join(ROOT, "examples"))
sys.path.insert(0, os.path.join(ROOT, "examples", "web"))

import demo_kernels  # noqa: E402
import numba_dump  # noqa: E402
from build_page import build_page  # noqa: E402
from dump_fixtures import run_case  # noqa: E402


def main():
    out = os.path.join(ROOT, "build", "demo")
    os.makedirs(out, exist_ok=True)
    # Native runs first: they compile the lazily typed kernels and give the oracle.
    cases = [run_case(*c) for c in demo_kernels.cases()]
    with open(os.path.join(out, "cases.json"), "w") as f:
        json.dump({"cases": cases}, f)
    ir = os.path.join(out, "demo_kernels.ll")
    with open(ir, "w") as f:
        numba_dump.dump_dispatchers(demo_kernels.KERNELS, f)
    cli = os.path.join(ROOT, "target", "release", "numba-wasm")
    subprocess.run([cli, "build", ir, "-o", out, "--name", "demo_kernels"], check=True)
    rc = subprocess.run(["node", os.path.join(ROOT, "scripts", "demo.mjs"),
                         os.path.join(out, "demo_kernels.js"),
                         os.path.join(out, "cases.json")], check=False).returncode
    page = build_page(os.path.join(out, "web"))
    print(f"\ninteractive demo page (examples/web/): {os.path.relpath(page, ROOT)}\n"
          "serve it with  node scripts/serve_demo.mjs  and open http://127.0.0.1:8000/",
          flush=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
