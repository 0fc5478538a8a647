#!/usr/bin/env python3
"""Benchmarks (not tests): compile time per kernel, .wasm sizes, and the
1M-element int32 sum in Node (wasm) against native Numba, medians of
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

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "fixtures"))
CLI = os.path.join(ROOT, "target", "release", "numba-wasm")
REPEATS = 50


def build(inputs, out):
    t0 = time.perf_counter()
    subprocess.run([CLI, "build", *inputs, "-o", out, "--name", "kernels"], check=True,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main():
    import numba
    import kernels

    fx = os.path.join(ROOT, "fixtures", f"numba-{numba.__version__}")
    tmp = tempfile.mkdtemp()
    print(f"numba {numba.__version__}; median of {REPEATS} runs unless noted\n")

    print("compile time per kernel file (numba-wasm build, median of 3), ms:")
    for form in ("opt", "noopt"):
        d = os.path.join(fx, form)
        times = {}
        for f in sorted(os.listdir(d)):
            ts = [build([os.path.join(d, f)], os.path.join(tmp, "c")) for _ in range(3)]
            times[f[:-3]] = statistics.median(ts) * 1000
        vals = sorted(times.values())
        print(f"  {form:5}: median {statistics.median(vals):.0f}, min {vals[0]:.0f}, max {vals[-1]:.0f}"
              f" ({max(times, key=times.get)}) over {len(vals)} kernels")

    print("\n.wasm size (bytes):")
    for label, files in [("kernel 1 (add_i32)", ["add_i32"]),
                         ("kernel 5 (arange_half, zeros2d, fma_arrays)", ["arange_half", "zeros2d", "fma_arrays"])]:
        for form in ("opt", "noopt"):
            out = os.path.join(tmp, f"s-{form}")
            build([os.path.join(fx, form, f + ".ll") for f in files], out)
            print(f"  {label} [{form}]: {os.path.getsize(os.path.join(out, 'kernels.wasm'))}")

    print("\nkernel 2: sum of 1,000,000 int32 (x.sum()), ms:")
    x = kernels.xorshift_array(1_000_000, 12345, -100, 100, "int32")
    kernels.np_sum(x)
    ts = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        native_value = kernels.np_sum(x)
        ts.append((time.perf_counter() - t0) * 1000)
    native = statistics.median(ts)
    print(f"  native Numba: {native:.3f} (value {native_value})")
    for form in ("opt", "noopt"):
        out = os.path.join(tmp, f"b-{form}")
        build([os.path.join(fx, form, "np_sum.ll")], out)
        r = json.loads(subprocess.run(["node", os.path.join(ROOT, "scripts", "bench.mjs"),
                                       os.path.join(out, "kernels.js"), str(REPEATS)],
                                      check=True, capture_output=True, text=True).stdout)
        assert r["np_sum_value"] == str(native_value), (r, native_value)
        print(f"  wasm [{form}] zero-copy: {r['np_sum_zero_copy_ms']:.3f} "
              f"(x{r['np_sum_zero_copy_ms'] / native:.2f} native); "
              f"copy-in: {r['np_sum_copy_ms']:.3f} (x{r['np_sum_copy_ms'] / native:.2f}); "
              f"plain JS loop: {r['np_sum_plain_js_ms']:.3f}")


if __name__ == "__main__":
    main()
