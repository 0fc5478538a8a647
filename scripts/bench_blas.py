#!/usr/bin/env python3
"""Benchmark (not a test): float64 `A @ B` for square matrices, native Numba
(SciPy's OpenBLAS, one thread) against the wasm build in Node (V8, as in a
browser; the shim's packed simd128 gemm, shims/src/blas.rs).

Prints a Markdown table: GFLOP/s (2 n^3 / median time) on each side and the
ratio of the median times, wasm / native. Per size, ROUNDS rounds alternate
between the two sides (so that load from other processes hits both alike);
each round is the median of many calls; the table shows the median over the
rounds. In Node the operands live in wasm memory already (`m.fromArray`), so
a call costs the product plus copying the n x n result out (native Numba
allocates its result too).

    .venv/bin/python scripts/bench_blas.py [--sizes 64,128,256,512] [--rounds 5]
"""
import os

# Before numpy loads OpenBLAS: one thread, like wasm.
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse  # noqa: E402
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


# Node side: one line "n calls" on stdin -> one line on stdout, the median
# call time in ms of `calls` calls on n x n operands (kept between rounds).
NODE_TIMER = r"""
import { pathToFileURL } from "node:url";
import { createInterface } from "node:readline";
const { load } = await import(pathToFileURL(process.argv[2]).href);
const m = await load();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const operands = new Map();
// Same values as the Python side: x_ij = ((i * 7 + j * 13 + seed) % 17 - 8) / 8.
const fill = (n, seed) => {
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) d[i * n + j] = (((i * 7 + j * 13 + seed) % 17) - 8) / 8;
  return m.fromArray({ data: d, shape: [n, n] }); // in wasm memory: no copy in
};
for await (const line of createInterface({ input: process.stdin })) {
  const [n, calls] = line.split(" ").map(Number);
  if (!operands.has(n)) operands.set(n, [fill(n, 0), fill(n, 3)]);
  const [A, B] = operands.get(n);
  const ts = [];
  for (let c = 0; c < calls; c++) {
    const t0 = performance.now();
    m.matmul(A, B);
    ts.push(performance.now() - t0);
  }
  console.log(median(ts));
}
"""


def fill(n, seed):
    i, j = np.indices((n, n))
    return (((i * 7 + j * 13 + seed) % 17) - 8) / 8.0


def native_round(a, b, calls):
    """Median time (ms) of `calls` native calls."""
    ts = []
    for _ in range(calls):
        t0 = time.perf_counter()
        matmul(a, b)
        ts.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ts)


class NodeTimer:
    """The wasm build in a Node process that times calls on request."""

    def __init__(self, js, script):
        self.proc = subprocess.Popen(["node", script, str(js)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def round(self, n, calls):
        self.proc.stdin.write(f"{n} {calls}\n")
        self.proc.stdin.flush()
        return float(self.proc.stdout.readline())

    def close(self):
        self.proc.stdin.close()
        self.proc.wait()


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

    node = subprocess.check_output(["node", "--version"], text=True).strip()
    import numba
    print(f"float64 A @ B, n x n; numba {numba.__version__} + OpenBLAS (1 thread) vs "
          f"wasm in Node {node}; per size, {a.rounds} interleaved rounds (native, "
          f"wasm) of median call times; table: median over the rounds\n")
    print("| n | native GFLOP/s | wasm GFLOP/s | wasm / native time |")
    print("|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        built = numba_wasm.build({matmul: [(fill(2, 0), fill(2, 0))]}, tmp, name="bench")
        script = os.path.join(tmp, "timer.mjs")
        with open(script, "w") as f:
            f.write(NODE_TIMER)
        timer = NodeTimer(built.js, script)
        try:
            for n in sizes:
                a_, b_ = fill(n, 0), fill(n, 3)
                # Warm up both sides (Node tiers the wasm code up), then size
                # the rounds from one native call: ~budget ms per round.
                for _ in range(3):
                    matmul(a_, b_)
                timer.round(n, 3)
                t0 = time.perf_counter()
                matmul(a_, b_)
                one = (time.perf_counter() - t0) * 1000
                calls = max(3, int(a.budget_ms / max(one, 1e-3)) + 1)
                nat, was = [], []
                for _ in range(a.rounds):
                    nat.append(native_round(a_, b_, calls))
                    was.append(timer.round(n, max(3, calls // 3)))
                tn, tw = statistics.median(nat), statistics.median(was)
                flops = 2.0 * n ** 3
                print(f"| {n} | {flops / tn / 1e6:.1f} | {flops / tw / 1e6:.1f} | {tw / tn:.2f} |",
                      flush=True)
        finally:
            timer.close()


if __name__ == "__main__":
    main()
