#!/usr/bin/env python3
"""Benchmarks (not tests): compile time per kernel, .wasm sizes, and kernel
run time in Node (wasm, both IR forms) against native Numba, medians of
repeated runs in the same session. Run after scripts/setup.sh:

    .venv/bin/python scripts/bench.py
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "fixtures"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
CLI = os.path.join(ROOT, "target", "release", "numba-wasm")
REPEATS = 30


def build(inputs, out):
    t0 = time.perf_counter()
    subprocess.run([CLI, "build", *inputs, "-o", out, "--name", "kernels"], check=True,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def native_ms(func, args):
    for _ in range(3):
        func(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
    ts = []
    for _ in range(REPEATS):
        fresh = [a.copy() if isinstance(a, np.ndarray) else a for a in args]
        t0 = time.perf_counter()
        func(*fresh)
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts)


def main():
    import kernels
    from dump_fixtures import enc_arg

    import numba

    fx = os.path.join(ROOT, "fixtures", f"numba-{numba.__version__}")
    tmp = tempfile.mkdtemp()
    print(f"numba {numba.__version__}, node {subprocess.check_output(['node', '--version'], text=True).strip()}; "
          f"medians of {REPEATS} runs\n")

    print("compile time per kernel file (numba-wasm build, median of 3), ms:")
    for form in ("opt", "noopt"):
        d = os.path.join(fx, form)
        times = {}
        for f in sorted(os.listdir(d)):
            times[f[:-3]] = statistics.median(
                build([os.path.join(d, f)], os.path.join(tmp, "c")) for _ in range(3)) * 1000
        vals = sorted(times.values())
        print(f"  {form:5}: median {statistics.median(vals):.0f}, min {vals[0]:.0f}, "
              f"max {vals[-1]:.0f} ({max(times, key=times.get)}), {len(vals)} kernels")

    print("\n.wasm size, bytes:")
    for label, files in [("kernel 1 (add_i32)", ["add_i32"]),
                         ("kernel 5 (arange_half + zeros2d + fma_arrays)",
                          ["arange_half", "zeros2d", "fma_arrays"])]:
        sizes = []
        for form in ("opt", "noopt"):
            out = os.path.join(tmp, f"s-{form}")
            build([os.path.join(fx, form, f + ".ll") for f in files], out)
            sizes.append(f"{form} {os.path.getsize(os.path.join(out, 'kernels.wasm'))}")
        print(f"  {label}: {', '.join(sizes)}")

    rng = np.random.default_rng(1)
    calls = [
        ("np_sum 1M int32", kernels.np_sum, (kernels.xorshift_array(1_000_000, 12345, -100, 100, "int32"),)),
        ("axpy 1M float64", kernels.axpy, (2.0, rng.standard_normal(1_000_000), rng.standard_normal(1_000_000))),
        ("mandelbrot 400x300x200", kernels.mandelbrot, (400, 300, 200)),
        ("sum3d 100^3 C", kernels.sum3d, (rng.standard_normal((100, 100, 100)),)),
        ("weighted_sum2d 1000^2 F", kernels.weighted_sum2d, (np.asfortranarray(rng.standard_normal((1000, 1000))),)),
        ("lcg_hash 10M steps", kernels.lcg_hash, (np.int64(1), np.int64(10_000_000))),
    ]
    spec = {"calls": [{"id": cid, "func": f.__name__, "args": [enc_arg(a) for a in args]}
                      for cid, f, args in calls]}
    calls_path = os.path.join(tmp, "calls.json")
    with open(calls_path, "w") as fh:
        json.dump(spec, fh)
    native = {cid: native_ms(f, args) for cid, f, args in calls}
    wasm = {}
    for form in ("opt", "noopt"):
        out = os.path.join(tmp, f"b-{form}")
        build([os.path.join(fx, form, f"{f.__name__}.ll") for f in {c[1] for c in calls}], out)
        wasm[form] = json.loads(subprocess.run(
            ["node", os.path.join(ROOT, "scripts", "bench.mjs"), os.path.join(out, "kernels.js"),
             calls_path, str(REPEATS)], check=True, capture_output=True, text=True).stdout)

    print("\nrun time, ms (ratio to native Numba); zero-copy = arrays already in wasm memory:")
    print(f"  {'kernel':26} {'native':>8}  {'wasm opt zero-copy':>22}  {'wasm noopt zero-copy':>22}  {'wasm opt copy-in':>20}")  # noqa: E501
    for cid, _, _ in calls:
        n = native[cid]

        def cell(form, key):
            v = wasm[form][cid].get(key, wasm[form][cid]["copy_ms"])
            return f"{v:8.3f} (x{v / n:5.2f})"
        print(f"  {cid:26} {n:8.3f}  {cell('opt', 'zero_copy_ms'):>22}  {cell('noopt', 'zero_copy_ms'):>22}"
              f"  {cell('opt', 'copy_ms'):>20}")


if __name__ == "__main__":
    main()
