#!/usr/bin/env python3
"""Benchmark (not a test): float64 `A @ B` for square matrices, native Numba
(SciPy's OpenBLAS, one thread) against the wasm build in Node (V8, as in a
browser; the shim's packed simd128 gemm, shims/src/blas.rs).

Prints a Markdown table: GFLOP/s (2 n^3 / median time) on each side and the
ratio of the median times, wasm / native. Each side is timed in ROUNDS
rounds of calls; the table shows the median over the rounds. In Node the
operands live in wasm memory already (`m.fromArray`), so a call costs the
product plus copying the n x n result out, as native Numba allocates one.

    .venv/bin/python scripts/bench_blas.py [--sizes 64,128,256,512] [--rounds 5]
"""
import os

# Before numpy loads OpenBLAS: one thread, like wasm.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from numba import njit  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))
import numba_wasm  # noqa: E402


@njit
def matmul(a, b):
    return a @ b


NODE_TIMER = r"""
import { pathToFileURL } from "node:url";
const [modPath, sizesArg, roundsArg, budgetArg] = process.argv.slice(2);
const { load } = await import(pathToFileURL(modPath).href);
const m = await load();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = {};
for (const n of sizesArg.split(",").map(Number)) {
  // Same values as the Python side: x_ij = ((i * 7 + j * 13) % 17 - 8) / 8.
  const fill = (seed) => {
    const d = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) d[i * n + j] = (((i * 7 + j * 13 + seed) % 17) - 8) / 8;
    return m.fromArray({ data: d, shape: [n, n] });
  };
  const A = fill(0), B = fill(3);
  // Calls per round: enough for ~budget ms, at least 3.
  for (let i = 0; i < 3; i++) m.matmul(A, B);
  let t0 = performance.now();
  m.matmul(A, B);
  const one = performance.now() - t0;
  const calls = Math.max(3, Math.ceil(Number(budgetArg) / Math.max(one, 1e-3)));
  const rounds = [];
  for (let r = 0; r < Number(roundsArg); r++) {
    const ts = [];
    for (let c = 0; c < calls; c++) {
      t0 = performance.now();
      m.matmul(A, B);
      ts.push(performance.now() - t0);
    }
    rounds.push(median(ts));
  }
  out[n] = rounds;
  A.free();
  B.free();
}
console.log(JSON.stringify(out));
"""


def fill(n, seed):
    i, j = np.indices((n, n))
    return (((i * 7 + j * 13 + seed) % 17) - 8) / 8.0


def native_rounds(n, rounds, budget_ms):
    a, b = fill(n, 0), fill(n, 3)
    for _ in range(3):
        matmul(a, b)
    t0 = time.perf_counter()
    matmul(a, b)
    one = (time.perf_counter() - t0) * 1000
    calls = max(3, int(budget_ms / max(one, 1e-3)) + 1)
    out = []
    for _ in range(rounds):
        ts = []
        for _ in range(calls):
            t0 = time.perf_counter()
            matmul(a, b)
            ts.append((time.perf_counter() - t0) * 1000)
        out.append(statistics.median(ts))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="64,128,256,512")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--budget-ms", type=float, default=300.0,
                    help="time per round and size, each side")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]

    # Same results on both sides first (exact: the values are multiples of
    # 1/8 and the sums stay representable).
    x, y = fill(sizes[0], 0), fill(sizes[0], 3)
    res = numba_wasm.verify(matmul, x, y)
    assert np.array_equal(res.native, x @ y)

    with tempfile.TemporaryDirectory() as tmp:
        built = numba_wasm.build({matmul: [(fill(2, 0), fill(2, 0))]}, tmp, name="bench")
        timer = os.path.join(tmp, "timer.mjs")
        with open(timer, "w") as f:
            f.write(NODE_TIMER)
        wasm = json.loads(subprocess.check_output(
            ["node", timer, str(built.js), a.sizes, str(a.rounds), str(a.budget_ms)], text=True))

    node = subprocess.check_output(["node", "--version"], text=True).strip()
    import numba
    print(f"float64 A @ B, n x n; numba {numba.__version__} + OpenBLAS (1 thread) vs "
          f"wasm in Node {node}; medians over {a.rounds} rounds\n")
    print("| n | native GFLOP/s | wasm GFLOP/s | wasm / native time |")
    print("|---:|---:|---:|---:|")
    for n in sizes:
        nat = statistics.median(native_rounds(n, a.rounds, a.budget_ms))
        was = statistics.median(wasm[str(n)])
        flops = 2.0 * n ** 3
        print(f"| {n} | {flops / nat / 1e6:.1f} | {flops / was / 1e6:.1f} | {was / nat:.2f} |")


if __name__ == "__main__":
    main()
