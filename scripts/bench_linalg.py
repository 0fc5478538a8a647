#!/usr/bin/env python3
"""Benchmark (not a test): float64 `np.linalg.solve` and `np.linalg.inv`
on an n x n matrix, native Numba (SciPy's OpenBLAS LAPACK, one thread)
against the wasm build (shims/src/lapack.rs) on wasmtime through
`numba_wasm.load` (which copies the arguments in and the result out).

Prints a Markdown table of median call times (interleaved rounds, so that
load from other processes hits both sides alike) and their ratio.

    .venv/bin/python scripts/bench_linalg.py [--sizes 200] [--rounds 5]
"""
import os

# Before numpy loads OpenBLAS: one thread, like wasm.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from numba import njit  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import numba_wasm  # noqa: E402


@njit
def solve(a, b):
    return np.linalg.solve(a, b)


@njit
def inv(a):
    return np.linalg.inv(a)


def median_ms(fn, args, calls):
    ts = []
    for _ in range(calls):
        t0 = time.perf_counter()
        fn(*args)
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="200")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--calls", type=int, default=10)
    opts = ap.parse_args()
    rng = np.random.default_rng(0)
    import numba
    print(f"float64, n x n; numba {numba.__version__} + OpenBLAS (1 thread) vs wasm on "
          f"wasmtime (numba_wasm.load); median of {opts.rounds} interleaved rounds of "
          f"{opts.calls} calls\n")
    print("| function | n | native ms | wasm ms | wasm / native |")
    print("|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        a2, b2 = rng.standard_normal((2, 2)), rng.standard_normal(2)
        built = numba_wasm.build({solve: [(a2, b2)], inv: [(a2,)]}, tmp, name="bench")
        mod = numba_wasm.load(built.wasm.read_bytes())
        for n in (int(s) for s in opts.sizes.split(",")):
            a, b = rng.standard_normal((n, n)), rng.standard_normal(n)
            for name, args in (("solve", (a, b)), ("inv", (a,))):
                nat_fn, wasm_fn = globals()[name], getattr(mod, name)
                x_n, x_w = nat_fn(*args), wasm_fn(*args)
                assert np.allclose(x_n, x_w, rtol=1e-8, atol=1e-10)
                nat, was = [], []
                for _ in range(opts.rounds):
                    nat.append(median_ms(nat_fn, args, opts.calls))
                    was.append(median_ms(wasm_fn, args, opts.calls))
                tn, tw = statistics.median(nat), statistics.median(was)
                print(f"| {name} | {n} | {tn:.3f} | {tw:.3f} | {tw / tn:.1f} |", flush=True)


if __name__ == "__main__":
    main()
